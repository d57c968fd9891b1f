"""A version's lifecycle: draft → in review → active (or pretest → active) → retired; four eyes on every decision.

Each step checks content access through `access.require_content` (role, pledge, recusal, audit entry), collects
every reason to refuse, records a QuestionReview for each decision, and flushes; the caller commits.
"""

from __future__ import annotations

from certify.auth.models import Role, User
from certify.core.clock import now_utc
from certify.core.db import db
from certify.core.errors import Problem, Refused

from . import access
from . import messages_questions as _messages  # noqa: F401  (registers the codes)
from .messages_questions import LazyStates
from .models import LIVE_STATES, QuestionReview, QuestionVersion, ReviewDecision, VersionState
from .queries import element_points


def _audit(version: QuestionVersion, user: User, action: str, **details) -> None:
    question = version.question
    access.require_content(
        user,
        question.occupation,
        action,
        object_type="question",
        object_id=question.id,
        details={"version": version.number, **details},
    )


def _state_problem(version: QuestionVersion, *expected: VersionState) -> list[Problem]:
    if version.state in expected:
        return []
    return [
        Problem(
            "bank_version_state",
            None,
            {
                "number": version.number,
                "state": LazyStates(version.state),
                "expected": LazyStates(*expected),
            },
        )
    ]


def _reviewer_problems(version: QuestionVersion, user: User) -> list[Problem]:
    """Four eyes: a reviewer, and never the version's author."""
    problems: list[Problem] = []
    if not user.has_role(Role.REVIEWER):
        problems.append(Problem("bank_reviewer_required"))
    if version.created_by_id is not None and version.created_by_id == user.id:
        problems.append(Problem("bank_four_eyes", None, {"number": version.number}))
    return problems


def _readiness_problems(version: QuestionVersion) -> list[Problem]:
    """What a version needs before it may go live: a point of the element table and a difficulty."""
    problems: list[Problem] = []
    question = version.question
    if not version.point_code:
        problems.append(Problem("bank_approval_point_missing", "point_code", {"number": version.number}))
    else:
        points = element_points(question.body_id, question.occupation_id) or {}
        if version.point_code not in points:
            params = {"number": version.number, "code": version.point_code}
            problems.append(Problem("bank_approval_point_unknown", "point_code", params))
    if version.difficulty is None:
        problems.append(Problem("bank_approval_difficulty_missing", "difficulty", {"number": version.number}))
    return problems


def _review(version: QuestionVersion, user: User, decision: ReviewDecision, comment: str | None) -> QuestionReview:
    review = QuestionReview(
        version_id=version.id, reviewer_id=user.id, decision=decision, comment=comment or None, at=now_utc()
    )
    version.reviews.append(review)
    db.session.add(review)
    return review


def _go_live(version: QuestionVersion, user: User, state: VersionState) -> None:
    """Make `version` live; the question's previous live version retires, superseded by this one."""
    now = now_utc()
    for other in version.question.versions:
        if other.id != version.id and other.state in LIVE_STATES:
            other.state = VersionState.RETIRED
            other.retired_at = now
            other.retired_reason = f"superseded by version {version.number}"
    version.state = state
    version.decided_at = now
    version.decided_by_id = user.id


def submit_version(version: QuestionVersion, user: User) -> QuestionVersion:
    """Send a draft to review."""
    _audit(version, user, "version_submitted")
    problems = _state_problem(version, VersionState.DRAFT)
    if problems:
        raise Refused(problems)
    version.state = VersionState.IN_REVIEW
    version.submitted_at = now_utc()
    db.session.flush()
    return version


def approve_version(version: QuestionVersion, user: User, pretest: bool = False, comment: str = "") -> QuestionVersion:
    """Approve a version in review: it goes live as active, or as pretest (delivered unscored)."""
    decision = ReviewDecision.APPROVE_PRETEST if pretest else ReviewDecision.APPROVE
    _audit(version, user, "version_approved", decision=decision.value, comment=comment or None)
    problems = (
        _state_problem(version, VersionState.IN_REVIEW)
        + _reviewer_problems(version, user)
        + _readiness_problems(version)
    )
    if problems:
        raise Refused(problems)
    _go_live(version, user, VersionState.PRETEST if pretest else VersionState.ACTIVE)
    _review(version, user, decision, comment)
    db.session.flush()
    return version


def return_version(version: QuestionVersion, user: User, comment: str) -> QuestionVersion:
    """Send a version in review back to draft with the reviewer's comment (required)."""
    comment = (comment or "").strip()
    _audit(version, user, "version_returned", comment=comment or None)
    problems = _state_problem(version, VersionState.IN_REVIEW) + _reviewer_problems(version, user)
    if not comment:
        problems.append(Problem("bank_comment_required", "comment"))
    if problems:
        raise Refused(problems)
    version.state = VersionState.DRAFT
    version.decided_at = now_utc()
    version.decided_by_id = user.id
    _review(version, user, ReviewDecision.RETURN, comment)
    db.session.flush()
    return version


def promote_version(version: QuestionVersion, user: User, comment: str = "") -> QuestionVersion:
    """Make a pretest version active (after its statistics)."""
    _audit(version, user, "version_promoted", comment=comment or None)
    problems = (
        _state_problem(version, VersionState.PRETEST) + _reviewer_problems(version, user) + _readiness_problems(version)
    )
    if problems:
        raise Refused(problems)
    _go_live(version, user, VersionState.ACTIVE)
    _review(version, user, ReviewDecision.PROMOTE, comment)
    db.session.flush()
    return version


def retire_version(version: QuestionVersion, user: User, reason: str) -> QuestionVersion:
    """Take a live version out of use, with the reason (required); papers that pinned it keep it."""
    reason = (reason or "").strip()
    _audit(version, user, "version_retired", reason=reason or None)
    problems = _state_problem(version, VersionState.ACTIVE, VersionState.PRETEST)
    if not user.has_role(Role.REVIEWER):
        problems.append(Problem("bank_reviewer_required"))
    if not reason:
        problems.append(Problem("bank_reason_required", "reason"))
    if problems:
        raise Refused(problems)
    version.state = VersionState.RETIRED
    version.retired_at = now_utc()
    version.retired_reason = reason
    _review(version, user, ReviewDecision.RETIRE, reason)
    db.session.flush()
    return version
