"""The candidate's own exam verbs: check in with the ticket number and room code, Start, open the exam page (one
active page per attempt; another computer takes over only after the invigilator authorised the move), submit,
and closing an expired attempt when it is read. Saving answers is `certify.exams.answers_ops.save_answers`.

Each verb locks the attempt's row first, so a double click, two tabs, the invigilator's console and the sweep
see the attempt as it is. Start, submit and take-over are audited; check-in is audited, wrong tries too.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from certify.auth import throttle
from certify.auth.models import LoginThrottle
from certify.core.db import db
from certify.core.errors import Problem, Refused
from certify.exams import clocks
from certify.exams import messages_take as _messages  # noqa: F401  (registers the messages)
from certify.exams.answers_ops import check_client_token, lock_attempt
from certify.exams.messages_take import STATE_LABELS, from_reason
from certify.exams.models import AttemptState, ExamAttempt
from certify.exams.presenting import is_answered
from certify.exams.queries_attempts import is_over, page_state, start_authorised
from certify.exams.saving import can_submit
from certify.exams.timing import StartDecision
from certify.supervision import audit

#: wrong check-in tries: free failures, the first wait and its cap (seconds); config EXAM_CHECKIN_THROTTLE
CHECKIN_THROTTLE = (3, 30, 600)
#: a quiet hour forgets the wrong tries
CHECKIN_THROTTLE_WINDOW = timedelta(hours=1)


class CheckInFailed(Refused):
    """A wrong ticket number or room code: the failure was counted (commit it), nothing else changed."""


def _record(action: str, attempt: ExamAttempt, *, before: Any = None, after: Any = None) -> None:
    audit.record(f"exams.{action}", object_type="exam_attempt", object_id=attempt.id, before=before, after=after)


def _throttle_key(attempt: ExamAttempt) -> str:
    return f"exam_checkin:{attempt.id}"


def _normalised_code(text: str) -> str:
    return "".join(text.split()).upper()


def self_check_in(attempt: ExamAttempt, ticket_number: Any, room_code: Any, now: datetime) -> None:
    """Check the candidate in with their ticket number and the room code the invigilator shows (throttled)."""
    ticket = ("" if ticket_number is None else str(ticket_number)).strip()
    code = _normalised_code("" if room_code is None else str(room_code))
    problems = []
    if not ticket:
        problems.append(Problem("exam_ticket_required", "ticket_number"))
    if not code:
        problems.append(Problem("exam_room_code_required", "room_code"))
    if problems:
        raise Refused(problems)
    lock_attempt(attempt)
    if attempt.checked_in_at is not None:
        return
    if attempt.closed or now >= attempt.session.closes_at:
        raise Refused("exam_checkin_closed")
    from certify.exams.sessions_ops import require_check_in_window  # local: the lead may move it to the top

    require_check_in_window(attempt.session, now)
    key = _throttle_key(attempt)
    row = db.session.execute(sa.select(LoginThrottle).where(LoginThrottle.key == key).with_for_update()).scalar()
    counter = None if row is None else throttle.Counter(row.failures, row.last_failure_at, row.blocked_until)
    wait = throttle.retry_after(counter, now)
    if wait:
        raise Refused("exam_checkin_throttled", seconds=wait)
    if not secrets.compare_digest(ticket.encode(), attempt.ticket_number.encode()):
        problems.append(Problem("exam_ticket_wrong", "ticket_number"))
    if not secrets.compare_digest(code.encode(), _normalised_code(attempt.session_room.room_code).encode()):
        problems.append(Problem("exam_room_code_wrong", "room_code"))
    if problems:
        policy = throttle.ThrottlePolicy(*current_app.config.get("EXAM_CHECKIN_THROTTLE", CHECKIN_THROTTLE))
        updated = throttle.after_failure(counter, policy, now, CHECKIN_THROTTLE_WINDOW)
        row = row or LoginThrottle(key=key)
        row.failures, row.last_failure_at, row.blocked_until = (
            updated.failures, updated.last_failure_at, updated.blocked_until
        )  # fmt: skip
        db.session.add(row)
        _record("checkin_failed", attempt, after={"failures": updated.failures, "wrong": [p.field for p in problems]})
        db.session.flush()
        raise CheckInFailed(problems)
    if row is not None:
        db.session.delete(row)
    attempt.checked_in_at, attempt.checked_in_by_id = now, None
    db.session.flush()
    _record("attempt_checked_in", attempt, after={"checked_in_at": now, "by": "room_code"})


def start_problems(attempt: ExamAttempt, now: datetime) -> tuple[list[Problem], StartDecision]:
    """Every reason the candidate cannot press Start now (empty when they can), and the timing decision."""
    decision = page_state(attempt, now).start
    problems = []
    if attempt.checked_in_at is None:
        problems.append(Problem("exam_not_checked_in", "checked_in_at"))
    if not start_authorised(attempt):
        problems.append(Problem("exam_start_not_authorised", "start_authorised_at"))
    if attempt.paper_id is None or attempt.candidate_seed is None:
        problems.append(Problem("exam_no_paper", "paper_id"))
    problems += [from_reason(reason) for reason in decision.reasons]
    return problems, decision


def _take_over(attempt: ExamAttempt, token: str, now: datetime) -> None:
    moved_at = attempt.move_authorised_at
    attempt.client_token, attempt.client_seen_at, attempt.move_authorised_at = token, now, None
    db.session.flush()
    _record("attempt_taken_over", attempt, after={"move_authorised_at": moved_at, "opened_at": now})


def start_attempt(attempt: ExamAttempt, client_token: Any, now: datetime) -> StartDecision:
    """Press Start: record the server's time as started_at (the paper exists already); every reason if not."""
    token = check_client_token(client_token)
    lock_attempt(attempt)
    problems, decision = start_problems(attempt, now)
    elsewhere = attempt.client_token not in (None, token) and attempt.move_authorised_at is None
    if elsewhere:
        problems.append(Problem("exam_page_elsewhere", "client_token"))
    if problems:
        raise Refused(problems)
    if attempt.client_token not in (None, token):
        _take_over(attempt, token, now)
    attempt.started_at, attempt.client_token, attempt.client_seen_at = now, token, now
    db.session.flush()
    db.session.expire(attempt, ["pauses", "added_time"])
    state = page_state(attempt, now)
    _record(
        "attempt_started",
        attempt,
        after={
            "started_at": now,
            "deadline": state.deadline,
            "available_minutes": int(decision.available.total_seconds() // 60),
            "late_start": decision.notice is not None,
        },
    )
    return decision


def claim_page(attempt: ExamAttempt, client_token: Any, now: datetime) -> str:
    """Open the exam on this page: "owner" (first page or a reload), "took_over" (a move the invigilator
    authorised) or "closed"; another page without that authorisation is refused."""
    token = check_client_token(client_token)
    lock_attempt(attempt)
    if attempt.closed:
        return "closed"
    if attempt.client_token in (None, token):
        attempt.client_token, attempt.client_seen_at = token, now
        db.session.flush()
        return "owner"
    if attempt.move_authorised_at is None:
        raise Refused("exam_page_elsewhere", field="client_token")
    _take_over(attempt, token, now)
    return "took_over"


def submit_attempt(attempt: ExamAttempt, client_token: Any, now: datetime) -> None:
    """Hand in the attempt at the server's time (within deadline + tolerance, or the grace period); never twice."""
    token = check_client_token(client_token)
    lock_attempt(attempt)
    if attempt.client_token not in (None, token):
        raise Refused("exam_page_taken_over", field="client_token")
    if attempt.closed:
        raise Refused("exam_attempt_closed", state=STATE_LABELS[attempt.state])
    decision = can_submit(clocks.timing_for(attempt), now)
    if not decision.allowed:
        raise Refused([from_reason(reason) for reason in decision.reasons])
    if not clocks.mark_closed(attempt, AttemptState.SUBMITTED, now, now):
        raise Refused("exam_attempt_closed", state=STATE_LABELS[attempt.state])
    answered = sum(1 for a in attempt.answers if is_answered(a.response()))
    _record(
        "attempt_submitted", attempt, after={"state": AttemptState.SUBMITTED, "submitted_at": now, "answered": answered}
    )


def close_on_read(attempt: ExamAttempt, now: datetime) -> bool:
    """Close an attempt whose time is over for good when someone reads it (True when this call closed it)."""
    if not is_over(attempt, now):
        return False
    return clocks.close_if_over(attempt, now, "read")
