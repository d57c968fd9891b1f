"""Panel draws: staffing sizes, grades, cards, rotation, recusal, replay, and named shortfalls."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from dataclasses import replace
from datetime import date

import pytest

from certify.recusal.draw import (
    CandidateGroup,
    DrawRequest,
    HistoryEntry,
    Panel,
    SessionInfo,
    StaffMember,
    draw_panels,
    validate_panel,
    validate_panels,
)
from certify.recusal.policy import RotationPolicy, SessionKind, StaffGrade, StaffingPolicy
from certify.recusal.rules import Relation, RelationKind, RelationSource, Role, decide

DAY = date(2026, 3, 10)
SITE = 1
SENIOR, ASSESSOR, INVIGILATOR = StaffGrade.SENIOR_ASSESSOR, StaffGrade.ASSESSOR, StaffGrade.INVIGILATOR


def staff(i: int, grade: StaffGrade = ASSESSOR, card: date | None = date(2030, 1, 1), history=()) -> StaffMember:
    return StaffMember(i, grade, card, tuple(history))


def session(kind: SessionKind = SessionKind.PRACTICAL, level: int = 3) -> SessionInfo:
    return SessionInfo(1, SITE, DAY, level, kind)


def request(pool, candidates=tuple(range(100, 110)), kind=SessionKind.PRACTICAL, level=3, seed=7, **kw):
    return DrawRequest(seed, session(kind, level), tuple(candidates), tuple(pool), **kw)


def codes(items) -> list[str]:
    return [i.code for i in items]


# --- sizes


@pytest.mark.parametrize(
    ("kind", "candidates", "size"),
    [
        (SessionKind.PRACTICAL, 1, 3),
        (SessionKind.PRACTICAL, 15, 3),
        (SessionKind.PRACTICAL, 16, 5),  # 16 / 5 → 4, rounded up to odd
        (SessionKind.PRACTICAL, 26, 7),
        (SessionKind.THEORY, 10, 2),  # ≥ 2 per room
        (SessionKind.THEORY, 31, 3),  # 1 per 15
        (SessionKind.REVIEW, 4, 3),
    ],
)
def test_panel_size_follows_the_staffing_rules(kind: SessionKind, candidates: int, size: int) -> None:
    assert StaffingPolicy().panel_size(kind, candidates) == size


def test_a_feasible_draw_fills_every_rule() -> None:
    pool = [staff(i, SENIOR if i % 2 else ASSESSOR) for i in range(1, 13)]
    groups = (CandidateGroup("A", tuple(range(100, 116))), CandidateGroup("B", tuple(range(200, 205))))
    req = request(pool, (), groups=groups)
    result = draw_panels(req)
    assert result.ok and result.failures == ()
    assert [(p.group, len(p.members)) for p in result.panels] == [("A", 5), ("B", 3)]
    assert not set(result.panels[0].members) & set(result.panels[1].members)
    assert all(p.leader in p.members for p in result.panels)
    assert validate_panels(req, result.panels) == ()
    assert "需考评员5名" in result.explanation[0].message("zh_CN")


def test_senior_levels_draw_only_senior_assessors_and_leaders_are_members() -> None:
    pool = [staff(i, SENIOR if i <= 4 else ASSESSOR) for i in range(1, 11)]
    result = draw_panels(request(pool, level=5))
    assert result.ok
    (panel,) = result.panels
    assert set(panel.members) <= {1, 2, 3, 4} and panel.leader in panel.members


def test_invigilators_staff_theory_rooms_without_cards() -> None:
    pool = [staff(i, INVIGILATOR, card=None) for i in range(1, 7)]
    groups = (CandidateGroup("101", tuple(range(100, 131))), CandidateGroup("102", tuple(range(200, 210))))
    result = draw_panels(request(pool, (), kind=SessionKind.THEORY, groups=groups))
    assert result.ok and [len(p.members) for p in result.panels] == [3, 2]


def test_recusal_through_may_act_uses_the_engine() -> None:
    relations = [Relation(1, RelationKind.TRAINED, 1, 100, None, date(2024, 1, 1), RelationSource.TRAINING_ROSTER)]

    def may_act(person: int, candidate: int):
        return decide(person, Role.ASSESSOR, DAY, candidate=candidate, relations=relations)

    pool = [staff(i) for i in range(1, 5)]
    req = request(pool, may_act=may_act)
    for seed in range(20):
        result = draw_panels(replace(req, seed=seed))
        assert result.ok and 1 not in result.panels[0].members
    failures = validate_panel(req, Panel("1", (1, 2, 3), 1, tuple(range(100, 110))))
    assert codes(failures) == ["member_conflict"]
    assert failures[0].message("zh_CN") == "#1须回避考生#100（曾培训该考生）。"


# --- replay


def test_same_seed_replays_the_same_draw_whatever_the_input_order() -> None:
    pool = [staff(i, history=[HistoryEntry(date(2025, 12, i), SITE, 9)]) for i in range(1, 20)]
    candidates = list(range(100, 130))
    req = request(pool, candidates, conflicts=frozenset({(3, 101), (4, 120)}), previous_groups=((1, 2, 3),))
    shuffled = list(pool)
    random.Random(1).shuffle(shuffled)
    again = replace(req, pool=tuple(shuffled), candidates=tuple(reversed(candidates)))
    first, second = draw_panels(req), draw_panels(again)
    assert first.ok and first.panels == second.panels and first.inputs_digest == second.inputs_digest
    assert draw_panels(req) == first


def test_the_draw_is_random_across_seeds() -> None:
    req = request([staff(i) for i in range(1, 11)])
    drawn = {m for seed in range(60) for m in draw_panels(replace(req, seed=seed)).panels[0].members}
    assert drawn == set(range(1, 11))
    assert draw_panels(req).inputs_digest != draw_panels(replace(req, conflicts=frozenset({(1, 100)}))).inputs_digest


# --- rotation


def worked(*sites: int) -> list[HistoryEntry]:
    """History with the most recent session first."""
    return [HistoryEntry(date(2026, 2, 28 - n), site) for n, site in enumerate(sites)]


def test_three_consecutive_sessions_at_the_site_rule_a_member_out() -> None:
    pool = [staff(1, history=worked(SITE, SITE, SITE)), staff(2, history=worked(SITE, SITE, 2, SITE))]
    pool += [staff(i) for i in range(3, 6)]
    for seed in range(20):
        result = draw_panels(request(pool, seed=seed))
        assert result.ok and 1 not in result.panels[0].members
    # sessions on or after this session's day are not "previous" sessions
    later = staff(6, history=[HistoryEntry(DAY, SITE), HistoryEntry(date(2026, 4, 1), SITE), *worked(SITE, SITE)])
    trio = [later, staff(7), staff(8)]
    assert validate_panel(request(trio), Panel("1", (6, 7, 8), 6, tuple(range(100, 110)))) == ()
    problems = validate_panel(request(pool), Panel("1", (1, 2, 3), 1, tuple(range(100, 110))))
    assert codes(problems) == ["member_consecutive"]
    assert problems[0].params["count"] == 3


def test_at_least_a_third_of_the_group_changes() -> None:
    pool = [staff(i) for i in range(1, 6)]
    req = request(pool, previous_groups=((1, 2, 3),))
    for seed in range(30):
        (panel,) = draw_panels(replace(req, seed=seed)).panels
        assert len(set(panel.members) & {1, 2, 3}) <= 2
    problems = validate_panel(req, Panel("1", (1, 2, 3), 1, tuple(range(100, 110))))
    assert codes(problems) == ["rotation_too_few_changed"]
    assert problems[0].params["max_retained"] == 2


def test_previous_groups_must_be_disjoint() -> None:
    with pytest.raises(ValueError, match="disjoint"):
        draw_panels(request([staff(1)], previous_groups=((1, 2), (2, 3))))


# --- infeasible worlds name the binding constraint and the shortfall


def test_needs_two_more_senior_assessors_without_conflicts() -> None:
    pool = [staff(i, SENIOR) for i in range(1, 5)] + [staff(i) for i in range(5, 9)]
    conflicts = frozenset({(1, 100), (2, 101), (3, 102)})
    result = draw_panels(request(pool, level=6, conflicts=conflicts))
    assert not result.ok and result.panels == ()
    (failure,) = result.failures
    assert failure.code == "conflict_short"
    assert failure.params | {"needed": 3, "available": 1, "short_by": 2} == failure.params
    assert failure.message("en") == (
        "Panel 1: needs 2 more senior assessors without conflicts of interest with its candidates "
        "(3 needed, 1 eligible; ruled out: 4 by grade, 0 by card, 0 by rotation, 3 by conflicts)."
    )
    assert failure.message("zh_CN") == (
        "考评组1：还需2名与本组考生无回避情形的高级考评员（需3名，符合条件的1名；"
        "已排除：等级不符4名，资格证无效0名，连续工作超限0名，须回避3名）。"
    )


@pytest.mark.parametrize(
    ("pool", "code", "short_by"),
    [
        ([staff(1, SENIOR), staff(2, SENIOR)], "pool_short", 1),
        ([staff(1, SENIOR), staff(2), staff(3)], "grade_short", 2),
        ([staff(1, SENIOR), staff(2, SENIOR, card=date(2026, 3, 9)), staff(3, SENIOR)], "card_short", 1),
        (
            [staff(i, SENIOR, history=worked(SITE, SITE, SITE)) for i in (1, 2)] + [staff(3, SENIOR)],
            "consecutive_short",
            2,
        ),
    ],
)
def test_each_binding_constraint_is_named(pool, code, short_by) -> None:
    result = draw_panels(request(pool, level=5))
    assert codes(result.failures) == [code]
    assert result.failures[0].params["short_by"] == short_by
    assert str(short_by) in result.failures[0].message("zh_CN")


def test_card_valid_on_the_session_day_counts() -> None:
    pool = [staff(i, card=DAY) for i in range(1, 4)]
    assert draw_panels(request(pool)).ok


def test_groups_competing_for_the_same_people() -> None:
    groups = (CandidateGroup("A", (100,)), CandidateGroup("B", (200,)))
    result = draw_panels(request([staff(i) for i in range(1, 6)], (), groups=groups))
    (failure,) = result.failures
    assert failure.code == "pool_shared_short"
    assert failure.params | {"groups": ["A", "B"], "needed": 6, "available": 5, "short_by": 1} == failure.params
    assert "考评组A、B共需6名" in failure.message("zh_CN")


def test_rotation_that_cannot_be_met_says_how_many_new_people_are_needed() -> None:
    result = draw_panels(request([staff(i) for i in range(1, 4)], previous_groups=((1, 2, 3),)))
    (failure,) = result.failures
    assert (failure.code, failure.params["short_by"]) == ("rotation_change_short", 1)
    assert "1/3" in failure.message("zh_CN")
    relaxed = RotationPolicy(applies_to=frozenset())
    assert draw_panels(request([staff(i) for i in range(1, 4)], previous_groups=((1, 2, 3),), rotation=relaxed)).ok


def test_every_group_short_is_reported() -> None:
    groups = (CandidateGroup("A", (100,)), CandidateGroup("B", (200,)))
    pool = [staff(1), staff(2)]
    result = draw_panels(request(pool, (), groups=groups, conflicts=frozenset({(1, 200)})))
    assert [(f.code, f.params["group"], f.params["short_by"]) for f in result.failures] == [
        ("pool_short", "A", 1),
        ("pool_short", "B", 2),
    ]


def test_no_candidates() -> None:
    assert codes(draw_panels(request([staff(1)], ())).failures) == ["no_candidates"]


# --- manual panels


def test_manual_panel_reports_every_problem() -> None:
    pool = [staff(1, SENIOR), staff(2, ASSESSOR), staff(3, SENIOR, card=date(2025, 1, 1)), staff(4, SENIOR)]
    req = request(pool, level=5, conflicts=frozenset({(4, 101)}))
    panel = Panel("1", (2, 3, 4, 4, 9), 8, tuple(range(100, 109)))
    problems = validate_panel(req, panel)
    assert codes(problems) == [
        "panel_candidates_mismatch",
        "panel_not_odd",
        "member_duplicate",
        "member_grade",
        "member_card",
        "member_conflict",
        "member_not_in_pool",
        "leader_not_member",
    ]
    for problem in problems:
        assert problem.message("en") and problem.message("zh_CN")
    assert problems[3].message("zh_CN") == "#2为考评员，考评组1须由高级考评员担任。"


def test_manual_staffing_checks_double_booking_and_missing_groups() -> None:
    groups = (CandidateGroup("A", (100,)), CandidateGroup("B", (200,)), CandidateGroup("C", (300,)))
    req = request([staff(i) for i in range(1, 6)], (), groups=groups)
    panels = (Panel("A", (1, 2, 3), 1, (100,)), Panel("B", (3, 4), 4, (200,)))
    assert codes(validate_panels(req, panels)) == [
        "panel_too_small",
        "panel_not_odd",
        "group_without_panel",
        "member_in_two_panels",
    ]
    assert codes(validate_panel(req, Panel("Z", (1,), 1, ()))) == ["panel_group_unknown"]


def test_result_serialises_for_the_record() -> None:
    ok = draw_panels(request([staff(i) for i in range(1, 6)]))
    record = json.loads(json.dumps(ok.as_dict()))
    assert record["seed"] == 7 and record["panels"][0]["members"] == list(ok.panels[0].members)
    assert record["explanation"][-1]["code"] == "drawn" and record["inputs_digest"] == ok.inputs_digest
    short = draw_panels(request([staff(1)]))
    assert json.loads(json.dumps(short.as_dict()))["failures"][0]["params"]["short_by"] == 2


def test_candidates_must_match_the_groups() -> None:
    groups = (CandidateGroup("A", (100,)),)
    with pytest.raises(ValueError, match="differ"):
        draw_panels(request([staff(1)], (100, 101), groups=groups))
    assert draw_panels(request([staff(i) for i in range(1, 4)], (100,), groups=groups)).ok


REPLAY = """
from datetime import date
from certify.recusal.draw import DrawRequest, SessionInfo, StaffMember, draw_panels
from certify.recusal.policy import SessionKind, StaffGrade
pool = tuple(StaffMember(i, StaffGrade.SENIOR_ASSESSOR, date(2030, 1, 1)) for i in range(1, 30))
req = DrawRequest(2024, SessionInfo(1, 1, date(2026, 3, 10), 5, SessionKind.PRACTICAL), tuple(range(100, 140)), pool,
                  previous_groups=((1, 2, 3, 4, 5, 6, 7),), conflicts=frozenset({(8, 100)}))
result = draw_panels(req)
print(result.inputs_digest, result.panels)
"""


@pytest.mark.slow
def test_a_later_process_replays_the_same_draw() -> None:
    """The audit replays a draw in another process, where str hashing (set order) differs."""
    outputs = set()
    for hash_seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        run = subprocess.run([sys.executable, "-c", REPLAY], env=env, capture_output=True, text=True, check=True)
        outputs.add(run.stdout)
    assert len(outputs) == 1 and "Panel(" in outputs.pop()


def test_staffing_and_rotation_numbers_are_configurable() -> None:
    pool = [staff(i) for i in range(1, 8)]
    result = draw_panels(request(pool, range(100, 113), staffing=StaffingPolicy(candidates_per_assessor=4)))
    assert result.ok and len(result.panels[0].members) == 5  # 13 / 4 → 4, odd → 5
    tired = [staff(i, INVIGILATOR, card=None, history=worked(SITE)) for i in (1, 2)]
    theory = {"kind": SessionKind.THEORY}
    assert draw_panels(request(tired, **theory)).ok
    strict = RotationPolicy(max_consecutive_at_site=1, applies_to=frozenset(SessionKind))
    assert codes(draw_panels(request(tired, rotation=strict, **theory)).failures) == ["consecutive_short"]
    carded = StaffingPolicy(invigilators_need_card=True)
    assert codes(draw_panels(request(tired, staffing=carded, **theory)).failures) == ["card_short"]
