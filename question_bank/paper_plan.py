"""The cell × question-type plan of a paper: how many questions of each type each weighted range gets.

Pure integer combinatorics, shared by the feasibility check and assembly. A cell's points must equal its
weight exactly, type counts must equal the blueprint's, and (no assessment point twice) a cell can only take
as many questions as it has distinct points offering those types: Hall's condition over every type subset.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

#: Search nodes before giving up: a plan is found in a few hundred nodes on real tables.
DEFAULT_BUDGET = 200_000


@dataclass(frozen=True)
class CellSupply:
    """One cell's weight (in hundredths of a point) and its distinct points per subset of types."""

    cell: str
    weight_units: int
    union: tuple[int, ...]  #: union[mask] = points offering at least one type in `mask`
    items: tuple[int, ...] = ()  #: eligible items per type (several may share a point)

    def single(self, t: int) -> int:
        """Distinct points offering type `t`."""
        return self.union[1 << t]


def supply_from_point_masks(
    cell: str, weight_units: int, masks: Sequence[int], type_count: int, items: Sequence[int] = ()
) -> CellSupply:
    """A cell's supply from one type bitmask per assessment point (bit t: the point has a type-t item)."""
    by_mask = Counter(mask for mask in masks if mask)
    union = tuple(
        sum(n for point_mask, n in by_mask.items() if point_mask & subset) for subset in range(1 << type_count)
    )
    return CellSupply(cell, weight_units, union, tuple(items))


def per_form_share(supply: CellSupply, forms_needing_new_items: float) -> CellSupply:
    """The supply one form may plan on when `forms_needing_new_items` forms must draw distinct items.

    Used to look first for a plan every parallel form can be filled from; a bound, not an exact count.
    """
    if forms_needing_new_items <= 1 or not supply.items:
        return supply
    union = [supply.union[0]]
    for subset in range(1, len(supply.union)):
        items = sum(n for t, n in enumerate(supply.items) if subset >> t & 1)
        union.append(min(supply.union[subset], int(items / forms_needing_new_items + 1e-9)))
    return CellSupply(supply.cell, supply.weight_units, tuple(union), supply.items)


def hall_ok(vector: Sequence[int], union: Sequence[int]) -> bool:
    """Whether `vector[t]` questions of each type fit on distinct points (Hall's condition)."""
    sums = [0] * len(union)
    for subset in range(1, len(union)):
        low = subset & -subset
        sums[subset] = sums[subset ^ low] + vector[low.bit_length() - 1]
        if sums[subset] > union[subset]:
            return False
    return True


def cell_vectors(
    supply: CellSupply, remaining: Sequence[int], units: Sequence[int], target: Sequence[float]
) -> Iterator[tuple[int, ...]]:
    """Type-count vectors that fill the cell's weight exactly, nearest to `target` first (roughly)."""
    type_count = len(units)
    chosen = [0] * type_count

    def values(t: int, rest: int) -> list[int]:
        top = min(remaining[t], supply.single(t), rest // units[t])
        centre = min(max(round(target[t]), 0), top)
        ordered = [centre]
        for step in range(1, top + 1):
            if centre + step <= top:
                ordered.append(centre + step)
            if centre - step >= 0:
                ordered.append(centre - step)
        return ordered

    def walk(t: int, rest: int) -> Iterator[tuple[int, ...]]:
        if t == type_count - 1:
            if rest % units[t] == 0 and rest // units[t] <= min(remaining[t], supply.single(t)):
                chosen[t] = rest // units[t]
                if hall_ok(chosen, supply.union):
                    yield tuple(chosen)
            return
        for value in values(t, rest):
            chosen[t] = value
            yield from walk(t + 1, rest - value * units[t])
        chosen[t] = 0

    if type_count:
        yield from walk(0, supply.weight_units)


class PlanSearch:
    """Depth-first search for a plan, remembering dead ends, within a node budget."""

    def __init__(self, supplies: Sequence[CellSupply], counts: Sequence[int], units: Sequence[int]) -> None:
        self.counts, self.units = list(counts), list(units)
        total_weight = sum(s.weight_units for s in supplies) or 1
        # Tightest cells first: fewest distinct points per point of weight.
        self.order = sorted(supplies, key=lambda s: (s.union[-1] / max(s.weight_units, 1), s.cell))
        self.share = {s.cell: s.weight_units / total_weight for s in supplies}
        self.nodes = 0
        self.exhausted = False
        self.dead: set[tuple[int, tuple[int, ...]]] = set()

    def solve(self, budget: int = DEFAULT_BUDGET) -> dict[str, tuple[int, ...]] | None:
        """A plan (cell → type counts) or None; `exhausted` tells a budget stop from proven impossibility."""
        plan: dict[str, tuple[int, ...]] = {}
        found = self._walk(0, tuple(self.counts), plan, budget)
        return plan if found else None

    def _walk(self, depth: int, remaining: tuple[int, ...], plan: dict[str, tuple[int, ...]], budget: int) -> bool:
        if depth == len(self.order):
            return not any(remaining)
        if (depth, remaining) in self.dead or not self._bounds_ok(depth, remaining):
            return False
        supply = self.order[depth]
        left = sum(s.weight_units for s in self.order[depth:]) or 1
        target = [r * supply.weight_units / left for r in remaining]
        for vector in cell_vectors(supply, remaining, self.units, target):
            self.nodes += 1
            if self.nodes > budget:
                self.exhausted = True
                return False
            plan[supply.cell] = vector
            after = tuple(r - v for r, v in zip(remaining, vector, strict=True))
            if self._walk(depth + 1, after, plan, budget):
                return True
            del plan[supply.cell]
            if self.exhausted:
                return False
        self.dead.add((depth, remaining))
        return False

    def _bounds_ok(self, depth: int, remaining: tuple[int, ...]) -> bool:
        rest = self.order[depth:]
        for t, need in enumerate(remaining):
            if need > sum(min(s.single(t), s.weight_units // self.units[t]) for s in rest):
                return False
        return True


def type_capacity(supplies: Sequence[CellSupply], units: Sequence[int], t: int) -> int:
    """Most questions of type `t` the cells could hold on distinct points, ignoring the other types."""
    return sum(min(s.single(t), s.weight_units // units[t]) for s in supplies)


def best_fill(supply: CellSupply, counts: Sequence[int], units: Sequence[int], budget: int = 20_000) -> int:
    """The most units of the cell's weight that fit on distinct points (equals the weight when fillable)."""
    type_count = len(units)
    best = 0
    nodes = 0
    chosen = [0] * type_count

    def walk(t: int, used: int) -> None:
        nonlocal best, nodes
        nodes += 1
        if best == supply.weight_units or nodes > budget:
            return
        if t == type_count:
            if used > best and hall_ok(chosen, supply.union):
                best = used
            return
        top = min(counts[t], supply.single(t), (supply.weight_units - used) // units[t])
        for value in range(top, -1, -1):
            chosen[t] = value
            walk(t + 1, used + value * units[t])
        chosen[t] = 0

    walk(0, 0)
    return best
