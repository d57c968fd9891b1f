"""Every shipped rule set, level and option: satisfied exactly at its boundary, failing one day short."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from certify.ladder.eligibility import evaluate, load_bundled_rulesets
from certify.ladder.eligibility_checks import (
    Age,
    Apprenticeship,
    Check,
    Education,
    PriorLevelYears,
    TitleYears,
    WorkYears,
)
from certify.ladder.eligibility_durations import add_years
from certify.ladder.eligibility_rulesets import Option, RuleSet
from certify.ladder.profile import (
    EducationEntry,
    PriorCertificate,
    Profile,
    Relevance,
    SchoolType,
    Title,
    TitleGrade,
    WorkEntry,
)

NOW = date(2025, 6, 30)
DAY = timedelta(days=1)
RULESETS = load_bundled_rulesets()


def boundary_profile(option: Option, now: date) -> Profile:
    """A profile meeting every check of `option` exactly on `now` and no earlier (where a date matters)."""
    work_start = now
    certificates, titles, education = [], [], []
    birth, apprenticeship = date(1980, 1, 1), None
    for check in option.checks:
        if isinstance(check, WorkYears):
            work_start = min(work_start, add_years(now, -check.years) + DAY)
        elif isinstance(check, PriorLevelYears):
            issued = add_years(now, -check.years) + DAY if check.years else now - timedelta(days=400)
            certificates.append(PriorCertificate(check.level, issued))
            work_start = min(work_start, issued)
        elif isinstance(check, TitleYears):
            obtained = add_years(now, -check.years) + DAY
            titles.append(Title(TitleGrade(check.grade), obtained))
            work_start = min(work_start, obtained)
        elif isinstance(check, Education):
            graduated = now - timedelta(days=700)
            education.append(EducationEntry(SchoolType(check.school_types[0]), "专业", Relevance.SAME, graduated))
        elif isinstance(check, Age):
            birth = add_years(now, -check.min_age)
        elif isinstance(check, Apprenticeship):
            apprenticeship = now
    return Profile(
        birth_date=birth,
        work_history=(WorkEntry("某单位", work_start),),
        education=tuple(education),
        certificates=tuple(certificates),
        titles=tuple(titles),
        apprenticeship_completed_on=apprenticeship,
    )


def _cases() -> list[tuple[str, int, str]]:
    return [
        (ruleset.id, level, option.id)
        for ruleset in RULESETS.values()
        for level, options in ruleset.levels.items()
        for option in options
    ]


def _option(ruleset: RuleSet, level: int, option_id: str) -> Option:
    return next(o for o in ruleset.options_for(level) if o.id == option_id)


def _dated(check: Check) -> bool:
    return not isinstance(check, Education) and not (isinstance(check, PriorLevelYears) and check.years == 0)


@pytest.mark.parametrize(("ruleset_id", "level", "option_id"), _cases())
def test_option_is_met_on_its_boundary_and_not_a_day_before(ruleset_id: str, level: int, option_id: str) -> None:
    ruleset = RULESETS[ruleset_id]
    option = _option(ruleset, level, option_id)
    profile = boundary_profile(option, NOW)

    verdict = evaluate(profile, ruleset, level, NOW)
    result = next(r for r in verdict.options if r.option.id == option_id)
    assert result.passed, [c.message("en") for c in result.failing]
    assert verdict.eligible and verdict.satisfied_option is not None

    dated = [c for c in option.checks if _dated(c)]
    if dated:
        early = next(r for r in evaluate(profile, ruleset, level, NOW - DAY).options if r.option.id == option_id)
        assert not early.passed
        assert {c.kind for c in early.failing} <= {c.kind for c in dated}


def _year_cases() -> list[tuple[str, int, str]]:
    return [
        case
        for case in _cases()
        if any(getattr(c, "years", 0) > 0 for c in _option(RULESETS[case[0]], case[1], case[2]).checks)
    ]


@pytest.mark.parametrize(("ruleset_id", "level", "option_id"), _year_cases())
def test_option_fails_one_year_short_with_that_shortfall(ruleset_id: str, level: int, option_id: str) -> None:
    ruleset = RULESETS[ruleset_id]
    option = _option(ruleset, level, option_id)
    profile = boundary_profile(option, NOW)
    # Starting work one year later leaves every year requirement exactly one year short.
    late = replace(profile, work_history=tuple(replace(w, start=add_years(w.start, 1)) for w in profile.work_history))
    result = next(r for r in evaluate(late, ruleset, level, NOW).options if r.option.id == option_id)
    assert not result.passed
    assert result.failing
    for failing in result.failing:
        assert failing.params["shortfall"] == {"years": 1, "months": 0, "days": 0}
        assert "1 year" in failing.message("en") and "1年" in failing.message("zh_CN")


def test_shipped_sets_cover_every_certified_level() -> None:
    for ruleset in RULESETS.values():
        assert sorted(ruleset.levels) == [2, 3, 4, 5, 6]
        for options in ruleset.levels.values():
            for option in options:
                assert option.label["zh_CN"] and option.label["en"]


def test_cultural_relics_restorer_adds_open_routes_to_the_newer_template() -> None:
    relics, newer = RULESETS["cultural_relics_restorer"], RULESETS["template_new"]
    assert relics.occupations == ("4-13-03-02",)
    for level, years in ((4, 15), (5, 20), (6, 25)):
        extra = [o for o in relics.options_for(level) if o not in newer.options_for(level)]
        assert [(o.id, o.checks) for o in extra] == [(f"open-{years}", (WorkYears(years),))]
    for level in (2, 3):
        assert relics.options_for(level) == newer.options_for(level)


def test_open_route_needs_no_certificate() -> None:
    ruleset = RULESETS["cultural_relics_restorer"]
    start = add_years(NOW, -20) + DAY
    profile = Profile(work_history=(WorkEntry("故宫博物院", start),))
    verdict = evaluate(profile, ruleset, 5, NOW)
    assert verdict.eligible and verdict.satisfied_option is not None
    assert verdict.satisfied_option.option.id == "open-20"
    assert not evaluate(profile, ruleset, 5, NOW - DAY).eligible
    assert not evaluate(profile, RULESETS["template_new"], 5, NOW).eligible
