"""Creating and editing theory sessions: rooms with codes, every refusal at once, timing locked after papers or
once the window opened (saying which), rooms in use kept, status computed from the window, audit entries."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from certify.bank.models import BlueprintState
from certify.core.clock import frozen, now_utc
from certify.core.db import db
from certify.core.errors import Refused
from certify.exams import enrolment_ops, sessions_ops
from certify.exams.models import ExamSession, ExpiryPolicy
from certify.exams.session_rules import (
    ROOM_CODE_ALPHABET,
    RoomSeats,
    SessionStatus,
    allocate_seats,
    form_for_seat,
    invigilators_needed,
    session_status,
    ticket_number,
)
from certify.institutions import operations
from tests.bank.test_blueprints_support import count_rows, make_blueprint
from tests.exams.test_sessions_support import audit_entries, session_values, sessions_world, texts


@pytest.fixture
def world(app):
    return sessions_world(candidates=4, session=False)


def _problems(refused: Refused) -> dict[str | None, list[str]]:
    return {p.field: [] for p in refused.problems} | {
        field: [p.code for p in refused.problems if p.field == field] for field in {p.field for p in refused.problems}
    }


def test_a_session_is_created_with_its_rooms_each_with_a_room_code_and_audited(world):
    values = session_values(world)
    session = sessions_ops.create_session(world.body, values, world.admin)
    db.session.commit()
    assert session.opens_at == values["opens_at"] and session.opens_at.tzinfo is not None
    assert session.duration_minutes == 90 and session.expiry_policy is ExpiryPolicy.AUTO_SUBMIT
    assert (session.candidates_per_invigilator, session.min_invigilators_per_room) == (15, 2)
    assert [r.room_id for r in session.rooms] == [room.id for room in world.rooms]
    codes = [r.room_code for r in session.rooms]
    assert len(set(codes)) == 2
    assert all(len(code) == 6 and set(code) <= set(ROOM_CODE_ALPHABET) for code in codes)
    assert not set("0O1IL2Z5S8B") & set(ROOM_CODE_ALPHABET)
    entry = audit_entries("exams.session_created")[-1]
    assert entry.object_id == str(session.id) and json.loads(entry.after)["name"] == values["name"]


def test_every_problem_of_a_session_is_reported_at_once_and_nothing_is_stored(world):
    other_site = operations.save_site(
        world.body, None, {"serial": "000002", "name": "第二考点", "address": "天津", "active": False}
    )
    other_room = operations.save_room(other_site, None, {"name": "外考场", "seats": 5})
    draft = make_blueprint(world.bank, approve=False)
    opens = now_utc() + timedelta(days=1)
    values = session_values(
        world, name=" ", occupation_id=999_999, level_ordinal=1, blueprint_id=draft.id,
        room_ids=[world.rooms[0].id, other_room.id], opens_at=opens, closes_at=opens - timedelta(hours=1),
        duration_minutes=60, expiry_policy="sometimes", candidates_per_invigilator=30, min_invigilators_per_room=1,
    )  # fmt: skip
    with pytest.raises(Refused) as refused:
        sessions_ops.create_session(world.body, values, world.admin)
    db.session.rollback()
    codes = {p.field: p.code for p in refused.value.problems}
    assert codes == {
        "name": "session_value_required",
        "occupation_id": "session_occupation_not_filed",
        "level_ordinal": "session_level_invalid",
        "blueprint_id": "session_blueprint_not_approved",
        "room_ids": "session_room_not_of_site",
        "closes_at": "session_window_order",
        "duration_minutes": "session_duration_short",
        "expiry_policy": "session_expiry_unknown",
        "candidates_per_invigilator": "session_per_invigilator",
        "min_invigilators_per_room": "session_min_per_room",
    }
    message = texts(refused.value)
    assert "at least 90 minutes" in message and "at most 15 candidates per invigilator" in message
    assert count_rows(ExamSession) == 0


def test_the_blueprint_must_fit_the_occupation_and_level_and_the_site_be_active(world):
    inactive = operations.save_site(
        world.body, None, {"serial": "000003", "name": "停用考点", "address": "上海", "active": False}
    )
    room = operations.save_room(inactive, None, {"name": "甲", "seats": 3})
    db.session.commit()
    with pytest.raises(Refused) as refused:
        sessions_ops.create_session(world.body, session_values(world, level_ordinal=3), world.admin)
    assert [p.code for p in refused.value.problems] == ["session_blueprint_mismatch"]
    db.session.rollback()
    values = session_values(world, site_id=inactive.id, room_ids=[room.id])
    with pytest.raises(Refused) as refused:
        sessions_ops.create_session(world.body, values, world.admin)
    assert "停用考点 is not active" in texts(refused.value)


def test_the_window_must_open_in_the_future_and_hold_the_whole_duration(world):
    past = now_utc() - timedelta(minutes=5)
    with pytest.raises(Refused) as refused:
        values = session_values(world, opens_at=past, closes_at=past + timedelta(hours=3))
        sessions_ops.create_session(world.body, values, world.admin)
    assert [p.code for p in refused.value.problems] == ["session_opens_past"]
    opens = now_utc() + timedelta(days=1)
    with pytest.raises(Refused) as refused:
        values = session_values(world, opens_at=opens, closes_at=opens + timedelta(minutes=80))
        sessions_ops.create_session(world.body, values, world.admin)
    assert "80 minutes long, shorter than the 90-minute exam" in texts(refused.value)


def test_the_minimum_duration_and_the_staffing_rule_come_from_the_configuration(world, app):
    app.config["EXAM_MIN_DURATION_MINUTES"] = 60
    app.config["EXAM_CANDIDATES_PER_INVIGILATOR"] = 10
    app.config["EXAM_MIN_INVIGILATORS_PER_ROOM"] = 3
    assert sessions_ops.session_defaults()["candidates_per_invigilator"] == 10
    values = session_values(world, duration_minutes=60, candidates_per_invigilator=10, min_invigilators_per_room=3)
    session = sessions_ops.create_session(world.body, values, world.admin)
    assert session.duration_minutes == 60
    with pytest.raises(Refused) as refused:
        sessions_ops.create_session(world.body, session_values(world, duration_minutes=59), world.admin)
    codes = {p.code for p in refused.value.problems}
    assert codes == {"session_duration_short", "session_per_invigilator", "session_min_per_room"}


def test_a_grace_period_needs_its_minutes_and_other_policies_keep_none(world):
    with pytest.raises(Refused) as refused:
        sessions_ops.create_session(world.body, session_values(world, expiry_policy="grace"), world.admin)
    assert [p.field for p in refused.value.problems] == ["grace_minutes"]
    session = sessions_ops.create_session(
        world.body, session_values(world, expiry_policy="grace", grace_minutes=10), world.admin
    )
    assert (session.expiry_policy, session.grace_minutes) == (ExpiryPolicy.GRACE, 10)
    other = sessions_ops.create_session(
        world.body, session_values(world, expiry_policy="abandon", grace_minutes=10), world.admin
    )
    assert (other.expiry_policy, other.grace_minutes) == (ExpiryPolicy.ABANDON, 0)


def _edit(session: ExamSession, **changes) -> dict:
    values = {
        "name": session.name, "occupation_id": session.occupation_id, "level_ordinal": session.level_ordinal,
        "blueprint_id": session.blueprint_id, "site_id": session.site_id,
        "room_ids": [r.room_id for r in session.rooms], "opens_at": session.opens_at,
        "closes_at": session.closes_at, "duration_minutes": session.duration_minutes,
        "expiry_policy": session.expiry_policy, "grace_minutes": session.grace_minutes,
        "candidates_per_invigilator": session.candidates_per_invigilator,
        "min_invigilators_per_room": session.min_invigilators_per_room,
    }  # fmt: skip
    return {**values, **changes}


def test_editing_changes_the_session_and_audits_before_and_after(world):
    session = sessions_ops.create_session(world.body, session_values(world), world.admin)
    later = session.opens_at + timedelta(hours=1)
    sessions_ops.update_session(
        session, _edit(session, name="改名", opens_at=later, closes_at=later + timedelta(hours=3)), world.admin
    )
    db.session.commit()
    assert session.name == "改名" and session.opens_at == later
    entry = audit_entries("exams.session_updated")[-1]
    assert json.loads(entry.before)["name"] != json.loads(entry.after)["name"] == "改名"


def test_timing_is_locked_once_papers_exist_and_the_refusal_says_so(world):
    session = sessions_ops.create_session(world.body, session_values(world), world.admin)
    session.papers_generated_at = datetime(2026, 1, 5, 2, 30, tzinfo=UTC)
    db.session.commit()
    with pytest.raises(Refused) as refused:
        sessions_ops.update_session(session, _edit(session, duration_minutes=100), world.admin)
    assert [(p.field, p.code) for p in refused.value.problems] == [("duration_minutes", "session_locked_papers")]
    assert "Papers were generated at 2026-01-05 10:30" in texts(refused.value)
    db.session.rollback()
    # the rest may still change
    sessions_ops.update_session(session, _edit(session, name="新名称", expiry_policy="abandon"), world.admin)
    assert session.expiry_policy is ExpiryPolicy.ABANDON


def test_after_the_window_opened_only_the_name_may_change_and_the_refusal_names_the_opening(world):
    session = sessions_ops.create_session(world.body, session_values(world), world.admin)
    db.session.commit()
    with frozen(session.opens_at + timedelta(minutes=5)):
        with pytest.raises(Refused) as refused:
            sessions_ops.update_session(
                session, _edit(session, closes_at=session.closes_at + timedelta(hours=1), expiry_policy="abandon"),
                world.admin,
            )  # fmt: skip
        db.session.rollback()
        assert {p.code for p in refused.value.problems} == {"session_locked_opened"}
        assert {p.field for p in refused.value.problems} == {"closes_at", "expiry_policy"}
        assert "The window opened at" in texts(refused.value)
        sessions_ops.update_session(session, _edit(session, name="开考后改名"), world.admin)
        assert session.name == "开考后改名"


def test_rooms_with_candidates_cannot_be_removed_and_new_rooms_get_codes(world):
    session = sessions_ops.create_session(world.body, session_values(world, room_ids=[world.rooms[0].id]), world.admin)
    enrolment_ops.enrol_from_applications(session, [world.applications[0].id], world.admin)
    db.session.commit()
    with pytest.raises(Refused) as refused:
        sessions_ops.update_session(session, _edit(session, room_ids=[world.rooms[1].id]), world.admin)
    assert "第1考场 still has candidates" in texts(refused.value)
    db.session.rollback()
    sessions_ops.update_session(session, _edit(session, room_ids=[r.id for r in world.rooms]), world.admin)
    db.session.commit()
    assert len(session.rooms) == 2 and session.rooms[1].room_code
    sessions_ops.update_session(session, _edit(session, room_ids=[world.rooms[0].id]), world.admin)
    assert [r.room_id for r in session.rooms] == [world.rooms[0].id]


def test_occupation_and_level_are_locked_once_candidates_are_enrolled(world):
    session = sessions_ops.create_session(world.body, session_values(world), world.admin)
    enrolment_ops.enrol_from_applications(session, [world.applications[0].id], world.admin)
    level3 = make_blueprint(world.bank)
    level3.level_ordinal = 3
    db.session.commit()
    with pytest.raises(Refused) as refused:
        sessions_ops.update_session(session, _edit(session, level_ordinal=3, blueprint_id=level3.id), world.admin)
    assert [(p.field, p.code) for p in refused.value.problems] == [("level_ordinal", "session_locked_enrolled")]


def test_a_retired_blueprint_is_refused(world):
    world.blueprint.state = BlueprintState.RETIRED
    db.session.commit()
    with pytest.raises(Refused) as refused:
        sessions_ops.create_session(world.body, session_values(world), world.admin)
    assert [p.code for p in refused.value.problems] == ["session_blueprint_not_approved"]


def test_rules_status_staffing_seats_forms_and_tickets():
    opens = datetime(2026, 6, 1, 1, tzinfo=UTC)
    closes = opens + timedelta(hours=3)
    assert session_status(opens, closes, opens - timedelta(seconds=1)) is SessionStatus.UPCOMING
    assert session_status(opens, closes, opens) is SessionStatus.OPEN
    assert session_status(opens, closes, closes) is SessionStatus.FINISHED
    assert [invigilators_needed(n, 15, 2) for n in (0, 1, 30, 31, 46)] == [0, 2, 2, 3, 4]
    plan = allocate_seats([RoomSeats(1, 3, frozenset({2})), RoomSeats(2, 2)], 3)
    assert plan.seats == [(1, 1), (1, 3), (2, 1)] and plan.missing == 0
    assert allocate_seats([RoomSeats(1, 3)], 5).missing == 2
    assert [form_for_seat(s, ["A", "B"]) for s in range(1, 6)] == ["A", "B", "A", "B", "A"]
    assert [form_for_seat(s, ["A", "B", "C"]) for s in range(1, 5)] == ["A", "B", "C", "A"]
    assert ticket_number(2026, 7, 12) == "202600070012"
