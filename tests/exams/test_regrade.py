"""Regrade after a key correction: a dry run shows every change and writes nothing; applying re-scores the
stored responses, records the regrade and puts the corrected version in force for the session."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import sqlalchemy as sa

from certify.bank import lifecycle, questions_ops
from certify.core.db import db
from certify.core.errors import Refused
from certify.exams import regrade_ops
from certify.exams.models import AttemptAnswer, Regrade
from certify.supervision.models import AuditEntry
from question_bank.model import Question
from tests.exams.marking_world import FULL, position_of, sit
from tests.exams.world import QUESTIONS, exam_world

D = Decimal
SINGLE = 1  # the single-choice question (20 points), keyed A


def corrected(world, question_index: int = SINGLE, answer=("B",), approve: bool = True):
    """A new version of a world question with another key, approved by the reviewer (unless told not to)."""
    paper_item = world.papers["A"].items[question_index]
    bank_question = paper_item.version.question
    old = QUESTIONS[question_index][0]
    content = Question(old.qtype, old.stem, options=old.options, answer=answer, point_code=old.point_code,
                       difficulty=old.difficulty)  # fmt: skip
    version = questions_ops.edit_question(bank_question, content, world.bank.author, note="答案更正")
    if approve:
        lifecycle.submit_version(version, world.bank.author)
        lifecycle.approve_version(version, world.bank.reviewer)
    db.session.commit()
    return version


def _world():
    world = exam_world(candidates=5)
    sit(world.attempts[0], FULL)  # A: right under the old key
    sit(world.attempts[1], FULL)  # form B, A as well
    sit(world.attempts[2], {**FULL, SINGLE: ["B"]})  # right under the corrected key
    sit(world.attempts[3], {0: "true"})  # did not answer the question
    return world


def _count(model) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def test_the_dry_run_shows_every_change_and_totals_and_writes_nothing(app):
    world = _world()
    version = corrected(world)
    paper = world.papers["A"]
    plan = regrade_ops.regrade(world.session, paper, 2, version, "答案应为B", world.admin)
    db.session.commit()
    # form A is sat by attempts 0 and 2 (4 is not handed in yet)
    assert [(c.attempt_id, c.points_before, c.points_after) for c in plan.changes] == [
        (world.attempts[0].id, D(20), D(0)),
        (world.attempts[2].id, D(0), D(20)),
    ]
    assert [(c.objective_before, c.objective_after) for c in plan.changes] == [(D(70), D(50)), (D(50), D(70))]
    assert (plan.totals.attempts, plan.totals.changed, plan.totals.raised, plan.totals.lowered) == (2, 2, 1, 1)
    assert plan.totals.net == 0 and plan.regrade is None and plan.old_version.number == 1
    assert _count(Regrade) == 0
    assert world.attempts[0].objective_score == D(70)
    assert db.session.execute(sa.select(AuditEntry).where(AuditEntry.action == "marking.regraded")).first() is None


def test_applying_rescores_records_and_audits_and_later_scoring_uses_the_corrected_version(app):
    world = _world()
    version = corrected(world)
    paper_b = world.papers["B"]
    position = position_of(world.attempts[1], SINGLE)
    dry = regrade_ops.regrade(world.session, paper_b, position, version, "答案应为B", world.admin)
    plan = regrade_ops.regrade(
        world.session, paper_b, position, version, "答案应为B", world.admin, dry_run=False, expected_digest=dry.digest
    )
    db.session.commit()
    regrade = db.session.execute(sa.select(Regrade)).scalar_one()
    pinned = paper_b.items[position - 1].version
    assert (regrade.old_version_id, regrade.new_version_id, regrade.reason) == (pinned.id, version.id, "答案应为B")
    assert json.loads(regrade.diff) == [c.as_dict() for c in plan.changes]
    assert [c.attempt_id for c in plan.changes] == [world.attempts[1].id]  # attempt 4 left it unanswered
    db.session.refresh(world.attempts[1])
    assert world.attempts[1].objective_score == D(50)
    stored = db.session.get(AttemptAnswer, (world.attempts[1].id, position))
    assert stored.points == 0
    assert world.attempts[0].objective_score == D(70)  # form A is another paper: untouched
    entry = db.session.execute(sa.select(AuditEntry).where(AuditEntry.action == "marking.regraded")).scalar_one()
    assert entry.object_id == str(regrade.id)
    # the corrected version is now the one in force at that position: applying it again is refused
    with pytest.raises(Refused) as refused:
        regrade_ops.regrade(world.session, paper_b, position, version, "再次", world.admin)
    assert [p.code for p in refused.value.problems] == ["marking_regrade_same_version"]


def test_a_candidate_handing_in_after_the_regrade_is_scored_with_the_corrected_key(app):
    world = exam_world(candidates=4)
    sit(world.attempts[0], FULL)
    version = corrected(world)
    regrade_ops.regrade(world.session, world.papers["A"], 2, version, "答案应为B", world.admin, dry_run=False)
    db.session.commit()
    sit(world.attempts[2], {SINGLE: ["B"]})  # form A, after the regrade
    assert world.attempts[2].objective_score == D(20)
    db.session.refresh(world.attempts[0])
    assert world.attempts[0].objective_score == D(50)


def test_refusals_name_every_problem(app):
    world = _world()
    version = corrected(world)
    draft = corrected(world, question_index=0, answer=("false",), approve=False)
    paper = world.papers["A"]
    cases = [
        ((paper, 1, version, "r"), ["marking_regrade_other_question"]),
        ((paper, 2, paper.items[1].version, "r"), ["marking_regrade_same_version"]),
        ((paper, 1, draft, "r"), ["marking_regrade_version_not_approved"]),
        ((paper, 2, version, "  "), ["marking_reason_required"]),
        ((paper, 5, version, "r"), ["marking_regrade_other_question", "marking_regrade_hand_marked"]),
        ((paper, 9, version, "r"), ["marking_regrade_position_unknown"]),
        ((paper, 2, None, ""), ["marking_regrade_version_required", "marking_reason_required"]),
        ((None, 2, version, "r"), ["marking_regrade_paper_unknown"]),
        ((paper, 3, None, "r"), ["marking_regrade_no_other_version"]),  # no other approved version exists
    ]
    for (paper_arg, position, new, reason), codes in cases:
        with pytest.raises(Refused) as refused:
            regrade_ops.regrade(world.session, paper_arg, position, new, reason, world.admin, dry_run=False)
        assert [p.code for p in refused.value.problems] == codes, (position, codes)
        db.session.rollback()
    with pytest.raises(Refused) as refused:
        regrade_ops.regrade(world.session, paper, 2, version, "r", world.admin, dry_run=False, expected_digest="0" * 16)
    assert [p.code for p in refused.value.problems] == ["marking_regrade_diff_changed"]
    db.session.rollback()
    assert _count(Regrade) == 0
    # the refusal names both questions, as every version is numbered within its own question
    with pytest.raises(Refused) as refused:
        regrade_ops.regrade(world.session, paper, 1, version, "r", world.admin)
    problem = refused.value.problems[0]
    assert problem.params == {"number": 2, "question": version.question_id, "expected": paper.items[0].question_id}
