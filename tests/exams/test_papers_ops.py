"""Papers before the session opens: assembled from the blueprint (≥ 2 forms) or taken from an unused run, one form
per seat so neighbours differ, a personal seed per candidate, the run marked used; refused after the window
opened, without candidates, while a room is short of invigilators (naming it) or when the assembly fails (with
the assembly's own reasons). Regenerating replaces the run and releases the old one."""

from __future__ import annotations

import itertools
import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from certify.bank import assembly_ops
from certify.bank.models import QuestionVersion, VersionState
from certify.core.clock import frozen
from certify.core.db import db
from certify.core.errors import Refused
from certify.exams import enrolment_ops, papers_ops, room_staff_ops
from certify.exams.session_rules import candidate_seed
from tests.exams.test_sessions_support import audit_entries, sessions_world, staff_rooms, texts


@pytest.fixture
def world(app):
    world = sessions_world(candidates=4)
    enrolment_ops.enrol_from_applications(world.session, [a.id for a in world.applications], world.admin)
    db.session.commit()
    staff_rooms(world)
    return world


def test_papers_are_generated_for_every_candidate_with_neighbours_on_different_forms(world):
    session = papers_ops.generate_papers(world.session, world.admin, seed="s-1")
    db.session.commit()
    run = session.run
    assert session.run_id == run.id and session.papers_generated_at is not None
    assert run.seed == "s-1" and [p.form for p in run.papers] == ["A", "B"] and run.candidates == 4
    assert run.session_label.endswith(f"(#{session.id})") and run.session_on == session.opens_at
    for room in session.rooms:
        forms = [a.paper.form for a in sorted(room.attempts, key=lambda a: a.seat)]
        assert all(a != b for a, b in itertools.pairwise(forms)), forms
    seeds = [a.candidate_seed for a in session.attempts]
    assert len(set(seeds)) == 4 and seeds[0] == candidate_seed("s-1", session.attempts[0].ticket_number)
    after = json.loads(audit_entries("exams.papers_generated")[-1].after)
    assert after == {"run": run.id, "seed": "s-1", "how": "assembled", "forms": {"A": 3, "B": 1}, "candidates": 4}
    # a candidate enrolled after the papers gets the form of their seat at once
    late = enrolment_ops.move_candidate(session.rooms[0].attempts[0], session.rooms[1], None, world.admin)
    assert late.seat == 2 and late.paper.form == "B"


def test_regenerating_before_the_window_opens_replaces_the_run_and_releases_the_old_one(world):
    first = papers_ops.generate_papers(world.session, world.admin, seed="first").run
    db.session.commit()
    papers_ops.generate_papers(world.session, world.admin, seed="second")
    db.session.commit()
    assert world.session.run.seed == "second" and world.session.run_id != first.id
    assert first.session_label is None and first.session_on is None
    assert [p.candidates for p in first.papers] == [0, 0]
    assert {a.paper.run_id for a in world.session.attempts} == {world.session.run_id}
    released = audit_entries("exams.run_released")[-1]
    assert released.object_id == str(first.id) and json.loads(released.before)["candidates"] == [2, 2]
    assert json.loads(audit_entries("exams.papers_generated")[-1].before) == {"run": first.id}


def test_an_unused_run_of_the_blueprint_can_be_used_instead(world):
    run = assembly_ops.assemble_papers(world.blueprint, "ready", 2, "2026-12", 10, world.admin)
    db.session.commit()
    assert papers_ops.unused_runs(world.session) == [run]
    papers_ops.use_run(world.session, run, world.admin)
    db.session.commit()
    assert world.session.run_id == run.id and run.session_label is not None
    assert {a.paper.run_id for a in world.session.attempts} == {run.id}
    with pytest.raises(Refused) as refused:
        papers_ops.use_run(world.session, run, world.admin)
    assert "This run is already used for" in texts(refused.value)
    with pytest.raises(Refused) as refused:
        papers_ops.use_run(world.session, None, world.admin)
    assert [p.code for p in refused.value.problems] == ["session_run_unknown"]


def test_papers_are_refused_while_a_room_is_short_of_invigilators_naming_the_room(world):
    room_staff_ops.remove_invigilator(world.session.rooms[1], world.invigilators[3].person_id, world.admin)
    db.session.commit()
    with pytest.raises(Refused) as refused:
        papers_ops.generate_papers(world.session, world.admin)
    db.session.rollback()
    assert texts(refused.value) == "第2考场 has 1 invigilators for 1 candidates but needs 2."
    assert world.session.run_id is None


def test_papers_are_refused_without_candidates_and_after_the_window_opened(app):
    empty = sessions_world(candidates=1)
    with pytest.raises(Refused) as refused:
        papers_ops.generate_papers(empty.session, empty.admin)
    assert [p.code for p in refused.value.problems] == ["session_papers_no_candidates"]
    db.session.rollback()
    with frozen(empty.session.opens_at + timedelta(seconds=1)), pytest.raises(Refused) as refused:
        papers_ops.generate_papers(empty.session, empty.admin)
    assert {p.code for p in refused.value.problems} == {"session_papers_opened", "session_papers_no_candidates"}
    assert "papers can no longer be generated" in texts(refused.value)


def test_a_failing_assembly_refuses_with_the_assemblys_own_reasons(world):
    db.session.execute(
        sa.update(QuestionVersion).where(QuestionVersion.qtype == "multiple_choice").values(state=VersionState.RETIRED)
    )
    db.session.commit()
    with pytest.raises(Refused) as refused:
        papers_ops.generate_papers(world.session, world.admin)
    db.session.rollback()
    assert "Question type multiple_choice: 5 questions needed" in texts(refused.value)
    assert "short by 5" in texts(refused.value)
    assert world.session.run_id is None and world.session.attempts[0].paper_id is None


def test_a_seed_too_long_is_refused(world):
    with pytest.raises(Refused) as refused:
        papers_ops.generate_papers(world.session, world.admin, seed="x" * 101)
    assert [p.field for p in refused.value.problems] == ["seed"]
