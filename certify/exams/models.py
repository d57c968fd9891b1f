"""Theory exams as stored: sessions in rooms with invigilators, candidates' attempts (seat, ticket, paper,
accommodation, timing events, answers), incidents, and marking (objective scores, blind hand marks, locks).

Whether an attempt is open, paused or overdue is computed from these timestamps by `certify.exams.timing`
(through `certify.exams.clocks.timing_for`); `AttemptState` only records how an attempt ended, written once
by a guarded update.
"""

from __future__ import annotations

import enum
import json
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from certify.core.db import db
from certify.core.types import UTCDateTime, enum_column
from certify.exams.saving import AttemptState
from certify.exams.timing import ExpiryPolicy, PauseKind

__all__ = ["AttemptState", "ExpiryPolicy", "PauseKind"]


class ExamSession(db.Model):
    """A theory sitting (理论知识考试场次): one occupation and level, one blueprint, one site, a window."""

    __tablename__ = "exam_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    occupation_id: Mapped[int] = mapped_column(sa.ForeignKey("occupations.id"))
    level_ordinal: Mapped[int] = mapped_column(sa.ForeignKey("levels.ordinal"))
    blueprint_id: Mapped[int] = mapped_column(sa.ForeignKey("blueprints.id"))
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id"))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_minutes: Mapped[int]
    expiry_policy: Mapped[ExpiryPolicy] = mapped_column(enum_column(ExpiryPolicy), default=ExpiryPolicy.AUTO_SUBMIT)
    #: GRACE policy only: how long after the deadline the candidate may still submit
    grace_minutes: Mapped[int] = mapped_column(default=0)
    #: staffing rule in force for this session (DOMAIN.md: 1 per 15 candidates, at least 2 per room)
    candidates_per_invigilator: Mapped[int] = mapped_column(default=15)
    min_invigilators_per_room: Mapped[int] = mapped_column(default=2)
    #: the assembly run whose forms the candidates' papers come from (set when papers are generated)
    run_id: Mapped[int | None] = mapped_column(sa.ForeignKey("assembly_runs.id"))
    papers_generated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: hand-marked items: independent marks further apart than this go to a third marker
    marking_threshold: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2), default=Decimal(3))
    #: when the theory scores were locked (no mark or regrade after) and by whom
    scores_locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    scores_locked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    occupation = relationship("Occupation")
    blueprint = relationship("BlueprintRecord")
    site = relationship("Site")
    run = relationship("AssemblyRun")
    rooms: Mapped[list[SessionRoom]] = relationship(back_populates="session", order_by="SessionRoom.id")
    attempts: Mapped[list[ExamAttempt]] = relationship(back_populates="session", order_by="ExamAttempt.id")

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)


class SessionRoom(db.Model):
    """A room used by a session, with the code the invigilator shows for self check-in and the room's start."""

    __tablename__ = "exam_session_rooms"
    __table_args__ = (sa.UniqueConstraint("session_id", "room_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("exam_sessions.id"), index=True)
    room_id: Mapped[int] = mapped_column(sa.ForeignKey("rooms.id"))
    #: shown on the invigilator's console; a candidate checking in alone types it with the ticket number
    room_code: Mapped[str] = mapped_column(sa.String(12))
    #: when an invigilator authorised Start for the whole room (seats may also be authorised one by one)
    start_authorised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    start_authorised_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    session: Mapped[ExamSession] = relationship(back_populates="rooms")
    room = relationship("Room")
    invigilators: Mapped[list[RoomInvigilator]] = relationship(
        back_populates="session_room", order_by="RoomInvigilator.id"
    )
    attempts: Mapped[list[ExamAttempt]] = relationship(back_populates="session_room", order_by="ExamAttempt.seat")


class RoomInvigilator(db.Model):
    """An invigilator assigned to a room of a session (allowed by the recusal engine for every candidate there)."""

    __tablename__ = "exam_room_invigilators"
    __table_args__ = (sa.UniqueConstraint("session_room_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_room_id: Mapped[int] = mapped_column(sa.ForeignKey("exam_session_rooms.id"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    assigned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    session_room: Mapped[SessionRoom] = relationship(back_populates="invigilators")
    person = relationship("Person")


class ExamAttempt(db.Model):
    """An enrolled candidate's seat and attempt: ticket, paper, accommodation, check-in, timing and outcome."""

    __tablename__ = "exam_attempts"
    __table_args__ = (
        sa.UniqueConstraint("session_id", "candidate_person_id"),
        sa.UniqueConstraint("session_room_id", "seat"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("exam_sessions.id"), index=True)
    candidate_person_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(sa.ForeignKey("applications.id"))
    session_room_id: Mapped[int] = mapped_column(sa.ForeignKey("exam_session_rooms.id"), index=True)
    seat: Mapped[int]
    #: admission ticket number (准考证号), printed with a QR code for check-in
    ticket_number: Mapped[str] = mapped_column(sa.String(20), unique=True)
    #: the form (A/B…) this candidate sits, and the seed of their personal question and option order
    paper_id: Mapped[int | None] = mapped_column(sa.ForeignKey("papers.id"))
    candidate_seed: Mapped[str | None] = mapped_column(sa.String(40))
    #: accommodation profile set by staff (考试便利): multiplier, extra minutes, breaks
    time_multiplier: Mapped[Decimal] = mapped_column(sa.Numeric(4, 2), default=Decimal(1))
    extra_minutes: Mapped[int] = mapped_column(default=0)
    breaks_allowed: Mapped[int] = mapped_column(default=0)
    break_minutes: Mapped[int] = mapped_column(default=0)
    accommodation_note: Mapped[str] = mapped_column(sa.String(300), default="")
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: None when the candidate checked in themselves with the room code
    checked_in_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: a seat authorised on its own (the room's authorisation also counts)
    start_authorised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: how the attempt ended; IN_PROGRESS until then (also before Start)
    state: Mapped[AttemptState] = mapped_column(enum_column(AttemptState), default=AttemptState.IN_PROGRESS)
    #: submit time recorded (for an auto-submit: the deadline, not the moment the sweep ran)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: when the attempt was closed in the database (by the candidate, the sweep, a read or an invigilator)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    terminated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    terminated_reason: Mapped[str | None] = mapped_column(sa.Text)
    #: the browser session allowed to save: another page needs the invigilator's authorisation to take over
    client_token: Mapped[str | None] = mapped_column(sa.String(64))
    client_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: an invigilator allowed the next page that opens the attempt to take over (move to another computer)
    move_authorised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: scores: objective part at submit, hand-marked part when marking ends, final 0–100 when locked
    objective_score: Mapped[Decimal | None] = mapped_column(sa.Numeric(8, 2))
    hand_score: Mapped[Decimal | None] = mapped_column(sa.Numeric(8, 2))
    theory_score: Mapped[Decimal | None] = mapped_column(sa.Numeric(8, 2))
    scored_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    session: Mapped[ExamSession] = relationship(back_populates="attempts")
    session_room: Mapped[SessionRoom] = relationship(back_populates="attempts")
    candidate = relationship("Person")
    paper = relationship("PaperRecord")
    answers: Mapped[list[AttemptAnswer]] = relationship(back_populates="attempt", order_by="AttemptAnswer.position")
    pauses: Mapped[list[AttemptPause]] = relationship(back_populates="attempt", order_by="AttemptPause.id")
    added_time: Mapped[list[AttemptAddedTime]] = relationship(back_populates="attempt", order_by="AttemptAddedTime.id")

    @property
    def closed(self) -> bool:
        return self.state is not AttemptState.IN_PROGRESS


class AttemptAnswer(db.Model):
    """The newest saved answer to one question of an attempt (by the client's sequence number) and its score."""

    __tablename__ = "exam_answers"

    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("exam_attempts.id"), primary_key=True)
    #: the paper item's position (PaperItem.position), which pins the question version
    position: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int]
    #: canonical JSON of the response (letters, text, list of blanks)
    value: Mapped[str] = mapped_column(sa.Text)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime())
    flagged: Mapped[bool] = mapped_column(default=False)
    #: automatic score of an objective item (None for a hand-marked one until marking ends)
    points: Mapped[Decimal | None] = mapped_column(sa.Numeric(8, 2))

    attempt: Mapped[ExamAttempt] = relationship(back_populates="answers")

    def response(self) -> Any:
        return json.loads(self.value)


class AttemptPause(db.Model):
    """An interval in which an attempt's clock stood still: an invigilator's pause or an accommodation break."""

    __tablename__ = "exam_attempt_pauses"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("exam_attempts.id"), index=True)
    kind: Mapped[PauseKind] = mapped_column(enum_column(PauseKind), default=PauseKind.INVIGILATOR)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    attempt: Mapped[ExamAttempt] = relationship(back_populates="pauses")


class AttemptAddedTime(db.Model):
    """Minutes an invigilator added to one attempt, with the reason."""

    __tablename__ = "exam_attempt_added_time"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("exam_attempts.id"), index=True)
    minutes: Mapped[int]
    reason: Mapped[str] = mapped_column(sa.Text)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())
    added_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    attempt: Mapped[ExamAttempt] = relationship(back_populates="added_time")
    added_by = relationship("User")


class IncidentCategory(enum.StrEnum):
    """What an invigilator reports (考场记录)."""

    IDENTITY = "identity"  #: doubt about who sits the exam
    CHEATING = "cheating"  #: suspected cheating or prohibited material
    TECHNICAL = "technical"  #: computer, network or power trouble
    HEALTH = "health"  #: a candidate taken ill
    DISRUPTION = "disruption"
    OTHER = "other"


class ExamIncident(db.Model):
    """An incident reported in a room, optionally about one candidate."""

    __tablename__ = "exam_incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_room_id: Mapped[int] = mapped_column(sa.ForeignKey("exam_session_rooms.id"), index=True)
    attempt_id: Mapped[int | None] = mapped_column(sa.ForeignKey("exam_attempts.id"), index=True)
    category: Mapped[IncidentCategory] = mapped_column(enum_column(IncidentCategory))
    text: Mapped[str] = mapped_column(sa.Text)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reported_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    session_room = relationship("SessionRoom")
    attempt = relationship("ExamAttempt")
    reported_by = relationship("User")


class MarkerRole(enum.StrEnum):
    """A hand-marker's part: one of the independent markers, or the third marker / group leader."""

    MARKER = "marker"
    ADJUDICATOR = "adjudicator"


class SessionMarker(db.Model):
    """A person assigned to mark a session's hand-marked items (allowed by the recusal engine for every candidate)."""

    __tablename__ = "exam_session_markers"
    __table_args__ = (sa.UniqueConstraint("session_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("exam_sessions.id"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    role: Mapped[MarkerRole] = mapped_column(enum_column(MarkerRole), default=MarkerRole.MARKER)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: when the marker signed their marks for the session (the lock needs every marker's signature)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    person = relationship("Person")


class HandMark(db.Model):
    """One marker's independent mark of one hand-marked answer; never overwritten (a correction is a new row)."""

    __tablename__ = "exam_hand_marks"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("exam_attempts.id"), index=True)
    position: Mapped[int]
    marker_person_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    role: Mapped[MarkerRole] = mapped_column(enum_column(MarkerRole))
    points: Mapped[Decimal] = mapped_column(sa.Numeric(8, 2))
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: the recusal check that allowed this marker to mark this candidate
    check_id: Mapped[int | None] = mapped_column(sa.ForeignKey("recusal_checks.id"))
    #: a later mark by the same marker for the same answer replaces this one in the reckoning (kept for audit)
    superseded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("exam_hand_marks.id"))

    marker = relationship("Person")


class Regrade(db.Model):
    """A re-scoring of a session's stored responses after a key correction, with the diff it applied."""

    __tablename__ = "exam_regrades"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("exam_sessions.id"), index=True)
    #: the paper position whose key changed, the version scored before and the corrected one
    paper_id: Mapped[int] = mapped_column(sa.ForeignKey("papers.id"))
    position: Mapped[int]
    old_version_id: Mapped[int] = mapped_column(sa.ForeignKey("question_versions.id"))
    new_version_id: Mapped[int] = mapped_column(sa.ForeignKey("question_versions.id"))
    reason: Mapped[str] = mapped_column(sa.Text)
    #: JSON list of {attempt, before, after} for every attempt whose score changed
    diff: Mapped[str] = mapped_column(sa.Text)
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime())
    applied_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
