"""`flask bank assemble`: deterministic JSON for inspection (nothing stored), `--save` with a window, every problem
with exit 1, and bad arguments with exit 2 naming the argument."""

from __future__ import annotations

import json

import pytest

from certify.bank.models import AssemblyRun
from tests.bank.test_blueprints_support import audit_entries, count_rows, make_blueprint, make_questions
from tests.bank.world import bank_world, point_codes


@pytest.fixture
def world(app):
    world = bank_world()
    make_questions(world)
    return world


def _assemble(cli, *args: str):
    return cli.invoke(args=["bank", "assemble", *args])


def test_the_json_is_byte_identical_for_a_seed_and_nothing_is_stored(world, cli):
    record = make_blueprint(world)
    args = ["--blueprint", str(record.id), "--count", "2", "--seed", "S-1", "--json"]
    first, second = _assemble(cli, *args), _assemble(cli, *args)
    assert first.exit_code == 0, first.output
    assert first.stdout_bytes == second.stdout_bytes
    report = json.loads(first.output)
    assert report["blueprint"] == record.id and report["seed"] == "S-1" and report["forms"] == 2
    assert sum(sum(types.values()) for types in report["plan"].values()) == 15
    paper = report["papers"][0]
    assert paper["form"] == "A" and paper["seed"] == "S-1" and paper["total_points"] == 100
    assert 2 <= paper["mean_difficulty"] <= 4
    question = paper["questions"][0]
    assert set(question) == {
        "position", "question_id", "version_id", "type", "points", "cell", "point_code", "difficulty", "key", "scored",
    }  # fmt: skip
    assert sum(q["points"] for q in paper["questions"]) == 100
    assert next(q["key"] for q in paper["questions"] if q["type"] == "multiple_choice") == ["A", "C"]
    assert _assemble(cli, *args[:-3], "--seed", "S-2", "--json").stdout_bytes != first.stdout_bytes
    assert count_rows(AssemblyRun) == 0 and audit_entries("bank.papers_assembled") == []


def test_the_table_is_readable(world, cli):
    record = make_blueprint(world)
    result = _assemble(cli, "--blueprint", str(record.id), "--seed", "7")
    assert result.exit_code == 0, result.output
    assert "form A: 100 points" in result.output and "form B: 100 points" in result.output


def test_save_stores_the_run_with_its_window(world, cli):
    record = make_blueprint(world)
    args = ["--blueprint", str(record.id), "--seed", "S", "--save", "--window", "2026-12", "--candidates", "30"]
    result = _assemble(cli, *args, "--json")
    assert result.exit_code == 0, result.output
    assert count_rows(AssemblyRun) == 1 and json.loads(result.output)["run"] == 1
    inspected = _assemble(cli, "--blueprint", str(record.id), "--seed", "S", "--json")
    assert json.loads(inspected.output)["papers"] == json.loads(result.output)["papers"]
    assert json.loads(audit_entries("bank.papers_assembled")[0].after)["window"] == "2026-12"


@pytest.mark.parametrize(
    ("args", "argument"),
    [
        (["--blueprint", "99", "--seed", "1"], "--blueprint"),
        (["--blueprint", "{id}", "--count", "0", "--seed", "1"], "--count"),
        (["--blueprint", "{id}", "--count", "27", "--seed", "1"], "--count"),
        (["--blueprint", "{id}", "--seed", "1", "--candidates", "-3"], "--candidates"),
        (["--blueprint", "{id}", "--seed", "1", "--save"], "--window"),
        (["--blueprint", "{id}", "--seed", "1", "--save", "--window", "w", "--draft"], "--draft"),
        (["--blueprint", "{id}", "--seed", ""], "--seed"),
        (["--blueprint", "{id}"], "--seed"),
        (["--blueprint", "abc", "--seed", "1"], "--blueprint"),
    ],
)
def test_bad_arguments_exit_2_naming_the_argument(world, cli, args, argument):
    record = make_blueprint(world)
    result = _assemble(cli, *[a.replace("{id}", str(record.id)) for a in args])
    assert result.exit_code == 2, result.output
    assert argument in result.output
    assert count_rows(AssemblyRun) == 0


def test_a_draft_is_refused_unless_inspected_with_draft(world, cli):
    record = make_blueprint(world, approve=False)
    refused = _assemble(cli, "--blueprint", str(record.id), "--seed", "1")
    assert refused.exit_code == 1 and "approved blueprint" in refused.output and "--draft" in refused.output
    assert _assemble(cli, "--blueprint", str(record.id), "--seed", "1", "--draft").exit_code == 0


def test_an_impossible_paper_exits_1_with_every_problem_in_the_chosen_language(world, cli, app):
    make_questions(world, points=point_codes()[:1], types=("single_choice",))
    record = make_blueprint(world, exposure_cap=0.3)
    args = ["--blueprint", str(record.id), "--seed", "1", "--window", "2026-12", "--candidates", "100"]
    english = _assemble(cli, *args)
    assert english.exit_code == 1
    assert "Range A-A" in english.output and "short by" in english.output and "exposure cap" in english.output
    chinese = _assemble(cli, *args, "--lang", "zh_CN")
    assert chinese.exit_code == 1 and "鉴定范围 A-A" in chinese.output and "缺" in chinese.output
    assert count_rows(AssemblyRun) == 0
