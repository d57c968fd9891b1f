"""Theory-exam objects for the access matrix, written directly as rows: a session open now in the demo body's
first site, one room with the demo invigilator, candidate1's started attempt and candidate2's, an incident, a
marker (assessor1) with a mark, and a regrade record."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from certify.auth.models import Role, User
from certify.bank import lifecycle, questions_ops
from certify.bank.models import PaperItem, PaperRecord
from certify.core.clock import now_utc
from certify.core.db import db
from certify.exams.models import (
    AttemptAnswer,
    AttemptState,
    ExamAttempt,
    ExamIncident,
    ExamSession,
    HandMark,
    IncidentCategory,
    MarkerRole,
    Regrade,
    RoomInvigilator,
    SessionMarker,
    SessionRoom,
)
from certify.exams.queries_marking import script_code
from certify.institutions.models import Body, Occupation, Room, Site
from question_bank.model import Question

A, S, C, INV = Role.ADMIN, Role.SUPERVISOR, Role.CANDIDATE, Role.INVIGILATOR
ASSESSORS = {Role.ASSESSOR, Role.SENIOR_ASSESSOR}
SESSION = "/exams/sessions/{exam_session}"
ROOM = "/invigilate/rooms/{session_room}"
SEAT = "/invigilate/attempts/{attempt}"
MARKING = "/marking/sessions/{exam_session}"

#: endpoint → (method, URL template, who may reach it); objects are the demo body's (see exams_world)
EXAM_MATRIX = {
    # staff pages of sessions: the admin manages, the supervisor reads
    "exams.sessions": ("GET", "/exams/sessions", {A, S}),
    "exams.new_session": ("GET", "/exams/sessions/new", {A}),
    "exams.session": ("GET", SESSION, {A, S}),
    "exams.edit_session": ("GET", SESSION + "/edit", {A}),
    "exams.enrolment": ("GET", SESSION + "/enrol", {A}),
    "exams.enrol": ("POST", SESSION + "/enrol", {A}),
    "exams.import_roster": ("POST", SESSION + "/roster", {A}),
    "exams.roster_template": ("GET", "/exams/roster-template.xlsx", {A}),
    "exams.generate_papers": ("POST", SESSION + "/papers", {A}),
    "exams.use_run": ("POST", SESSION + "/papers/run", {A}),
    "exams.all_tickets": ("GET", SESSION + "/tickets", {A, S}),
    "exams.assign_invigilator": ("POST", "/exams/rooms/{session_room}/invigilators", {A}),
    "exams.remove_invigilator": ("POST", "/exams/rooms/{session_room}/invigilators/{invigilator_person}/remove", {A}),
    "exams.new_room_code": ("POST", "/exams/rooms/{session_room}/code", {A}),
    "exams.move_candidate": ("GET", "/exams/attempts/{attempt}/move", {A}),
    "exams.accommodation": ("GET", "/exams/attempts/{attempt}/accommodation", {A}),
    # the ticket: staff of the body and the candidate it belongs to (candidate1's attempt)
    "exams.ticket": ("GET", "/exams/attempts/{attempt}/ticket", {A, S, C}),
    "exams.ticket_photo": ("GET", "/exams/attempts/{attempt}/photo", {A, S, C, INV}),
    # the candidate's own exam (candidate1's attempt; {other_attempt} is candidate2's and answers 404 to them)
    "exam_take.index": ("GET", "/exam/", {C}),
    "exam_take.attempt": ("GET", "/exam/{attempt}", {C}),
    "exam_take.check_in": ("POST", "/exam/{attempt}/check-in", {C}),
    "exam_take.start": ("POST", "/exam/{attempt}/start", {C}),
    "exam_take.image": ("GET", "/exam/{attempt}/images/{asset}", {C}),
    "exam_api.state": ("GET", "/exam/api/{attempt}/state", {C}),
    "exam_api.open_page": ("POST", "/exam/api/{attempt}/open", {C}),
    "exam_api.start": ("POST", "/exam/api/{attempt}/start", {C}),
    "exam_api.save": ("POST", "/exam/api/{attempt}/save", {C}),
    "exam_api.submit": ("POST", "/exam/api/{attempt}/submit", {C}),
    # the console: the room's invigilators act, the body's supervisor watches read-only
    "invigilate.index": ("GET", "/invigilate/", {INV, S}),
    "invigilate.console": ("GET", ROOM, {INV, S}),
    "invigilate.status": ("GET", ROOM + "/status", {INV, S}),
    "invigilate.seat": ("GET", SEAT, {INV, S}),
    "invigilate.authorise_room": ("POST", ROOM + "/authorise", {INV}),
    "invigilate.pause_room": ("POST", ROOM + "/pause", {INV}),
    "invigilate.resume_room": ("POST", ROOM + "/resume", {INV}),
    "invigilate.report_incident": ("POST", ROOM + "/incidents", {INV}),
    "invigilate.check_in": ("POST", SEAT + "/check-in", {INV}),
    "invigilate.authorise_seat": ("POST", SEAT + "/authorise", {INV}),
    "invigilate.pause": ("POST", SEAT + "/pause", {INV}),
    "invigilate.resume": ("POST", SEAT + "/resume", {INV}),
    "invigilate.add_time": ("POST", SEAT + "/add-time", {INV}),
    "invigilate.terminate": ("POST", SEAT + "/terminate", {INV}),
    "invigilate.authorise_move": ("POST", SEAT + "/move", {INV}),
    "invigilate.start_break": ("POST", SEAT + "/break/start", {INV}),
    "invigilate.end_break": ("POST", SEAT + "/break/end", {INV}),
    # marking: assessor1 marks, senior_assessor adjudicates; nobody else sees a script
    "marking.index": ("GET", "/marking/", {A, S, *ASSESSORS}),
    "marking.results": ("GET", MARKING, {A, S}),
    "marking.assign_marker": ("POST", MARKING + "/markers", {A}),
    "marking.queue": ("GET", MARKING + "/queue", ASSESSORS),
    "marking.script": ("GET", MARKING + "/scripts/{script}/{hand_position}", {Role.ASSESSOR}),
    "marking.record_mark": ("POST", MARKING + "/scripts/{script}/{hand_position}", {Role.ASSESSOR}),
    "marking.sign": ("POST", MARKING + "/sign", ASSESSORS),
    "marking.lock": ("POST", MARKING + "/lock", {A, Role.SENIOR_ASSESSOR}),
    "marking.regrade": ("GET", MARKING + "/regrade", {A}),
    "marking.apply_regrade": ("POST", MARKING + "/regrade", {A}),
}


def exams_world(body: Body, bank_ids: dict) -> dict:
    """The ids the exam routes take."""
    now = now_utc()
    users = {u.username: u for u in db.session.execute(sa.select(User)).scalars()}
    occupation = db.session.execute(sa.select(Occupation).where(Occupation.code == "4-13-03-02")).scalar_one()
    site = db.session.execute(sa.select(Site).where(Site.body_id == body.id).order_by(Site.id)).scalars().first()
    room = db.session.execute(sa.select(Room).where(Room.site_id == site.id).order_by(Room.id)).scalars().first()
    paper = db.session.get(PaperRecord, bank_ids["paper"])
    session = ExamSession(
        body_id=body.id, name="矩阵场次", occupation_id=occupation.id, level_ordinal=4,
        blueprint_id=bank_ids["blueprint"], site_id=site.id, opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(hours=3), duration_minutes=90, run_id=paper.run_id, papers_generated_at=now,
        created_at=now,
    )  # fmt: skip
    db.session.add(session)
    db.session.flush()
    session_room = SessionRoom(session_id=session.id, room_id=room.id, room_code="MATRIX", start_authorised_at=now)
    db.session.add(session_room)
    db.session.flush()
    for name in ("invigilator", "invigilator2"):
        db.session.add(
            RoomInvigilator(session_room_id=session_room.id, person_id=users[name].person_id, assigned_at=now)
        )
    attempts = {}
    for seat, name in enumerate(("candidate1", "candidate2"), start=1):
        attempt = ExamAttempt(
            session_id=session.id, candidate_person_id=users[name].person_id, session_room_id=session_room.id,
            seat=seat, ticket_number=f"M{session.id:04d}{seat:03d}", paper_id=paper.id, candidate_seed=str(seat),
            checked_in_at=now, started_at=now if seat == 1 else None,
        )  # fmt: skip
        db.session.add(attempt)
        attempts[name] = attempt
    db.session.flush()
    incident = ExamIncident(
        session_room_id=session_room.id, attempt_id=attempts["candidate1"].id, category=IncidentCategory.TECHNICAL,
        text="显示器闪烁", reported_at=now, reported_by_id=users["invigilator"].id,
    )  # fmt: skip
    db.session.add(incident)
    db.session.add(SessionMarker(session_id=session.id, person_id=users["assessor1"].person_id, assigned_at=now))
    db.session.add(
        SessionMarker(
            session_id=session.id, person_id=users["senior_assessor"].person_id, role=MarkerRole.ADJUDICATOR,
            assigned_at=now,
        )
    )  # fmt: skip
    item = db.session.execute(sa.select(PaperItem).where(PaperItem.paper_id == paper.id)).scalars().first()
    written = _written_item(body, occupation, paper, users)
    handed_in = ExamAttempt(
        session_id=session.id, candidate_person_id=users["candidate4"].person_id, session_room_id=session_room.id,
        seat=3, ticket_number=f"M{session.id:04d}003", paper_id=paper.id, candidate_seed="3", checked_in_at=now,
        started_at=now - timedelta(minutes=50), state=AttemptState.SUBMITTED, submitted_at=now, closed_at=now,
    )  # fmt: skip
    db.session.add(handed_in)
    db.session.flush()
    db.session.add(
        AttemptAnswer(
            attempt_id=handed_in.id, position=written.position, seq=1, value='"粘接前清除旧胶。"', saved_at=now
        )
    )
    mark = HandMark(
        attempt_id=attempts["candidate1"].id, position=item.position, marker_person_id=users["assessor1"].person_id,
        role=MarkerRole.MARKER, points=Decimal(5), marked_at=now,
    )  # fmt: skip
    regrade = Regrade(
        session_id=session.id, paper_id=paper.id, position=item.position, old_version_id=item.version_id,
        new_version_id=item.version_id, reason="答案更正", diff="[]", applied_at=now,
    )  # fmt: skip
    db.session.add_all([mark, regrade])
    db.session.flush()
    return {
        "exam_session": session.id,
        "session_room": session_room.id,
        "attempt": attempts["candidate1"].id,
        "other_attempt": attempts["candidate2"].id,
        "ticket": attempts["candidate1"].ticket_number,
        "incident": incident.id,
        "hand_mark": mark.id,
        "regrade": regrade.id,
        "position": item.position,
        "invigilator_person": users["invigilator2"].person_id,
        "script": script_code(handed_in.id),
        "hand_position": written.position,
    }


def _written_item(body: Body, occupation: Occupation, paper: PaperRecord, users: dict) -> PaperItem:
    """A short-answer question at position 2 of the matrix paper (for the blind marking pages)."""
    question = Question("short_answer", "简述粘接面处理。", marking_scheme="清除旧胶（5分）。", difficulty=3,
                        point_code="A-A-002", points=Decimal(10))  # fmt: skip
    version = questions_ops.create_question(body, occupation, 4, question, users["author"]).latest
    lifecycle.submit_version(version, users["author"])
    lifecycle.approve_version(version, users["reviewer"])
    item = PaperItem(
        paper_id=paper.id, position=2, question_id=version.question_id, version_id=version.id,
        type_key="short_answer", points=Decimal(10), cell="A-A", point_code="A-A-002", difficulty=3.0,
    )  # fmt: skip
    db.session.add(item)
    db.session.flush()
    return item
