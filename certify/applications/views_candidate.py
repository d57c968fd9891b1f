"""The candidate's application pages: my applications, a new one, the profile with its live verdict, evidence,
the double pledge and submission, and the history. Candidates see only their own applications (404 otherwise)."""

from __future__ import annotations

import json
import os
from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from certify.applications import messages_apply, operations, queries
from certify.applications.forms import (
    ActionForm,
    EvidenceForm,
    NewApplicationForm,
    PledgeForm,
    ProfileForm,
    form_data,
    level_choices,
    place_profile_problems,
    profile_data,
    profile_vocabulary,
)
from certify.applications.models import Application, ApplicationState, EvidenceFile
from certify.auth.models import Role
from certify.core.access import roles_required
from certify.core.clock import now_utc
from certify.core.db import db
from certify.core.errors import Refused
from certify.core.forms import apply_refusal, flash_refusal
from certify.core.i18n import current_locale
from certify.core.templating import localised
from certify.institutions.models import Body, Person

bp = Blueprint("applications", __name__)


@bp.context_processor
def _labels():
    return messages_apply.labels() | profile_vocabulary()


def _person() -> Person:
    person = db.session.get(Person, current_user.person_id) if current_user.person_id else None
    if person is None:
        abort(404)
    return person


def _mine(application_id: int) -> Application:
    """The current candidate's own application; any other does not exist for them."""
    app = db.get_or_404(Application, application_id)
    if current_user.person_id is None or app.candidate_person_id != current_user.person_id:
        abort(404)
    return app


def live_verdict(app: Application) -> tuple[dict | None, list[str]]:
    """The verdict shown on the page: computed now from the saved profile while the candidate can still change
    it, else the one recorded at submission. Also the profile's problems, if it cannot be read."""
    state = queries.effective_state(app, now_utc())
    locale = current_locale()
    if state not in operations.EDITABLE:
        return queries.stored_verdict(app, locale), []
    person = db.session.get(Person, app.candidate_person_id)
    today = operations.today_at(db.session.get(Body, app.body_id))
    profile = queries.stored_profile(app)
    verdict, problems = queries.verdict_for(app.occupation.code, app.level_ordinal, profile, person, today)
    return (verdict.to_json(locale) if verdict else None), [p.message(locale) for p in problems]


def _render_show(app: Application, *, status: int = 200, evidence_form=None, pledge_form=None, submit_errors=None):
    verdict, profile_problems = live_verdict(app)
    if pledge_form is None:
        pledge_form = PledgeForm(
            candidate_pledge=bool(app.candidate_pledged_at),
            employer_pledge=bool(app.employer_pledged_at),
            employer_name=app.employer_pledge_name
            or (app.candidate.employer.name if app.candidate and app.candidate.employer else ""),
            signatory=app.employer_pledge_signatory or "",
        )
    return render_template(
        "applications/show.html",
        app=app,
        state=queries.effective_state(app, now_utc()),
        editable=queries.effective_state(app, now_utc()) in operations.EDITABLE,
        verdict=verdict,
        profile_problems=profile_problems,
        profile=queries.stored_profile(app),
        evidence_form=evidence_form or EvidenceForm(),
        pledge_form=pledge_form,
        action_form=ActionForm(),
        submit_errors=submit_errors or [],
        events=history(app),
    ), status


def history(app: Application) -> list[dict]:
    """The events of an application, and — while the scheduler has not recorded it — the lapse computed now."""
    rows = [{"kind": e.kind, "at": e.at, "details": json.loads(e.details or "{}")} for e in app.events]
    if app.state == ApplicationState.RETURNED and queries.effective_state(app, now_utc()) == ApplicationState.LAPSED:
        rows.append({"kind": "lapsed", "at": app.return_deadline, "details": {}})
    return rows


@bp.get("/applications")
@roles_required(Role.CANDIDATE)
def index():
    person = _person()
    rows = db.session.execute(queries.applications_of(person.id)).scalars().all()
    now = now_utc()
    return render_template("applications/index.html", rows=[(a, queries.effective_state(a, now)) for a in rows])


def _fill_new_form(form: NewApplicationForm) -> None:
    bodies = queries.bodies()
    form.body_id.choices = [SelectChoice(b.id, b.name) for b in bodies]
    occupations = {o.id: o for b in bodies for o in queries.offered_occupations(b.id)}
    form.occupation_id.choices = [SelectChoice(o.id, f"{o.code} {localised(o)}") for o in occupations.values()]
    form.direction_id.choices = [SelectChoice("", _("No direction"))] + [
        SelectChoice(d.id, f"{localised(o)} — {localised(d)}") for o in occupations.values() for d in o.directions
    ]
    form.level.choices = level_choices()


@bp.route("/applications/new", methods=["GET", "POST"])
@roles_required(Role.CANDIDATE)
def new():
    person = _person()
    form = NewApplicationForm()
    _fill_new_form(form)
    if form.validate_on_submit():
        try:
            app = operations.create_application(
                person,
                form.body_id.data,
                form.occupation_id.data,
                form.direction_id.data,
                form.level.data,
                form.route.data or "standard",
                user_id=current_user.id,
            )
        except Refused as refused:
            db.session.rollback()
            apply_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("Your application has been created. Fill in your profile next."), "success")
            return redirect(url_for("applications.profile", application_id=app.id))
    return render_template("applications/new.html", form=form), (400 if request.method == "POST" else 200)


@bp.get("/applications/<int:application_id>")
@roles_required(Role.CANDIDATE)
def show(application_id: int):
    return _render_show(_mine(application_id))


@bp.route("/applications/<int:application_id>/profile", methods=["GET", "POST"])
@roles_required(Role.CANDIDATE)
def profile(application_id: int):
    app = _mine(application_id)
    editable = queries.effective_state(app, now_utc()) in operations.EDITABLE
    if request.method == "GET":
        form = ProfileForm(data=form_data(queries.stored_profile(app)))
        status = 200
    else:
        form = ProfileForm()
        status = 400
        if form.validate_on_submit():
            add = request.form.get("add_row", "")
            if add:
                form.add_row(add)
                status = 200
            else:
                data, where = profile_data(form)
                try:
                    operations.save_profile(app, data, user_id=current_user.id)
                except Refused as refused:
                    db.session.rollback()
                    place_profile_problems(form, refused.problems, where)
                else:
                    db.session.commit()
                    flash(_("Your profile has been saved; the verdict below is computed from it."), "success")
                    return redirect(url_for("applications.profile", application_id=app.id))
    verdict, problems = live_verdict(app)
    return render_template(
        "applications/profile.html",
        app=app,
        form=form,
        verdict=verdict,
        profile_problems=problems,
        editable=editable,
        profile=queries.stored_profile(app),
        has_script=os.path.exists(os.path.join(current_app.static_folder or "", "applications.js")),
    ), status


@bp.post("/applications/<int:application_id>/evidence")
@roles_required(Role.CANDIDATE)
def add_evidence(application_id: int):
    app = _mine(application_id)
    form = EvidenceForm()
    if form.validate_on_submit():
        files = [(f.filename, f.read()) for f in (form.files.data or []) if f and (f.filename or "")]
        try:
            rows = operations.add_evidence(app, form.kind.data, files, user_id=current_user.id)
        except Refused as refused:
            db.session.rollback()
            apply_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("%(count)d file(s) added.", count=len(rows)), "success")
            return redirect(url_for("applications.show", application_id=app.id) + "#evidence")
    return _render_show(app, status=400, evidence_form=form)


@bp.get("/applications/<int:application_id>/evidence/<int:evidence_id>")
@roles_required(Role.CANDIDATE)
def evidence_file(application_id: int, evidence_id: int):
    app = _mine(application_id)
    return send_evidence(app, evidence_id)


def send_evidence(app: Application, evidence_id: int) -> Response:
    """Download one evidence file of `app` (404 if it belongs to another application)."""
    row = db.get_or_404(EvidenceFile, evidence_id)
    if row.application_id != app.id:
        abort(404)
    response = Response(row.data, mimetype=row.content_type)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(row.filename)}"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/applications/<int:application_id>/evidence/<int:evidence_id>/delete")
@roles_required(Role.CANDIDATE)
def remove_evidence(application_id: int, evidence_id: int):
    app = _mine(application_id)
    row = db.get_or_404(EvidenceFile, evidence_id)
    if row.application_id != app.id:
        abort(404)
    if ActionForm().validate_on_submit():
        try:
            operations.remove_evidence(app, row, user_id=current_user.id)
        except Refused as refused:
            flash_refusal(refused)
        else:
            db.session.commit()
            flash(_("The file has been removed."), "success")
    return redirect(url_for("applications.show", application_id=app.id) + "#evidence")


@bp.post("/applications/<int:application_id>/pledge")
@roles_required(Role.CANDIDATE)
def pledge(application_id: int):
    app = _mine(application_id)
    form = PledgeForm()
    if form.validate_on_submit():
        try:
            operations.pledge(
                app,
                candidate=bool(form.candidate_pledge.data),
                employer=bool(form.employer_pledge.data),
                employer_name=form.employer_name.data or "",
                signatory=form.signatory.data or "",
                ip=request.remote_addr,
                user_id=current_user.id,
            )
        except Refused as refused:
            db.session.rollback()
            apply_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("Both pledges have been recorded."), "success")
            return redirect(url_for("applications.show", application_id=app.id) + "#pledge")
    return _render_show(app, status=400, pledge_form=form)


@bp.post("/applications/<int:application_id>/submit")
@roles_required(Role.CANDIDATE)
def submit(application_id: int):
    app = _mine(application_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    resubmission = app.state == ApplicationState.RETURNED
    try:
        operations.submit(app, user_id=current_user.id)
    except Refused as refused:
        db.session.rollback()
        return _render_show(app, status=400, submit_errors=refused.messages())
    db.session.commit()
    flash(
        _("Your corrected application has been submitted again.")
        if resubmission
        else _("Your application has been submitted for review."),
        "success",
    )
    return redirect(url_for("applications.show", application_id=app.id))
