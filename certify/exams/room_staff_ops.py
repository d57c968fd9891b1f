"""Invigilators of a session's rooms (监考安排), assigned through the recusal engine for every candidate of the room.

Every candidate of a room is checked against every invigilator of it: when an invigilator is assigned, and when
a candidate is enrolled into or moved to a room that already has invigilators. A block refuses the whole change
and names every blocked pair with all of the engine's reasons (`InvigilatorBlocked`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from certify.auth.models import Role as AccountRole
from certify.auth.models import User
from certify.core.clock import now_utc
from certify.core.db import db
from certify.core.errors import Refused
from certify.exams import messages_sessions as _messages  # noqa: F401  (registers the codes)
from certify.exams.models import ExamAttempt, ExamSession, RoomInvigilator, SessionRoom
from certify.exams.sessions_ops import local_text, lock_session
from certify.institutions.models import Body, Person
from certify.recusal import operations as recusal_ops
from certify.recusal.models import Assignment
from certify.recusal.operations import RecusalBlocked
from certify.recusal.policy import Role
from certify.recusal.rules import Reason, Verdict
from certify.supervision import audit


@dataclass(frozen=True)
class BlockedPair:
    """One invigilator the engine keeps away from one candidate, with every reason."""

    invigilator: str
    candidate: str
    ticket: str
    room: str
    reasons: tuple[Reason, ...]


class InvigilatorBlocked(RecusalBlocked):
    """The recusal engine blocked one or more invigilator–candidate pairs; `pairs` names each with its reasons."""

    def __init__(self, pairs: list[BlockedPair], verdict: Verdict, check=None):
        self.pairs = pairs
        super().__init__(verdict, check)


def context_of(session: ExamSession) -> tuple[str, int]:
    """The recusal context of a session's assignments."""
    return ("exam_session", session.id)


def _name(person_id: int) -> str:
    person = db.session.get(Person, person_id)
    return person.name if person else str(person_id)


def check_pairs(pairs: Iterable[tuple[int, ExamAttempt]], session: ExamSession) -> None:
    """Assign each (invigilator person, attempt) pair through the engine; refuse with every blocked pair."""
    blocked: list[BlockedPair] = []
    reasons: list[Reason] = []
    first_check = None
    for person_id, attempt in pairs:
        try:
            recusal_ops.assign(
                person_id, Role.INVIGILATOR, candidate=attempt.candidate_person_id, context=context_of(session)
            )
        except RecusalBlocked as refused:
            first_check = first_check or refused.check
            room = attempt.session_room.room.name if attempt.session_room else ""
            pair = BlockedPair(
                _name(person_id), _name(attempt.candidate_person_id), attempt.ticket_number, room,
                tuple(refused.verdict.reasons),
            )  # fmt: skip
            blocked.append(pair)
            reasons.extend(refused.verdict.reasons)
    if blocked:
        raise InvigilatorBlocked(blocked, Verdict(False, tuple(reasons)), first_check)


def check_new_candidates(attempts: Iterable[ExamAttempt], session: ExamSession) -> None:
    """Check candidates just enrolled into (or moved to) rooms against the invigilators already there."""
    pairs = [(inv.person_id, attempt) for attempt in attempts for inv in attempt.session_room.invigilators]
    check_pairs(pairs, session)


def _invigilator_user(person_id: int, body_id: int) -> User | None:
    return db.session.execute(
        sa.select(User).where(User.person_id == person_id, User.body_id == body_id, User.active.is_(True))
    ).scalar_one_or_none()


def assign_invigilator(session_room: SessionRoom, person_id: int, user: User | None) -> RoomInvigilator:
    """Put an invigilator of the body in a room, checked by the recusal engine against every candidate there."""
    session = session_room.session
    lock_session(session)
    body = db.session.get(Body, session.body_id)
    if now_utc() >= session.closes_at:
        raise Refused("session_finished", closes_at=local_text(session.closes_at, body))
    account = _invigilator_user(person_id, session.body_id) if isinstance(person_id, int) else None
    if account is None or not account.has_role(AccountRole.INVIGILATOR):
        raise Refused("session_not_invigilator", field="person_id", name=_name(person_id) if account else "")
    existing = db.session.execute(
        sa.select(SessionRoom)
        .join(RoomInvigilator, RoomInvigilator.session_room_id == SessionRoom.id)
        .where(SessionRoom.session_id == session.id, RoomInvigilator.person_id == person_id)
    ).scalar_one_or_none()
    if existing is not None:
        code = "session_invigilator_here" if existing.id == session_room.id else "session_invigilator_elsewhere"
        raise Refused(code, field="person_id", name=account.person.name, room=existing.room.name)
    recusal_ops.lock_people([person_id])
    if session_room.attempts:
        check_pairs([(person_id, attempt) for attempt in session_room.attempts], session)
    else:
        # an empty room still needs the person's declaration for the session (the engine asks for it)
        recusal_ops.assign(person_id, Role.INVIGILATOR, context=context_of(session))
    row = RoomInvigilator(
        session_room_id=session_room.id,
        person_id=person_id,
        assigned_at=now_utc(),
        assigned_by_id=user.id if user else None,
    )
    db.session.add(row)
    session_room.invigilators.append(row)
    db.session.flush()
    audit.record(
        "exams.invigilator_assigned",
        object_type="exam_session_room",
        object_id=session_room.id,
        after={"person": person_id, "name": account.person.name, "candidates": len(session_room.attempts)},
    )
    return row


def end_assignments(session: ExamSession, person_id: int, candidate_ids: Iterable[int] | None = None) -> None:
    """End the recusal assignments of an invigilator in the session (for some candidates, or all)."""
    stmt = sa.update(Assignment).where(
        Assignment.person_id == person_id,
        Assignment.role == Role.INVIGILATOR,
        Assignment.context_type == "exam_session",
        Assignment.context_id == session.id,
        Assignment.ended_at.is_(None),
    )
    if candidate_ids is not None:
        stmt = stmt.where(Assignment.candidate_person_id.in_(list(candidate_ids)))
    db.session.execute(stmt.values(ended_at=now_utc()).execution_options(synchronize_session=False))


def remove_invigilator(session_room: SessionRoom, person_id: int, user: User | None) -> None:
    """Take an invigilator out of a room (refused once the window closed); the staffing rule shows the gap."""
    session = session_room.session
    row = next((inv for inv in session_room.invigilators if inv.person_id == person_id), None)
    if row is None:
        raise Refused("session_invigilator_unknown", field="person_id")
    if now_utc() >= session.closes_at:
        body = db.session.get(Body, session.body_id)
        raise Refused("session_finished", closes_at=local_text(session.closes_at, body))
    if now_utc() >= session.opens_at and session_room.attempts:
        # A running room must never drop below the staffing rule: bring the replacement in first.
        from certify.exams.session_rules import invigilators_needed

        needed = invigilators_needed(
            len(session_room.attempts), session.candidates_per_invigilator, session.min_invigilators_per_room
        )
        if len(session_room.invigilators) - 1 < needed:
            params = {"room": session_room.room.name, "have": len(session_room.invigilators), "needed": needed}
            raise Refused("session_invigilator_removal_short", field="person_id", **params)
    name = _name(person_id)
    session_room.invigilators.remove(row)
    db.session.delete(row)
    end_assignments(session, person_id)
    db.session.flush()
    audit.record(
        "exams.invigilator_removed",
        object_type="exam_session_room",
        object_id=session_room.id,
        before={"person": person_id, "name": name},
    )
