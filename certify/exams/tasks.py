"""Scheduled jobs of theory exams."""

from __future__ import annotations

from certify.core.clock import now_utc
from certify.core.db import db
from certify.exams import sweep
from certify.scheduler.registry import job


@job("exams.sweep", seconds=30)
def sweep_expired_attempts() -> int:
    """Auto-submit (or abandon) every attempt past its deadline; each batch is its own transaction."""
    # The scheduler runs every job at start too, so attempts that expired while it was down close at once.
    return sweep.sweep_expired(now_utc(), after_batch=db.session.commit)
