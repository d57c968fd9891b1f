"""Paper assembly: exact weights, distinct points, forms, exposure, exclusions, named failures, personalising."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from question_bank.assembly import (
    AssemblyResult,
    Paper,
    assemble,
    check_paper,
    personalise,
    prepare_bank,
)
from question_bank.blueprint import Blueprint, ExposureState
from tests.question_bank.test_blueprint import WEIGHTS, make_bank, make_blueprint


def assert_sound(result: AssemblyResult, blueprint: Blueprint) -> None:
    """Every constraint a user would check on the returned papers."""
    assert result.ok, [p.message("en") for p in result.problems]
    assert len(result.papers) == blueprint.forms
    for paper in result.papers:
        assert check_paper(paper, blueprint) == []
        by_cell = Counter()
        for question in paper.questions:
            by_cell[question.cell] += question.points
        assert dict(by_cell) == blueprint.weights  # covers every weighted range, exactly
        assert len({q.point_code for q in paper.questions}) == len(paper.questions)
        assert paper.total_points == 100
        low, high = blueprint.difficulty_band
        assert low <= paper.mean_difficulty <= high
    allowed = int(blueprint.max_form_overlap * len(result.papers[0].questions))
    for i, first in enumerate(result.papers):
        for second in result.papers[i + 1 :]:
            assert len(first.item_ids() & second.item_ids()) <= allowed


def test_assembles_two_forms_matching_the_blueprint_exactly() -> None:
    blueprint = make_blueprint()
    result = assemble(blueprint, make_bank(40), seed=2026)
    assert_sound(result, blueprint)
    assert [paper.form for paper in result.papers] == ["A", "B"]
    assert all(paper.seed == "2026" for paper in result.papers)
    types = Counter(q.type_key for q in result.papers[0].questions)
    assert types == {"true_false": 10, "single_choice": 40, "multiple_choice": 10}
    # Canonical order: type sections as in the blueprint.
    order = [q.type_key for q in result.papers[0].questions]
    assert order == sorted(order, key=["true_false", "single_choice", "multiple_choice"].index)


def test_same_seed_same_papers_whatever_the_bank_order() -> None:
    bank = make_bank(40)
    shuffled = list(bank)
    random.Random(5).shuffle(shuffled)
    first = assemble(make_blueprint(), bank, seed="s-1")
    again = assemble(make_blueprint(), shuffled, seed="s-1")
    other = assemble(make_blueprint(), bank, seed="s-2")
    assert first.papers == again.papers
    assert first.papers != other.papers


def test_a_prepared_bank_gives_the_same_papers() -> None:
    blueprint, bank = make_blueprint(), make_bank(40)
    assert assemble(blueprint, prepare_bank(blueprint, bank), seed=9).papers == assemble(blueprint, bank, 9).papers
    with pytest.raises(ValueError):
        assemble(make_blueprint(), prepare_bank(blueprint, bank), seed=9)


def test_forms_share_no_more_than_the_allowed_overlap() -> None:
    blueprint = make_blueprint(max_form_overlap=0.0, forms=3)
    result = assemble(blueprint, make_bank(40), seed=1)
    assert_sound(result, blueprint)


def test_too_much_overlap_is_a_named_failure_with_numbers() -> None:
    # A-A (10 points) has 3 points with one true/false and one multiple-choice item each: every form needs
    # 2 multiple-choice + 1 true/false on distinct points, so form B must repeat a multiple-choice item of A.
    bank = make_bank({"A-B": 40, "B-A": 40, "B-B": 40}) + make_bank({"A-A": 3}, types=("true_false", "multiple_choice"))
    result = assemble(make_blueprint(max_form_overlap=0.0), bank, seed=3)
    assert not result.ok and result.papers == ()
    problem = result.problems[0]
    assert problem.code in {"form_overlap", "cell_exhausted"}
    if problem.code == "form_overlap":
        assert problem.params["over_by"] == problem.params["shared"] > 0
    else:
        assert problem.params["missing"] > 0


def test_exposure_cap_is_respected_across_a_session() -> None:
    # 20 candidates, each item on at most 6 papers; the busiest range's single-choice items run close to it.
    blueprint = make_blueprint(forms=2, exposure_cap=0.3)
    bank = make_bank(40, per_point=2)
    counts: Counter[str] = Counter()
    window = 20
    for candidate_pair in range(window // 2):
        exposure = ExposureState(counts, window_candidates=window)
        result = assemble(blueprint, bank, seed=candidate_pair, exposure=exposure)
        assert_sound(result, blueprint)
        for paper in result.papers:
            counts.update(paper.item_ids())
    assert max(counts.values()) <= 0.3 * window


def test_exposure_blocks_items_already_at_the_cap() -> None:
    bank = make_bank(40)
    hot = {item.id: 3 for item in bank if item.point_code.endswith(("1", "2", "3"))}
    exposure = ExposureState(hot, window_candidates=10)
    result = assemble(make_blueprint(), bank, seed=4, exposure=exposure)
    assert result.ok
    assert not any(paper.item_ids() & hot.keys() for paper in result.papers)


def test_excluded_items_are_never_used() -> None:
    bank = make_bank(40)
    excluded = {item.id for item in bank if item.point_code.endswith("0")}
    result = assemble(make_blueprint(), bank, seed=4, excluded_ids=excluded)
    assert result.ok
    assert not any(paper.item_ids() & excluded for paper in result.papers)


def test_a_short_range_fails_by_name_and_amount_never_with_a_weaker_paper() -> None:
    result = assemble(make_blueprint(), make_bank({"A-A": 40, "A-B": 40, "B-A": 40, "B-B": 3}), seed=1)
    assert result.papers == ()
    assert [(p.code, p.where, p.params["short_by"]) for p in result.problems] == [("cell_unfillable", "B-B", 28)]
    assert "缺 28 分" in result.problems[0].message("zh_CN")


def test_a_missing_type_fails_by_name() -> None:
    result = assemble(make_blueprint(), make_bank(40, types=("true_false", "single_choice")), seed=1)
    assert result.papers == ()
    short = [p for p in result.problems if p.code == "type_short"]
    assert [(p.where, p.params["short_by"]) for p in short] == [("multiple_choice", 10)]


def test_an_unreachable_difficulty_band_fails_by_how_much() -> None:
    bank = make_bank(40, difficulty=(1.0, 2.0))
    result = assemble(make_blueprint(difficulty_band=(3.0, 4.0)), bank, seed=1)
    assert result.papers == ()
    assert [(p.code, p.where) for p in result.problems] == [("difficulty_band", "A"), ("difficulty_band", "B")]
    problem = result.problems[0]
    assert problem.params["off_by"] == pytest.approx(3.0 - problem.params["mean"], abs=1e-4)
    assert problem.params["off_by"] > 0.9


def test_difficulty_repair_pulls_a_paper_into_a_narrow_band() -> None:
    blueprint = make_blueprint(difficulty_band=(3.9, 4.0))
    result = assemble(blueprint, make_bank(40), seed=8)
    assert_sound(result, blueprint)


def test_an_invalid_blueprint_is_refused_with_its_problems() -> None:
    result = assemble(make_blueprint(weights={**WEIGHTS, "A-A": 5.0}), make_bank(40), seed=1)
    assert result.papers == () and [p.code for p in result.problems] == ["weights_not_total"]


def _paper() -> Paper:
    return assemble(make_blueprint(), make_bank(40), seed=77).papers[0]


def test_personalise_shuffles_within_sections_and_keeps_the_key() -> None:
    paper = _paper()
    mine, again, theirs = (
        personalise(paper, "cand-1"),
        personalise(paper, "cand-1"),
        personalise(paper, "cand-2"),
    )
    assert mine == again and mine != theirs
    assert [q.number for q in mine.questions] == list(range(1, len(paper.questions) + 1))
    assert sorted(q.item_id for q in mine.questions) == sorted(q.item_id for q in paper.questions)
    sections = [q.type_key for q in mine.questions]
    assert sections == [q.type_key for q in paper.questions]  # section order kept
    canonical = {q.item_id: q for q in paper.questions}
    moved = 0
    for question in mine.questions:
        source = canonical[question.item_id]
        assert question.to_canonical(question.key) == tuple(sorted(source.key))
        assert question.to_display(source.key) == question.key
        assert sorted(question.options) == sorted(source.option_ids)
        if question.type_key == "true_false":
            assert question.options == source.option_ids
        moved += question.options != source.option_ids
    assert moved > 0


def test_personalise_can_shuffle_across_sections() -> None:
    paper = _paper()
    mixed = personalise(paper, "c", within_sections=False)
    assert [q.type_key for q in mixed.questions] != [q.type_key for q in paper.questions]
