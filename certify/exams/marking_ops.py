"""Marking of theory attempts: objective scores at submit, markers assigned through the recusal engine, blind
independent hand marks, signatures, and the lock that fixes the theory scores and feeds the item statistics.

Operations load, check, write, audit and flush; the caller commits. Regrades live in `regrade_ops`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import current_app

from certify.auth.models import Role, User
from certify.bank.models import PaperItem, QuestionVersion
from certify.core.clock import now_utc
from certify.core.db import db, lock_for_update
from certify.core.errors import Problem, Refused
from certify.exams import marking_rules as rules
from certify.exams import marking_statistics
from certify.exams import messages_marking as _messages  # noqa: F401  (registers the codes)
from certify.exams import queries_marking as queries
from certify.exams.clocks import close_if_over
from certify.exams.marking_rules import AnswerStatus
from certify.exams.models import (
    AttemptAnswer,
    AttemptState,
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


def _refuse_if_locked(session: ExamSession, code: str = "marking_scores_locked") -> None:
    if session.scores_locked_at is not None:
        raise Refused(code)


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


def _has_hand_items(session: ExamSession) -> bool:
    papers = [p.id for p in queries.session_papers(session)]
    items = queries.paper_items(papers)
    return any(i.scored and rules.is_hand_marked(i.type_key) for rows in items.values() for i in rows)


def assign_marker(session: ExamSession, person_id: int, role: MarkerRole | str, user: User) -> SessionMarker:
    """Assign a marker (or the one adjudicator) to a session, allowed by the recusal engine for every candidate.

    Every candidate is checked first, so a refusal (MarkerBlocked) names every blocked candidate with every
    reason; only then is the person assigned through `recusal.operations.assign` for each candidate.
    """
    _refuse_if_locked(session)
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
    if not _has_hand_items(session):
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


def _locked_marker(session: ExamSession, person_id: int) -> SessionMarker:
    """The person's assignment, locked so that one marker's marks and signature are written one at a time."""
    stmt = lock_for_update(
        sa.select(SessionMarker).where(SessionMarker.session_id == session.id, SessionMarker.person_id == person_id)
    ).execution_options(populate_existing=True)
    marker = db.session.execute(stmt).scalar_one_or_none()
    if marker is None:
        raise Refused("marking_not_assigned")
    if marker.signed_at is not None:
        raise Refused("marking_already_signed")
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
    _refuse_if_locked(session)
    if user.person_id != marker_person_id:
        raise Refused("marking_own_marks_only")
    marker = _locked_marker(session, marker_person_id)
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


def _still_sitting(session: ExamSession, now: datetime) -> int:
    """How many attempts may still be handed in (an expired one is closed here, as any read of it would)."""
    count = 0
    for attempt in db.session.execute(
        sa.select(ExamAttempt).where(
            ExamAttempt.session_id == session.id, ExamAttempt.state == AttemptState.IN_PROGRESS
        )
    ).scalars():
        if attempt.started_at is not None:
            count += 0 if close_if_over(attempt, now, by="read") else 1
        elif now < session.closes_at:
            count += 1
    return count


def sign_marks(session: ExamSession, person_id: int, user: User) -> SessionMarker:
    """A marker signs their marks for the session once every answer assigned to them is marked.

    The adjudicator signs last: after every marker has signed and every diverging answer is adjudicated.
    """
    _refuse_if_locked(session)
    if user.person_id != person_id:
        raise Refused("marking_own_marks_only")
    marker = _locked_marker(session, person_id)
    now = now_utc()
    sitting = _still_sitting(session, now)
    if sitting:
        raise Refused("marking_sitting_not_over", count=sitting)
    board = queries.board(session)
    problems: list[Problem] = []
    if marker.role is MarkerRole.ADJUDICATOR:
        unsigned = [m for m in board.markers if m.role is MarkerRole.MARKER and m.signed_at is None]
        if unsigned:
            problems.append(Problem("marking_sign_markers_first", None, {"count": len(unsigned)}))
    outstanding = board.outstanding(marker)
    if outstanding:
        problems.append(Problem("marking_sign_outstanding", None, {"count": len(outstanding)}))
    if problems:
        raise Refused(problems)
    marker.signed_at = now
    db.session.flush()
    audit.record(
        "marking.marks_signed",
        object_type="exam_session",
        object_id=session.id,
        after={"person": person_id, "role": marker.role, "answers": len(board.queue(marker)), "signed_at": now},
    )
    return marker


# --- the lock ---------------------------------------------------------------------------------------------


def _may_lock(session: ExamSession, user: User) -> bool:
    if user.has_role(Role.ADMIN) and user.body_id == session.body_id:
        return True
    marker = queries.marker_of(session.id, user.person_id)
    return marker is not None and marker.role is MarkerRole.ADJUDICATOR and user.has_role(Role.SENIOR_ASSESSOR)


def _lock_problems(board: queries.Board) -> list[Problem]:
    problems: list[Problem] = []
    written = [a for a in board.answers if a.status is not AnswerStatus.BLANK]
    if written and len(board.marker_ids) < queries.MIN_MARKERS:
        params = {"minimum": queries.MIN_MARKERS, "count": len(board.marker_ids)}
        problems.append(Problem("marking_too_few_markers", None, params))
    if board.not_final():
        problems.append(Problem("marking_lock_outstanding", None, {"count": len(board.not_final())}))
    diverging = [a for a in board.answers if a.status is AnswerStatus.AWAITING_ADJUDICATION]
    if diverging and not any(m.role is MarkerRole.ADJUDICATOR for m in board.markers):
        problems.append(Problem("marking_no_adjudicator", None, {"count": len(diverging)}))
    unsigned = [m.person.name for m in board.markers if m.signed_at is None]
    if unsigned:
        problems.append(Problem("marking_lock_unsigned", None, {"names": "、".join(unsigned)}))
    return problems


def lock_scores(session: ExamSession, user: User) -> dict[str, Any]:
    """Fix every handed-in attempt's hand and theory score (0–100) once marking is final and signed; from then
    on no mark, regrade or re-scoring is accepted. Feeds each paper form's item statistics to the bank."""
    db.session.execute(
        lock_for_update(sa.select(ExamSession).where(ExamSession.id == session.id)).execution_options(
            populate_existing=True
        )
    )
    _refuse_if_locked(session, "marking_already_locked")
    if not _may_lock(session, user):
        raise Refused("marking_lock_not_allowed")
    now = now_utc()
    sitting = _still_sitting(session, now)
    if sitting:
        raise Refused("marking_sitting_not_over", count=sitting)
    attempts = queries.scored_attempts(session.id)
    for attempt in attempts:
        score_objective(attempt)
    board = queries.board(session)
    problems = _lock_problems(board)
    if problems:
        raise Refused(problems)
    items = queries.paper_items(a.paper_id for a in attempts if a.paper_id)
    answers = {
        (a.attempt_id, a.position): a
        for a in db.session.execute(
            sa.select(AttemptAnswer).where(AttemptAnswer.attempt_id.in_([a.id for a in attempts]))
        ).scalars()
    }
    scores: dict[str, Any] = {}
    for attempt in attempts:
        paper_items = items.get(attempt.paper_id, [])
        maximum = sum((i.points for i in paper_items if i.scored), Decimal(0))
        hand_answers = board.of_attempt(attempt.id)
        for hand in hand_answers:
            stored = answers.get((attempt.id, hand.item.position))
            if stored is not None:
                stored.points = hand.outcome.final
        has_hand = any(i.scored and rules.is_hand_marked(i.type_key) for i in paper_items)
        hand_score = board.hand_total(attempt.id) if has_hand else None
        attempt.hand_score = hand_score
        attempt.theory_score = rules.theory_score((attempt.objective_score or 0) + (hand_score or 0), maximum)
        attempt.scored_at = now
        scores[str(attempt.id)] = {"hand": hand_score, "theory": attempt.theory_score}
    session.scores_locked_at, session.scores_locked_by_id = now, user.id
    db.session.flush()
    statistics = marking_statistics.record(session, attempts, board, answers, user)
    audit.record(
        "marking.scores_locked",
        object_type="exam_session",
        object_id=session.id,
        after={"locked_at": now, "attempts": scores, "statistics": statistics},
    )
    return {"attempts": len(attempts), "statistics": statistics}
