"""Objective scoring at submit: every type from the pinned version, scaled to the paper's points, unanswered
items 0, pretest items nothing, idempotent; a paper without hand-marked items has its theory score at once."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from certify.bank.models import PaperItem
from certify.core.db import db
from certify.exams import marking_ops
from certify.exams.models import AttemptAnswer, AttemptState
from certify.supervision.models import AuditEntry
from tests.exams.marking_world import FULL, position_of, sit
from tests.exams.world import exam_world

D = Decimal


def _points(attempt) -> dict[int, Decimal | None]:
    rows = db.session.execute(sa.select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id)).scalars()
    return {row.position: row.points for row in rows}


def _audits(action: str) -> int:
    return db.session.execute(sa.select(sa.func.count()).where(AuditEntry.action == action)).scalar_one()


def test_full_marks_on_both_forms_score_the_seventy_objective_points(app):
    world = exam_world(candidates=2)
    for attempt in world.attempts:
        sit(attempt, FULL)
    for attempt in world.attempts:
        assert attempt.objective_score == D(70)
        assert attempt.scored_at is not None
        # hand-marked answers wait for the markers; the theory score waits for the lock
        assert attempt.hand_score is None and attempt.theory_score is None
        points = _points(attempt)
        assert points[position_of(attempt, 4)] is None and points[position_of(attempt, 5)] is None
        assert points[position_of(attempt, 1)] == D(20)


def test_each_objective_type_scores_from_the_stored_response(app):
    world = exam_world(candidates=4)
    cases = [
        # true/false right; single wrong; multiple a correct subset (all or nothing); fill-in an alternative
        ({0: "true", 1: ["B"], 2: ["A", "B"], 3: ["CuCl"]}, {0: 10, 1: 0, 2: 0, 3: 20}),
        # false; the key as a string; every option picked; case ignored
        ({0: "false", 1: "A", 2: ["A", "B", "C", "D"], 3: ["cucl"]}, {0: 0, 1: 20, 2: 0, 3: 20}),
        # nothing answered at all
        ({}, {}),
        # malformed values never break the submit and score nothing
        ({0: {"x": 1}, 1: 7, 2: [["A"]], 3: ["铜"]}, {0: 0, 1: 0, 2: 0, 3: 0}),
    ]
    for attempt, (responses, _expected) in zip(world.attempts, cases, strict=True):
        sit(attempt, responses)
    for attempt, (_responses, expected) in zip(world.attempts, cases, strict=True):
        points = _points(attempt)
        for question, value in expected.items():
            assert points[position_of(attempt, question)] == D(value), (attempt.paper.form, question)
        assert attempt.objective_score == D(sum(expected.values()))


def test_pretest_items_are_delivered_but_score_nothing(app):
    world = exam_world(candidates=1)
    attempt = world.attempts[0]
    pretest = db.session.get(PaperItem, (attempt.paper_id, position_of(attempt, 1)))
    pretest.scored = False
    db.session.commit()
    sit(attempt, FULL)
    assert attempt.objective_score == D(50)
    assert _points(attempt)[pretest.position] is None


def test_scoring_again_changes_and_audits_nothing(app):
    world = exam_world(candidates=1)
    attempt = world.attempts[0]
    sit(attempt, {0: "true", 2: ["A", "B", "C"]})
    assert attempt.objective_score == D(30)
    scored_at, audits = attempt.scored_at, _audits("exams.objective_scored")
    assert audits == 1
    for _ in range(3):
        assert marking_ops.score_objective(attempt) == D(30)
    db.session.commit()
    assert attempt.scored_at == scored_at
    assert _audits("exams.objective_scored") == audits


def test_an_attempt_not_handed_in_is_not_scored(app):
    world = exam_world(candidates=2)
    sit(world.attempts[0], FULL, state=AttemptState.TERMINATED)
    assert world.attempts[0].objective_score is None
    assert marking_ops.score_objective(world.attempts[1]) is None  # still in progress


def test_without_hand_marked_items_the_theory_score_follows_scaled_to_a_hundred(app):
    world = exam_world(candidates=2)
    for paper in world.papers.values():
        for item in paper.items:
            if item.type_key in ("short_answer", "essay"):
                item.scored = False  # delivered as pretest: the scored paper is the 70 objective points
    db.session.commit()
    sit(world.attempts[0], FULL, state=AttemptState.AUTO_SUBMITTED)
    sit(world.attempts[1], {0: "true", 1: ["A"], 3: ["氯化亚铜"]})  # 50 of 70
    assert world.attempts[0].objective_score == D(70) and world.attempts[0].theory_score == D(100)
    assert world.attempts[1].objective_score == D(50) and world.attempts[1].theory_score == D("71.5")
    assert world.session.scores_locked_at is None  # only the lock fixes it


def _statements(run) -> int:
    seen = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        run()
        db.session.flush()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def test_scoring_at_submit_takes_the_same_few_statements_however_long_the_paper(app):
    world = exam_world(candidates=3)
    long_paper = world.papers["A"]
    first = long_paper.items[0]
    for position in range(7, 87):  # 80 more true/false items on form A
        db.session.add(
            PaperItem(
                paper_id=long_paper.id, position=position, question_id=first.question_id, version_id=first.version_id,
                type_key="true_false", points=D(1), cell=first.cell, point_code=first.point_code, difficulty=3.0,
            )
        )  # fmt: skip
    db.session.commit()
    short, long = world.attempts[1], world.attempts[2]  # forms B (6 items) and A (86 items)
    counts = []
    for attempt, extra in ((short, {}), (long, dict.fromkeys(range(7, 87), "true"))):
        sit(attempt, FULL)  # scored once at submit; score afresh below to count the statements
        for position, value in extra.items():
            db.session.add(AttemptAnswer(attempt_id=attempt.id, position=position, seq=1, value=f'"{value}"',
                                         saved_at=attempt.submitted_at))  # fmt: skip
        attempt.objective_score = None
        db.session.commit()
        counts.append(_statements(lambda a=attempt: marking_ops.score_objective(a)))
    assert long.objective_score == D(150)
    assert counts[1] <= counts[0] + 2 and counts[1] <= 15, counts


def test_the_blueprint_can_give_partial_credit_to_a_correct_subset_of_a_multiple_choice(app):
    world = exam_world(candidates=2)
    world.session.run.spec = '{"multiple_choice_credit": "partial"}'
    db.session.commit()
    subset, wrong = world.attempts
    sit(subset, {2: ["A", "B"]})  # two of the three right options, no wrong one: half the points
    sit(wrong, {2: ["A", "D"]})  # a wrong option earns nothing, partial credit or not
    assert _points(subset)[position_of(subset, 2)] == D(10)
    assert _points(wrong)[position_of(wrong, 2)] == D(0)
