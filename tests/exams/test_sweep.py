"""The auto-submit sweep: the submit time is the deadline, the expiry policy is followed, paused and never-started
attempts are left alone, each attempt is closed once, and after downtime one scheduler run catches up."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from certify.core.clock import now_utc
from certify.core.db import db
from certify.exams import invigilate_ops, sweep
from certify.exams.models import AttemptState, ExpiryPolicy
from certify.scheduler.registry import load_jobs
from tests.exams.test_invigilate_support import audit_entries, start
from tests.exams.world import exam_world


@pytest.fixture
def t0():
    return now_utc().replace(microsecond=0)


def _closed_entries(attempt) -> list:
    """The audit entries of the sweep (or a read) closing this attempt."""
    return [
        e
        for action in ("exams.attempt_auto_submitted", "exams.attempt_abandoned")
        for e in audit_entries(action, attempt.id)
    ]


def test_the_sweep_is_a_registered_job_every_30_seconds():
    assert load_jobs()["exams.sweep"].seconds == 30


def test_an_overdue_attempt_is_auto_submitted_at_its_deadline_once(app, t0):
    world = exam_world(candidates=2)
    attempt = start(world.attempts[0], t0 - timedelta(minutes=100))
    running = start(world.attempts[1], t0 - timedelta(minutes=30))
    assert sweep.sweep_expired(t0) == 1
    db.session.commit()
    assert attempt.state is AttemptState.AUTO_SUBMITTED
    assert attempt.submitted_at == t0 - timedelta(minutes=10), "the submit time is the deadline, not the sweep's"
    assert attempt.closed_at == t0
    (entry,) = _closed_entries(attempt)
    assert json.loads(entry.after)["closed_by"] == "sweep" and entry.actor_label == "system"
    assert running.state is AttemptState.IN_PROGRESS
    assert sweep.sweep_expired(t0 + timedelta(minutes=1)) == 0
    db.session.commit()
    assert len(_closed_entries(attempt)) == 1 and attempt.submitted_at == t0 - timedelta(minutes=10)


def test_saves_have_a_tolerance_after_the_deadline_before_the_sweep_closes(app, t0):
    attempt = start(exam_world(candidates=1).attempts[0], t0 - timedelta(minutes=90, seconds=30))
    assert sweep.sweep_expired(t0) == 0, "30 s after the deadline late saves are still accepted"
    assert sweep.sweep_expired(t0 + timedelta(seconds=31)) == 1
    db.session.commit()
    assert attempt.submitted_at == t0 - timedelta(seconds=30)


def test_grace_waits_out_the_grace_period_then_abandons(app, t0):
    world = exam_world(candidates=1, expiry=ExpiryPolicy.GRACE)
    world.session.grace_minutes = 15
    attempt = start(world.attempts[0], t0 - timedelta(minutes=100))
    assert sweep.sweep_expired(t0) == 0, "deadline 10 minutes ago: the candidate may still submit for 5 more"
    assert attempt.state is AttemptState.IN_PROGRESS
    assert sweep.sweep_expired(t0 + timedelta(minutes=5, seconds=1)) == 1
    db.session.commit()
    assert attempt.state is AttemptState.ABANDONED and attempt.submitted_at is None
    assert len(audit_entries("exams.attempt_abandoned", attempt.id)) == 1


def test_abandon_never_counts_an_attempt_not_submitted_in_time(app, t0):
    world = exam_world(candidates=1, expiry=ExpiryPolicy.ABANDON)
    attempt = start(world.attempts[0], t0 - timedelta(minutes=100))
    assert sweep.sweep_expired(t0) == 1
    db.session.commit()
    assert attempt.state is AttemptState.ABANDONED and attempt.submitted_at is None and attempt.closed_at == t0


def test_a_never_started_attempt_is_left_alone_even_after_the_window(app, t0):
    world = exam_world(candidates=2)
    world.attempts[1].checked_in_at = t0
    db.session.commit()
    assert sweep.sweep_expired(world.session.closes_at + timedelta(hours=5)) == 0
    db.session.commit()
    assert [a.state for a in world.attempts] == [AttemptState.IN_PROGRESS] * 2
    assert all(a.closed_at is None for a in world.attempts)


def test_a_paused_attempt_is_not_closed_early_and_its_deadline_moves(app, t0):
    world = exam_world(candidates=1)
    attempt = start(world.attempts[0], t0 - timedelta(minutes=100))
    invigilate_ops.pause(attempt, world.invigilators[0], "power cut", t0 - timedelta(minutes=20))
    db.session.commit()
    assert sweep.sweep_expired(t0) == 0 and sweep.sweep_expired(t0 + timedelta(hours=1)) == 0
    invigilate_ops.resume(attempt, world.invigilators[0], t0 + timedelta(minutes=5))
    db.session.commit()
    # Paused after 80 of 90 minutes had run: the deadline is 10 minutes after the resume.
    assert sweep.sweep_expired(t0 + timedelta(minutes=15, seconds=59)) == 0
    assert sweep.sweep_expired(t0 + timedelta(minutes=16, seconds=1)) == 1
    db.session.commit()
    assert attempt.submitted_at == t0 + timedelta(minutes=15)


def test_added_time_extends_what_the_sweep_waits_for(app, t0):
    world = exam_world(candidates=1)
    attempt = start(world.attempts[0], t0 - timedelta(minutes=85))
    invigilate_ops.add_time(attempt, 15, "computer crashed", world.invigilators[0], t0 - timedelta(minutes=1))
    db.session.commit()
    assert sweep.sweep_expired(t0 + timedelta(minutes=10)) == 0
    assert sweep.sweep_expired(t0 + timedelta(minutes=21, seconds=1)) == 1
    db.session.commit()
    assert attempt.submitted_at == t0 + timedelta(minutes=20)


def test_the_window_close_caps_the_deadline(app, t0):
    world = exam_world(candidates=1)
    closes = world.session.closes_at
    attempt = start(world.attempts[0], closes - timedelta(minutes=30))
    assert sweep.sweep_expired(closes + timedelta(seconds=61)) == 1
    db.session.commit()
    assert attempt.submitted_at == closes


def test_submitted_and_terminated_attempts_are_not_touched(app, t0):
    world = exam_world(candidates=2)
    done = start(world.attempts[0], t0 - timedelta(minutes=100))
    done.state, done.submitted_at, done.closed_at = AttemptState.SUBMITTED, t0 - timedelta(minutes=50), t0
    stopped = start(world.attempts[1], t0 - timedelta(minutes=100))
    invigilate_ops.terminate(stopped, "impersonation", world.invigilators[0], t0 - timedelta(minutes=60))
    db.session.commit()
    assert sweep.sweep_expired(t0) == 0
    db.session.commit()
    assert done.submitted_at == t0 - timedelta(minutes=50) and stopped.state is AttemptState.TERMINATED


def test_the_sweep_works_in_batches_and_calls_back_after_each(app, t0):
    world = exam_world(candidates=7)
    for index, attempt in enumerate(world.attempts):
        start(attempt, t0 - timedelta(minutes=100 + index))
    batches = []
    assert sweep.sweep_expired(t0, limit=3, after_batch=lambda: batches.append(db.session.commit())) == 7
    assert len(batches) == 3
    assert [a.submitted_at for a in world.attempts] == [t0 - timedelta(minutes=10 + i) for i in range(7)]


def test_after_downtime_one_scheduler_run_closes_every_overdue_attempt_once(app, cli):
    t0 = now_utc().replace(microsecond=0)
    world = exam_world(candidates=8, opens_at=t0 - timedelta(hours=9), closes_at=t0 - timedelta(hours=3))
    for index, attempt in enumerate(world.attempts[:7]):
        start(attempt, world.session.opens_at + timedelta(minutes=10 * index))
    app.config["EXAM_SWEEP_BATCH_SIZE"] = 2
    result = cli.invoke(args=["scheduler", "run", "--once"])
    assert result.exit_code == 0, result.output
    assert "exams.sweep: ok" in result.output
    db.session.expire_all()
    closed = world.attempts[:7]
    assert all(a.state is AttemptState.AUTO_SUBMITTED for a in closed)
    assert [a.submitted_at for a in closed] == [a.started_at + timedelta(minutes=90) for a in closed]
    assert world.attempts[7].state is AttemptState.IN_PROGRESS, "never started: absent, not submitted"
    result = cli.invoke(args=["scheduler", "run", "--once"])
    assert result.exit_code == 0, result.output
    assert [len(_closed_entries(a)) for a in closed] == [1] * 7
    assert all(json.loads(_closed_entries(a)[0].after)["closed_by"] == "sweep" for a in closed)
    assert {e.actor_label for a in closed for e in _closed_entries(a)} == {"scheduler"}
