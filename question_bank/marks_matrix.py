"""Reading a marks matrix: plain CSV, Moodle's results layout, or Moodle's grades-report download."""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from question_bank.problems import Problem

_MOODLE_SLOT = re.compile(r"^slots\.(\d+)\.mark$")
#: Moodle's grades-report download: "Q. 3 /2.00" columns carry each question's maximum.
_MOODLE_GRADES = re.compile(r"^Q\.\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)$")
#: Cells Moodle writes for a question that was never answered or graded; they count as 0 in the total.
_BLANK_MARKS = {"", "-"}

_TEMPLATES: dict[str, dict[str, str]] = {
    "empty_matrix": {
        "en": "The marks file has no attempts or no item columns.",
        "zh_CN": "成绩矩阵中没有作答记录或没有试题列。",
    },
    "bad_mark": {
        "en": "Line {line}, item {item}: {value!r} is not a number.",
        "zh_CN": "第 {line} 行，试题 {item}：{value!r} 不是数字。",
    },
    "negative_mark": {
        "en": "Line {line}, item {item}: the mark {value} is negative.",
        "zh_CN": "第 {line} 行，试题 {item}：得分 {value} 为负数。",
    },
    "mark_above_max": {
        "en": "Line {line}, item {item}: the mark {value} exceeds the item's maximum {max_mark}.",
        "zh_CN": "第 {line} 行，试题 {item}：得分 {value} 超过该题满分 {max_mark}。",
    },
    "ragged_row": {
        "en": "Line {line}: {found} cells, expected {expected}.",
        "zh_CN": "第 {line} 行：共 {found} 列，应为 {expected} 列。",
    },
    "bad_max_mark": {
        "en": "Item {item}: the maximum mark {value} must be positive.",
        "zh_CN": "试题 {item}：满分 {value} 必须大于 0。",
    },
    "max_marks_count": {
        "en": "{found} maximum marks were given for {expected} items.",
        "zh_CN": "给出了 {found} 个满分值，但共有 {expected} 道题。",
    },
}


class StatsProblem(Problem):
    """A problem in a marks matrix."""

    TEMPLATES = _TEMPLATES


class MarksMatrixError(ValueError):
    """Raised with every problem found in a marks matrix at once."""

    def __init__(self, problems: list[StatsProblem]) -> None:
        super().__init__("; ".join(problem.message("en") for problem in problems))
        self.problems = problems


@dataclass(frozen=True)
class MarksMatrix:
    """One row per attempt, one column per item; `max_marks` per item."""

    items: tuple[str, ...]
    rows: tuple[tuple[float, ...], ...]
    max_marks: tuple[float, ...]
    attempt_ids: tuple[str, ...] = ()


def max_marks_for(
    items: Sequence[str], max_marks: float | Sequence[float] | Mapping[str, float] | None
) -> tuple[tuple[float, ...], list[StatsProblem]]:
    """Maximum marks per item from a number, a sequence or a mapping (default 1), with any problems."""
    if max_marks is None:
        values = [1.0] * len(items)
    elif isinstance(max_marks, int | float):
        values = [float(max_marks)] * len(items)
    elif isinstance(max_marks, Mapping):
        values = [float(max_marks.get(item, 1.0)) for item in items]
    else:
        values = [float(value) for value in max_marks]
        if len(values) != len(items):
            return (), [StatsProblem("max_marks_count", "max_marks", {"found": len(values), "expected": len(items)})]
    problems = [
        StatsProblem("bad_max_mark", f"item {item}", {"item": item, "value": value})
        for item, value in zip(items, values, strict=True)
        if not value > 0
    ]
    return tuple(values), problems


def read_marks_matrix(
    text_or_bytes: str | bytes, max_marks: float | Sequence[float] | Mapping[str, float] | None = None
) -> MarksMatrix:
    """Parse a plain CSV of marks (header optional), Moodle's results layout (`slots.N.mark` columns) or
    Moodle's grades-report download (`Q. N /max` columns, maxima taken from the header).

    In Moodle's layout every other column is ignored (a `summarks` column included: totals are always the sum
    of the item marks). `max_marks` defaults to 1 per item. Raises MarksMatrixError listing every bad cell.
    """
    text = text_or_bytes.decode("utf-8-sig") if isinstance(text_or_bytes, bytes) else text_or_bytes.lstrip("\ufeff")
    table = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    if not table:
        raise MarksMatrixError([StatsProblem("empty_matrix", "file", {})])
    header = [cell.strip() for cell in table[0]]
    slots = {index: m.group(1) for index, cell in enumerate(header) if (m := _MOODLE_SLOT.match(cell))}
    graded = {index: m for index, cell in enumerate(header) if (m := _MOODLE_GRADES.match(cell))}
    id_column: int | None = None
    if graded and not slots:
        slots = {index: m.group(1) for index, m in graded.items()}
        if max_marks is None:
            max_marks = {m.group(1): float(m.group(2)) for m in graded.values()}
        # The report's closing "Overall average" row is a summary, not an attempt.
        table = [row for row in table if not (row and row[0].strip().lower().startswith("overall average"))]
    if slots:
        columns = sorted(slots, key=lambda index: int(slots[index]))
        items = [slots[index] for index in columns]
        id_column = header.index("quizattempt") if "quizattempt" in header else None
        body, first_line = table[1:], 2
    elif all(_is_number(cell) for cell in header):
        columns, items, body, first_line = (
            list(range(len(header))),
            [str(i + 1) for i in range(len(header))],
            table,
            1,
        )
    else:
        columns, items, body, first_line = list(range(len(header))), header, table[1:], 2
    maxima, problems = max_marks_for(items, max_marks)
    if not body or not items:
        problems.append(StatsProblem("empty_matrix", "file", {}))
    rows: list[tuple[float, ...]] = []
    attempt_ids: list[str] = []
    for offset, row in enumerate(body):
        line = first_line + offset
        if len(row) < len(header):
            problems.append(
                StatsProblem("ragged_row", f"line {line}", {"line": line, "found": len(row), "expected": len(header)})
            )
            continue
        marks: list[float] = []
        for position, column in enumerate(columns):
            where = f"line {line}, item {items[position]}"
            at = {"line": line, "item": items[position]}
            cell = row[column].strip()
            mark = 0.0 if cell in _BLANK_MARKS else _to_float(cell)
            if mark is None:
                problems.append(StatsProblem("bad_mark", where, {**at, "value": cell}))
                continue
            if mark < 0:
                problems.append(StatsProblem("negative_mark", where, {**at, "value": mark}))
            elif maxima and mark > maxima[position] + 1e-9:
                problems.append(
                    StatsProblem("mark_above_max", where, {**at, "value": mark, "max_mark": maxima[position]})
                )
            marks.append(mark)
        rows.append(tuple(marks))
        attempt_ids.append(row[id_column].strip() if id_column is not None else str(offset + 1))
    if problems:
        raise MarksMatrixError(problems)
    return MarksMatrix(tuple(items), tuple(rows), maxima, tuple(attempt_ids))


def _to_float(cell: str) -> float | None:
    try:
        value = float(cell)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _is_number(cell: str) -> bool:
    return cell.strip() in _BLANK_MARKS or _to_float(cell.strip()) is not None
