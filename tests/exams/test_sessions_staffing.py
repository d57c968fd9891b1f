"""Invigilators per room through the recusal engine: assignments for every candidate of the room, re-checked when a
candidate is enrolled into or moved to a staffed room, every blocked pair named with every reason; the staffing
rule (≥ max(min per room, ceil(candidates / per invigilator))) per room."""

from __future__ import annotations

import json
from datetime import date

import pytest
import sqlalchemy as sa

from certify.auth.models import Role
from certify.core.db import db
from certify.core.errors import Refused
from certify.exams import enrolment_ops, papers_ops, room_staff_ops
from certify.exams.models import ExamAttempt, RoomInvigilator
from certify.exams.room_staff_ops import InvigilatorBlocked
from certify.recusal import training
from certify.recusal.models import Assignment
from tests.bank.test_blueprints_support import count_rows
from tests.bank.world import LEVEL
from tests.exams.test_sessions_support import audit_entries, sessions_world, texts
from tests.exams.world import declare_none
from tests.factories import make_user


@pytest.fixture
def world(app):
    world = sessions_world(candidates=4)
    enrolment_ops.enrol_from_applications(world.session, [a.id for a in world.applications], world.admin)
    db.session.commit()
    return world


def _trainer(world, trainee_index: int = 0):
    """An invigilator (with a declaration) who trained one of the candidates in a training class."""
    trainer = make_user("trainerinv", Role.INVIGILATOR, Role.TRAINER, body=world.body)
    declare_none(trainer)
    training.save_class(
        world.body, training.institution_named("某培训学校"), "文物修复师高级工考前培训班", world.bank.occupation,
        LEVEL, date(2026, 1, 5), date(2026, 2, 28), trainers=[trainer.person_id],
        trainees=[world.candidates[trainee_index].person_id],
    )  # fmt: skip
    db.session.commit()
    return trainer


def _assignments(person_id: int) -> list[Assignment]:
    stmt = sa.select(Assignment).where(Assignment.person_id == person_id).order_by(Assignment.id)
    return list(db.session.execute(stmt).scalars())


def test_an_invigilator_is_assigned_through_the_engine_for_every_candidate_of_the_room(world):
    room = world.session.rooms[0]
    invigilator = world.invigilators[0]
    row = room_staff_ops.assign_invigilator(room, invigilator.person_id, world.admin)
    db.session.commit()
    assert row.session_room_id == room.id
    assigned = _assignments(invigilator.person_id)
    assert sorted(a.candidate_person_id for a in assigned) == sorted(a.candidate_person_id for a in room.attempts)
    assert {(a.context_type, a.context_id) for a in assigned} == {("exam_session", world.session.id)}
    assert json.loads(audit_entries("exams.invigilator_assigned")[-1].after)["candidates"] == 3


def test_an_invigilator_who_trained_a_candidate_is_blocked_with_every_reason_and_nothing_is_stored(world):
    trainer = _trainer(world)
    with pytest.raises(InvigilatorBlocked) as blocked:
        room_staff_ops.assign_invigilator(world.session.rooms[0], trainer.person_id, world.admin)
    db.session.rollback()
    pairs = blocked.value.pairs
    assert [(p.invigilator, p.candidate, p.room) for p in pairs] == [("Trainerinv", "Scand1", "第1考场")]
    english = " ".join(r.message("en") for r in pairs[0].reasons)
    chinese = " ".join(r.message("zh_CN") for r in pairs[0].reasons)
    assert "文物修复师高级工考前培训班" in english and "培训" in chinese
    assert count_rows(RoomInvigilator) == 0 and _assignments(trainer.person_id) == []
    # the other room has none of their trainees
    room_staff_ops.assign_invigilator(world.session.rooms[1], trainer.person_id, world.admin)
    db.session.commit()
    assert count_rows(RoomInvigilator) == 1


def test_a_candidate_enrolled_or_moved_into_a_room_with_a_conflicting_invigilator_is_refused(app):
    world = sessions_world(candidates=4, seats=4)
    trainer = _trainer(world, trainee_index=3)
    first, second = world.session.rooms
    enrolment_ops.enrol_from_applications(world.session, [a.id for a in world.applications[:3]], world.admin)
    room_staff_ops.assign_invigilator(first, trainer.person_id, world.admin)
    db.session.commit()
    with pytest.raises(InvigilatorBlocked) as blocked:
        enrolment_ops.enrol_from_applications(world.session, [world.applications[3].id], world.admin)
    db.session.rollback()
    assert [(p.invigilator, p.candidate) for p in blocked.value.pairs] == [("Trainerinv", "Scand4")]
    assert count_rows(ExamAttempt) == 3
    attempt = enrolment_ops.enrol_from_applications(world.session, [world.applications[3].id], world.admin, second)[0]
    db.session.commit()
    with pytest.raises(InvigilatorBlocked):
        enrolment_ops.move_candidate(attempt, first, None, world.admin)
    db.session.rollback()
    assert db.session.get(ExamAttempt, attempt.id).session_room_id == second.id


def test_moving_a_candidate_away_ends_the_old_rooms_assignments_and_checks_the_new_room(world):
    first, second = world.session.rooms
    inv_a, inv_b = world.invigilators[0], world.invigilators[2]
    room_staff_ops.assign_invigilator(first, inv_a.person_id, world.admin)
    room_staff_ops.assign_invigilator(second, inv_b.person_id, world.admin)
    db.session.commit()
    moving = first.attempts[0]
    enrolment_ops.move_candidate(moving, second, None, world.admin)
    db.session.commit()
    old = [a for a in _assignments(inv_a.person_id) if a.candidate_person_id == moving.candidate_person_id]
    new = [a for a in _assignments(inv_b.person_id) if a.candidate_person_id == moving.candidate_person_id]
    assert [a.ended_at is not None for a in old] == [True]
    assert [a.ended_at is None for a in new] == [True]


def test_only_invigilators_of_the_body_once_per_session_and_with_a_declaration(world):
    room, other = world.session.rooms
    supervisor = world.supervisor
    with pytest.raises(Refused) as refused:
        room_staff_ops.assign_invigilator(room, supervisor.person_id, world.admin)
    assert "holds the invigilator role" in texts(refused.value)
    invigilator = world.invigilators[0]
    room_staff_ops.assign_invigilator(room, invigilator.person_id, world.admin)
    for target, words in ((room, "already invigilates 第1考场."), (other, "in this session; remove them there")):
        with pytest.raises(Refused) as refused:
            room_staff_ops.assign_invigilator(target, invigilator.person_id, world.admin)
        assert words in texts(refused.value)
    undeclared = make_user("nodecl", Role.INVIGILATOR, body=world.body)
    with pytest.raises(Refused) as refused:
        room_staff_ops.assign_invigilator(room, undeclared.person_id, world.admin)
    assert [p.code for p in refused.value.problems] == ["declaration_required"]


def test_removing_an_invigilator_ends_their_assignments_and_shows_the_shortfall(world):
    room = world.session.rooms[0]
    for user in world.invigilators[:2]:
        room_staff_ops.assign_invigilator(room, user.person_id, world.admin)
    db.session.commit()
    assert papers_ops.staffing(world.session)[0].short == 0
    room_staff_ops.remove_invigilator(room, world.invigilators[0].person_id, world.admin)
    db.session.commit()
    assert all(a.ended_at is not None for a in _assignments(world.invigilators[0].person_id))
    staffing = papers_ops.staffing(world.session)
    assert [(s.room, s.candidates, s.invigilators, s.needed, s.short) for s in staffing] == [
        ("第1考场", 3, 1, 2, 1), ("第2考场", 1, 0, 2, 2),
    ]  # fmt: skip
    assert json.loads(audit_entries("exams.invigilator_removed")[-1].before)["name"] == "Sinv1"
    with pytest.raises(Refused):
        room_staff_ops.remove_invigilator(room, world.invigilators[0].person_id, world.admin)


def test_the_staffing_rule_counts_candidates_per_invigilator(app):
    world = sessions_world(candidates=5, seats=5)
    world.session.candidates_per_invigilator = 2
    enrolment_ops.enrol_from_applications(world.session, [a.id for a in world.applications], world.admin)
    db.session.commit()
    assert [(s.candidates, s.needed) for s in papers_ops.staffing(world.session)] == [(5, 3), (0, 0)]


def test_a_running_room_cannot_lose_an_invigilator_it_needs(app):
    from tests.exams.world import exam_world

    running = exam_world(candidates=2)  # the window opened two hours ago; two invigilators in room 1
    room = running.session_rooms[0]
    with pytest.raises(Refused) as refused:
        room_staff_ops.remove_invigilator(room, running.invigilators[0].person_id, running.admin)
    problem = refused.value.problems[0]
    assert problem.code == "session_invigilator_removal_short" and problem.params["needed"] == 2
    db.session.rollback()
    assert len(db.session.get(type(room), room.id).invigilators) == 2
