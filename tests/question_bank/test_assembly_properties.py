"""Property tests: random feasible banks always give sound papers; infeasible ones a named failure."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from question_bank.assembly import assemble, personalise
from question_bank.blueprint import BankItem, Blueprint, ExposureState, TypeSpec, feasibility
from tests.question_bank.test_assembly import assert_sound

TYPE_MIXES = (
    (
        TypeSpec("true_false", 20, 1.0),
        TypeSpec("single_choice", 60, 1.0),
        TypeSpec("multiple_choice", 10, 2.0),
    ),
    (
        TypeSpec("true_false", 10, 2.0),
        TypeSpec("single_choice", 40, 1.0),
        TypeSpec("multiple_choice", 10, 4.0),
    ),
    (TypeSpec("single_choice", 70, 1.0), TypeSpec("short_answer", 3, 10.0)),
    (
        TypeSpec("true_false", 20, 0.5),
        TypeSpec("single_choice", 60, 1.0),
        TypeSpec("multiple_choice", 20, 1.5),
    ),
)
CELL_NAMES = ("A-A", "A-B", "B-A", "B-B-C", "C-A", "C-B")
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def weight_tables(draw: st.DrawFn) -> dict[str, float]:
    """2–6 ranges with weights in steps of 5 summing to 100."""
    cells = draw(st.integers(2, 6))
    cuts = sorted(draw(st.lists(st.integers(1, 19), min_size=cells - 1, max_size=cells - 1, unique=True)))
    bounds = [0, *cuts, 20]
    return {CELL_NAMES[i]: 5.0 * (bounds[i + 1] - bounds[i]) for i in range(cells)}


def build_bank(weights: dict[str, float], types: tuple[TypeSpec, ...], seed: int, spare: int) -> list[BankItem]:
    """Enough distinct points per range for two forms of any plan: every point offers every type twice."""
    rng = random.Random(seed)
    bank = []
    for cell, weight in weights.items():
        for number in range(1, int(weight) + spare + 1):
            for spec in types:
                for copy in range(3):
                    options = ("A", "B", "C", "D") if "choice" in spec.type_key else ()
                    bank.append(
                        BankItem(
                            f"{cell}-{number:03d}-{spec.type_key}-{copy}",
                            f"{cell}-{number:03d}",
                            spec.type_key,
                            round(rng.uniform(1.0, 5.0), 2),
                            options,
                            options[:1],
                        )
                    )
    return bank


@SETTINGS
@given(weight_tables(), st.sampled_from(TYPE_MIXES), st.integers(0, 10_000), st.integers(2, 6), st.integers(0, 3))
def test_feasible_banks_always_give_sound_papers(
    weights: dict[str, float], types: tuple[TypeSpec, ...], seed: int, spare: int, forms_extra: int
) -> None:
    blueprint = Blueprint("x", 4, weights, types, (2.5, 3.5), forms=2 + forms_extra % 2)
    bank = build_bank(weights, types, seed, spare)
    result = assemble(blueprint, bank, seed=seed)
    assert_sound(result, blueprint)
    assert assemble(blueprint, list(reversed(bank)), seed=seed).papers == result.papers
    assert feasibility(blueprint, bank).plan is not None


@SETTINGS
@given(weight_tables(), st.sampled_from(TYPE_MIXES), st.integers(0, 10_000))
def test_exposure_and_exclusions_hold_on_every_paper(
    weights: dict[str, float], types: tuple[TypeSpec, ...], seed: int
) -> None:
    blueprint = Blueprint("x", 4, weights, types, (2.5, 3.5))
    bank = build_bank(weights, types, seed, 4)
    rng = random.Random(seed)
    excluded = {item.id for item in bank if rng.random() < 0.05}
    counts = {item.id: rng.choice((0, 0, 0, 29, 30)) for item in bank}
    exposure = ExposureState(counts, window_candidates=100)
    result = assemble(blueprint, bank, seed=seed, exposure=exposure, excluded_ids=excluded)
    if result.ok:
        assert_sound(result, blueprint)
        used = set().union(*(paper.item_ids() for paper in result.papers))
        assert not used & excluded
        assert all(counts[item] + 1 <= 30 for item in used)
    else:
        assert result.papers == ()
        assert all(problem.code and problem.message("zh_CN") for problem in result.problems)


@SETTINGS
@given(weight_tables(), st.sampled_from(TYPE_MIXES), st.integers(0, 10_000), st.data())
def test_infeasible_banks_fail_by_name_never_with_a_weaker_paper(
    weights: dict[str, float], types: tuple[TypeSpec, ...], seed: int, data: st.DataObject
) -> None:
    blueprint = Blueprint("x", 4, weights, types, (2.5, 3.5))
    starved = data.draw(st.sampled_from(sorted(weights)))
    # The starved range keeps one point: far too few distinct points for its weight at these question sizes.
    bank = [
        item
        for item in build_bank(weights, types, seed, 2)
        if item.point_code.rpartition("-")[0] != starved or item.point_code.endswith("-001")
    ]
    largest = max(spec.points for spec in types)
    if weights[starved] <= largest:
        return  # one point can still carry this weight: not an infeasible bank
    result = assemble(blueprint, bank, seed=seed)
    assert result.papers == ()
    codes = {problem.code for problem in result.problems}
    assert codes & {"cell_unfillable", "type_short", "no_type_plan"}
    for problem in result.problems:
        if "short_by" in problem.params:
            assert problem.params["short_by"] > 0
    assert any(problem.where == starved for problem in result.problems) or "type_short" in codes


PAPER = assemble(
    Blueprint("x", 4, {"A-A": 40.0, "A-B": 60.0}, TYPE_MIXES[0], (1.0, 5.0)),
    build_bank({"A-A": 40.0, "A-B": 60.0}, TYPE_MIXES[0], 1, 5),
    seed="p",
).papers[0]


@SETTINGS
@given(st.text(max_size=20) | st.integers())
def test_personalised_keys_always_map_back_to_the_canonical_key(candidate: str | int) -> None:
    mine = personalise(PAPER, candidate)
    assert mine == personalise(PAPER, candidate)
    canonical = {question.item_id: question for question in PAPER.questions}
    assert sorted(canonical) == sorted(question.item_id for question in mine.questions)
    for question in mine.questions:
        source = canonical[question.item_id]
        assert question.to_canonical(question.key) == tuple(sorted(source.key))
        assert sorted(question.options) == sorted(source.option_ids)
