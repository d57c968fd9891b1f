"""One candidate's paper as they see it, and their answers both ways: display labels ↔ the version's option ids.

Question order and option letters come from `question_bank.paper.personalise` with the attempt's seed, so every
page (a reload, another computer) shows the same paper. The page and the API speak display labels; the database
keeps each answer in the pinned version's own option ids, keyed by the paper position (PaperItem.position), so
that scoring and regrades never depend on how a candidate's options were shuffled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from certify.bank.assembly_ops import paper_from_record
from certify.bank.models import PaperRecord
from certify.exams.messages_take import MAX_BLANK_ANSWER, MAX_TEXT_ANSWER
from question_bank.model import HAND_MARKED, LETTERS
from question_bank.paper import PersonalQuestion, personalise


@dataclass(frozen=True)
class ShownOption:
    """One option as this candidate sees it."""

    label: str  #: the letter shown (A, B, …)
    option_id: str  #: the version's own letter
    text: str


@dataclass(frozen=True)
class ShownQuestion:
    """One question of the candidate's paper, in their order."""

    number: int  #: 1, 2, … as shown
    position: int  #: PaperItem.position: the key answers are stored under
    type_key: str
    points: Decimal
    text: str
    text_format: str
    options: tuple[ShownOption, ...] = ()
    blanks: int = 0
    personal: PersonalQuestion | None = field(default=None, compare=False)
    version_id: int = 0  #: the pinned version (its images are served to the candidate by the exam page)

    @property
    def hand_marked(self) -> bool:
        return self.type_key in HAND_MARKED

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(o.label for o in self.options)


@dataclass(frozen=True)
class ShownPaper:
    """The candidate's questions in display order, and a lookup by paper position."""

    questions: tuple[ShownQuestion, ...]

    @property
    def by_position(self) -> dict[int, ShownQuestion]:
        return {q.position: q for q in self.questions}

    @property
    def positions(self) -> frozenset[int]:
        return frozenset(q.position for q in self.questions)


def shown_paper(paper: PaperRecord, candidate_seed: str) -> ShownPaper:
    """The paper personalised for one candidate (question order, option order and letters)."""
    personal = personalise(paper_from_record(paper), candidate_seed)
    items = {str(item.version_id): item for item in paper.items}
    questions = []
    for pq in personal.questions:
        item = items[pq.item_id]
        question = item.version.to_question()
        options = tuple(
            ShownOption(label, option_id, question.options[LETTERS.index(option_id)])
            for label, option_id in zip(pq.labels, pq.options, strict=True)
        )
        questions.append(
            ShownQuestion(
                pq.number, item.position, item.type_key, item.points, question.stem, question.text_format,
                options, len(question.blanks), pq, item.version_id,
            )
        )  # fmt: skip
    return ShownPaper(tuple(questions))


class ValueProblem(Exception):
    """Why a value does not fit its question: a message code and its params (the caller adds the field)."""

    def __init__(self, code: str, params: dict[str, Any] | None = None):
        super().__init__(code)
        self.code, self.params = code, dict(params or {})


def _labels_text(question: ShownQuestion) -> str:
    return ", ".join(question.labels)


def to_canonical(question: ShownQuestion, value: Any) -> Any:
    """A value as the page sends it (display labels) → as stored (option ids); None means unanswered.

    Raises ValueProblem when the value does not fit the question's type.
    """
    kind = question.type_key
    if value is None:
        return None
    if kind == "true_false":
        if value not in ("true", "false", ""):
            raise ValueProblem("exam_value_true_false")
        return value or None
    if kind == "single_choice":
        if isinstance(value, list) and len(value) <= 1:
            value = value[0] if value else ""
        if value == "":
            return None
        if not isinstance(value, str) or value not in question.labels:
            raise ValueProblem("exam_value_single", {"labels": _labels_text(question)})
        return list(question.personal.to_canonical([value]))
    if kind == "multiple_choice":
        ok = isinstance(value, list) and all(isinstance(v, str) and v in question.labels for v in value)
        if not ok or len(set(value)) != len(value):
            raise ValueProblem("exam_value_multiple", {"labels": _labels_text(question)})
        return list(question.personal.to_canonical(value)) or None
    if kind == "fill_in":
        ok = isinstance(value, list) and len(value) == question.blanks and all(isinstance(v, str) for v in value)
        if not ok:
            raise ValueProblem("exam_value_blanks", {"count": question.blanks})
        longest = max((len(v) for v in value), default=0)
        if longest > MAX_BLANK_ANSWER:
            raise ValueProblem("exam_value_too_long", {"max": MAX_BLANK_ANSWER, "length": longest})
        return list(value) if any(v.strip() for v in value) else None
    if not isinstance(value, str):
        raise ValueProblem("exam_value_text")
    if len(value) > MAX_TEXT_ANSWER:
        raise ValueProblem("exam_value_too_long", {"max": MAX_TEXT_ANSWER, "length": len(value)})
    return value or None


def to_display(question: ShownQuestion, value: Any) -> Any:
    """A stored value (option ids) → as this candidate's page shows it (display labels)."""
    if value is None:
        return None
    kind = question.type_key
    try:
        if kind == "single_choice":
            shown = question.personal.to_display(value)
            return shown[0] if shown else None
        if kind == "multiple_choice":
            return list(question.personal.to_display(value))
    except (KeyError, TypeError):
        return None  # a stored value outside the options (never written by this page) shows as unanswered
    return value


def is_answered(value: Any) -> bool:
    """Whether a stored or shown value counts as an answer (not empty, not only blanks or spaces)."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list):
        return any(is_answered(v) for v in value)
    return True
