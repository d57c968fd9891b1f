"""Three sweepers at once (three scheduler processes would be refused; a deploy overlap or a manual run is not):
every overdue attempt is still closed exactly once, with one audit entry, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import sqlalchemy as sa

from certify.core.clock import now_utc
from certify.core.db import db
from certify.exams import sweep
from certify.exams.models import AttemptState, ExamAttempt
from certify.scheduler.registry import load_jobs
from certify.scheduler.runner import run_job
from certify.supervision import audit
from certify.supervision.models import AuditEntry
from tests.exams.test_invigilate_support import start
from tests.exams.world import exam_world

SWEEPERS = 3


def _overdue_world(t0, candidates: int = 10):
    world = exam_world(candidates=candidates)
    for index, attempt in enumerate(world.attempts):
        start(attempt, t0 - timedelta(minutes=95 + index))
    db.session.commit()  # the test's own transaction must not hold anything the sweepers need
    return world


def _race(app, work) -> list:
    """Run `work()` in SWEEPERS threads, each with its own app context and database session, released together."""
    gate = threading.Barrier(SWEEPERS)
    results, errors = [], []

    def sweeper():
        with app.app_context():
            token = audit.set_actor(audit.Actor(None, "scheduler"))
            try:
                gate.wait(timeout=30)
                results.append(work())
            except Exception as error:  # reported below with the thread's failure
                errors.append(error)
                db.session.rollback()
            finally:
                audit.reset_actor(token)
                db.session.remove()

    threads = [threading.Thread(target=sweeper) for _ in range(SWEEPERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a sweeper hung"
    assert not errors, errors
    return results


def _assert_closed_once(world, t0) -> None:
    db.session.expire_all()
    attempts = db.session.execute(sa.select(ExamAttempt).order_by(ExamAttempt.id)).scalars().all()
    assert [a.state for a in attempts] == [AttemptState.AUTO_SUBMITTED] * len(world.attempts)
    assert [a.submitted_at for a in attempts] == [a.started_at + timedelta(minutes=90) for a in attempts]
    entries = (
        db.session.execute(sa.select(AuditEntry).where(AuditEntry.action == "exams.attempt_auto_submitted"))
        .scalars()
        .all()
    )
    assert sorted(int(e.object_id) for e in entries) == [a.id for a in attempts], "one audit entry per attempt"
    assert all(json.loads(e.after)["closed_by"] == "sweep" for e in entries)


def test_three_concurrent_sweeps_close_each_attempt_once(app):
    t0 = now_utc().replace(microsecond=0)
    world = _overdue_world(t0)

    def work():
        closed = sweep.sweep_expired(t0, limit=2, after_batch=db.session.commit)
        db.session.commit()
        return closed

    counts = _race(app, work)
    assert sum(counts) == len(world.attempts), f"closes per sweeper {counts}: each attempt closed by exactly one"
    assert {a.closed_at for a in db.session.execute(sa.select(ExamAttempt)).scalars()} == {t0}
    _assert_closed_once(world, t0)


def test_three_concurrent_scheduler_jobs_close_each_attempt_once(app):
    t0 = now_utc().replace(microsecond=0)
    world = _overdue_world(t0)
    app.config["EXAM_SWEEP_BATCH_SIZE"] = 3
    job = load_jobs()["exams.sweep"]
    assert _race(app, lambda: run_job(app, job)) == [True] * SWEEPERS
    _assert_closed_once(world, t0)


def test_postgresql_skips_rows_another_sweeper_holds_and_sqlite_relies_on_the_guarded_update(app, backend):
    t0 = now_utc().replace(microsecond=0)
    _overdue_world(t0, candidates=2)
    statements = []

    def capture(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.session.get_bind()
    sa.event.listen(engine, "before_cursor_execute", capture)
    try:
        assert sweep.sweep_expired(t0) == 2
        db.session.commit()
    finally:
        sa.event.remove(engine, "before_cursor_execute", capture)
    locking = [s for s in statements if "FOR UPDATE" in s]
    if backend == "postgresql":
        assert locking and all("FOR UPDATE OF exam_attempts SKIP LOCKED" in s for s in locking), locking
    else:
        assert locking == [], "SQLite has no row locks: its write lock and the guarded update make it once-only"
    guarded = [s for s in statements if s.startswith("UPDATE exam_attempts SET state")]
    assert len(guarded) == 2 and all(
        "WHERE exam_attempts.id = " in s and "exam_attempts.state = " in s for s in guarded
    )
