"""At the score lock: each paper form's marks (and chosen options) go to the bank's item statistics."""

from __future__ import annotations

from collections.abc import Sequence

from certify.auth.models import User
from certify.bank import statistics_ops
from certify.bank.models import PaperRecord
from certify.core.db import db
from certify.exams import marking_rules as rules
from certify.exams.models import AttemptAnswer, ExamAttempt, ExamSession
from certify.exams.queries_marking import Board
from question_bank.marks_matrix import MarksMatrix

#: the bank's statistics need at least this many attempts of a form
MIN_ATTEMPTS = 2
LABEL_MAX = 200


def _label(session: ExamSession, paper: PaperRecord) -> str:
    suffix = f" #{session.id} {paper.form}"
    return session.name[: LABEL_MAX - len(suffix)] + suffix


def record(
    session: ExamSession,
    attempts: Sequence[ExamAttempt],
    board: Board,
    answers: dict[tuple[int, int], AttemptAnswer],
    user: User | None,
) -> list[int]:
    """Record the item statistics of every form sat by at least two handed-in attempts; returns their ids.

    Columns are the form's scored items in position order (the bank's layout): objective items carry their
    stored points, hand-marked ones their final mark. The chosen options feed the distractor analysis.
    """
    finals = {(a.attempt.id, a.item.position): a.outcome.final for a in board.answers}
    recorded: list[int] = []
    for paper_id in sorted({a.paper_id for a in attempts if a.paper_id}):
        sitting = [a for a in attempts if a.paper_id == paper_id]
        if len(sitting) < MIN_ATTEMPTS:
            continue
        paper = db.session.get(PaperRecord, paper_id)
        columns = statistics_ops.scored_items(paper)
        options = {item.position: len(item.version.to_question().options) for item in columns}
        rows, responses = [], []
        for attempt in sitting:
            marks, cells = [], []
            for item in columns:
                stored = answers.get((attempt.id, item.position))
                if rules.is_hand_marked(item.type_key):
                    mark = finals.get((attempt.id, item.position))
                else:
                    mark = stored.points if stored is not None else None
                marks.append(float(mark or 0))
                value = rules.decode(stored.value) if stored is not None else None
                cells.append(rules.choice_cell(item.version.qtype, value, options[item.position]))
            rows.append(tuple(marks))
            responses.append(cells)
        matrix = MarksMatrix(
            tuple(str(item.position) for item in columns),
            tuple(rows),
            tuple(float(item.points) for item in columns),
            tuple(str(a.id) for a in sitting),
        )
        statistics = statistics_ops.record_session_statistics(paper, _label(session, paper), matrix, responses, user)
        recorded.append(statistics.id)
    return recorded
