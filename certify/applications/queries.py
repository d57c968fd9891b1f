"""Read side of applications: lists, the review queue, the effective state, and the live eligibility verdict."""

from __future__ import annotations

import json
import logging
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from certify.applications.models import Application, ApplicationState, Ban, RuleSetRecord
from certify.core.db import db
from certify.institutions.models import Body, BodyOccupation, Occupation, Person
from certify.ladder import eligibility
from certify.ladder.eligibility import Verdict, bundled_relaxations, evaluate
from certify.ladder.eligibility_rulesets import RuleSet, load_bundled_rulesets, load_ruleset, ruleset_for_occupation
from certify.ladder.profile import ProfileProblem, profile_from_json

log = logging.getLogger("certify.applications")

#: a ban without an end date, as the engine's dated Ban needs one (its "may apply from" is the day after)
PERMANENT_BAN_END = date.max - timedelta(days=1)
#: applications still in play: a second one for the same body, occupation and level is refused
OPEN_STATES = (ApplicationState.DRAFT, ApplicationState.SUBMITTED, ApplicationState.RETURNED, ApplicationState.APPROVED)


def effective_state(app: Application, now: datetime) -> ApplicationState:
    """The state as of `now`: a returned application whose deadline has passed has lapsed, whether or not the
    scheduler has recorded it yet."""
    if app.state == ApplicationState.RETURNED and app.return_deadline is not None and now > app.return_deadline:
        return ApplicationState.LAPSED
    return app.state


def lapsed_filter(now: datetime):
    """SQL condition: returned and past the deadline (lapsed when read)."""
    return sa.and_(Application.state == ApplicationState.RETURNED, Application.return_deadline < now)


def applications_of(person_id: int) -> sa.Select:
    """A candidate's applications, newest first."""
    return sa.select(Application).where(Application.candidate_person_id == person_id).order_by(Application.id.desc())


def review_queue(
    body_id: int, now: datetime, *, occupation_id: int | None = None, level: int | None = None, state: str = ""
) -> sa.Select:
    """A body's applications, never drafts; `state` filters by the effective state."""
    stmt = sa.select(Application).where(Application.body_id == body_id, Application.state != ApplicationState.DRAFT)
    if occupation_id:
        stmt = stmt.where(Application.occupation_id == occupation_id)
    if level:
        stmt = stmt.where(Application.level_ordinal == level)
    if state == ApplicationState.LAPSED:
        stmt = stmt.where(sa.or_(Application.state == ApplicationState.LAPSED, lapsed_filter(now)))
    elif state == ApplicationState.RETURNED:
        stmt = stmt.where(Application.state == ApplicationState.RETURNED, Application.return_deadline >= now)
    elif state in {s.value for s in ApplicationState}:
        stmt = stmt.where(Application.state == ApplicationState(state))
    return stmt.order_by(Application.submitted_at.asc().nulls_last(), Application.id)


def bodies() -> list[Body]:
    """Bodies a candidate may apply to (those filed for at least one occupation)."""
    filed = sa.select(BodyOccupation.body_id)
    return list(db.session.execute(sa.select(Body).where(Body.id.in_(filed)).order_by(Body.name)).scalars())


def offered_occupations(body_id: int) -> list[Occupation]:
    """The occupations a body is filed for."""
    stmt = (
        sa.select(Occupation)
        .join(BodyOccupation, BodyOccupation.occupation_id == Occupation.id)
        .where(BodyOccupation.body_id == body_id)
        .order_by(Occupation.code)
    )
    return list(db.session.execute(stmt).scalars())


def open_application(person_id: int, body_id: int, occupation_id: int, level: int) -> Application | None:
    """The candidate's application still in play for this body, occupation and level (if any)."""
    stmt = sa.select(Application).where(
        Application.candidate_person_id == person_id,
        Application.body_id == body_id,
        Application.occupation_id == occupation_id,
        Application.level_ordinal == level,
        Application.state.in_(OPEN_STATES),
    )
    return db.session.execute(stmt.limit(1)).scalar_one_or_none()


def approved_application(person_id: int, occupation_id: int, level: int) -> Application | None:
    """The approved application that makes a candidate eligible for enrolment in a session of this occupation
    and level (None when there is none)."""
    stmt = sa.select(Application).where(
        Application.candidate_person_id == person_id,
        Application.occupation_id == occupation_id,
        Application.level_ordinal == level,
        Application.state == ApplicationState.APPROVED,
    )
    return db.session.execute(stmt.order_by(Application.id.desc()).limit(1)).scalar_one_or_none()


def active_bans(person_id: int, today: date) -> list[Ban]:
    """Bans in force on `today` (start and end inclusive; no end = permanent; lifted bans no longer count)."""
    stmt = sa.select(Ban).where(
        Ban.person_id == person_id,
        Ban.starts_on <= today,
        sa.or_(Ban.ends_on.is_(None), Ban.ends_on >= today),
        Ban.lifted_at.is_(None),
    )
    return list(db.session.execute(stmt.order_by(Ban.id)).scalars())


def engine_bans(person_id: int, today: date) -> list[eligibility.Ban]:
    """The person's active bans in the engine's shape."""
    return [
        eligibility.Ban(b.ends_on or PERMANENT_BAN_END, b.reason, b.tier, b.starts_on)
        for b in active_bans(person_id, today)
    ]


def rulesets() -> dict[str, RuleSet]:
    """The bundled rule sets, each replaced by the staff-edited record of the same key when it is valid."""
    loaded = load_bundled_rulesets()
    for record in db.session.execute(sa.select(RuleSetRecord)).scalars():
        try:
            ruleset, problems = load_ruleset(json.loads(record.data))
        except ValueError:
            ruleset, problems = None, ["not JSON"]
        if ruleset is None:
            log.warning("edited rule set %s is invalid, using the bundled one: %s", record.key, problems)
            continue
        loaded[record.key] = ruleset
    return loaded


def profile_with_birth_date(data: object, person: Person | None) -> object:
    """The profile as entered, with the birth date read from the person's ID when the profile gives none."""
    if isinstance(data, dict) and not data.get("birth_date") and person is not None and person.birth_date:
        return {**data, "birth_date": person.birth_date.isoformat()}
    return data


def verdict_for(
    occupation_code: str, level: int, profile_data: object, person: Person | None, today: date
) -> tuple[Verdict | None, list[ProfileProblem]]:
    """The eligibility verdict of a profile for an occupation and level on `today`, with the person's bans;
    None and every profile problem when the profile cannot be read."""
    profile, problems = profile_from_json(profile_with_birth_date(profile_data, person))
    if profile is None:
        return None, problems
    ruleset = ruleset_for_occupation(occupation_code, rulesets())
    bans = engine_bans(person.id, today) if person is not None else []
    return evaluate(profile, ruleset, level, today, relaxations=bundled_relaxations(), bans=bans), []


def stored_profile(app: Application) -> dict:
    """The application's profile as a dict ({} when empty or unreadable)."""
    try:
        data = json.loads(app.profile or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def stored_verdict(app: Application, locale: str) -> dict | None:
    """The verdict recorded at the last submission, in `locale`."""
    if not app.verdict:
        return None
    data = json.loads(app.verdict)
    return data.get(locale) or data.get("en")
