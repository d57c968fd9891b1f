"""Recusal tables: relations, employments, training classes, declarations, detected conflicts, overrides,
every check performed, the assignments it allowed, staff qualifications and recorded panel draws."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from certify.core.db import db
from certify.core.types import UTCDateTime, enum_column
from certify.recusal.policy import RelationKind, RelationSource, Role, SessionKind, StaffGrade


class RelationRecord(db.Model):
    """A typed, dated relation between two people (for directed kinds, a is the trainer/master/teacher)."""

    __tablename__ = "relations"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[RelationKind] = mapped_column(enum_column(RelationKind))
    person_a_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    person_b_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    source: Mapped[RelationSource] = mapped_column(enum_column(RelationSource))
    #: canonical JSON: where it came from (class id, declaration id, import file and row, note)
    evidence: Mapped[str] = mapped_column(sa.Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: withdrawn relations stay on record (and in the audit log) but no longer block
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_reason: Mapped[str | None] = mapped_column(sa.Text)

    person_a = relationship("Person", foreign_keys=[person_a_id])
    person_b = relationship("Person", foreign_keys=[person_b_id])


class EmploymentRecord(db.Model):
    """A person employed by an organisation over a period (None = open)."""

    __tablename__ = "employments"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    source: Mapped[RelationSource] = mapped_column(enum_column(RelationSource))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    person = relationship("Person")
    organisation = relationship("Organisation")


class ClassRole(enum.StrEnum):
    """A person's part in a training class."""

    TRAINER = "trainer"
    TRAINEE = "trainee"


class TrainingClass(db.Model):
    """A training class (培训班) of a training institution for an occupation and level."""

    __tablename__ = "training_classes"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    occupation_id: Mapped[int] = mapped_column(sa.ForeignKey("occupations.id"), index=True)
    level_ordinal: Mapped[int] = mapped_column(sa.ForeignKey("levels.ordinal"))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    source: Mapped[RelationSource] = mapped_column(enum_column(RelationSource))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    organisation = relationship("Organisation")
    occupation = relationship("Occupation")
    members: Mapped[list[TrainingClassMember]] = relationship(back_populates="training_class", cascade="all")

    __table_args__ = (sa.UniqueConstraint("organisation_id", "name"),)


class TrainingClassMember(db.Model):
    """A trainer or trainee of a training class."""

    __tablename__ = "training_class_members"

    class_id: Mapped[int] = mapped_column(sa.ForeignKey("training_classes.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id"), primary_key=True, index=True)
    role: Mapped[ClassRole] = mapped_column(enum_column(ClassRole), primary_key=True)

    training_class: Mapped[TrainingClass] = relationship(back_populates="members")
    person = relationship("Person")


class Declaration(db.Model):
    """A staff member's dated conflict declaration (or "none known"), optionally for one session."""

    __tablename__ = "declarations"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime())
    none_known: Mapped[bool]
    statement: Mapped[str | None] = mapped_column(sa.Text)
    #: what the declaration is for, e.g. ("exam_session", 12); None = general
    context_type: Mapped[str | None] = mapped_column(sa.String(40))
    context_id: Mapped[int | None]


class ConflictStatus(enum.StrEnum):
    """Where a detected potential conflict stands; a decision is pinned against re-detection."""

    OPEN = "open"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


class PotentialConflictRecord(db.Model):
    """A conflict proposed by detection, waiting for (or pinned by) an admin's decision."""

    __tablename__ = "potential_conflicts"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id"), index=True)
    #: stable identity of the proposal (rule, scope, people): a re-detection finds the pinned decision
    key: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(40))
    person_a_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id"))
    person_b_id: Mapped[int | None] = mapped_column(sa.ForeignKey("persons.id"))
    evidence: Mapped[str] = mapped_column(sa.Text)
    first_detected_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_detected_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[ConflictStatus] = mapped_column(enum_column(ConflictStatus), default=ConflictStatus.OPEN)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_reason: Mapped[str | None] = mapped_column(sa.Text)
    relation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("relations.id"))

    person_a = relationship("Person", foreign_keys=[person_a_id])
    person_b = relationship("Person", foreign_keys=[person_b_id])

    __table_args__ = (sa.UniqueConstraint("body_id", "key"),)


class OverrideRecord(db.Model):
    """A supervisor-approved exception letting a conflicted person act, with a mandatory reason."""

    __tablename__ = "recusal_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_person_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    candidate_person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("persons.id"))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    occupation_code: Mapped[str | None] = mapped_column(sa.String(20))
    reason: Mapped[str] = mapped_column(sa.Text)
    #: canonical JSON list of the reason codes it was granted for (later-found conflicts are not covered)
    covers: Mapped[str | None] = mapped_column(sa.Text)
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_on: Mapped[date | None]
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    actor = relationship("Person", foreign_keys=[actor_person_id])
    candidate = relationship("Person", foreign_keys=[candidate_person_id])
    approvals: Mapped[list[OverrideApproval]] = relationship(back_populates="override", lazy="selectin")


class OverrideApproval(db.Model):
    """One supervisor's approval of an override (scoring overrides need two)."""

    __tablename__ = "recusal_override_approvals"

    override_id: Mapped[int] = mapped_column(sa.ForeignKey("recusal_overrides.id"), primary_key=True)
    approver_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime())

    override: Mapped[OverrideRecord] = relationship(back_populates="approvals")
    approver = relationship("User")


class RecusalCheck(db.Model):
    """One decision of the engine, kept as the evidence behind an assignment, a score or a content access."""

    __tablename__ = "recusal_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_person_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role))
    candidate_person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    occupation_code: Mapped[str | None] = mapped_column(sa.String(20))
    context_type: Mapped[str | None] = mapped_column(sa.String(40))
    context_id: Mapped[int | None]
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    allowed: Mapped[bool]
    #: canonical JSON of the verdict: every reason with its evidence, notices, override used
    verdict: Mapped[str] = mapped_column(sa.Text)
    override_id: Mapped[int | None] = mapped_column(sa.ForeignKey("recusal_overrides.id"))


class Assignment(db.Model):
    """A person put in front of a candidate (or an occupation's content) in a role, allowed by a check."""

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role))
    candidate_person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    occupation_code: Mapped[str | None] = mapped_column(sa.String(20))
    context_type: Mapped[str | None] = mapped_column(sa.String(40))
    context_id: Mapped[int | None]
    check_id: Mapped[int] = mapped_column(sa.ForeignKey("recusal_checks.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class StaffQualification(db.Model):
    """An assessor's qualification: grade and card, valid until a date (inclusive)."""

    __tablename__ = "staff_qualifications"

    person_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id"), primary_key=True)
    grade: Mapped[StaffGrade] = mapped_column(enum_column(StaffGrade))
    card_number: Mapped[str] = mapped_column(sa.String(40))
    valid_until: Mapped[date]

    person = relationship("Person")


class PanelDraw(db.Model):
    """A recorded random draw of panels: its seed and inputs (so it can be replayed) and its result."""

    __tablename__ = "panel_draws"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id"), index=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id"))
    session_date: Mapped[date]
    level_ordinal: Mapped[int] = mapped_column(sa.ForeignKey("levels.ordinal"))
    kind: Mapped[SessionKind] = mapped_column(enum_column(SessionKind))
    seed: Mapped[int] = mapped_column(sa.BigInteger)
    #: canonical JSON of everything the draw depended on
    inputs: Mapped[str] = mapped_column(sa.Text)
    inputs_digest: Mapped[str] = mapped_column(sa.String(64))
    #: canonical JSON of the DrawResult (panels or failures)
    result: Mapped[str] = mapped_column(sa.Text)
    ok: Mapped[bool]
    drawn_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime())

    site = relationship("Site")
