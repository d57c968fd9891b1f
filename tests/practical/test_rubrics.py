"""Rubrics: validation with row indexes, sheet scoring (check, scale, deduction floored per row, veto)."""

from __future__ import annotations

import json
from decimal import Decimal as D

import pytest

from certify.practical.rubrics import (
    Anchor,
    DeductionStep,
    RowEntry,
    RowKind,
    Rubric,
    RubricProblem,
    RubricRow,
    format_points,
    quantize,
    score_sheet,
    validate_rubric,
)

RUBRIC = Rubric(
    "ceramic-joining",
    (
        RubricRow("穿戴防护用品", RowKind.CHECK, D(5), mandatory=True),
        RubricRow(
            "拼接对位准确",
            RowKind.SCALE,
            D(15),
            anchors=(
                Anchor(D(15), "严密"),
                Anchor(D(10), "基本对齐"),
                Anchor(D(5), "错位"),
                Anchor(D(0), "未完成"),
            ),
            mandatory=True,
        ),
        RubricRow(
            "补配表面平整",
            RowKind.DEDUCTION,
            D(20),
            deduction_steps=(DeductionStep(D(2), "每处不平整"), DeductionStep(D("7.5"), "每处划伤")),
        ),
        RubricRow("损坏文物本体", RowKind.VETO),
    ),
)


def test_a_sound_rubric_has_no_problems() -> None:
    assert validate_rubric(RUBRIC, D(40)) == []
    assert RUBRIC.max_total == D(40)


def test_totals_must_equal_the_task_points() -> None:
    problems = validate_rubric(RUBRIC, D(50))
    assert [(p.code, p.where, p.params) for p in problems] == [
        ("total_mismatch", "rows", {"total": "40", "task_points": "50"})
    ]
    assert problems[0].message("zh_CN") == "各评分项配分合计 40 分，与该试题分值 50 分不符。"


def test_every_row_problem_is_reported_with_its_row() -> None:
    rubric = Rubric(
        "bad",
        (
            RubricRow(" ", RowKind.CHECK, D(0), anchors=(Anchor(D(1)),)),
            RubricRow("scale", RowKind.SCALE, D(10), anchors=(Anchor(D(8)), Anchor(D(8)), Anchor(D(12)))),
            RubricRow("deduct", RowKind.DEDUCTION, D("5.125")),
            RubricRow("steps", RowKind.DEDUCTION, D(5), deduction_steps=(DeductionStep(D(0)),)),
            RubricRow("veto", RowKind.VETO, D(3)),
            RubricRow("one anchor", RowKind.SCALE, D(5), anchors=(Anchor(D(5)),)),
        ),
    )
    found = {(p.code, p.where) for p in validate_rubric(rubric, D(25))}
    assert found == {
        ("empty_criterion", "rows[0]"),
        ("points_not_positive", "rows[0]"),
        ("unexpected_anchors", "rows[0]"),
        ("duplicate_anchor", "rows[1]"),
        ("anchor_out_of_range", "rows[1]"),
        ("top_anchor_not_max", "rows[1]"),
        ("too_precise", "rows[2]"),
        ("deduction_needs_steps", "rows[2]"),
        ("step_not_positive", "rows[3]"),
        ("veto_with_points", "rows[4]"),
        ("scale_needs_anchors", "rows[5]"),
        ("total_mismatch", "rows"),
    }


def test_kind_is_shown_by_name() -> None:
    row = RubricRow("c", RowKind.DEDUCTION, D(10), anchors=(Anchor(D(1)),), deduction_steps=(DeductionStep(D(1)),))
    (problem,) = validate_rubric(Rubric("x", (row,)), D(10))
    assert problem.params == {"row": 1, "kind": "deduction"}
    assert problem.message("zh_CN") == "第 1 行（扣分）不应设置评分档。"


def test_empty_rubric() -> None:
    assert [p.code for p in validate_rubric(Rubric("x", ()), D(10))] == ["no_rows"]


def full_marks() -> list[RowEntry]:
    return [RowEntry(0, met=True), RowEntry(1, points=D(15))]


def test_full_marks() -> None:
    sheet = score_sheet(RUBRIC, full_marks())
    assert sheet.total == D("40.00") and sheet.percent == D("100.00")
    assert sheet.row_points == (D(5), D(15), D(20), D(0))
    assert sheet.complete and not sheet.veto_applied


def test_check_scale_and_deductions() -> None:
    entries = [RowEntry(0, met=False), RowEntry(1, points=D(10)), RowEntry(2, deductions={0: 2, 1: 1})]
    sheet = score_sheet(RUBRIC, entries)
    assert sheet.row_points == (D(0), D(10), D("8.5"), D(0))
    assert sheet.total == D("18.50")
    assert sheet.percent == D("46.25")


def test_deductions_floor_at_zero_per_row_not_across_rows() -> None:
    entries = [*full_marks(), RowEntry(2, deductions={1: 4})]  # 30 points off a 20-point row
    sheet = score_sheet(RUBRIC, entries)
    assert sheet.row_points[2] == D(0)
    assert sheet.total == D("20.00")  # the other rows keep their points


def test_veto_zeroes_the_task_and_records_the_reason() -> None:
    entries = [*full_marks(), RowEntry(3, vetoed=True, reason="器物口沿新增裂纹")]
    sheet = score_sheet(RUBRIC, entries)
    assert sheet.veto_applied and sheet.total == D("0.00")
    assert [(v.row, v.criterion, v.reason) for v in sheet.vetoes] == [(3, "损坏文物本体", "器物口沿新增裂纹")]
    assert sheet.complete


def test_veto_without_reason_still_zeroes_but_is_a_problem() -> None:
    sheet = score_sheet(RUBRIC, [*full_marks(), RowEntry(3, vetoed=True, reason=" ")])
    assert sheet.total == D("0.00") and not sheet.complete
    assert [(p.code, p.where) for p in sheet.problems] == [("veto_without_reason", "rows[3]")]


def test_missing_mandatory_rows_are_listed() -> None:
    sheet = score_sheet(RUBRIC, [RowEntry(2, deductions={0: 1})])
    assert sheet.missing_mandatory == (0, 1)
    assert [p.code for p in sheet.problems] == ["mandatory_row_missing", "mandatory_row_missing"]
    assert sheet.problems[1].message("zh_CN") == "第 2 行为必评项，未评分。"
    assert not sheet.complete


def test_blank_deduction_row_keeps_full_points() -> None:
    assert score_sheet(RUBRIC, full_marks()).row_points[2] == D(20)


def test_entry_problems_are_all_reported() -> None:
    entries = [
        RowEntry(0),
        RowEntry(1, points=D(12)),
        RowEntry(2, deductions={5: 1, 0: -1}),
        RowEntry(7, met=True),
        RowEntry(0, met=True),
    ]
    sheet = score_sheet(RUBRIC, entries)
    found = [(p.code, p.where) for p in sheet.problems]
    assert found == [
        ("unknown_row", "rows[7]"),
        ("duplicate_entry", "rows[0]"),
        ("check_needs_answer", "rows[0]"),
        ("not_an_anchor", "rows[1]"),
        ("negative_count", "rows[2]"),
        ("unknown_step", "rows[2]"),
    ]
    not_anchor = sheet.problems[3]
    assert not_anchor.params == {"row": 2, "points": "12", "anchors": "0 / 5 / 10 / 15"}
    assert "12 is not one of the anchors (0 / 5 / 10 / 15)" in not_anchor.message("en")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2.345", "2.35"), ("2.344", "2.34"), ("-2.345", "-2.35"), ("0.005", "0.01"), ("10", "10.00")],
)
def test_rounding_is_half_up_to_two_decimals(value: str, expected: str) -> None:
    assert quantize(D(value)) == D(expected)
    assert str(quantize(D(value))) == expected


def test_format_points() -> None:
    assert [format_points(D(x)) for x in ("100", "10.50", "1E+2", "7.25")] == ["100", "10.5", "100", "7.25"]


def test_every_code_has_both_templates_and_renders() -> None:
    sample = {
        "row": 3,
        "points": "5",
        "value": "1.234",
        "count": 1,
        "max_points": "10",
        "top": "8",
        "step": 2,
        "kind": "check",
        "total": "90",
        "task_points": "100",
        "anchors": "0 / 5",
        "area": "A1",
        "weight": "0",
        "minutes": 30,
        "areas": "A1+B2",
        "min_minutes": 60,
        "max_minutes": 120,
    }
    for code, (en, zh) in RubricProblem.templates.items():
        assert en.strip() and zh.strip()
        problem = RubricProblem(code, sample)
        assert "{" not in problem.message("en") + problem.message("zh_CN")
        assert problem.message("en") != problem.message("zh_CN")
        json.dumps(problem.params)
