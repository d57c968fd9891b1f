"""Paper assembly (组卷): exact weights, no point twice, difficulty band, parallel forms, exposure cap.

The algorithm: (1) find a cell × type plan whose points equal every weight exactly and whose counts fit on
distinct points (question_bank.paper_plan); (2) per form and cell, match the plan's slots to distinct points
with augmenting paths in a seeded random order, preferring items no earlier form used; (3) repair the mean
difficulty with best-improvement swaps inside each (cell, type); (4) check the finished paper against every
constraint.
Any constraint that cannot be met is reported with its numbers and no paper is returned.
"""

from __future__ import annotations

import math
import random
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

from question_bank.blueprint import (
    Blueprint,
    BlueprintProblem,
    active_types,
    validate_blueprint,
)
from question_bank.eligibility import (
    BankItem,
    CellIndex,
    ExposureState,
    PreparedBank,
    cell_supplies,
    eligible_items,
    prepare_bank,
    with_exposure,
)
from question_bank.feasibility import find_plan, plan_problems
from question_bank.paper import (
    Paper,
    PaperQuestion,
    PersonalPaper,
    PersonalQuestion,
    check_paper,
    personalise,
)
from question_bank.paper_plan import DEFAULT_BUDGET
from question_bank.problems import Problem

FORM_NAMES = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#: Swaps tried before a difficulty repair gives up; each swap moves the mean by one item's difference.
MAX_REPAIR_SWAPS = 200

_TEMPLATES: dict[str, dict[str, str]] = {
    "difficulty_band": {
        "en": "Form {where}: mean difficulty {mean} lies outside the band {low}–{high} by {off_by}, and no "
        "swap of eligible items brings it closer.",
        "zh_CN": "{where} 卷：平均难度 {mean} 超出难度区间 {low}–{high}，偏差 {off_by}，且替换可用试题也无法改善。",
    },
    "form_overlap": {
        "en": "Forms {where} and {other} share {shared} questions; at most {allowed} may be shared "
        "(over by {over_by}).",
        "zh_CN": "{where} 卷与 {other} 卷有 {shared} 道相同试题，最多允许 {allowed} 道（超出 {over_by} 道）。",
    },
    "cell_exhausted": {
        "en": "Form {where}: range {cell} lacks {missing} question(s) on distinct points once the exposure "
        "cap and earlier forms are taken into account.",
        "zh_CN": "{where} 卷：考虑试题曝光率上限及已组试卷后，鉴定范围 {cell} 在不同鉴定点上仍缺 {missing} 道试题。",
    },
    "paper_check_failed": {
        "en": "Form {where} failed its final check: {detail}.",
        "zh_CN": "{where} 卷未通过最终校验：{detail}。",
    },
}


class AssemblyProblem(Problem):
    """Why assembly could not produce the papers."""

    TEMPLATES = _TEMPLATES


@dataclass(frozen=True)
class AssemblyResult:
    """Papers, or the problems that stopped assembly (never both)."""

    seed: str
    papers: tuple[Paper, ...] = ()
    problems: tuple[Problem, ...] = ()
    plan: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether every requested form was assembled."""
        return bool(self.papers) and not self.problems


def _item_id(item: BankItem) -> str:
    return item.id


class _Selector:
    """Per-call index of eligible items and the state shared by the forms of one assembly."""

    def __init__(self, blueprint: Blueprint, index: CellIndex, exposure: ExposureState | None) -> None:
        self.blueprint = blueprint
        self.exposure = exposure
        self.points_of = {spec.type_key: spec.points for spec in active_types(blueprint)}
        # Points in code order; items are sorted only when drawn, so the bank's order never changes a paper.
        self.index = {cell: dict(sorted(points.items())) for cell, points in index.items()}
        self.cell_of = {point: cell for cell, points in self.index.items() for point in points}
        self.uses: dict[str, int] = {}  #: forms of this call that already hold each item
        self.forms_of: dict[str, set[int]] = {}  #: item id → earlier forms (by number) holding it
        self.shared: dict[int, int] = {}  #: earlier form → items the form being built shares with it

    def allowed(self, item: BankItem) -> bool:
        """Whether one more form may carry the item under the exposure cap."""
        if self.exposure is None or self.exposure.window_candidates <= 0:
            return True
        extra = (self.uses.get(item.id, 0) + 1) * self.exposure.candidates_per_paper
        limit = self.blueprint.exposure_cap * self.exposure.window_candidates + 1e-9
        return self.exposure.counts.get(item.id, 0) + extra <= limit

    def choices(self, cell: str, point: str, type_key: str) -> tuple[list[BankItem], list[BankItem]]:
        """(fresh, reused) allowed items at a point: fresh ones appear on no earlier form of this call."""
        bucket = self.index[cell].get(point, {}).get(type_key, [])
        if not self.uses:
            return bucket, []  # eligibility already applied the exposure cap for a first use
        fresh = [item for item in bucket if item.id not in self.uses]
        reused = [item for item in bucket if item.id in self.uses and self.allowed(item)]
        return fresh, reused

    def least_exposed(self, pool: list[BankItem]) -> list[BankItem]:
        """The pool's least-seen items, sorted by id: spreads exposure evenly over a session."""
        if self.exposure is not None and self.exposure.counts and len(pool) > 1:
            counts = self.exposure.counts
            fewest = min(counts.get(item.id, 0) for item in pool)
            pool = [item for item in pool if counts.get(item.id, 0) == fewest]
        return sorted(pool, key=_item_id)

    def least_shared(self, pool: list[BankItem]) -> list[BankItem]:
        """Reused items whose earlier forms share least with the form being built: spreads the overlap."""
        if len(pool) <= 1:
            return pool

        def worst(item: BankItem) -> int:
            return max(self.shared.get(form, 0) for form in self.forms_of[item.id])

        fewest = min(worst(item) for item in pool)
        return [item for item in pool if worst(item) == fewest]

    def take(self, item: BankItem, sign: int = 1) -> None:
        """Count (or with sign −1, uncount) what an item adds to the overlap with earlier forms."""
        for form in self.forms_of.get(item.id, ()):
            self.shared[form] = self.shared.get(form, 0) + sign

    def finish_form(self, number: int, chosen: list[BankItem]) -> None:
        """Record an accepted form's items for the forms that follow."""
        for item in chosen:
            self.uses[item.id] = self.uses.get(item.id, 0) + 1
            self.forms_of.setdefault(item.id, set()).add(number)
        self.shared = {}

    def fill_cell(self, cell: str, need: dict[str, int], rng: random.Random) -> tuple[list[BankItem], int]:
        """Items for a cell on distinct points matching the plan's counts, and how many slots stay empty."""
        points = list(self.index[cell])
        rng.shuffle(points)
        slots = [key for key, n in need.items() for _ in range(n)]
        rng.shuffle(slots)
        candidates: dict[str, list[str]] = {}
        for key in need:
            if not self.uses:
                candidates[key] = [point for point in points if key in self.index[cell][point]]
                continue
            fresh_first, reused_only = [], []
            for point in points:
                fresh, reused = self.choices(cell, point, key)
                if fresh:
                    fresh_first.append(point)
                elif reused:
                    reused_only.append(point)
            candidates[key] = fresh_first + reused_only
        holder: dict[str, int] = {}  # point → slot index

        def augment(slot: int, seen: set[str]) -> bool:
            for point in candidates[slots[slot]]:
                if point in seen:
                    continue
                seen.add(point)
                if point not in holder or augment(holder[point], seen):
                    holder[point] = slot
                    return True
            return False

        missing = sum(1 for slot in range(len(slots)) if not augment(slot, set()))
        if missing:
            return [], missing
        chosen = []
        for point, slot in sorted(holder.items()):
            fresh, reused = self.choices(cell, point, slots[slot])
            item = rng.choice(self.least_exposed(fresh or self.least_shared(reused)))
            self.take(item)
            chosen.append(item)
        return chosen, 0

    def repair(self, chosen: list[BankItem]) -> float:
        """Swap items inside their (cell, type) until the mean is in the band; returns the final distance."""
        low, high = self.blueprint.difficulty_band
        total = math.fsum(self.points_of[i.type_key] for i in chosen)
        weighted = math.fsum(self.points_of[i.type_key] * i.difficulty for i in chosen)

        def distance(value: float) -> float:
            mean = value / total
            return max(low - mean, mean - high, 0.0)

        for _ in range(MAX_REPAIR_SWAPS):
            current = distance(weighted)
            if current <= 1e-12:
                return 0.0
            used_points = {i.point_code for i in chosen}
            used_ids = {i.id for i in chosen}
            best: tuple[float, int, BankItem] | None = None
            for position, item in enumerate(chosen):
                cell = self.cell_of[item.point_code]
                weight = self.points_of[item.type_key]
                for point in self.index[cell]:
                    if point != item.point_code and point in used_points:
                        continue
                    fresh, reused = self.choices(cell, point, item.type_key)
                    # Never trade a fresh item for one an earlier form holds: overlap would only grow.
                    for alt in fresh + reused if item.id in self.uses else fresh:
                        if alt.id in used_ids or not self.forms_of.get(alt.id, set()) <= self.forms_of.get(
                            item.id, set()
                        ):
                            continue
                        after = distance(weighted + weight * (alt.difficulty - item.difficulty))
                        if after < current - 1e-12 and (best is None or (after, alt.id) < (best[0], best[2].id)):
                            best = (after, position, alt)
            if best is None:
                return current
            _, position, alt = best
            weighted += self.points_of[alt.type_key] * (alt.difficulty - chosen[position].difficulty)
            self.take(chosen[position], -1)
            self.take(alt)
            chosen[position] = alt
        return distance(weighted)


def assemble(
    blueprint: Blueprint,
    items: Iterable[BankItem] | PreparedBank,
    seed: int | str,
    forms: int | None = None,
    exposure: ExposureState | None = None,
    excluded_ids: Collection[str] = (),
    budget: int = DEFAULT_BUDGET,
) -> AssemblyResult:
    """Assemble `forms` parallel forms (default: the blueprint's) deterministically for `seed`.

    `items` may be a `prepare_bank` result, so a session indexes its bank once.
    """
    seed_text = str(seed)
    problems: list[Problem] = list(validate_blueprint(blueprint))
    if problems:
        return AssemblyResult(seed_text, problems=tuple(problems))
    if isinstance(items, PreparedBank):
        if items.blueprint is not blueprint or excluded_ids:
            raise ValueError("a prepared bank belongs to its blueprint and already carries its exclusions")
        eligibility = with_exposure(items, exposure)
    else:
        eligibility = eligible_items(blueprint, items, exposure, excluded_ids)
    supplies = cell_supplies(blueprint, eligibility)
    form_count = forms or blueprint.forms
    plan, search = find_plan(blueprint, supplies, form_count, budget)
    if plan is None:
        return AssemblyResult(seed_text, problems=tuple(plan_problems(blueprint, supplies, search)))
    rng = random.Random(seed_text)
    selector = _Selector(blueprint, eligibility.index, exposure)
    papers: list[Paper] = []
    # Every form is attempted so that a failure reports each form's problems at once.
    for number in range(form_count):
        name = FORM_NAMES[number] if number < len(FORM_NAMES) else f"F{number + 1}"
        chosen: list[BankItem] = []
        complete = True
        for cell in sorted(plan):
            picked, missing = selector.fill_cell(cell, plan[cell], rng)
            if missing:
                problems.append(AssemblyProblem("cell_exhausted", name, {"cell": cell, "missing": missing}))
                complete = False
            chosen += picked
        if not complete:
            selector.shared = {}
            continue
        off_by = selector.repair(chosen)
        paper = _paper(blueprint, name, seed_text, chosen, selector)
        if off_by > 0:
            low, high = blueprint.difficulty_band
            params = {"mean": round(paper.mean_difficulty, 4), "low": low, "high": high, "off_by": round(off_by, 4)}
            problems.append(AssemblyProblem("difficulty_band", name, params))
        problems += _overlap_problems(blueprint, paper, papers)
        # The band is already reported with its numbers; any other note would be a bug caught before release.
        notes = [note for note in check_paper(paper, blueprint) if off_by == 0 or not note.startswith("mean")]
        if notes:
            problems.append(AssemblyProblem("paper_check_failed", name, {"detail": "; ".join(notes)}))
        selector.finish_form(number, chosen)
        papers.append(paper)
    if problems:
        return AssemblyResult(seed_text, problems=tuple(problems), plan=plan)
    return AssemblyResult(seed_text, tuple(papers), plan=plan)


def _paper(blueprint: Blueprint, form: str, seed: str, chosen: list[BankItem], selector: _Selector) -> Paper:
    order = {spec.type_key: position for position, spec in enumerate(blueprint.types)}
    questions = [
        PaperQuestion(
            item_id=item.id,
            type_key=item.type_key,
            points=selector.points_of[item.type_key],
            cell=selector.cell_of[item.point_code],
            point_code=item.point_code,
            difficulty=item.difficulty,
            option_ids=item.option_ids,
            key=item.key,
        )
        for item in chosen
    ]
    questions.sort(key=lambda q: (order[q.type_key], q.point_code))
    return Paper(form, seed, blueprint.occupation_code, blueprint.level, tuple(questions))


def _overlap_problems(blueprint: Blueprint, paper: Paper, earlier: Sequence[Paper]) -> list[AssemblyProblem]:
    allowed = math.floor(blueprint.max_form_overlap * len(paper.questions) + 1e-9)
    problems = []
    for other in earlier:
        shared = len(paper.item_ids() & other.item_ids())
        if shared > allowed:
            params = {"other": other.form, "shared": shared, "allowed": allowed, "over_by": shared - allowed}
            problems.append(AssemblyProblem("form_overlap", paper.form, params))
    return problems


__all__ = [
    "AssemblyProblem",
    "AssemblyResult",
    "BlueprintProblem",
    "Paper",
    "PaperQuestion",
    "PersonalPaper",
    "PersonalQuestion",
    "assemble",
    "check_paper",
    "personalise",
    "prepare_bank",
]
