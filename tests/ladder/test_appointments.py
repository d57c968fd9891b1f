"""Appointments: only employer-type (Y) bodies, only ordinals 1, 7, 8, prerequisites as data."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from certify.ladder.appointments import APPOINTED_ORDINALS, load_prerequisites, may_appoint
from certify.ladder.eligibility_durations import add_years
from certify.ladder.profile import PriorCertificate, Profile, WorkEntry

NOW = date(2025, 6, 30)


def senior_technician(years_since: int) -> Profile:
    issued = add_years(NOW, -years_since) + timedelta(days=1)
    return Profile(
        birth_date=date(1975, 1, 1),
        work_history=(WorkEntry("某集团", date(2000, 1, 1)),),
        certificates=(PriorCertificate(6, issued),),
    )


def test_appointed_levels_are_apprentice_special_grade_and_chief() -> None:
    assert APPOINTED_ORDINALS == (1, 7, 8)


@pytest.mark.parametrize("level", [1, 7, 8])
def test_third_party_body_cannot_appoint(level: int) -> None:
    decision = may_appoint("S", level, senior_technician(10), NOW)
    assert not decision.allowed
    assert [r.code for r in decision.reasons] == ["body_not_employer"]
    assert "用人单位（Y类）" in decision.reasons[0].message("zh_CN")


def test_employer_body_appoints_special_grade_exactly_at_the_prerequisite() -> None:
    decision = may_appoint("Y", 7, senior_technician(5), NOW)
    assert decision.allowed and [r.code for r in decision.reasons] == ["appointment_allowed"]
    short = may_appoint("Y", 7, senior_technician(5), NOW - timedelta(days=1))
    assert not short.allowed
    assert [c.code for c in short.failing] == ["prior_level_years_short"]


def test_every_reason_at_once() -> None:
    decision = may_appoint("S", 5, Profile(), NOW)
    assert [r.code for r in decision.failing] == ["body_not_employer", "level_not_appointed"]
    unknown = may_appoint("Z", 8, Profile(), NOW)
    assert [r.code for r in unknown.failing] == ["unknown_body_type", "prior_level_missing"]


def test_apprentice_needs_age_16() -> None:
    young = Profile(birth_date=add_years(NOW, -16) + timedelta(days=1))
    assert [c.code for c in may_appoint("Y", 1, young, NOW).failing] == ["age_too_young"]
    assert may_appoint("y", 1, young, NOW + timedelta(days=1)).allowed


def test_prerequisites_are_configurable_and_validated() -> None:
    custom, problems = load_prerequisites({"8": [{"kind": "prior_level_years", "level": 6, "years": 2}]})
    assert problems == [] and custom is not None
    assert may_appoint("Y", 8, senior_technician(2), NOW, prerequisites=custom).allowed
    assert not may_appoint("Y", 8, senior_technician(2), NOW).allowed  # default: 8 years
    broken, problems = load_prerequisites({"5": [], "7": [{"kind": "nope"}], "8": "x"})
    assert broken is None
    assert {(p.path, p.code) for p in problems} == {
        ("5", "level_not_appointed"),
        ("7[0].kind", "unknown_check_kind"),
        ("8", "not_a_list"),
    }
    assert all(p.message("en") and p.message("zh_CN") for p in problems)
