"""Signing marks and locking a session's theory scores: a marker signs once their answers are marked, the
adjudicator last; the lock fixes every hand and theory score and feeds the item statistics to the bank.

Operations load, check, write, audit and flush; the caller commits. `marking_ops` re-exports `sign_marks` and
`lock_scores`.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from certify.auth.models import Role, User
from certify.core.clock import now_utc
from certify.core.db import db, lock_for_update
from certify.core.errors import Problem, Refused
from certify.exams import marking_rules as rules
from certify.exams import marking_statistics
from certify.exams import messages_marking as _messages  # noqa: F401  (registers the codes)
from certify.exams import queries_marking as queries
from certify.exams.clocks import close_if_over
from certify.exams.marking_rules import AnswerStatus
from certify.exams.models import AttemptAnswer, AttemptState, ExamAttempt, ExamSession, MarkerRole, SessionMarker
from certify.supervision import audit

__all__ = ["lock_scores", "locked_marker", "refuse_if_locked", "sign_marks"]


def refuse_if_locked(session: ExamSession, code: str = "marking_scores_locked") -> None:
    """Refuse any change once the session's theory scores are locked."""
    if session.scores_locked_at is not None:
        raise Refused(code)


def locked_marker(session: ExamSession, person_id: int) -> SessionMarker:
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


# --- signatures -------------------------------------------------------------------------------------------


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
    refuse_if_locked(session)
    if user.person_id != person_id:
        raise Refused("marking_own_marks_only")
    marker = locked_marker(session, person_id)
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
    refuse_if_locked(session, "marking_already_locked")
    if not _may_lock(session, user):
        raise Refused("marking_lock_not_allowed")
    now = now_utc()
    sitting = _still_sitting(session, now)
    if sitting:
        raise Refused("marking_sitting_not_over", count=sitting)
    attempts = queries.scored_attempts(session.id)
    # imported here: marking_ops imports this module to re-export its operations
    from certify.exams.marking_ops import score_objective

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
