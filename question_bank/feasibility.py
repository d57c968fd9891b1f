"""Feasibility of a blueprint against a bank: the cell × type plan, per-cell need vs supply, bank size."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import asdict, dataclass

from question_bank.blueprint import Blueprint, active_types, validate_blueprint
from question_bank.elements import WEIGHT_TOLERANCE, ElementProblem
from question_bank.eligibility import (
    UNITS_PER_POINT,
    BankItem,
    ExposureState,
    cell_supplies,
    eligible_items,
    to_units,
)
from question_bank.paper_plan import (
    DEFAULT_BUDGET,
    CellSupply,
    PlanSearch,
    best_fill,
    per_form_share,
    type_capacity,
)
from question_bank.problems import Problem

_TEMPLATES: dict[str, dict[str, str]] = {
    "cell_short": {
        "en": "Range {where}, {type_key}: {forms} forms need {needed} distinct questions, {eligible} are "
        "eligible; short by {short_by}.",
        "zh_CN": "鉴定范围 {where}（{type_key}）：{forms} 套试卷共需 {needed} 道不同试题，"
        "可用 {eligible} 道，缺 {short_by} 道。",
    },
    "type_short": {
        "en": "Question type {type_key}: {needed} questions needed, at most {eligible} can be placed on "
        "distinct points within the weights; short by {short_by}.",
        "zh_CN": "题型 {type_key}：需 {needed} 题，在比重限制下最多只能在不同鉴定点上安排 {eligible} 题，"
        "缺 {short_by} 题。",
    },
    "cell_unfillable": {
        "en": "Range {where}: weight {weight} points, but eligible items on distinct points reach only "
        "{reachable} ({eligible_points} points have eligible items); short by {short_by}.",
        "zh_CN": "鉴定范围 {where}：比重 {weight} 分，但不同鉴定点上的可用试题最多只能组成 {reachable} 分"
        "（有可用试题的鉴定点 {eligible_points} 个），缺 {short_by} 分。",
    },
    "no_type_plan": {
        "en": "No split of the question types over the ranges matches both the weights and the type counts "
        "with the eligible items ({detail}).",
        "zh_CN": "在现有可用试题下，无法将各题型分配到各鉴定范围，使比重与题型题数同时满足（{detail}）。",
    },
}


class FeasibilityProblem(Problem):
    """Why the bank cannot serve a blueprint."""

    TEMPLATES = _TEMPLATES


def _n(value: float) -> float | int:
    rounded = round(value, 4)
    return int(rounded) if rounded == int(rounded) else rounded


def plan_problems(blueprint: Blueprint, supplies: list[CellSupply], search: PlanSearch) -> list[FeasibilityProblem]:
    """Why no cell × type plan exists: short types, unfillable cells, or else the mix as a whole."""
    specs = active_types(blueprint)
    units = [to_units(spec.points) or 1 for spec in specs]
    counts = [spec.count for spec in specs]
    problems: list[FeasibilityProblem] = []
    for t, spec in enumerate(specs):
        capacity = type_capacity(supplies, units, t)
        if capacity < spec.count:
            params = {"type_key": spec.type_key, "needed": spec.count, "eligible": capacity}
            problems.append(
                FeasibilityProblem("type_short", spec.type_key, {**params, "short_by": spec.count - capacity})
            )
    for supply in supplies:
        best = best_fill(supply, counts, units)
        if best < supply.weight_units:
            params = {
                "weight": _n(supply.weight_units / UNITS_PER_POINT),
                "reachable": _n(best / UNITS_PER_POINT),
                "short_by": _n((supply.weight_units - best) / UNITS_PER_POINT),
                "eligible_points": supply.union[-1] if supply.union else 0,
            }
            problems.append(FeasibilityProblem("cell_unfillable", supply.cell, params))
    if not problems:
        detail = "search budget exhausted" if search.exhausted else "every combination tried"
        problems.append(FeasibilityProblem("no_type_plan", "plan", {"detail": detail}))
    return problems


def find_plan(
    blueprint: Blueprint, supplies: list[CellSupply], forms: int, budget: int = DEFAULT_BUDGET
) -> tuple[dict[str, dict[str, int]] | None, PlanSearch]:
    """A cell × type plan (cell → type → count), preferring one that every parallel form can be filled from.

    Returns the plan (None when there is none) and the search on the full supply, for diagnostics.
    """
    specs = active_types(blueprint)
    counts, units = [s.count for s in specs], [to_units(s.points) or 1 for s in specs]
    forms_needing_new_items = 1 + (forms - 1) * (1.0 - blueprint.max_form_overlap)
    found = None
    if forms_needing_new_items > 1:
        shares = [per_form_share(supply, forms_needing_new_items) for supply in supplies]
        found = PlanSearch(shares, counts, units).solve(budget // 2)
    search = PlanSearch(supplies, counts, units)
    if found is None:
        found = search.solve(budget)
    if found is None:
        return None, search
    plan = {cell: {s.type_key: n for s, n in zip(specs, vector, strict=True) if n} for cell, vector in found.items()}
    return plan, search


@dataclass(frozen=True)
class CellFeasibility:
    """One cell of the weight table against the bank: what a form needs and what is eligible."""

    cell: str
    weight: float
    needed: dict[str, int]  #: per form, by type (empty when no plan exists)
    needed_all_forms: dict[str, int]  #: distinct items over all forms, allowing the permitted overlap
    eligible: dict[str, int]  #: eligible items by type
    eligible_points: int  #: distinct assessment points with an eligible item
    bank_points: float  #: what the eligible items are worth on the paper
    bank_points_needed: float  #: the bank-size rule for this cell
    excluded_recent: int
    excluded_exposure: int

    @property
    def shortfall(self) -> dict[str, int]:
        """Items missing per type to assemble every form."""
        return {
            key: need - self.eligible.get(key, 0)
            for key, need in self.needed_all_forms.items()
            if need > self.eligible.get(key, 0)
        }


@dataclass(frozen=True)
class FeasibilityReport:
    """Per cell needed vs eligible, the level's bank size, and every problem found."""

    cells: tuple[CellFeasibility, ...]
    bank_points: float
    bank_points_needed: float
    plan: dict[str, dict[str, int]] | None
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        """Whether the blueprint can be used with this bank."""
        return not self.problems

    def to_json(self) -> dict[str, object]:
        """A JSON-ready report: ok, per-cell rows with their shortfall, bank size, plan and problems."""
        return {
            "ok": self.ok,
            "cells": [{**asdict(row), "shortfall": row.shortfall} for row in self.cells],
            "bank_points": self.bank_points,
            "bank_points_needed": self.bank_points_needed,
            "plan": self.plan,
            "problems": [problem.to_json() for problem in self.problems],
        }


def feasibility(
    blueprint: Blueprint,
    items: Iterable[BankItem],
    exposure: ExposureState | None = None,
    excluded_ids: Collection[str] = (),
    budget: int = DEFAULT_BUDGET,
) -> FeasibilityReport:
    """Check a blueprint against the bank before use: plan, per-cell supply for all forms, bank-size rule."""
    problems: list[Problem] = list(validate_blueprint(blueprint))
    eligibility = eligible_items(blueprint, items, exposure, excluded_ids)
    specs = active_types(blueprint)
    supplies = cell_supplies(blueprint, eligibility)
    plan: dict[str, dict[str, int]] | None = None
    if not problems:
        plan, search = find_plan(blueprint, supplies, blueprint.forms, budget)
        if plan is None:
            problems += plan_problems(blueprint, supplies, search)
    reuse = 1.0 - blueprint.max_form_overlap
    points_of = {spec.type_key: spec.points for spec in specs}
    cells: list[CellFeasibility] = []
    for supply in supplies:
        cell = supply.cell
        cell_items = eligibility.items(cell)
        by_type = Counter(item.type_key for item in cell_items)
        needed = {spec.type_key: plan[cell].get(spec.type_key, 0) for spec in specs} if plan else {}
        all_forms = {k: n + (blueprint.forms - 1) * math.ceil(n * reuse - 1e-9) for k, n in needed.items()}
        worth = math.fsum(points_of[item.type_key] for item in cell_items)
        row = CellFeasibility(
            cell=cell,
            weight=blueprint.weights[cell],
            needed=needed,
            needed_all_forms=all_forms,
            eligible={spec.type_key: by_type.get(spec.type_key, 0) for spec in specs},
            eligible_points=supply.union[-1] if supply.union else 0,
            bank_points=worth,
            bank_points_needed=blueprint.bank_size.multiple * blueprint.weights[cell],
            excluded_recent=eligibility.excluded_recent[cell],
            excluded_exposure=eligibility.excluded_exposure[cell],
        )
        cells.append(row)
        for key, short in row.shortfall.items():
            params = {"type_key": key, "needed": row.needed_all_forms[key], "eligible": row.eligible[key]}
            problems.append(
                FeasibilityProblem("cell_short", cell, {**params, "short_by": short, "forms": blueprint.forms})
            )
        if row.bank_points + WEIGHT_TOLERANCE < row.bank_points_needed:
            params = {
                "level": blueprint.level,
                "weight": _n(row.weight),
                "multiple": _n(blueprint.bank_size.multiple),
                "bank_points": _n(row.bank_points),
                "needed": _n(row.bank_points_needed),
                "short_by": _n(row.bank_points_needed - row.bank_points),
            }
            problems.append(ElementProblem("bank_range_too_small", cell, params))
    total = math.fsum(row.bank_points for row in cells)
    if total + WEIGHT_TOLERANCE < blueprint.bank_size.minimum_total:
        minimum = blueprint.bank_size.minimum_total
        params = {
            "level": blueprint.level,
            "bank_points": _n(total),
            "needed": _n(minimum),
            "short_by": _n(minimum - total),
        }
        problems.append(ElementProblem("bank_level_too_small", f"level {blueprint.level}", params))
    return FeasibilityReport(tuple(cells), total, blueprint.bank_size.minimum_total, plan, tuple(problems))
