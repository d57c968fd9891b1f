"""Reads of the invigilator console: whose rooms these are, and each seat's status and clock as of `now`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from certify.auth.models import Role, User
from certify.core.db import db
from certify.exams import clocks
from certify.exams.models import (
    AttemptPause,
    AttemptState,
    ExamAttempt,
    ExamSession,
    PauseKind,
    RoomInvigilator,
    SessionRoom,
)
from certify.exams.timing import AttemptPhase, ExamTiming, deadline, remaining, state

#: finished sessions listed after the current ones (the newest first)
PAST_ROOMS_SHOWN = 50
#: a running seat whose page has not been heard from for this long is flagged on the console
STALE_AFTER = timedelta(seconds=90)

_CLOSED = {
    AttemptState.SUBMITTED: "submitted",
    AttemptState.AUTO_SUBMITTED: "auto_submitted",
    AttemptState.ABANDONED: "abandoned",
    AttemptState.TERMINATED: "terminated",
}


@dataclass(frozen=True)
class SeatView:
    """One seat of a room as the console shows it at one moment."""

    attempt: ExamAttempt
    status: str  #: a key of messages_invigilate.STATUS_LABELS
    phase: AttemptPhase
    remaining: timedelta | None  #: None once the attempt is over
    counting: bool  #: the clock is running down now (not paused, not over)
    deadline: datetime | None
    last_seen: datetime | None  #: the newest save or sign of life of the candidate's page
    start_authorised: bool
    breaks_taken: int
    stale: bool  #: running, yet nothing heard from the candidate's page for STALE_AFTER

    @property
    def closed(self) -> bool:
        return self.attempt.closed


def is_room_invigilator(session_room: SessionRoom, user: User) -> bool:
    """Whether `user` is assigned to invigilate this room (assignment, not role, gives the verbs)."""
    if user.person_id is None or not user.has_role(Role.INVIGILATOR):
        return False
    found = db.session.execute(
        sa.select(RoomInvigilator.id).where(
            RoomInvigilator.session_room_id == session_room.id, RoomInvigilator.person_id == user.person_id
        )
    ).first()
    return found is not None


def may_observe(session_room: SessionRoom, user: User) -> bool:
    """A supervisor of the session's body watches every room of it, read-only."""
    return user.has_role(Role.SUPERVISOR) and user.body_id is not None and user.body_id == session_room.session.body_id


def rooms_for(user: User, now: datetime, timezone: str = "Asia/Shanghai") -> list[SessionRoom]:
    """The rooms `user` invigilates or supervises: today's and upcoming first (soonest first), then past ones."""
    reach = []
    if user.person_id is not None and user.has_role(Role.INVIGILATOR):
        mine = sa.select(RoomInvigilator.session_room_id).where(RoomInvigilator.person_id == user.person_id)
        reach.append(SessionRoom.id.in_(mine))
    if user.has_role(Role.SUPERVISOR) and user.body_id is not None:
        reach.append(ExamSession.body_id == user.body_id)
    if not reach:
        return []
    zone = ZoneInfo(timezone)
    today = datetime.combine(now.astimezone(zone).date(), time(), tzinfo=zone)
    base = (
        sa.select(SessionRoom)
        .join(ExamSession, SessionRoom.session_id == ExamSession.id)
        .where(sa.or_(*reach))
        .options(selectinload(SessionRoom.session), selectinload(SessionRoom.room))
    )
    current = db.session.execute(
        base.where(ExamSession.closes_at >= today).order_by(ExamSession.opens_at, SessionRoom.id)
    ).scalars()
    past = db.session.execute(
        base.where(ExamSession.closes_at < today)
        .order_by(ExamSession.opens_at.desc(), SessionRoom.id)
        .limit(PAST_ROOMS_SHOWN)
    ).scalars()
    return [*current, *past]


def open_pause(attempt: ExamAttempt, now: datetime, kind: PauseKind | None = None) -> AttemptPause | None:
    """The pause or break in force at `now` (a break may carry its planned end), if any."""
    for pause in attempt.pauses:
        in_force = pause.starts_at <= now and (pause.ends_at is None or now < pause.ends_at)
        if in_force and (kind is None or pause.kind is kind):
            return pause
    return None


def seat_status(attempt: ExamAttempt, timing: ExamTiming, now: datetime) -> tuple[str, AttemptPhase]:
    """The console's status key of a seat, and the timing phase it comes from."""
    phase = state(timing, now)
    if attempt.state in _CLOSED:
        return _CLOSED[attempt.state], phase
    if attempt.started_at is None:
        if phase is AttemptPhase.EXPIRED:
            return "window_closed", phase
        return ("checked_in" if attempt.checked_in_at else "not_arrived"), phase
    if phase is AttemptPhase.RUNNING:
        return "in_progress", phase
    if phase is AttemptPhase.PAUSED:
        on_break = open_pause(attempt, now, PauseKind.BREAK) is not None
        return ("on_break" if on_break else "paused"), phase
    return "time_over", phase


def seat_view(attempt: ExamAttempt, now: datetime) -> SeatView:
    """A seat's status, remaining time (server-computed) and last sign of life at `now`."""
    timing = clocks.timing_for(attempt)
    status, phase = seat_status(attempt, timing, now)
    over = attempt.closed or phase in (AttemptPhase.IN_TOLERANCE, AttemptPhase.OVERDUE, AttemptPhase.EXPIRED)
    seen = [t for t in (attempt.last_saved_at, attempt.client_seen_at) if t is not None]
    counting = phase is AttemptPhase.RUNNING and not attempt.closed
    heard = max(seen) if seen else attempt.started_at
    return SeatView(
        attempt=attempt,
        status=status,
        phase=phase,
        remaining=None if over else remaining(timing, now),
        counting=counting,
        deadline=None if attempt.started_at is None else deadline(timing, now),
        last_seen=max(seen) if seen else None,
        start_authorised=attempt.start_authorised_at is not None
        or attempt.session_room.start_authorised_at is not None,
        breaks_taken=sum(p.kind is PauseKind.BREAK for p in attempt.pauses),
        stale=counting and heard is not None and now - heard > STALE_AFTER,
    )


def room_seats(session_room: SessionRoom, now: datetime) -> list[SeatView]:
    """Every seat of the room in seat order, loaded in a few queries."""
    attempts = db.session.execute(
        sa.select(ExamAttempt)
        .where(ExamAttempt.session_room_id == session_room.id)
        .order_by(ExamAttempt.seat)
        .options(
            selectinload(ExamAttempt.candidate),
            selectinload(ExamAttempt.pauses),
            selectinload(ExamAttempt.added_time),
        )
    ).scalars()
    return [seat_view(attempt, now) for attempt in attempts]


def status_counts(seats: list[SeatView]) -> dict[str, int]:
    """How many seats are in each status (for the room's summary line)."""
    counts: dict[str, int] = {}
    for seat in seats:
        counts[seat.status] = counts.get(seat.status, 0) + 1
    return counts
