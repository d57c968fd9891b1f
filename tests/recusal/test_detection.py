"""Detection proposes conflicts with evidence; keys are stable so pinned decisions survive re-detection."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from certify.recusal.detection import (
    BankRole,
    Decision,
    DetectionKind,
    PersonFacts,
    TrainingRoster,
    detect,
    filter_pinned,
    surname_of,
)
from certify.recusal.rules import (
    Employment,
    Relation,
    RelationKind,
    RelationSource,
    Role,
    TrainingDuty,
    decide,
)

ASSESSOR, AUTHOR, TRAINER = 1, 2, 3
CAND_A, CAND_B = 101, 102
BODY, MUSEUM = 900, 901
PEOPLE = [
    PersonFacts(ASSESSOR, "王建国"),
    PersonFacts(AUTHOR, "欧阳明"),
    PersonFacts(TRAINER, "李华"),
    PersonFacts(CAND_A, "王小明"),
    PersonFacts(CAND_B, "欧阳华"),
]
ROSTER = TrainingRoster(
    7, "4-13-03-02", "陶瓷修复培训班", (TRAINER,), (CAND_A, CAND_B, ASSESSOR), date(2024, 3, 1), date(2024, 6, 30)
)
JOBS = [
    Employment(ASSESSOR, MUSEUM, date(2015, 1, 1), None, "省博物馆"),
    Employment(CAND_A, MUSEUM, date(2020, 1, 1), date(2022, 12, 31), "省博物馆"),
    Employment(TRAINER, BODY, date(2010, 1, 1), None, "省文物职业技能评价中心"),
]


def run(**kw):
    args = {
        "staff": {ASSESSOR, AUTHOR, TRAINER},
        "candidates": {CAND_A, CAND_B},
        "people": PEOPLE,
        "rosters": [ROSTER],
        "employments": JOBS,
        "bank_roles": [BankRole(AUTHOR, "4-13-03-02", "author")],
        "training_duties": [TrainingDuty(AUTHOR, "4-13-03-02", date(2023, 9, 1), None)],
        "body_candidates": {BODY: {CAND_A}},
    }
    return detect(**(args | kw))


def by_kind(proposals) -> dict[str, list[tuple[int, int | None]]]:
    found: dict[str, list[tuple[int, int | None]]] = {}
    for p in proposals:
        found.setdefault(p.kind.value, []).append((p.a, p.b))
    return found


def test_every_rule_proposes_with_evidence() -> None:
    proposals = run()
    assert by_kind(proposals) == {
        "author_trains_occupation": [(AUTHOR, None)],
        "institution_level": [(TRAINER, CAND_A)],
        "same_employer": [(ASSESSOR, CAND_A)],
        "same_surname_same_employer": [(ASSESSOR, CAND_A)],
        "same_training_class": [(ASSESSOR, CAND_A), (ASSESSOR, CAND_B)],
        "trainer_on_roster": [(TRAINER, CAND_A), (TRAINER, CAND_B)],
    }
    employer = next(p for p in proposals if p.kind is DetectionKind.SAME_EMPLOYER)
    assert employer.evidence["organisation"] == MUSEUM
    assert (employer.evidence["starts_on"], employer.evidence["ends_on"]) == ("2020-01-01", "2022-12-31")
    assert employer.message("zh_CN") == (
        "王建国与王小明曾同在省博物馆工作（2015-01-01 – …；2020-01-01 – 2022-12-31）。"
    )
    surname = next(p for p in proposals if p.kind is DetectionKind.SAME_SURNAME_SAME_EMPLOYER)
    assert surname.suggested_relation is RelationKind.RELATIVE and "可能存在亲属关系" in surname.message("zh_CN")
    author = next(p for p in proposals if p.kind is DetectionKind.AUTHOR_TRAINS_OCCUPATION)
    assert author.occupation == "4-13-03-02" and "命题人员" in author.message("zh_CN")
    body = next(p for p in proposals if p.kind is DetectionKind.INSTITUTION_LEVEL)
    assert body.organisation == BODY and "考培分离" in body.message("zh_CN")
    for proposal in proposals:
        assert proposal.message("en") and proposal.message("zh_CN")


def test_keys_are_stable_across_runs_and_input_order() -> None:
    first = [p.key for p in run()]
    second = [p.key for p in run(employments=list(reversed(JOBS)), people=list(reversed(PEOPLE)))]
    assert first == second
    assert "trainer_on_roster:7:3:101" in first


def test_dismissed_proposals_are_not_resurrected() -> None:
    proposals = run()
    dismissed = next(p for p in proposals if p.kind is DetectionKind.SAME_TRAINING_CLASS)
    confirmed = next(p for p in proposals if p.kind is DetectionKind.TRAINER_ON_ROSTER)
    decisions = {dismissed.key: Decision.DISMISSED, confirmed.key: Decision.CONFIRMED}
    # the evidence changes (the roster got longer) but the identity does not
    longer = TrainingRoster(
        7, "4-13-03-02", "陶瓷修复培训班", (TRAINER,), ROSTER.trainees, ROSTER.start, date(2024, 9, 30)
    )
    fresh = filter_pinned(run(rosters=[longer]), decisions)
    assert dismissed.key not in {p.key for p in fresh} and confirmed.key not in {p.key for p in fresh}
    assert len(fresh) == len(proposals) - 2


def test_confirmed_trainer_proposal_becomes_a_blocking_relation() -> None:
    proposal = next(p for p in run() if p.kind is DetectionKind.TRAINER_ON_ROSTER and p.b == CAND_A)
    relation = proposal.to_relation(55)
    assert relation is not None
    assert replace(relation, evidence={}) == Relation(
        55, RelationKind.TRAINED, TRAINER, CAND_A, date(2024, 3, 1), date(2024, 6, 30), RelationSource.DETECTION
    )
    assert relation.evidence["detection_key"] == proposal.key and relation.evidence["roster"] == 7
    verdict = decide(TRAINER, Role.ASSESSOR, date(2029, 6, 30), candidate=CAND_A, relations=[relation])
    assert [r.code for r in verdict.reasons] == ["trained_candidate"]
    assert "陶瓷修复培训班" in verdict.reasons[0].message("zh_CN")


def test_reported_only_kinds_do_not_become_relations() -> None:
    author = next(p for p in run() if p.kind is DetectionKind.AUTHOR_TRAINS_OCCUPATION)
    assert author.to_relation(1) is None


def test_already_recorded_relations_are_not_proposed_again() -> None:
    known = Relation(1, RelationKind.TRAINED, TRAINER, CAND_A, None, None, RelationSource.TRAINING_ROSTER)
    pairs = by_kind(run(relations=[known]))["trainer_on_roster"]
    assert pairs == [(TRAINER, CAND_B)]


def test_old_training_drops_out_after_its_window() -> None:
    kinds = by_kind(run(today=date(2029, 6, 30)))
    assert "trainer_on_roster" in kinds and "institution_level" in kinds
    kinds = by_kind(run(today=date(2029, 7, 1), training_duties=[]))
    assert "trainer_on_roster" not in kinds and "institution_level" not in kinds
    assert "author_trains_occupation" not in kinds
    assert "same_training_class" in kinds  # classmates are a personal relation, kept regardless of age


def test_colleagues_at_different_times_are_not_proposed() -> None:
    jobs = [Employment(ASSESSOR, MUSEUM, date(2010, 1, 1), date(2019, 12, 31)), JOBS[1]]
    assert "same_employer" not in by_kind(run(employments=jobs))


def test_people_on_both_sides_are_proposed_once_per_pair() -> None:
    proposals = run(staff={ASSESSOR, CAND_A}, candidates={ASSESSOR, CAND_A}, rosters=[], bank_roles=[])
    assert [p.key for p in proposals if p.kind is DetectionKind.SAME_EMPLOYER] == ["same_employer:901:1:101"]


def test_surnames() -> None:
    assert surname_of("欧阳明") == "欧阳" and surname_of("王建国") == "王" and surname_of("") == ""
    assert PersonFacts(1, "Zhang San", surname="张").family_name == "张"
