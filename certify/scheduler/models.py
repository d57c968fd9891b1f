"""What the scheduler has run: one row per job with its last run (the heartbeat shows the scheduler is alive)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from certify.core.db import db
from certify.core.types import UTCDateTime


class SchedulerJobRun(db.Model):
    """The last run of a registered job."""

    __tablename__ = "scheduler_job_runs"

    job_id: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    last_started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: "ok" or "error"
    last_status: Mapped[str] = mapped_column(sa.String(10))
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    runs: Mapped[int] = mapped_column(default=0)
