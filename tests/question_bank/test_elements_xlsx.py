"""The element table as XLSX: every problem named by row and column in both languages, and a lossless round trip."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from question_bank.elements import build_element_table
from question_bank.elements_xlsx import (
    element_template_xlsx,
    read_element_table_xlsx,
    write_element_table_xlsx,
)

LEVELS = {"初级工": 2, "中级工": 3, "高级工": 4, "技师": 5, "高级技师": 6, "Senior worker": 4, "Technician": 5}
HEADERS = {2: "初级工", 3: "中级工", 4: "高级工", 5: "技师", 6: "高级技师"}
HEADER = ["代码", "名称", "重要程度", "高级工", "技师"]
#: a valid table for levels 4 and 5: 20 points, 17 X, 2 Y, 1 Z
GOOD = [
    ["A", "基本要求", None, 20, 30],
    ["A-A", "职业道德", None, 10, 10],
    *[[f"A-A-{n:03d}", f"道德要点{n}", "X", None, None] for n in range(1, 6)],
    ["A-B", "基础知识", None, 10, 20],
    *[[f"A-B-{n:03d}", f"基础要点{n}", "Y" if n > 3 else "X", None, None] for n in range(1, 6)],
    ["B", "相关知识", None, 80, 70],
    ["B-A", "修复准备", None, 30, 30],
    *[[f"B-A-{n:03d}", f"准备要点{n}", "X", None, None] for n in range(1, 6)],
    ["B-B", "修复操作", None, 50, 40],
    *[[f"B-B-{n:03d}", f"操作要点{n}", "Z" if n == 5 else "X", None, None] for n in range(1, 6)],
]


def xlsx(rows: list[list[object]], header: list[str] | None = HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if header is not None:
        sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def good_rows() -> list[list[object]]:
    return [list(row) for row in GOOD]


def read(data: bytes):
    return read_element_table_xlsx(data, "4-13-03-02", LEVELS)


def where(problems) -> list[tuple[str, int | None, str | None]]:
    return [
        (p.code, p.location.row if p.location else None, p.location.column if p.location else None) for p in problems
    ]


def test_a_good_sheet_reads_into_the_table_it_describes():
    table, problems = read(xlsx(good_rows()))
    assert problems == []
    assert table is not None and table.occupation_code == "4-13-03-02"
    assert [code for code, _, _ in table.iter_ranges()] == ["A", "A-A", "A-B", "B", "B-A", "B-B"]
    assert len(list(table.iter_points())) == 20
    assert table.cells(4) == {"A-A": 10, "A-B": 10, "B-A": 30, "B-B": 50}
    assert dict(table.ranges[1].children[1].weights) == {4: 50, 5: 40}
    assert str({c: p.importance for c, p, _ in table.iter_points()}["A-B-004"]) == "Y"


def test_write_then_read_gives_an_equal_table():
    table, _ = read(xlsx(good_rows()))
    again, problems = read_element_table_xlsx(write_element_table_xlsx(table, HEADERS), "4-13-03-02", LEVELS)
    assert problems == [] and again == table


def test_round_trip_keeps_fractional_weights_and_an_invalid_table_still_reads_back():
    table = build_element_table(
        "X", {"A": ("甲", {4: 33.3}), "A-A": ("乙", {4: 33.3}), "B": ("丙", {4: 66.7})}, {"A-A-001": ("丁", "Y")}
    )
    again, problems = read_element_table_xlsx(write_element_table_xlsx(table, HEADERS), "X", LEVELS)
    assert again == table
    assert {p.code for p in problems} == {"importance_x_too_low", "importance_y_too_high", "empty_range"}


def test_the_export_carries_the_watermark_and_level_headers():
    table, _ = read(xlsx(good_rows()))
    book = load_workbook(io.BytesIO(write_element_table_xlsx(table, HEADERS, watermark="rev. 3 · 张三")))
    assert [c.value for c in book.worksheets[0][1]] == ["代码", "名称", "重要程度", *HEADERS.values()]
    assert book.properties.description == "rev. 3 · 张三"
    assert book.worksheets[0].oddHeader.center.text == "rev. 3 · 张三"


def test_english_headers_and_level_aliases_are_accepted():
    table, problems = read(xlsx(good_rows(), header=["Code", "Name", "Importance", "Senior worker", "technician (%)"]))
    assert problems == [] and table is not None and table.levels() == [4, 5]


def test_the_blank_template_holds_a_valid_example_for_every_level():
    table, problems = read_element_table_xlsx(element_template_xlsx(HEADERS), "X", LEVELS)
    assert problems == [] and table is not None
    assert table.levels() == [2, 3, 4, 5, 6]
    assert {str(p.importance) for _, p, _ in table.iter_points()} == {"X", "Y"}


@pytest.mark.parametrize("data", [b"", b"not a workbook", b"PK\x03\x04broken zip"])
def test_a_file_that_is_not_xlsx_is_one_problem(data):
    table, problems = read(data)
    assert table is None and [p.code for p in problems] == ["not_xlsx"]
    assert "xlsx" in problems[0].message("en") and "工作簿" in problems[0].message("zh_CN")


def test_an_empty_sheet_is_reported():
    table, problems = read(xlsx([], header=None))
    assert table is None and where(problems) == [("empty_sheet", 1, None)]


def test_missing_and_unknown_columns_are_named_on_the_header_row():
    table, problems = read(xlsx([["A", "x", None]], header=["代码", "Remarks", "技师", "Technician"]))
    assert table is None
    assert where(problems) == [
        ("unknown_column", 1, "Remarks"),
        ("duplicate_column", 1, "Technician"),
        ("missing_column", 1, "名称"),
        ("missing_column", 1, "重要程度"),
    ]
    assert problems[2].message("en") == "row 1, column 名称: Required column 名称 (Name) is missing."
    assert problems[0].message("zh_CN").startswith("第 1 行，“Remarks”列：无法识别的列")


def test_a_sheet_without_level_columns_is_refused():
    table, problems = read(xlsx([["A", "x", None]], header=["代码", "名称", "重要程度"]))
    assert table is None and where(problems) == [("no_level_columns", 1, None)]
    assert "高级技师" in problems[0].message("en")


def test_every_row_problem_names_its_row_and_column():
    rows = good_rows()
    rows[2] = ["A-A-1", "道德要点1", "X", None, None]  # row 4: point number not 3 digits
    rows[3] = ["A-A-0002", "道德要点2", "X", None, None]  # row 5
    rows[4] = ["a_a", "x", None, None, None]  # row 6: not a path code
    rows[5] = ["A-A-004", "", "W", 5, None]  # row 7: no name, bad importance, weight on a point
    rows[6] = ["A-A-005", "道德要点5", None, None, None]  # row 8: importance missing
    rows[7] = ["A-B", "基础知识", "X", "ten", -3]  # row 9: importance on a range, bad weights
    rows.append(["C-A", "孤儿", None, None, None])  # row 28: parent missing
    rows.append(["A-A-005", "重复", "X", None, None])  # row 29: duplicate code
    rows.append(["A-B-000", "零号", "X", None, None])  # row 30: point number 000
    rows.append([None, "无代码", "X", None, None])  # row 31: no code
    table, problems = read(xlsx(rows))
    assert table is None
    assert where(problems) == [
        ("point_number_digits", 4, "代码"),
        ("point_number_digits", 5, "代码"),
        ("bad_path_code", 6, "代码"),
        ("name_missing", 7, "名称"),
        ("importance_invalid", 7, "重要程度"),
        ("weight_on_point", 7, "高级工"),
        ("importance_missing", 8, "重要程度"),
        ("importance_on_range", 9, "重要程度"),
        ("weight_not_number", 9, "高级工"),
        ("weight_negative", 9, "技师"),
        ("parent_missing", 28, "代码"),
        ("duplicate_row_code", 29, "代码"),
        ("bad_point_number", 30, "代码"),
        ("code_missing", 31, "代码"),
    ]
    english = [p.message("en") for p in problems]
    assert english[0] == "row 4, column 代码: The point number 1 in A-A-1 must have exactly 3 digits (e.g. 007)."
    assert english[11] == "row 29, column 代码: Code A-A-005 already appears in row 8."
    chinese = [p.message("zh_CN") for p in problems]
    assert chinese[9] == "第 9 行，“技师”列：比重 -3 为负数。"
    assert chinese[10] == "第 28 行，“代码”列：C-A 的上级鉴定范围 C 不在表中。"


def test_depth_outside_2_to_6_is_reported_on_the_row():
    rows = [
        ["A", "顶层", None, 100, 100],
        ["A-001", "太浅", "X", None, None],
        ["A-A", "二层", None, None, None],
        ["A-A-A", "三", None, None, None],
        ["A-A-A-A", "四", None, None, None],
        ["A-A-A-A-A", "五", None, None, None],
        ["A-A-A-A-A-A", "六", None, None, None],
        ["A-A-A-A-A-A-A", "七", None, None, None],
        ["A-A-A-A-A-A-A-001", "太深", "X", None, None],
    ]
    table, problems = read(xlsx(rows))
    assert table is None
    assert where(problems) == [
        ("depth_out_of_bounds", 3, "代码"),
        ("range_too_deep", 9, "代码"),
        ("depth_out_of_bounds", 10, "代码"),
    ]
    assert "1 range levels deep; 2–6 are allowed" in problems[0].message("en")


def test_table_rules_are_all_reported_at_once_with_their_column():
    rows = good_rows()
    rows[13][3], rows[-6][3] = 70, 30  # 高级工: B at 70 (the level sums to 90), its sub-ranges to 60
    for row in rows:
        if row[0] in {"B-A-001", "B-A-002", "B-B-001"}:
            row[2] = "Z"  # 4 Z of 20: 20 %, and 14 X: 70 %
    table, problems = read(xlsx(rows))
    assert table is not None  # readable, but not acceptable
    assert where(problems) == [
        ("importance_x_too_low", None, "重要程度"),
        ("importance_z_too_high", None, "重要程度"),
        ("child_weights_mismatch", 15, "高级工"),
        ("weights_not_100", None, "高级工"),
    ]
    messages = [p.message("en") for p in problems]
    assert messages[1] == "column 重要程度: Auxiliary points (Z) are 20% of all points; at most 5% are allowed."
    assert messages[3] == "column 高级工: Ladder level 4: the range weights sum to 90%, not 100%."
    assert problems[2].message("zh_CN").startswith("第 15 行，“高级工”列：鉴定范围 B")


def test_gaps_and_empty_ranges_are_placed_on_their_rows():
    rows = good_rows()
    rows[2][0] = "A-A-009"  # A-A now has 009, 002…005: numbers with a gap
    rows.insert(13, ["A-C", "空范围", None, None, None])
    table, problems = read(xlsx(rows))
    assert table is not None
    assert ("point_numbers_gap", 3, "代码") in where(problems)
    assert ("empty_range", 15, "代码") in where(problems)


def test_a_bad_weight_does_not_also_report_its_level_sum():
    rows = good_rows()
    rows[0][3] = "二十"
    table, problems = read(xlsx(rows))
    assert table is None and where(problems) == [("weight_not_number", 2, "高级工")]


def test_percent_signs_and_lowercase_codes_are_understood():
    rows = good_rows()
    rows[0][3] = "20%"
    rows[1][0] = "a-a"
    table, problems = read(xlsx(rows))
    assert problems == [] and table is not None and table.cells(4)["A-A"] == 10
