"""Practical-task rubrics (评分表), pure; the content-structure table is in ``certify.practical.structure``.

A rubric row is scored one of four ways: CHECK (met → full points, else 0), SCALE (one of the anchors'
points), DEDUCTION (full points minus the steps recorded, 扣完为止) or VETO (否定项: triggered → the task
scores 0, with the reason on record). Deductions are floored at 0 **per row**: a row never goes below zero,
so faults counted in one row never eat the points of another, as on the printed Chinese mark sheets where
each line's 配分 is exhausted on its own. A blank row scores 0 for CHECK and SCALE, full points for DEDUCTION
(nothing deducted) and triggers no VETO; a blank MANDATORY row makes the sheet incomplete.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, ClassVar

PLACES = Decimal("0.01")  #: every score is kept to 2 decimals, rounded ROUND_HALF_UP


def quantize(value: Decimal) -> Decimal:
    """Round a score to 2 decimals, half up (the platform's one rounding rule)."""
    return value.quantize(PLACES, rounding=ROUND_HALF_UP)


def format_points(value: Decimal) -> str:
    """Points as JSON-friendly text without trailing zeros: Decimal("10.50") → "10.5"."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True)
class Reason:
    """A stable code, JSON-serialisable params and where it applies; rendered in "en" or "zh_CN"."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)
    where: str | None = None
    templates: ClassVar[dict[str, tuple[str, str]]] = {}
    #: param → code value → (en, zh_CN) label, for params that carry an enum's code
    labels: ClassVar[dict[str, dict[str, tuple[str, str]]]] = {}

    def message(self, locale: str = "en") -> str:
        """The reason rendered from the bilingual template table."""
        index = 1 if str(locale).replace("-", "_").lower().startswith("zh") else 0
        shown = dict(self.params)
        shown |= {k: self.labels[k][v][index] for k, v in self.params.items() if v in self.labels.get(k, {})}
        return self.templates[self.code][index].format(**shown)


class RubricProblem(Reason):
    """A problem with a rubric, a mark sheet or a content-structure table."""

    labels = {
        "kind": {
            "check": ("met / not met", "达标判定"),
            "scale": ("scale", "分档评分"),
            "deduction": ("deduction", "扣分"),
            "veto": ("veto item", "否定项"),
        }
    }

    templates = {
        "no_rows": ("The rubric has no rows.", "评分表没有任何评分项。"),
        "empty_criterion": ("Row {row} has no criterion text.", "第 {row} 行未填写评分要素。"),
        "points_not_positive": (
            "Row {row} must carry more than 0 points ({points}).",
            "第 {row} 行的配分必须大于 0（当前为 {points}）。",
        ),
        "veto_with_points": (
            "Row {row} is a veto item and carries no points ({points}).",
            "第 {row} 行为否定项，不应配分（当前为 {points}）。",
        ),
        "too_precise": (
            "Row {row}: {value} has more than 2 decimals.",
            "第 {row} 行：{value} 的小数位超过 2 位。",
        ),
        "scale_needs_anchors": (
            "Row {row} is a scale and needs at least 2 anchors ({count} given).",
            "第 {row} 行为分档评分，至少需要 2 个评分档（当前 {count} 个）。",
        ),
        "anchor_out_of_range": (
            "Row {row}: anchor {points} is outside 0–{max_points}.",
            "第 {row} 行：评分档 {points} 分超出 0–{max_points} 分的范围。",
        ),
        "duplicate_anchor": (
            "Row {row}: anchor {points} appears twice.",
            "第 {row} 行：评分档 {points} 分重复。",
        ),
        "top_anchor_not_max": (
            "Row {row}: the top anchor is {top}, not the row's {max_points} points.",
            "第 {row} 行：最高评分档为 {top} 分，与配分 {max_points} 分不符。",
        ),
        "deduction_needs_steps": (
            "Row {row} deducts points but lists no deduction steps.",
            "第 {row} 行为扣分项，但未列出扣分标准。",
        ),
        "step_not_positive": (
            "Row {row}: deduction step {step} must deduct more than 0 ({points}).",
            "第 {row} 行：第 {step} 条扣分标准的扣分必须大于 0（当前为 {points}）。",
        ),
        "unexpected_anchors": (
            "Row {row} ({kind}) must not have anchors.",
            "第 {row} 行（{kind}）不应设置评分档。",
        ),
        "unexpected_steps": (
            "Row {row} ({kind}) must not have deduction steps.",
            "第 {row} 行（{kind}）不应设置扣分标准。",
        ),
        "total_mismatch": (
            "The rows add up to {total} points; the task is worth {task_points}.",
            "各评分项配分合计 {total} 分，与该试题分值 {task_points} 分不符。",
        ),
        "unknown_row": (
            "The sheet scores row {row}, which the rubric does not have.",
            "评分记录中的第 {row} 行在评分表中不存在。",
        ),
        "duplicate_entry": ("Row {row} is scored more than once.", "第 {row} 行重复评分。"),
        "check_needs_answer": (
            "Row {row} needs a yes or no (met / not met).",
            "第 {row} 行需填写“达到”或“未达到”。",
        ),
        "not_an_anchor": (
            "Row {row}: {points} is not one of the anchors ({anchors}).",
            "第 {row} 行：{points} 分不是规定的评分档（{anchors}）。",
        ),
        "unknown_step": (
            "Row {row}: there is no deduction step {step}.",
            "第 {row} 行：不存在第 {step} 条扣分标准。",
        ),
        "negative_count": (
            "Row {row}: deduction step {step} is counted {count} times.",
            "第 {row} 行：第 {step} 条扣分标准的次数为 {count}，不能为负数。",
        ),
        "veto_without_reason": (
            "Row {row}: the veto was applied without a reason.",
            "第 {row} 行：否定项成立，但未记录理由。",
        ),
        "mandatory_row_missing": (
            "Row {row} is mandatory and was left blank.",
            "第 {row} 行为必评项，未评分。",
        ),
        "no_areas": ("The content-structure table has no areas.", "考核内容结构表没有任何考核内容。"),
        "duplicate_area": ("Area {area} appears more than once.", "考核内容 {area} 重复。"),
        "area_weight_not_positive": (
            "Area {area} must weigh more than 0 % ({weight}).",
            "考核内容 {area} 的比重必须大于 0%（当前为 {weight}）。",
        ),
        "area_minutes_not_positive": (
            "Area {area} must last more than 0 minutes ({minutes}).",
            "考核内容 {area} 的考核时间必须大于 0 分钟（当前为 {minutes}）。",
        ),
        "weights_not_100": (
            "A candidate sitting {areas} is weighted {total} % in all, not 100 %.",
            "考生考核 {areas} 时，鉴定比重合计为 {total}%，应为 100%。",
        ),
        "minutes_out_of_range": (
            "A candidate sitting {areas} works {minutes} minutes; {min_minutes}–{max_minutes} are allowed.",
            "考生考核 {areas} 时，考核时间共 {minutes} 分钟，应在 {min_minutes}–{max_minutes} 分钟之间。",
        ),
        "area_without_tasks": ("Area {area} has no task to draw from.", "考核内容 {area} 没有可抽取的试题。"),
    }


class RowKind(enum.StrEnum):
    """How a rubric row is scored."""

    CHECK = "check"
    SCALE = "scale"
    DEDUCTION = "deduction"
    VETO = "veto"


@dataclass(frozen=True)
class Anchor:
    """One level of a scale row: the points and what earns them."""

    points: Decimal
    description: str = ""


@dataclass(frozen=True)
class DeductionStep:
    """One deduction (扣分标准): the points taken off each time the fault is seen."""

    points: Decimal
    description: str = ""


@dataclass(frozen=True)
class RubricRow:
    """One line of the mark sheet."""

    criterion: str
    kind: RowKind
    max_points: Decimal = Decimal(0)
    anchors: tuple[Anchor, ...] = ()
    deduction_steps: tuple[DeductionStep, ...] = ()
    mandatory: bool = False


@dataclass(frozen=True)
class Rubric:
    """The mark sheet of one task."""

    task: str
    rows: tuple[RubricRow, ...]

    @property
    def max_total(self) -> Decimal:
        """The points the rows add up to (veto rows carry none)."""
        return sum((r.max_points for r in self.rows if r.kind is not RowKind.VETO), Decimal(0))


def _too_precise(value: Decimal) -> bool:
    return value != value.quantize(PLACES, rounding=ROUND_HALF_UP)


def validate_rubric(rubric: Rubric, task_points: Decimal) -> list[RubricProblem]:
    """Every problem with a rubric at once, each with its row; totals must equal the task's points."""
    problems: list[RubricProblem] = []
    if not rubric.rows:
        return [RubricProblem("no_rows", {}, "rows")]
    for i, row in enumerate(rubric.rows):
        problems += _row_problems(i, row)
    if rubric.max_total != task_points:
        params = {"total": format_points(rubric.max_total), "task_points": format_points(task_points)}
        problems.append(RubricProblem("total_mismatch", params, "rows"))
    return problems


def _row_problems(i: int, row: RubricRow) -> list[RubricProblem]:
    where, n = f"rows[{i}]", i + 1
    out: list[RubricProblem] = []

    def add(code: str, **params: Any) -> None:
        out.append(RubricProblem(code, {"row": n, **params}, where))

    if not row.criterion.strip():
        add("empty_criterion")
    values = [row.max_points, *(a.points for a in row.anchors), *(s.points for s in row.deduction_steps)]
    for value in values:
        if _too_precise(value):
            add("too_precise", value=format_points(value))
    if row.kind is RowKind.VETO:
        if row.max_points != 0:
            add("veto_with_points", points=format_points(row.max_points))
    elif row.max_points <= 0:
        add("points_not_positive", points=format_points(row.max_points))
    if row.kind is not RowKind.SCALE and row.anchors:
        add("unexpected_anchors", kind=row.kind.value)
    if row.kind is not RowKind.DEDUCTION and row.deduction_steps:
        add("unexpected_steps", kind=row.kind.value)
    if row.kind is RowKind.SCALE:
        if len(row.anchors) < 2:
            add("scale_needs_anchors", count=len(row.anchors))
        seen: set[Decimal] = set()
        for anchor in row.anchors:
            if not 0 <= anchor.points <= row.max_points:
                add(
                    "anchor_out_of_range",
                    points=format_points(anchor.points),
                    max_points=format_points(row.max_points),
                )
            if anchor.points in seen:
                add("duplicate_anchor", points=format_points(anchor.points))
            seen.add(anchor.points)
        if row.anchors and max(seen) != row.max_points:
            add("top_anchor_not_max", top=format_points(max(seen)), max_points=format_points(row.max_points))
    if row.kind is RowKind.DEDUCTION:
        if not row.deduction_steps:
            add("deduction_needs_steps")
        for s, step in enumerate(row.deduction_steps):
            if step.points <= 0:
                add("step_not_positive", step=s + 1, points=format_points(step.points))
    return out


@dataclass(frozen=True)
class RowEntry:
    """What an assessor wrote on one row: met (CHECK), points (SCALE), step counts (DEDUCTION) or a veto."""

    row: int  #: 0-based index into the rubric's rows
    met: bool | None = None
    points: Decimal | None = None
    deductions: Mapping[int, int] = field(default_factory=dict)  #: step index → times seen
    vetoed: bool = False
    reason: str = ""


@dataclass(frozen=True)
class VetoRecord:
    """A veto that zeroed the task, with the row and the recorded reason."""

    row: int
    criterion: str
    reason: str


@dataclass(frozen=True)
class SheetScore:
    """One assessor's sheet, scored: the total, per-row points, any veto, and what is missing or wrong."""

    total: Decimal
    max_total: Decimal
    row_points: tuple[Decimal, ...]
    veto_applied: bool
    vetoes: tuple[VetoRecord, ...]
    missing_mandatory: tuple[int, ...]
    problems: tuple[RubricProblem, ...]

    @property
    def complete(self) -> bool:
        """Every mandatory row scored and no problem: the sheet may be signed."""
        return not self.problems

    @property
    def percent(self) -> Decimal:
        """The total on the 0–100 scale the pass mark and thresholds use."""
        return quantize(self.total * 100 / self.max_total) if self.max_total else Decimal("0.00")


def score_sheet(rubric: Rubric, entries: Sequence[RowEntry]) -> SheetScore:
    """Score one assessor's sheet: per-row points (deductions floored at 0 per row), veto → 0."""
    problems: list[RubricProblem] = []
    by_row: dict[int, RowEntry] = {}
    for entry in entries:
        where = f"rows[{entry.row}]"
        if not 0 <= entry.row < len(rubric.rows):
            problems.append(RubricProblem("unknown_row", {"row": entry.row + 1}, where))
        elif entry.row in by_row:
            problems.append(RubricProblem("duplicate_entry", {"row": entry.row + 1}, where))
        else:
            by_row[entry.row] = entry
    points: list[Decimal] = []
    vetoes: list[VetoRecord] = []
    missing: list[int] = []
    for i, row in enumerate(rubric.rows):
        entry = by_row.get(i)
        if entry is None and row.mandatory:
            missing.append(i)
            problems.append(RubricProblem("mandatory_row_missing", {"row": i + 1}, f"rows[{i}]"))
        value, row_problems = _row_points(i, row, entry)
        problems += row_problems
        points.append(value)
        if row.kind is RowKind.VETO and entry is not None and entry.vetoed:
            vetoes.append(VetoRecord(i, row.criterion, entry.reason.strip()))
    total = Decimal(0) if vetoes else sum(points, Decimal(0))
    return SheetScore(
        quantize(total),
        rubric.max_total,
        tuple(points),
        bool(vetoes),
        tuple(vetoes),
        tuple(missing),
        tuple(problems),
    )


def _row_points(i: int, row: RubricRow, entry: RowEntry | None) -> tuple[Decimal, list[RubricProblem]]:
    where, n = f"rows[{i}]", i + 1
    if row.kind is RowKind.VETO:
        if entry is not None and entry.vetoed and not entry.reason.strip():
            return Decimal(0), [RubricProblem("veto_without_reason", {"row": n}, where)]
        return Decimal(0), []
    if row.kind is RowKind.DEDUCTION:
        if entry is None:
            return row.max_points, []
        problems: list[RubricProblem] = []
        taken = Decimal(0)
        for step, count in sorted(entry.deductions.items()):
            if not 0 <= step < len(row.deduction_steps):
                problems.append(RubricProblem("unknown_step", {"row": n, "step": step + 1}, where))
            elif count < 0:
                problems.append(RubricProblem("negative_count", {"row": n, "step": step + 1, "count": count}, where))
            else:
                taken += row.deduction_steps[step].points * count
        return max(Decimal(0), row.max_points - taken), problems
    if entry is None:
        return Decimal(0), []
    if row.kind is RowKind.CHECK:
        if entry.met is None:
            return Decimal(0), [RubricProblem("check_needs_answer", {"row": n}, where)]
        return (row.max_points if entry.met else Decimal(0)), []
    anchors = sorted({a.points for a in row.anchors})
    if entry.points is None or entry.points not in anchors:
        params = {"row": n, "points": "—" if entry.points is None else format_points(entry.points)}
        params["anchors"] = " / ".join(format_points(a) for a in anchors)
        return Decimal(0), [RubricProblem("not_an_anchor", params, where)]
    return entry.points, []
