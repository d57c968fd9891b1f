"""Blueprints (组卷方案): weight table, question-type counts and points, difficulty band, forms, exposure."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from question_bank.elements import (
    WEIGHT_TOLERANCE,
    BankSizePolicy,
    ElementTable,
)
from question_bank.eligibility import (
    UNITS_PER_POINT,
    BankItem,
    ExposureState,
    eligible_items,
    recently_used,
    to_units,
)
from question_bank.problems import Problem

__all__ = [
    "QUESTION_TYPES",
    "BankItem",
    "Blueprint",
    "BlueprintProblem",
    "ExposureState",
    "TypeSpec",
    "active_types",
    "eligible_items",
    "recently_used",
    "validate_blueprint",
]

#: Question type keys used across the product, in the order papers present their sections.
QUESTION_TYPES = (
    "true_false",
    "single_choice",
    "multiple_choice",
    "fill_in",
    "short_answer",
    "calculation",
    "essay",
    "case",
)

#: Ladder ordinals certified by examination (初级工 … 高级技师); the others are appointed (评聘).
EXAM_LEVELS = frozenset({2, 3, 4, 5, 6})

_TEMPLATES: dict[str, dict[str, str]] = {
    "unknown_type": {
        "en": "Question type {type_key!r} is not one of the product's types.",
        "zh_CN": "题型 {type_key!r} 不是系统支持的题型。",
    },
    "duplicate_type": {
        "en": "Question type {type_key} is listed more than once.",
        "zh_CN": "题型 {type_key} 重复列出。",
    },
    "bad_type_spec": {
        "en": "Question type {type_key}: {count} questions × {points} points is not allowed "
        "(count ≥ 0, points > 0 in steps of 0.01).",
        "zh_CN": "题型 {type_key}：{count} 题 × 每题 {points} 分不合法（题数不得为负，分值须大于 0 且精确到 0.01）。",
    },
    "type_points_not_total": {
        "en": "Question types add up to {total} points; the paper must have exactly {expected}.",
        "zh_CN": "各题型分值合计 {total} 分，试卷总分应恰为 {expected} 分。",
    },
    "weights_not_total": {
        "en": "The weight table sums to {total}%, not {expected}%.",
        "zh_CN": "比重表合计 {total}%，应为 {expected}%。",
    },
    "bad_weight": {
        "en": "Range {where}: weight {weight}% is not allowed (> 0, in steps of 0.01).",
        "zh_CN": "鉴定范围 {where}：比重 {weight}% 不合法（须大于 0 且精确到 0.01）。",
    },
    "weight_not_composable": {
        "en": "Range {where}: weight {weight} cannot be made from question points {points}.",
        "zh_CN": "鉴定范围 {where}：比重 {weight} 无法由各题型分值 {points} 组合而成。",
    },
    "weight_differs_from_table": {
        "en": "Range {where}: the blueprint has {weight}%, the element table {table_weight}%.",
        "zh_CN": "鉴定范围 {where}：组卷方案比重为 {weight}%，鉴定要素细目表为 {table_weight}%。",
    },
    "too_few_forms": {
        "en": "{forms} form(s) planned; at least {minimum} parallel forms (A/B) are required.",
        "zh_CN": "计划 {forms} 套试卷，至少需要 {minimum} 套平行试卷（A/B 卷）。",
    },
    "band_inverted": {
        "en": "Difficulty band {low}–{high}: the lower bound is above the upper bound.",
        "zh_CN": "难度区间 {low}–{high}：下限高于上限。",
    },
    "band_outside_scale": {
        "en": "Difficulty band {low}–{high} lies outside the scale {scale_low}–{scale_high}.",
        "zh_CN": "难度区间 {low}–{high} 超出难度量表范围 {scale_low}–{scale_high}。",
    },
    "bad_exposure_cap": {
        "en": "The exposure cap {value} must be above 0 and at most 1 (a share of the window's candidates).",
        "zh_CN": "试题曝光率上限 {value} 应大于 0 且不超过 1（占本考试周期考生人数的比例）。",
    },
    "bad_form_overlap": {
        "en": "The allowed overlap between forms {value} must lie between 0 and 1.",
        "zh_CN": "平行试卷间允许的重复比例 {value} 应在 0 到 1 之间。",
    },
    "bad_level": {
        "en": "Ladder level {level} has no theory examination; use a level from {lowest} to {highest}.",
        "zh_CN": "新八级工第 {level} 级不设理论知识考试，应为第 {lowest}–{highest} 级。",
    },
    "bad_exclusion": {
        "en": "Excluding items of the last {sessions} sessions is not possible (must be 0 or more).",
        "zh_CN": "排除最近 {sessions} 场考试用题的设置不合法（应不小于 0）。",
    },
}


class BlueprintProblem(Problem):
    """A problem with a blueprint or with the bank measured against it."""

    TEMPLATES = _TEMPLATES


@dataclass(frozen=True)
class TypeSpec:
    """How many questions of a type the paper has and the points each is worth."""

    type_key: str
    count: int
    points: float


@dataclass(frozen=True)
class Blueprint:
    """A 组卷方案 for one occupation and level (level as ladder ordinal)."""

    occupation_code: str
    level: int
    weights: Mapping[str, float]  #: cell (range path code) → weight % = points on the paper
    types: tuple[TypeSpec, ...]
    difficulty_band: tuple[float, float]
    forms: int = 2
    exposure_cap: float = 0.30
    exclude_last_sessions: int = 0
    max_form_overlap: float = 0.20  #: largest share of one form's items that may reappear in another
    total_points: float = 100.0
    difficulty_scale: tuple[float, float] = (1.0, 5.0)
    min_forms: int = 2
    bank_size: BankSizePolicy = field(default_factory=BankSizePolicy)

    def type_spec(self, type_key: str) -> TypeSpec | None:
        """The spec of a question type, if the blueprint uses it."""
        return next((spec for spec in self.types if spec.type_key == type_key), None)


def _n(value: float) -> float | int:
    rounded = round(value, 4)
    return int(rounded) if rounded == int(rounded) else rounded


def validate_blueprint(blueprint: Blueprint, table: ElementTable | None = None) -> list[BlueprintProblem]:
    """Every problem with a blueprint; with a table, its weights must equal the table's for the level."""
    problems: list[BlueprintProblem] = []
    seen: set[str] = set()
    type_units: list[int] = []
    for spec in blueprint.types:
        if spec.type_key not in QUESTION_TYPES:
            problems.append(BlueprintProblem("unknown_type", spec.type_key, {"type_key": spec.type_key}))
        if spec.type_key in seen:
            problems.append(BlueprintProblem("duplicate_type", spec.type_key, {"type_key": spec.type_key}))
        seen.add(spec.type_key)
        units = to_units(spec.points)
        if spec.count < 0 or units is None or units <= 0:
            params = {"type_key": spec.type_key, "count": spec.count, "points": _n(spec.points)}
            problems.append(BlueprintProblem("bad_type_spec", spec.type_key, params))
        elif spec.count > 0:
            type_units.append(units)
    type_total = math.fsum(spec.count * spec.points for spec in blueprint.types)
    if abs(type_total - blueprint.total_points) > WEIGHT_TOLERANCE:
        params = {"total": _n(type_total), "expected": _n(blueprint.total_points)}
        problems.append(BlueprintProblem("type_points_not_total", "types", params))
    problems += _weight_problems(blueprint, type_units, table)
    if blueprint.forms < blueprint.min_forms:
        params = {"forms": blueprint.forms, "minimum": blueprint.min_forms}
        problems.append(BlueprintProblem("too_few_forms", "forms", params))
    low, high = blueprint.difficulty_band
    scale_low, scale_high = blueprint.difficulty_scale
    band = {"low": _n(low), "high": _n(high)}
    if low > high:
        problems.append(BlueprintProblem("band_inverted", "difficulty_band", band))
    if low < scale_low or high > scale_high:
        params = {**band, "scale_low": _n(scale_low), "scale_high": _n(scale_high)}
        problems.append(BlueprintProblem("band_outside_scale", "difficulty_band", params))
    if not 0.0 < blueprint.exposure_cap <= 1.0:
        problems.append(BlueprintProblem("bad_exposure_cap", "exposure_cap", {"value": blueprint.exposure_cap}))
    if not 0.0 <= blueprint.max_form_overlap <= 1.0:
        params = {"value": blueprint.max_form_overlap}
        problems.append(BlueprintProblem("bad_form_overlap", "max_form_overlap", params))
    if blueprint.level not in EXAM_LEVELS:
        params = {"level": blueprint.level, "lowest": min(EXAM_LEVELS), "highest": max(EXAM_LEVELS)}
        problems.append(BlueprintProblem("bad_level", "level", params))
    if blueprint.exclude_last_sessions < 0:
        params = {"sessions": blueprint.exclude_last_sessions}
        problems.append(BlueprintProblem("bad_exclusion", "exclude_last_sessions", params))
    return problems


def _weight_problems(blueprint: Blueprint, type_units: list[int], table: ElementTable | None) -> list[BlueprintProblem]:
    problems: list[BlueprintProblem] = []
    step = math.gcd(*type_units) if type_units else 0
    for cell, weight in blueprint.weights.items():
        units = to_units(weight)
        if units is None or units <= 0:
            problems.append(BlueprintProblem("bad_weight", cell, {"weight": _n(weight)}))
        elif step and units % step:
            points = sorted({u / UNITS_PER_POINT for u in type_units})
            problems.append(BlueprintProblem("weight_not_composable", cell, {"weight": _n(weight), "points": points}))
    total = math.fsum(blueprint.weights.values())
    if abs(total - blueprint.total_points) > WEIGHT_TOLERANCE:
        params = {"total": _n(total), "expected": _n(blueprint.total_points)}
        problems.append(BlueprintProblem("weights_not_total", "weights", params))
    if table is not None:
        table_cells = table.cells(blueprint.level)
        for cell in sorted(set(table_cells) | set(blueprint.weights)):
            ours, theirs = blueprint.weights.get(cell, 0.0), table_cells.get(cell, 0.0)
            if abs(ours - theirs) > WEIGHT_TOLERANCE:
                params = {"weight": _n(ours), "table_weight": _n(theirs)}
                problems.append(BlueprintProblem("weight_differs_from_table", cell, params))
    return problems


def active_types(blueprint: Blueprint) -> list[TypeSpec]:
    """The question types the paper actually has (count > 0), in blueprint order."""
    return [spec for spec in blueprint.types if spec.count > 0]


def __getattr__(name: str) -> object:
    """The feasibility check lives in question_bank.feasibility; reachable from here as the blueprint's check."""
    if name in {"feasibility", "FeasibilityReport", "CellFeasibility", "FeasibilityProblem"}:
        from question_bank import feasibility

        return getattr(feasibility, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
