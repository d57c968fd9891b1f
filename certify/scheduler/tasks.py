"""The scheduler's own job: a heartbeat that shows it is alive."""

from __future__ import annotations

from certify.scheduler.registry import job


@job("heartbeat", seconds=60)
def heartbeat() -> None:
    """Nothing to do: running records the scheduler's last sign of life in scheduler_job_runs."""
