"""The invigilator's verbs (TAO's proctoring verbs): check in, authorise start, pause and resume, add time,
breaks, terminate, authorise a move, report an incident. Each one checks, changes, audits who and why, and
flushes; the view commits.

Every verb on a seat first locks the attempt's row (PostgreSQL; SQLite's write lock already serialises
writers), so two invigilators pressing Pause together make one pause, and a verb racing the candidate's submit
or the sweep sees the attempt as it is.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from certify.auth.models import User
from certify.core.clock import now_utc
from certify.core.db import db, lock_for_update
from certify.core.errors import Problem, Refused
from certify.exams import clocks
from certify.exams.messages_invigilate import (
    MAX_ADDED_MINUTES,
    MAX_INCIDENT_TEXT,
    MAX_REASON,
    MIN_ADDED_MINUTES,
    STATUS_LABELS,
)
from certify.exams.models import (
    AttemptAddedTime,
    AttemptPause,
    AttemptState,
    ExamAttempt,
    ExamIncident,
    IncidentCategory,
    PauseKind,
    SessionRoom,
)
from certify.exams.queries_rooms import open_pause, seat_status
from certify.exams.sessions_ops import require_check_in_window
from certify.exams.timing import AttemptPhase, Pause, deadline
from certify.exams.timing_checks import validate_timing
from certify.supervision import audit

#: phases in which the candidate has not finished: the verbs that act on a live attempt need one of these
_LIVE = (AttemptPhase.WAITING, AttemptPhase.NOT_STARTED, AttemptPhase.RUNNING, AttemptPhase.PAUSED)
_PAUSE_PROBLEMS = {"pause_overlaps", "several_open_pauses", "pause_before_start", "pause_ends_before_start"}


def _actor(user: User) -> audit.Actor:
    # The invigilator acts, even when an operation runs inside a command (the demo world) or a test.
    current = audit.current_actor()
    return audit.Actor(user.id, user.username, current.request_id, current.ip)


def _audit(action: str, obj: Any, user: User, *, before=None, after=None, reason=None, kind="exam_attempt") -> None:
    audit.record(
        f"exams.{action}", object_type=kind, object_id=obj.id, before=before, after=after, reason=reason,
        actor=_actor(user),
    )  # fmt: skip


def _lock(attempt: ExamAttempt) -> ExamAttempt:
    """Lock the attempt's row and reload it, so checks see what other writers committed."""
    db.session.execute(lock_for_update(sa.select(ExamAttempt.id).where(ExamAttempt.id == attempt.id)))
    db.session.expire(attempt)
    return attempt


def _status(attempt: ExamAttempt, now: datetime) -> tuple[str, AttemptPhase]:
    return seat_status(attempt, clocks.timing_for(attempt), now)


def _require_open(attempt: ExamAttempt, now: datetime, live=_LIVE) -> AttemptPhase:
    """The attempt's phase, refusing an attempt already closed or out of time."""
    status, phase = _status(attempt, now)
    if attempt.closed:
        raise Refused("invig_attempt_closed", seat=attempt.seat, status=STATUS_LABELS[status])
    if phase not in live:
        raise Refused("invig_time_over", seat=attempt.seat, status=STATUS_LABELS[status])
    return phase


def _reason(reason: str | None, field: str = "reason") -> str:
    text = (reason or "").strip()
    if not 0 < len(text) <= MAX_REASON:
        raise Refused("invig_reason_required", field=field, max=MAX_REASON)
    return text


def check_in(attempt: ExamAttempt, user: User, now: datetime | None = None) -> ExamAttempt:
    """Check a candidate in after the invigilator confirmed their identity."""
    now = now or now_utc()
    _lock(attempt)
    if not attempt.closed and now >= attempt.session.closes_at:
        raise Refused("invig_window_closed", seat=attempt.seat)
    _require_open(attempt, now)
    if attempt.checked_in_at is not None:
        raise Refused("invig_already_checked_in", seat=attempt.seat)
    require_check_in_window(attempt.session, now)
    attempt.checked_in_at, attempt.checked_in_by_id = now, user.id
    db.session.flush()
    _audit("attempt_checked_in", attempt, user, after={"checked_in_at": now, "identity_confirmed": True})
    return attempt


def authorise_room_start(session_room: SessionRoom, user: User, now: datetime | None = None) -> SessionRoom:
    """Let every checked-in candidate of the room press Start (once the window is open)."""
    now = now or now_utc()
    db.session.execute(lock_for_update(sa.select(SessionRoom.id).where(SessionRoom.id == session_room.id)))
    db.session.expire(session_room)
    if session_room.start_authorised_at is not None:
        raise Refused("invig_room_already_authorised")
    if now >= session_room.session.closes_at:
        raise Refused("invig_room_window_closed")
    require_check_in_window(session_room.session, now)
    session_room.start_authorised_at, session_room.start_authorised_by_id = now, user.id
    db.session.flush()
    _audit("room_start_authorised", session_room, user, after={"start_authorised_at": now}, kind="exam_session_room")
    return session_room


def authorise_seat_start(attempt: ExamAttempt, user: User, now: datetime | None = None) -> ExamAttempt:
    """Let one checked-in candidate press Start before (or without) the whole room."""
    now = now or now_utc()
    _lock(attempt)
    _require_open(attempt, now)
    if attempt.started_at is not None:
        raise Refused("invig_already_started", seat=attempt.seat)
    if attempt.start_authorised_at is not None or attempt.session_room.start_authorised_at is not None:
        raise Refused("invig_seat_already_authorised", seat=attempt.seat)
    if attempt.checked_in_at is None:
        raise Refused("invig_not_checked_in", seat=attempt.seat)
    require_check_in_window(attempt.session, now)
    attempt.start_authorised_at = now
    db.session.flush()
    _audit("seat_start_authorised", attempt, user, after={"start_authorised_at": now})
    return attempt


def _new_pause(attempt: ExamAttempt, kind: PauseKind, reason: str, user: User, now: datetime, ends_at=None):
    """Add a pause after checking it against the timing rules (no overlap, breaks within the accommodation)."""
    timing = clocks.timing_for(attempt)
    with_new = replace(timing, pauses=(*timing.pauses, Pause(now, ends_at, kind, reason)))
    # Only what the new pause adds counts: an odd stored history must not block every later pause.
    codes = set(Counter(p.code for p in validate_timing(with_new)) - Counter(p.code for p in validate_timing(timing)))
    if codes & _PAUSE_PROBLEMS:
        raise Refused("invig_pause_overlaps", seat=attempt.seat)
    if "too_many_breaks" in codes:
        raise Refused("invig_breaks_used", seat=attempt.seat, allowed=attempt.breaks_allowed)
    if "break_too_long" in codes:
        raise Refused("invig_break_minutes", field="minutes", seat=attempt.seat, allowed=attempt.break_minutes)
    pause = AttemptPause(attempt_id=attempt.id, kind=kind, starts_at=now, ends_at=ends_at, reason=reason, by_id=user.id)
    db.session.add(pause)
    db.session.flush()
    db.session.expire(attempt, ["pauses"])
    return pause


def _require_running(attempt: ExamAttempt, now: datetime) -> None:
    phase = _require_open(attempt, now)
    if phase is AttemptPhase.PAUSED:
        code = "invig_on_break" if open_pause(attempt, now, PauseKind.BREAK) else "invig_already_paused"
        raise Refused(code, seat=attempt.seat)
    if phase is not AttemptPhase.RUNNING:
        status, _phase = _status(attempt, now)
        raise Refused("invig_not_running", seat=attempt.seat, status=STATUS_LABELS[status])


def pause(attempt: ExamAttempt, user: User, reason: str, now: datetime | None = None) -> AttemptPause:
    """Stop a running attempt's clock until an invigilator resumes it."""
    now = now or now_utc()
    text = _reason(reason)
    _lock(attempt)
    _require_running(attempt, now)
    row = _new_pause(attempt, PauseKind.INVIGILATOR, text, user, now)
    _audit("attempt_paused", attempt, user, after={"pause": row.id, "starts_at": now}, reason=text)
    return row


def resume(attempt: ExamAttempt, user: User, now: datetime | None = None) -> AttemptPause:
    """End the invigilator's pause of an attempt: its clock runs again, the deadline moved by the pause."""
    now = now or now_utc()
    _lock(attempt)
    if attempt.closed:
        status, _phase = _status(attempt, now)
        raise Refused("invig_attempt_closed", seat=attempt.seat, status=STATUS_LABELS[status])
    row = open_pause(attempt, now, PauseKind.INVIGILATOR)
    if row is None:
        code = "invig_on_break" if open_pause(attempt, now, PauseKind.BREAK) else "invig_not_paused"
        raise Refused(code, seat=attempt.seat)
    row.ends_at = now
    db.session.flush()
    db.session.expire(attempt, ["pauses"])
    after = {"pause": row.id, "ends_at": now, "deadline": deadline(clocks.timing_for(attempt), now)}
    _audit("attempt_resumed", attempt, user, after=after)
    return row


def _room_attempts(session_room: SessionRoom) -> list[ExamAttempt]:
    stmt = lock_for_update(
        sa.select(ExamAttempt).where(ExamAttempt.session_room_id == session_room.id).order_by(ExamAttempt.seat)
    )
    return list(db.session.execute(stmt.execution_options(populate_existing=True)).scalars())


def pause_room(session_room: SessionRoom, user: User, reason: str, now: datetime | None = None) -> list[int]:
    """Pause every running seat of the room (seats on a break keep their break); returns the seats paused."""
    now = now or now_utc()
    text = _reason(reason)
    paused = []
    for attempt in _room_attempts(session_room):
        db.session.expire(attempt, ["pauses", "added_time"])
        if attempt.closed or _status(attempt, now)[0] != "in_progress":
            continue
        row = _new_pause(attempt, PauseKind.INVIGILATOR, text, user, now)
        _audit("attempt_paused", attempt, user, after={"pause": row.id, "starts_at": now, "room": True}, reason=text)
        paused.append(attempt.seat)
    if not paused:
        raise Refused("invig_room_none_running")
    return paused


def resume_room(session_room: SessionRoom, user: User, now: datetime | None = None) -> list[int]:
    """Resume every seat of the room paused by an invigilator; returns the seats resumed."""
    now = now or now_utc()
    resumed = []
    for attempt in _room_attempts(session_room):
        db.session.expire(attempt, ["pauses", "added_time"])
        row = None if attempt.closed else open_pause(attempt, now, PauseKind.INVIGILATOR)
        if row is None:
            continue
        row.ends_at = now
        db.session.flush()
        db.session.expire(attempt, ["pauses"])
        after = {"pause": row.id, "ends_at": now, "deadline": deadline(clocks.timing_for(attempt), now), "room": True}
        _audit("attempt_resumed", attempt, user, after=after)
        resumed.append(attempt.seat)
    if not resumed:
        raise Refused("invig_room_none_paused")
    return resumed


def _minutes(minutes: Any, low: int, high: int) -> int:
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not low <= minutes <= high:
        raise Refused("invig_minutes_range", field="minutes", low=low, high=high)
    return minutes


def add_time(attempt: ExamAttempt, minutes: int, reason: str, user: User, now: datetime | None = None):
    """Give one seat more time (1–120 minutes, with the reason); never past the session window."""
    now = now or now_utc()
    minutes = _minutes(minutes, MIN_ADDED_MINUTES, MAX_ADDED_MINUTES)
    text = _reason(reason)
    _lock(attempt)
    # Within the save tolerance time may still be added (the candidate's last minute was lost, say).
    _require_open(attempt, now, (*_LIVE, AttemptPhase.IN_TOLERANCE))
    timing = clocks.timing_for(attempt)
    before = deadline(timing, now)
    if before is not None and before >= attempt.session.closes_at:
        raise Refused("invig_window_caps", seat=attempt.seat)
    row = AttemptAddedTime(attempt_id=attempt.id, minutes=minutes, reason=text, added_at=now, added_by_id=user.id)
    db.session.add(row)
    db.session.flush()
    db.session.expire(attempt, ["added_time"])
    after = {"minutes": minutes, "deadline": deadline(clocks.timing_for(attempt), now)}
    _audit("time_added", attempt, user, before={"deadline": before}, after=after, reason=text)
    return row


def terminate(attempt: ExamAttempt, reason: str, user: User, now: datetime | None = None) -> ExamAttempt:
    """End a candidate's attempt for good, with the reason on record (a guarded close: once only)."""
    now = now or now_utc()
    text = _reason(reason)
    _lock(attempt)
    _require_open(attempt, now)
    if not clocks.mark_closed(attempt, AttemptState.TERMINATED, None, now):
        status, _phase = _status(attempt, now)
        raise Refused("invig_attempt_closed", seat=attempt.seat, status=STATUS_LABELS[status])
    attempt.terminated_at, attempt.terminated_reason = now, text
    db.session.flush()
    _audit("attempt_terminated", attempt, user, after={"state": AttemptState.TERMINATED, "at": now}, reason=text)
    return attempt


def authorise_move(attempt: ExamAttempt, user: User, now: datetime | None = None) -> ExamAttempt:
    """Let the next page that opens this attempt (on another computer) take over; the old page stops saving."""
    now = now or now_utc()
    _lock(attempt)
    _require_open(attempt, now)
    if attempt.client_token is None:
        raise Refused("invig_move_no_page", seat=attempt.seat)
    attempt.move_authorised_at = now
    db.session.flush()
    _audit("move_authorised", attempt, user, after={"move_authorised_at": now})
    return attempt


def report_incident(
    session_room: SessionRoom,
    category: IncidentCategory | str | None,
    text: str | None,
    attempt: ExamAttempt | int | str | None,
    user: User,
    now: datetime | None = None,
) -> ExamIncident:
    """Record an incident in the room (考场记录), optionally about one candidate (an attempt or its id)."""
    now = now or now_utc()
    problems = []
    try:
        kind = IncidentCategory(category)
    except ValueError:
        kind = None
        problems.append(("invig_incident_category", "category", {}))
    body = (text or "").strip()
    if not 0 < len(body) <= MAX_INCIDENT_TEXT:
        problems.append(("invig_incident_text", "text", {"max": MAX_INCIDENT_TEXT}))
    if not isinstance(attempt, ExamAttempt | None):
        # An id from the form: an unknown id is refused as a seat of another room is.
        ref = str(attempt).strip()
        found = db.session.get(ExamAttempt, int(ref)) if ref.isascii() and ref.isdigit() and len(ref) < 12 else None
        if ref and found is None:
            problems.append(("invig_incident_seat", "attempt", {}))
        attempt = found
    if attempt is not None and attempt.session_room_id != session_room.id:
        problems.append(("invig_incident_seat", "attempt", {}))
    if problems:
        raise Refused([Problem(code, where, params) for code, where, params in problems])
    incident = ExamIncident(
        session_room_id=session_room.id, attempt_id=attempt.id if attempt else None, category=kind, text=body,
        reported_at=now, reported_by_id=user.id,
    )  # fmt: skip
    db.session.add(incident)
    db.session.flush()
    after = {"category": kind, "attempt": attempt.id if attempt else None, "room": session_room.id}
    _audit("incident_reported", incident, user, after=after, reason=body, kind="exam_incident")
    return incident


def start_break(attempt: ExamAttempt, user: User, minutes: int | None = None, now: datetime | None = None):
    """Start an accommodation break: the clock stops for at most the break's minutes, then runs again by itself."""
    now = now or now_utc()
    _lock(attempt)
    if attempt.breaks_allowed <= 0 or attempt.break_minutes <= 0:
        raise Refused("invig_no_breaks", seat=attempt.seat)
    length = attempt.break_minutes if minutes is None else minutes
    if isinstance(length, bool) or not isinstance(length, int) or not 0 < length <= attempt.break_minutes:
        raise Refused("invig_break_minutes", field="minutes", seat=attempt.seat, allowed=attempt.break_minutes)
    _require_running(attempt, now)
    # The planned end is stored: a candidate who does not come back does not stop the clock for ever.
    row = _new_pause(attempt, PauseKind.BREAK, "", user, now, ends_at=now + timedelta(minutes=length))
    _audit("break_started", attempt, user, after={"pause": row.id, "starts_at": now, "planned_end": row.ends_at})
    return row


def end_break(attempt: ExamAttempt, user: User, now: datetime | None = None) -> AttemptPause:
    """End a break early: the candidate is back and the clock runs again."""
    now = now or now_utc()
    _lock(attempt)
    row = None if attempt.closed else open_pause(attempt, now, PauseKind.BREAK)
    if row is None:
        raise Refused("invig_not_on_break", seat=attempt.seat)
    row.ends_at = now
    db.session.flush()
    db.session.expire(attempt, ["pauses"])
    _audit("break_ended", attempt, user, after={"pause": row.id, "ends_at": now})
    return row
