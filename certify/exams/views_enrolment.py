"""Staff pages of a session's candidates (routes of the `exams` blueprint): enrolment from approved applications
or a roster file, moving a candidate, accommodation profiles, admission tickets and the ticket photo."""

from __future__ import annotations

import io

from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from certify.auth.models import Role
from certify.core.access import own_body_or_404, roles_required
from certify.core.db import db
from certify.core.errors import Refused
from certify.core.forms import apply_refusal
from certify.exams import enrolment_ops, queries_sessions, session_rules, tickets
from certify.exams.models import ExamAttempt, ExamSession, SessionRoom
from certify.exams.session_forms import AccommodationForm, EnrolForm, MoveForm, RosterForm, whole_id, whole_ids
from certify.exams.session_roster import COLUMNS as ROSTER_COLUMNS
from certify.exams.session_roster import RosterPolicy
from certify.exams.views_sessions import READ, _render, blocked_pairs, bp, own_session, timezone
from certify.recusal.operations import RecusalBlocked

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def own_attempt(attempt_id: int) -> ExamAttempt:
    """An attempt of one of the current user's body's sessions, else 404."""
    attempt = db.get_or_404(ExamAttempt, attempt_id)
    own_body_or_404(attempt.session.body_id)
    return attempt


def _room_choices(session: ExamSession, blank: str) -> list[SelectChoice]:
    return [SelectChoice("", blank)] + [
        SelectChoice(str(r.id), _("%(room)s (%(taken)s of %(seats)s seats taken)", room=r.room.name,
                                  taken=len(r.attempts), seats=r.room.seats))
        for r in session.rooms
    ]  # fmt: skip


def _chosen_room(session: ExamSession, value) -> SessionRoom | None:
    room_id = whole_id(value)
    if room_id is None:
        return None
    room = db.session.get(SessionRoom, room_id) if room_id > 0 else None
    if room is None or room.session_id != session.id:
        raise Refused("session_room_not_in_session", field="room")
    return room


def _enrol_page(session: ExamSession, status: int = 200, enrol_form=None, roster_form=None, blocked=None):
    applications = enrolment_ops.approved_applications(session)
    enrol_form = enrol_form or EnrolForm()
    enrol_form.applications.choices = [SelectChoice(str(a.id), a.candidate.name) for a in applications]
    enrol_form.room.choices = _room_choices(session, _("Any room (fill room by room)"))
    roster_form = roster_form or RosterForm()
    roster_form.room.choices = _room_choices(session, _("Any room (fill room by room)"))
    free = sum(max(0, r.room.seats - len(r.attempts)) for r in session.rooms)
    return _render(
        "enrol.html", status, session=session, applications=applications, enrol_form=enrol_form,
        roster_form=roster_form, free=free, blocked=blocked, max_rows=RosterPolicy().max_rows,
    )  # fmt: skip


@bp.get("/sessions/<int:session_id>/enrol")
@roles_required(Role.ADMIN)
def enrolment(session_id: int):
    return _enrol_page(own_session(session_id))


@bp.post("/sessions/<int:session_id>/enrol")
@roles_required(Role.ADMIN)
def enrol(session_id: int):
    session = own_session(session_id)
    form = EnrolForm()
    if not form.validate_on_submit():
        return _enrol_page(session, 400, enrol_form=form)
    try:
        room = _chosen_room(session, form.room.data)
        if request.form.get("all"):
            attempts = enrolment_ops.enrol_all_approved(session, current_user.user, room)
        else:
            attempts = enrolment_ops.enrol_from_applications(
                session, whole_ids(form.applications.data), current_user.user, room
            )
    except RecusalBlocked as blocked:
        db.session.rollback()
        return _enrol_page(own_session(session_id), 403, blocked=blocked_pairs(blocked))
    except Refused as refused:
        db.session.rollback()
        apply_refusal(form, refused)
        return _enrol_page(own_session(session_id), 400, enrol_form=form)
    db.session.commit()
    flash(_("%(count)s candidates were enrolled and seated.", count=len(attempts)), "success")
    return redirect(url_for("exams.session", session_id=session_id))


@bp.post("/sessions/<int:session_id>/roster")
@roles_required(Role.ADMIN)
def import_roster(session_id: int):
    session = own_session(session_id)
    form = RosterForm()
    upload = form.roster.data if form.validate_on_submit() else None
    data = upload.read(RosterPolicy().max_file_bytes + 1) if upload else b""
    if not data:
        form.roster.errors = [*list(form.roster.errors), _("Choose a file to upload.")]
        return _enrol_page(session, 400, roster_form=form)
    try:
        room = _chosen_room(session, form.room.data)
        attempts = enrolment_ops.import_roster(session, data, upload.filename or "roster", current_user.user, room)
    except RecusalBlocked as blocked:
        db.session.rollback()
        return _enrol_page(own_session(session_id), 403, blocked=blocked_pairs(blocked))
    except Refused as refused:
        db.session.rollback()
        labels = {"id_number": _("ID number"), "name": _("Full name")}
        return _render("roster_report.html", 400, session=own_session(session_id), problems=refused.problems,
                       labels=labels)  # fmt: skip
    db.session.commit()
    flash(_("%(count)s candidates of the roster were enrolled and seated.", count=len(attempts)), "success")
    return redirect(url_for("exams.session", session_id=session_id))


@bp.get("/roster-template.xlsx")
@roles_required(Role.ADMIN)
def roster_template():
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "考生名单"
    sheet.append([ROSTER_COLUMNS["id_number"][0], ROSTER_COLUMNS["name"][0]])
    for row in range(2, 1002):
        sheet.cell(row=row, column=1).number_format = "@"  # text, so Excel keeps all 18 digits
    sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width = 24, 14
    buffer = io.BytesIO()
    book.save(buffer)
    response = Response(buffer.getvalue(), mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = "attachment; filename=session-roster-template.xlsx"
    return response


@bp.route("/attempts/<int:attempt_id>/move", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def move_candidate(attempt_id: int):
    attempt = own_attempt(attempt_id)
    form = MoveForm()
    form.room.choices = _room_choices(attempt.session, _("— choose —"))[1:]
    blocked = None
    if request.method == "GET":
        form.room.data, form.seat.data = str(attempt.session_room_id), attempt.seat
    elif form.validate_on_submit():
        room_id = whole_id(form.room.data)
        room = db.session.get(SessionRoom, room_id) if room_id and room_id > 0 else None
        try:
            if room is None:
                raise Refused("session_room_not_in_session", field="room")
            enrolment_ops.move_candidate(attempt, room, form.seat.data, current_user.user)
        except RecusalBlocked as refused:
            db.session.rollback()
            blocked = blocked_pairs(refused)
        except Refused as refused:
            db.session.rollback()
            apply_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("%(name)s now sits in %(room)s, seat %(seat)s.", name=attempt.candidate.name,
                    room=attempt.session_room.room.name, seat=attempt.seat), "success")  # fmt: skip
            return redirect(url_for("exams.session", session_id=attempt.session_id, _anchor=f"room-{room.id}"))
    status = 403 if blocked else (400 if request.method == "POST" else 200)
    return _render("move.html", status, attempt=own_attempt(attempt_id), form=form, blocked=blocked)


@bp.route("/attempts/<int:attempt_id>/accommodation", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def accommodation(attempt_id: int):
    attempt = own_attempt(attempt_id)
    form = AccommodationForm()
    if request.method == "GET":
        form.time_multiplier.data = f"{attempt.time_multiplier.normalize():f}"
        form.extra_minutes.data, form.breaks_allowed.data = attempt.extra_minutes, attempt.breaks_allowed
        form.break_minutes.data, form.accommodation_note.data = attempt.break_minutes, attempt.accommodation_note
    elif form.validate_on_submit():
        values = {name: form[name].data for name in (
            "time_multiplier", "extra_minutes", "breaks_allowed", "break_minutes", "accommodation_note")}  # fmt: skip
        try:
            enrolment_ops.set_accommodation(attempt, values, current_user.user)
        except Refused as refused:
            db.session.rollback()
            apply_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("The accommodation of %(name)s was saved.", name=attempt.candidate.name), "success")
            allowance = tickets.allowance_of(attempt)
            if allowance.capped:
                flash(_("The accommodation gives %(full)s minutes, but the window closes first: %(name)s can have "
                        "at most %(minutes)s minutes.", full=session_rules.minutes_text(allowance.full_seconds),
                        name=attempt.candidate.name, minutes=session_rules.minutes_text(allowance.seconds)),
                      "error")  # fmt: skip
            return redirect(url_for("exams.session", session_id=attempt.session_id))
    status = 400 if request.method == "POST" else 200
    return _render("accommodation.html", status, attempt=own_attempt(attempt_id), form=form)


def _ticket_attempt(attempt_id: int) -> ExamAttempt:
    """Staff of the body see every ticket; a candidate only their own."""
    attempt = db.get_or_404(ExamAttempt, attempt_id)
    if current_user.person_id is not None and current_user.person_id == attempt.candidate_person_id:
        return attempt
    if not current_user.has_role(*READ):
        abort(404)
    own_body_or_404(attempt.session.body_id)
    return attempt


@bp.get("/attempts/<int:attempt_id>/ticket")
@roles_required(*READ, Role.CANDIDATE)
def ticket(attempt_id: int):
    attempt = _ticket_attempt(attempt_id)
    return _render("ticket.html", tickets=[tickets.ticket_context(attempt)], session=attempt.session, tz=timezone())


@bp.get("/sessions/<int:session_id>/tickets")
@roles_required(*READ)
def all_tickets(session_id: int):
    session = own_session(session_id)
    contexts = [tickets.ticket_context(a) for a in queries_sessions.attempts_of(session)]
    return _render("ticket.html", tickets=contexts, session=session, tz=timezone())


@bp.get("/attempts/<int:attempt_id>/photo")
@roles_required(*READ, Role.CANDIDATE, Role.INVIGILATOR)
def ticket_photo(attempt_id: int):
    """The candidate's photo for their ticket: the candidate, the body's admins and supervisors, and the
    invigilators of the candidate's room (who check identity with it)."""
    attempt = db.get_or_404(ExamAttempt, attempt_id)
    me = current_user.person_id
    allowed = me is not None and me == attempt.candidate_person_id
    staff = current_user.body_id is not None and current_user.body_id == attempt.session.body_id
    allowed = allowed or (staff and current_user.has_role(*READ))
    allowed = allowed or (staff and queries_sessions.invigilates(me, attempt.session_room_id))
    photo = attempt.candidate.photo
    if not allowed or photo is None:
        abort(404)
    response = Response(photo.data, mimetype=photo.content_type)
    response.headers["Cache-Control"] = "private, no-store"
    return response
