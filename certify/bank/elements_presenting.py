"""What the element-table pages show, computed from the pure table: the tree's rows and importance shares."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from question_bank.elements import ElementTable, Importance, cell_of


@dataclass(frozen=True)
class TreeRow:
    """One row of the table as shown: a range (with weights per level) or a point (with its importance)."""

    code: str
    depth: int
    is_point: bool
    name: str
    importance: str | None
    weights: dict[int, float]


@dataclass(frozen=True)
class Shares:
    """How many points are X, Y and Z, and their percentages of all points counted."""

    total: int
    counts: dict[str, int]
    percent: dict[str, float]


def tree_rows(table: ElementTable) -> list[TreeRow]:
    """The table depth first: each range followed by its points, then its sub-ranges."""
    rows: list[TreeRow] = []
    for code, node, depth in table.iter_ranges():
        rows.append(TreeRow(code, depth, False, node.name, None, dict(node.weights)))
        for point in node.points:
            rows.append(TreeRow(f"{code}-{point.number:03d}", depth + 1, True, point.name, str(point.importance), {}))
    return rows


def importance_shares(table: ElementTable, level: int | None = None) -> Shares:
    """X/Y/Z shares of every point, or (with `level`) of the points inside the level's weighted ranges."""
    cells = table.cells(level) if level is not None else None
    counts: Counter[str] = Counter()
    for code, point, _ in table.iter_points():
        if cells is None or cell_of(code, cells) is not None:
            counts[str(point.importance)] += 1
    total = sum(counts.values())
    keys = [str(importance) for importance in Importance]
    percent = {key: (100.0 * counts[key] / total if total else 0.0) for key in keys}
    return Shares(total, {key: counts[key] for key in keys}, percent)
