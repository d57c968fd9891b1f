"""Beyond normal conditions (破格): thresholds as data and the expert-panel rule."""

from __future__ import annotations

from datetime import date, timedelta

from certify.ladder.eligibility_durations import add_years
from certify.ladder.eligibility_exceptional import (
    Achievement,
    AwardClass,
    ExceptionalRoute,
    Panel,
    PanelPolicy,
    exceptional_talent,
    panel_problems,
)
from certify.ladder.profile import Profile, WorkEntry

NOW = date(2025, 6, 30)
PANEL = Panel(members=5, approvals=3)


def worked(years: int) -> Profile:
    return Profile(work_history=(WorkEntry("某厂", add_years(NOW, -years) + timedelta(days=1)),))


def test_twelve_years_and_a_municipal_award_lead_to_technician() -> None:
    award = [Achievement(date(2023, 5, 1), AwardClass.MUNICIPAL)]
    decision = exceptional_talent(worked(12), award, 5, PANEL, NOW)
    assert decision.eligible and decision.route_id == "municipal_award_12_years"
    assert decision.reasons[0].code == "route_met"


def test_one_day_short_of_twelve_years_is_refused_with_the_shortfall() -> None:
    profile = Profile(work_history=(WorkEntry("某厂", add_years(NOW, -12) + timedelta(days=2)),))
    decision = exceptional_talent(profile, [Achievement(date(2023, 5, 1), AwardClass.PROVINCIAL)], 5, PANEL, NOW)
    assert not decision.eligible
    (reason,) = decision.reasons
    assert reason.code == "work_years_short"
    assert reason.params["shortfall"] == {"years": 0, "months": 0, "days": 1}


def test_senior_technician_needs_a_provincial_award_or_a_major_problem_solved() -> None:
    municipal = [Achievement(date(2020, 1, 1), AwardClass.MUNICIPAL)]
    decision = exceptional_talent(worked(15), municipal, 6, PANEL, NOW)
    assert [r.code for r in decision.reasons] == ["achievement_missing"]
    assert "省部级" in decision.reasons[0].message("zh_CN")
    solved = [Achievement(date(2020, 1, 1), major_technical_problem=True, description="攻克青铜器除锈难题")]
    assert exceptional_talent(worked(15), solved, 6, PANEL, NOW).eligible
    strict = [ExceptionalRoute("strict", 6, 15, AwardClass.PROVINCIAL, accepts_major_problem=False)]
    refused = exceptional_talent(worked(15), solved, 6, PANEL, NOW, routes=strict)
    assert [r.code for r in refused.reasons] == ["award_missing"]


def test_an_award_after_the_evaluation_date_does_not_count() -> None:
    later = [Achievement(NOW + timedelta(days=1), AwardClass.NATIONAL)]
    assert not exceptional_talent(worked(20), later, 6, PANEL, NOW).eligible


def test_panel_must_be_odd_at_least_three_and_approve_by_majority() -> None:
    assert panel_problems(Panel(3, 2)) == []
    assert [p.code for p in panel_problems(Panel(2, 2))] == ["panel_too_small", "panel_even"]
    assert [p.code for p in panel_problems(Panel(5, 2))] == ["panel_no_majority"]
    assert [p.code for p in panel_problems(Panel(5, 3), PanelPolicy(min_members=7))] == ["panel_too_small"]
    award = [Achievement(date(2023, 5, 1), AwardClass.MUNICIPAL)]
    decision = exceptional_talent(worked(12), award, 5, Panel(4, 4), NOW)
    assert not decision.eligible and decision.route_id == "municipal_award_12_years"
    assert "panel_even" in {r.code for r in decision.reasons}


def test_no_route_for_the_level() -> None:
    decision = exceptional_talent(worked(30), [], 3, PANEL, NOW)
    assert [r.code for r in decision.reasons] == ["no_route"]
    assert "四级/中级工" in decision.reasons[0].message("zh_CN")
