"""Read side of the session pages: a body's sessions, the choices of the session form, invigilators to pick."""

from __future__ import annotations

import sqlalchemy as sa

from certify.auth.models import Role, User, UserRole
from certify.bank.access import body_occupations
from certify.bank.models import BlueprintRecord, BlueprintState
from certify.core.db import db
from certify.exams.models import ExamAttempt, ExamSession, RoomInvigilator, SessionRoom
from certify.institutions.models import Occupation, Person, Site


def sessions_of(body_id: int) -> list[ExamSession]:
    """A body's sessions, newest window first."""
    stmt = sa.select(ExamSession).where(ExamSession.body_id == body_id).order_by(ExamSession.opens_at.desc())
    return list(db.session.execute(stmt).scalars())


def occupations_of(body_id: int) -> list[Occupation]:
    """The occupations the body is filed for."""
    return body_occupations(body_id)


def approved_blueprints(body_id: int) -> list[BlueprintRecord]:
    """The body's approved blueprints, by occupation, level and name."""
    stmt = (
        sa.select(BlueprintRecord)
        .where(BlueprintRecord.body_id == body_id, BlueprintRecord.state == BlueprintState.APPROVED)
        .order_by(BlueprintRecord.occupation_id, BlueprintRecord.level_ordinal, BlueprintRecord.name)
    )
    return list(db.session.execute(stmt).scalars())


def sites_of(body_id: int, include: int | None = None) -> list[Site]:
    """The body's active sites (and the one a session already uses, even if inactive now)."""
    condition = Site.active.is_(True) if include is None else sa.or_(Site.active.is_(True), Site.id == include)
    stmt = sa.select(Site).where(Site.body_id == body_id, condition).order_by(Site.serial)
    return list(db.session.execute(stmt).scalars())


def invigilators_of(body_id: int) -> list[Person]:
    """People of the body whose active account holds the invigilator role, by name."""
    stmt = (
        sa.select(Person)
        .join(User, User.person_id == Person.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(User.body_id == body_id, User.active.is_(True), UserRole.role == Role.INVIGILATOR)
        .order_by(Person.name, Person.id)
    )
    return list(db.session.execute(stmt).scalars().unique())


def attempts_of(session: ExamSession) -> list[ExamAttempt]:
    """The session's candidates in room order, then seat order."""
    stmt = (
        sa.select(ExamAttempt)
        .join(SessionRoom, ExamAttempt.session_room_id == SessionRoom.id)
        .where(ExamAttempt.session_id == session.id)
        .order_by(SessionRoom.id, ExamAttempt.seat)
    )
    return list(db.session.execute(stmt).scalars())


def invigilates(person_id: int | None, session_room_id: int) -> bool:
    """Whether a person invigilates a room (for the photo route's access rule)."""
    if person_id is None:
        return False
    stmt = sa.select(RoomInvigilator.id).where(
        RoomInvigilator.session_room_id == session_room_id, RoomInvigilator.person_id == person_id
    )
    return db.session.execute(stmt).first() is not None
