"""Enrolment (考生编排): candidates from approved applications or an imported roster, seats, tickets, moves and
accommodation profiles. Every change is refused whole (with every reason) or made whole, and audited.

Seats are given room by room in the session's room order, lowest free seat first, within each room's seats.
Ticket numbers are year + session + sequence (`session_rules.ticket_number`). Once papers exist, a newly
seated candidate gets the form of their seat and a personal seed straight away.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from certify.applications.models import Application, ApplicationState
from certify.auth.models import User
from certify.core.clock import now_utc
from certify.core.db import db
from certify.core.errors import Problem, Refused
from certify.exams import messages_sessions as _messages  # noqa: F401  (registers the codes)
from certify.exams import room_staff_ops, session_rules
from certify.exams.models import ExamAttempt, ExamSession, SessionRoom
from certify.exams.session_roster import RosterPolicy, parse_session_roster
from certify.exams.sessions_ops import local_text, lock_session
from certify.exams.timing import Accommodation, ExamTiming
from certify.exams.timing_checks import validate_timing
from certify.institutions.identity import mask_id
from certify.institutions.models import Body, Person
from certify.supervision import audit


@dataclass(frozen=True)
class Enrolee:
    """Someone to seat: the person, the application they came through (if any) and their name for messages."""

    person_id: int
    application_id: int | None
    name: str


def _body(session: ExamSession) -> Body:
    return db.session.get(Body, session.body_id)


def _refuse_if_opened(session: ExamSession) -> None:
    if now_utc() >= session.opens_at:
        raise Refused("session_enrol_opened", opens_at=local_text(session.opens_at, _body(session)))


def _room_of(session: ExamSession, session_room: SessionRoom | None) -> list[SessionRoom]:
    if session_room is None:
        return list(session.rooms)
    if session_room.session_id != session.id:
        raise Refused("session_room_not_in_session", field="room")
    return [session_room]


def _ticket_year(session: ExamSession) -> int:
    return session.opens_at.astimezone(ZoneInfo(_body(session).timezone or "Asia/Shanghai")).year


def _next_sequence(session: ExamSession, prefix: str) -> int:
    numbers = db.session.execute(sa.select(ExamAttempt.ticket_number).where(ExamAttempt.session_id == session.id))
    found = [session_rules.ticket_sequence(n, prefix) for n in numbers.scalars()]
    return max([n for n in found if n is not None], default=0) + 1


def give_paper(attempt: ExamAttempt, session: ExamSession) -> None:
    """Once papers exist: the form of the attempt's seat and a personal seed from the run's seed and the ticket."""
    if session.run is None:
        return
    papers = {paper.form: paper for paper in session.run.papers}
    form = session_rules.form_for_seat(attempt.seat, sorted(papers))
    attempt.paper = papers[form]
    attempt.candidate_seed = session_rules.candidate_seed(session.run.seed, attempt.ticket_number)


def _seat(session: ExamSession, enrolees: Sequence[Enrolee], session_room: SessionRoom | None) -> list[ExamAttempt]:
    rooms = _room_of(session, session_room)
    seats = [
        session_rules.RoomSeats(room.id, room.room.seats, frozenset(a.seat for a in room.attempts)) for room in rooms
    ]
    plan = session_rules.allocate_seats(seats, len(enrolees))
    if plan.missing:
        raise Refused("session_seats_short", needed=len(enrolees), free=plan.free, missing=plan.missing)
    year = _ticket_year(session)
    sequence = _next_sequence(session, session_rules.ticket_number(year, session.id, 0)[:-4])
    by_id = {room.id: room for room in rooms}
    attempts = []
    for offset, (enrolee, (room_id, seat)) in enumerate(zip(enrolees, plan.seats, strict=True)):
        attempt = ExamAttempt(
            candidate_person_id=enrolee.person_id,
            application_id=enrolee.application_id,
            seat=seat,
            ticket_number=session_rules.ticket_number(year, session.id, sequence + offset),
        )
        db.session.add(attempt)
        # through the relationships, so the session's and rooms' lists see the new seats at once
        attempt.session, attempt.session_room = session, by_id[room_id]
        give_paper(attempt, session)
        attempts.append(attempt)
    db.session.flush()
    return attempts


def _enrol(session: ExamSession, enrolees: Sequence[Enrolee], user: User | None, room, source: str) -> list:
    attempts = _seat(session, enrolees, room)
    room_staff_ops.check_new_candidates(attempts, session)
    after = [
        {"attempt": a.id, "person": a.candidate_person_id, "application": a.application_id, "ticket": a.ticket_number,
         "room": a.session_room.room.name, "seat": a.seat}
        for a in attempts
    ]  # fmt: skip
    audit.record(
        "exams.candidates_enrolled", object_type="exam_session", object_id=session.id,
        after={"source": source, "candidates": after},
    )  # fmt: skip
    return attempts


def _enrolled(session: ExamSession) -> dict[int, ExamAttempt]:
    return {attempt.candidate_person_id: attempt for attempt in session.attempts}


def enrol_from_applications(
    session: ExamSession, application_ids: Iterable[int], user: User | None, room: SessionRoom | None = None
) -> list[ExamAttempt]:
    """Enrol the candidates of approved applications (same body, occupation and level, not yet enrolled)."""
    lock_session(session)
    _refuse_if_opened(session)
    ids = list(dict.fromkeys(application_ids))
    if not ids:
        raise Refused("session_nothing_chosen", field="applications")
    found = {a.id: a for a in db.session.execute(sa.select(Application).where(Application.id.in_(ids))).scalars()}
    enrolled = _enrolled(session)
    problems, enrolees, seen = [], [], set()
    for app_id in ids:
        app = found.get(app_id)
        if app is None or app.body_id != session.body_id:
            problems.append(Problem("session_application_unknown", "applications", {"id": app_id}))
            continue
        name = app.candidate.name
        if app.state is not ApplicationState.APPROVED:
            problems.append(Problem("session_application_not_approved", "applications", {"name": name, "id": app_id}))
        elif (app.occupation_id, app.level_ordinal) != (session.occupation_id, session.level_ordinal):
            problems.append(Problem("session_application_mismatch", "applications", {"name": name, "id": app_id}))
        elif app.candidate_person_id in enrolled:
            ticket = enrolled[app.candidate_person_id].ticket_number
            problems.append(Problem("session_already_enrolled", "applications", {"name": name, "ticket": ticket}))
        elif app.candidate_person_id not in seen:
            seen.add(app.candidate_person_id)
            enrolees.append(Enrolee(app.candidate_person_id, app.id, name))
    if problems:
        raise Refused(problems)
    return _enrol(session, enrolees, user, room, "applications")


def approved_applications(session: ExamSession) -> list[Application]:
    """Approved applications of the session's body, occupation and level whose candidate is not enrolled yet."""
    enrolled = sa.select(ExamAttempt.candidate_person_id).where(ExamAttempt.session_id == session.id)
    stmt = (
        sa.select(Application)
        .where(
            Application.body_id == session.body_id,
            Application.occupation_id == session.occupation_id,
            Application.level_ordinal == session.level_ordinal,
            Application.state == ApplicationState.APPROVED,
            Application.candidate_person_id.not_in(enrolled),
        )
        .order_by(Application.decided_at, Application.id)
    )
    apps, people = [], set()
    for app in db.session.execute(stmt).scalars():
        if app.candidate_person_id not in people:  # one seat per person, whatever their applications
            people.add(app.candidate_person_id)
            apps.append(app)
    return apps


def enrol_all_approved(session: ExamSession, user: User | None, room: SessionRoom | None = None) -> list:
    """Enrol every candidate with an approved application for the session not enrolled yet."""
    apps = approved_applications(session)
    if not apps:
        lock_session(session)
        _refuse_if_opened(session)
        raise Refused("session_no_applications")
    return enrol_from_applications(session, [a.id for a in apps], user, room)


def import_roster(
    session: ExamSession, data: bytes, filename: str, user: User | None, room: SessionRoom | None = None
) -> list[ExamAttempt]:
    """Enrol the people of a roster file (ID number and name) — everyone, or nobody and every bad row."""
    lock_session(session)
    _refuse_if_opened(session)
    parsed = parse_session_roster(data, filename or "roster", RosterPolicy())
    if parsed.problems:
        raise Refused(parsed.problems)
    numbers = sorted({row.id_number for row in parsed.rows})
    people: dict[str, Person] = {}
    for start in range(0, len(numbers), 500):
        stmt = (
            sa.select(Person)
            .where(Person.body_id == session.body_id, Person.id_number.in_(numbers[start : start + 500]))
            .order_by(Person.id)
        )
        for person in db.session.execute(stmt).scalars():
            people.setdefault(person.id_number, person)
    enrolled = _enrolled(session)
    applications = {a.candidate_person_id: a.id for a in approved_applications(session)}
    problems, enrolees = [], []
    for row in parsed.rows:
        person = people.get(row.id_number)
        where = {"row": row.row}
        if person is None:
            problems.append(Problem("session_roster_unknown", "id_number", {**where, "id": mask_id(row.id_number)}))
        elif " ".join(person.name.split()) != row.name:
            params = {**where, "name": row.name, "registered": person.name}
            problems.append(Problem("session_roster_name_differs", "name", params))
        elif person.id in enrolled:
            params = {**where, "name": person.name, "ticket": enrolled[person.id].ticket_number}
            problems.append(Problem("session_roster_enrolled", "id_number", params))
        else:
            enrolees.append(Enrolee(person.id, applications.get(person.id), person.name))
    if problems:
        raise Refused(problems)
    return _enrol(session, enrolees, user, room, "roster")


def move_candidate(attempt: ExamAttempt, session_room: SessionRoom, seat: int | None, user: User | None) -> ExamAttempt:
    """Move a candidate to another room and/or seat (a free one; the first free when `seat` is None)."""
    session = attempt.session
    lock_session(session)
    body = _body(session)
    if session_room.session_id != session.id:
        raise Refused("session_room_not_in_session", field="room")
    if attempt.started_at is not None or attempt.closed:
        raise Refused("session_attempt_started", name=attempt.candidate.name)
    if now_utc() >= session.closes_at:
        raise Refused("session_finished", closes_at=local_text(session.closes_at, body))
    capacity, room_name = session_room.room.seats, session_room.room.name
    taken = {a.seat: a for a in session_room.attempts if a.id != attempt.id}
    if seat is None:
        free = [s for s in range(1, capacity + 1) if s not in taken]
        if not free:
            raise Refused("session_seats_short", field="seat", needed=1, free=0, missing=1)
        seat = free[0]
    if not 1 <= seat <= capacity:
        raise Refused("session_seat_range", field="seat", seat=seat, room=room_name, seats=capacity)
    if seat in taken:
        raise Refused("session_seat_taken", field="seat", seat=seat, room=room_name, ticket=taken[seat].ticket_number)
    before = {"room": attempt.session_room.room.name, "seat": attempt.seat, "paper": attempt.paper_id}
    old_room = attempt.session_room
    if old_room.id == session_room.id and seat == attempt.seat:
        return attempt
    if old_room.id != session_room.id:
        for inv in old_room.invigilators:
            room_staff_ops.end_assignments(session, inv.person_id, [attempt.candidate_person_id])
    attempt.session_room = session_room
    attempt.seat = seat
    give_paper(attempt, session)
    db.session.flush()
    if old_room.id != session_room.id:
        room_staff_ops.check_new_candidates([attempt], session)
    after = {"room": room_name, "seat": seat, "paper": attempt.paper_id}
    audit.record("exams.candidate_moved", object_type="exam_attempt", object_id=attempt.id, before=before, after=after)
    return attempt


ACCOMMODATION_LIMITS = {"extra_minutes": 600, "breaks_allowed": 10, "break_minutes": 120}
MAX_MULTIPLIER = Decimal(4)


def _accommodation(values: dict) -> tuple[dict, list[Problem]]:
    problems: list[Problem] = []
    raw = str(values.get("time_multiplier") if values.get("time_multiplier") is not None else "1").strip()
    try:
        multiplier = Decimal(raw.replace("，", ".").replace(",", "."))
        if not multiplier.is_finite() or multiplier != multiplier.quantize(Decimal("0.01")):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        multiplier = None
    clean = {"time_multiplier": multiplier}
    for name, limit in ACCOMMODATION_LIMITS.items():
        value = values.get(name) if values.get(name) is not None else 0
        clean[name] = value if isinstance(value, int) else None
        if clean[name] is None or clean[name] > limit:
            problems.append(Problem("session_minutes_range", name, {"max": limit}))
    if multiplier is None or multiplier > MAX_MULTIPLIER:
        problems.append(Problem("session_multiplier_range", "time_multiplier", {"max": str(MAX_MULTIPLIER)}))
    note = " ".join(str(values.get("accommodation_note") or "").split())
    if len(note) > 300:
        problems.append(Problem("session_note_long", "accommodation_note", {"max": 300, "length": len(note)}))
    clean["accommodation_note"] = note
    return clean, problems


def set_accommodation(attempt: ExamAttempt, values: dict, user: User | None) -> ExamAttempt:
    """Set a candidate's accommodation profile (time multiplier ≥ 1, extra minutes, breaks); refused once started."""
    if attempt.started_at is not None or attempt.closed:
        raise Refused("session_accommodation_started", name=attempt.candidate.name)
    clean, problems = _accommodation(values)
    numbers = ("time_multiplier", *ACCOMMODATION_LIMITS)
    if all(clean[name] is not None for name in numbers):
        # the clock's own checks (multiplier ≥ 1, no negative minutes), reported on the form's fields
        session = attempt.session
        acc = Accommodation(*(clean[name] for name in numbers))
        timing = ExamTiming(session.opens_at, session.closes_at, session.duration, accommodation=acc)
        fields = {"accommodation.time_multiplier": "time_multiplier", "accommodation.breaks": "breaks_allowed"}
        fields |= {f"accommodation.{n}": n for n in ("extra_minutes", "break_minutes")}
        for reason in validate_timing(timing):
            name = fields.get(reason.where or "")
            if name == "time_multiplier":
                problems.append(Problem("session_multiplier_range", name, {"max": str(MAX_MULTIPLIER)}))
            elif name is not None:
                problems.append(Problem("session_minutes_range", name, {"max": ACCOMMODATION_LIMITS[name]}))
        if clean["breaks_allowed"] > 0 and clean["break_minutes"] <= 0:
            problems.append(Problem("session_break_minutes_needed", "break_minutes"))
        if clean["break_minutes"] > 0 and clean["breaks_allowed"] <= 0:
            problems.append(Problem("session_breaks_needed", "breaks_allowed"))
    problems = list({(p.field, p.code): p for p in problems}.values())
    if problems:
        raise Refused(problems)
    names = ("time_multiplier", "extra_minutes", "breaks_allowed", "break_minutes", "accommodation_note")
    before = {name: getattr(attempt, name) for name in names}
    for name in names:
        setattr(attempt, name, clean[name])
    db.session.flush()
    after = {name: getattr(attempt, name) for name in names}
    if after != before:
        audit.record(
            "exams.accommodation_set", object_type="exam_attempt", object_id=attempt.id, before=before, after=after
        )
    return attempt
