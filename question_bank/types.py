"""Registry of question types: one class per type that validates a question and scores a response."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from question_bank.model import FALSE, LETTERS, TRUE, Blank, Question, default_credits
from question_bank.report import WARNING, Problem

#: 2–6 range levels of letters, then a 3-digit assessment point (DOMAIN.md: A-B-C-007).
POINT_CODE_RE = re.compile(r"^[A-Z]{1,2}(?:-[A-Z]{1,2}){1,5}-\d{3}$")
MAX_TEXT = 20_000

ALL_OR_NOTHING = "all_or_nothing"
PARTIAL = "partial"
PER_OPTION = "per_option"
WEIGHTED = "weighted"


@dataclass(frozen=True)
class ScoringPolicy:
    """How multiple choice earns partial credit; all-or-nothing by default, as in Chinese practice."""

    #: all_or_nothing | partial (a fixed fraction for a correct subset with no wrong option) |
    #: per_option (share of right options picked, if no wrong one) | weighted (option credits, Moodle-style)
    multiple_choice: str = ALL_OR_NOTHING
    partial_fraction: Decimal = Decimal("0.5")


DEFAULT_POLICY = ScoringPolicy()


@dataclass(frozen=True)
class Score:
    """Points earned for one response; needs_marking when a person must mark it."""

    points: Decimal
    max_points: Decimal
    correct: bool | None
    needs_marking: bool = False


def normalise(text: str, ignore_case: bool = True, ignore_width: bool = True) -> str:
    """Text as compared for fill-in: trimmed, whitespace collapsed, NFKC (width) and casefold if enabled."""
    if ignore_width:
        text = unicodedata.normalize("NFKC", text)
    text = " ".join(text.split())
    return text.casefold() if ignore_case else text


def _wildcard_match(pattern: str, text: str) -> bool:
    """Moodle short-answer wildcard: * matches any run of characters."""
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.fullmatch(regex, text, flags=re.DOTALL) is not None


def blank_credit(blank: Blank, response: str) -> Decimal:
    """Best credit any alternative of the blank gives the response (0 when none matches)."""
    got = normalise(response, blank.ignore_case, blank.ignore_width)
    best = Decimal(0)
    for acc in blank.accepts:
        if acc.tolerance is not None:
            try:
                hit = abs(Decimal(got) - Decimal(normalise(acc.text))) <= acc.tolerance
            except (InvalidOperation, ValueError):
                hit = False
        else:
            want = normalise(acc.text, blank.ignore_case, blank.ignore_width)
            hit = _wildcard_match(want, got) if "*" in want else want == got
        if hit and acc.credit > best:
            best = acc.credit
    return best


def _letters(response: Any) -> set[str]:
    if response is None:
        return set()
    if isinstance(response, str):
        return {c for c in response.upper() if c in LETTERS}
    return {str(r).strip().upper() for r in response if str(r).strip()}


class QuestionType:
    """Base class: common validation; subclasses add their own checks and scoring."""

    key: ClassVar[str] = ""
    hand_marked: ClassVar[bool] = False

    def validate(self, question: Question) -> list[Problem]:
        """Every problem of the question (empty when valid)."""
        problems: list[Problem] = []
        if not question.stem.strip():
            problems.append(Problem("empty_stem", field="stem"))
        for name in ("stem", "explanation", "marking_scheme"):
            if len(getattr(question, name)) > MAX_TEXT:
                problems.append(Problem("cell_too_long", {"limit": MAX_TEXT}, field=name))
        if question.points <= 0:
            problems.append(Problem("invalid_points", {"value": str(question.points)}, field="points"))
        if question.difficulty is not None and (
            not isinstance(question.difficulty, int) or not 1 <= question.difficulty <= 5
        ):
            problems.append(Problem("invalid_difficulty", {"value": str(question.difficulty)}, field="difficulty"))
        if question.point_code is not None and not POINT_CODE_RE.match(question.point_code):
            problems.append(Problem("invalid_point_code", {"value": question.point_code}, field="point_code"))
        problems.extend(self.validate_specific(question))
        return problems

    def validate_specific(self, question: Question) -> list[Problem]:
        """Type-specific checks."""
        return []

    def score(self, question: Question, response: Any, policy: ScoringPolicy = DEFAULT_POLICY) -> Score:
        """Points for a response."""
        raise NotImplementedError


def _no_options(question: Question) -> list[Problem]:
    if question.options:
        return [Problem("options_not_allowed", {"qtype": question.qtype}, field="options")]
    return []


class TrueFalse(QuestionType):
    """判断题: answer ("true",) or ("false",)."""

    key = "true_false"

    def validate_specific(self, question: Question) -> list[Problem]:
        """The answer is exactly true or false."""
        problems = _no_options(question)
        if not question.answer:
            problems.append(Problem("missing_answer", field="answer"))
        elif question.answer not in ((TRUE,), (FALSE,)):
            problems.append(Problem("invalid_answer", {"value": ",".join(question.answer)}, field="answer"))
        return problems

    def score(self, question: Question, response: Any, policy: ScoringPolicy = DEFAULT_POLICY) -> Score:
        """Full points for the right truth value."""
        if isinstance(response, bool):
            response = TRUE if response else FALSE
        ok = question.answer == (str(response).strip().lower(),)
        return Score(question.points if ok else Decimal(0), question.points, ok)


class _Choice(QuestionType):
    min_options: ClassVar[int] = 2

    def validate_specific(self, question: Question) -> list[Problem]:
        problems: list[Problem] = []
        if len(question.options) < self.min_options:
            problems.append(
                Problem(
                    "too_few_options",
                    {"count": len(question.options), "minimum": self.min_options},
                    "options",
                )
            )
        for i, text in enumerate(question.options):
            if not text.strip():
                problems.append(Problem("empty_option", {"letter": LETTERS[i]}, field=f"option {LETTERS[i]}"))
        if not question.answer:
            problems.append(Problem("missing_answer", field="answer"))
        for letter in question.answer:
            if question.option_index(letter) is None:
                problems.append(Problem("answer_not_in_options", {"value": letter}, field="answer"))
        if question.option_credits is not None:
            if len(question.option_credits) != len(question.options):
                problems.append(Problem("invalid_credit", {"value": "count"}, field="options"))
            for c in question.option_credits:
                if not Decimal(-1) <= c <= Decimal(1):
                    problems.append(Problem("invalid_credit", {"value": str(c)}, field="options"))
        return problems


class SingleChoice(_Choice):
    """单选题: exactly one correct option."""

    key = "single_choice"

    def validate_specific(self, question: Question) -> list[Problem]:
        """Options, one key letter in range."""
        problems = super().validate_specific(question)
        if len(question.answer) > 1:
            problems.append(Problem("single_answer_required", {"count": len(question.answer)}, field="answer"))
        return problems

    def score(self, question: Question, response: Any, policy: ScoringPolicy = DEFAULT_POLICY) -> Score:
        """Full points for the key; option credits (if imported with weights) under the weighted policy."""
        picked = _letters(response)
        ok = picked == set(question.answer)
        if policy.multiple_choice == WEIGHTED and question.option_credits is not None and len(picked) == 1:
            idx = question.option_index(next(iter(picked)))
            credit = max(Decimal(0), question.option_credits[idx]) if idx is not None else Decimal(0)
            return Score(question.points * credit, question.points, ok)
        return Score(question.points if ok else Decimal(0), question.points, ok)


class MultipleChoice(_Choice):
    """多选题: two or more correct options; partial credit per ScoringPolicy."""

    key = "multiple_choice"

    def validate_specific(self, question: Question) -> list[Problem]:
        """Options, at least two key letters in range."""
        problems = super().validate_specific(question)
        if len(set(question.answer)) < 2:
            problems.append(Problem("multiple_answer_required", {"count": len(question.answer)}, field="answer"))
        return problems

    def score(self, question: Question, response: Any, policy: ScoringPolicy = DEFAULT_POLICY) -> Score:
        """All-or-nothing unless the policy grants partial credit."""
        picked = _letters(response)
        key = set(question.answer)
        full = question.points
        if picked == key:
            return Score(full, full, True)
        mode = policy.multiple_choice
        if mode == WEIGHTED:
            credits = question.option_credits or default_credits(question.qtype, len(question.options), question.answer)
            total = sum((credits[i] for i in range(len(question.options)) if LETTERS[i] in picked), Decimal(0))
            return Score(full * min(Decimal(1), max(Decimal(0), total)), full, False)
        if picked and picked < key:
            if mode == PARTIAL:
                return Score(full * policy.partial_fraction, full, False)
            if mode == PER_OPTION:
                return Score(full * len(picked) / len(key), full, False)
        return Score(Decimal(0), full, False)


class FillIn(QuestionType):
    """填空题: one or more blanks, each with alternatives; points split equally over the blanks."""

    key = "fill_in"

    def validate_specific(self, question: Question) -> list[Problem]:
        """At least one blank, every blank with an answer."""
        problems = _no_options(question)
        if not question.blanks:
            problems.append(Problem("missing_answer", field="answer"))
        for n, blank in enumerate(question.blanks, start=1):
            if not any(a.text.strip() for a in blank.accepts):
                problems.append(Problem("blank_without_answer", {"blank": n}, field="answer"))
            for acc in blank.accepts:
                if not Decimal(0) <= acc.credit <= Decimal(1):
                    problems.append(Problem("invalid_credit", {"value": str(acc.credit)}, field="answer"))
        return problems

    def score(self, question: Question, response: Any, policy: ScoringPolicy = DEFAULT_POLICY) -> Score:
        """Each blank earns its share times the best matching alternative's credit."""
        answers: list[str] = [response] if isinstance(response, str) else list(response or [])
        n = len(question.blanks) or 1
        total = Decimal(0)
        for i, blank in enumerate(question.blanks):
            given = str(answers[i]) if i < len(answers) and answers[i] is not None else ""
            total += blank_credit(blank, given)
        earned = question.points * total / n
        return Score(earned, question.points, earned == question.points)


class HandMarked(QuestionType):
    """Base for 简答/计算/论述/案例: no automatic score, a person marks against the marking scheme."""

    hand_marked = True

    def validate_specific(self, question: Question) -> list[Problem]:
        """No options or blanks; a marking scheme is expected (warning only)."""
        problems = _no_options(question)
        if not question.marking_scheme.strip():
            problems.append(Problem("missing_marking_scheme", field="marking_scheme", severity=WARNING))
        return problems

    def score(self, question: Question, response: Any, policy: ScoringPolicy = DEFAULT_POLICY) -> Score:
        """Always needs marking."""
        return Score(Decimal(0), question.points, None, needs_marking=True)


class ShortAnswer(HandMarked):
    """简答题."""

    key = "short_answer"


class Calculation(HandMarked):
    """计算题."""

    key = "calculation"


class Essay(HandMarked):
    """论述题."""

    key = "essay"


class Case(HandMarked):
    """案例分析题."""

    key = "case"


def _registry(classes: Iterable[type[QuestionType]]) -> dict[str, QuestionType]:
    return {cls.key: cls() for cls in classes}


QUESTION_TYPES: dict[str, QuestionType] = _registry(
    (TrueFalse, SingleChoice, MultipleChoice, FillIn, ShortAnswer, Calculation, Essay, Case)
)


def validate(question: Question) -> list[Problem]:
    """Validate a question with its type's class (an unknown type is itself a problem)."""
    qt = QUESTION_TYPES.get(question.qtype)
    if qt is None:
        return [Problem("unknown_qtype", {"value": question.qtype}, field="qtype")]
    return qt.validate(question)


def score(question: Question, response: Any, policy: ScoringPolicy = DEFAULT_POLICY) -> Score:
    """Score a response with the question's type."""
    return QUESTION_TYPES[question.qtype].score(question, response, policy)
