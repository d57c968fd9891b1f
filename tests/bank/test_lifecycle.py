"""The lifecycle: draft → in review → active / pretest → retired, with four eyes on every decision."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from certify.auth.models import Role
from certify.bank import lifecycle, questions_ops
from certify.bank.models import QuestionReview, ReviewDecision, VersionState
from certify.core.db import db
from certify.core.errors import Refused
from certify.supervision.models import AuditEntry
from tests.bank.test_questions_ops import choice
from tests.bank.world import LEVEL, bank_world
from tests.factories import make_user


def codes(refused: Refused) -> list[str]:
    return [p.code for p in refused.problems]


def in_review(w, author=None, **changes):
    """A question by `author` (default the world's author) whose version 1 is in review."""
    bank_question = questions_ops.create_question(w.body, w.occupation, LEVEL, choice(**changes), author or w.author)
    lifecycle.submit_version(bank_question.latest, author or w.author)
    db.session.commit()
    return bank_question


def actions() -> list[str]:
    return list(db.session.execute(sa.select(AuditEntry.action).order_by(AuditEntry.seq)).scalars())


def test_submit_then_approve_makes_the_version_active_with_a_review_record(app):
    w = bank_world()
    bank_question = questions_ops.create_question(w.body, w.occupation, LEVEL, choice(), w.author)
    version = lifecycle.submit_version(bank_question.latest, w.author)
    assert version.state == VersionState.IN_REVIEW and version.submitted_at is not None

    lifecycle.approve_version(version, w.reviewer, comment="清楚")
    db.session.commit()
    assert version.state == VersionState.ACTIVE
    assert version.decided_by_id == w.reviewer.id and version.decided_at is not None
    review = db.session.execute(sa.select(QuestionReview)).scalar_one()
    assert (review.decision, review.reviewer_id, review.comment) == (ReviewDecision.APPROVE, w.reviewer.id, "清楚")
    assert bank_question.live is version
    assert {"bank.version_submitted", "bank.version_approved"} <= set(actions())


def test_nobody_approves_their_own_version(app):
    w = bank_world()
    # a reviewer who also writes questions: four eyes still needs someone else
    bank_question = in_review(w, author=w.reviewer)
    with pytest.raises(Refused) as refused:
        lifecycle.approve_version(bank_question.latest, w.reviewer)
    assert codes(refused.value) == ["bank_four_eyes"]
    db.session.rollback()
    # an author without the reviewer role may not decide at all
    other = in_review(w, stem="另一题")
    with pytest.raises(Refused) as refused:
        lifecycle.approve_version(other.latest, w.author)
    assert codes(refused.value) == ["bank_reviewer_required", "bank_four_eyes"]
    db.session.rollback()
    second_reviewer = make_user("reviewer2", Role.REVIEWER, body=w.body)
    from certify.bank.access import sign_pledge

    sign_pledge(second_reviewer, w.occupation, second_reviewer.display_name, None)
    lifecycle.approve_version(bank_question.latest, second_reviewer)
    db.session.commit()
    assert bank_question.latest.state == VersionState.ACTIVE


def test_return_needs_a_comment_and_puts_the_version_back_to_draft(app):
    w = bank_world()
    bank_question = in_review(w)
    with pytest.raises(Refused) as refused:
        lifecycle.return_version(bank_question.latest, w.reviewer, "   ")
    assert [(p.code, p.field) for p in refused.value.problems] == [("bank_comment_required", "comment")]
    db.session.rollback()

    lifecycle.return_version(bank_question.latest, w.reviewer, "选项 D 不合理")
    db.session.commit()
    version = bank_question.latest
    assert version.state == VersionState.DRAFT
    assert version.reviews[-1].decision == ReviewDecision.RETURN and version.reviews[-1].comment == "选项 D 不合理"
    # back in draft it can be sent again
    lifecycle.submit_version(version, w.author)
    assert version.state == VersionState.IN_REVIEW


def test_approval_needs_a_point_code_and_a_difficulty_and_says_which_is_missing(app):
    w = bank_world()
    bank_question = in_review(w, point_code=None, difficulty=None)
    with pytest.raises(Refused) as refused:
        lifecycle.approve_version(bank_question.latest, w.reviewer)
    assert [(p.code, p.field) for p in refused.value.problems] == [
        ("bank_approval_point_missing", "point_code"),
        ("bank_approval_difficulty_missing", "difficulty"),
    ]
    with app.test_request_context(headers={"Accept-Language": "en"}):
        text = " ".join(refused.value.messages())
    assert "no assessment point" in text and "no difficulty" in text
    db.session.rollback()
    assert bank_question.latest.state == VersionState.IN_REVIEW


def test_wrong_states_are_refused(app):
    w = bank_world()
    bank_question = questions_ops.create_question(w.body, w.occupation, LEVEL, choice(), w.author)
    db.session.commit()
    draft = bank_question.latest
    for step, args in (
        (lifecycle.approve_version, ()),
        (lifecycle.promote_version, ()),
        (lifecycle.retire_version, ("旧题",)),
        (lifecycle.return_version, ("x",)),
    ):
        with pytest.raises(Refused) as refused:
            step(draft, w.reviewer, *args)
        assert "bank_version_state" in codes(refused.value)
        db.session.rollback()
    lifecycle.submit_version(draft, w.author)
    with pytest.raises(Refused) as refused:
        lifecycle.submit_version(draft, w.author)
    assert codes(refused.value) == ["bank_version_state"]


def test_pretest_then_promote_then_retire(app):
    w = bank_world()
    bank_question = in_review(w)
    version = bank_question.latest
    lifecycle.approve_version(version, w.reviewer, pretest=True)
    db.session.commit()
    assert version.state == VersionState.PRETEST and bank_question.live is version

    with pytest.raises(Refused) as refused:
        lifecycle.promote_version(version, w.author)
    assert "bank_reviewer_required" in codes(refused.value)
    db.session.rollback()
    lifecycle.promote_version(version, w.reviewer, "统计正常")
    db.session.commit()
    assert version.state == VersionState.ACTIVE

    with pytest.raises(Refused) as refused:
        lifecycle.retire_version(version, w.reviewer, "")
    assert [(p.code, p.field) for p in refused.value.problems] == [("bank_reason_required", "reason")]
    db.session.rollback()
    lifecycle.retire_version(version, w.reviewer, "法规已修订")
    db.session.commit()
    assert version.state == VersionState.RETIRED and version.retired_reason == "法规已修订" and version.retired_at
    assert [r.decision for r in version.reviews] == [
        ReviewDecision.APPROVE_PRETEST,
        ReviewDecision.PROMOTE,
        ReviewDecision.RETIRE,
    ]
    assert bank_question.live is None
    assert {"bank.version_promoted", "bank.version_retired"} <= set(actions())


def test_a_new_live_version_retires_the_previous_one(app):
    w = bank_world()
    bank_question = in_review(w)
    first = bank_question.latest
    lifecycle.approve_version(first, w.reviewer)
    second = questions_ops.edit_question(bank_question, choice(explanation="补充解析"), w.author, "解析")
    db.session.commit()
    assert first.state == VersionState.ACTIVE  # an edit leaves the live version live until the new one is approved
    lifecycle.submit_version(second, w.author)
    lifecycle.approve_version(second, w.reviewer)
    db.session.commit()
    assert (first.state, first.retired_reason) == (VersionState.RETIRED, "superseded by version 2")
    assert second.state == VersionState.ACTIVE and bank_question.live is second


def test_an_edit_supersedes_the_version_in_review(app):
    w = bank_world()
    bank_question = in_review(w)
    first = bank_question.latest
    questions_ops.edit_question(bank_question, choice(stem="新题干"), w.author, "改题干")
    db.session.commit()
    assert first.state == VersionState.SUPERSEDED
    with pytest.raises(Refused):
        lifecycle.approve_version(first, w.reviewer)
