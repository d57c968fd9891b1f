"""Item statistics: Moodle's golden pair, the extra classical figures, reading marks, degenerate data."""

from __future__ import annotations

import csv
import io
import json
import math
import statistics as pystats
from pathlib import Path

import pytest

from question_bank.statistics import (
    MarksMatrix,
    MarksMatrixError,
    item_statistics,
    main,
    read_marks_matrix,
    upper_lower_groups,
)

STATS_DIR = Path(__file__).resolve().parents[3] / "shared" / "conformance" / "stats"

# qstats00 column → our field name (Moodle's scales kept as they are).
GOLDEN_COLUMNS = {
    "facility": "facility",
    "sd": "sd",
    "effectiveweight": "effective_weight",
    "covariance": "covariance",
    "markvariance": "mark_variance",
    "othermarkvariance": "other_mark_variance",
    "discriminationindex": "discrimination_index",
    "covariancemax": "covariance_max",
    "discriminativeefficiency": "discriminative_efficiency",
}


def _golden() -> tuple[bytes, list[dict[str, str]]]:
    results, expected = STATS_DIR / "results00.csv", STATS_DIR / "qstats00.csv"
    if not (results.exists() and expected.exists()):
        pytest.skip(f"Moodle statistics conformance files not found in {STATS_DIR}")
    return results.read_bytes(), list(csv.DictReader(io.StringIO(expected.read_text("utf-8"))))


def test_moodle_golden_item_statistics_to_six_decimals() -> None:
    data, expected = _golden()
    result = item_statistics(read_marks_matrix(data))
    assert [item.item for item in result.items] == [row["slot"] for row in expected]
    mismatches = []
    for item, row in zip(result.items, expected, strict=True):
        for column, name in GOLDEN_COLUMNS.items():
            ours, theirs = getattr(item, name), float(row[column])
            if ours is None or round(ours, 6) != round(theirs, 6):
                mismatches.append((item.item, column, ours, theirs))
    assert mismatches == []


def test_moodle_totals_come_from_the_slot_marks_not_the_summarks_column() -> None:
    data, _ = _golden()
    matrix = read_marks_matrix(data)
    assert matrix.items == ("1", "2", "3", "4", "5", "6", "7")
    assert len(matrix.rows) == 25
    # Attempt 21 has summarks 4.33333 but its slots sum to 4.3333333.
    assert math.fsum(matrix.rows[20]) == pytest.approx(4.3333333, abs=1e-12)


def test_test_statistics_follow_moodle_definitions() -> None:
    data, _ = _golden()
    matrix = read_marks_matrix(data)
    test = item_statistics(matrix).test
    totals = [math.fsum(row) for row in matrix.rows]
    item_variances = [pystats.variance(column) for column in zip(*matrix.rows, strict=True)]
    alpha = 7 / 6 * (1 - sum(item_variances) / pystats.variance(totals))
    assert test.attempts == 25 and test.items == 7 and test.max_total == 7
    assert test.mean == pytest.approx(pystats.mean(totals))
    assert test.median == pystats.median(totals)
    assert test.sd == pytest.approx(pystats.stdev(totals))
    assert test.cic == pytest.approx(100 * alpha)
    assert round(test.cic, 1) == -87.2  # as recorded in the conformance notes: random data
    assert test.error_ratio == pytest.approx(100 * math.sqrt(1 - alpha))
    assert test.standard_error == pytest.approx(test.error_ratio * test.sd / 100)
    assert test.kr20 is None  # partial marks: KR-20 is only defined for right/wrong items


def test_to_json_has_the_documented_shape() -> None:
    data, _ = _golden()
    payload = json.loads(json.dumps(item_statistics(read_marks_matrix(data)).to_json()))
    first = payload["items"][0]
    for key in ("item", "facility", "sd", "effective_weight", "covariance", "discrimination_index"):
        assert key in first
    for key in ("discriminative_efficiency", "point_biserial", "upper_lower_discrimination"):
        assert key in first
    for key in ("mean", "sd", "cic", "kr20", "error_ratio", "standard_error"):
        assert key in payload["test"]


DICHOTOMOUS = "q1,q2,q3,q4\n1,1,1,0\n1,0,1,0\n0,0,1,0\n1,1,1,1\n0,0,0,0\n1,1,0,1\n1,0,1,1\n0,1,1,0\n"


def test_kr20_equals_alpha_for_right_wrong_items() -> None:
    result = item_statistics(read_marks_matrix(DICHOTOMOUS))
    assert result.test.kr20 is not None
    assert result.test.kr20 == pytest.approx(result.test.cic / 100)


def test_point_biserial_is_the_item_total_correlation() -> None:
    matrix = read_marks_matrix(DICHOTOMOUS)
    totals = [sum(row) for row in matrix.rows]
    result = item_statistics(matrix)
    for j, item in enumerate(result.items):
        column = [row[j] for row in matrix.rows]
        assert item.point_biserial == pytest.approx(pystats.correlation(column, totals))
        # Moodle's discrimination index is the item–rest correlation, in percent.
        rest = [t - m for t, m in zip(totals, column, strict=True)]
        assert item.discrimination_index == pytest.approx(100 * pystats.correlation(column, rest))


def test_upper_lower_27_percent_discrimination() -> None:
    # 10 attempts → groups of 3 (round(2.7)); item 1 is right only in the top 3, item 2 only in the bottom 3.
    rows = []
    for rank in range(10):
        top, bottom = rank >= 7, rank < 3
        rows.append((1.0 if top else 0.0, 1.0 if bottom else 0.0, float(rank)))
    matrix = MarksMatrix(("good", "bad", "filler"), tuple(rows), (1.0, 1.0, 10.0))
    upper, lower = upper_lower_groups([math.fsum(r) for r in rows])
    assert sorted(upper) == [7, 8, 9] and sorted(lower) == [0, 1, 2]
    by_item = {item.item: item for item in item_statistics(matrix).items}
    assert by_item["good"].upper_lower_discrimination == 1.0
    assert by_item["bad"].upper_lower_discrimination == -1.0


def test_plain_csv_without_header_and_bytes_with_bom() -> None:
    matrix = read_marks_matrix("\ufeff1,0\n0,1\n".encode())
    assert matrix.items == ("1", "2") and matrix.rows == ((1.0, 0.0), (0.0, 1.0))
    with_header = read_marks_matrix("\ufeff题1,题2\n1,0.5\n".encode(), max_marks=[1, 2])
    assert with_header.items == ("题1", "题2") and with_header.max_marks == (1.0, 2.0)


def test_moodle_layout_ignores_other_columns_and_counts_dash_as_zero() -> None:
    text = "quizattempt,state,slots.2.mark,slots.1.mark,summarks\n7,finished,-,1,99\n8,finished,1,0,0\n"
    matrix = read_marks_matrix(text)
    assert matrix.items == ("1", "2")  # ordered by slot number
    assert matrix.rows == ((1.0, 0.0), (0.0, 1.0))
    assert matrix.attempt_ids == ("7", "8")


def test_bad_cells_are_all_reported_at_once() -> None:
    with pytest.raises(MarksMatrixError) as caught:
        read_marks_matrix("a,b\nx,1\n1,5\n-1,0\n1\n", max_marks=1)
    codes = [(p.code, p.where) for p in caught.value.problems]
    assert codes == [
        ("bad_mark", "line 2, item a"),
        ("mark_above_max", "line 3, item b"),
        ("negative_mark", "line 4, item a"),
        ("ragged_row", "line 5"),
    ]
    assert "超过该题满分" in caught.value.problems[1].message("zh_CN")


def test_empty_input_is_a_problem_not_a_crash() -> None:
    with pytest.raises(MarksMatrixError) as caught:
        read_marks_matrix("")
    assert caught.value.problems[0].code == "empty_matrix"


def test_one_attempt_gives_none_for_every_spread_figure() -> None:
    result = item_statistics(read_marks_matrix("1,0,1\n"))
    item = result.items[0]
    assert item.facility == 1.0
    assert item.sd is None and item.discrimination_index is None and item.effective_weight is None
    assert result.test.sd is None and result.test.cic is None and result.test.kr20 is None
    assert result.test.mean == 2.0 and result.test.median == 2.0


def test_zero_variance_and_an_item_everyone_got_right_never_raise() -> None:
    result = item_statistics(read_marks_matrix("1,1\n1,1\n1,1\n"))
    for item in result.items:
        assert item.facility == 1.0 and item.sd == 0.0
        assert item.discrimination_index is None and item.discriminative_efficiency is None
        assert item.point_biserial is None and item.effective_weight is None
    assert result.test.sd == 0.0 and result.test.cic is None and result.test.skewness is None
    json.dumps(result.to_json())


def test_everyone_right_on_one_item_among_varied_items() -> None:
    result = item_statistics(read_marks_matrix("1,1,0\n1,0,0\n1,1,1\n1,0,1\n"))
    easy = result.items[0]
    assert easy.facility == 1.0 and easy.discrimination_index is None
    assert result.items[1].discrimination_index is not None


def test_command_prints_statistics_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "marks.csv"
    path.write_text(DICHOTOMOUS, encoding="utf-8")
    assert main([str(path)]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert [item["item"] for item in payload["items"]] == ["q1", "q2", "q3", "q4"]
    assert payload["test"]["kr20"] == pytest.approx(payload["test"]["cic"] / 100)


def test_command_reports_bad_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "marks.csv"
    path.write_text("a\nzz\n", encoding="utf-8")
    assert main([str(path)]) == 1
    assert json.loads(capsys.readouterr().out)["problems"][0]["code"] == "bad_mark"


def test_wrong_number_of_maximum_marks_is_refused() -> None:
    matrix = read_marks_matrix(DICHOTOMOUS)
    with pytest.raises(MarksMatrixError) as caught:
        item_statistics(matrix, max_marks=[1, 1])
    assert caught.value.problems[0].params == {"found": 2, "expected": 4}
    scaled = item_statistics(matrix, max_marks=2)
    assert scaled.items[0].facility == pytest.approx(item_statistics(matrix).items[0].facility / 2)


def test_moodle_grades_report_download_takes_maxima_from_the_header() -> None:
    text = (
        "Surname,First name,State,Grade/10.00,Q. 1 /2.00,Q. 2 /8.00\n"
        "王,一,Finished,9.00,2.00,7.00\n"
        "李,二,Finished,4.00,-,4.00\n"
        "Overall average,,,6.50,1.00,5.50\n"
    )
    matrix = read_marks_matrix(text)
    assert matrix.items == ("1", "2") and matrix.max_marks == (2.0, 8.0)
    assert matrix.rows == ((2.0, 7.0), (0.0, 4.0))
    assert item_statistics(matrix).items[1].facility == pytest.approx(11 / 16)
