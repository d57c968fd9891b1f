"""Appointment (评聘) pages of a body: the list, a new proposal, the dossier, panel votes and the term."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectChoice

from certify.applications import appointments_ops as ops
from certify.applications import messages as _shared_messages  # noqa: F401  (panel problem messages)
from certify.applications import messages_admin4  # noqa: F401  (registers the problem messages)
from certify.applications.admin_forms import AppointmentForm, DossierForm, TermForm, VoteForm
from certify.applications.models import Appointment, DecisionState
from certify.applications.panels import tally, votes_of
from certify.auth.models import Role
from certify.core.access import own_body_or_404, roles_required
from certify.core.clock import local_date, now_utc
from certify.core.db import db
from certify.core.errors import Refused
from certify.core.forms import apply_refusal
from certify.core.i18n import current_locale
from certify.core.templating import join_list, level_label
from certify.institutions.identity import mask_id
from certify.institutions.models import Body, BodyOccupation, BodyType, Occupation, Person
from certify.ladder.appointments import APPOINTED_ORDINALS, AppointmentReason
from certify.ladder.profile import CERTIFIED_ORDINALS
from certify.recusal.operations import RecusalBlocked

bp = Blueprint("appointments", __name__, url_prefix="/appointments")
VIEW = (Role.ADMIN, Role.SUPERVISOR)
STATE_LABELS = {
    DecisionState.PROPOSED: _l("proposed, with the panel"),
    DecisionState.APPROVED: _l("approved"),
    DecisionState.REJECTED: _l("rejected"),
}


@bp.context_processor
def _labels():
    return {"state_labels": STATE_LABELS}


def _my_body() -> Body:
    body = db.session.get(Body, current_user.body_id) if current_user.body_id else None
    if body is None:
        abort(404)
    return body


def _today(body: Body):
    return local_date(now_utc(), body.timezone)


def _appointment(appointment_id: int) -> Appointment:
    appointment = db.get_or_404(Appointment, appointment_id)
    own_body_or_404(appointment.body_id)
    return appointment


def _not_employer_notice(body: Body) -> str | None:
    """Why this body may not appoint at all (an S body), in the user's language; None for a Y body."""
    if body.body_type == BodyType.EMPLOYER:
        return None
    labels = [level_label(o) for o in APPOINTED_ORDINALS]
    reason = AppointmentReason("body_not_employer", {"level": join_list(labels), "body_type": body.body_type.value})
    return reason.message(current_locale())


def _new_form(body: Body) -> AppointmentForm:
    form = AppointmentForm()
    occupations = db.session.execute(
        sa.select(Occupation).join(BodyOccupation).where(BodyOccupation.body_id == body.id).order_by(Occupation.code)
    ).scalars()
    form.occupation_id.choices = [SelectChoice(o.id, f"{o.code} {o.name_zh}") for o in occupations]
    form.level.choices = [SelectChoice(o, level_label(o)) for o in APPOINTED_ORDINALS]
    form.held_level.choices = [
        SelectChoice("", _("None")),
        *(SelectChoice(o, level_label(o)) for o in CERTIFIED_ORDINALS),
    ]
    return form


def _vote_form(body: Body) -> VoteForm:
    form = VoteForm()
    people = db.session.execute(sa.select(Person).where(Person.body_id == body.id).order_by(Person.name)).scalars()
    form.member.choices = [SelectChoice(p.id, f"{p.name} ({mask_id(p.id_number)})") for p in people]
    return form


@bp.get("")
@roles_required(*VIEW)
def index():
    body = _my_body()
    rows = ops.appointments_of_body(body.id)
    return render_template(
        "appointments/index.html", rows=rows, notice=_not_employer_notice(body), mask_id=mask_id, today=_today(body)
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new():
    body = _my_body()
    form = _new_form(body)
    if form.validate_on_submit():
        facts = {k: form.data[k] for k in ("birth_date", "work_since", "held_level", "held_since")}
        try:
            appointment = ops.propose_appointment(
                body,
                form.id_number.data,
                form.occupation_id.data,
                form.level.data,
                facts,
                portfolio=form.portfolio.data,
                today=_today(body),
            )
        except Refused as refused:
            db.session.rollback()
            apply_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("The appointment has been proposed; the prerequisites are met."), "success")
            return redirect(url_for("appointments.show", appointment_id=appointment.id))
    status = 400 if request.method == "POST" else 200
    return render_template("appointments/new.html", form=form, notice=_not_employer_notice(body)), status


def _show(appointment: Appointment, *, dossier_form=None, vote_form=None, term_form=None, status=200):
    body = _my_body()
    dossier = ops.dossier_of(appointment)
    if dossier_form is None:
        dossier_form = DossierForm(
            portfolio=dossier.get("portfolio", ""), defence_minutes=dossier.get("defence_minutes", "")
        )
        if dossier.get("defence_on"):
            dossier_form.defence_on.data = date.fromisoformat(dossier["defence_on"])
    return render_template(
        "appointments/show.html",
        appointment=appointment,
        dossier=dossier,
        checks=[(c.passed, c.message(current_locale())) for c in ops.checks_of(appointment)],
        votes=votes_of(ops.SUBJECT, appointment.id),
        tally=tally(ops.SUBJECT, appointment.id),
        dossier_form=dossier_form,
        vote_form=vote_form or _vote_form(body),
        term_form=term_form or TermForm(),
        mask_id=mask_id,
    ), status


@bp.get("/<int:appointment_id>")
@roles_required(*VIEW)
def show(appointment_id: int):
    return _show(_appointment(appointment_id))


@bp.post("/<int:appointment_id>/dossier")
@roles_required(Role.ADMIN)
def save_dossier(appointment_id: int):
    appointment = _appointment(appointment_id)
    form = DossierForm()
    if form.validate_on_submit():
        try:
            ops.update_dossier(appointment, form.portfolio.data, form.defence_on.data, form.defence_minutes.data)
        except Refused as refused:
            db.session.rollback()
            apply_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("The dossier has been saved."), "success")
            return redirect(url_for("appointments.show", appointment_id=appointment.id))
    return _show(appointment, dossier_form=form, status=400)


@bp.post("/<int:appointment_id>/votes")
@roles_required(Role.ADMIN)
def vote(appointment_id: int):
    appointment = _appointment(appointment_id)
    body = _my_body()
    form = _vote_form(body)
    if form.validate_on_submit():
        member = db.session.get(Person, form.member.data)
        if member is None or member.body_id != body.id:
            abort(404)
        try:
            result = ops.cast_vote(appointment, member, form.approve.data == "yes", form.comment.data)
        except RecusalBlocked as blocked:
            db.session.rollback()
            form.form_errors = [blocked.problems[0].message()] + [
                r.message(current_locale()) for r in blocked.verdict.reasons
            ]
        except Refused as refused:
            db.session.rollback()
            apply_refusal(form, refused)
        else:
            db.session.commit()
            if result.decided is True:
                flash(_("The vote is recorded. The panel has approved: record the term."), "success")
            elif result.decided is False:
                flash(_("The vote is recorded. The panel has rejected the appointment."), "success")
            else:
                flash(_("The vote is recorded."), "success")
            return redirect(url_for("appointments.show", appointment_id=appointment.id))
    return _show(appointment, vote_form=form, status=400)


@bp.post("/<int:appointment_id>/term")
@roles_required(Role.ADMIN)
def record_term(appointment_id: int):
    appointment = _appointment(appointment_id)
    form = TermForm()
    if form.validate_on_submit():
        try:
            ops.record_term(appointment, form.term_starts.data, form.term_ends.data)
        except Refused as refused:
            db.session.rollback()
            apply_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("The appointment is approved with its term."), "success")
            return redirect(url_for("appointments.show", appointment_id=appointment.id))
    return _show(appointment, term_form=form, status=400)
