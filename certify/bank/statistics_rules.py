"""Pure checks behind recording a sitting's statistics: marks against a paper, response letters, distractors.

Plain arguments in, problems (every one, with where) or results out; no database, request or clock.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from certify.core.errors import Problem
from question_bank.item_review import DistractorReport, ReviewFlag, distractor_analysis, option_counts_by_group
from question_bank.marks_matrix import MarksMatrix
from question_bank.model import CHOICE_TYPES, LETTERS, Question

LABEL_MAX = 200
#: a refusal lists at most this many problems, then says how many more there are
MAX_PROBLEMS = 50
TRUE_FALSE = ("true", "false")
_TRUE = {"T", "TRUE", "Y", "YES", "对", "正确", "√", "✓", "✔"}
_FALSE = {"F", "FALSE", "N", "NO", "错", "错误", "×", "✗", "✘", "X"}
_SEPARATORS = str.maketrans("", "", " ,，、;；|/")

#: (options, key) of a choice item as response letters, or None for an item without options
ChoiceSpec = tuple[tuple[str, ...], frozenset[str]] | None


def capped(problems: list[Problem]) -> list[Problem]:
    """At most MAX_PROBLEMS problems, plus one saying how many were left out."""
    if len(problems) <= MAX_PROBLEMS:
        return problems
    extra = len(problems) - MAX_PROBLEMS
    return [*problems[:MAX_PROBLEMS], Problem("bank_stats_more_problems", problems[0].field, {"count": extra})]


def check_label(label: str | None) -> list[Problem]:
    """Problems with a sitting's label (required, at most LABEL_MAX characters)."""
    text = (label or "").strip()
    if not text:
        return [Problem("bank_stats_label_required", "label")]
    if len(text) > LABEL_MAX:
        return [Problem("bank_stats_label_too_long", "label", {"max": LABEL_MAX, "length": len(text)})]
    return []


def check_marks(
    form: str, columns: Sequence[tuple[int, float]], matrix: MarksMatrix, where: Any, field: str = "marks"
) -> list[Problem]:
    """Every problem of a marks matrix against a paper's scored `(position, points)` columns: the column count,
    at least two attempts, each mark a number within 0..points."""
    if len(matrix.items) != len(columns):
        params = {"file": where, "found": len(matrix.items), "expected": len(columns), "form": form}
        return [Problem("bank_stats_column_count", field, params)]
    problems: list[Problem] = []
    if len(matrix.rows) < 2:
        problems.append(Problem("bank_stats_too_few_attempts", field, {"file": where, "found": len(matrix.rows)}))
    for number, row in enumerate(matrix.rows, start=1):
        if len(row) != len(columns):
            params = {"file": where, "attempt": number, "found": len(row), "expected": len(columns)}
            problems.append(Problem("bank_stats_row_length", field, params))
            continue
        for (position, maximum), mark in zip(columns, row, strict=True):
            number_ok = isinstance(mark, int | float | Decimal) and not isinstance(mark, bool)
            if not (number_ok and math.isfinite(mark) and 0 <= float(mark) <= maximum + 1e-9):
                params = {"file": where, "attempt": number, "position": position, "value": mark, "max": maximum}
                problems.append(Problem("bank_stats_mark_out_of_range", field, params))
    return problems


def choice_spec(question: Question) -> ChoiceSpec:
    """(options, key) of a choice or true/false question as response letters; None for other types."""
    if question.qtype == "true_false":
        return TRUE_FALSE, frozenset(question.answer)
    if question.qtype in CHOICE_TYPES and question.options:
        return tuple(LETTERS[: len(question.options)]), frozenset(question.answer)
    return None


def parse_choice(options: tuple[str, ...], cell: object) -> frozenset[str] | None:
    """The options a response cell names ("B", "AC", "A,C"; 对/错, T/F for true/false), None when blank.

    Raises ValueError for anything else."""
    text = "" if cell is None else str(cell).strip().upper()
    if not text:
        return None
    if options == TRUE_FALSE:
        if text in _TRUE:
            return frozenset({"true"})
        if text in _FALSE:
            return frozenset({"false"})
        raise ValueError(text)
    letters = text.translate(_SEPARATORS)
    if not letters or any(letter not in options for letter in letters):
        raise ValueError(text)
    return frozenset(letters)


def parse_responses(
    specs: Sequence[ChoiceSpec], rows: Sequence[tuple[int, Sequence[object]]], where: Any, field: str
) -> tuple[list[list[frozenset[str] | None]], list[Problem]]:
    """Chosen options per attempt and item from `(row number, cells)`; columns of non-choice items are ignored."""
    parsed: list[list[frozenset[str] | None]] = []
    problems: list[Problem] = []
    for number, cells in rows:
        cells = list(cells)
        if len(cells) != len(specs):
            params = {"file": where, "row": number, "found": len(cells), "expected": len(specs)}
            problems.append(Problem("bank_stats_responses_columns", field, params))
            continue
        choices: list[frozenset[str] | None] = []
        for column, (spec, cell) in enumerate(zip(specs, cells, strict=True), start=1):
            if spec is None:
                choices.append(None)
                continue
            try:
                choices.append(parse_choice(spec[0], cell))
            except ValueError:
                shown = "T/F" if spec[0] == TRUE_FALSE else "/".join(spec[0])
                params = {"file": where, "row": number, "column": column, "value": str(cell), "options": shown}
                problems.append(Problem("bank_stats_response_invalid", field, params))
                choices.append(None)
        parsed.append(choices)
    return parsed, problems


def distractor_reports(
    specs: Sequence[ChoiceSpec],
    names: Sequence[str],
    rows: Sequence[Sequence[float]],
    choices: Sequence[Sequence[frozenset[str] | None]],
) -> dict[int, DistractorReport]:
    """Distractor analysis per choice column (27 % groups by each attempt's total mark)."""
    totals = [math.fsum(row) for row in rows]
    reports: dict[int, DistractorReport] = {}
    for index, spec in enumerate(specs):
        if spec is None:
            continue
        options, key = spec
        counts, upper, lower = option_counts_by_group([row[index] for row in choices], totals, options)
        reports[index] = distractor_analysis(names[index], counts, key, upper, lower)
    return reports


def report_json(report: DistractorReport | None) -> dict[str, Any] | None:
    """A distractor report as stored with the item's measures."""
    if report is None:
        return None
    return {
        "upper_size": report.upper_size,
        "lower_size": report.lower_size,
        "options": [{**asdict(option), "discrimination": option.discrimination} for option in report.options],
    }


def flag_json(flags: Sequence[ReviewFlag]) -> str:
    """The stored form of an item's flags."""
    return json.dumps([{"code": f.code, "where": f.where, "params": f.params} for f in flags], ensure_ascii=False)


def stored_flags(text: str | None) -> list[ReviewFlag]:
    """The flags of an ItemFlag row as ReviewFlag objects (each renders itself in either language)."""
    return [ReviewFlag(f["code"], f["where"], f.get("params", {})) for f in json.loads(text or "[]")]
