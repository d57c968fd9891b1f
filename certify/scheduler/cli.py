"""`flask scheduler run`: the single scheduler process (never started by web workers)."""

from __future__ import annotations

import contextlib
import sys
from datetime import timedelta

import click
from flask import current_app
from flask.cli import with_appcontext

from certify.core.clock import now_utc
from certify.scheduler.registry import load_jobs
from certify.scheduler.runner import SchedulerLocked, run_job, scheduler_lock


@click.group("scheduler", help="The job scheduler.")
def scheduler_cli() -> None:
    pass


@scheduler_cli.command("run")
@click.option("--once", is_flag=True, help="Run every job once, then exit (for operators and tests).")
@with_appcontext
def run_command(once: bool) -> None:
    """Run the scheduler: every registered job at start (catch-up) and then on its interval."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    app = current_app._get_current_object()
    jobs = load_jobs()
    try:
        with scheduler_lock(app):
            if once:
                results = {job.id: run_job(app, job) for job in jobs.values()}
                for job_id, ok in results.items():
                    click.echo(f"{job_id}: {'ok' if ok else 'error'}")
                sys.exit(0 if all(results.values()) else 1)
            scheduler = BlockingScheduler(timezone="UTC")
            start = now_utc()
            for job in jobs.values():
                # First run right away so that anything missed while no scheduler ran catches up on start.
                scheduler.add_job(
                    run_job,
                    "interval",
                    args=(app, job),
                    id=job.id,
                    seconds=job.seconds,
                    next_run_time=start + timedelta(milliseconds=100),
                    coalesce=True,
                    max_instances=1,
                    misfire_grace_time=job.seconds,
                )
            click.echo(f"scheduler running {len(jobs)} job(s): {', '.join(sorted(jobs))}")
            with contextlib.suppress(KeyboardInterrupt, SystemExit):
                scheduler.start()
    except SchedulerLocked as locked:
        click.echo(f"refusing to start: {locked}", err=True)
        sys.exit(2)
