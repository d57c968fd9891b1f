"""The invigilator's verbs as operations: what each changes, who and why on the audit log, and every refusal."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from certify.core.clock import now_utc
from certify.core.db import db
from certify.core.errors import Refused
from certify.exams import clocks, invigilate_ops
from certify.exams.models import (
    AttemptAddedTime,
    AttemptPause,
    AttemptState,
    ExamIncident,
    IncidentCategory,
    PauseKind,
)
from certify.exams.timing import AttemptPhase, deadline, remaining, state
from tests.exams.test_invigilate_support import audit_entries, count, english, start
from tests.exams.world import exam_world


@pytest.fixture
def world(app):
    return exam_world(candidates=4)


def _refused(call, code: str) -> Refused:
    with pytest.raises(Refused) as caught:
        call()
    db.session.rollback()
    assert [p.code for p in caught.value.problems] == [code], caught.value.problems
    return caught.value


def _clock(attempt, now):
    timing = clocks.timing_for(attempt)
    return state(timing, now), remaining(timing, now), deadline(timing, now)


def test_check_in_records_who_confirmed_the_identity_once(world):
    attempt, invigilator, now = world.attempts[0], world.invigilators[0], now_utc()
    invigilate_ops.check_in(attempt, invigilator, now)
    db.session.commit()
    assert attempt.checked_in_at == now and attempt.checked_in_by_id == invigilator.id
    (entry,) = audit_entries("exams.attempt_checked_in", attempt.id)
    assert entry.actor_id == invigilator.id and json.loads(entry.after)["identity_confirmed"] is True
    refused = _refused(lambda: invigilate_ops.check_in(attempt, invigilator, now), "invig_already_checked_in")
    assert english(refused) == "Seat 1 is already checked in."


def test_check_in_is_refused_once_the_window_has_closed(world):
    attempt = world.attempts[1]
    late = world.session.closes_at + timedelta(minutes=1)
    refused = _refused(lambda: invigilate_ops.check_in(attempt, world.invigilators[0], late), "invig_window_closed")
    assert "window has closed" in english(refused) and attempt.checked_in_at is None


def test_room_start_is_authorised_once_and_not_after_the_window(world):
    room, invigilator, now = world.session_rooms[0], world.invigilators[1], now_utc()
    late = world.session.closes_at
    _refused(lambda: invigilate_ops.authorise_room_start(room, invigilator, late), "invig_room_window_closed")
    invigilate_ops.authorise_room_start(room, invigilator, now)
    db.session.commit()
    assert room.start_authorised_at == now and room.start_authorised_by_id == invigilator.id
    assert len(audit_entries("exams.room_start_authorised", room.id)) == 1
    _refused(lambda: invigilate_ops.authorise_room_start(room, invigilator, now), "invig_room_already_authorised")


def test_a_seat_start_needs_check_in_first_and_is_authorised_once(world):
    attempt, invigilator, now = world.attempts[0], world.invigilators[0], now_utc()
    refused = _refused(lambda: invigilate_ops.authorise_seat_start(attempt, invigilator, now), "invig_not_checked_in")
    assert "check the candidate in first" in english(refused)
    invigilate_ops.check_in(attempt, invigilator, now)
    invigilate_ops.authorise_seat_start(attempt, invigilator, now)
    db.session.commit()
    assert attempt.start_authorised_at == now
    _refused(lambda: invigilate_ops.authorise_seat_start(attempt, invigilator, now), "invig_seat_already_authorised")
    # A seat of a room already authorised as a whole needs nothing more; a started seat neither.
    other = world.attempts[1]
    invigilate_ops.check_in(other, invigilator, now)
    invigilate_ops.authorise_room_start(world.session_rooms[0], invigilator, now)
    db.session.commit()
    _refused(lambda: invigilate_ops.authorise_seat_start(other, invigilator, now), "invig_seat_already_authorised")
    started = start(world.attempts[2], now)
    started.session_room.start_authorised_at = None
    db.session.commit()
    _refused(lambda: invigilate_ops.authorise_seat_start(started, invigilator, now), "invig_already_started")


def test_a_pause_stops_the_clock_and_a_resume_moves_the_deadline(world):
    t0 = now_utc().replace(microsecond=0)
    attempt, invigilator = start(world.attempts[0], t0 - timedelta(minutes=30)), world.invigilators[0]
    phase, left, end = _clock(attempt, t0)
    assert phase is AttemptPhase.RUNNING and left == timedelta(minutes=60) and end == t0 + timedelta(minutes=60)

    invigilate_ops.pause(attempt, invigilator, "  fire alarm  ", t0)
    db.session.commit()
    for later in (t0 + timedelta(minutes=5), t0 + timedelta(minutes=25)):
        phase, left, end = _clock(attempt, later)
        assert phase is AttemptPhase.PAUSED and left == timedelta(minutes=60), "the clock stands still while paused"
        assert end == later + timedelta(minutes=60), "the deadline moves with the clock while paused"
    (entry,) = audit_entries("exams.attempt_paused", attempt.id)
    assert entry.reason == "fire alarm" and entry.actor_id == invigilator.id

    resumed_at = t0 + timedelta(minutes=25)
    invigilate_ops.resume(attempt, world.invigilators[1], resumed_at)
    db.session.commit()
    (pause,) = attempt.pauses
    assert (pause.kind, pause.starts_at, pause.ends_at, pause.by_id) == (
        PauseKind.INVIGILATOR, t0, resumed_at, invigilator.id
    )  # fmt: skip
    phase, left, end = _clock(attempt, t0 + timedelta(minutes=35))
    assert phase is AttemptPhase.RUNNING and left == timedelta(minutes=50) and end == t0 + timedelta(minutes=85)
    (resumed,) = audit_entries("exams.attempt_resumed", attempt.id)
    assert resumed.actor_id == world.invigilators[1].id


def test_pause_refusals_name_the_reason(world):
    t0 = now_utc()
    invigilator = world.invigilators[0]
    not_started = world.attempts[1]
    refused = _refused(lambda: invigilate_ops.pause(not_started, invigilator, "why", t0), "invig_not_running")
    assert english(refused) == "Seat 2 is not answering now (not arrived), so it cannot be paused."
    attempt = start(world.attempts[0], t0 - timedelta(minutes=10))
    for reason in ("", "   ", None, "x" * 501):
        _refused(lambda r=reason: invigilate_ops.pause(attempt, invigilator, r, t0), "invig_reason_required")
    invigilate_ops.pause(attempt, invigilator, "noise", t0)
    db.session.commit()
    later = t0 + timedelta(minutes=1)
    _refused(lambda: invigilate_ops.pause(attempt, invigilator, "again", later), "invig_already_paused")
    assert count(AttemptPause) == 1, "overlapping pauses are refused"
    invigilate_ops.resume(attempt, invigilator, later)
    db.session.commit()
    _refused(lambda: invigilate_ops.resume(attempt, invigilator, later), "invig_not_paused")
    over = start(world.attempts[2], t0 - timedelta(minutes=100))
    refused = _refused(lambda: invigilate_ops.pause(over, invigilator, "late", t0), "invig_time_over")
    assert "out of time (time over)" in english(refused)


def test_the_room_pauses_and_resumes_only_its_running_seats(world):
    t0 = now_utc()
    running = [start(world.attempts[i], t0 - timedelta(minutes=5)) for i in (0, 1)]
    invigilator = world.invigilators[0]
    room = world.session_rooms[0]
    _refused(lambda: invigilate_ops.pause_room(room, invigilator, "", t0), "invig_reason_required")
    empty_room = world.session_rooms[1]
    _refused(lambda: invigilate_ops.pause_room(empty_room, invigilator, "drill", t0), "invig_room_none_running")
    _refused(lambda: invigilate_ops.resume_room(room, invigilator, t0), "invig_room_none_paused")
    assert invigilate_ops.pause_room(room, invigilator, "power cut", t0) == [1, 2]
    db.session.commit()
    assert [len(a.pauses) for a in world.attempts] == [1, 1, 0, 0]
    _refused(lambda: invigilate_ops.pause_room(room, invigilator, "again", t0), "invig_room_none_running")
    assert invigilate_ops.resume_room(room, invigilator, t0 + timedelta(minutes=7)) == [1, 2]
    db.session.commit()
    assert all(_clock(a, t0 + timedelta(minutes=7))[1] == timedelta(minutes=85) for a in running)
    assert len(audit_entries("exams.attempt_paused")) == 2 and len(audit_entries("exams.attempt_resumed")) == 2


def test_added_time_extends_the_deadline_with_its_reason(world):
    t0 = now_utc().replace(microsecond=0)
    attempt, invigilator = start(world.attempts[0], t0 - timedelta(minutes=30)), world.invigilators[0]
    row = invigilate_ops.add_time(attempt, 15, " computer restarted ", invigilator, t0)
    db.session.commit()
    assert (row.minutes, row.reason, row.added_by_id) == (15, "computer restarted", invigilator.id)
    assert _clock(attempt, t0)[1:] == (timedelta(minutes=75), t0 + timedelta(minutes=75))
    (entry,) = audit_entries("exams.time_added", attempt.id)
    assert json.loads(entry.after)["minutes"] == 15 and entry.reason == "computer restarted"


@pytest.mark.parametrize("minutes", [0, -5, 121, "10", None, True, 2.5])
def test_added_time_must_be_1_to_120_whole_minutes(world, minutes):
    attempt = start(world.attempts[0], now_utc() - timedelta(minutes=5))
    refused = _refused(
        lambda: invigilate_ops.add_time(attempt, minutes, "why", world.invigilators[0]), "invig_minutes_range"
    )
    assert english(refused) == "Enter whole minutes from 1 to 120." and refused.problems[0].field == "minutes"
    assert count(AttemptAddedTime) == 0


def test_added_time_needs_a_reason_a_live_attempt_and_room_in_the_window(world):
    t0 = now_utc()
    invigilator = world.invigilators[0]
    attempt = start(world.attempts[0], t0 - timedelta(minutes=5))
    _refused(lambda: invigilate_ops.add_time(attempt, 5, " ", invigilator, t0), "invig_reason_required")
    # The window closes in 2 hours: a deadline already at the window close cannot move.
    capped = start(world.attempts[1], world.session.closes_at - timedelta(minutes=30))
    near_close = world.session.closes_at - timedelta(minutes=10)
    refused = _refused(lambda: invigilate_ops.add_time(capped, 5, "why", invigilator, near_close), "invig_window_caps")
    assert "Extend the session window first" in english(refused)
    over = start(world.attempts[2], t0 - timedelta(minutes=95))
    _refused(lambda: invigilate_ops.add_time(over, 5, "late", invigilator, t0), "invig_time_over")
    # Inside the save tolerance the lost last minute can still be given back.
    just_over = start(world.attempts[3], t0 - timedelta(minutes=90, seconds=20))
    invigilate_ops.add_time(just_over, 2, "network dropped", invigilator, t0)
    db.session.commit()
    assert _clock(just_over, t0)[0] is AttemptPhase.RUNNING


def test_terminate_closes_once_with_the_reason(world):
    t0 = now_utc()
    attempt, invigilator = start(world.attempts[0], t0 - timedelta(minutes=10)), world.invigilators[0]
    _refused(lambda: invigilate_ops.terminate(attempt, "", invigilator, t0), "invig_reason_required")
    invigilate_ops.terminate(attempt, "used a phone", invigilator, t0)
    db.session.commit()
    assert attempt.state is AttemptState.TERMINATED and attempt.closed_at == t0 and attempt.submitted_at is None
    assert (attempt.terminated_at, attempt.terminated_reason) == (t0, "used a phone")
    refused = _refused(lambda: invigilate_ops.terminate(attempt, "again", invigilator, t0), "invig_attempt_closed")
    assert english(refused) == "Seat 1 has already finished (terminated); nothing was changed."
    (entry,) = audit_entries("exams.attempt_terminated", attempt.id)
    assert entry.reason == "used a phone" and entry.actor_id == invigilator.id
    _refused(lambda: invigilate_ops.pause(attempt, invigilator, "x", t0), "invig_attempt_closed")


def test_a_move_needs_a_page_that_opened_the_attempt(world):
    t0 = now_utc()
    attempt, invigilator = start(world.attempts[0], t0 - timedelta(minutes=10)), world.invigilators[0]
    refused = _refused(lambda: invigilate_ops.authorise_move(attempt, invigilator, t0), "invig_move_no_page")
    assert "can open it on any computer" in english(refused)
    attempt.client_token = "a" * 32
    db.session.commit()
    invigilate_ops.authorise_move(attempt, invigilator, t0)
    db.session.commit()
    assert attempt.move_authorised_at == t0
    assert len(audit_entries("exams.move_authorised", attempt.id)) == 1


def test_an_incident_names_every_problem_at_once_then_is_recorded(world):
    room, invigilator = world.session_rooms[0], world.invigilators[0]
    with pytest.raises(Refused) as caught:
        invigilate_ops.report_incident(room, "fire", "  ", "²", invigilator)
    db.session.rollback()
    assert [(p.code, p.field) for p in caught.value.problems] == [
        ("invig_incident_category", "category"), ("invig_incident_text", "text"), ("invig_incident_seat", "attempt")
    ]  # fmt: skip
    exam_room_two = exam_world_seat_in_room_two(world)
    _refused(
        lambda: invigilate_ops.report_incident(room, "health", "ill", exam_room_two, invigilator),
        "invig_incident_seat",
    )
    incident = invigilate_ops.report_incident(room, "cheating", " notes on the desk ", str(world.attempts[1].id),
                                              invigilator)  # fmt: skip
    db.session.commit()
    assert (incident.category, incident.text, incident.attempt_id) == (
        IncidentCategory.CHEATING, "notes on the desk", world.attempts[1].id
    )  # fmt: skip
    invigilate_ops.report_incident(room, IncidentCategory.TECHNICAL, "projector", None, invigilator)
    db.session.commit()
    assert count(ExamIncident) == 2 and len(audit_entries("exams.incident_reported")) == 2


def exam_world_seat_in_room_two(world):
    """An attempt seated in the world's second room."""
    attempt = world.attempts[3]
    attempt.session_room_id = world.session_rooms[1].id
    db.session.commit()
    return attempt


def test_breaks_follow_the_accommodation_and_restart_the_clock_by_themselves(world):
    t0 = now_utc().replace(microsecond=0)
    invigilator = world.invigilators[0]
    attempt = start(world.attempts[0], t0 - timedelta(minutes=10))
    _refused(lambda: invigilate_ops.start_break(attempt, invigilator, None, t0), "invig_no_breaks")
    attempt.breaks_allowed, attempt.break_minutes = 1, 10
    db.session.commit()
    for minutes in (0, 11, "5"):
        refused = _refused(lambda m=minutes: invigilate_ops.start_break(attempt, invigilator, m, t0),
                           "invig_break_minutes")  # fmt: skip
    assert english(refused) == "A break of seat 1 may last from 1 to 10 minutes."
    invigilate_ops.start_break(attempt, invigilator, None, t0)
    db.session.commit()
    phase, left, _end = _clock(attempt, t0 + timedelta(minutes=5))
    assert phase is AttemptPhase.PAUSED and left == timedelta(minutes=80)
    _refused(lambda: invigilate_ops.pause(attempt, invigilator, "x", t0 + timedelta(minutes=1)), "invig_on_break")
    _refused(lambda: invigilate_ops.resume(attempt, invigilator, t0 + timedelta(minutes=1)), "invig_on_break")
    # Not back after 10 minutes: the clock runs again on its own.
    phase, left, _end = _clock(attempt, t0 + timedelta(minutes=15))
    assert phase is AttemptPhase.RUNNING and left == timedelta(minutes=75)
    _refused(lambda: invigilate_ops.end_break(attempt, invigilator, t0 + timedelta(minutes=15)), "invig_not_on_break")
    refused = _refused(
        lambda: invigilate_ops.start_break(attempt, invigilator, 5, t0 + timedelta(minutes=20)), "invig_breaks_used"
    )
    assert english(refused) == "Seat 1 has taken all 1 breaks its accommodation allows."


def test_a_break_ended_early_gives_back_only_the_time_taken(world):
    t0 = now_utc().replace(microsecond=0)
    invigilator = world.invigilators[0]
    attempt = start(world.attempts[0], t0 - timedelta(minutes=10))
    attempt.breaks_allowed, attempt.break_minutes = 2, 10
    db.session.commit()
    invigilate_ops.start_break(attempt, invigilator, 8, t0)
    invigilate_ops.end_break(attempt, invigilator, t0 + timedelta(minutes=3))
    db.session.commit()
    assert attempt.pauses[0].ends_at == t0 + timedelta(minutes=3)
    assert _clock(attempt, t0 + timedelta(minutes=3))[1] == timedelta(minutes=80)
    assert [e.action for e in audit_entries("exams.break_started") + audit_entries("exams.break_ended")] == [
        "exams.break_started", "exams.break_ended"
    ]  # fmt: skip


def test_a_pause_that_would_overlap_a_stored_one_is_refused_by_the_timing_checks(world):
    # A pause recorded as starting later (say by a server whose clock ran ahead) must not get a twin.
    t0 = now_utc().replace(microsecond=0)
    attempt = start(world.attempts[0], t0 - timedelta(minutes=10))
    db.session.add(AttemptPause(attempt_id=attempt.id, starts_at=t0 + timedelta(minutes=2), reason="ahead"))
    db.session.commit()
    refused = _refused(lambda: invigilate_ops.pause(attempt, world.invigilators[0], "now", t0), "invig_pause_overlaps")
    assert english(refused) == "A pause of seat 1 would overlap another pause or break."
    assert count(AttemptPause) == 1


def test_check_in_and_start_authorisation_open_only_shortly_before_the_window(app):
    """A day early nothing can be checked in or authorised; from 60 minutes before the window it can."""
    from certify.exams import attempts_ops
    from certify.exams.session_rules import CheckInWindow, check_in_window

    now = now_utc().replace(second=0, microsecond=0)
    world = exam_world(candidates=2, opens_at=now + timedelta(days=1), closes_at=now + timedelta(days=1, hours=3))
    attempt, room, invigilator = world.attempts[0], world.session_rooms[0], world.invigilators[0]
    for call in (
        lambda: invigilate_ops.check_in(attempt, invigilator, now),
        lambda: invigilate_ops.authorise_room_start(room, invigilator, now),
        lambda: attempts_ops.self_check_in(world.attempts[1], world.attempts[1].ticket_number, room.room_code, now),
    ):
        refused = _refused(call, "session_check_in_not_yet")
        # 60 minutes before the window, in Shanghai local time (UTC+8)
        opens_local = (world.session.opens_at + timedelta(hours=7)).strftime("%Y-%m-%d %H:%M")
        assert f"open at {opens_local}" in english(refused)
    assert attempt.checked_in_at is None and room.start_authorised_at is None
    assert world.attempts[1].checked_in_at is None
    # the seat-by-seat authorisation is refused too, even for a candidate already checked in
    attempt.checked_in_at = now
    db.session.commit()
    _refused(lambda: invigilate_ops.authorise_seat_start(attempt, invigilator, now), "session_check_in_not_yet")
    soon = world.session.opens_at - timedelta(minutes=60)
    assert check_in_window(world.session.opens_at, world.session.closes_at, 60, soon) is CheckInWindow.OPEN
    assert check_in_window(world.session.opens_at, world.session.closes_at, 60, soon - timedelta(seconds=1)) == (
        CheckInWindow.TOO_EARLY
    )
    assert check_in_window(world.session.opens_at, world.session.closes_at, 60, world.session.closes_at) == (
        CheckInWindow.CLOSED
    )
    invigilate_ops.authorise_seat_start(attempt, invigilator, soon)
    invigilate_ops.check_in(world.attempts[1], invigilator, soon)
    db.session.commit()
    assert attempt.start_authorised_at == soon and world.attempts[1].checked_in_at == soon


def test_the_check_in_lead_time_is_configurable(app):
    from certify.exams import attempts_ops

    now = now_utc().replace(second=0, microsecond=0)
    world = exam_world(candidates=1, opens_at=now + timedelta(minutes=30), closes_at=now + timedelta(hours=3))
    attempt, room = world.attempts[0], world.session_rooms[0]
    app.config["EXAM_CHECK_IN_OPENS_MINUTES"] = 15
    try:
        _refused(lambda: attempts_ops.self_check_in(attempt, attempt.ticket_number, room.room_code, now),
                 "session_check_in_not_yet")  # fmt: skip
        attempts_ops.self_check_in(attempt, attempt.ticket_number, room.room_code, now + timedelta(minutes=15))
    finally:
        app.config.pop("EXAM_CHECK_IN_OPENS_MINUTES")
    db.session.commit()
    assert attempt.checked_in_at == now + timedelta(minutes=15)
