"""The bank as assembly sees it: items, exposure, exclusions, and which items are eligible per cell."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from question_bank.elements import cell_of
from question_bank.paper_plan import CellSupply, supply_from_point_masks

if TYPE_CHECKING:
    from question_bank.blueprint import Blueprint

#: Points are handled in hundredths so that 0.5- and 1.5-point questions add up exactly.
UNITS_PER_POINT = 100


@dataclass(frozen=True)
class BankItem:
    """The facts about a bank item that assembly needs (independent of the bank's storage)."""

    id: str
    point_code: str  #: "A-B-007": the assessment point it tests
    type_key: str
    difficulty: float
    option_ids: tuple[str, ...] = ()  #: canonical option ids in authoring order
    key: tuple[str, ...] = ()  #: canonical ids of the correct options
    levels: frozenset[int] = frozenset()  #: level ordinals it may be used at; empty means any


@dataclass(frozen=True)
class ExposureState:
    """How many candidates of the current window saw each item, and who will get each new paper."""

    counts: Mapping[str, int] = field(default_factory=dict)
    window_candidates: int = 0  #: 0 means no exposure cap applies
    candidates_per_paper: int = 1

    def allows(self, item_id: str, cap: float) -> bool:
        """Whether one more paper with this item keeps it within `cap` of the window's candidates."""
        if self.window_candidates <= 0:
            return True
        return self.counts.get(item_id, 0) + self.candidates_per_paper <= cap * self.window_candidates + 1e-9


def to_units(value: float) -> int | None:
    """A point value in hundredths, or None when it is not a whole number of hundredths."""
    scaled = value * UNITS_PER_POINT
    units = round(scaled)
    return units if abs(scaled - units) < 1e-6 else None


#: cell → point code → type key → eligible items (in bank order)
CellIndex = dict[str, dict[str, dict[str, list[BankItem]]]]


@dataclass(frozen=True)
class Eligibility:
    """Which items are usable for a blueprint, per cell and point; what exclusions and exposure removed."""

    index: CellIndex
    outside: int = 0  #: items whose point lies in no weighted range, or whose type or level does not fit
    excluded_recent: dict[str, int] = field(default_factory=dict)
    excluded_exposure: dict[str, int] = field(default_factory=dict)

    def items(self, cell: str) -> list[BankItem]:
        """The eligible items of one cell."""
        return [item for by_type in self.index.get(cell, {}).values() for bucket in by_type.values() for item in bucket]


def eligible_items(
    blueprint: Blueprint,
    items: Iterable[BankItem],
    exposure: ExposureState | None = None,
    excluded_ids: Collection[str] = (),
) -> Eligibility:
    """Index the bank's eligible items per cell and point, counting what exclusions and exposure removed."""
    cells = blueprint.weights
    types = {spec.type_key for spec in blueprint.types if spec.count > 0}
    level = blueprint.level
    cell_cache: dict[str, str | None] = {}
    index: CellIndex = {cell: {} for cell in cells}
    recent: dict[str, int] = dict.fromkeys(cells, 0)
    exposed: dict[str, int] = dict.fromkeys(cells, 0)
    outside = 0
    excluded = excluded_ids if isinstance(excluded_ids, set | frozenset | dict) else set(excluded_ids)
    # The exposure test is inlined: this loop runs over the whole bank for every paper.
    counts = exposure.counts if exposure is not None and exposure.window_candidates > 0 else None
    headroom = 0.0
    if exposure is not None and counts is not None:
        headroom = blueprint.exposure_cap * exposure.window_candidates + 1e-9 - exposure.candidates_per_paper
    for item in items:
        code = item.point_code
        if code in cell_cache:
            cell = cell_cache[code]
        else:
            cell = cell_cache[code] = cell_of(code, cells)
        if cell is None or item.type_key not in types or (item.levels and level not in item.levels):
            outside += 1
        elif item.id in excluded:
            recent[cell] += 1
        elif counts is not None and counts.get(item.id, 0) > headroom:
            exposed[cell] += 1
        else:
            by_type = index[cell].get(code)
            if by_type is None:
                by_type = index[cell][code] = {}
            bucket = by_type.get(item.type_key)
            if bucket is None:
                by_type[item.type_key] = [item]
            else:
                bucket.append(item)
    return Eligibility(index, outside, recent, exposed)


def recently_used(sessions: Iterable[Iterable[str]], last: int) -> set[str]:
    """Item ids used in the `last` sessions (sessions given most recent first)."""
    used: set[str] = set()
    for index, session in enumerate(sessions):
        if index >= last:
            break
        used.update(session)
    return used


def cell_supplies(blueprint: Blueprint, eligibility: Eligibility) -> list[CellSupply]:
    """Each cell's supply of distinct points per subset of the active types, and its items per type."""
    active = [s.type_key for s in blueprint.types if s.count > 0]
    bit = {key: 1 << t for t, key in enumerate(active)}
    supplies = []
    for cell, weight in blueprint.weights.items():
        points = eligibility.index.get(cell, {})
        masks = [sum(bit[key] for key in by_type) for by_type in points.values()]
        items = [sum(len(by_type.get(key, ())) for by_type in points.values()) for key in active]
        supplies.append(supply_from_point_masks(cell, to_units(weight) or 0, masks, len(bit), items))
    return supplies


@dataclass(frozen=True)
class PreparedBank:
    """A bank indexed once for a blueprint (exclusions applied), reused for every paper of a session."""

    blueprint: Blueprint
    eligibility: Eligibility
    location: dict[str, tuple[str, str, str]]  #: item id → (cell, point code, type key)


def prepare_bank(blueprint: Blueprint, items: Iterable[BankItem], excluded_ids: Collection[str] = ()) -> PreparedBank:
    """Index the bank for a blueprint once; exposure is applied per paper by `with_exposure`."""
    eligibility = eligible_items(blueprint, items, None, excluded_ids)
    location = {
        item.id: (cell, point, key)
        for cell, points in eligibility.index.items()
        for point, by_type in points.items()
        for key, bucket in by_type.items()
        for item in bucket
    }
    return PreparedBank(blueprint, eligibility, location)


def with_exposure(prepared: PreparedBank, exposure: ExposureState | None) -> Eligibility:
    """The prepared eligibility less the items the exposure cap blocks (copying only the buckets touched)."""
    base = prepared.eligibility
    if exposure is None or exposure.window_candidates <= 0:
        return base
    headroom = prepared.blueprint.exposure_cap * exposure.window_candidates + 1e-9 - exposure.candidates_per_paper
    blocked = {item_id for item_id, count in exposure.counts.items() if count > headroom}
    blocked &= prepared.location.keys()
    if not blocked:
        return base
    index = dict(base.index)
    exposed = dict(base.excluded_exposure)
    for item_id in sorted(blocked):
        cell, point, key = prepared.location[item_id]
        if index[cell] is base.index[cell]:
            index[cell] = dict(base.index[cell])
        points = index[cell]
        if points[point] is base.index[cell].get(point):
            points[point] = dict(points[point])
        remaining = [item for item in points[point][key] if item.id != item_id]
        if remaining:
            points[point][key] = remaining
        else:
            del points[point][key]
            if not points[point]:
                del points[point]
        exposed[cell] = exposed.get(cell, 0) + 1
    return Eligibility(index, base.outside, base.excluded_recent, exposed)
