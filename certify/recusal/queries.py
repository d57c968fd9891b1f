"""Loading the facts the recusal engine decides on, as the pure dataclasses of `rules`."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass

import sqlalchemy as sa

from certify.auth.models import Role as AccountRole
from certify.auth.models import User, UserRole
from certify.core.db import db
from certify.institutions.models import Occupation, Organisation, Person
from certify.recusal import rules
from certify.recusal.models import (
    ClassRole,
    EmploymentRecord,
    OverrideRecord,
    RelationRecord,
    TrainingClass,
    TrainingClassMember,
)
from certify.recusal.policy import RelationSource


@dataclass(frozen=True)
class Facts:
    """Everything `rules.decide` needs about a set of people."""

    relations: tuple[rules.Relation, ...]
    employments: tuple[rules.Employment, ...]
    training_duties: tuple[rules.TrainingDuty, ...]
    overrides: tuple[rules.Override, ...]


def to_relation(row: RelationRecord) -> rules.Relation:
    return rules.Relation(
        row.id,
        row.kind,
        row.person_a_id,
        row.person_b_id,
        row.starts_on,
        row.ends_on,
        row.source,
        json.loads(row.evidence or "{}"),
    )


def relations_of(people: Collection[int]) -> list[rules.Relation]:
    rows = db.session.execute(
        sa.select(RelationRecord).where(
            RelationRecord.withdrawn_at.is_(None),
            sa.or_(RelationRecord.person_a_id.in_(people), RelationRecord.person_b_id.in_(people)),
        )
    ).scalars()
    return [to_relation(row) for row in rows]


def employments_of(people: Collection[int]) -> list[rules.Employment]:
    """Recorded employments plus each person's current employer (open-ended) from their record."""
    found: list[rules.Employment] = []
    rows = db.session.execute(
        sa.select(EmploymentRecord, Organisation.name)
        .join(Organisation, Organisation.id == EmploymentRecord.organisation_id)
        .where(EmploymentRecord.person_id.in_(people))
    ).all()
    recorded_open = set()
    for row, name in rows:
        found.append(rules.Employment(row.person_id, row.organisation_id, row.starts_on, row.ends_on, name))
        if row.ends_on is None:
            recorded_open.add((row.person_id, row.organisation_id))
    current = db.session.execute(
        sa.select(Person.id, Person.employer_id, Organisation.name)
        .join(Organisation, Organisation.id == Person.employer_id)
        .where(Person.id.in_(people))
    ).all()
    for person_id, org_id, name in current:
        if (person_id, org_id) not in recorded_open:
            found.append(rules.Employment(person_id, org_id, None, None, name))
    return found


def training_duties_of(people: Collection[int]) -> list[rules.TrainingDuty]:
    rows = db.session.execute(
        sa.select(TrainingClassMember.person_id, Occupation.code, TrainingClass.starts_on, TrainingClass.ends_on)
        .join(TrainingClass, TrainingClass.id == TrainingClassMember.class_id)
        .join(Occupation, Occupation.id == TrainingClass.occupation_id)
        .where(TrainingClassMember.person_id.in_(people), TrainingClassMember.role == ClassRole.TRAINER)
    ).all()
    return [rules.TrainingDuty(person, code, start, end) for person, code, start, end in rows]


def overrides_of(people: Collection[int]) -> list[rules.Override]:
    rows = db.session.execute(
        sa.select(OverrideRecord).where(OverrideRecord.actor_person_id.in_(people), OverrideRecord.revoked_at.is_(None))
    ).scalars()
    result = []
    for row in rows:
        approvers, roles = [], []
        for approval in row.approvals:
            approvers.append(approval.approver.person_id or -approval.approver_id)
            roles.append("supervisor" if approval.approver.has_role(AccountRole.SUPERVISOR) else "other")
        result.append(
            rules.Override(
                row.id,
                row.actor_person_id,
                row.candidate_person_id,
                row.role,
                row.reason,
                tuple(approvers),
                tuple(roles),
                row.occupation_code,
                None,
                frozenset(json.loads(row.covers or "[]")),
                row.expires_on,
            )
        )
    return result


def facts_for(people: Collection[int]) -> Facts:
    people = {p for p in people if p is not None}
    return Facts(
        tuple(relations_of(people)),
        tuple(employments_of(people)),
        tuple(training_duties_of(people)),
        tuple(overrides_of(people)),
    )


def has_declared(person_id: int, context: tuple[str, int] | None, since) -> bool:
    """A declaration for this context, or a general one made since `since` (declarations are renewed yearly)."""
    from certify.recusal.models import Declaration

    general = sa.and_(Declaration.context_type.is_(None), Declaration.declared_at >= since)
    condition = general
    if context is not None:
        condition = sa.or_(
            general, sa.and_(Declaration.context_type == context[0], Declaration.context_id == context[1])
        )
    stmt = sa.select(Declaration.id).where(Declaration.person_id == person_id, condition).limit(1)
    return db.session.execute(stmt).first() is not None


def supervisors_person_ids(body_id: int | None = None) -> set[int]:
    """People holding the supervisor role (of one body when given), active accounts only."""
    stmt = (
        sa.select(User.person_id).join(UserRole).where(UserRole.role == AccountRole.SUPERVISOR, User.active.is_(True))
    )
    if body_id is not None:
        stmt = stmt.where(User.body_id == body_id)
    return set(db.session.execute(stmt).scalars())


def roster_relation(class_id: int, trainer: int, trainee: int) -> RelationRecord | None:
    """The relation a training roster recorded between a trainer and a trainee of a class."""
    rows = db.session.execute(
        sa.select(RelationRecord).where(
            RelationRecord.source == RelationSource.TRAINING_ROSTER,
            RelationRecord.person_a_id == trainer,
            RelationRecord.person_b_id == trainee,
            RelationRecord.withdrawn_at.is_(None),
        )
    ).scalars()
    for row in rows:
        if json.loads(row.evidence or "{}").get("class_id") == class_id:
            return row
    return None
