"""Overrides: only supervisors, never the conflicted person, a reason always, two approvers for scoring."""

from __future__ import annotations

from datetime import date

from certify.recusal.rules import (
    Override,
    Relation,
    RelationKind,
    RelationSource,
    Role,
    decide,
    validate_override,
)

ACTOR, CANDIDATE, SUP1, SUP2, ADMIN = 10, 20, 30, 31, 40
AT = date(2024, 5, 1)
RELATIVE = Relation(1, RelationKind.RELATIVE, ACTOR, CANDIDATE, None, None, RelationSource.DECLARATION)


def override(role=Role.INVIGILATOR, approvers=(SUP1,), roles=("supervisor",), reason="偏远考点仅此一名监考人员", **kw):
    return Override(7, ACTOR, CANDIDATE, role, reason, tuple(approvers), tuple(roles), **kw)


def codes(problems) -> list[str]:
    return [p.code for p in problems]


def test_a_supervisor_approval_with_reason_is_valid_for_a_low_stakes_role() -> None:
    assert validate_override(override(), {ACTOR, CANDIDATE}) == ()


def test_reason_is_mandatory() -> None:
    assert codes(validate_override(override(reason="   "), {ACTOR})) == ["override_reason_missing"]


def test_the_conflicted_person_never_approves() -> None:
    problems = validate_override(override(approvers=(ACTOR,)), {ACTOR, CANDIDATE})
    assert codes(problems) == ["override_self_approval", "override_approvals_short"]
    problems = validate_override(override(approvers=(CANDIDATE,)), {ACTOR, CANDIDATE})
    assert codes(problems) == ["override_approver_conflicted", "override_approvals_short"]


def test_only_supervisors_approve() -> None:
    problems = validate_override(override(approvers=(ADMIN,), roles=("admin",)), {ACTOR})
    assert codes(problems) == ["override_approver_not_supervisor", "override_approvals_short"]
    assert "质量督导员" in problems[0].message("zh_CN")


def test_current_roles_from_the_database_take_precedence() -> None:
    problems = validate_override(override(), {ACTOR}, approver_roles={SUP1: {"admin"}})
    assert codes(problems) == ["override_approver_not_supervisor", "override_approvals_short"]


def test_scoring_roles_need_two_distinct_approvers() -> None:
    one = validate_override(override(role=Role.ASSESSOR), {ACTOR})
    assert codes(one) == ["override_approvals_short"]
    assert one[0].params == {"override_id": 7, "needed": 2, "valid": 1, "short_by": 1}
    same_twice = override(role=Role.MARKER, approvers=(SUP1, SUP1), roles=("supervisor", "supervisor"))
    assert codes(validate_override(same_twice, {ACTOR})) == [
        "override_duplicate_approver",
        "override_approvals_short",
    ]
    two = override(role=Role.REVIEW_PANEL, approvers=(SUP1, SUP2), roles=("supervisor", "supervisor"))
    assert validate_override(two, {ACTOR}) == ()


def test_high_stakes_flag_upgrades_any_role() -> None:
    assert codes(validate_override(override(), {ACTOR}, high_stakes=True)) == ["override_approvals_short"]


def test_all_problems_are_reported_together() -> None:
    bad = override(role=Role.ASSESSOR, approvers=(ACTOR, ADMIN), roles=("supervisor", "admin"), reason="")
    assert codes(validate_override(bad, {ACTOR}, at=AT)) == [
        "override_reason_missing",
        "override_self_approval",
        "override_approver_not_supervisor",
        "override_approvals_short",
    ]


def test_decide_uses_a_valid_override_and_keeps_the_reasons() -> None:
    verdict = decide(ACTOR, Role.INVIGILATOR, AT, candidate=CANDIDATE, relations=[RELATIVE], overrides=[override()])
    assert verdict.allowed and verdict.override_used is not None and verdict.override_used.id == 7
    assert [r.code for r in verdict.reasons] == ["relative_of_candidate"]


def test_decide_rejects_an_invalid_override_and_explains_why() -> None:
    bad = override(role=Role.ASSESSOR)
    verdict = decide(ACTOR, Role.ASSESSOR, AT, candidate=CANDIDATE, relations=[RELATIVE], overrides=[bad])
    assert not verdict.allowed and verdict.override_used is None
    assert [n.code for n in verdict.notices] == ["override_approvals_short"]


def test_override_is_scoped_to_role_candidate_and_codes() -> None:
    other_candidate = Override(8, ACTOR, 99, Role.INVIGILATOR, "理由", (SUP1,), ("supervisor",))
    verdict = decide(
        ACTOR, Role.INVIGILATOR, AT, candidate=CANDIDATE, relations=[RELATIVE], overrides=[other_candidate]
    )
    assert not verdict.allowed and verdict.notices == ()
    narrow = override(codes=frozenset({"shared_employer"}))
    verdict = decide(ACTOR, Role.INVIGILATOR, AT, candidate=CANDIDATE, relations=[RELATIVE], overrides=[narrow])
    assert not verdict.allowed
    assert [n.code for n in verdict.notices] == ["override_not_covering"]
    assert "亲属关系" in verdict.notices[0].message("zh_CN")


def test_expired_override_is_not_used() -> None:
    old = override(expires_on=date(2024, 4, 30))
    verdict = decide(ACTOR, Role.INVIGILATOR, AT, candidate=CANDIDATE, relations=[RELATIVE], overrides=[old])
    assert not verdict.allowed and [n.code for n in verdict.notices] == ["override_expired"]


def test_acting_on_self_cannot_be_overridden() -> None:
    own = Override(9, ACTOR, ACTOR, Role.INVIGILATOR, "理由", (SUP1,), ("supervisor",))
    verdict = decide(ACTOR, Role.INVIGILATOR, AT, candidate=ACTOR, overrides=[own])
    assert not verdict.allowed
