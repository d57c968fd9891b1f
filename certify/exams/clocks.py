"""An attempt's clock as stored, and closing an attempt exactly once.

`timing_for` turns the stored rows into the pure `ExamTiming`; `close_if_over` applies the expiry policy with a
guarded update (``… WHERE state = 'in_progress'``), so that the candidate's submit, the sweep, a read of an
expired attempt and an invigilator's terminate can race and still close an attempt once, with one audit entry.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from certify.core.db import db
from certify.exams.models import AttemptState, ExamAttempt
from certify.exams.saving import ExpiryKind, expiry_outcome
from certify.exams.timing import Accommodation, AddedTime, ExamTiming, Pause, TimingPolicy
from certify.supervision import audit


def timing_policy() -> TimingPolicy:
    """The configured save tolerance (CERTIFY_EXAM_SAVE_TOLERANCE_SECONDS) and minimum duration."""
    config = current_app.config
    return TimingPolicy(
        save_tolerance=timedelta(seconds=int(config.get("EXAM_SAVE_TOLERANCE_SECONDS", 60))),
        min_duration=timedelta(minutes=int(config.get("EXAM_MIN_DURATION_MINUTES", 90))),
    )


def timing_for(attempt: ExamAttempt, policy: TimingPolicy | None = None) -> ExamTiming:
    """The pure timing inputs of a stored attempt (its session's window, its accommodation, pauses, added time)."""
    session = attempt.session
    return ExamTiming(
        window_opens=session.opens_at,
        window_closes=session.closes_at,
        duration=session.duration,
        accommodation=Accommodation(
            time_multiplier=attempt.time_multiplier,
            extra_minutes=attempt.extra_minutes,
            breaks=attempt.breaks_allowed,
            break_minutes=attempt.break_minutes,
        ),
        added_time=tuple(
            AddedTime(a.minutes, a.reason, str(a.added_by_id or ""), a.added_at) for a in attempt.added_time
        ),
        pauses=tuple(Pause(p.starts_at, p.ends_at, p.kind, p.reason) for p in attempt.pauses),
        started_at=attempt.started_at,
        submitted_at=attempt.submitted_at,
        terminated_at=attempt.terminated_at,
        expiry=session.expiry_policy,
        grace=timedelta(minutes=session.grace_minutes),
        policy=policy or timing_policy(),
    )


def mark_closed(attempt: ExamAttempt, state: AttemptState, submitted_at: datetime | None, now: datetime) -> bool:
    """Close an open attempt with a guarded update; False (and nothing written) when it was already closed."""
    values = {"state": state, "submitted_at": submitted_at, "closed_at": now}
    result = db.session.execute(
        sa.update(ExamAttempt)
        .where(ExamAttempt.id == attempt.id, ExamAttempt.state == AttemptState.IN_PROGRESS)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(attempt)
        return False
    db.session.refresh(attempt)
    if submitted_at is not None:
        from certify.exams import marking_ops

        marking_ops.score_objective(attempt)
    return True


_CLOSING = {
    ExpiryKind.AUTO_SUBMITTED: AttemptState.AUTO_SUBMITTED,
    ExpiryKind.ABANDONED: AttemptState.ABANDONED,
}


def close_if_over(attempt: ExamAttempt, now: datetime, by: str = "read") -> bool:
    """Close an attempt whose time is over under its expiry policy (auto-submit at the deadline, or abandon).

    Returns True when this call closed it. A never-started attempt is left open (absent, not abandoned): only a
    started attempt can be submitted. `by` says who noticed (read, sweep) in the audit entry.
    """
    if attempt.closed or attempt.started_at is None:
        return False
    outcome = expiry_outcome(timing_for(attempt), now)
    if not outcome.final or outcome.kind not in _CLOSING:
        return False
    state = _CLOSING[outcome.kind]
    if not mark_closed(attempt, state, outcome.submitted_at, now):
        return False
    audit.record(
        f"exams.attempt_{state.value}",
        object_type="exam_attempt",
        object_id=attempt.id,
        after={"state": state, "submitted_at": outcome.submitted_at, "closed_by": by},
    )
    return True
