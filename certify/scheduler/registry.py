"""The job registry: domains register scheduled jobs here; only `flask scheduler run` starts them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Job:
    """A scheduled job: an idempotent function, run every `seconds` seconds (and once at start, to catch up)."""

    id: str
    func: Callable[[], object]
    seconds: int


JOBS: dict[str, Job] = {}


def job(job_id: str, *, seconds: int) -> Callable:
    """Register `func` as a job that runs every `seconds` seconds."""

    def decorator(func: Callable[[], object]) -> Callable[[], object]:
        if job_id in JOBS and JOBS[job_id].func is not func:
            raise ValueError(f"job {job_id!r} registered twice")
        JOBS[job_id] = Job(job_id, func, seconds)
        return func

    return decorator


def load_jobs() -> dict[str, Job]:
    """Import every domain's tasks module so its jobs register themselves."""
    from certify.applications import tasks as _applications_tasks  # noqa: F401
    from certify.exams import tasks as _exams_tasks  # noqa: F401
    from certify.scheduler import tasks as _scheduler_tasks  # noqa: F401

    return JOBS
