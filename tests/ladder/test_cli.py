"""`flask ladder eligibility PROFILE.json`: the verdict as JSON, exit 0 eligible / 3 not / 2 bad input."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def profile(tmp_path):
    def write(data) -> str:
        path = tmp_path / "profile.json"
        path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
        return str(path)

    return write


WORKER = {
    "birth_date": "1990-05-01",
    "work_history": [{"employer": "首都示例博物馆", "start": "2020-07-01", "end": None, "job": "文物修复"}],
    "education": [],
    "certificates": [{"level": 3, "issued_on": "2022-12-20"}],
    "titles": [],
}


def _run(cli, path, *args):
    return cli.invoke(args=["ladder", "eligibility", path, "--occupation", "4-13-03-02", *args])


def test_an_eligible_profile_names_the_satisfied_option(cli, profile):
    result = _run(cli, profile(WORKER), "--level", "senior_worker", "--at", "2026-12-20", "--lang", "en")
    assert result.exit_code == 0, result.output
    verdict = json.loads(result.output)
    assert verdict["eligible"] is True and verdict["level"]["ordinal"] == 4
    assert verdict["satisfied_option"]["id"]


def test_one_day_short_is_not_eligible_and_says_by_how_much(cli, profile):
    result = _run(cli, profile(WORKER), "--level", "4", "--at", "2026-12-18", "--lang", "en")
    assert result.exit_code == 3
    verdict = json.loads(result.output)
    assert verdict["eligible"] is False and verdict["satisfied_option"] is None
    shortfalls = [c for c in verdict["failing_checks"] if c["kind"] == "prior_level_years"]
    assert shortfalls and shortfalls[0]["params"]["shortfall"]["days"] >= 1


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ("{not json", ["--level", "4"], "not valid JSON (line 1"),
        (WORKER, ["--level", "9"], "--level"),
        (WORKER, ["--level", "4", "--at", "someday"], "--at"),
        (
            {**WORKER, "work_history": [{"employer": "x", "start": "2020-02-30"}]},
            ["--level", "4"],
            "work_history[0].start",
        ),
    ],
)
def test_bad_input_is_refused_naming_where(cli, profile, content, args, message):
    result = _run(cli, profile(content), *args)
    assert result.exit_code == 2
    assert message in result.output


def test_a_missing_file_is_refused(cli):
    result = _run(cli, "/nonexistent/profile.json", "--level", "4")
    assert result.exit_code == 2 and "no such file" in result.output
