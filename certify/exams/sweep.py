"""The auto-submit sweep: close every started attempt whose time is over, under its session's expiry policy.

Exactly once, however many sweepers run: each batch is locked with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL
(a second sweeper takes other rows instead of waiting), and `clocks.close_if_over` closes with a guarded update
(``… WHERE state = 'in_progress'``), which alone makes it once-only on SQLite, where writers queue on the
database lock. Whether an attempt is over is computed from its timestamps (`certify.exams.timing`), so a
sweep that runs late — after downtime, say — records the same submit time (the deadline) as one on time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from certify.core.db import db, dialect_name
from certify.exams import clocks
from certify.exams.models import AttemptState, ExamAttempt, ExamSession

#: attempts examined (and locked) per transaction
BATCH_SIZE = 200


def batch_size() -> int:
    """The configured batch size (config EXAM_SWEEP_BATCH_SIZE), else 200."""
    return max(1, int(current_app.config.get("EXAM_SWEEP_BATCH_SIZE", BATCH_SIZE)))


def _possibly_over(now: datetime) -> sa.ColumnElement[bool]:
    """A cheap SQL bound: only attempts that may be past deadline + tolerance are examined and locked.

    A deadline is never earlier than min(start + duration, window close): multipliers are at least 1 and
    extra minutes, added time and pauses only add. Durations differ per session, so one term per duration.
    """
    tolerance = clocks.timing_policy().save_tolerance
    durations = db.session.execute(
        sa.select(ExamSession.duration_minutes)
        .join(ExamAttempt, ExamAttempt.session_id == ExamSession.id)
        .where(ExamAttempt.state == AttemptState.IN_PROGRESS, ExamAttempt.started_at.is_not(None))
        .distinct()
    ).scalars()
    terms = [ExamSession.closes_at <= now - tolerance]
    terms += [
        sa.and_(
            ExamSession.duration_minutes == minutes,
            ExamAttempt.started_at <= now - tolerance - timedelta(minutes=minutes),
        )
        for minutes in durations
    ]
    return sa.or_(*terms)


def _candidate_ids(now: datetime, after_id: int, limit: int) -> list[int]:
    return list(
        db.session.execute(
            sa.select(ExamAttempt.id)
            .join(ExamSession, ExamAttempt.session_id == ExamSession.id)
            .where(
                ExamAttempt.id > after_id,
                ExamAttempt.state == AttemptState.IN_PROGRESS,
                ExamAttempt.started_at.is_not(None),
                _possibly_over(now),
            )
            .order_by(ExamAttempt.id)
            .limit(limit)
        ).scalars()
    )


def _close_batch(ids: list[int], now: datetime) -> int:
    """Lock the batch's attempts still open (skipping those another sweeper holds) and close those over."""
    stmt = (
        sa.select(ExamAttempt)
        .where(ExamAttempt.id.in_(ids), ExamAttempt.state == AttemptState.IN_PROGRESS)
        .order_by(ExamAttempt.id)
        .options(selectinload(ExamAttempt.pauses), selectinload(ExamAttempt.added_time))
        .execution_options(populate_existing=True)
    )
    if dialect_name() == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True, of=ExamAttempt)
    closed = 0
    for attempt in db.session.execute(stmt).scalars().all():
        closed += clocks.close_if_over(attempt, now, "sweep")
    return closed


def sweep_expired(now: datetime, *, limit: int | None = None, after_batch: Callable[[], object] | None = None) -> int:
    """Close every attempt past deadline + tolerance (auto-submit at the deadline, or abandon); returns how many.

    Works in batches of `limit` (default: the configured batch size); `after_batch` runs after each one —
    the scheduled job passes its commit, so each batch is a transaction and its locks are held briefly.
    Never-started attempts are left alone (absent, not abandoned).
    """
    size = limit or batch_size()
    closed, last_id = 0, 0
    while ids := _candidate_ids(now, last_id, size):
        last_id = ids[-1]
        closed += _close_batch(ids, now)
        if after_batch is not None:
            after_batch()
    return closed
