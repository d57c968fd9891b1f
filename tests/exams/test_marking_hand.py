"""Hand-marking: markers through the recusal engine, independent marks kept (corrections supersede), the
adjudicator for marks further apart than the threshold, signatures, the lock and the item statistics."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from certify.bank.models import ItemStatistic, SessionStatistics
from certify.core.clock import local_date, now_utc
from certify.core.db import db
from certify.core.errors import Refused
from certify.exams import marking_ops, regrade_ops
from certify.exams import queries_marking as queries
from certify.exams.marking_rules import AnswerStatus
from certify.exams.models import HandMark, MarkerRole, SessionMarker
from certify.recusal import training
from certify.recusal.models import Assignment
from certify.recusal.operations import RecusalBlocked
from certify.supervision.models import AuditEntry
from tests.bank.world import LEVEL
from tests.exams.marking_world import ESSAY, FULL, SHORT_ANSWER, assign_markers, position_of, sit
from tests.exams.world import exam_world
from tests.factories import make_user

D = Decimal


def _codes(refused: Refused) -> list[str]:
    return [p.code for p in refused.problems]


def _sat(candidates: int = 4):
    world = exam_world(candidates=candidates)
    for attempt in world.attempts:
        sit(attempt, FULL)
    return world


def _mark(world, user, attempt, question, points, comment=""):
    mark = marking_ops.record_mark(attempt, position_of(attempt, question), user.person_id, points, comment, user)
    db.session.commit()
    return mark


def _status(world, attempt, question) -> AnswerStatus:
    board = queries.board(world.session)
    return board.find(queries.script_code(attempt.id), position_of(attempt, question)).status


def _mark_everything(world, points):
    for user, value in zip(world.markers[:2], points, strict=True):
        marker = queries.marker_of(world.session.id, user.person_id)
        for answer in queries.board(world.session).queue(marker):
            marking_ops.record_mark(answer.attempt, answer.item.position, user.person_id, value, "", user)
        db.session.commit()


def test_markers_are_assigned_through_the_recusal_engine_for_every_candidate(app):
    world = _sat()
    assign_markers(world)
    rows = db.session.execute(sa.select(SessionMarker).order_by(SessionMarker.id)).scalars().all()
    assert [(r.person_id, r.role) for r in rows] == [
        (world.markers[0].person_id, MarkerRole.MARKER),
        (world.markers[1].person_id, MarkerRole.MARKER),
        (world.leader.person_id, MarkerRole.ADJUDICATOR),
    ]
    assignments = (
        db.session.execute(
            sa.select(Assignment).where(
                Assignment.context_type == "exam_session", Assignment.context_id == world.session.id
            )
        )
        .scalars()
        .all()
    )
    assert {(a.person_id, a.candidate_person_id) for a in assignments} == {
        (r.person_id, c.person_id) for r in rows for c in world.candidates
    }


def test_a_marker_who_trained_candidates_is_refused_with_every_candidate_and_reason(app):
    world = _sat()
    today = local_date(now_utc())
    training.save_class(
        world.body, training.institution_named("示例培训学校二"), "修复档案培训班", world.bank.occupation, LEVEL,
        today - timedelta(days=200), today - timedelta(days=30),
        trainers=[world.markers[0].person_id], trainees=[world.candidates[1].person_id, world.candidates[2].person_id],
    )  # fmt: skip
    db.session.commit()
    with pytest.raises(marking_ops.MarkerBlocked) as blocked:
        marking_ops.assign_marker(world.session, world.markers[0].person_id, MarkerRole.MARKER, world.admin)
    db.session.commit()  # as the page does: the checks and the refusal stay on record
    assert [c.id for c, _verdict in blocked.value.blocked] == [
        world.candidates[1].person_id,
        world.candidates[2].person_id,
    ]
    assert all("trained_candidate" in [r.code for r in v.reasons] for _c, v in blocked.value.blocked)
    assert db.session.execute(sa.select(SessionMarker)).first() is None
    entry = db.session.execute(sa.select(AuditEntry).where(AuditEntry.action == "marking.marker_blocked")).scalar_one()
    assert entry.object_id == str(world.session.id)


def test_who_may_mark_and_adjudicate(app):
    world = _sat(2)
    stranger = make_user("nodeclaration", *world.markers[0].roles, body=world.body)
    refusals = {
        "marking_marker_role_missing": (world.supervisor.person_id, MarkerRole.MARKER),
        "marking_adjudicator_role_missing": (world.markers[0].person_id, MarkerRole.ADJUDICATOR),
        "marking_role_invalid": (world.markers[0].person_id, "chair"),
        "marking_person_unknown": (None, MarkerRole.MARKER),
        "declaration_required": (stranger.person_id, MarkerRole.MARKER),
    }
    for code, (person, role) in refusals.items():
        with pytest.raises(Refused) as refused:
            marking_ops.assign_marker(world.session, person, role, world.admin)
        assert code in _codes(refused.value)
        db.session.rollback()
    assign_markers(world, count=1)
    with pytest.raises(Refused) as refused:
        marking_ops.assign_marker(world.session, world.markers[0].person_id, MarkerRole.MARKER, world.admin)
    assert _codes(refused.value) == ["marking_marker_already_assigned"]
    db.session.rollback()
    other_leader = make_user("leader2", *world.leader.roles, body=world.body)
    with pytest.raises(Refused) as refused:
        marking_ops.assign_marker(world.session, other_leader.person_id, MarkerRole.ADJUDICATOR, world.admin)
    assert _codes(refused.value) == ["marking_adjudicator_taken"]


def test_marks_are_kept_a_correction_supersedes_and_only_the_marker_records_their_own(app):
    world = _sat(2)
    assign_markers(world)
    attempt, m1, m2 = world.attempts[0], world.markers[0], world.markers[1]
    first = _mark(world, m1, attempt, SHORT_ANSWER, "10", "要点不全")
    second = _mark(world, m1, attempt, SHORT_ANSWER, "12.5")
    marks = db.session.execute(sa.select(HandMark).order_by(HandMark.id)).scalars().all()
    assert [(m.points, m.superseded_by_id) for m in marks] == [(D(10), second.id), (D("12.5"), None)]
    assert first.comment == "要点不全" and second.check_id is not None
    with pytest.raises(Refused) as refused:
        marking_ops.record_mark(attempt, position_of(attempt, SHORT_ANSWER), m1.person_id, "1", "", m2)
    assert _codes(refused.value) == ["marking_own_marks_only"]
    db.session.rollback()
    for bad, code in (
        ("15.5", "marking_points_range"),
        ("7.25", "marking_points_step"),
        ("", "marking_points_required"),
    ):
        with pytest.raises(Refused) as refused:
            marking_ops.record_mark(attempt, position_of(attempt, ESSAY), m2.person_id, bad, "", m2)
        assert _codes(refused.value) == [code]
        db.session.rollback()
    with pytest.raises(Refused) as refused:  # an objective question is not hand-marked
        marking_ops.record_mark(attempt, position_of(attempt, 0), m2.person_id, "1", "", m2)
    assert _codes(refused.value) == ["marking_item_not_hand_marked"]


def test_marks_within_the_threshold_agree_on_the_mean(app):
    world = _sat(2)
    assign_markers(world)
    attempt = world.attempts[1]
    _mark(world, world.markers[0], attempt, ESSAY, "10")
    assert _status(world, attempt, ESSAY) is AnswerStatus.AWAITING_MARKS
    _mark(world, world.markers[1], attempt, ESSAY, "12.5")
    board = queries.board(world.session)
    answer = board.find(queries.script_code(attempt.id), position_of(attempt, ESSAY))
    assert answer.status is AnswerStatus.AGREED and answer.outcome.final == D("11.25")
    with pytest.raises(Refused) as refused:
        _mark(world, world.leader, attempt, ESSAY, "11", "不需要")
    assert _codes(refused.value) == ["marking_not_for_adjudication"]


def test_marks_further_apart_than_the_threshold_go_to_the_adjudicator_whose_mark_decides(app):
    world = _sat(2)
    assign_markers(world)
    attempt = world.attempts[0]
    _mark(world, world.markers[0], attempt, SHORT_ANSWER, "4")
    _mark(world, world.markers[1], attempt, SHORT_ANSWER, "8")  # 4 apart, threshold 3
    assert _status(world, attempt, SHORT_ANSWER) is AnswerStatus.AWAITING_ADJUDICATION
    leader = queries.marker_of(world.session.id, world.leader.person_id)
    assert [a.attempt.id for a in queries.board(world.session).queue(leader)] == [attempt.id]
    with pytest.raises(Refused) as refused:
        _mark(world, world.leader, attempt, SHORT_ANSWER, "7")
    assert _codes(refused.value) == ["marking_reason_required"]
    db.session.rollback()
    _mark(world, world.leader, attempt, SHORT_ANSWER, "7", "要点二、三均已答出")
    answer = queries.board(world.session).find(queries.script_code(attempt.id), position_of(attempt, SHORT_ANSWER))
    assert answer.status is AnswerStatus.ADJUDICATED and answer.outcome.final == D(7)


def test_a_blank_answer_scores_zero_without_marking(app):
    world = exam_world(candidates=2)
    sit(world.attempts[0], {**FULL, SHORT_ANSWER: "   "})
    sit(world.attempts[1], FULL)
    assign_markers(world)
    board = queries.board(world.session)
    blank = board.find(queries.script_code(world.attempts[0].id), position_of(world.attempts[0], SHORT_ANSWER))
    assert blank.status is AnswerStatus.BLANK and blank.outcome.final == 0
    marker = queries.marker_of(world.session.id, world.markers[0].person_id)
    assert len(board.queue(marker)) == 3
    with pytest.raises(Refused) as refused:
        _mark(world, world.markers[0], world.attempts[0], SHORT_ANSWER, "1")
    assert _codes(refused.value) == ["marking_answer_blank"]


def test_signatures_come_after_every_mark_and_the_adjudicator_signs_last(app):
    world = _sat(2)
    assign_markers(world)
    m1, m2, leader = world.markers[0], world.markers[1], world.leader
    _mark(world, m1, world.attempts[0], SHORT_ANSWER, "10")
    with pytest.raises(Refused) as refused:
        marking_ops.sign_marks(world.session, m1.person_id, m1)
    assert refused.value.problems[0].code == "marking_sign_outstanding"
    assert refused.value.problems[0].params == {"count": 3}
    db.session.rollback()
    _mark_everything(world, (D(12), D(11)))
    with pytest.raises(Refused) as refused:
        marking_ops.sign_marks(world.session, leader.person_id, leader)
    assert _codes(refused.value) == ["marking_sign_markers_first"]
    db.session.rollback()
    for user in (m1, m2, leader):
        marking_ops.sign_marks(world.session, user.person_id, user)
        db.session.commit()
    with pytest.raises(Refused) as refused:
        _mark(world, m1, world.attempts[0], SHORT_ANSWER, "9")
    assert _codes(refused.value) == ["marking_already_signed"]


def test_signing_and_locking_wait_until_nobody_can_still_sit(app):
    world = exam_world(candidates=3)
    sit(world.attempts[0], FULL)
    sit(world.attempts[1], FULL)  # the third candidate has not started and the window is open
    assign_markers(world)
    with pytest.raises(Refused) as refused:
        marking_ops.sign_marks(world.session, world.markers[0].person_id, world.markers[0])
    assert refused.value.problems[0].code == "marking_sitting_not_over"
    db.session.rollback()
    with pytest.raises(Refused) as refused:
        marking_ops.lock_scores(world.session, world.admin)
    assert _codes(refused.value) == ["marking_sitting_not_over"]


def test_the_lock_needs_final_marks_and_every_signature(app):
    world = _sat(2)
    assign_markers(world)
    with pytest.raises(Refused) as refused:
        marking_ops.lock_scores(world.session, world.admin)
    assert _codes(refused.value) == ["marking_lock_outstanding", "marking_lock_unsigned"]
    db.session.rollback()
    with pytest.raises(Refused) as refused:
        marking_ops.lock_scores(world.session, world.markers[0])  # an ordinary marker
    assert _codes(refused.value) == ["marking_lock_not_allowed"]


def test_locking_fixes_the_scores_feeds_the_statistics_and_refuses_every_later_change(app):
    world = _sat(4)
    assign_markers(world)
    _mark_everything(world, (D(12), D(11)))  # mean 11.5 on each of the two hand-marked answers
    for user in (*world.markers[:2], world.leader):
        marking_ops.sign_marks(world.session, user.person_id, user)
    db.session.commit()
    outcome = marking_ops.lock_scores(world.session, world.leader)  # the group leader may lock
    db.session.commit()
    assert world.session.scores_locked_at is not None and world.session.scores_locked_by_id == world.leader.id
    for attempt in world.attempts:
        db.session.refresh(attempt)
        assert (attempt.objective_score, attempt.hand_score, attempt.theory_score) == (D(70), D(23), D(93))
    sittings = db.session.execute(sa.select(SessionStatistics).order_by(SessionStatistics.id)).scalars().all()
    assert [s.id for s in sittings] == outcome["statistics"]
    assert [(s.paper.form, s.attempts) for s in sittings] == [("A", 2), ("B", 2)]
    items = db.session.execute(sa.select(ItemStatistic).where(ItemStatistic.session_id == sittings[0].id)).scalars()
    assert len(list(items)) == 6
    entry = db.session.execute(sa.select(AuditEntry).where(AuditEntry.action == "marking.scores_locked")).scalar_one()
    assert entry.object_id == str(world.session.id)
    attempt = world.attempts[0]
    with pytest.raises(Refused) as refused:
        marking_ops.record_mark(attempt, position_of(attempt, ESSAY), world.leader.person_id, "1", "x", world.leader)
    assert _codes(refused.value) == ["marking_scores_locked"]
    item = attempt.paper.items[1]
    with pytest.raises(Refused) as refused:
        regrade_ops.regrade(world.session, attempt.paper, item.position, item.version, "键", world.admin)
    assert _codes(refused.value) == ["marking_scores_locked"]
    with pytest.raises(Refused) as refused:
        marking_ops.lock_scores(world.session, world.admin)
    assert _codes(refused.value) == ["marking_already_locked"]
    assert marking_ops.score_objective(attempt) == D(70)


def test_a_session_without_hand_marked_items_locks_without_markers(app):
    world = exam_world(candidates=3)
    for paper in world.papers.values():
        for item in paper.items:
            if item.type_key in ("short_answer", "essay"):
                item.scored = False
    db.session.commit()
    for attempt in world.attempts:
        sit(attempt, FULL)
    with pytest.raises(Refused) as refused:
        marking_ops.assign_marker(world.session, world.markers[0].person_id, MarkerRole.MARKER, world.admin)
    assert _codes(refused.value) == ["marking_no_hand_marked_items"]
    db.session.rollback()
    outcome = marking_ops.lock_scores(world.session, world.admin)
    db.session.commit()
    assert [(a.hand_score, a.theory_score) for a in world.attempts] == [(None, D(100))] * 3
    # form A was sat twice, form B once: only form A has enough attempts for statistics
    sittings = db.session.execute(sa.select(SessionStatistics)).scalars().all()
    assert [s.paper.form for s in sittings] == ["A"] and outcome["statistics"] == [sittings[0].id]


def test_a_conflict_recorded_after_assignment_stops_the_mark(app):
    world = _sat(2)
    assign_markers(world)
    today = local_date(now_utc())
    training.save_class(
        world.body, training.institution_named("示例培训学校四"), "新开培训班", world.bank.occupation, LEVEL,
        today - timedelta(days=60), today - timedelta(days=5), trainers=[world.markers[0].person_id],
        trainees=[world.candidates[0].person_id],
    )  # fmt: skip
    db.session.commit()
    with pytest.raises(RecusalBlocked):
        _mark(world, world.markers[0], world.attempts[0], ESSAY, "5")
    db.session.rollback()
    _mark(world, world.markers[0], world.attempts[1], ESSAY, "5")  # another candidate: allowed


def test_diverging_marks_without_an_adjudicator_are_named_at_the_lock(app):
    world = _sat(2)
    assign_markers(world, adjudicator=False)
    _mark_everything(world, (D(2), D(9)))
    for user in world.markers[:2]:
        marking_ops.sign_marks(world.session, user.person_id, user)
    db.session.commit()
    with pytest.raises(Refused) as refused:
        marking_ops.lock_scores(world.session, world.admin)
    assert _codes(refused.value) == ["marking_lock_outstanding", "marking_no_adjudicator"]
    assert refused.value.problems[1].params == {"count": 4}
