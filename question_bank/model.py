"""The question as content: immutable dataclasses with a canonical JSON-able dict form."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

QTYPES: tuple[str, ...] = (
    "true_false",
    "single_choice",
    "multiple_choice",
    "fill_in",
    "short_answer",
    "calculation",
    "essay",
    "case",
)
CHOICE_TYPES = frozenset({"single_choice", "multiple_choice"})
HAND_MARKED = frozenset({"short_answer", "calculation", "essay", "case"})
TRUE, FALSE = "true", "false"
#: Option keys as written in the Chinese template (A, B, C …).
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def to_decimal(value: Any) -> Decimal:
    """Decimal from int/str/float/Decimal (floats via str so 0.1 stays 0.1); raises ValueError."""
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool):
        raise ValueError(value)
    else:
        try:
            result = Decimal(str(value).strip())
        except InvalidOperation as exc:
            raise ValueError(value) from exc
    if not result.is_finite():
        raise ValueError(value)
    return result


def decimal_text(value: Decimal) -> str:
    """Canonical text for a Decimal: '2', '0.5', '-1' (no exponent, no trailing zeros)."""
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


@dataclass(frozen=True)
class Accept:
    """One accepted answer of a blank: its text, the credit it earns (1 = full) and a numeric tolerance."""

    text: str
    credit: Decimal = Decimal(1)
    #: When set the answer is a number and any response within ± tolerance matches.
    tolerance: Decimal | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "credit", to_decimal(self.credit))
        if self.tolerance is not None:
            object.__setattr__(self, "tolerance", to_decimal(self.tolerance))

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        out: dict[str, Any] = {"text": self.text}
        if self.credit != 1:
            out["credit"] = decimal_text(self.credit)
        if self.tolerance is not None:
            out["tolerance"] = decimal_text(self.tolerance)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Accept:
        """Inverse of to_dict."""
        tol = data.get("tolerance")
        return cls(str(data["text"]), to_decimal(data.get("credit", 1)), None if tol is None else to_decimal(tol))


@dataclass(frozen=True)
class Blank:
    """One blank of a fill-in question with its alternatives; matching may ignore case and full/half width."""

    accepts: tuple[Accept, ...]
    ignore_case: bool = True
    ignore_width: bool = True

    @classmethod
    def of(cls, *texts: str, ignore_case: bool = True, ignore_width: bool = True) -> Blank:
        """A blank whose alternatives all earn full credit."""
        return cls(tuple(Accept(t) for t in texts), ignore_case, ignore_width)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {
            "accepts": [a.to_dict() for a in self.accepts],
            "ignore_case": self.ignore_case,
            "ignore_width": self.ignore_width,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Blank:
        """Inverse of to_dict."""
        return cls(
            tuple(Accept.from_dict(a) for a in data.get("accepts", [])),
            bool(data.get("ignore_case", True)),
            bool(data.get("ignore_width", True)),
        )


@dataclass(frozen=True)
class SourceRef:
    """Where an imported question came from (not part of its content, so not part of equality)."""

    format: str
    location: str = ""
    identifier: str = ""
    #: Category path in the source (Moodle "$module$/A/B"), "" when none.
    category: str = ""

    def to_dict(self) -> dict[str, str]:
        """JSON-able form."""
        return {k: v for k, v in vars(self).items() if v}


@dataclass(frozen=True)
class Question:
    """A question of any type; which fields matter depends on qtype (see question_bank.types)."""

    qtype: str
    stem: str
    #: Option texts of choice questions, in order; keyed A, B, C … by position.
    options: tuple[str, ...] = ()
    #: Correct option letters for choice questions, ("true",)/("false",) for true/false.
    answer: tuple[str, ...] = ()
    #: Per-option credit (Moodle fractions, 1 = full) when the source gave weights other than the plain key.
    option_credits: tuple[Decimal, ...] | None = None
    blanks: tuple[Blank, ...] = ()
    points: Decimal = Decimal(1)
    difficulty: int | None = None
    point_code: str | None = None
    explanation: str = ""
    #: Reference answer and marking points of hand-marked questions.
    marking_scheme: str = ""
    images: tuple[str, ...] = ()
    #: "plain", "html" or "markdown"; how stem, options and explanation are to be rendered.
    text_format: str = "plain"
    #: The source's own label (Moodle name, GIFT ::title::); not content, so not part of equality.
    title: str = field(default="", compare=False)
    source: SourceRef | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "points", to_decimal(self.points))
        object.__setattr__(self, "options", tuple(self.options))
        object.__setattr__(self, "answer", tuple(self.answer))
        object.__setattr__(self, "blanks", tuple(self.blanks))
        object.__setattr__(self, "images", tuple(self.images))
        if self.option_credits is not None:
            object.__setattr__(self, "option_credits", tuple(to_decimal(c) for c in self.option_credits))

    @property
    def hand_marked(self) -> bool:
        """True for short answer, calculation, essay and case questions."""
        return self.qtype in HAND_MARKED

    def option_index(self, letter: str) -> int | None:
        """Position of an option letter (A → 0), None when out of range."""
        idx = LETTERS.find(letter.upper()) if len(letter) == 1 else -1
        return idx if 0 <= idx < len(self.options) else None

    def to_dict(self, with_source: bool = True) -> dict[str, Any]:
        """Canonical JSON-able dict; equal questions give equal dicts (without source)."""
        out: dict[str, Any] = {
            "qtype": self.qtype,
            "stem": self.stem,
            "options": list(self.options),
            "answer": list(self.answer),
            "option_credits": None if self.option_credits is None else [decimal_text(c) for c in self.option_credits],
            "blanks": [b.to_dict() for b in self.blanks],
            "points": decimal_text(self.points),
            "difficulty": self.difficulty,
            "point_code": self.point_code,
            "explanation": self.explanation,
            "marking_scheme": self.marking_scheme,
            "images": list(self.images),
            "text_format": self.text_format,
            "title": self.title,
        }
        if with_source and self.source is not None:
            out["source"] = self.source.to_dict()
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Question:
        """Inverse of to_dict."""
        credits = data.get("option_credits")
        src = data.get("source")
        return cls(
            qtype=str(data["qtype"]),
            stem=str(data.get("stem", "")),
            options=tuple(str(o) for o in data.get("options", [])),
            answer=tuple(str(a) for a in data.get("answer", [])),
            option_credits=None if credits is None else tuple(to_decimal(c) for c in credits),
            blanks=tuple(Blank.from_dict(b) for b in data.get("blanks", [])),
            points=to_decimal(data.get("points", 1)),
            difficulty=data.get("difficulty"),
            point_code=data.get("point_code"),
            explanation=str(data.get("explanation", "")),
            marking_scheme=str(data.get("marking_scheme", "")),
            images=tuple(str(i) for i in data.get("images", [])),
            text_format=str(data.get("text_format", "plain")),
            title=str(data.get("title", "")),
            source=None if not src else SourceRef(**src),
        )


def default_credits(qtype: str, n_options: int, answer: tuple[str, ...]) -> tuple[Decimal, ...]:
    """Credits implied by a key: single = 1 for the key, else 0; multiple = 1/k per right option, -1 wrong.

    -1 per wrong option is how Moodle writes an all-or-nothing multi-response (any wrong pick zeroes it).
    """
    keys = {LETTERS.find(a) for a in answer}
    if qtype != "multiple_choice" or not keys:
        return tuple(Decimal(1) if i in keys else Decimal(0) for i in range(n_options))
    share = Decimal(1) / len(keys)
    return tuple(share if i in keys else Decimal(-1) for i in range(n_options))


def credits_from_weights(qtype: str, weights: list[Decimal]) -> tuple[tuple[str, ...], tuple[Decimal, ...] | None]:
    """Answer key and (only if non-standard) credits from per-option fractions, following Moodle.

    The key is the options with full credit (single) or positive credit (multiple). Credits are kept only when
    they differ from default_credits, so our own exports come back as the same question.
    """
    if qtype == "multiple_choice":
        answer = tuple(LETTERS[i] for i, w in enumerate(weights) if w > 0)
        k = len(answer)
        plain = k > 0 and all((abs(w - Decimal(1) / k) < Decimal("0.0001")) if w > 0 else w == -1 for w in weights)
    else:
        best = max(weights, default=Decimal(0))
        answer = tuple(LETTERS[i] for i, w in enumerate(weights) if w == best and best > 0)
        plain = all(w in (0, 1) for w in weights)
    return answer, None if plain else tuple(weights)
