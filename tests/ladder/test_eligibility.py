"""The eligibility verdict: messages people read, overlaps, relaxations, bans and the CLI JSON shape."""

from __future__ import annotations

import json
from datetime import date, timedelta

from certify.ladder.eligibility import (
    Ban,
    SanctionTier,
    bundled_relaxations,
    evaluate,
    load_bundled_rulesets,
    load_relaxations,
    ruleset_for_occupation,
)
from certify.ladder.eligibility_durations import add_years
from certify.ladder.profile import (
    FirstSecretaryService,
    PriorCertificate,
    Profile,
    WorkEntry,
)

RULESETS = load_bundled_rulesets()
T2018, TNEW = RULESETS["template_2018"], RULESETS["template_new"]
NOW = date(2024, 5, 31)


def test_shortfall_message_matches_what_the_candidate_sees() -> None:
    # Holds 五级 since 2021-11-01 and has worked since; 2018 template 中级工 needs 4 years after it.
    profile = Profile(
        work_history=(WorkEntry("某厂", date(2019, 1, 1)),),
        certificates=(PriorCertificate(2, date(2021, 11, 1)),),
    )
    verdict = evaluate(profile, T2018, 3, NOW)
    l41 = next(o for o in verdict.options if o.option.id == "L4-1")
    (check,) = l41.checks
    assert check.code == "prior_level_years_short"
    assert check.message("en") == (
        "Needs 4 years of work after obtaining the Grade 5 / Junior worker certificate; "
        "you have 2 years 7 months, short by 1 year 5 months."
    )
    assert check.message("zh_CN") == (
        "需取得五级/初级工证书后累计从事本职业或相关职业工作满4年；您已有2年7个月，还差1年5个月。"
    )
    # 6 years of work (L4-2) is not met either; from 2019-01-01 that is 5 years 5 months.
    l42 = next(o for o in verdict.options if o.option.id == "L4-2")
    assert l42.checks[0].params["has"] == {"years": 5, "months": 5, "days": 0}
    assert not verdict.eligible


def test_overlapping_history_is_not_counted_twice() -> None:
    start = add_years(NOW, -6) + timedelta(days=1)
    overlapping = Profile(
        work_history=(
            WorkEntry("甲公司", start, date(2021, 12, 31)),
            WorkEntry("乙公司（兼职）", date(2019, 3, 1), date(2020, 3, 1)),
            WorkEntry("丙公司", date(2021, 6, 1)),
        )
    )
    assert evaluate(overlapping, T2018, 3, NOW).satisfied_option.option.id == "L4-2"  # exactly 6 years
    # The same jobs one day shorter at the start: the overlap does not make up the day.
    later = Profile(work_history=tuple(WorkEntry(w.employer, w.start, w.end) for w in overlapping.work_history[1:]))
    gap_start = start + timedelta(days=1)
    shorter = Profile(work_history=(WorkEntry("甲公司", gap_start, date(2021, 12, 31)), *later.work_history))
    assert not evaluate(shorter, T2018, 3, NOW).eligible


def test_irrelevant_work_does_not_count() -> None:
    start = add_years(NOW, -6) + timedelta(days=1)
    profile = Profile(work_history=(WorkEntry("外卖平台", start, relevant=False),))
    assert not evaluate(profile, T2018, 3, NOW).eligible


def test_first_passing_option_is_the_satisfied_one_and_all_options_are_shown() -> None:
    profile = Profile(
        work_history=(WorkEntry("某厂", date(2010, 1, 1)),),
        certificates=(PriorCertificate(2, date(2012, 1, 1)),),
    )
    verdict = evaluate(profile, T2018, 3, NOW)
    assert verdict.eligible
    assert verdict.satisfied_option.option.id == "L4-1"
    assert [o.option.id for o in verdict.options] == ["L4-1", "L4-2", "L4-3"]
    assert [o.passed for o in verdict.options] == [True, True, False]


def test_grassroots_relaxation_takes_a_year_off_and_shows_in_the_verdict() -> None:
    # 5 years at grassroots is below the 10 years the shipped rule asks for: no relaxation.
    five_years = Profile(work_history=(WorkEntry("乡镇站", add_years(NOW, -5) + timedelta(days=1), grassroots=True),))
    verdict = evaluate(five_years, T2018, 3, NOW, relaxations=bundled_relaxations())
    assert not verdict.eligible and verdict.relaxations_applied == ()

    # 10 years at grassroots qualifies: the 2018 L3-1 "5 years after 四级" becomes 4 years.
    profile = Profile(
        work_history=(WorkEntry("乡镇站", add_years(NOW, -10) + timedelta(days=1), grassroots=True),),
        certificates=(PriorCertificate(3, add_years(NOW, -4) + timedelta(days=1)),),
    )
    assert not evaluate(profile, T2018, 4, NOW).eligible
    verdict = evaluate(profile, T2018, 4, NOW, relaxations=bundled_relaxations())
    assert verdict.eligible and verdict.satisfied_option.option.id == "L3-1"
    (notice,) = verdict.relaxations_applied
    assert notice.code == "relaxation_grassroots_service"
    assert notice.message("zh_CN") == "在基层或艰苦边远地区服务10年（满10年）：工作年限要求放宽1年。"
    check = verdict.satisfied_option.checks[0]
    assert check.params["needed"] == {"years": 4, "months": 0, "days": 0}
    assert check.params["relief"] == {"years": 1, "months": 0, "days": 0}


def test_first_secretary_may_apply_one_year_early_only_with_excellent_reviews() -> None:
    work = (WorkEntry("某村", add_years(NOW, -5) + timedelta(days=1)),)
    cert = (PriorCertificate(4, add_years(NOW, -3) + timedelta(days=1)),)
    two_years = add_years(NOW, -2) + timedelta(days=1)
    excellent = Profile(
        work_history=work, certificates=cert, first_secretary=FirstSecretaryService(two_years, None, True)
    )
    ordinary = Profile(
        work_history=work, certificates=cert, first_secretary=FirstSecretaryService(two_years, None, False)
    )
    verdict = evaluate(excellent, T2018, 5, NOW, relaxations=bundled_relaxations())
    assert verdict.eligible  # 4 years after 三级 needed; 3 years + one year early
    assert [r.code for r in verdict.relaxations_applied] == ["relaxation_first_secretary"]
    assert "提前1年" in verdict.relaxations_applied[0].message("zh_CN")
    assert not evaluate(ordinary, T2018, 5, NOW, relaxations=bundled_relaxations()).eligible
    # One day short of the 2 years of service: no relaxation.
    short = Profile(
        work_history=work,
        certificates=cert,
        first_secretary=FirstSecretaryService(two_years + timedelta(days=1), None, True),
    )
    assert not evaluate(short, T2018, 5, NOW, relaxations=bundled_relaxations()).eligible


def test_relaxation_never_shown_where_the_level_has_no_year_requirement() -> None:
    profile = Profile(
        birth_date=date(1990, 1, 1),
        work_history=(WorkEntry("乡镇站", date(2000, 1, 1), grassroots=True),),
    )
    verdict = evaluate(profile, TNEW, 2, NOW, relaxations=bundled_relaxations())
    assert verdict.eligible and verdict.relaxations_applied == ()


def test_a_ban_blocks_until_its_end_date_inclusive() -> None:
    profile = Profile(birth_date=date(1990, 1, 1))
    ban = Ban(date(2024, 12, 31), "伪造申报材料", SanctionTier.MULTI_YEAR_BAN, starts_on=date(2022, 1, 1))
    verdict = evaluate(profile, TNEW, 2, date(2024, 12, 31), bans=[ban])
    assert not verdict.eligible
    assert verdict.satisfied_option is not None  # the conditions are met; only the ban blocks
    assert verdict.ban.params["until"] == "2024-12-31"
    assert verdict.ban.message("zh_CN") == (
        "已被列入禁止报考名单（多年内不得报考：伪造申报材料），期限至2024-12-31；自2025-01-01起方可再次申报。"
    )
    assert evaluate(profile, TNEW, 2, date(2025, 1, 1), bans=[ban]).eligible
    assert evaluate(profile, TNEW, 2, date(2021, 12, 31), bans=[ban]).eligible


def test_of_several_bans_the_one_ending_last_is_shown() -> None:
    bans = [
        Ban(date(2024, 12, 31), "考试作弊", SanctionTier.VOID_SITTING_YEAR_BAR),
        Ban(date(2026, 6, 30), "伪造申报材料", SanctionTier.MULTI_YEAR_BAN),
    ]
    verdict = evaluate(Profile(birth_date=date(1990, 1, 1)), TNEW, 2, NOW, bans=bans)
    assert verdict.ban.params["until"] == "2026-06-30"


def test_level_not_covered_is_a_problem_not_a_crash() -> None:
    verdict = evaluate(Profile(), TNEW, 7, NOW)
    assert not verdict.eligible
    assert [p.code for p in verdict.problems] == ["level_not_covered"]
    assert "特级技师" in verdict.problems[0].message("zh_CN")


def test_verdict_json_has_the_cli_shape() -> None:
    profile = Profile(work_history=(WorkEntry("某厂", date(2021, 11, 1)),))
    data = evaluate(profile, T2018, 3, NOW).to_json("zh_CN")
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data  # JSON-serialisable as is
    assert data["eligible"] is False
    assert data["satisfied_option"] is None
    assert data["level"] == {"ordinal": 3, "label": "四级/中级工"}
    assert {c["option"] for c in data["failing_checks"]} == {"L4-1", "L4-2", "L4-3"}
    l42 = next(c for c in data["failing_checks"] if c["option"] == "L4-2")
    assert l42["params"]["shortfall"] == {"years": 3, "months": 5, "days": 0}
    assert l42["message"].endswith("还差3年5个月。")
    eligible = evaluate(Profile(birth_date=date(2000, 1, 1)), TNEW, 2, NOW).to_json("en")
    assert eligible["eligible"] is True and eligible["satisfied_option"]["id"] == "L5-1"
    assert eligible["failing_checks"] == [] and eligible["ban"] is None


def test_ruleset_for_occupation() -> None:
    assert ruleset_for_occupation("4-13-03-02", RULESETS).id == "cultural_relics_restorer"
    assert ruleset_for_occupation("4-13-01-01", RULESETS).id == "template_new"


def test_relaxation_data_is_validated() -> None:
    data = {
        "relaxations": [
            {"id": "a", "kind": "grassroots_service", "min_service_years": -1, "reduce_years": 1},
            {
                "id": "a",
                "kind": "moonlight",
                "min_service_years": 2,
                "reduce_years": "one",
                "applies_to": ["age"],
            },
            "x",
        ]
    }
    relaxations, problems = load_relaxations(data)
    assert relaxations is None
    assert {(p.path, p.code) for p in problems} == {
        ("relaxations[0].min_service_years", "not_a_count"),
        ("relaxations[1].kind", "not_in_choices"),
        ("relaxations[1].reduce_years", "not_a_count"),
        ("relaxations[1].applies_to", "not_in_choices"),
        ("relaxations[1].id", "duplicate_id"),
        ("relaxations[2]", "not_an_object"),
    }
    assert all(p.message("zh_CN") and p.message("en") for p in problems)
