"""`flask bank item-stats MATRIX.csv --json`: Moodle's item statistics, checked against Moodle's own output."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

STATS = Path(__file__).resolve().parents[3] / "shared" / "conformance" / "stats"


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def test_moodles_golden_matrix_gives_moodles_figures(runner):
    if not (STATS / "results00.csv").exists():
        pytest.skip(f"conformance corpus not found at {STATS}")
    result = runner.invoke(args=["bank", "item-stats", str(STATS / "results00.csv"), "--json"])
    assert result.exit_code == 0, result.output
    items = {str(item["item"]): item for item in json.loads(result.output)["items"]}
    with (STATS / "qstats00.csv").open(newline="") as fh:
        expected = list(csv.DictReader(fh))
    assert len(items) == len(expected)
    for row, item in zip(expected, json.loads(result.output)["items"], strict=True):
        assert item["facility"] == pytest.approx(float(row["facility"]), abs=1e-6)
        assert item["sd"] == pytest.approx(float(row["sd"]), abs=1e-6)
        assert item["discrimination_index"] == pytest.approx(float(row["discriminationindex"]), abs=1e-6)
        assert item["effective_weight"] == pytest.approx(float(row["effectiveweight"]), abs=1e-6)


def test_a_plain_matrix_prints_a_table(runner, tmp_path):
    path = tmp_path / "marks.csv"
    path.write_text("q1,q2,q3\n1,0,1\n1,1,0\n0,0,1\n1,1,1\n")
    result = runner.invoke(args=["bank", "item-stats", str(path)])
    assert result.exit_code == 0, result.output
    assert "facility" in result.output and "cic=" in result.output


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [("q1,q2\n1,abc\n", [], "abc"), ("", [], "error:"), ("q1\n1\n", ["--max-mark", "0"], "--max-mark")],
)
def test_bad_input_is_refused_naming_the_problem(runner, tmp_path, content, args, message):
    path = tmp_path / "marks.csv"
    path.write_text(content)
    result = runner.invoke(args=["bank", "item-stats", str(path), *args])
    assert result.exit_code == 2
    assert message in result.output


def test_a_missing_file_is_refused(runner):
    result = runner.invoke(args=["bank", "item-stats", "/nonexistent/marks.csv"])
    assert result.exit_code == 2 and "cannot be read" in result.output
