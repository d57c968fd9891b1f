"""The candidate's verbs as operations: self check-in (throttled), Start and its rules, one active page with the
invigilator's move, submit, and closing an expired attempt when it is read."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from certify.core.clock import now_utc
from certify.core.db import db
from certify.core.errors import Refused
from certify.exams import answers_ops, attempts_ops
from certify.exams.models import AttemptState, ExamAttempt
from certify.supervision.models import AuditEntry
from tests.exams.world import ExamWorld, exam_world

TOKEN = "page-one-0123456789abcdef"
OTHER = "page-two-0123456789abcdef"


def codes(refused: Refused) -> list[str]:
    return [p.code for p in refused.problems]


def actions(attempt: ExamAttempt) -> list[str]:
    return list(
        db.session.execute(
            sa.select(AuditEntry.action)
            .where(AuditEntry.object_type == "exam_attempt", AuditEntry.object_id == str(attempt.id))
            .order_by(AuditEntry.seq)
        ).scalars()
    )


def ready(world: ExamWorld, index: int = 0, *, authorise: bool = True) -> ExamAttempt:
    """A checked-in candidate whose room may start (written directly: the invigilator's verbs are tested there)."""
    attempt = world.attempts[index]
    attempt.checked_in_at = now_utc() - timedelta(minutes=5)
    if authorise:
        attempt.session_room.start_authorised_at = now_utc() - timedelta(minutes=1)
    db.session.commit()
    return attempt


def started(world: ExamWorld, index: int = 0, token: str = TOKEN, at=None) -> ExamAttempt:
    attempt = ready(world, index)
    attempts_ops.start_attempt(attempt, token, at or now_utc())
    db.session.commit()
    return attempt


# ---- check-in -------------------------------------------------------------------------------------------


def test_self_check_in_with_ticket_and_room_code(app):
    world = exam_world(candidates=1)
    attempt = world.attempts[0]
    code = world.session_rooms[0].room_code
    attempts_ops.self_check_in(attempt, f" {attempt.ticket_number} ", f" {code.lower()} ", now_utc())
    db.session.commit()
    assert attempt.checked_in_at is not None and attempt.checked_in_by_id is None
    assert "exams.attempt_checked_in" in actions(attempt)


def test_empty_fields_are_refused_by_name_without_counting_a_try(app):
    world = exam_world(candidates=1)
    with pytest.raises(Refused) as refused:
        attempts_ops.self_check_in(world.attempts[0], "  ", None, now_utc())
    assert {p.field: p.code for p in refused.value.problems} == {
        "ticket_number": "exam_ticket_required", "room_code": "exam_room_code_required",
    }  # fmt: skip
    assert not isinstance(refused.value, attempts_ops.CheckInFailed)


def test_wrong_ticket_or_code_is_refused_then_throttled(app):
    world = exam_world(candidates=2)
    attempt, code = world.attempts[0], world.session_rooms[0].room_code
    now = now_utc()
    with pytest.raises(attempts_ops.CheckInFailed) as wrong:
        attempts_ops.self_check_in(attempt, world.attempts[1].ticket_number, code, now)
    assert codes(wrong.value) == ["exam_ticket_wrong"]
    db.session.commit()
    for _ in range(2):
        with pytest.raises(attempts_ops.CheckInFailed) as wrong:
            attempts_ops.self_check_in(attempt, attempt.ticket_number, "ZZZZZZ", now)
        assert codes(wrong.value) == ["exam_room_code_wrong"]
        db.session.commit()
    # the fourth wrong try starts the wait; then even the right code must wait
    with pytest.raises(attempts_ops.CheckInFailed):
        attempts_ops.self_check_in(attempt, attempt.ticket_number, "ZZZZZZ", now)
    db.session.commit()
    with pytest.raises(Refused) as throttled:
        attempts_ops.self_check_in(attempt, attempt.ticket_number, code, now + timedelta(seconds=10))
    assert codes(throttled.value) == ["exam_checkin_throttled"]
    assert throttled.value.problems[0].params["seconds"] == 20
    db.session.rollback()
    assert attempt.checked_in_at is None
    attempts_ops.self_check_in(attempt, attempt.ticket_number, code, now + timedelta(seconds=31))
    db.session.commit()
    assert attempt.checked_in_at is not None
    assert actions(attempt).count("exams.checkin_failed") == 4


def test_no_check_in_after_the_window_closed(app):
    world = exam_world(candidates=1)
    attempt = world.attempts[0]
    with pytest.raises(Refused) as refused:
        attempts_ops.self_check_in(
            attempt, attempt.ticket_number, world.session_rooms[0].room_code, world.session.closes_at
        )
    assert codes(refused.value) == ["exam_checkin_closed"]


# ---- start ----------------------------------------------------------------------------------------------


def test_start_records_server_time_and_audits(app):
    world = exam_world(candidates=1)
    attempt = ready(world)
    now = now_utc()
    decision = attempts_ops.start_attempt(attempt, TOKEN, now)
    db.session.commit()
    assert attempt.started_at == now and attempt.client_token == TOKEN
    assert decision.notice is None
    assert "exams.attempt_started" in actions(attempt)


def test_start_says_every_reason_at_once(app):
    world = exam_world(candidates=1)
    attempt = world.attempts[0]
    with pytest.raises(Refused) as refused:
        attempts_ops.start_attempt(attempt, TOKEN, world.session.closes_at + timedelta(minutes=1))
    assert codes(refused.value) == ["exam_not_checked_in", "exam_start_not_authorised", "window_closed"]
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert "closed at" in refused.value.messages()[2]
    db.session.rollback()
    attempt = ready(world, authorise=False)
    with pytest.raises(Refused) as refused:
        attempts_ops.start_attempt(attempt, TOKEN, now_utc())
    assert codes(refused.value) == ["exam_start_not_authorised"]


def test_start_before_the_window_opens_is_refused(app):
    now = now_utc()
    world = exam_world(candidates=1, opens_at=now + timedelta(minutes=30), closes_at=now + timedelta(hours=3))
    attempt = ready(world)
    with pytest.raises(Refused) as refused:
        attempts_ops.start_attempt(attempt, TOKEN, now)
    assert codes(refused.value) == ["window_not_open"]


def test_a_seat_authorised_alone_may_start_and_a_late_start_gets_the_notice(app):
    now = now_utc()
    world = exam_world(candidates=1, opens_at=now - timedelta(hours=1), closes_at=now + timedelta(minutes=40))
    attempt = ready(world, authorise=False)
    attempt.start_authorised_at = now
    db.session.commit()
    problems, decision = attempts_ops.start_problems(attempt, now)
    assert problems == [] and decision.notice is not None
    assert "40 minutes instead of 90" in decision.notice.message("en")
    attempts_ops.start_attempt(attempt, TOKEN, now)
    db.session.commit()
    entry = db.session.execute(sa.select(AuditEntry).where(AuditEntry.action == "exams.attempt_started")).scalar_one()
    assert '"late_start":true' in entry.after.replace(" ", "")


def test_start_twice_is_refused(app):
    world = exam_world(candidates=1)
    attempt = started(world)
    with pytest.raises(Refused) as refused:
        attempts_ops.start_attempt(attempt, TOKEN, now_utc())
    assert codes(refused.value) == ["already_started"]


# ---- one active page ------------------------------------------------------------------------------------


def test_a_second_page_is_refused_until_the_invigilator_authorises_the_move(app):
    world = exam_world(candidates=1)
    attempt = started(world)
    assert attempts_ops.claim_page(attempt, TOKEN, now_utc()) == "owner"
    with pytest.raises(Refused) as refused:
        attempts_ops.claim_page(attempt, OTHER, now_utc())
    assert codes(refused.value) == ["exam_page_elsewhere"]
    db.session.rollback()
    attempt.move_authorised_at = now_utc()
    db.session.commit()
    assert attempts_ops.claim_page(attempt, OTHER, now_utc()) == "took_over"
    db.session.commit()
    assert attempt.client_token == OTHER and attempt.move_authorised_at is None
    assert "exams.attempt_taken_over" in actions(attempt)
    # the old page can no longer take it back: the authorisation was used
    with pytest.raises(Refused):
        attempts_ops.claim_page(attempt, TOKEN, now_utc())


def test_a_malformed_page_token_is_refused_by_name(app):
    world = exam_world(candidates=1)
    attempt = started(world)
    for bad in (None, 42, "short", "x" * 65, "has space 0123456789"):
        with pytest.raises(Refused) as refused:
            attempts_ops.claim_page(attempt, bad, now_utc())
        assert [(p.code, p.field) for p in refused.value.problems] == [("exam_client_token_invalid", "client_token")]


# ---- submit and close -----------------------------------------------------------------------------------


def test_submit_closes_once_and_audits(app):
    world = exam_world(candidates=1)
    attempt = started(world)
    now = now_utc()
    attempts_ops.submit_attempt(attempt, TOKEN, now)
    db.session.commit()
    assert attempt.state is AttemptState.SUBMITTED and attempt.submitted_at == now and attempt.closed_at == now
    assert "exams.attempt_submitted" in actions(attempt)
    with pytest.raises(Refused) as refused:
        attempts_ops.submit_attempt(attempt, TOKEN, now)
    assert codes(refused.value) == ["exam_attempt_closed"]


def test_only_the_active_page_submits(app):
    world = exam_world(candidates=1)
    attempt = started(world)
    with pytest.raises(Refused) as refused:
        attempts_ops.submit_attempt(attempt, OTHER, now_utc())
    assert codes(refused.value) == ["exam_page_taken_over"]


def test_an_expired_attempt_closes_when_read_with_the_deadline_as_submit_time(app):
    now = now_utc()
    world = exam_world(candidates=1, duration_minutes=90)
    attempt = started(world, at=now - timedelta(minutes=100))
    deadline = attempt.started_at + timedelta(minutes=90)
    assert attempts_ops.close_on_read(attempt, now - timedelta(minutes=9, seconds=30)) is False  # in tolerance
    assert attempts_ops.close_on_read(attempt, now) is True
    db.session.commit()
    assert attempt.state is AttemptState.AUTO_SUBMITTED and attempt.submitted_at == deadline
    assert attempts_ops.close_on_read(attempt, now) is False
    with pytest.raises(Refused) as refused:
        attempts_ops.submit_attempt(attempt, TOKEN, now)
    assert codes(refused.value) == ["exam_attempt_closed"]


def test_saving_works_outside_a_request_as_the_demo_world_and_commands_use_it(app):
    world = exam_world(candidates=1)
    attempt = started(world)
    saves = [{"position": 1, "seq": 2, "value": "true"}, {"position": 1, "seq": 1, "value": "false"}]
    result = answers_ops.save_answers(attempt, TOKEN, saves, now_utc())
    db.session.commit()
    assert [(d.accepted, d.kept_seq) for d in result.decisions] == [(True, 2), (True, 2)]
    again = answers_ops.save_answers(attempt, TOKEN, [{"position": 1, "seq": 1, "value": "false"}], now_utc())
    assert again.decisions[0].outcome.value == "stale" and again.decisions[0].problem.code == "stale"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert "already saved" in again.decisions[0].message
