"""The invigilator console: the invigilator's rooms, a live room view, a seat's page and the verbs; supervisors
see the same read-only.

Access is by assignment: an invigilator acts only in a room they are assigned to; a supervisor of the session's
body watches every room but acts in none (a verb from them is 403); anyone else gets 404 for a room.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

import sqlalchemy as sa
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from certify.auth.models import Role, User
from certify.core.access import roles_required
from certify.core.clock import now_utc
from certify.core.db import db
from certify.core.errors import Refused
from certify.core.forms import apply_refusal, flash_form_errors, flash_refusal
from certify.core.templating import local_time

from . import invigilate_ops, queries_rooms
from .invigilate_forms import (
    ActionForm,
    AddTimeForm,
    BreakForm,
    CheckInForm,
    IncidentForm,
    PauseForm,
    RoomPauseForm,
    TerminateForm,
)
from .messages_invigilate import INCIDENT_LABELS, STATUS_LABELS, ago_text, clock_text, summary_text
from .models import ExamAttempt, ExamIncident, SessionRoom

bp = Blueprint("invigilate", __name__, url_prefix="/invigilate")
ROLES = (Role.INVIGILATOR, Role.SUPERVISOR)
#: how often console.js asks for the room's status
POLL_SECONDS = 5


def _room(session_room_id: int) -> tuple[SessionRoom, bool]:
    """The room and whether the current user may act in it (assigned invigilator) or only watch (supervisor)."""
    room = db.session.get(SessionRoom, session_room_id)
    if room is None:
        abort(404)
    if queries_rooms.is_room_invigilator(room, current_user):
        return room, True
    if queries_rooms.may_observe(room, current_user):
        return room, False
    abort(404)


def _acting_room(session_room_id: int) -> SessionRoom:
    room, may_act = _room(session_room_id)
    if not may_act:
        abort(403)  # a supervisor watches; the verbs are the room's invigilators'
    return room


def _attempt(attempt_id: int) -> tuple[ExamAttempt, bool]:
    attempt = db.session.get(ExamAttempt, attempt_id)
    if attempt is None:
        abort(404)
    _session_room, may_act = _room(attempt.session_room_id)
    return attempt, may_act


def _acting_attempt(attempt_id: int) -> ExamAttempt:
    attempt, may_act = _attempt(attempt_id)
    if not may_act:
        abort(403)
    return attempt


def _seat_context(seats: list[queries_rooms.SeatView], now: datetime) -> dict:
    return {"seats": seats, "now": now, "clock": clock_text, "ago": ago_text, "labels": STATUS_LABELS,
            "summary": summary_text(queries_rooms.status_counts(seats))}  # fmt: skip


@bp.get("/")
@roles_required(*ROLES)
def index():
    now = now_utc()
    timezone = current_user.body.timezone if current_user.body else "Asia/Shanghai"
    rooms = queries_rooms.rooms_for(current_user, now, timezone)
    acting = {room.id for room in rooms if queries_rooms.is_room_invigilator(room, current_user)}
    return render_template("exams/invigilate/index.html", rooms=rooms, acting=acting, now=now)


def _seat_choices(seats: list[queries_rooms.SeatView]) -> list[tuple[int, str]]:
    return [(s.attempt.id, _("Seat %(seat)s · %(name)s", seat=s.attempt.seat, name=s.attempt.candidate.name))
            for s in seats]  # fmt: skip


def _incident_form(room: SessionRoom, seats: list[queries_rooms.SeatView]) -> IncidentForm:
    return IncidentForm().set_choices(_seat_choices(seats))


def _incidents(room: SessionRoom) -> list[ExamIncident]:
    return list(
        db.session.execute(
            sa.select(ExamIncident)
            .where(ExamIncident.session_room_id == room.id)
            .order_by(ExamIncident.reported_at.desc(), ExamIncident.id.desc())
        ).scalars()
    )


@bp.get("/rooms/<int:session_room_id>")
@roles_required(*ROLES)
def console(session_room_id: int):
    return _console_page(session_room_id)


def _console_page(session_room_id: int, **forms):
    """The console; `forms` replaces a form with the one just posted (typed values and errors kept)."""
    room, may_act = _room(session_room_id)
    now = now_utc()
    seats = queries_rooms.room_seats(room, now)
    authoriser = db.session.get(User, room.start_authorised_by_id) if room.start_authorised_by_id else None
    incident_form = forms.get("incident_form")
    incident_form = _incident_form(room, seats) if incident_form is None else incident_form.set_choices(
        _seat_choices(seats))  # fmt: skip
    return render_template(
        "exams/invigilate/console.html",
        room=room,
        session=room.session,
        may_act=may_act,
        authoriser=authoriser,
        action_form=ActionForm(),
        pause_form=forms.get("pause_form") or RoomPauseForm(),
        incident_form=incident_form,
        incidents=_incidents(room),
        incident_labels=INCIDENT_LABELS,
        poll_seconds=POLL_SECONDS,
        **_seat_context(seats, now),
    )


@bp.get("/rooms/<int:session_room_id>/status")
@roles_required(*ROLES)
def status(session_room_id: int):
    room, _may_act = _room(session_room_id)
    now = now_utc()
    seats = queries_rooms.room_seats(room, now)
    rows = [
        {
            "id": seat.attempt.id,
            "seat": seat.attempt.seat,
            "status": seat.status,
            "label": str(STATUS_LABELS[seat.status]),
            "remaining": None if seat.remaining is None else int(seat.remaining.total_seconds()),
            "remaining_text": clock_text(seat.remaining),
            "counting": seat.counting,
            "saved": ago_text(seat.last_seen, now),
            "stale": seat.stale,
        }
        for seat in seats
    ]
    response = jsonify(
        {
            "now": now.isoformat(),
            "updated": local_time(now, "medium"),
            "start_authorised": room.start_authorised_at is not None,
            "summary": summary_text(queries_rooms.status_counts(seats)),
            "seats": rows,
        }
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/attempts/<int:attempt_id>")
@roles_required(*ROLES)
def seat(attempt_id: int):
    return _seat_page(attempt_id)


def _seat_page(attempt_id: int, **posted):
    """The seat page; `posted` replaces a form with the one just posted (typed values and errors kept)."""
    attempt, may_act = _attempt(attempt_id)
    now = now_utc()
    view = queries_rooms.seat_view(attempt, now)
    incidents = [i for i in _incidents(attempt.session_room) if i.attempt_id == attempt.id]
    forms = {
        "action": ActionForm(),
        "check_in": CheckInForm(),
        "pause": PauseForm(),
        "time": AddTimeForm(),
        "terminate": TerminateForm(),
        "break": BreakForm(),
        "incident": IncidentForm(),
    } | posted
    forms["incident"].set_choices([(attempt.id, str(attempt.seat))])
    return render_template(
        "exams/invigilate/seat.html",
        attempt=attempt,
        room=attempt.session_room,
        view=view,
        may_act=may_act,
        incidents=incidents,
        incident_labels=INCIDENT_LABELS,
        users={u.id: u for u in _users(attempt)},
        forms=forms,
        **_seat_context([view], now),
    )


def _users(attempt: ExamAttempt) -> list[User]:
    ids = {p.by_id for p in attempt.pauses} | {a.added_by_id for a in attempt.added_time} | {attempt.checked_in_by_id}
    ids.discard(None)
    return list(db.session.execute(sa.select(User).where(User.id.in_(ids))).scalars()) if ids else []


def _perform(form, call: Callable[[], object], success: Callable[[object], str], renames=None) -> bool:
    """Run one operation for a valid form: commit and say what happened (True), or undo and put why not on
    the form's fields, the rest flashed (False: the caller shows the form again with what was typed)."""
    if not form.validate_on_submit():
        for message in getattr(getattr(form, "csrf_token", None), "errors", []):
            flash(message, "error")
        return False
    try:
        result = call()
    except Refused as refused:
        db.session.rollback()
        # the operations name their own parameters (reason, minutes); the page's fields have longer names
        names = renames or {}
        apply_refusal(form, Refused([replace(p, field=names.get(p.field, p.field)) for p in refused.problems]))
        for message in form.form_errors:
            flash(message, "error")
        return False
    db.session.commit()
    flash(success(result), "success")
    return True


def _simple(form, call: Callable[[], object], success: Callable[[object], str]) -> None:
    """A verb without typed input (a button): say what happened or why not, then the caller redirects."""
    if not form.validate_on_submit():
        flash_form_errors(form)
        return
    try:
        result = call()
    except Refused as refused:
        db.session.rollback()
        flash_refusal(refused)
        return
    db.session.commit()
    flash(success(result), "success")


def _to_seat(attempt: ExamAttempt):
    return redirect(url_for("invigilate.seat", attempt_id=attempt.id))


def _seat_of(attempt_id, room: SessionRoom) -> ExamAttempt | None:
    """The seat an incident form came from, when it is one of this room's."""
    attempt = db.session.get(ExamAttempt, int(attempt_id)) if str(attempt_id or "").isdigit() else None
    return attempt if attempt is not None and attempt.session_room_id == room.id else None


def _to_seat_id(attempt_id, room: SessionRoom):
    attempt = _seat_of(attempt_id, room)
    return _to_seat(attempt) if attempt is not None else _to_room(room)


def _to_room(room: SessionRoom):
    return redirect(url_for("invigilate.console", session_room_id=room.id))


@bp.post("/rooms/<int:session_room_id>/authorise")
@roles_required(*ROLES)
def authorise_room(session_room_id: int):
    room = _acting_room(session_room_id)
    _simple(
        ActionForm(),
        lambda: invigilate_ops.authorise_room_start(room, current_user),
        lambda _r: _("Start is authorised for the whole room: checked-in candidates may begin."),
    )
    return _to_room(room)


@bp.post("/rooms/<int:session_room_id>/pause")
@roles_required(*ROLES)
def pause_room(session_room_id: int):
    room = _acting_room(session_room_id)
    form = RoomPauseForm()
    if _perform(
        form,
        lambda: invigilate_ops.pause_room(room, current_user, form.room_reason.data),
        lambda seats: _("Paused seats: %(seats)s.", seats=", ".join(map(str, seats))),
        {"reason": "room_reason"},
    ):
        return _to_room(room)
    return _console_page(session_room_id, pause_form=form), 400


@bp.post("/rooms/<int:session_room_id>/resume")
@roles_required(*ROLES)
def resume_room(session_room_id: int):
    room = _acting_room(session_room_id)
    _simple(
        ActionForm(),
        lambda: invigilate_ops.resume_room(room, current_user),
        lambda seats: _("Resumed seats: %(seats)s.", seats=", ".join(map(str, seats))),
    )
    return _to_room(room)


@bp.post("/rooms/<int:session_room_id>/incidents")
@roles_required(*ROLES)
def report_incident(session_room_id: int):
    room = _acting_room(session_room_id)
    form = IncidentForm()
    if _perform(
        form,
        lambda: invigilate_ops.report_incident(room, form.category.data, form.text.data, form.attempt.data,
                                               current_user),
        lambda _r: _("The incident was recorded."),
    ):  # fmt: skip
        return _to_room(room) if request.form.get("back") != "seat" else _to_seat_id(form.attempt.data, room)
    if request.form.get("back") == "seat" and _seat_of(form.attempt.data, room) is not None:
        return _seat_page(_seat_of(form.attempt.data, room).id, incident=form), 400
    return _console_page(session_room_id, incident_form=form), 400


@bp.post("/attempts/<int:attempt_id>/check-in")
@roles_required(*ROLES)
def check_in(attempt_id: int):
    attempt = _acting_attempt(attempt_id)
    _simple(
        CheckInForm(),
        lambda: invigilate_ops.check_in(attempt, current_user),
        lambda a: _("Seat %(seat)s (%(name)s) is checked in.", seat=a.seat, name=a.candidate.name),
    )
    return _to_seat(attempt)


@bp.post("/attempts/<int:attempt_id>/authorise")
@roles_required(*ROLES)
def authorise_seat(attempt_id: int):
    attempt = _acting_attempt(attempt_id)
    _simple(
        ActionForm(),
        lambda: invigilate_ops.authorise_seat_start(attempt, current_user),
        lambda a: _("Seat %(seat)s may start.", seat=a.seat),
    )
    return _to_seat(attempt)


@bp.post("/attempts/<int:attempt_id>/pause")
@roles_required(*ROLES)
def pause(attempt_id: int):
    attempt = _acting_attempt(attempt_id)
    form = PauseForm()
    if _perform(
        form,
        lambda: invigilate_ops.pause(attempt, current_user, form.pause_reason.data),
        lambda _r: _("Seat %(seat)s is paused: its clock has stopped.", seat=attempt.seat),
        {"reason": "pause_reason"},
    ):
        return _to_seat(attempt)
    return _seat_page(attempt_id, pause=form), 400


@bp.post("/attempts/<int:attempt_id>/resume")
@roles_required(*ROLES)
def resume(attempt_id: int):
    attempt = _acting_attempt(attempt_id)
    _simple(
        ActionForm(),
        lambda: invigilate_ops.resume(attempt, current_user),
        lambda _r: _("Seat %(seat)s runs again; its deadline moved on by the pause.", seat=attempt.seat),
    )
    return _to_seat(attempt)


@bp.post("/attempts/<int:attempt_id>/add-time")
@roles_required(*ROLES)
def add_time(attempt_id: int):
    attempt = _acting_attempt(attempt_id)
    form = AddTimeForm()
    if _perform(
        form,
        lambda: invigilate_ops.add_time(attempt, form.minutes.data, form.time_reason.data, current_user),
        lambda row: _("%(minutes)s minutes added to seat %(seat)s.", minutes=row.minutes, seat=attempt.seat),
        {"reason": "time_reason"},
    ):
        return _to_seat(attempt)
    return _seat_page(attempt_id, time=form), 400


@bp.post("/attempts/<int:attempt_id>/terminate")
@roles_required(*ROLES)
def terminate(attempt_id: int):
    attempt = _acting_attempt(attempt_id)
    form = TerminateForm()
    if _perform(
        form,
        lambda: invigilate_ops.terminate(attempt, form.terminate_reason.data, current_user),
        lambda a: _("The attempt of seat %(seat)s is terminated.", seat=a.seat),
        {"reason": "terminate_reason"},
    ):
        return _to_seat(attempt)
    return _seat_page(attempt_id, terminate=form), 400


@bp.post("/attempts/<int:attempt_id>/move")
@roles_required(*ROLES)
def authorise_move(attempt_id: int):
    attempt = _acting_attempt(attempt_id)
    _simple(
        ActionForm(),
        lambda: invigilate_ops.authorise_move(attempt, current_user),
        lambda a: _("Seat %(seat)s may now open the exam on another computer; the old page stops saving.",
                    seat=a.seat),
    )  # fmt: skip
    return _to_seat(attempt)


@bp.post("/attempts/<int:attempt_id>/break/start")
@roles_required(*ROLES)
def start_break(attempt_id: int):
    attempt = _acting_attempt(attempt_id)
    form = BreakForm()
    if _perform(
        form,
        lambda: invigilate_ops.start_break(attempt, current_user, form.break_minutes.data),
        lambda row: _("Seat %(seat)s is on a break until %(end)s at the latest.", seat=attempt.seat,
                      end=local_time(row.ends_at, "short")),
        {"minutes": "break_minutes"},
    ):  # fmt: skip
        return _to_seat(attempt)
    return _seat_page(attempt_id, **{"break": form}), 400


@bp.post("/attempts/<int:attempt_id>/break/end")
@roles_required(*ROLES)
def end_break(attempt_id: int):
    attempt = _acting_attempt(attempt_id)
    _simple(
        ActionForm(),
        lambda: invigilate_ops.end_break(attempt, current_user),
        lambda _r: _("The break of seat %(seat)s has ended: the clock runs again.", seat=attempt.seat),
    )
    return _to_seat(attempt)
