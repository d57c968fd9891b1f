"""The assessment-element table: path codes, structure, importance shares, weights, bank size."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from question_bank.elements import (
    PREMIUM_BANK,
    ElementPoint,
    ElementPolicy,
    ElementRange,
    ElementTable,
    Importance,
    PathCode,
    build_element_table,
    cell_of,
    check_bank_size,
    format_path_code,
    parse_path_code,
    validate_element_table,
)

RANGES = {
    "A": ("基本要求", {4: 20, 5: 30}),
    "A-A": ("职业道德", {4: 10, 5: 10}),
    "A-B": ("基础知识", {4: 10, 5: 20}),
    "B": ("相关知识", {4: 80, 5: 70}),
    "B-A": ("修复准备", {4: 30}),
    "B-B": ("修复操作", {4: 50}),
}


def _points(x: int = 17, y: int = 2, z: int = 1) -> dict[str, tuple[str, str]]:
    importances = ["X"] * x + ["Y"] * y + ["Z"] * z
    leaves = ["A-A", "A-B", "B-A", "B-B"]
    points: dict[str, tuple[str, str]] = {}
    for index, importance in enumerate(importances):
        leaf = leaves[index % 4]
        number = index // 4 + 1
        points[f"{leaf}-{number:03d}"] = (f"鉴定点{index}", importance)
    return points


def _table(**counts: int) -> ElementTable:
    return build_element_table("4-13-03-02", RANGES, _points(**counts))


def test_a_well_formed_table_has_no_problems() -> None:
    table = _table()
    assert validate_element_table(table) == []
    assert table.levels() == [4, 5]
    assert table.cells(4) == {"A-A": 10, "A-B": 10, "B-A": 30, "B-B": 50}
    # Level 5 weights only B as a whole: the cell is the range itself.
    assert table.cells(5) == {"A-A": 10, "A-B": 20, "B": 70}
    assert sum(1 for _ in table.iter_points()) == 20


def test_path_codes_parse_and_format() -> None:
    assert parse_path_code("A-B-C-007") == PathCode(("A", "B", "C"), 7)
    assert parse_path_code(" a-b ") == PathCode(("A", "B"), None)
    assert str(PathCode(("B", "A"), 12)) == "B-A-012"
    assert format_path_code(["A"], None) == "A"
    for bad in ("", "A-B-7", "AB-001", "A--001", "001", "A-B-000"):
        with pytest.raises(ValueError):
            parse_path_code(bad)


@given(
    st.lists(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), min_size=1, max_size=6),
    st.none() | st.integers(1, 999),
)
def test_path_code_round_trip(letters: list[str], point: int | None) -> None:
    code = format_path_code(letters, point)
    assert parse_path_code(code) == PathCode(tuple(letters), point)


def test_cell_of_finds_the_weighted_range_above_a_point() -> None:
    cells = {"A-A": 10, "B": 70}
    assert cell_of("A-A-003", cells) == "A-A"
    assert cell_of("B-C-D-001", cells) == "B"
    assert cell_of("A-B-001", cells) is None


def test_importance_shares_are_all_reported_with_numbers() -> None:
    problems = validate_element_table(_table(x=14, y=4, z=2))
    by_code = {p.code: p for p in problems}
    assert set(by_code) == {"importance_x_too_low", "importance_y_too_high", "importance_z_too_high"}
    assert by_code["importance_x_too_low"].params == {"percent": 70, "limit": 80, "count": 14}
    assert by_code["importance_y_too_high"].params["percent"] == 20
    assert by_code["importance_z_too_high"].params["percent"] == 10
    assert "核心要素（X）占鉴定点总数的 70%" in by_code["importance_x_too_low"].message("zh_CN")


def test_importance_limits_are_configurable() -> None:
    policy = ElementPolicy(x_min_percent=70, y_max_percent=20, z_max_percent=10)
    assert validate_element_table(_table(x=14, y=4, z=2), policy) == []


def test_weights_not_summing_to_100_and_child_mismatches() -> None:
    ranges = dict(RANGES)
    ranges["B"] = ("相关知识", {4: 75, 5: 70})
    ranges["B-B"] = ("修复操作", {4: 40})
    problems = validate_element_table(build_element_table("x", ranges, _points()))
    found = {(p.code, p.where): p.params for p in problems}
    assert found[("weights_not_100", "level 4")] == {"level": 4, "total": 95}
    assert found[("child_weights_mismatch", "B")] == {"level": 4, "weight": 75, "children": 70}
    assert ("weights_not_100", "level 5") not in found


def test_duplicates_depth_empty_ranges_and_bad_codes_all_reported() -> None:
    point = ElementPoint(1, "p", Importance.X)
    deep = ElementRange("A", "a", {4: 100}, points=(point, point))  # depth 1, duplicate 001
    chain = ElementRange("G", "g", points=(point,))
    for letter in "FEDCB":
        chain = ElementRange(letter, letter, children=(chain,))  # B-C-D-E-F-G: 7 deep with the top
    top = ElementRange("Z", "z", children=(chain, ElementRange("bb", "bad letter"), ElementRange("Y", "empty")))
    table = ElementTable("x", (deep, top, ElementRange("A", "again", points=(ElementPoint(1000, "big"),))))
    codes = sorted((p.code, p.where) for p in validate_element_table(table))
    assert ("duplicate_code", "A") in codes
    assert ("duplicate_code", "A-001") in codes
    assert codes.count(("depth_out_of_bounds", "A-001")) == 2
    assert ("depth_out_of_bounds", "Z-B-C-D-E-F-G-001") in codes
    assert ("bad_range_letter", "Z-bb") in codes
    assert ("empty_range", "Z-Y") in codes
    assert ("bad_point_number", "A-1000") in codes
    assert ("weights_not_100", "level 4") not in codes


def test_build_rejects_points_without_a_range() -> None:
    with pytest.raises(ValueError, match="C-A"):
        build_element_table("x", RANGES, {"C-A-001": ("orphan", "X")})


def test_bank_size_rule_per_range_and_level() -> None:
    table = _table()
    bank = {"A-A-001": 20, "A-B-002": 15, "B-A-001": 60, "B-B-001": 100, "Q-Q-001": 500}
    problems = check_bank_size(table, 4, bank)
    assert [(p.code, p.where, p.params["short_by"]) for p in problems] == [
        ("bank_range_too_small", "A-B", 5),
        ("bank_level_too_small", "level 4", 5),
    ]
    premium_bank = {"A-A-001": 30, "A-B-001": 30, "B-A-001": 90, "B-B-001": 149}
    premium = check_bank_size(table, 4, premium_bank, PREMIUM_BANK)
    assert [(p.code, p.where, p.params["needed"]) for p in premium] == [
        ("bank_range_too_small", "B-B", 150),
        ("bank_level_too_small", "level 4", 300),
    ]
    # Points filed above the weighted ranges cannot be credited to any of them.
    assert check_bank_size(table, 4, {"A": 1000})[-1].params["bank_points"] == 0
    assert "题库现有" in problems[0].message("zh_CN")


def test_codes_must_restart_and_run_without_gaps() -> None:
    ranges = {"A": ("a", {4: 50}), "C": ("c", {4: 50}), "A-B": ("ab", {}), "C-A": ("ca", {})}
    points = {"A-B-001": ("p", "X"), "C-A-001": ("q", "X"), "C-A-003": ("r", "X")}
    found = {(p.code, p.where): p.params for p in validate_element_table(build_element_table("x", ranges, points))}
    assert found[("top_letters_gap", "table")] == {"found": "A, C", "expected": "A–B"}
    assert found[("range_letters_gap", "A")] == {"found": "B", "expected": "A–A"}
    assert found[("point_numbers_gap", "C-A")] == {"found": "001, 003", "expected": "001–002"}
    assert ("range_letters_gap", "C") not in found
