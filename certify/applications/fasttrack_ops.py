"""Fast track: the competition register, direct recognition (竞赛直接认定) and the panels that decide recognitions
and exceptional-route (破格) applications. Check, change, audit, flush; never commit.

A person's current level in an occupation is the highest level of their approved recognitions in it (the
platform holds no other record of levels yet); their prior promotions are all their approved recognitions,
dated by the day the panel decided (in the body's time zone).
"""

from __future__ import annotations

import json
from datetime import date

import sqlalchemy as sa
from flask import current_app

from certify.applications import panels
from certify.applications.models import (
    Application,
    ApplicationEvent,
    ApplicationRoute,
    ApplicationState,
    Competition,
    CompetitionEvent,
    CompetitionResult,
    DecisionState,
    Recognition,
    RuleSetRecord,
)
from certify.core.clock import local_date, now_utc
from certify.core.db import db, lock_for_update
from certify.core.errors import Problem, Refused
from certify.institutions import identity
from certify.institutions.models import Body, BodyOccupation, Person
from certify.ladder import fasttrack as rules
from certify.ladder.eligibility_exceptional import (
    DEFAULT_ROUTES,
    Achievement,
    AwardClass,
    ExceptionalRoute,
    Panel,
    exceptional_talent,
)
from certify.ladder.profile import profile_from_json
from certify.supervision import audit

MAPPING_KEY = "fasttrack_mapping"


class AwardRefused(Refused):
    """The mapping table awards no level to a result; carries the decision so pages show every reason."""

    def __init__(self, decision: rules.AwardDecision):
        self.decision = decision
        super().__init__([Problem("fasttrack_award_refused", None, {"count": len(decision.refusals)})])


class TableRejected(Refused):
    """An edited mapping table failed validation; carries (row number as shown, reason) for every problem."""

    def __init__(self, reasons: list[tuple[int | None, rules.FastTrackReason]]):
        self.reasons = reasons
        super().__init__([Problem("fasttrack_table_invalid", None, {"count": len(reasons)})])


def policy() -> rules.FastTrackPolicy:
    """The configured fast-track policy (FASTTRACK_POLICY in the app config overrides the DOMAIN.md defaults)."""
    values = dict(current_app.config.get("FASTTRACK_POLICY", {}))
    if "senior_min_class" in values:
        values["senior_min_class"] = rules.CompetitionClass(values["senior_min_class"])
    return rules.FastTrackPolicy(**values)


def exceptional_routes() -> tuple[ExceptionalRoute, ...]:
    """The local 破格 thresholds (FASTTRACK_EXCEPTIONAL_ROUTES in the app config, else the DOMAIN.md examples)."""
    configured = current_app.config.get("FASTTRACK_EXCEPTIONAL_ROUTES")
    if not configured:
        return DEFAULT_ROUTES
    return tuple(ExceptionalRoute(**{**r, "min_award_class": AwardClass(r["min_award_class"])}) for r in configured)


def today(body: Body) -> date:
    return local_date(now_utc(), body.timezone)


def _snapshot(obj, fields: tuple[str, ...]) -> dict:
    return {name: getattr(obj, name) for name in fields}


# --- the register ------------------------------------------------------------------------------------------------

COMPETITION_FIELDS = ("name", "competition_class", "organiser", "held_on", "document_ref")


def create_competition(body: Body, values: dict) -> Competition:
    """Register a competition of `body` with its official results document."""
    values = {**values, "name": " ".join(values["name"].split()), "organiser": values["organiser"].strip()}
    problems = []
    if values["held_on"] > today(body):
        problems.append(Problem("fasttrack_held_in_future", "held_on"))
    clash = db.session.execute(
        sa.select(Competition.id).where(
            Competition.body_id == body.id, Competition.name == values["name"], Competition.held_on == values["held_on"]
        )
    ).first()
    if clash:
        params = {"name": values["name"], "held_on": values["held_on"].isoformat()}
        problems.append(Problem("fasttrack_competition_exists", "name", params))
    if problems:
        raise Refused(problems)
    competition = Competition(body_id=body.id, created_at=now_utc())
    for name in COMPETITION_FIELDS:
        setattr(competition, name, values[name])
    competition.competition_class = rules.CompetitionClass(values["competition_class"])
    db.session.add(competition)
    db.session.flush()
    audit.record(
        "fasttrack.competition_created",
        object_type="competition",
        object_id=competition.id,
        after=_snapshot(competition, COMPETITION_FIELDS),
    )
    return competition


def add_event(competition: Competition, name: str, occupation_id: int) -> CompetitionEvent:
    """Add an event to a competition, mapped to one of the body's filed occupations."""
    name = " ".join(name.split())
    problems = []
    if db.session.get(BodyOccupation, (competition.body_id, occupation_id)) is None:
        problems.append(Problem("fasttrack_occupation_not_filed", "occupation_id"))
    if any(e.name == name for e in competition.events):
        problems.append(Problem("fasttrack_event_exists", "name", {"name": name}))
    if problems:
        raise Refused(problems)
    event = CompetitionEvent(competition_id=competition.id, name=name, occupation_id=occupation_id)
    db.session.add(event)
    db.session.flush()
    audit.record(
        "fasttrack.event_added",
        object_type="competition",
        object_id=competition.id,
        after={"event_id": event.id, "name": name, "occupation_id": occupation_id},
    )
    return event


def add_result(event: CompetitionEvent, id_number: str, rank: int | None, participant_type: str) -> CompetitionResult:
    """Enter a competitor's rank in an event; the competitor is one of the body's people, found by ID number."""
    problems = []
    number = identity.normalise(id_number or "")
    person = db.session.execute(
        sa.select(Person).where(Person.body_id == event.competition.body_id, Person.id_number == number)
    ).scalar_one_or_none()
    if person is None:
        problems.append(Problem("fasttrack_person_unknown", "id_number"))
    elif any(r.person_id == person.id for r in event.results):
        problems.append(Problem("fasttrack_result_exists", "id_number", {"name": person.name}))
    if rank is None or rank < 1:
        problems.append(Problem("fasttrack_rank_positive", "rank"))
    if problems:
        raise Refused(problems)
    result = CompetitionResult(
        event_id=event.id, person_id=person.id, rank=rank, participant_type=rules.ParticipantType(participant_type)
    )
    db.session.add(result)
    db.session.flush()
    audit.record(
        "fasttrack.result_entered",
        object_type="competition",
        object_id=event.competition_id,
        after={
            "result_id": result.id,
            "event_id": event.id,
            "person": person.id,
            "rank": rank,
            "participant_type": result.participant_type,
        },
    )
    return result


# --- recognition ---------------------------------------------------------------------------------------------------


def current_level(person_id: int, occupation_id: int) -> int | None:
    """The highest level of the person's approved recognitions in the occupation (None: none known)."""
    return db.session.execute(
        sa.select(sa.func.max(Recognition.awarded_ordinal)).where(
            Recognition.person_id == person_id,
            Recognition.occupation_id == occupation_id,
            Recognition.state == DecisionState.APPROVED,
        )
    ).scalar()


def prior_promotions(person_id: int, timezone: str) -> list[rules.Promotion]:
    """The person's competition promotions so far: approved recognitions, dated by their decision day."""
    rows = db.session.execute(
        sa.select(Recognition.decided_at, Recognition.awarded_ordinal).where(
            Recognition.person_id == person_id, Recognition.state == DecisionState.APPROVED
        )
    ).all()
    return [rules.Promotion(local_date(at, timezone), level) for at, level in rows if at is not None]


def evaluate(result: CompetitionResult, body: Body) -> tuple[rules.AwardDecision, int | None]:
    """What the mapping table awards this result today, and the current level it assumed."""
    event, competition = result.event, result.event.competition
    pure = rules.CompetitionResult(
        str(result.person_id),
        rules.Competition(str(competition.id), competition.name, competition.competition_class, competition.held_on),
        result.rank,
        result.participant_type,
    )
    level = current_level(result.person_id, event.occupation_id)
    promotions = prior_promotions(result.person_id, body.timezone)
    decision = rules.award(pure, level, promotions, today(body), table=mapping_table(), policy=policy())
    return decision, level


def propose_recognition(result: CompetitionResult, body: Body) -> Recognition:
    """Propose the level the mapping table awards a result, to be decided by a panel; or refuse with every reason."""
    db.session.execute(lock_for_update(sa.select(Person.id).where(Person.id == result.person_id)))
    if db.session.execute(sa.select(Recognition.id).where(Recognition.result_id == result.id)).first():
        raise Refused("fasttrack_already_proposed")
    pending = db.session.execute(
        sa.select(Recognition.id).where(
            Recognition.person_id == result.person_id, Recognition.state == DecisionState.PROPOSED
        )
    ).scalar()
    if pending is not None:
        raise Refused("fasttrack_pending_proposal", name=result.person.name, id=pending)
    decision, level = evaluate(result, body)
    if not decision.granted:
        raise AwardRefused(decision)
    basis = {
        "row": rules.table_to_json([decision.row])["rows"][0],
        "current_level": level,
        "notes": [{"code": n.code, "params": n.params} for n in decision.notes],
    }
    recognition = Recognition(
        body_id=body.id,
        result_id=result.id,
        person_id=result.person_id,
        occupation_id=result.event.occupation_id,
        awarded_ordinal=decision.awarded_ordinal,
        basis=audit.canonical_json(basis),
        state=DecisionState.PROPOSED,
        created_at=now_utc(),
    )
    db.session.add(recognition)
    db.session.flush()
    audit.record(
        "fasttrack.recognition_proposed",
        object_type="recognition",
        object_id=recognition.id,
        after={"result_id": result.id, "person": result.person_id, "level": decision.awarded_ordinal, **basis},
    )
    return recognition


def basis_notes(recognition: Recognition) -> tuple[dict, list[rules.FastTrackReason]]:
    """The stored basis of a recognition: the mapping row and its notes as reasons to render."""
    basis = json.loads(recognition.basis or "{}")
    notes = [rules.FastTrackReason(n["code"], n.get("params", {})) for n in basis.get("notes", [])]
    return basis.get("row", {}), notes


# --- the mapping table ---------------------------------------------------------------------------------------------


def mapping_record() -> RuleSetRecord | None:
    return db.session.execute(sa.select(RuleSetRecord).where(RuleSetRecord.key == MAPPING_KEY)).scalar_one_or_none()


def mapping_table() -> tuple[rules.MappingRow, ...]:
    """The body-wide mapping table as saved by staff, else the DOMAIN.md default."""
    record = mapping_record()
    if record is None:
        return rules.DEFAULT_TABLE
    table, problems = rules.load_mapping_table(json.loads(record.data), policy())
    # Saved tables were validated; a policy changed since then makes the stored one unusable: refuse nothing silently.
    if table is None:
        raise Refused([Problem("fasttrack_table_invalid", None, {"count": len(problems)})])
    return table


def row_number(path: str, numbers: list[int]) -> int | None:
    if path.startswith("rows[") and "]" in path:
        index = int(path[5 : path.index("]")])
        return numbers[index] if index < len(numbers) else None
    return None


def save_mapping_table(rows: list[tuple[int, dict]], by_user_id: int | None) -> RuleSetRecord:
    """Validate an edited table with the pure loader and store it; every problem is named with its row."""
    if not rows:
        raise Refused("fasttrack_table_empty")
    numbers = [number for number, _ in rows]
    table, problems = rules.load_mapping_table({"rows": [raw for _, raw in rows]}, policy())
    if table is None:
        raise TableRejected([(row_number(p.path, numbers), p) for p in problems])
    record = mapping_record()
    before = json.loads(record.data) if record else rules.table_to_json(rules.DEFAULT_TABLE)
    after = rules.table_to_json(table)
    if record is None:
        record = RuleSetRecord(key=MAPPING_KEY)
        db.session.add(record)
    record.data, record.updated_at, record.updated_by_id = audit.canonical_json(after), now_utc(), by_user_id
    db.session.flush()
    audit.record("fasttrack.mapping_saved", object_type="ruleset", object_id=MAPPING_KEY, before=before, after=after)
    return record


# --- panels ----------------------------------------------------------------------------------------------------------


def vote_on_recognition(recognition: Recognition, member_person_id: int, approve: bool, comment: str) -> panels.Tally:
    """A panel member's vote on a proposed recognition; the panel's decision, once reached, sets its state."""
    db.session.execute(lock_for_update(sa.select(Recognition.id).where(Recognition.id == recognition.id)))
    db.session.refresh(recognition)
    if recognition.state != DecisionState.PROPOSED:
        raise Refused("fasttrack_panel_closed")
    panels.vote(
        "recognition", recognition.id, member_person_id, approve, concerning=recognition.person_id, comment=comment
    )
    tally = panels.tally("recognition", recognition.id)
    if tally.decided is not None:
        recognition.state = DecisionState.APPROVED if tally.decided else DecisionState.REJECTED
        recognition.decided_at = now_utc()
        db.session.flush()
        audit.record(
            "fasttrack.recognition_decided",
            object_type="recognition",
            object_id=recognition.id,
            after={"state": recognition.state, "level": recognition.awarded_ordinal, **vars(tally)},
        )
    return tally


def vote_on_application(
    application: Application, member_person_id: int, approve: bool, comment: str, by_user_id: int
) -> panels.Tally:
    """A panel member's vote on a submitted exceptional-route (破格) application; the decision sets its state."""
    db.session.execute(lock_for_update(sa.select(Application.id).where(Application.id == application.id)))
    db.session.refresh(application)
    if application.route != ApplicationRoute.EXCEPTIONAL or application.state != ApplicationState.SUBMITTED:
        raise Refused("fasttrack_panel_closed")
    panels.vote(
        "application",
        application.id,
        member_person_id,
        approve,
        concerning=application.candidate_person_id,
        comment=comment,
    )
    tally = panels.tally("application", application.id)
    if tally.decided is not None:
        now = now_utc()
        application.state = ApplicationState.APPROVED if tally.decided else ApplicationState.REJECTED
        application.decided_at, application.decided_by_id, application.updated_at = now, by_user_id, now
        details = {"approved": tally.decided, **vars(tally)}
        db.session.add(
            ApplicationEvent(
                application_id=application.id,
                at=now,
                actor_id=by_user_id,
                kind="panel_decision",
                details=audit.canonical_json(details),
            )
        )
        db.session.flush()
        audit.record(
            "fasttrack.application_decided",
            object_type="application",
            object_id=application.id,
            after={"state": application.state, **details},
        )
    return tally


# --- reading a 破格 application ---------------------------------------------------------------------------------------


def achievement_items(application: Application) -> list[dict]:
    """The achievement evidence as a list of objects (a single object, or {"items": […]}, is accepted too)."""
    try:
        data = json.loads(application.achievements or "[]")
    except ValueError:
        return []
    if isinstance(data, dict):
        data = data.get("items", [data])
    return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []


def _achievement(item: dict) -> Achievement | None:
    try:
        obtained = date.fromisoformat(str(item.get("obtained_on")))
        award = AwardClass(item["award_class"]) if item.get("award_class") else None
    except (ValueError, TypeError):
        return None
    return Achievement(obtained, award, bool(item.get("major_technical_problem")), str(item.get("description", "")))


def threshold_verdict(application: Application, body: Body):
    """The 破格 threshold verdict (exceptional_talent without the panel part), or None when the profile is unreadable.

    Returns (decision, threshold reasons, unreadable achievement numbers).
    """
    try:
        profile, _problems = profile_from_json(json.loads(application.profile or "{}"))
    except ValueError:
        return None
    if profile is None:
        return None
    items = achievement_items(application)
    parsed = [_achievement(item) for item in items]
    unreadable = [n for n, a in enumerate(parsed, start=1) if a is None]
    tally = panels.tally("application", application.id)
    decision = exceptional_talent(
        profile,
        [a for a in parsed if a is not None],
        application.level_ordinal,
        Panel(tally.members, tally.approvals),
        today(body),
        routes=exceptional_routes(),
    )
    reasons = [r for r in decision.reasons if not r.code.startswith("panel_")]
    return decision, reasons, unreadable
