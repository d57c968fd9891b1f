"""Marking of theory attempts: objective scores at submit, markers assigned through the recusal engine, blind
independent hand marks. Signatures and the score lock live in `lock_ops` (re-exported here), regrades in
`regrade_ops`.

Operations load, check, write, audit and flush; the caller commits.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import current_app

from certify.auth.models import Role, User
from certify.bank.models import PaperItem, QuestionVersion
from certify.core.clock import now_utc
from certify.core.db import db
from certify.core.errors import Problem, Refused
from certify.exams import marking_rules as rules
from certify.exams import messages_marking as _messages  # noqa: F401  (registers the codes)
from certify.exams import queries_marking as queries
from certify.exams.lock_ops import lock_scores, locked_marker, refuse_if_locked, sign_marks
from certify.exams.marking_rules import AnswerStatus
from certify.exams.models import (
    AttemptAnswer,
    ExamAttempt,
    ExamSession,
    HandMark,
    MarkerRole,
    SessionMarker,
)
from certify.institutions.models import Person
from certify.recusal import operations as recusal_ops
from certify.recusal import queries as recusal_queries
from certify.recusal.policy import Role as RecusalRole
from certify.supervision import audit
from question_bank.model import Question
from question_bank.types import ScoringPolicy

__all__ = ["MarkerBlocked", "assign_marker", "lock_scores", "record_mark", "score_objective", "sign_marks"]


class MarkerBlocked(Refused):
    """The recusal engine refused a marker for some candidates; `blocked` holds (candidate Person, verdict)."""

    def __init__(self, blocked: list[tuple[Person, Any]]):
        self.blocked = blocked
        super().__init__("marking_marker_blocked", "person", count=len(blocked))


def _context(session: ExamSession) -> tuple[str, int]:
    return ("exam_session", session.id)


# --- objective scoring ------------------------------------------------------------------------------------


def _objective(
    items: list[PaperItem],
    corrected: dict[int, QuestionVersion],
    answers: dict[int, AttemptAnswer],
    policy: ScoringPolicy,
) -> tuple[Decimal, Decimal, bool]:
    """Score the objective items onto the answers; returns (objective points, paper maximum, has hand items)."""
    parsed: dict[int, Question] = {}
    total, maximum, has_hand = Decimal("0.00"), Decimal(0), False
    for item in items:
        answer = answers.get(item.position)
        if not item.scored:  # pretest: delivered, never scored
            if answer is not None and answer.points is not None:
                answer.points = None
            continue
        maximum += item.points
        if rules.is_hand_marked(item.type_key):
            has_hand = True
            continue
        version = queries.scoring_version(item, corrected)
        question = parsed.get(version.id) or parsed.setdefault(version.id, version.to_question())
        points = rules.item_points(question, rules.decode(answer.value) if answer else None, item.points, policy)
        if answer is not None and answer.points != points:
            answer.points = points
        total += points
    return total, maximum, has_hand


def score_objective(attempt: ExamAttempt) -> Decimal | None:
    """Score the attempt's objective items from the scoring versions (pinned, or a regrade's correction).

    Idempotent: a second call changes and audits nothing. Unanswered items score 0, pretest items nothing;
    on a paper without hand-marked items the theory score follows at once (fixed only by the lock).
    """
    session = attempt.session
    if session.scores_locked_at is not None or attempt.state not in queries.SCORED_STATES or not attempt.paper_id:
        return attempt.objective_score
    items = queries.paper_items([attempt.paper_id])[attempt.paper_id]
    corrected = queries.corrected_versions(session.id, attempt.paper_id)
    answers = {
        a.position: a
        for a in db.session.execute(sa.select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id)).scalars()
    }
    total, maximum, has_hand = _objective(items, corrected, answers, queries.scoring_policy_of(attempt.paper))
    theory = None if has_hand else rules.theory_score(total, maximum)
    if attempt.objective_score == total and attempt.theory_score == theory and attempt.scored_at is not None:
        db.session.flush()
        return total
    before = {"objective_score": attempt.objective_score, "theory_score": attempt.theory_score}
    attempt.objective_score, attempt.theory_score, attempt.scored_at = total, theory, now_utc()
    db.session.flush()
    audit.record(
        "exams.objective_scored",
        object_type="exam_attempt",
        object_id=attempt.id,
        before=before,
        after={"objective_score": total, "theory_score": theory, "maximum": maximum},
    )
    return total


# --- markers ----------------------------------------------------------------------------------------------


def _account(session: ExamSession, person_id: int) -> User | None:
    stmt = sa.select(User).where(User.person_id == person_id, User.body_id == session.body_id, User.active.is_(True))
    return db.session.execute(stmt).scalar_one_or_none()


def assign_marker(session: ExamSession, person_id: int, role: MarkerRole | str, user: User) -> SessionMarker:
    """Assign a marker (or the one adjudicator) to a session, allowed by the recusal engine for every candidate.

    Every candidate is checked first, so a refusal (MarkerBlocked) names every blocked candidate with every
    reason; only then is the person assigned through `recusal.operations.assign` for each candidate.
    """
    refuse_if_locked(session)
    try:
        role = MarkerRole(role)
    except ValueError:
        raise Refused("marking_role_invalid", "role") from None
    account = _account(session, person_id) if isinstance(person_id, int) else None
    if account is None:
        raise Refused("marking_person_unknown", "person")
    name = db.session.get(Person, person_id).name
    problems: list[Problem] = []
    if role is MarkerRole.MARKER and not account.has_role(Role.ASSESSOR, Role.SENIOR_ASSESSOR):
        problems.append(Problem("marking_marker_role_missing", "person", {"name": name}))
    if role is MarkerRole.ADJUDICATOR and not account.has_role(Role.SENIOR_ASSESSOR):
        problems.append(Problem("marking_adjudicator_role_missing", "person", {"name": name}))
    present = queries.markers(session.id)
    if any(m.person_id == person_id for m in present):
        problems.append(Problem("marking_marker_already_assigned", "person", {"name": name}))
    adjudicator = next((m for m in present if m.role is MarkerRole.ADJUDICATOR), None)
    if role is MarkerRole.ADJUDICATOR and adjudicator is not None and adjudicator.person_id != person_id:
        problems.append(Problem("marking_adjudicator_taken", "role", {"name": adjudicator.person.name}))
    if not queries.has_hand_items(session):
        problems.append(Problem("marking_no_hand_marked_items", None))
    if problems:
        raise Refused(problems)
    since = now_utc() - timedelta(days=current_app.config.get("RECUSAL_DECLARATION_VALID_DAYS", 365))
    if not recusal_queries.has_declared(person_id, _context(session), since):
        raise Refused("declaration_required", "person", name=name)
    candidates = list(
        db.session.execute(
            sa.select(Person)
            .join(ExamAttempt, ExamAttempt.candidate_person_id == Person.id)
            .where(ExamAttempt.session_id == session.id)
            .order_by(Person.id)
        ).scalars()
    )
    blocked = []
    for candidate in candidates:
        verdict, _check = recusal_ops.check(
            person_id, RecusalRole.MARKER, candidate=candidate.id, context=_context(session)
        )
        if not verdict.allowed:
            blocked.append((candidate, verdict))
    if blocked:
        audit.record(
            "marking.marker_blocked",
            object_type="exam_session",
            object_id=session.id,
            after={
                "person": person_id,
                "role": role,
                "blocked": {str(c.id): [r.code for r in v.reasons] for c, v in blocked},
            },
        )
        raise MarkerBlocked(blocked)
    for candidate in candidates:
        recusal_ops.assign(person_id, RecusalRole.MARKER, candidate=candidate.id, context=_context(session))
    marker = SessionMarker(session_id=session.id, person_id=person_id, role=role, assigned_at=now_utc())
    db.session.add(marker)
    db.session.flush()
    audit.record(
        "marking.marker_assigned",
        object_type="exam_session",
        object_id=session.id,
        after={"person": person_id, "name": name, "role": role, "candidates": len(candidates)},
    )
    return marker


# --- hand marks -------------------------------------------------------------------------------------------


def record_mark(
    attempt: ExamAttempt, position: int, marker_person_id: int, points: Any, comment: str | None, user: User
) -> HandMark:
    """Record a marker's independent mark of a hand-marked answer (a correction supersedes, never overwrites).

    The adjudicator marks only answers whose marks differ by more than the threshold, and gives a reason.
    The recusal engine is asked again for this candidate; its check is kept with the mark.
    """
    session = attempt.session
    refuse_if_locked(session)
    if user.person_id != marker_person_id:
        raise Refused("marking_own_marks_only")
    marker = locked_marker(session, marker_person_id)
    if attempt.state not in queries.SCORED_STATES:
        raise Refused("marking_script_not_submitted")
    answer = queries.board(session).find(queries.script_code(attempt.id), position)
    if answer is None:
        raise Refused("marking_item_not_hand_marked", "position", position=position)
    if answer.status is AnswerStatus.BLANK:
        raise Refused("marking_answer_blank")
    adjudicating = marker.role is MarkerRole.ADJUDICATOR
    if adjudicating and answer.status not in (AnswerStatus.AWAITING_ADJUDICATION, AnswerStatus.ADJUDICATED):
        raise Refused("marking_not_for_adjudication")
    value, problems = rules.parse_mark(points, answer.item.points)
    text = (comment or "").strip()
    if len(text) > rules.COMMENT_MAX:
        problems.append(Problem("marking_text_too_long", "comment", {"max": rules.COMMENT_MAX, "length": len(text)}))
    elif adjudicating and not text:
        problems.append(Problem("marking_reason_required", "comment"))
    if problems:
        raise Refused(problems)
    check = recusal_ops.require(
        marker_person_id, RecusalRole.MARKER, candidate=attempt.candidate_person_id, context=_context(session)
    )
    previous = answer.adjudication if adjudicating else answer.marks.get(marker_person_id)
    mark = HandMark(
        attempt_id=attempt.id, position=position, marker_person_id=marker_person_id, role=marker.role,
        points=value, comment=text, marked_at=now_utc(), check_id=check.id,
    )  # fmt: skip
    db.session.add(mark)
    db.session.flush()
    if previous is not None:
        previous.superseded_by_id = mark.id
        db.session.flush()
    audit.record(
        "marking.mark_recorded",
        object_type="exam_hand_mark",
        object_id=mark.id,
        before={"points": previous.points, "mark": previous.id} if previous else None,
        after={"attempt": attempt.id, "position": position, "role": marker.role, "points": value},
    )
    return mark
