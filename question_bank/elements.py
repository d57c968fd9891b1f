"""The assessment-element table (鉴定要素细目表): ranges, points, importance, weights, validation."""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from question_bank.path_codes import LETTER as _LETTER
from question_bank.path_codes import PathCode, cell_of, format_path_code, parse_path_code
from question_bank.problems import Problem

__all__ = [
    "PREMIUM_BANK",
    "WEIGHT_TOLERANCE",
    "BankSizePolicy",
    "ElementPoint",
    "ElementPolicy",
    "ElementProblem",
    "ElementRange",
    "ElementTable",
    "Importance",
    "PathCode",
    "build_element_table",
    "cell_of",
    "check_bank_size",
    "format_path_code",
    "parse_path_code",
    "validate_element_table",
]

#: Tolerance when comparing percentages that arrive as floats (weights such as 33.3 + 33.3 + 33.4).
WEIGHT_TOLERANCE = 1e-6


_TEMPLATES: dict[str, dict[str, str]] = {
    "weights_not_100": {
        "en": "Ladder level {level}: the range weights sum to {total}%, not 100%.",
        "zh_CN": "新八级工第 {level} 级：各鉴定范围的鉴定比重合计为 {total}%，不等于 100%。",
    },
    "child_weights_mismatch": {
        "en": "Range {where}, ladder level {level}: sub-range weights sum to {children}%, but the range has {weight}%.",
        "zh_CN": "鉴定范围 {where}（新八级工第 {level} 级）：下级范围比重合计 {children}%，"
        "与本范围比重 {weight}% 不一致。",
    },
    "negative_weight": {
        "en": "Range {where}, ladder level {level}: the weight {weight}% is negative.",
        "zh_CN": "鉴定范围 {where}（新八级工第 {level} 级）：鉴定比重 {weight}% 为负数。",
    },
    "importance_x_too_low": {
        "en": "Core points (X) are {percent}% of all points; at least {limit}% are required.",
        "zh_CN": "核心要素（X）占鉴定点总数的 {percent}%，应不低于 {limit}%。",
    },
    "importance_y_too_high": {
        "en": "General points (Y) are {percent}% of all points; at most {limit}% are allowed.",
        "zh_CN": "一般要素（Y）占鉴定点总数的 {percent}%，不应超过 {limit}%。",
    },
    "importance_z_too_high": {
        "en": "Auxiliary points (Z) are {percent}% of all points; at most {limit}% are allowed.",
        "zh_CN": "辅助要素（Z）占鉴定点总数的 {percent}%，不应超过 {limit}%。",
    },
    "duplicate_code": {
        "en": "Code {where} is used {count} times.",
        "zh_CN": "代码 {where} 重复出现 {count} 次。",
    },
    "bad_range_letter": {
        "en": "Range {where}: the code {letter!r} is not a single capital letter A–Z.",
        "zh_CN": "鉴定范围 {where}：代码 {letter!r} 不是单个大写字母 A–Z。",
    },
    "bad_point_number": {
        "en": "Point {where}: the number {number} is outside 001–999.",
        "zh_CN": "鉴定点 {where}：编号 {number} 不在 001–999 范围内。",
    },
    "depth_out_of_bounds": {
        "en": "Point {where} sits {depth} range levels deep; {min_depth}–{max_depth} are allowed.",
        "zh_CN": "鉴定点 {where} 位于第 {depth} 层鉴定范围下，允许的层级为 {min_depth}–{max_depth} 层。",
    },
    "top_letters_gap": {
        "en": "The top-level range codes are {found}; they must run {expected} without gaps.",
        "zh_CN": "细目表顶层鉴定范围代码为 {found}，应从 {expected} 连续编排。",
    },
    "range_letters_gap": {
        "en": "Under {where} the range codes are {found}; they must run {expected} without gaps.",
        "zh_CN": "{where} 下的鉴定范围代码为 {found}，应从 {expected} 连续编排。",
    },
    "point_numbers_gap": {
        "en": "Under {where} the point numbers are {found}; they must run {expected} without gaps.",
        "zh_CN": "{where} 下的鉴定点编号为 {found}，应从 {expected} 连续编排。",
    },
    "empty_range": {
        "en": "Range {where} has neither sub-ranges nor assessment points.",
        "zh_CN": "鉴定范围 {where} 既无下级范围也无鉴定点。",
    },
    "no_points": {
        "en": "The table has no assessment points.",
        "zh_CN": "细目表中没有任何鉴定点。",
    },
    "bank_range_too_small": {
        "en": "Range {where}, ladder level {level}: the bank holds {bank_points} points, needs {needed} "
        "({multiple}× the weight {weight}); short by {short_by}.",
        "zh_CN": "鉴定范围 {where}（新八级工第 {level} 级）：题库现有 {bank_points} 分，需不少于 {needed} 分"
        "（比重 {weight} 的 {multiple} 倍），缺 {short_by} 分。",
    },
    "bank_level_too_small": {
        "en": "Ladder level {level}: the bank holds {bank_points} points in all, needs at least {needed}; "
        "short by {short_by}.",
        "zh_CN": "新八级工第 {level} 级：题库总分值为 {bank_points} 分，应不少于 {needed} 分，缺 {short_by} 分。",
    },
}


class ElementProblem(Problem):
    """A violation found in an element table or in the bank size measured against it."""

    TEMPLATES = _TEMPLATES


class Importance(enum.StrEnum):
    """Importance of an assessment point: X core (核心), Y general (一般), Z auxiliary (辅助)."""

    X = "X"
    Y = "Y"
    Z = "Z"


@dataclass(frozen=True)
class ElementPolicy:
    """The table's configurable limits (DOMAIN.md defaults)."""

    min_depth: int = 2
    max_depth: int = 6
    x_min_percent: float = 80.0
    y_max_percent: float = 15.0
    z_max_percent: float = 5.0


@dataclass(frozen=True)
class BankSizePolicy:
    """Bank size rule: points ≥ `multiple` × weight per range, ≥ `minimum_total` a level (premium 3, 300)."""

    multiple: float = 2.0
    minimum_total: float = 200.0


PREMIUM_BANK = BankSizePolicy(multiple=3.0, minimum_total=300.0)


@dataclass(frozen=True)
class ElementPoint:
    """An assessment point (鉴定点): a 3-digit number restarting at 001 under each range."""

    number: int
    name: str
    importance: Importance = Importance.X


@dataclass(frozen=True)
class ElementRange:
    """A range (鉴定范围): its letter under its parent, weights per level ordinal, sub-ranges and points."""

    letter: str
    name: str
    weights: Mapping[int, float] = field(default_factory=dict)
    children: tuple[ElementRange, ...] = ()
    points: tuple[ElementPoint, ...] = ()


@dataclass(frozen=True)
class ElementTable:
    """The element table of one occupation: top-level ranges; weights are keyed by level ordinal."""

    occupation_code: str
    ranges: tuple[ElementRange, ...]

    def iter_ranges(self) -> Iterator[tuple[str, ElementRange, int]]:
        """Every range with its path code ("A-B") and depth (1 for top level), depth first."""

        def walk(nodes: tuple[ElementRange, ...], prefix: tuple[str, ...]) -> Iterator[tuple[str, ElementRange, int]]:
            for node in nodes:
                path = (*prefix, node.letter)
                yield "-".join(path), node, len(path)
                yield from walk(node.children, path)

        return walk(self.ranges, ())

    def iter_points(self) -> Iterator[tuple[str, ElementPoint, int]]:
        """Every point with its full path code ("A-B-007") and the depth of its range."""
        for range_code, node, depth in self.iter_ranges():
            for point in node.points:
                yield f"{range_code}-{point.number:03d}", point, depth

    def levels(self) -> list[int]:
        """The level ordinals that carry weights somewhere in the table, ascending."""
        return sorted({level for _, node, _ in self.iter_ranges() for level in node.weights})

    def cells(self, level: int) -> dict[str, float]:
        """The weight table of a level: the innermost weighted ranges (path code → weight %)."""
        result: dict[str, float] = {}

        def walk(nodes: tuple[ElementRange, ...], prefix: str) -> None:
            for node in nodes:
                code = f"{prefix}-{node.letter}" if prefix else node.letter
                if level not in node.weights or any(level in child.weights for child in node.children):
                    walk(node.children, code)
                else:
                    result[code] = float(node.weights[level])

        walk(self.ranges, "")
        return result


def _fmt(value: float) -> float | int:
    """A number as shown in messages: integral values without a trailing .0, others rounded to 4 places."""
    rounded = round(value, 4)
    return int(rounded) if rounded == int(rounded) else rounded


def validate_element_table(table: ElementTable, policy: ElementPolicy | None = None) -> list[ElementProblem]:
    """Every violation in the table: structure, codes, depth, importance shares and weights per level."""
    policy = policy or ElementPolicy()
    problems: list[ElementProblem] = []
    problems += _structure_problems(table, policy)
    problems += _importance_problems(table, policy)
    for level in table.levels():
        problems += _weight_problems(table, level)
    return problems


def _structure_problems(table: ElementTable, policy: ElementPolicy) -> list[ElementProblem]:
    problems: list[ElementProblem] = []
    codes: Counter[str] = Counter()
    for code, node, depth in table.iter_ranges():
        codes[code] += 1
        if not _LETTER.match(node.letter):
            problems.append(ElementProblem("bad_range_letter", code, {"letter": node.letter}))
        if not node.children and not node.points:
            problems.append(ElementProblem("empty_range", code, {}))
        if node.points and not policy.min_depth <= depth <= policy.max_depth:
            params = {"depth": depth, "min_depth": policy.min_depth, "max_depth": policy.max_depth}
            for point in node.points:
                problems.append(ElementProblem("depth_out_of_bounds", f"{code}-{point.number:03d}", params))
    for code, point, _ in table.iter_points():
        codes[code] += 1
        if not 1 <= point.number <= 999:
            problems.append(ElementProblem("bad_point_number", code, {"number": point.number}))
    problems += [ElementProblem("duplicate_code", code, {"count": n}) for code, n in codes.items() if n > 1]
    # Letters restart at A under each parent and points at 001 under each range, without gaps.
    parents: list[tuple[str, tuple[ElementRange, ...], tuple[ElementPoint, ...]]] = [("table", table.ranges, ())]
    parents += [(code, node.children, node.points) for code, node, _ in table.iter_ranges()]
    for where, children, points in parents:
        letters = sorted({child.letter for child in children})
        if letters != [chr(ord("A") + i) for i in range(len(letters))]:
            params = {"found": ", ".join(letters), "expected": f"A–{chr(ord('A') + len(letters) - 1)}"}
            code = "top_letters_gap" if where == "table" else "range_letters_gap"
            problems.append(ElementProblem(code, where, params))
        numbers = sorted({point.number for point in points})
        if numbers != list(range(1, len(numbers) + 1)):
            params = {"found": ", ".join(f"{n:03d}" for n in numbers), "expected": f"001–{len(numbers):03d}"}
            problems.append(ElementProblem("point_numbers_gap", where, params))
    return problems


def _importance_problems(table: ElementTable, policy: ElementPolicy) -> list[ElementProblem]:
    counts = Counter(point.importance for _, point, _ in table.iter_points())
    total = sum(counts.values())
    if not total:
        return [ElementProblem("no_points", "table", {})]
    share = {key: 100.0 * counts[key] / total for key in Importance}
    problems: list[ElementProblem] = []
    if share[Importance.X] < policy.x_min_percent - WEIGHT_TOLERANCE:
        params = {
            "percent": _fmt(share[Importance.X]),
            "limit": _fmt(policy.x_min_percent),
            "count": counts["X"],
        }
        problems.append(ElementProblem("importance_x_too_low", "table", params))
    if share[Importance.Y] > policy.y_max_percent + WEIGHT_TOLERANCE:
        params = {
            "percent": _fmt(share[Importance.Y]),
            "limit": _fmt(policy.y_max_percent),
            "count": counts["Y"],
        }
        problems.append(ElementProblem("importance_y_too_high", "table", params))
    if share[Importance.Z] > policy.z_max_percent + WEIGHT_TOLERANCE:
        params = {
            "percent": _fmt(share[Importance.Z]),
            "limit": _fmt(policy.z_max_percent),
            "count": counts["Z"],
        }
        problems.append(ElementProblem("importance_z_too_high", "table", params))
    return problems


def _weight_problems(table: ElementTable, level: int) -> list[ElementProblem]:
    problems: list[ElementProblem] = []
    top_total = 0.0

    def walk(nodes: tuple[ElementRange, ...], prefix: str, weighted_above: bool) -> None:
        nonlocal top_total
        for node in nodes:
            code = f"{prefix}-{node.letter}" if prefix else node.letter
            weight = node.weights.get(level)
            if weight is not None:
                if weight < 0:
                    problems.append(ElementProblem("negative_weight", code, {"level": level, "weight": _fmt(weight)}))
                if not weighted_above:
                    top_total += weight
                weighted_children = [child.weights[level] for child in node.children if level in child.weights]
                if weighted_children and abs(sum(weighted_children) - weight) > WEIGHT_TOLERANCE:
                    params = {
                        "level": level,
                        "weight": _fmt(weight),
                        "children": _fmt(sum(weighted_children)),
                    }
                    problems.append(ElementProblem("child_weights_mismatch", code, params))
            walk(node.children, code, weighted_above or weight is not None)

    walk(table.ranges, "", False)
    if abs(top_total - 100.0) > WEIGHT_TOLERANCE:
        problems.append(ElementProblem("weights_not_100", f"level {level}", {"level": level, "total": _fmt(top_total)}))
    return problems


def check_bank_size(
    table: ElementTable,
    level: int,
    bank_points: Mapping[str, float],
    policy: BankSizePolicy | None = None,
) -> list[ElementProblem]:
    """The bank-size rule for a level: `bank_points` maps point (or range) path codes to item points held."""
    policy = policy or BankSizePolicy()
    cells = table.cells(level)
    per_cell = dict.fromkeys(cells, 0.0)
    for code, points in bank_points.items():
        cell = cell_of(code, cells)
        if cell is not None:
            per_cell[cell] += points
    problems: list[ElementProblem] = []
    for cell, weight in cells.items():
        needed = policy.multiple * weight
        if per_cell[cell] + WEIGHT_TOLERANCE < needed:
            params = {
                "level": level,
                "weight": _fmt(weight),
                "multiple": _fmt(policy.multiple),
                "bank_points": _fmt(per_cell[cell]),
                "needed": _fmt(needed),
                "short_by": _fmt(needed - per_cell[cell]),
            }
            problems.append(ElementProblem("bank_range_too_small", cell, params))
    total = sum(per_cell.values())
    if total + WEIGHT_TOLERANCE < policy.minimum_total:
        params = {
            "level": level,
            "bank_points": _fmt(total),
            "needed": _fmt(policy.minimum_total),
            "short_by": _fmt(policy.minimum_total - total),
        }
        problems.append(ElementProblem("bank_level_too_small", f"level {level}", params))
    return problems


def build_element_table(
    occupation_code: str,
    ranges: Mapping[str, tuple[str, Mapping[int, float]]],
    points: Mapping[str, tuple[str, Importance | str]],
) -> ElementTable:
    """A table from flat rows: range path → (name, weights by level) and point path → (name, importance)."""
    children: dict[str, list[str]] = {}
    for code in ranges:
        parent = code.rpartition("-")[0]
        children.setdefault(parent, []).append(code)
    by_range: dict[str, list[ElementPoint]] = {}
    for code, (name, importance) in points.items():
        parsed = parse_path_code(code)
        if parsed.point is None:
            raise ValueError(f"{code!r} is a range code, not a point code")
        by_range.setdefault(format_path_code(parsed.ranges), []).append(
            ElementPoint(parsed.point, name, Importance(importance))
        )

    orphans = [code for code in ranges if code.rpartition("-")[0] not in ("", *ranges)]
    orphans += [code for code in by_range if code not in ranges]
    if orphans:
        raise ValueError(f"parent range missing for: {', '.join(sorted(orphans))}")

    def make(code: str) -> ElementRange:
        name, weights = ranges[code]
        return ElementRange(
            letter=code.rpartition("-")[2],
            name=name,
            weights=dict(weights),
            children=tuple(make(child) for child in children.get(code, [])),
            points=tuple(by_range.get(code, [])),
        )

    return ElementTable(occupation_code, tuple(make(code) for code in children.get("", [])))
