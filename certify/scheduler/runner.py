"""Running jobs: one scheduler per deployment (a lock refuses a second), each run recorded."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import traceback
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from certify.core.clock import now_utc
from certify.core.db import db
from certify.scheduler.models import SchedulerJobRun
from certify.scheduler.registry import Job
from certify.supervision import audit

log = logging.getLogger("certify.scheduler")


class SchedulerLocked(RuntimeError):
    """Another scheduler holds the lock."""


def _sqlite_lock_path(app: Flask) -> Path:
    database = db.engines[None].url.database or ""
    if database in ("", ":memory:"):
        return Path(app.instance_path) / "scheduler.lock"
    return Path(database + ".scheduler.lock")


@contextlib.contextmanager
def scheduler_lock(app: Flask) -> Iterator[None]:
    """Hold the one-scheduler lock: a PostgreSQL advisory lock, or an exclusive lock file next to SQLite."""
    engine = db.engines[None]
    if engine.dialect.name == "postgresql":
        lock_id = app.config["SCHEDULER_LOCK_ID"]
        conn = engine.connect()
        got = False
        try:
            got = conn.execute(sa.select(sa.func.pg_try_advisory_lock(lock_id))).scalar()
            conn.commit()
            if not got:
                raise SchedulerLocked("another scheduler holds the PostgreSQL advisory lock")
            yield
        finally:
            # A pooled connection outlives close(): release the session-level lock explicitly, and drop the
            # connection so nothing of this session survives in the pool (a crash releases it with the socket).
            if got:
                conn.execute(sa.select(sa.func.pg_advisory_unlock(lock_id)))
                conn.commit()
            conn.invalidate()
            conn.close()
        return
    path = _sqlite_lock_path(app)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SchedulerLocked(f"another scheduler holds {path}") from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        yield
    finally:
        os.close(fd)


def run_job(app: Flask, job: Job) -> bool:
    """Run one job in its own app context and transaction; record the run; never raise."""
    with app.app_context():
        token = audit.set_actor(audit.Actor(None, "scheduler"))
        started = now_utc()
        try:
            job.func()
            status, error = "ok", None
            db.session.commit()
        except Exception:
            db.session.rollback()
            status, error = "error", traceback.format_exc(limit=5)
            log.exception("job %s failed", job.id)
        try:
            row = db.session.get(SchedulerJobRun, job.id) or SchedulerJobRun(job_id=job.id, runs=0)
            row.last_started_at, row.last_finished_at = started, now_utc()
            row.last_status, row.last_error, row.runs = status, error, (row.runs or 0) + 1
            db.session.add(row)
            db.session.commit()
        finally:
            audit.reset_actor(token)
            db.session.remove()
        return status == "ok"
