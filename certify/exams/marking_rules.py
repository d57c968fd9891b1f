"""Marking rules, pure: scoring one stored response, reading a hand mark, reconciling independent marks, the
final theory score, the blind script code and the regrade diff.

Plain arguments in, results (with every problem) out; no database, request or clock.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import json
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from certify.core.errors import Problem
from question_bank.model import LETTERS, Question
from question_bank.types import DEFAULT_POLICY, QUESTION_TYPES, ScoringPolicy
from question_bank.types import score as type_score

CENT = Decimal("0.01")
#: hand marks are given in half points (DOMAIN: 100-point papers, marks in 0.5 steps)
MARK_STEP = Decimal("0.5")
#: the theory score is shown and compared with the pass mark in half points, rounded half up (四舍五入)
THEORY_STEP = Decimal("0.5")
COMMENT_MAX = 2000
REASON_MAX = 2000


def is_hand_marked(type_key: str) -> bool:
    """True for the types a person marks (short answer, calculation, essay, case)."""
    kind = QUESTION_TYPES.get(type_key)
    return bool(kind and kind.hand_marked)


def decode(value: str | None) -> Any:
    """A stored response (canonical JSON); text that is not JSON is kept as the text itself."""
    if value is None:
        return None
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return value


def _texts(response: Any) -> list[str]:
    if response is None or isinstance(response, bool | dict):
        return []
    if isinstance(response, str | int | float):
        return [str(response)]
    if isinstance(response, list | tuple):
        return ["" if part is None or isinstance(part, dict | list) else str(part) for part in response]
    return []


def normalised_response(qtype: str, response: Any) -> Any:
    """The response in the shape its type's scorer expects, or None when it is unanswered (or unreadable).

    Stored values come from the exam page, but a stored value is never trusted to have the right shape: a
    malformed one scores nothing instead of failing the submit.
    """
    if qtype == "true_false":
        if isinstance(response, bool):
            return "true" if response else "false"
        text = response.strip().lower() if isinstance(response, str) else ""
        return text if text in ("true", "false") else None
    if qtype in ("single_choice", "multiple_choice"):
        letters = {t.strip().upper() for t in _texts(response)}
        if isinstance(response, str):
            letters = {c for c in response.upper() if c in LETTERS}
        letters = {letter for letter in letters if len(letter) == 1 and letter in LETTERS}
        return sorted(letters) or None
    if qtype == "fill_in":
        blanks = _texts(response)
        return blanks if any(b.strip() for b in blanks) else None
    return None


def response_text(response: Any) -> str:
    """A hand-marked response as the text a marker reads ("" when blank)."""
    return "\n".join(part for part in _texts(response)).strip()


def scoring_policy(spec: dict) -> ScoringPolicy:
    """The blueprint's multiple-choice credit rule (all-or-nothing unless the blueprint chose partial credit)."""
    credit = spec.get("multiple_choice_credit") if isinstance(spec, dict) else None
    return ScoringPolicy(multiple_choice=credit) if credit in ("all_or_nothing", "partial") else DEFAULT_POLICY


def item_points(question: Question, response: Any, points: Decimal, policy: ScoringPolicy = DEFAULT_POLICY) -> Decimal:
    """What a response earns on a paper item worth `points` (the question's own points scaled to the item's),
    to the cent; an unanswered or unreadable response earns 0."""
    answer = normalised_response(question.qtype, response)
    if answer is None or points <= 0:
        return Decimal("0.00")
    score = type_score(question, answer, policy)
    earned = score.points if question.points == points else score.points * points / question.points
    return min(max(earned, Decimal(0)), points).quantize(CENT, ROUND_HALF_UP)


def parse_mark(raw: Any, maximum: Decimal) -> tuple[Decimal | None, list[Problem]]:
    """A hand mark typed by a marker: a number from 0 to the item's points in steps of 0.5."""
    if isinstance(raw, Decimal | int) and not isinstance(raw, bool):
        text = str(raw)
    else:
        text = unicodedata.normalize("NFKC", str(raw or "")).strip().replace(",", ".")
    if not text:
        return None, [Problem("marking_points_required", "points")]
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None, [Problem("marking_points_invalid", "points", {"value": text[:20]})]
    if not value.is_finite():
        return None, [Problem("marking_points_invalid", "points", {"value": text[:20]})]
    if not Decimal(0) <= value <= maximum:
        return None, [Problem("marking_points_range", "points", {"value": text[:20], "max": _plain(maximum)})]
    if value % MARK_STEP:
        return None, [Problem("marking_points_step", "points", {"value": text[:20]})]
    return value.quantize(CENT), []


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f") if value != value.to_integral_value() else str(int(value))


class AnswerStatus(enum.StrEnum):
    """Where a hand-marked answer stands."""

    BLANK = "blank"  #: nothing written: 0 without marking
    AWAITING_MARKS = "awaiting_marks"  #: not every assigned marker has marked it
    AWAITING_ADJUDICATION = "awaiting_adjudication"  #: the marks differ by more than the threshold
    ADJUDICATED = "adjudicated"  #: the third marker's mark decides
    AGREED = "agreed"  #: the mean of the independent marks

    @property
    def final(self) -> bool:
        return self in (AnswerStatus.BLANK, AnswerStatus.ADJUDICATED, AnswerStatus.AGREED)


@dataclass(frozen=True)
class Outcome:
    """A hand-marked answer's status and, when final, its mark."""

    status: AnswerStatus
    final: Decimal | None = None
    spread: Decimal | None = None


def reconcile(
    marks: Sequence[Decimal | None], adjudication: Decimal | None, threshold: Decimal, blank: bool = False
) -> Outcome:
    """Final mark of one answer from its assigned markers' marks (None = not yet marked), in order.

    Needs at least two marks. Marks further apart than `threshold` go to the adjudicator, whose mark decides;
    otherwise the final mark is the mean, to the cent. Raw marks are never changed.
    """
    if blank:
        return Outcome(AnswerStatus.BLANK, Decimal("0.00"))
    if len(marks) < 2 or any(mark is None for mark in marks):
        return Outcome(AnswerStatus.AWAITING_MARKS)
    given = [mark for mark in marks if mark is not None]
    spread = max(given) - min(given)
    if spread > threshold:
        if adjudication is None:
            return Outcome(AnswerStatus.AWAITING_ADJUDICATION, spread=spread)
        return Outcome(AnswerStatus.ADJUDICATED, adjudication.quantize(CENT), spread)
    mean = (sum(given, Decimal(0)) / len(given)).quantize(CENT, ROUND_HALF_UP)
    return Outcome(AnswerStatus.AGREED, mean, spread)


def theory_score(earned: Decimal, maximum: Decimal) -> Decimal:
    """The theory score on 0–100 from the points earned on a paper worth `maximum`, in half points.

    Rounded half up, as marks are given in half points and 四舍五入 is how results are announced; a paper
    not worth 100 is scaled to 100 first.
    """
    if maximum <= 0:
        return Decimal("0.0")
    hundred = earned * 100 / maximum if maximum != 100 else earned
    halves = (hundred / THEORY_STEP).quantize(Decimal(1), ROUND_HALF_UP)
    return min(max(halves * THEORY_STEP, Decimal(0)), Decimal(100)).quantize(Decimal("0.1"))


def script_code(secret: str | bytes, attempt_id: int) -> str:
    """The anonymous code markers see for an attempt: a keyed hash (HMAC) of its id, shortened.

    Without the application's secret no one can tell which attempt, seat or ticket a code stands for.
    """
    key = secret.encode() if isinstance(secret, str) else secret
    digest = hmac.new(key, f"certify-exam-script:{attempt_id}".encode(), hashlib.sha256).digest()
    text = base64.b32encode(digest).decode()[:8]
    return f"{text[:4]}-{text[4:]}"


def choice_cell(qtype: str, response: Any, option_count: int) -> str | None:
    """A response as the statistics' responses file writes it: option letters ("AC"), T/F, or None."""
    answer = normalised_response(qtype, response)
    if answer is None:
        return None
    if qtype == "true_false":
        return "T" if answer == "true" else "F"
    if qtype in ("single_choice", "multiple_choice"):
        letters = [letter for letter in answer if LETTERS.index(letter) < option_count]
        return "".join(letters) or None
    return None


@dataclass(frozen=True)
class RegradeChange:
    """One attempt whose score a regrade changes."""

    attempt_id: int
    points_before: Decimal
    points_after: Decimal
    objective_before: Decimal
    objective_after: Decimal
    theory_before: Decimal | None
    theory_after: Decimal | None

    def as_dict(self) -> dict[str, Any]:
        """The stored (JSON) form."""
        return {
            "attempt": self.attempt_id,
            "before": str(self.points_before),
            "after": str(self.points_after),
            "objective_before": str(self.objective_before),
            "objective_after": str(self.objective_after),
            "theory_before": None if self.theory_before is None else str(self.theory_before),
            "theory_after": None if self.theory_after is None else str(self.theory_after),
        }


@dataclass(frozen=True)
class RegradeTotals:
    """What a regrade does overall."""

    attempts: int  #: scored attempts on the paper
    changed: int
    raised: int
    lowered: int
    net: Decimal  #: the sum of every change in points


def regrade_totals(considered: int, changes: Iterable[RegradeChange]) -> RegradeTotals:
    """Totals of a regrade's changes."""
    changes = list(changes)
    deltas = [c.points_after - c.points_before for c in changes]
    return RegradeTotals(
        considered,
        len(changes),
        sum(1 for d in deltas if d > 0),
        sum(1 for d in deltas if d < 0),
        sum(deltas, Decimal("0.00")),
    )


def regrade_digest(old_version: int, new_version: int, changes: Sequence[RegradeChange]) -> str:
    """A short fingerprint of a dry run, so that applying it can insist the scores have not moved since."""
    body = json.dumps([old_version, new_version, [c.as_dict() for c in changes]], sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()[:16]


def check_reason(reason: str | None, field: str = "reason") -> tuple[str, list[Problem]]:
    """A required free-text reason, trimmed, at most REASON_MAX characters."""
    text = (reason or "").strip()
    if not text:
        return text, [Problem("marking_reason_required", field)]
    if len(text) > REASON_MAX:
        return text, [Problem("marking_text_too_long", field, {"max": REASON_MAX, "length": len(text)})]
    return text, []
