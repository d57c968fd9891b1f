"""The ban list: add a ban (ends on a date, or permanent), lift it with a reason; and the bans in force on a day,
as the pure dataclasses the eligibility evaluation reads."""

from __future__ import annotations

import enum
from datetime import date

import sqlalchemy as sa
from flask import current_app

from certify.applications.models import Ban
from certify.core.clock import now_utc
from certify.core.db import db
from certify.core.errors import Problem, Refused
from certify.institutions.models import Body, Person
from certify.ladder import eligibility_relaxations as pure
from certify.ladder.eligibility_durations import add_years
from certify.ladder.eligibility_relaxations import SanctionTier
from certify.supervision import audit

#: The pure Ban needs an end date; a permanent ban ends on the last day whose next day still exists (the verdict
#: computes "may apply again from" as the day after, and date.max has no day after).
PERMANENT_UNTIL = date(9999, 12, 30)
#: seed policy (DOMAIN.md "Integrity"): falsified applications are barred for 3 years; BAN_DEFAULT_YEARS overrides
DEFAULT_BAN_YEARS = 3


class BanState(enum.StrEnum):
    """Where a ban stands on a day (computed, never stored)."""

    ACTIVE = "active"
    UPCOMING = "upcoming"
    ENDED = "ended"
    LIFTED = "lifted"


def ban_state(ban: Ban, today: date) -> BanState:
    """Lifted, ended (its last day has passed), upcoming (starts later) or active."""
    if ban.lifted_at is not None:
        return BanState.LIFTED
    if ban.ends_on is not None and ban.ends_on < today:
        return BanState.ENDED
    if ban.starts_on > today:
        return BanState.UPCOMING
    return BanState.ACTIVE


def default_end(today: date) -> date:
    """The end offered for a multi-year ban: the configured years (3 by the seed policy) from today."""
    return add_years(today, int(current_app.config.get("BAN_DEFAULT_YEARS", DEFAULT_BAN_YEARS)))


def person_by_id_number(body: Body, id_number: str, field: str = "id_number") -> Person:
    """One of the body's people by ID number (spaces ignored, letters upper-case), or a refusal naming the field."""
    number = "".join((id_number or "").split()).upper()
    person = db.session.execute(
        sa.select(Person).where(Person.body_id == body.id, Person.id_number == number)
    ).scalar_one_or_none()
    if person is None:
        raise Refused([Problem("admin4_person_not_found", field, {"id_number": number or "—"})])
    return person


def _snapshot(ban: Ban) -> dict:
    return {
        "person_id": ban.person_id,
        "starts_on": ban.starts_on,
        "ends_on": ban.ends_on,
        "permanent": ban.ends_on is None,
        "tier": ban.tier,
        "reason": ban.reason,
    }


def add_ban(
    body: Body,
    id_number: str,
    *,
    starts_on: date | None,
    ends_on: date | None,
    permanent: bool,
    tier: SanctionTier | str,
    reason: str,
    today: date,
    by_id: int | None,
) -> Ban:
    """Put one of the body's people on the ban list; every problem at once."""
    problems: list[Problem] = []
    person = None
    try:
        person = person_by_id_number(body, id_number)
    except Refused as refused:
        problems += refused.problems
    starts_on = starts_on or today
    if permanent and ends_on is not None:
        problems.append(Problem("admin4_ban_permanent_with_end", "ends_on"))
    elif not permanent and ends_on is None:
        problems.append(Problem("admin4_ban_end_required", "ends_on"))
    elif ends_on is not None and ends_on < starts_on:
        problems.append(Problem("admin4_ban_ends_before_start", "ends_on"))
    if not (reason or "").strip():
        problems.append(Problem("admin4_reason_required", "reason"))
    if problems:
        raise Refused(problems)
    ban = Ban(
        person_id=person.id,
        starts_on=starts_on,
        ends_on=None if permanent else ends_on,
        tier=SanctionTier(tier),
        reason=reason.strip(),
        created_at=now_utc(),
        created_by_id=by_id,
    )
    db.session.add(ban)
    db.session.flush()
    audit.record("applications.ban_added", object_type="ban", object_id=ban.id, after=_snapshot(ban))
    return ban


def lift_ban(ban: Ban, reason: str) -> None:
    """End a ban early (recorded in error, or overturned); it stays on the list as lifted."""
    problems = []
    if ban.lifted_at is not None:
        problems.append(Problem("admin4_ban_already_lifted", None))
    if not (reason or "").strip():
        problems.append(Problem("admin4_reason_required", "reason"))
    if problems:
        raise Refused(problems)
    ban.lifted_at, ban.lifted_reason = now_utc(), reason.strip()
    db.session.flush()
    audit.record(
        "applications.ban_lifted", object_type="ban", object_id=ban.id, before=_snapshot(ban), reason=reason.strip()
    )


def active_bans(person_id: int, today: date) -> list[pure.Ban]:
    """The person's bans in force on `today` (not lifted; start and end inclusive), for eligibility evaluation."""
    rows = db.session.execute(
        sa.select(Ban)
        .where(
            Ban.person_id == person_id,
            Ban.lifted_at.is_(None),
            Ban.starts_on <= today,
            sa.or_(Ban.ends_on.is_(None), Ban.ends_on >= today),
        )
        .order_by(Ban.id)
    ).scalars()
    return [pure.Ban(row.ends_on or PERMANENT_UNTIL, row.reason, row.tier, row.starts_on) for row in rows]


def bans_of_body(body_id: int, state: str, today: date) -> list[tuple[Ban, BanState]]:
    """The bans of the body's people with their state, filtered by state ("" or "all" = every ban)."""
    rows = (
        db.session.execute(
            sa.select(Ban)
            .join(Person, Person.id == Ban.person_id)
            .where(Person.body_id == body_id)
            .order_by(Ban.starts_on.desc(), Ban.id.desc())
            .limit(1000)
        )
        .scalars()
        .all()
    )
    stated = [(row, ban_state(row, today)) for row in rows]
    if state == BanState.ACTIVE:
        return [(r, s) for r, s in stated if s in (BanState.ACTIVE, BanState.UPCOMING)]
    if state in (BanState.ENDED, BanState.LIFTED):
        return [(r, s) for r, s in stated if s == state]
    return stated
