"""Applications and their evidence, history and panel votes; bans; competitions, direct recognitions and
appointments (评聘)."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from certify.core.db import db
from certify.core.types import UTCDateTime, enum_column
from certify.ladder.eligibility_relaxations import SanctionTier
from certify.ladder.fasttrack import CompetitionClass, ParticipantType


class ApplicationRoute(enum.StrEnum):
    """How the candidate qualifies: the standard's conditions, or achievement evidence (破格)."""

    STANDARD = "standard"
    EXCEPTIONAL = "exceptional"


class ApplicationState(enum.StrEnum):
    """Where an application stands. Whether a returned one has lapsed is computed from its deadline when read."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"
    REJECTED = "rejected"
    LAPSED = "lapsed"
    WITHDRAWN = "withdrawn"


class Application(db.Model):
    """A candidate's application (申报) to a body for an occupation (and direction) at a level."""

    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id"), index=True)
    candidate_person_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    occupation_id: Mapped[int] = mapped_column(sa.ForeignKey("occupations.id"))
    direction_id: Mapped[int | None] = mapped_column(sa.ForeignKey("occupation_directions.id"))
    level_ordinal: Mapped[int] = mapped_column(sa.ForeignKey("levels.ordinal"))
    route: Mapped[ApplicationRoute] = mapped_column(enum_column(ApplicationRoute), default=ApplicationRoute.STANDARD)
    state: Mapped[ApplicationState] = mapped_column(enum_column(ApplicationState), default=ApplicationState.DRAFT)
    #: canonical JSON of the applicant profile (work history, education, certificates, titles, …)
    profile: Mapped[str] = mapped_column(sa.Text, default="{}")
    #: canonical JSON of the eligibility verdict computed at the last submission
    verdict: Mapped[str | None] = mapped_column(sa.Text)
    #: canonical JSON of the achievement evidence for the exceptional route (award level, problem solved, …)
    achievements: Mapped[str | None] = mapped_column(sa.Text)
    candidate_pledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    candidate_pledge_ip: Mapped[str | None] = mapped_column(sa.String(64))
    employer_pledge_name: Mapped[str | None] = mapped_column(sa.String(200))
    employer_pledge_signatory: Mapped[str | None] = mapped_column(sa.String(100))
    employer_pledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    employer_pledge_ip: Mapped[str | None] = mapped_column(sa.String(64))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: a return for correction happens once; the candidate must resubmit by this time or the application lapses
    return_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    returned_once: Mapped[bool] = mapped_column(default=False)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    candidate = relationship("Person")
    occupation = relationship("Occupation")
    direction = relationship("OccupationDirection")
    events: Mapped[list[ApplicationEvent]] = relationship(back_populates="application", order_by="ApplicationEvent.id")
    evidence: Mapped[list[EvidenceFile]] = relationship(back_populates="application", order_by="EvidenceFile.id")


class ApplicationEvent(db.Model):
    """One step in an application's history, shown to the candidate (problems listed on a return)."""

    __tablename__ = "application_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: created, submitted, returned, resubmitted, approved, rejected, lapsed, withdrawn, panel_vote
    kind: Mapped[str] = mapped_column(sa.String(30))
    #: canonical JSON: the problems listed on a return, the deadline, the reason of a rejection, …
    details: Mapped[str] = mapped_column(sa.Text, default="{}")

    application: Mapped[Application] = relationship(back_populates="events")


class EvidenceKind(enum.StrEnum):
    """What a piece of evidence shows."""

    ID_DOCUMENT = "id_document"
    PHOTO = "photo"
    CERTIFICATE = "certificate"
    SOCIAL_INSURANCE = "social_insurance"
    EDUCATION = "education"
    TITLE = "title"
    ACHIEVEMENT = "achievement"
    OTHER = "other"


class EvidenceFile(db.Model):
    """An uploaded evidence file (images for up to 3 pages, PDF beyond), checked by its content."""

    __tablename__ = "evidence_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id"), index=True)
    kind: Mapped[EvidenceKind] = mapped_column(enum_column(EvidenceKind))
    filename: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(60))
    size: Mapped[int]
    pages: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    application: Mapped[Application] = relationship(back_populates="evidence")


class PanelVote(db.Model):
    """A panel member's vote on an exceptional-route application, a direct recognition or an appointment."""

    __tablename__ = "panel_votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "application", "recognition" or "appointment"
    subject_type: Mapped[str] = mapped_column(sa.String(20))
    subject_id: Mapped[int]
    member_person_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id"))
    approve: Mapped[bool]
    comment: Mapped[str | None] = mapped_column(sa.Text)
    #: the recusal check that allowed this member to vote
    check_id: Mapped[int] = mapped_column(sa.ForeignKey("recusal_checks.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())

    member = relationship("Person")

    __table_args__ = (
        sa.UniqueConstraint("subject_type", "subject_id", "member_person_id"),
        sa.Index("ix_panel_votes_subject", "subject_type", "subject_id"),
    )


class Ban(db.Model):
    """A person barred from applying (and from staff work) until a date, with the sanction tier and reason."""

    __tablename__ = "bans"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    starts_on: Mapped[date]
    #: None = permanent
    ends_on: Mapped[date | None]
    tier: Mapped[SanctionTier] = mapped_column(enum_column(SanctionTier))
    reason: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lifted_reason: Mapped[str | None] = mapped_column(sa.Text)

    person = relationship("Person")


class RuleSetRecord(db.Model):
    """An eligibility rule set as edited by staff (the shipped ones are the defaults)."""

    __tablename__ = "eligibility_rulesets"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(80), unique=True)
    #: canonical JSON in the shipped rule-set format (validated by certify.ladder.eligibility_rulesets)
    data: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class Competition(db.Model):
    """A skills competition in the register (竞赛), with its official results document."""

    __tablename__ = "competitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    competition_class: Mapped[CompetitionClass] = mapped_column(enum_column(CompetitionClass))
    organiser: Mapped[str] = mapped_column(sa.String(200))
    held_on: Mapped[date]
    document_ref: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    events: Mapped[list[CompetitionEvent]] = relationship(back_populates="competition")


class CompetitionEvent(db.Model):
    """An event of a competition, mapped to an occupation."""

    __tablename__ = "competition_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(sa.ForeignKey("competitions.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    occupation_id: Mapped[int] = mapped_column(sa.ForeignKey("occupations.id"))

    competition: Mapped[Competition] = relationship(back_populates="events")
    occupation = relationship("Occupation")
    results: Mapped[list[CompetitionResult]] = relationship(back_populates="event", order_by="CompetitionResult.rank")


class CompetitionResult(db.Model):
    """A competitor's rank in an event."""

    __tablename__ = "competition_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("competition_events.id"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    rank: Mapped[int]
    participant_type: Mapped[ParticipantType] = mapped_column(enum_column(ParticipantType))

    event: Mapped[CompetitionEvent] = relationship(back_populates="results")
    person = relationship("Person")

    __table_args__ = (
        sa.UniqueConstraint("event_id", "person_id"),
        sa.CheckConstraint("rank >= 1", name="rank_positive"),
    )


class DecisionState(enum.StrEnum):
    """A proposal waiting for its panel, then decided."""

    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"


class Recognition(db.Model):
    """A direct recognition (竞赛直接认定) of a competition result as a level, pending a panel's approval."""

    __tablename__ = "recognitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id"), index=True)
    result_id: Mapped[int] = mapped_column(sa.ForeignKey("competition_results.id"), unique=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    occupation_id: Mapped[int] = mapped_column(sa.ForeignKey("occupations.id"))
    awarded_ordinal: Mapped[int] = mapped_column(sa.ForeignKey("levels.ordinal"))
    #: canonical JSON of the mapping row and notes (X+1, once-per-year) behind the award
    basis: Mapped[str] = mapped_column(sa.Text)
    state: Mapped[DecisionState] = mapped_column(enum_column(DecisionState), default=DecisionState.PROPOSED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    result: Mapped[CompetitionResult] = relationship()
    person = relationship("Person")
    occupation = relationship("Occupation")


class Appointment(db.Model):
    """An appointment (评聘) to 学徒工, 特级技师 or 首席技师 by an employer-type (Y) body, with its term."""

    __tablename__ = "appointments"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    occupation_id: Mapped[int] = mapped_column(sa.ForeignKey("occupations.id"))
    level_ordinal: Mapped[int] = mapped_column(sa.ForeignKey("levels.ordinal"))
    #: canonical JSON: portfolio, defence record, prerequisite checks as evaluated
    dossier: Mapped[str] = mapped_column(sa.Text, default="{}")
    state: Mapped[DecisionState] = mapped_column(enum_column(DecisionState), default=DecisionState.PROPOSED)
    term_starts: Mapped[date | None]
    term_ends: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    person = relationship("Person")
    occupation = relationship("Occupation")
