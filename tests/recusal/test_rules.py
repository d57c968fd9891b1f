"""The recusal engine: every relation type, window edges (day before / of / after), roles and employers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from certify.recusal.policy import Check, RecusalPolicy, add_years
from certify.recusal.rules import (
    Employment,
    Relation,
    RelationKind,
    RelationSource,
    Role,
    TrainingDuty,
    blocks_until,
    decide,
    relation_blocks,
)

ACTOR, CANDIDATE = 10, 20
DAY = timedelta(days=1)
CANDIDATE_ROLES = [Role.INVIGILATOR, Role.ASSESSOR, Role.MARKER, Role.REVIEW_PANEL, Role.APPLICATION_REVIEWER]


def rel(kind: RelationKind, a=ACTOR, b=CANDIDATE, start=date(2020, 3, 1), end=date(2020, 6, 30), **evidence):
    return Relation(1, kind, a, b, start, end, RelationSource.DECLARATION, evidence)


def codes(verdict) -> list[str]:
    return [r.code for r in verdict.reasons]


# --- trainer–trainee: blocks through end + 5 years inclusive


@pytest.mark.parametrize(
    ("at", "blocked"),
    [
        (date(2025, 6, 29), True),  # day before the last blocked day
        (date(2025, 6, 30), True),  # day of: E + 5 years is still blocked
        (date(2025, 7, 1), False),  # day after
    ],
)
def test_trainer_window_edge(at: date, blocked: bool) -> None:
    relation = rel(RelationKind.TRAINED, course="陶瓷修复培训班")
    verdict = decide(ACTOR, Role.ASSESSOR, at, candidate=CANDIDATE, relations=[relation])
    assert verdict.allowed is not blocked
    assert codes(verdict) == (["trained_candidate"] if blocked else [])
    assert blocks_until(relation) == date(2025, 6, 30)


def test_trainer_reason_carries_evidence_and_messages() -> None:
    relation = rel(RelationKind.TRAINED, course="陶瓷修复培训班")
    (reason,) = decide(ACTOR, Role.MARKER, date(2024, 1, 1), candidate=CANDIDATE, relations=[relation]).reasons
    assert reason.evidence["relation_ids"] == [1]
    assert reason.evidence["starts_on"] == "2020-03-01" and reason.evidence["ends_on"] == "2020-06-30"
    assert reason.params["blocks_until"] == "2025-06-30"
    assert "陶瓷修复培训班" in reason.message("zh_CN") and "2025-06-30" in reason.message("zh_CN")
    assert "培训花名册" not in reason.message("zh_CN") and "本人申报" in reason.message("zh_CN")
    assert "through 2025-06-30" in reason.message("en")


@pytest.mark.parametrize(
    ("at", "blocked"), [(date(2020, 2, 29), False), (date(2020, 3, 1), True), (date(2020, 3, 2), True)]
)
def test_relation_starts_blocking_on_its_start_day(at: date, blocked: bool) -> None:
    assert relation_blocks(rel(RelationKind.TRAINED), at) is blocked


def test_trainer_window_is_configurable() -> None:
    policy = RecusalPolicy(trainer_window_years=3)
    relation = rel(RelationKind.TRAINED)
    assert relation_blocks(relation, date(2023, 6, 30), policy)
    assert not relation_blocks(relation, date(2023, 7, 1), policy)


def test_ongoing_training_blocks_and_says_so() -> None:
    relation = rel(RelationKind.TRAINED, end=None)
    (reason,) = decide(ACTOR, Role.ASSESSOR, date(2040, 1, 1), candidate=CANDIDATE, relations=[relation]).reasons
    assert reason.params["window"] == "ongoing"
    assert "仍存续" in reason.message("zh_CN")


def test_leap_day_end_blocks_through_28_february() -> None:
    relation = rel(RelationKind.TRAINED, start=None, end=date(2024, 2, 29))
    assert blocks_until(relation) == date(2029, 2, 28)
    assert relation_blocks(relation, date(2029, 2, 28)) and not relation_blocks(relation, date(2029, 3, 1))
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)


def test_trainee_examining_former_trainer_is_also_blocked() -> None:
    relation = rel(RelationKind.TRAINED, a=CANDIDATE, b=ACTOR)
    verdict = decide(ACTOR, Role.ASSESSOR, date(2021, 1, 1), candidate=CANDIDATE, relations=[relation])
    assert codes(verdict) == ["trained_by_candidate"]


# --- relative, master–apprentice, teacher–student, other: forever by default


@pytest.mark.parametrize(
    ("kind", "forward", "backward"),
    [
        (RelationKind.RELATIVE, "relative_of_candidate", "relative_of_candidate"),
        (RelationKind.MASTER_APPRENTICE, "master_of_candidate", "apprentice_of_candidate"),
        (RelationKind.TEACHER_STUDENT, "teacher_of_candidate", "student_of_candidate"),
        (RelationKind.OTHER, "declared_conflict", "declared_conflict"),
    ],
)
@pytest.mark.parametrize("role", [*CANDIDATE_ROLES, Role.INSPECTOR])
def test_personal_relations_block_forever_in_both_directions(kind, forward, backward, role) -> None:
    long_after = date(2090, 1, 1)
    there = decide(ACTOR, role, long_after, candidate=CANDIDATE, relations=[rel(kind)])
    back = decide(ACTOR, role, long_after, candidate=CANDIDATE, relations=[rel(kind, a=CANDIDATE, b=ACTOR)])
    assert (there.allowed, codes(there)) == (False, [forward])
    assert (back.allowed, codes(back)) == (False, [backward])
    assert there.reasons[0].params["window"] == "forever"


@pytest.mark.parametrize(
    ("kind", "field"),
    [
        (RelationKind.RELATIVE, "relative_window_years"),
        (RelationKind.MASTER_APPRENTICE, "master_apprentice_window_years"),
        (RelationKind.TEACHER_STUDENT, "teacher_student_window_years"),
        (RelationKind.OTHER, "other_window_years"),
    ],
)
@pytest.mark.parametrize(("offset", "blocked"), [(-1, True), (0, True), (1, False)])
def test_configured_windows_have_inclusive_edges(kind, field, offset, blocked) -> None:
    policy = RecusalPolicy(**{field: 2})
    relation = rel(kind)
    last = date(2022, 6, 30)
    assert blocks_until(relation, policy) == last
    verdict = decide(
        ACTOR, Role.ASSESSOR, last + offset * DAY, candidate=CANDIDATE, relations=[relation], policy=policy
    )
    assert verdict.allowed is not blocked


def test_relations_between_other_people_do_not_count() -> None:
    relation = rel(RelationKind.RELATIVE, a=ACTOR, b=99)
    assert decide(ACTOR, Role.ASSESSOR, date(2021, 1, 1), candidate=CANDIDATE, relations=[relation]).allowed


def test_every_reason_is_returned_at_once() -> None:
    relations = [
        Relation(1, RelationKind.RELATIVE, ACTOR, CANDIDATE, None, None, RelationSource.DECLARATION),
        Relation(2, RelationKind.TRAINED, ACTOR, CANDIDATE, None, None, RelationSource.TRAINING_ROSTER),
    ]
    jobs = [Employment(ACTOR, 5, None, None), Employment(CANDIDATE, 5, None, None)]
    verdict = decide(ACTOR, Role.ASSESSOR, date(2024, 1, 1), candidate=CANDIDATE, relations=relations, employments=jobs)
    assert codes(verdict) == ["relative_of_candidate", "trained_candidate", "shared_employer"]


def test_acting_on_self_is_never_allowed() -> None:
    verdict = decide(ACTOR, Role.MARKER, date(2024, 1, 1), candidate=ACTOR)
    assert codes(verdict) == ["acting_on_self"]
    assert "阅卷人员" in verdict.reasons[0].message("zh_CN")


# --- shared employer


@pytest.mark.parametrize(
    ("at", "blocked"), [(date(2023, 12, 31), True), (date(2024, 1, 1), True), (date(2024, 1, 2), False)]
)
def test_shared_employer_edges(at: date, blocked: bool) -> None:
    jobs = [
        Employment(ACTOR, 7, date(2015, 1, 1), date(2024, 1, 1), "省文物保护中心"),
        Employment(CANDIDATE, 7, date(2018, 5, 1), None, "省文物保护中心"),
    ]
    verdict = decide(ACTOR, Role.INVIGILATOR, at, candidate=CANDIDATE, employments=jobs)
    assert verdict.allowed is not blocked
    if blocked:
        (reason,) = verdict.reasons
        assert reason.code == "shared_employer" and reason.evidence["organisation"] == 7
        assert "省文物保护中心" in reason.message("zh_CN")


def test_shared_employer_is_one_reason_per_organisation() -> None:
    jobs = [Employment(ACTOR, 7, None, None), Employment(ACTOR, 7, date(2020, 1, 1), None)]
    jobs += [
        Employment(CANDIDATE, 7, None, None),
        Employment(CANDIDATE, 8, None, None),
        Employment(ACTOR, 8, None, None),
    ]
    verdict = decide(ACTOR, Role.ASSESSOR, date(2024, 1, 1), candidate=CANDIDATE, employments=jobs)
    assert [r.evidence["organisation"] for r in verdict.reasons] == [7, 8]


def test_shared_employer_needs_the_same_organisation_at_the_same_time() -> None:
    jobs = [
        Employment(ACTOR, 7, date(2010, 1, 1), date(2015, 12, 31)),
        Employment(CANDIDATE, 7, date(2016, 1, 1), None),
        Employment(CANDIDATE, 8, None, None),
    ]
    assert decide(ACTOR, Role.ASSESSOR, date(2017, 1, 1), candidate=CANDIDATE, employments=jobs).allowed


def test_shared_employer_can_be_switched_off_or_extended() -> None:
    jobs = [Employment(ACTOR, 7, None, date(2024, 1, 1)), Employment(CANDIDATE, 7, None, None)]
    at = date(2025, 6, 1)
    assert decide(ACTOR, Role.ASSESSOR, at, candidate=CANDIDATE, employments=jobs).allowed
    cooling = RecusalPolicy(shared_employer_window_years=2)
    assert not decide(ACTOR, Role.ASSESSOR, at, candidate=CANDIDATE, employments=jobs, policy=cooling).allowed
    off = RecusalPolicy(shared_employer_blocks=False)
    now = date(2023, 1, 1)
    assert decide(ACTOR, Role.ASSESSOR, now, candidate=CANDIDATE, employments=jobs, policy=off).allowed


# --- separation of training and examination: bank content


@pytest.mark.parametrize(
    ("at", "blocked"),
    [(date(2028, 8, 31), True), (date(2028, 8, 31) + DAY, False), (date(2023, 2, 28), False)],
)
def test_trainer_of_an_occupation_cannot_touch_its_bank(at: date, blocked: bool) -> None:
    duties = [TrainingDuty(ACTOR, "4-13-03-02", date(2023, 3, 1), date(2023, 8, 31))]
    verdict = decide(ACTOR, Role.BANK_ACCESS, at, occupation="4-13-03-02", training_duties=duties)
    assert verdict.allowed is not blocked
    if blocked:
        assert codes(verdict) == ["trains_occupation"]
        assert "考培分离" in verdict.reasons[0].message("zh_CN")


def test_trainer_of_another_occupation_may_read_this_bank() -> None:
    duties = [TrainingDuty(ACTOR, "4-13-01-01", None, None)]
    at = date(2024, 1, 1)
    assert decide(ACTOR, Role.BANK_ACCESS, at, occupation="4-13-03-02", training_duties=duties).allowed


def test_trainer_may_examine_candidates_they_did_not_train() -> None:
    duties = [TrainingDuty(ACTOR, "4-13-03-02", None, None)]
    verdict = decide(
        ACTOR,
        Role.ASSESSOR,
        date(2024, 1, 1),
        candidate=CANDIDATE,
        occupation="4-13-03-02",
        training_duties=duties,
    )
    assert verdict.allowed


# --- inspectors and per-role applicability


def test_inspector_never_inspects_own_employer() -> None:
    jobs = [Employment(ACTOR, 3, date(2020, 1, 1), None, "某评价机构")]
    verdict = decide(ACTOR, Role.INSPECTOR, date(2024, 1, 1), organisation=3, employments=jobs)
    assert codes(verdict) == ["employed_by_target"]
    assert decide(ACTOR, Role.INSPECTOR, date(2024, 1, 1), organisation=4, employments=jobs).allowed


def test_role_applicability_is_configurable() -> None:
    checks = dict(RecusalPolicy().role_checks)
    checks[Role.INVIGILATOR] = frozenset({Check.RELATIVE})
    policy = RecusalPolicy(role_checks=checks)
    trained = [rel(RelationKind.TRAINED, end=None)]
    at = date(2024, 1, 1)
    assert decide(ACTOR, Role.INVIGILATOR, at, candidate=CANDIDATE, relations=trained, policy=policy).allowed
    assert not decide(ACTOR, Role.ASSESSOR, at, candidate=CANDIDATE, relations=trained, policy=policy).allowed


def test_verdict_serialises_for_the_audit_log() -> None:
    verdict = decide(ACTOR, Role.ASSESSOR, date(2021, 1, 1), candidate=CANDIDATE, relations=[rel(RelationKind.TRAINED)])
    record = verdict.as_dict()
    assert record["allowed"] is False and record["reasons"][0]["code"] == "trained_candidate"
    assert record["reasons"][0]["evidence"]["relation_ids"] == [1]
