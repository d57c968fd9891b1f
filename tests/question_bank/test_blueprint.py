"""Blueprints: validation, and the feasibility check of a blueprint against a bank."""

from __future__ import annotations

import json
import random
from dataclasses import replace

from question_bank.blueprint import (
    BankItem,
    Blueprint,
    ExposureState,
    TypeSpec,
    feasibility,
    recently_used,
    validate_blueprint,
)
from question_bank.elements import build_element_table

WEIGHTS = {"A-A": 10.0, "A-B": 20.0, "B-A": 30.0, "B-B": 40.0}
TYPES = (
    TypeSpec("true_false", 10, 2.0),
    TypeSpec("single_choice", 40, 1.0),
    TypeSpec("multiple_choice", 10, 4.0),
)


def make_blueprint(**changes: object) -> Blueprint:
    """A 60-question, 100-point blueprint over four ranges."""
    base = Blueprint("4-13-03-02", 4, dict(WEIGHTS), TYPES, (2.5, 3.5))
    return replace(base, **changes)  # type: ignore[arg-type]


def make_bank(
    points_per_cell: dict[str, int] | int = 40,
    types: tuple[str, ...] = ("true_false", "single_choice", "multiple_choice"),
    per_point: int = 1,
    seed: int = 1,
    difficulty: tuple[float, float] = (1.0, 5.0),
) -> list[BankItem]:
    """`per_point` items of every type on every point of every cell, difficulties uniform in a range."""
    rng = random.Random(seed)
    counts = points_per_cell if isinstance(points_per_cell, dict) else dict.fromkeys(WEIGHTS, points_per_cell)
    bank = []
    for cell, n_points in counts.items():
        for number in range(1, n_points + 1):
            for type_key in types:
                for copy in range(per_point):
                    options = ("T", "F") if type_key == "true_false" else ("A", "B", "C", "D")
                    bank.append(
                        BankItem(
                            id=f"{cell}-{number:03d}-{type_key}-{copy}",
                            point_code=f"{cell}-{number:03d}",
                            type_key=type_key,
                            difficulty=round(rng.uniform(*difficulty), 2),
                            option_ids=options,
                            key=options[:2] if type_key == "multiple_choice" else options[:1],
                        )
                    )
    return bank


def test_a_sound_blueprint_validates() -> None:
    assert validate_blueprint(make_blueprint()) == []


def test_every_blueprint_problem_is_reported_at_once() -> None:
    blueprint = make_blueprint(
        types=(TypeSpec("true_false", 10, 2.0), TypeSpec("single_choice", 30, 1.0), TypeSpec("oral", 1, 1.0)),
        weights={"A-A": 10.5, "A-B": 20.0, "B-A": 30.0, "B-B": 30.0},
        forms=1,
        difficulty_band=(4.0, 3.0),
        exposure_cap=0.0,
    )
    found = {(p.code, p.where): p.params for p in validate_blueprint(blueprint)}
    assert found[("unknown_type", "oral")] == {"type_key": "oral"}
    assert found[("type_points_not_total", "types")] == {"total": 51, "expected": 100}
    assert found[("weights_not_total", "weights")] == {"total": 90.5, "expected": 100}
    assert found[("weight_not_composable", "A-A")]["weight"] == 10.5
    assert found[("too_few_forms", "forms")] == {"forms": 1, "minimum": 2}
    assert found[("band_inverted", "difficulty_band")] == {"low": 4, "high": 3}
    assert found[("bad_exposure_cap", "exposure_cap")] == {"value": 0.0}


def test_band_outside_scale_duplicates_and_table_mismatch() -> None:
    table = build_element_table(
        "4-13-03-02",
        {"A": ("a", {4: 30}), "A-A": ("aa", {4: 10}), "A-B": ("ab", {4: 20}), "B": ("b", {4: 70})},
        {"A-A-001": ("p", "X")},
    )
    blueprint = make_blueprint(difficulty_band=(0.5, 3.0), types=(*TYPES, TypeSpec("single_choice", 0, 1.0)))
    codes = {(p.code, p.where) for p in validate_blueprint(blueprint, table)}
    assert ("band_outside_scale", "difficulty_band") in codes
    assert ("duplicate_type", "single_choice") in codes
    assert ("weight_differs_from_table", "B") in codes  # the table weighs B as a whole
    assert ("weight_differs_from_table", "B-A") in codes
    assert ("weight_differs_from_table", "A-A") not in codes


def test_feasibility_reports_need_and_supply_per_cell() -> None:
    report = feasibility(make_blueprint(), make_bank(40))
    assert report.ok, [p.message("en") for p in report.problems]
    assert report.plan is not None
    for row in report.cells:
        plan = report.plan[row.cell]
        assert sum(n * {"true_false": 2, "single_choice": 1, "multiple_choice": 4}[k] for k, n in plan.items()) == (
            row.weight
        )
        assert row.needed == plan
        assert row.eligible == {"true_false": 40, "single_choice": 40, "multiple_choice": 40}
        assert row.eligible_points == 40
        assert row.shortfall == {}
    assert sum(n for row in report.cells for k, n in row.needed.items() if k == "single_choice") == 40
    assert report.bank_points == 4 * 40 * 7


def test_feasibility_names_short_cells_and_the_bank_size_rule() -> None:
    bank = make_bank({"A-A": 40, "A-B": 40, "B-A": 40, "B-B": 11})
    report = feasibility(make_blueprint(max_form_overlap=0.0), bank)
    assert not report.ok
    b_b = next(row for row in report.cells if row.cell == "B-B")
    assert b_b.shortfall  # two forms with no overlap need more questions than 11 points hold
    short = [p for p in report.problems if p.code == "cell_short"]
    assert ("B-B", "multiple_choice", 7) in [(p.where, p.params["type_key"], p.params["short_by"]) for p in short]
    for problem in short:
        needed, eligible = problem.params["needed"], problem.params["eligible"]
        assert problem.params["short_by"] == needed - eligible > 0
    # 11 points × 7 item points = 77 < 2 × 40
    assert any(p.code == "bank_range_too_small" and p.where == "B-B" for p in report.problems)
    payload = json.loads(json.dumps(report.to_json(), ensure_ascii=False))
    assert payload["ok"] is False
    assert {row["cell"]: row["shortfall"] for row in payload["cells"]}["B-B"] == b_b.shortfall


def test_feasibility_without_any_plan_says_which_cell_and_by_how_much() -> None:
    bank = make_bank({"A-A": 40, "A-B": 40, "B-A": 40, "B-B": 3})
    report = feasibility(make_blueprint(), bank)
    assert report.plan is None
    unfillable = [p for p in report.problems if p.code == "cell_unfillable"]
    assert [p.where for p in unfillable] == ["B-B"]
    # Three distinct points can carry at most 4 + 4 + 4 points (multiple choice) = 12 of the 40.
    assert unfillable[0].params == {"weight": 40, "reachable": 12, "short_by": 28, "eligible_points": 3}


def test_feasibility_counts_exclusions_and_exposure() -> None:
    bank = make_bank(40)
    recent = {item.id for item in bank if item.point_code.startswith("A-A-00")}
    exposure = ExposureState({item.id: 30 for item in bank if item.point_code == "B-A-001"}, window_candidates=100)
    report = feasibility(make_blueprint(), bank, exposure=exposure, excluded_ids=recent)
    rows = {row.cell: row for row in report.cells}
    assert rows["A-A"].excluded_recent == 9 * 3  # points 001–009
    assert rows["B-A"].excluded_exposure == 3  # 30 + 1 > 30 % of 100
    assert rows["A-A"].eligible_points == 31


def test_recently_used_takes_the_last_n_sessions() -> None:
    sessions = [["a", "b"], ["c"], ["d"]]
    assert recently_used(sessions, 2) == {"a", "b", "c"}
    assert recently_used(sessions, 0) == set()


def test_only_examined_levels_take_a_blueprint() -> None:
    problems = validate_blueprint(make_blueprint(level=7))
    assert [(p.code, p.params) for p in problems] == [("bad_level", {"level": 7, "lowest": 2, "highest": 6})]
    assert problems[0].message("zh_CN") == "新八级工第 7 级不设理论知识考试，应为第 2–6 级。"


def test_items_limited_to_other_levels_are_not_eligible() -> None:
    bank = make_bank(40)
    other_level = [replace(item, levels=frozenset({5})) for item in bank if item.point_code.startswith("A-A")]
    mine = [item for item in bank if not item.point_code.startswith("A-A")]
    report = feasibility(make_blueprint(), mine + other_level)
    assert [p.where for p in report.problems if p.code == "cell_unfillable"] == ["A-A"]
    both = [replace(item, levels=frozenset({4, 5})) for item in other_level]
    assert feasibility(make_blueprint(), mine + both).ok
