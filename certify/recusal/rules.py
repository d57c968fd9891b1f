"""The recusal engine (回避): may person P act in role R on candidate C (or occupation O) on day T, and why.

Window edges, all inclusive: a relation blocks from its `starts_on` (None = since always) through its
`ends_on`; after that it keeps blocking through `ends_on` + the kind's window in calendar years (a trainer
relation ending on E blocks through E + 5 years and allows the day after); a window of None blocks forever;
an `ends_on` of None means the relation is current. Employments and training duties follow the same rule.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from certify.recusal.policy import (
    DIRECTED_KINDS,
    Check,
    RecusalPolicy,
    RelationKind,
    RelationSource,
    Role,
    add_years,
)
from certify.recusal.texts import REASON_MESSAGES as MESSAGES
from certify.recusal.texts import render

DEFAULT_POLICY = RecusalPolicy()


@dataclass(frozen=True)
class Relation:
    """A typed, dated relation; for directed kinds `a` is the trainer/master/teacher and `b` the other."""

    id: int
    kind: RelationKind
    a: int
    b: int
    starts_on: date | None
    ends_on: date | None
    source: RelationSource
    evidence: Mapping[str, Any] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Employment:
    """Person employed by an organisation from `start` to `end` (None = open), both inclusive."""

    person: int
    organisation: int
    start: date | None
    end: date | None
    organisation_name: str = ""


@dataclass(frozen=True)
class TrainingDuty:
    """A trainer training an occupation over a period (from training rosters or staff entry)."""

    trainer: int
    occupation_code: str
    start: date | None
    end: date | None


@dataclass(frozen=True)
class Override:
    """A supervisor's exception letting `actor` act despite conflicts, scoped to role and target."""

    id: int
    actor: int
    candidate: int | None
    role: Role
    reason: str
    approved_by: tuple[int, ...]
    approver_roles: tuple[str, ...] = ()  #: role each approver acted in, parallel to `approved_by`
    occupation: str | None = None
    organisation: int | None = None
    codes: frozenset[str] = frozenset()  #: reason codes it covers; empty = every overridable reason
    expires_on: date | None = None


@dataclass(frozen=True)
class Reason:
    """One reason (or override problem) with JSON-serialisable params and evidence."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)
    evidence: Mapping[str, Any] = field(default_factory=dict, hash=False)
    overridable: bool = True

    def message(self, locale: str = "en") -> str:
        """The reason in English ("en") or Simplified Chinese ("zh_CN")."""
        text = render(MESSAGES, self.code, self.params, locale)
        window = self.params.get("window")
        return text + render(MESSAGES, f"clause_{window}", self.params, locale) if window else text

    def as_dict(self) -> dict[str, Any]:
        """Plain dict for the audit log."""
        return {"code": self.code, "params": dict(self.params), "evidence": dict(self.evidence)}


@dataclass(frozen=True)
class Verdict:
    """Allow/deny with every blocking reason; `notices` explain overrides that could not be used."""

    allowed: bool
    reasons: tuple[Reason, ...]
    override_used: Override | None = None
    notices: tuple[Reason, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """Plain dict for the audit log."""
        return {
            "allowed": self.allowed,
            "reasons": [r.as_dict() for r in self.reasons],
            "override_id": self.override_used.id if self.override_used else None,
            "notices": [n.as_dict() for n in self.notices],
        }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _period(start: date | None, end: date | None) -> str:
    return f"{_iso(start) or '…'} – {_iso(end) or '…'}"


def _window(start: date | None, end: date | None, years: int | None, at: date) -> tuple[str, date | None] | None:
    """("ongoing"|"forever"|"until", last blocked day) when a dated fact blocks on `at`, else None."""
    if start is not None and at < start:
        return None
    if end is None or at <= end:
        return "ongoing", None
    if years is None:
        return "forever", None
    until = add_years(end, years)
    return ("until", until) if at <= until else None


def blocks_until(relation: Relation, policy: RecusalPolicy = DEFAULT_POLICY) -> date | None:
    """Last day the relation blocks; None when it is current or its window is forever."""
    years = policy.window_years(relation.kind)
    if relation.ends_on is None or years is None:
        return None
    return add_years(relation.ends_on, years)


def relation_blocks(relation: Relation, at: date, policy: RecusalPolicy = DEFAULT_POLICY) -> bool:
    """Whether the relation blocks on `at` (edges inclusive, see the module docstring)."""
    return _window(relation.starts_on, relation.ends_on, policy.window_years(relation.kind), at) is not None


_RELATION_CODES = {
    (RelationKind.TRAINED, True): "trained_candidate",
    (RelationKind.TRAINED, False): "trained_by_candidate",
    (RelationKind.MASTER_APPRENTICE, True): "master_of_candidate",
    (RelationKind.MASTER_APPRENTICE, False): "apprentice_of_candidate",
    (RelationKind.TEACHER_STUDENT, True): "teacher_of_candidate",
    (RelationKind.TEACHER_STUDENT, False): "student_of_candidate",
    (RelationKind.RELATIVE, True): "relative_of_candidate",
    (RelationKind.OTHER, True): "declared_conflict",
}


def _relation_reasons(
    actor: int, candidate: int, at: date, relations: Iterable[Relation], checks: frozenset[Check], policy
) -> list[Reason]:
    reasons = []
    for rel in sorted(relations, key=lambda r: r.id):
        if {rel.a, rel.b} != {actor, candidate} or Check(rel.kind.value) not in checks:
            continue
        hit = _window(rel.starts_on, rel.ends_on, policy.window_years(rel.kind), at)
        if hit is None:
            continue
        forward = rel.a == actor or rel.kind not in DIRECTED_KINDS
        params = {
            "relation_id": rel.id,
            "kind": rel.kind.value,
            "source": rel.source.value,
            "period": _period(rel.starts_on, rel.ends_on),
            "course": str(rel.evidence.get("course") or "—"),
            "note": str(rel.evidence.get("note") or "—"),
            "window": hit[0],
            "blocks_until": _iso(hit[1]),
        }
        evidence = {
            "relation_ids": [rel.id],
            "people": [rel.a, rel.b],
            "starts_on": _iso(rel.starts_on),
            "ends_on": _iso(rel.ends_on),
            "source": rel.source.value,
            "details": dict(rel.evidence),
        }
        reasons.append(Reason(_RELATION_CODES[rel.kind, forward], params, evidence))
    return reasons


def _active_employments(person: int, at: date, employments: Iterable[Employment], policy) -> list[Employment]:
    years = policy.shared_employer_window_years
    found = [e for e in employments if e.person == person and _window(e.start, e.end, years, at)]
    return sorted(found, key=lambda e: (e.organisation, e.start or date.min))


def _org_label(employment: Employment) -> str:
    return employment.organisation_name or f"#{employment.organisation}"


def _employment_evidence(mine: Employment, theirs: Employment | None) -> dict[str, Any]:
    evidence: dict[str, Any] = {
        "organisation": mine.organisation,
        "actor_employment": [_iso(mine.start), _iso(mine.end)],
    }
    if theirs is not None:
        evidence["candidate_employment"] = [_iso(theirs.start), _iso(theirs.end)]
    return evidence


def decide(
    actor: int,
    role: Role | str,
    at: date,
    *,
    candidate: int | None = None,
    occupation: str | None = None,
    organisation: int | None = None,
    relations: Iterable[Relation] = (),
    employments: Iterable[Employment] = (),
    training_duties: Iterable[TrainingDuty] = (),
    overrides: Iterable[Override] = (),
    policy: RecusalPolicy = DEFAULT_POLICY,
) -> Verdict:
    """May `actor` act as `role` on a candidate / occupation / inspected body on day `at`? Every reason."""
    role = Role(role)
    checks = policy.checks_for(role)
    employments = tuple(employments)
    reasons: list[Reason] = []
    if candidate is not None and candidate == actor:
        reasons.append(Reason("acting_on_self", {"role": role.value}, {"people": [actor]}, overridable=False))
    if candidate is not None:
        reasons += _relation_reasons(actor, candidate, at, relations, checks, policy)
        if Check.SHARED_EMPLOYER in checks and candidate != actor:
            theirs = {e.organisation: e for e in _active_employments(candidate, at, employments, policy)}
            for mine in _active_employments(actor, at, employments, policy):
                other = theirs.pop(mine.organisation, None)  # one reason per organisation
                if other is not None:
                    params = {
                        "organisation": mine.organisation,
                        "organisation_label": _org_label(mine),
                        "actor_period": _period(mine.start, mine.end),
                        "candidate_period": _period(other.start, other.end),
                    }
                    reasons.append(Reason("shared_employer", params, _employment_evidence(mine, other)))
    if occupation is not None and Check.TRAINS_OCCUPATION in checks:
        for duty in sorted(training_duties, key=lambda d: (d.start or date.min, d.end or date.max)):
            hit = _window(duty.start, duty.end, policy.training_duty_window_years, at)
            if duty.trainer == actor and duty.occupation_code == occupation and hit:
                params = {
                    "occupation": occupation,
                    "period": _period(duty.start, duty.end),
                    "window": hit[0],
                    "blocks_until": _iso(hit[1]),
                }
                evidence = {"occupation": occupation, "duty": [_iso(duty.start), _iso(duty.end)]}
                reasons.append(Reason("trains_occupation", params, evidence))
    if organisation is not None and Check.TARGET_EMPLOYER in checks:
        for mine in _active_employments(actor, at, employments, policy):
            if mine.organisation == organisation:
                params = {
                    "organisation": organisation,
                    "organisation_label": _org_label(mine),
                    "actor_period": _period(mine.start, mine.end),
                }
                reasons.append(Reason("employed_by_target", params, _employment_evidence(mine, None)))
    if not reasons:
        return Verdict(True, ())
    notices: list[Reason] = []
    scope = (actor, role, candidate, occupation, organisation)
    for override in sorted(overrides, key=lambda o: o.id):
        if (
            override.actor,
            override.role,
            override.candidate,
            override.occupation,
            override.organisation,
        ) != scope:
            continue
        conflicted = {actor} | ({candidate} if candidate is not None else set())
        problems = list(validate_override(override, conflicted, policy=policy, at=at))
        uncovered = [r for r in reasons if not r.overridable or (override.codes and r.code not in override.codes)]
        if uncovered:
            params = {
                "override_id": override.id,
                "count": len(uncovered),
                "codes": [r.code for r in uncovered],
            }
            problems.append(Reason("override_not_covering", params))
        if not problems:
            return Verdict(True, tuple(reasons), override)
        notices += problems
    return Verdict(False, tuple(reasons), None, tuple(notices))


def validate_override(
    override: Override,
    conflicted_people: Collection[int],
    approver_roles: Mapping[int, Collection[str]] | None = None,
    high_stakes: bool | None = None,
    *,
    policy: RecusalPolicy = DEFAULT_POLICY,
    at: date | None = None,
) -> tuple[Reason, ...]:
    """Every problem with an override: reason, supervisor approvers, never the conflicted, 2 for scoring.

    `approver_roles` defaults to the roles recorded on the override; a scoring role (policy.high_stakes_roles)
    is always high-stakes whatever `high_stakes` says.
    """
    if approver_roles is None:
        approver_roles = {}
        for person, role in zip(override.approved_by, override.approver_roles, strict=False):
            approver_roles.setdefault(person, set()).add(role)
    stakes = bool(high_stakes) or override.role in policy.high_stakes_roles
    needed = policy.high_stakes_approvals if stakes else 1
    conflicted = set(conflicted_people) | {override.actor}
    if override.candidate is not None:
        conflicted.add(override.candidate)
    oid = {"override_id": override.id}
    problems: list[Reason] = []
    if len(override.reason.strip()) < policy.override_reason_min_chars:
        problems.append(Reason("override_reason_missing", oid))
    valid: list[int] = []
    seen: set[int] = set()
    for approver in override.approved_by:
        params = {**oid, "approver": approver}
        if approver in seen:
            problems.append(Reason("override_duplicate_approver", params))
            continue
        seen.add(approver)
        ok = True
        if approver == override.actor:
            problems.append(Reason("override_self_approval", params))
            ok = False
        elif approver in conflicted:
            problems.append(Reason("override_approver_conflicted", params))
            ok = False
        if not set(approver_roles.get(approver, ())) & policy.override_approver_roles:
            problems.append(Reason("override_approver_not_supervisor", params))
            ok = False
        if ok:
            valid.append(approver)
    if len(valid) < needed:
        params = {**oid, "needed": needed, "valid": len(valid), "short_by": needed - len(valid)}
        problems.append(Reason("override_approvals_short", params))
    if at is not None and override.expires_on is not None and at > override.expires_on:
        problems.append(Reason("override_expired", {**oid, "expires_on": _iso(override.expires_on)}))
    return tuple(problems)
