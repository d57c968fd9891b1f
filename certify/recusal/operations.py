"""Recusal state changes and the enforcement every domain calls in the same transaction as its write.

Enforcement locks the people involved (SELECT … FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE already
serialises writers), loads the facts, decides with the pure rules, and records the check. Adding a relation
locks the same rows, so a relation and an assignment (or a score) about the same pair are serialised: one of
them sees the other.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from certify.core.clock import local_date, now_utc
from certify.core.db import db
from certify.core.errors import Problem, Refused
from certify.institutions.models import Person
from certify.recusal import queries, rules
from certify.recusal.models import Assignment, OverrideApproval, OverrideRecord, RecusalCheck, RelationRecord
from certify.recusal.policy import RecusalPolicy, RelationKind, RelationSource, Role
from certify.supervision import audit


class RecusalBlocked(Refused):
    """The engine denied an action; carries the verdict so each page can show every reason in its language."""

    def __init__(self, verdict: rules.Verdict, check: RecusalCheck | None = None):
        self.verdict, self.check = verdict, check
        super().__init__([Problem("recusal_blocked", None, {"count": len(verdict.reasons)})])


#: where the platform is stricter than the engine's bare defaults: an override's reason must say something
DEFAULT_POLICY_SETTINGS = {"override_reason_min_chars": 8}


def policy() -> RecusalPolicy:
    """The configured policy (RECUSAL_POLICY in the app config overrides the DOMAIN.md defaults)."""
    return RecusalPolicy(**{**DEFAULT_POLICY_SETTINGS, **current_app.config.get("RECUSAL_POLICY", {})})


def today() -> date:
    return local_date(now_utc(), current_app.config["BABEL_DEFAULT_TIMEZONE"])


def lock_people(person_ids: Iterable[int | None]) -> None:
    """Lock the people rows in id order (a fixed order, so two writers never deadlock)."""
    ids = sorted({p for p in person_ids if p is not None})
    found = db.session.execute(sa.select(Person.id).where(Person.id.in_(ids)).order_by(Person.id).with_for_update())
    missing = set(ids) - set(found.scalars())
    if missing:
        raise Refused("person_unknown", field="person", ids=", ".join(map(str, sorted(missing))))


def check(
    actor: int,
    role: Role | str,
    *,
    candidate: int | None = None,
    occupation: str | None = None,
    context: tuple[str, int] | None = None,
    at: date | None = None,
) -> tuple[rules.Verdict, RecusalCheck]:
    """Decide whether `actor` may act as `role` (on `candidate` / `occupation`) and record the check."""
    role = Role(role)
    lock_people([actor, candidate])
    facts = queries.facts_for([actor, candidate])
    verdict = rules.decide(
        actor,
        role,
        at or today(),
        candidate=candidate,
        occupation=occupation,
        relations=facts.relations,
        employments=facts.employments,
        training_duties=facts.training_duties,
        overrides=facts.overrides,
        policy=policy(),
    )
    record = RecusalCheck(
        actor_person_id=actor,
        role=role,
        candidate_person_id=candidate,
        occupation_code=occupation,
        context_type=context[0] if context else None,
        context_id=context[1] if context else None,
        at=now_utc(),
        allowed=verdict.allowed,
        verdict=audit.canonical_json(verdict.as_dict()),
        override_id=verdict.override_used.id if verdict.override_used else None,
    )
    db.session.add(record)
    db.session.flush()
    if verdict.override_used is not None:
        audit.record(
            "recusal.override_used",
            object_type="recusal_check",
            object_id=record.id,
            after={
                "override_id": verdict.override_used.id,
                "role": role,
                "actor": actor,
                "candidate": candidate,
                "reasons": [r.code for r in verdict.reasons],
            },
        )
    return verdict, record


def require(actor: int, role: Role | str, **kwargs) -> RecusalCheck:
    """Check, and refuse (RecusalBlocked) when denied; returns the check a score or access must reference."""
    verdict, record = check(actor, role, **kwargs)
    if not verdict.allowed:
        audit.record(
            "recusal.blocked",
            object_type="recusal_check",
            object_id=record.id,
            after={
                "role": Role(role),
                "actor": actor,
                "candidate": kwargs.get("candidate"),
                "occupation": kwargs.get("occupation"),
                "reasons": [r.code for r in verdict.reasons],
            },
        )
        raise RecusalBlocked(verdict, record)
    return record


def assign(
    person: int,
    role: Role | str,
    *,
    candidate: int | None = None,
    occupation: str | None = None,
    context: tuple[str, int] | None = None,
) -> Assignment:
    """Put a person in front of a candidate (or an occupation's content) in a role, if the engine allows it.

    Within a session (`context`), the person must first have declared their conflicts: for this session, or in
    a general declaration younger than RECUSAL_DECLARATION_VALID_DAYS.
    """
    if context is not None:
        since = now_utc() - timedelta(days=current_app.config.get("RECUSAL_DECLARATION_VALID_DAYS", 365))
        if not queries.has_declared(person, context, since):
            name = db.session.get(Person, person).name if db.session.get(Person, person) else str(person)
            raise Refused("declaration_required", field="person", name=name)
    record = require(person, role, candidate=candidate, occupation=occupation, context=context)
    assignment = Assignment(
        person_id=person,
        role=Role(role),
        candidate_person_id=candidate,
        occupation_code=occupation,
        context_type=context[0] if context else None,
        context_id=context[1] if context else None,
        check_id=record.id,
        created_at=now_utc(),
    )
    db.session.add(assignment)
    db.session.flush()
    audit.record(
        "recusal.assigned",
        object_type="assignment",
        object_id=assignment.id,
        after={
            "person": person,
            "role": Role(role),
            "candidate": candidate,
            "occupation": occupation,
            "context": list(context) if context else None,
            "check_id": record.id,
            "override_id": record.override_id,
        },
    )
    return assignment


def add_relation(
    kind: RelationKind | str,
    a: int,
    b: int,
    *,
    starts_on: date | None = None,
    ends_on: date | None = None,
    source: RelationSource | str = RelationSource.STAFF_ENTRY,
    evidence: dict | None = None,
    created_by: int | None = None,
) -> RelationRecord:
    """Record a relation between two people (locking both, so it serialises with checks about them)."""
    problems = []
    if a == b:
        problems.append(Problem("relation_same_person", "person_b"))
    if starts_on and ends_on and ends_on < starts_on:
        problems.append(Problem("relation_ends_before_start", "ends_on"))
    if problems:
        raise Refused(problems)
    lock_people([a, b])
    if _duplicate_relation(RelationKind(kind), a, b, starts_on, ends_on):
        raise Refused("relation_duplicate", field="person_b")
    row = RelationRecord(
        kind=RelationKind(kind),
        person_a_id=a,
        person_b_id=b,
        starts_on=starts_on,
        ends_on=ends_on,
        source=RelationSource(source),
        evidence=audit.canonical_json(evidence or {}),
        created_at=now_utc(),
        created_by_id=created_by,
    )
    db.session.add(row)
    db.session.flush()
    audit.record("recusal.relation_added", object_type="relation", object_id=row.id, after=_relation_snapshot(row))
    return row


def _duplicate_relation(kind: RelationKind, a: int, b: int, starts_on: date | None, ends_on: date | None) -> bool:
    """The same relation is already in force over an overlapping period (directed kinds keep their direction)."""
    from certify.recusal.policy import DIRECTED_KINDS

    pair = (RelationRecord.person_a_id == a) & (RelationRecord.person_b_id == b)
    if kind not in DIRECTED_KINDS:
        pair = pair | ((RelationRecord.person_a_id == b) & (RelationRecord.person_b_id == a))
    rows = db.session.execute(
        sa.select(RelationRecord).where(RelationRecord.kind == kind, RelationRecord.withdrawn_at.is_(None), pair)
    ).scalars()
    for row in rows:
        if (starts_on is None or row.ends_on is None or starts_on <= row.ends_on) and (
            ends_on is None or row.starts_on is None or row.starts_on <= ends_on
        ):
            return True
    return False


def withdraw_relation(row: RelationRecord, reason: str) -> None:
    """Withdraw a relation recorded in error; it stays on record and no longer blocks."""
    if not reason.strip():
        raise Refused("reason_required", field="reason")
    if row.withdrawn_at is not None:
        return
    lock_people([row.person_a_id, row.person_b_id])
    row.withdrawn_at, row.withdrawn_reason = now_utc(), reason.strip()
    audit.record(
        "recusal.relation_withdrawn",
        object_type="relation",
        object_id=row.id,
        before=_relation_snapshot(row),
        reason=reason.strip(),
    )


def _relation_snapshot(row: RelationRecord) -> dict:
    return {
        "kind": row.kind,
        "a": row.person_a_id,
        "b": row.person_b_id,
        "starts_on": row.starts_on,
        "ends_on": row.ends_on,
        "source": row.source,
        "evidence": json.loads(row.evidence or "{}"),
    }


def request_override(
    actor: int,
    role: Role | str,
    reason: str,
    *,
    requested_by,
    candidate: int | None = None,
    occupation: str | None = None,
    expires_on: date | None = None,
) -> OverrideRecord:
    """A supervisor asks for an exception (their request counts as the first approval)."""
    from certify.auth.models import Role as AccountRole

    problems = []
    if not requested_by.has_role(AccountRole.SUPERVISOR):
        problems.append(Problem("override_requires_supervisor", None))
    if requested_by.person_id in {actor, candidate}:
        problems.append(Problem("override_self", None))
    if candidate is not None and candidate == actor:
        problems.append(Problem("relation_same_person", "candidate"))
    if expires_on is not None and expires_on < today():
        problems.append(Problem("override_expired", "expires_on"))
    if len((reason or "").strip()) < policy().override_reason_min_chars:
        problems.append(Problem("override_reason_missing", "reason", {"min": policy().override_reason_min_chars}))
    if problems:
        raise Refused(problems)
    # An override answers a conflict that exists now and covers exactly the reasons it was granted for:
    # a conflict discovered later is not silently waived by an older override.
    facts = queries.facts_for([actor, candidate])
    standing = rules.decide(
        actor,
        Role(role),
        today(),
        candidate=candidate,
        occupation=occupation,
        relations=facts.relations,
        employments=facts.employments,
        training_duties=facts.training_duties,
        policy=policy(),
    )
    covered = sorted({r.code for r in standing.reasons if r.overridable})
    if standing.allowed:
        raise Refused("override_not_needed", field="actor")
    if not covered:
        raise Refused("override_not_possible", field="actor")
    row = OverrideRecord(
        actor_person_id=actor,
        candidate_person_id=candidate,
        role=Role(role),
        occupation_code=occupation,
        reason=reason.strip(),
        covers=audit.canonical_json(covered),
        requested_by_id=requested_by.id,
        created_at=now_utc(),
        expires_on=expires_on,
    )
    db.session.add(row)
    db.session.flush()
    db.session.add(OverrideApproval(override_id=row.id, approver_id=requested_by.id, approved_at=now_utc()))
    db.session.flush()
    audit.record(
        "recusal.override_requested",
        object_type="override",
        object_id=row.id,
        reason=row.reason,
        after={
            "actor": actor,
            "candidate": candidate,
            "role": Role(role),
            "occupation": occupation,
            "expires_on": expires_on,
            "approver": requested_by.id,
            "covers": covered,
        },
    )
    return row


def approve_override(row: OverrideRecord, approver) -> None:
    """A second supervisor's approval (needed for scoring overrides); never the conflicted people."""
    from certify.auth.models import Role as AccountRole

    problems = []
    if not approver.has_role(AccountRole.SUPERVISOR):
        problems.append(Problem("override_requires_supervisor", None))
    if approver.person_id in {row.actor_person_id, row.candidate_person_id}:
        problems.append(Problem("override_self", None))
    if any(a.approver_id == approver.id for a in row.approvals):
        problems.append(Problem("override_already_approved", None))
    if row.revoked_at is not None:
        problems.append(Problem("override_revoked", None))
    if row.expires_on is not None and row.expires_on < today():
        problems.append(Problem("override_expired", None))
    if problems:
        raise Refused(problems)
    db.session.add(OverrideApproval(override_id=row.id, approver_id=approver.id, approved_at=now_utc()))
    db.session.flush()
    db.session.expire(row, ["approvals"])
    audit.record(
        "recusal.override_approved",
        object_type="override",
        object_id=row.id,
        after={"approver": approver.id, "approvals": len(row.approvals)},
    )


def revoke_override(row: OverrideRecord, reason: str) -> None:
    if not reason.strip():
        raise Refused("reason_required", field="reason")
    if row.revoked_at is not None:
        raise Refused("override_revoked", field=None)
    row.revoked_at = now_utc()
    audit.record("recusal.override_revoked", object_type="override", object_id=row.id, reason=reason.strip())
