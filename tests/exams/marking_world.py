"""Helpers for the marking tests: candidates sit the shared exam world's papers and hand them in."""

from __future__ import annotations

import json
from datetime import timedelta

from certify.core.clock import now_utc
from certify.core.db import db
from certify.exams.clocks import mark_closed
from certify.exams.models import AttemptAnswer, AttemptState, ExamAttempt, MarkerRole
from tests.exams.world import FULL_MARKS, ExamWorld

#: full-marks responses by question (0–5 in the order of tests.exams.world.QUESTIONS)
FULL = {index: FULL_MARKS[index + 1] for index in range(6)}
#: the hand-marked questions (short answer, essay) are worth 15 each
SHORT_ANSWER, ESSAY = 4, 5


def position_of(attempt: ExamAttempt, question: int) -> int:
    """The paper position of a question: form A keeps the world's order, form B reverses it."""
    return question + 1 if attempt.paper.form == "A" else 6 - question


def answer(attempt: ExamAttempt, question: int, value, seq: int = 1) -> None:
    """A saved answer, as the exam page stores it (canonical JSON by paper position)."""
    db.session.add(
        AttemptAnswer(
            attempt_id=attempt.id,
            position=position_of(attempt, question),
            seq=seq,
            value=json.dumps(value, ensure_ascii=False, sort_keys=True),
            saved_at=now_utc(),
        )
    )


def sit(attempt: ExamAttempt, responses: dict[int, object], state: AttemptState = AttemptState.SUBMITTED) -> None:
    """The candidate checks in, answers `responses` (question → value) and hands in (scored at submit)."""
    now = now_utc()
    attempt.checked_in_at, attempt.started_at = now - timedelta(minutes=40), now - timedelta(minutes=30)
    for question, value in responses.items():
        answer(attempt, question, value)
    db.session.flush()
    assert mark_closed(attempt, state, now, now)
    db.session.commit()


def assign_markers(world: ExamWorld, count: int = 2, adjudicator: bool = True) -> None:
    """`count` of the world's assessors as markers and the senior assessor as adjudicator."""
    from certify.exams import marking_ops

    for user in world.markers[:count]:
        marking_ops.assign_marker(world.session, user.person_id, MarkerRole.MARKER, world.admin)
    if adjudicator:
        marking_ops.assign_marker(world.session, world.leader.person_id, MarkerRole.ADJUDICATOR, world.admin)
    db.session.commit()
