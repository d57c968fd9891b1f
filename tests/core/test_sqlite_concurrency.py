"""Several processes writing at once: no "database is locked", no lost update, an intact audit chain."""

from __future__ import annotations

import multiprocessing

import pytest
import sqlalchemy as sa

from certify.core.clock import now_utc
from certify.core.db import db
from certify.scheduler.models import SchedulerJobRun
from certify.supervision import audit

PROCESSES, INCREMENTS = 4, 40


def _writer(database_url: str) -> str | None:
    """Read-modify-write a counter and append an audit entry, INCREMENTS times, each in its own transaction."""
    from certify import create_app

    app = create_app({"CERTIFY_ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url})
    try:
        with app.app_context():
            for _ in range(INCREMENTS):
                row = db.session.get(SchedulerJobRun, "counter", with_for_update=True)
                row.runs += 1
                audit.record("test.increment", object_type="counter", after={"runs": row.runs})
                db.session.commit()
    except Exception as exc:  # reported to the parent, which fails the test with it
        return f"{type(exc).__name__}: {exc}"
    return None


@pytest.mark.slow
def test_concurrent_writers_neither_fail_nor_lose_updates(app, database_url):
    now = now_utc()
    db.session.add(SchedulerJobRun(job_id="counter", last_started_at=now, last_status="ok", runs=0))
    db.session.commit()
    with multiprocessing.get_context("spawn").Pool(PROCESSES) as pool:
        errors = [e for e in pool.map(_writer, [database_url] * PROCESSES) if e]
    assert errors == []
    db.session.commit()
    assert db.session.get(SchedulerJobRun, "counter").runs == PROCESSES * INCREMENTS
    report = audit.verify_chain()
    assert report.intact and report.checked == PROCESSES * INCREMENTS
    values = sorted(int(a[8:-1]) for a in db.session.execute(sa.text("SELECT after FROM audit_entries")).scalars())
    assert values == list(range(1, PROCESSES * INCREMENTS + 1))
