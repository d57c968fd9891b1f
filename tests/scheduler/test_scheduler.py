"""The scheduler: jobs from a registry, each run recorded, and a lock that refuses a second scheduler."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from certify.core.db import db
from certify.scheduler.models import SchedulerJobRun
from certify.scheduler.registry import JOBS, load_jobs

ROOT = Path(__file__).resolve().parents[2]


def test_the_heartbeat_is_registered():
    assert "heartbeat" in load_jobs()
    assert JOBS["heartbeat"].seconds > 0


def test_run_once_records_each_job(cli):
    result = cli.invoke(args=["scheduler", "run", "--once"])
    assert result.exit_code == 0, result.output
    row = db.session.get(SchedulerJobRun, "heartbeat")
    assert row.last_status == "ok" and row.runs == 1 and row.last_finished_at >= row.last_started_at
    cli.invoke(args=["scheduler", "run", "--once"])
    assert db.session.get(SchedulerJobRun, "heartbeat").runs == 2


def _flask(database_url: str, *args: str, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "CERTIFY_DATABASE_URL": database_url, "CERTIFY_ENV": "testing", "FLASK_APP": "wsgi"}
    return subprocess.Popen(
        [sys.executable, "-m", "flask", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


@pytest.mark.slow
def test_a_second_scheduler_refuses_to_run(database_url, app):
    first = _flask(database_url, "scheduler", "run")
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            db.session.rollback()
            if db.session.execute(sa.select(SchedulerJobRun.runs).where(SchedulerJobRun.job_id == "heartbeat")).first():
                break
            assert first.poll() is None, first.communicate()
            time.sleep(0.2)
        else:
            pytest.fail("the first scheduler never ran its heartbeat")
        second = _flask(database_url, "scheduler", "run", "--once")
        _, err = second.communicate(timeout=60)
        assert second.returncode == 2
        assert "refusing to start" in err
    finally:
        first.terminate()
        first.communicate(timeout=30)
    # With the first gone, a scheduler may start again.
    third = _flask(database_url, "scheduler", "run", "--once")
    _out, err = third.communicate(timeout=60)
    assert third.returncode == 0, err


def test_the_lock_is_released_after_a_run_so_the_next_run_may_start(cli):
    for _ in range(3):
        result = cli.invoke(args=["scheduler", "run", "--once"])
        assert result.exit_code == 0, result.output
