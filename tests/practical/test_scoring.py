"""Reconciliation: task mean, adjudication triggers, the group leader's decision, skill and review scores."""

from __future__ import annotations

import json
from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from certify.practical.rubrics import RubricProblem, SheetScore, VetoRecord
from certify.practical.scoring import (
    Adjudication,
    AdjudicationDecision,
    ScoringPolicy,
    ScoringReason,
    adjudicate,
    aggregate_review,
    aggregate_task,
    review_score,
    skill_score,
)

PANEL = ("a1", "a2", "a3")


def sheet(total: str, max_total: str = "100", veto: bool = False, problems: int = 0) -> SheetScore:
    vetoes = (VetoRecord(3, "损坏文物本体", "新增裂纹"),) if veto else ()
    issues = tuple(RubricProblem("mandatory_row_missing", {"row": 1}, "rows[0]") for _ in range(problems))
    return SheetScore(D(total), D(max_total), (), veto, vetoes, (), issues)


def test_mean_of_independent_assessors() -> None:
    agg = aggregate_task("T1", [("a1", sheet("72")), ("a2", sheet("78.5"))])
    assert agg.mean == D("75.25") and agg.final == D("75.25")
    assert not agg.needs_adjudication and agg.triggers == () and agg.problems == ()


def test_scores_are_put_on_the_100_scale() -> None:
    agg = aggregate_task("T1", [("a1", sheet("30", "40")), ("a2", sheet("31", "40"))])
    assert [s.score for s in agg.scores] == [D("75.00"), D("77.50")]
    assert agg.mean == D("76.25")


def test_mean_rounds_half_up() -> None:
    agg = aggregate_task("T1", [("a1", sheet("70")), ("a2", sheet("70")), ("a3", sheet("70.01"))])
    assert agg.mean == D("70.00")
    agg = aggregate_task("T1", [("a1", sheet("70.01")), ("a2", sheet("70.02"))])
    assert agg.mean == D("70.02")  # 70.015 → 70.02


def test_difference_of_exactly_the_threshold_is_tolerated() -> None:
    agg = aggregate_task("T1", [("a1", sheet("70")), ("a2", sheet("80"))])
    assert not agg.needs_adjudication


def test_spread_over_threshold_names_the_pair_and_difference() -> None:
    agg = aggregate_task("T1", [("a1", sheet("70")), ("a2", sheet("75")), ("a3", sheet("85.5"))])
    assert agg.needs_adjudication and agg.final is None
    spread = [t.params for t in agg.triggers if t.code == "spread_over_threshold"]
    assert spread == [
        {
            "first": "a1",
            "first_score": "70",
            "second": "a3",
            "second_score": "85.5",
            "difference": "15.5",
            "threshold": "10",
        },
        {
            "first": "a2",
            "first_score": "75",
            "second": "a3",
            "second_score": "85.5",
            "difference": "10.5",
            "threshold": "10",
        },
    ]
    assert agg.triggers[0].message("zh_CN") == "a1（70 分）与 a3（85.5 分）相差 15.5 分，超过 10 分。"


def test_straddling_the_pass_mark_triggers_even_when_close() -> None:
    agg = aggregate_task("T1", [("a1", sheet("58")), ("a2", sheet("60"))])
    assert [t.code for t in agg.triggers] == ["straddles_pass_mark"]
    assert agg.triggers[0].params == {"pass_mark": "60", "above": "a2", "below": "a1"}


def test_veto_disagreement_triggers() -> None:
    agg = aggregate_task("T1", [("a1", sheet("0", veto=True)), ("a2", sheet("0"))])
    assert [t.code for t in agg.triggers] == ["veto_disagreement"]
    assert "a1 applied a veto item, a2 did not" in agg.triggers[0].message("en")


def test_all_triggers_at_once() -> None:
    agg = aggregate_task("T1", [("a1", sheet("0", veto=True)), ("a2", sheet("75"))])
    assert [t.code for t in agg.triggers] == [
        "spread_over_threshold",
        "straddles_pass_mark",
        "veto_disagreement",
    ]


def test_unanimous_veto_needs_no_adjudication() -> None:
    agg = aggregate_task("T1", [("a1", sheet("0", veto=True)), ("a2", sheet("0", veto=True))])
    assert agg.final == D("0.00")


def test_policy_numbers_are_configurable() -> None:
    policy = ScoringPolicy(threshold=D(5), pass_mark=D(70))
    agg = aggregate_task("T1", [("a1", sheet("66")), ("a2", sheet("72"))], policy)
    assert [t.code for t in agg.triggers] == ["spread_over_threshold", "straddles_pass_mark"]


def test_sheet_problems_are_collected() -> None:
    sheets = [("a1", sheet("70", problems=2)), ("a1", sheet("70", "40"))]
    agg = aggregate_task("T1", sheets)
    assert [(p.code, p.where) for p in agg.problems] == [
        ("incomplete_sheet", "sheets[a1]"),
        ("duplicate_assessor", "sheets[a1]"),
        ("too_few_assessors", "sheets"),
        ("rubric_mismatch", "sheets"),
    ]
    assert agg.final is None


def decision(score: str = "68", votes: tuple[str, ...] = ("a1", "a2"), **kw: object) -> AdjudicationDecision:
    base: dict[str, object] = {
        "leader": "a1",
        "score": D(score),
        "reason": "复核操作录像，拼接错位 2 处",
        "votes": {p: p in votes for p in PANEL},
    }
    return AdjudicationDecision(**(base | kw))  # type: ignore[arg-type]


DIVERGING = aggregate_task("T1", [("a1", sheet("55")), ("a2", sheet("70"))])


def test_adjudication_with_a_majority_and_reason_stands() -> None:
    result = adjudicate(DIVERGING, decision(), PANEL)
    assert result.ok and result.final == D("68.00")
    assert [s.score for s in result.aggregate.scores] == [D("55.00"), D("70.00")]  # raw scores untouched
    assert result.aggregate is DIVERGING


def test_adjudication_needs_a_majority_of_the_whole_panel() -> None:
    result = adjudicate(DIVERGING, decision(votes=("a1",)), PANEL)
    assert [p.code for p in result.problems] == ["no_majority"]
    assert result.problems[0].params == {"yes": 1, "size": 3, "needed": 2}
    assert result.final is None


def test_every_adjudication_problem_at_once() -> None:
    bad = AdjudicationDecision("zz", D("101.555"), " ", {"a1": True, "x9": True}, veto=True)
    result = adjudicate(aggregate_task("T1", [("a1", sheet("70"))]), bad, ("a1", "a2", "a3", "a4"))
    assert [(p.code, p.where) for p in result.problems] == [
        ("panel_even", "panel"),
        ("adjudication_not_needed", "aggregate"),
        ("aggregate_has_problems", "aggregate"),
        ("not_in_panel", "leader"),
        ("not_in_panel", "votes[x9]"),
        ("reason_missing", "reason"),
        ("score_out_of_range", "score"),
        ("score_too_precise", "score"),
        ("veto_score_not_zero", "score"),
        ("no_majority", "votes"),
    ]


def test_upheld_veto_scores_zero() -> None:
    agg = aggregate_task("T1", [("a1", sheet("0", veto=True)), ("a2", sheet("82"))])
    result = adjudicate(agg, decision("0", veto=True, reason="录像显示器物口沿新增裂纹"), PANEL)
    assert result.ok and result.final == D("0.00")


def test_skill_score_weights_task_finals() -> None:
    t1 = aggregate_task("A", [("a1", sheet("80")), ("a2", sheet("84"))])  # 82
    t2 = adjudicate(DIVERGING, decision("68"), PANEL)  # 68
    t3 = aggregate_task("C1", [("a1", sheet("90")), ("a2", sheet("91"))])  # 90.5
    part = skill_score({"A": t1, "B": t2, "C1": t3}, {"A": D(20), "B": D(40), "C1": D(40)})
    # 82 × 0.2 + 68 × 0.4 + 90.5 × 0.4 = 16.4 + 27.2 + 36.2
    assert part.score == D("79.80") and part.passed is True and part.problems == ()
    assert part.contributions["B"] == D("27.2")


def test_skill_score_below_the_pass_mark_fails() -> None:
    t1 = aggregate_task("A", [("a1", sheet("50")), ("a2", sheet("55"))])
    part = skill_score({"A": t1}, {"A": D(100)})
    assert part.score == D("52.50") and part.passed is False


def test_skill_score_waits_for_adjudication_and_lists_everything() -> None:
    invalid = adjudicate(DIVERGING, decision(votes=()), PANEL)
    part = skill_score({"A": DIVERGING, "B": invalid, "X": DIVERGING}, {"A": D(50), "B": D(40), "C": D(5)})
    assert part.score is None and part.passed is None
    assert [(p.code, p.where) for p in part.problems] == [
        ("weights_not_100", "weights"),
        ("weight_without_task", "C"),
        ("adjudication_pending", "A"),
        ("adjudication_invalid", "B"),
        ("task_without_weight", "X"),
        ("adjudication_pending", "X"),
    ]


def test_review_panel_must_be_odd_and_complete() -> None:
    agg = aggregate_review([("r1", sheet("75")), ("r2", sheet("78")), ("r9", sheet("76"))], ("r1", "r2", "r3", "r4"))
    assert [(p.code, p.params) for p in agg.problems] == [
        ("panel_even", {"size": 4}),
        ("not_in_panel", {"person": "r9"}),
        ("panel_member_missing", {"person": "r3"}),
        ("panel_member_missing", {"person": "r4"}),
    ]
    assert review_score(agg).score is None


def test_review_score_of_a_sound_panel() -> None:
    agg = aggregate_review([("r1", sheet("75")), ("r2", sheet("78")), ("r3", sheet("80"))], ("r1", "r2", "r3"))
    part = review_score(agg)
    assert part.score == D("77.67") and part.passed


def test_review_divergence_is_adjudicated_the_same_way() -> None:
    agg = aggregate_review([("r1", sheet("55")), ("r2", sheet("78")), ("r3", sheet("80"))], ("r1", "r2", "r3"))
    assert agg.needs_adjudication
    ruling = AdjudicationDecision("r2", D(76), "答辩录音复核", {"r1": False, "r2": True, "r3": True})
    result = adjudicate(agg, ruling, ("r1", "r2", "r3"))
    assert isinstance(result, Adjudication) and review_score(result).score == D("76.00")


scores = st.decimals(min_value=0, max_value=100, places=2)


@given(st.lists(scores, min_size=2, max_size=5))
def test_mean_lies_between_the_scores_and_triggers_match_the_rule(values: list[D]) -> None:
    agg = aggregate_task("T", [(f"a{i}", sheet(str(v))) for i, v in enumerate(values)])
    assert agg.mean is not None and min(values) <= agg.mean <= max(values)
    spread = max(values) - min(values) > 10
    straddle = min(values) < 60 <= max(values)
    assert agg.needs_adjudication == (spread or straddle)


def test_every_code_has_both_templates_and_renders() -> None:
    sample = {
        "first": "a1",
        "first_score": "70",
        "second": "a2",
        "second_score": "85",
        "difference": "15",
        "threshold": "10",
        "pass_mark": "60",
        "above": "a2",
        "below": "a1",
        "vetoed": "a1",
        "not_vetoed": "a2",
        "count": 1,
        "minimum": 2,
        "assessor": "a1",
        "totals": "40 / 100",
        "size": 4,
        "person": "a9",
        "score": "101",
        "yes": 1,
        "needed": 2,
        "task": "A",
        "weight": "20",
        "total": "90",
    }
    for code, (en, zh) in ScoringReason.templates.items():
        assert en.strip() and zh.strip()
        reason = ScoringReason(code, sample)
        assert "{" not in reason.message("en") + reason.message("zh_CN")
        assert reason.message("en") != reason.message("zh_CN")
        json.dumps(reason.params)
