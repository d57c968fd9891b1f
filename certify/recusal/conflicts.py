"""Detection runs, pinned decisions on potential conflicts, and staff declarations."""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlalchemy as sa

from certify.auth.models import Role as AccountRole
from certify.auth.models import User, UserRole
from certify.core.clock import now_utc
from certify.core.db import db
from certify.core.errors import Problem, Refused
from certify.institutions.models import Body, BodyOccupation, Occupation, Organisation, Person
from certify.recusal import detection, queries
from certify.recusal.models import (
    ClassRole,
    ConflictStatus,
    Declaration,
    PotentialConflictRecord,
    TrainingClass,
)
from certify.recusal.operations import add_relation, policy, today
from certify.recusal.policy import RelationKind, RelationSource
from certify.supervision import audit

STAFF_ROLES = [r for r in AccountRole if r not in (AccountRole.CANDIDATE, AccountRole.REGULATOR)]


@dataclass(frozen=True)
class DetectionRun:
    """What a detection run found: new proposals, refreshed open ones, and pinned ones left alone."""

    new: int
    refreshed: int
    pinned: int


def _body_people(body: Body) -> tuple[set[int], set[int]]:
    staff = set(
        db.session.execute(
            sa.select(User.person_id)
            .join(UserRole)
            .where(User.body_id == body.id, User.person_id.is_not(None), UserRole.role.in_(STAFF_ROLES))
        ).scalars()
    )
    everyone = set(db.session.execute(sa.select(Person.id).where(Person.body_id == body.id)).scalars())
    return staff, everyone - staff


def run_detection(body: Body) -> DetectionRun:
    """Propose every potential conflict among the body's people; decided ones stay as they were decided."""
    staff, candidates = _body_people(body)
    people = staff | candidates
    persons = [
        detection.PersonFacts(p.id, p.name)
        for p in db.session.execute(sa.select(Person).where(Person.id.in_(people))).scalars()
    ]
    rosters = []
    for cls in db.session.execute(sa.select(TrainingClass).where(TrainingClass.body_id == body.id)).scalars():
        trainers = tuple(m.person_id for m in cls.members if m.role == ClassRole.TRAINER)
        trainees = tuple(m.person_id for m in cls.members if m.role == ClassRole.TRAINEE)
        rosters.append(
            detection.TrainingRoster(
                cls.id, cls.occupation.code, cls.name, trainers, trainees, cls.starts_on, cls.ends_on
            )
        )
    codes = (
        db.session.execute(sa.select(Occupation.code).join(BodyOccupation).where(BodyOccupation.body_id == body.id))
        .scalars()
        .all()
    )
    bank_roles = [
        detection.BankRole(person, code, role.value)
        for person, role in db.session.execute(
            sa.select(User.person_id, UserRole.role)
            .join(UserRole)
            .where(User.body_id == body.id, UserRole.role.in_([AccountRole.AUTHOR, AccountRole.REVIEWER]))
        ).all()
        for code in codes
    ]
    as_employer = db.session.execute(sa.select(Organisation.id).where(Organisation.name == body.name)).scalar()
    proposals = detection.detect(
        staff=staff,
        candidates=candidates,
        people=persons,
        rosters=rosters,
        employments=queries.employments_of(people),
        bank_roles=bank_roles,
        training_duties=queries.training_duties_of(people),
        body_candidates={as_employer: candidates} if as_employer else None,
        relations=queries.relations_of(people),
        today=today(),
        policy=policy(),
    )
    existing = {
        row.key: row
        for row in db.session.execute(
            sa.select(PotentialConflictRecord).where(PotentialConflictRecord.body_id == body.id)
        ).scalars()
    }
    now, new, refreshed, pinned = now_utc(), 0, 0, 0
    for proposal in proposals:
        evidence = audit.canonical_json(dict(proposal.evidence))
        row = existing.get(proposal.key)
        if row is None:
            db.session.add(
                PotentialConflictRecord(
                    body_id=body.id,
                    key=proposal.key,
                    kind=proposal.kind.value,
                    person_a_id=proposal.a,
                    person_b_id=proposal.b,
                    evidence=evidence,
                    first_detected_at=now,
                    last_detected_at=now,
                    status=ConflictStatus.OPEN,
                )
            )
            new += 1
        elif row.status is ConflictStatus.OPEN:
            row.evidence, row.last_detected_at = evidence, now
            refreshed += 1
        else:
            pinned += 1
    db.session.flush()
    audit.record(
        "recusal.detection_run",
        object_type="body",
        object_id=body.id,
        after={"new": new, "refreshed": refreshed, "pinned": pinned},
    )
    return DetectionRun(new, refreshed, pinned)


def decide_potential(row: PotentialConflictRecord, confirm: bool, reason: str, decided_by: User) -> None:
    """Confirm (recording the relation it suggests) or dismiss a proposal; the decision is pinned."""
    if row.status is not ConflictStatus.OPEN:
        raise Refused("conflict_already_decided", field=None)
    if not (reason or "").strip():
        raise Refused("reason_required", field="reason")
    suggested = detection.SUGGESTED_RELATION[detection.DetectionKind(row.kind)]
    if confirm and suggested is not None and row.person_b_id is not None:
        evidence = {"detected": row.kind, "key": row.key, **json.loads(row.evidence)}
        relation = add_relation(
            suggested,
            row.person_a_id,
            row.person_b_id,
            source=RelationSource.DETECTION,
            evidence=evidence,
            created_by=decided_by.id,
        )
        row.relation_id = relation.id
    row.status = ConflictStatus.CONFIRMED if confirm else ConflictStatus.DISMISSED
    row.decided_by_id, row.decided_at, row.decision_reason = decided_by.id, now_utc(), reason.strip()
    db.session.flush()
    audit.record(
        "recusal.conflict_decided",
        object_type="potential_conflict",
        object_id=row.id,
        after={"status": row.status, "relation_id": row.relation_id, "key": row.key},
        reason=reason.strip(),
    )


def declare(
    person_id: int,
    *,
    none_known: bool,
    statement: str = "",
    conflicts: list[tuple[RelationKind, int, str]] = (),
    context: tuple[str, int] | None = None,
) -> Declaration:
    """Record a staff member's declaration: "none known", or the conflicts they declare (each becomes a relation)."""
    problems = []
    if none_known and conflicts:
        problems.append(Problem("declaration_contradictory", "none_known"))
    if not none_known and not conflicts and not statement.strip():
        problems.append(Problem("declaration_empty", "statement"))
    if problems:
        raise Refused(problems)
    row = Declaration(
        person_id=person_id,
        declared_at=now_utc(),
        none_known=none_known,
        statement=statement.strip() or None,
        context_type=context[0] if context else None,
        context_id=context[1] if context else None,
    )
    db.session.add(row)
    db.session.flush()
    for kind, other, note in conflicts:
        add_relation(
            kind, person_id, other, source=RelationSource.DECLARATION, evidence={"declaration_id": row.id, "note": note}
        )
    audit.record(
        "recusal.declared",
        object_type="declaration",
        object_id=row.id,
        after={
            "person": person_id,
            "none_known": none_known,
            "conflicts": len(conflicts),
            "context": list(context) if context else None,
        },
    )
    return row
