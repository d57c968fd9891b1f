"""Self-registration of candidates (public) and the bulk candidate import (body administrators)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from certify.applications import messages_register  # noqa: F401  (registers the problem messages)
from certify.auth.models import Role
from certify.core.access import public, roles_required
from certify.core.clock import local_date, now_utc
from certify.core.db import db
from certify.core.errors import Refused
from certify.core.forms import apply_refusal
from certify.core.templating import localised
from certify.institutions import candidate_import, registration
from certify.institutions import messages as _institution_messages  # noqa: F401  (identity problem messages)
from certify.institutions.identity import mask_id
from certify.institutions.registration_forms import CandidateImportForm, RegistrationForm

bp = Blueprint("registration", __name__)

REGISTRATION_VALUES = ("name", "id_type", "id_number", "phone", "employer", "username", "password", "password_confirm")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _registration_form() -> RegistrationForm:
    form = RegistrationForm()
    bodies = registration.registrable_bodies()
    form.body_id.choices = [SelectChoice(str(b.id), localised(b)) for b in bodies]
    if len(bodies) != 1:  # no silent default: the visitor picks their body
        form.body_id.choices.insert(0, SelectChoice("", _("Choose a body")))
    if request.method == "GET" and len(bodies) == 1:
        form.body_id.data = str(bodies[0].id)
    return form


def _body_id(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


@bp.route("/register", methods=["GET", "POST"])
@public
def register():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = _registration_form()
    if form.validate_on_submit():
        upload = form.photo.data
        photo = upload.read() if upload else None
        try:
            registration.register_candidate(
                _body_id(form.body_id.data), {k: form.data[k] for k in REGISTRATION_VALUES}, photo
            )
        except Refused as refused:
            db.session.rollback()
            apply_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("Your registration is complete. Sign in with your username and password."), "success")
            return redirect(url_for("auth.login"))
    return render_template("registration/register.html", form=form), (400 if request.method == "POST" else 200)


def _admin_body():
    if current_user.body_id is None or current_user.body is None:
        abort(404)
    return current_user.body


@bp.get("/people/import")
@roles_required(Role.ADMIN)
def import_people():
    _admin_body()
    return render_template(
        "registration/import.html", form=CandidateImportForm(), max_rows=candidate_import.ImportPolicy().max_rows
    )


@bp.post("/people/import")
@roles_required(Role.ADMIN)
def import_upload():
    body = _admin_body()
    form = CandidateImportForm()
    upload = form.roster.data if form.validate_on_submit() else None
    data = upload.read(candidate_import.ImportPolicy().max_file_bytes + 1) if upload else b""
    if not data:
        flash(_("Choose a file to upload."), "error")
        return redirect(url_for("registration.import_people"))
    try:
        created = candidate_import.import_candidates(
            body,
            data,
            upload.filename or "candidates",
            today=local_date(now_utc(), body.timezone),
            by=current_user.user,
        )
    except Refused as refused:
        db.session.rollback()
        page = render_template(
            "registration/import_report.html", problems=refused.problems, labels=candidate_import.COLUMN_LABELS
        )
        return page, 400
    db.session.commit()
    response = make_response(render_template("registration/import_done.html", created=created, mask_id=mask_id))
    # The initial passwords are shown on this page once: never kept by the browser or a proxy.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/people/import/template.xlsx")
@roles_required(Role.ADMIN)
def import_template():
    _admin_body()
    response = Response(candidate_import.template_xlsx(), mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = "attachment; filename=candidates-template.xlsx"
    return response
