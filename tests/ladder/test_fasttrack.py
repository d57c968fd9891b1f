"""Competition fast track: table rows, X+1, once per year, ceiling, seed policy, table validation."""

from __future__ import annotations

from datetime import date

import pytest

from certify.ladder.fasttrack import (
    DEFAULT_TABLE,
    Competition,
    CompetitionClass,
    CompetitionResult,
    FastTrackPolicy,
    MappingRow,
    ParticipantType,
    Promotion,
    award,
    load_mapping_table,
    table_to_json,
)

NOW = date(2025, 10, 1)
NATIONAL = Competition("c1", "全国文物行业职业技能大赛", CompetitionClass.NATIONAL_INDUSTRY, date(2025, 9, 20))
PROVINCIAL_1 = Competition("c2", "省文物修复技能竞赛", CompetitionClass.PROVINCIAL_CLASS_1, date(2025, 5, 1))
MUNICIPAL = Competition("c3", "市职工技能大赛", CompetitionClass.MUNICIPAL, date(2025, 4, 1))
E, S = ParticipantType.EMPLOYEE, ParticipantType.STUDENT


def result(competition: Competition, rank: int, participant: ParticipantType = E) -> CompetitionResult:
    return CompetitionResult("p1", competition, rank, participant)


@pytest.mark.parametrize(
    ("competition", "rank", "participant", "level"),
    [
        (NATIONAL, 1, E, 5),
        (NATIONAL, 5, E, 5),  # top 5 → 技师
        (NATIONAL, 6, E, 4),  # 6–15 → 高级工
        (NATIONAL, 15, E, 4),
        (NATIONAL, 5, S, 4),  # students one level lower
        (NATIONAL, 15, S, 3),
        (PROVINCIAL_1, 10, E, 5),  # provincial class I top 10 → 技师
        (PROVINCIAL_1, 10, S, 4),
    ],
)
def test_default_rows(competition: Competition, rank: int, participant: ParticipantType, level: int) -> None:
    decision = award(result(competition, rank, participant), current_level=None, prior_promotions=[], now=NOW)
    assert decision.granted and decision.awarded_ordinal == level
    assert decision.notes[0].code == "awarded"


@pytest.mark.parametrize(("competition", "rank"), [(NATIONAL, 16), (PROVINCIAL_1, 11), (MUNICIPAL, 1)])
def test_ranks_outside_the_table_earn_nothing(competition: Competition, rank: int) -> None:
    decision = award(result(competition, rank), None, [], NOW)
    assert not decision.granted
    assert [r.code for r in decision.refusals] == ["no_mapping_row"]
    assert f"第{rank}名" in decision.refusals[0].message("zh_CN")


def test_already_holding_the_awarded_level_moves_up_one() -> None:
    decision = award(result(NATIONAL, 3), current_level=5, prior_promotions=[], now=NOW)
    assert decision.awarded_ordinal == 6
    assert [n.code for n in decision.notes] == ["awarded", "moved_up_one"]
    assert decision.notes[1].message("zh_CN") == "已取得二级/技师，按规定晋升一级认定为一级/高级技师。"


def test_holding_a_higher_level_earns_nothing() -> None:
    decision = award(result(NATIONAL, 10), current_level=5, prior_promotions=[], now=NOW)
    assert [r.code for r in decision.refusals] == ["already_holds_higher"]


def test_never_above_senior_technician() -> None:
    table = (MappingRow(CompetitionClass.NATIONAL, 1, 3, E, 6),)
    top = Competition("c4", "全国技能大赛", CompetitionClass.NATIONAL, date(2025, 8, 1))
    decision = award(result(top, 1), current_level=6, prior_promotions=[], now=NOW, table=table)
    assert not decision.granted
    assert [r.code for r in decision.refusals] == ["above_ceiling"]


def test_at_most_one_competition_promotion_per_person_per_year() -> None:
    earlier = [Promotion(date(2025, 3, 1), 4)]
    decision = award(result(NATIONAL, 1), current_level=4, prior_promotions=earlier, now=NOW)
    assert [r.code for r in decision.refusals] == ["already_promoted_this_year"]
    assert "2025-03-01" in decision.refusals[0].message("en")
    last_year = [Promotion(date(2024, 12, 31), 4)]
    assert award(result(NATIONAL, 1), 4, last_year, NOW).awarded_ordinal == 5
    two_allowed = FastTrackPolicy(max_per_year=2)
    assert award(result(NATIONAL, 1), 4, earlier, NOW, policy=two_allowed).granted


def test_every_refusal_at_once() -> None:
    future = Competition("c5", "全国赛", CompetitionClass.NATIONAL, date(2026, 1, 1))
    decision = award(result(future, 40), None, [Promotion(date(2025, 1, 5), 3)], NOW)
    assert {r.code for r in decision.refusals} == {
        "competition_not_held",
        "already_promoted_this_year",
        "no_mapping_row",
    }


def test_seed_policy_municipal_winners_cannot_reach_senior_worker() -> None:
    table = (MappingRow(CompetitionClass.MUNICIPAL, 1, 3, E, 3),)
    assert award(result(MUNICIPAL, 1), None, [], NOW, table=table).awarded_ordinal == 3
    # X+1 would lift a municipal winner to 高级工: refused by the seed policy.
    decision = award(result(MUNICIPAL, 1), 3, [], NOW, table=table)
    assert [r.code for r in decision.refusals] == ["class_too_low_for_level"]
    assert "省级二类竞赛" in decision.refusals[0].message("zh_CN")


def test_default_table_round_trips_and_validates() -> None:
    rows, problems = load_mapping_table(table_to_json(DEFAULT_TABLE))
    assert problems == [] and rows == DEFAULT_TABLE


def test_table_problems_are_all_reported() -> None:
    data = {
        "rows": [
            {
                "competition_class": "national",
                "rank_from": 1,
                "rank_to": 5,
                "participant_type": "employee",
                "awarded_level": 5,
            },
            {
                "competition_class": "national",
                "rank_from": 5,
                "rank_to": 9,
                "participant_type": "employee",
                "awarded_level": 4,
            },
            {
                "competition_class": "galactic",
                "rank_from": 3,
                "rank_to": 1,
                "participant_type": "robot",
                "awarded_level": 7,
            },
            {
                "competition_class": "municipal",
                "rank_from": 1,
                "rank_to": 3,
                "participant_type": "student",
                "awarded_level": 4,
            },
            {
                "competition_class": "municipal",
                "rank_from": 1,
                "rank_to": 3,
                "participant_type": "employee",
                "awarded_level": 3,
                "x": 1,
            },
        ]
    }
    rows, problems = load_mapping_table(data)
    assert rows is None
    assert {(p.path, p.code) for p in problems} == {
        ("rows[1]", "overlapping_rows"),
        ("rows[2].competition_class", "not_in_choices"),
        ("rows[2].participant_type", "not_in_choices"),
        ("rows[2].rank_from", "bad_rank_range"),
        ("rows[2].awarded_level", "bad_awarded_level"),
        ("rows[3].awarded_level", "class_too_low_for_level"),
        ("rows[4].x", "unknown_field"),
    }
    assert all(p.message("en") and p.message("zh_CN") for p in problems)
