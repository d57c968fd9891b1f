"""Staff pages of theory sessions: the list, the session form, the session page (rooms, invigilators, staffing,
candidates), papers and room codes. Enrolment, seats, accommodation and tickets are in views_enrolment (same
blueprint). Admins manage; supervisors read. Another body's session does not exist (404)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectChoice

from certify.auth.models import Role
from certify.bank.models import AssemblyRun
from certify.core.access import own_body_or_404, roles_required
from certify.core.clock import now_utc
from certify.core.db import db
from certify.core.errors import Refused
from certify.core.forms import flash_form_errors, flash_refusal
from certify.core.i18n import current_locale
from certify.core.templating import level_label, localised
from certify.exams import papers_ops, queries_sessions, room_staff_ops, sessions_ops
from certify.exams.models import AttemptState, ExamSession, SessionRoom
from certify.exams.room_staff_ops import InvigilatorBlocked
from certify.exams.session_forms import (
    EXPIRY_LABELS,
    ActionForm,
    InvigilatorForm,
    PapersForm,
    SessionForm,
    UseRunForm,
    apply_session_refusal,
    to_local,
    whole_id,
)
from certify.exams.session_rules import SessionStatus, session_status
from certify.institutions.identity import mask_id
from certify.recusal.operations import RecusalBlocked
from question_bank.blueprint import EXAM_LEVELS

bp = Blueprint("exams", __name__, url_prefix="/exams")
READ = (Role.ADMIN, Role.SUPERVISOR)

STATUS_LABELS = {
    SessionStatus.UPCOMING: _l("upcoming"),
    SessionStatus.OPEN: _l("open now"),
    SessionStatus.FINISHED: _l("finished"),
}
STATE_LABELS = {
    AttemptState.IN_PROGRESS: _l("in progress"),
    AttemptState.SUBMITTED: _l("submitted"),
    AttemptState.AUTO_SUBMITTED: _l("submitted automatically"),
    AttemptState.ABANDONED: _l("abandoned"),
    AttemptState.TERMINATED: _l("terminated"),
}


def own_session(session_id: int) -> ExamSession:
    """The current user's body's session, else 404."""
    session = db.get_or_404(ExamSession, session_id)
    own_body_or_404(session.body_id)
    return session


def own_room(session_room_id: int) -> SessionRoom:
    """A room of one of the current user's body's sessions, else 404."""
    room = db.get_or_404(SessionRoom, session_room_id)
    own_body_or_404(room.session.body_id)
    return room


def timezone() -> str:
    return current_user.body.timezone if current_user.body else "Asia/Shanghai"


def _render(template: str, status: int = 200, **context):
    context.update(status_labels=STATUS_LABELS, state_labels=STATE_LABELS, expiry_labels=EXPIRY_LABELS, mask_id=mask_id)
    return render_template(f"exams/sessions/{template}", **context), status


def _fill_choices(form: SessionForm, site_id: int | None = None) -> None:
    body_id = current_user.body_id
    blank = [SelectChoice("", _("— choose —"))]
    form.occupation.choices = blank + [
        SelectChoice(str(o.id), f"{o.code} {localised(o, 'name')}") for o in queries_sessions.occupations_of(body_id)
    ]
    form.level.choices = blank + [SelectChoice(str(n), level_label(n)) for n in sorted(EXAM_LEVELS)]
    form.blueprint.choices = blank + [
        SelectChoice(str(b.id), f"#{b.id} {b.name} · {b.occupation.code} · {level_label(b.level_ordinal)}")
        for b in queries_sessions.approved_blueprints(body_id)
    ]
    sites = queries_sessions.sites_of(body_id, include=site_id)
    form.site.choices = blank + [SelectChoice(str(s.id), f"{s.serial} {s.name}") for s in sites]
    form.rooms.choices = [
        SelectChoice(str(r.id), _("%(site)s · %(room)s (%(seats)s seats)", site=s.name, room=r.name, seats=r.seats))
        for s in sites
        for r in s.rooms
    ]


@bp.get("/sessions")
@roles_required(*READ)
def sessions():
    if current_user.body_id is None:
        abort(404)
    rows = queries_sessions.sessions_of(current_user.body_id)
    now = now_utc()
    return _render("index.html", rows=[(s, session_status(s.opens_at, s.closes_at, now)) for s in rows])


@bp.route("/sessions/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_session():
    if current_user.body is None:
        abort(404)
    form = SessionForm()
    _fill_choices(form)
    if request.method == "GET":
        defaults = sessions_ops.session_defaults()
        form.duration_minutes.data = defaults["duration_minutes"]
        form.expiry_policy.data = defaults["expiry_policy"].value
        form.candidates_per_invigilator.data = defaults["candidates_per_invigilator"]
        form.min_invigilators_per_room.data = defaults["min_invigilators_per_room"]
    elif form.validate_on_submit():
        try:
            session = sessions_ops.create_session(current_user.body, form.values(timezone()), current_user.user)
        except Refused as refused:
            db.session.rollback()
            apply_session_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("The session was created. Enrol candidates and assign invigilators next."), "success")
            return redirect(url_for("exams.session", session_id=session.id))
    return _render("form.html", 400 if request.method == "POST" else 200, form=form, record=None, tz=timezone())


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_session(session_id: int):
    session = own_session(session_id)
    form = SessionForm()
    _fill_choices(form, session.site_id)
    if request.method == "GET":
        form.name.data = session.name
        form.occupation.data, form.level.data = str(session.occupation_id), str(session.level_ordinal)
        form.blueprint.data, form.site.data = str(session.blueprint_id), str(session.site_id)
        form.rooms.data = [str(r.room_id) for r in session.rooms]
        form.opens_at.data = to_local(session.opens_at, timezone())
        form.closes_at.data = to_local(session.closes_at, timezone())
        form.duration_minutes.data = session.duration_minutes
        form.expiry_policy.data = session.expiry_policy.value
        form.grace_minutes.data = session.grace_minutes or None
        form.candidates_per_invigilator.data = session.candidates_per_invigilator
        form.min_invigilators_per_room.data = session.min_invigilators_per_room
    elif form.validate_on_submit():
        try:
            sessions_ops.update_session(session, form.values(timezone()), current_user.user)
        except Refused as refused:
            db.session.rollback()
            apply_session_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("The session was saved."), "success")
            return redirect(url_for("exams.session", session_id=session.id))
    status = 400 if request.method == "POST" else 200
    return _render("form.html", status, form=form, record=session, tz=timezone())


def render_session(session: ExamSession, status: int = 200, blocked=None):
    """The session page (also shown with a recusal block's reasons)."""
    staffing = dict(zip([r.id for r in session.rooms], papers_ops.staffing(session), strict=True))
    attempts = queries_sessions.attempts_of(session)
    assigned = {inv.person_id for room in session.rooms for inv in room.invigilators}
    people = [p for p in queries_sessions.invigilators_of(session.body_id) if p.id not in assigned]
    invigilator_form = InvigilatorForm()
    invigilator_form.person.choices = [SelectChoice("", _("— choose —"))] + [
        SelectChoice(str(p.id), p.name) for p in people
    ]
    run_form = UseRunForm()
    runs = papers_ops.unused_runs(session) if session.blueprint else []
    run_form.run.choices = [
        SelectChoice(str(r.id), _("Run #%(id)s · seed %(seed)s · %(forms)s forms", id=r.id, seed=r.seed,
                                  forms=len(r.papers)))
        for r in runs
    ]  # fmt: skip
    readiness = [p.message() for p in papers_ops.readiness_problems(session)]
    return _render(
        "show.html",
        status,
        session=session,
        status_now=session_status(session.opens_at, session.closes_at, now_utc()),
        staffing=staffing,
        attempts=attempts,
        by_room={room.id: [a for a in attempts if a.session_room_id == room.id] for room in session.rooms},
        invigilator_form=invigilator_form,
        papers_form=PapersForm(),
        run_form=run_form,
        runs=runs,
        action_form=ActionForm(),
        readiness=readiness,
        blocked=blocked,
    )


@bp.get("/sessions/<int:session_id>")
@roles_required(*READ)
def session(session_id: int):
    return render_session(own_session(session_id))


def blocked_pairs(blocked: RecusalBlocked) -> list[dict]:
    """Every blocked invigilator–candidate pair with the engine's reasons in the user's language."""
    locale = current_locale()
    if isinstance(blocked, InvigilatorBlocked):
        return [
            {"invigilator": p.invigilator, "candidate": p.candidate, "ticket": p.ticket, "room": p.room,
             "reasons": [r.message(locale) for r in p.reasons]}
            for p in blocked.pairs
        ]  # fmt: skip
    return [{"reasons": [r.message(locale) for r in blocked.verdict.reasons]}]


@bp.post("/rooms/<int:session_room_id>/invigilators")
@roles_required(Role.ADMIN)
def assign_invigilator(session_room_id: int):
    room = own_room(session_room_id)
    form = InvigilatorForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("exams.session", session_id=room.session_id))
    try:
        row = room_staff_ops.assign_invigilator(room, whole_id(form.person.data), current_user.user)
    except RecusalBlocked as blocked:
        db.session.rollback()
        return render_session(own_session(room.session_id), 403, blocked_pairs(blocked))
    except Refused as refused:
        flash_refusal(refused)
    else:
        db.session.commit()
        flash(_("%(name)s invigilates %(room)s.", name=row.person.name, room=room.room.name), "success")
    return redirect(url_for("exams.session", session_id=room.session_id, _anchor=f"room-{room.id}"))


@bp.post("/rooms/<int:session_room_id>/invigilators/<int:person_id>/remove")
@roles_required(Role.ADMIN)
def remove_invigilator(session_room_id: int, person_id: int):
    room = own_room(session_room_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        room_staff_ops.remove_invigilator(room, person_id, current_user.user)
    except Refused as refused:
        flash_refusal(refused)
    else:
        db.session.commit()
        flash(_("The invigilator was removed from %(room)s.", room=room.room.name), "success")
    return redirect(url_for("exams.session", session_id=room.session_id, _anchor=f"room-{room.id}"))


@bp.post("/rooms/<int:session_room_id>/code")
@roles_required(Role.ADMIN)
def new_room_code(session_room_id: int):
    room = own_room(session_room_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        sessions_ops.new_room_code(room, current_user.user)
    except Refused as refused:
        flash_refusal(refused)
    else:
        db.session.commit()
        flash(_("%(room)s has a new room code: %(code)s.", room=room.room.name, code=room.room_code), "success")
    return redirect(url_for("exams.session", session_id=room.session_id, _anchor=f"room-{room.id}"))


@bp.post("/sessions/<int:session_id>/papers")
@roles_required(Role.ADMIN)
def generate_papers(session_id: int):
    session = own_session(session_id)
    form = PapersForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("exams.session", session_id=session_id, _anchor="papers"))
    again = session.papers_generated_at is not None
    try:
        papers_ops.generate_papers(session, current_user.user, form.seed.data)
    except Refused as refused:
        flash_refusal(refused)
    else:
        db.session.commit()
        if again:
            flash(_("New papers were generated; the earlier ones were released."), "success")
        else:
            flash(_("Papers were generated for %(count)s candidates.", count=len(session.attempts)), "success")
    return redirect(url_for("exams.session", session_id=session_id, _anchor="papers"))


@bp.post("/sessions/<int:session_id>/papers/run")
@roles_required(Role.ADMIN)
def use_run(session_id: int):
    session = own_session(session_id)
    form = UseRunForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("exams.session", session_id=session_id, _anchor="papers"))
    run_id = whole_id(form.run.data)
    run = db.session.get(AssemblyRun, run_id) if run_id and run_id > 0 else None
    try:
        papers_ops.use_run(session, run, current_user.user)
    except Refused as refused:
        flash_refusal(refused)
    else:
        db.session.commit()
        flash(_("The candidates' papers now come from run #%(id)s.", id=run.id), "success")
    return redirect(url_for("exams.session", session_id=session_id, _anchor="papers"))


from certify.exams import views_enrolment as _enrolment_views  # noqa: E402, F401  (its routes join this blueprint)
