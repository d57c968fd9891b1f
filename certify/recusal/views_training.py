"""Admin pages for training classes and roster imports (the facts behind separation of training and exams)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from certify.auth.models import Role
from certify.core.access import roles_required
from certify.core.db import db
from certify.core.errors import Refused
from certify.core.forms import apply_refusal
from certify.core.templating import level_label
from certify.institutions.models import BodyOccupation, Occupation
from certify.ladder.levels import LADDER
from certify.recusal import roster, training
from certify.recusal.forms import ClassForm, RosterForm
from certify.recusal.models import TrainingClass
from certify.recusal.views import body_people, person_choices

bp = Blueprint("recusal_training", __name__, url_prefix="/recusal")
ROSTER_MAX_BYTES = 5 * 1024 * 1024


def _class_form() -> ClassForm:
    form = ClassForm()
    occupations = db.session.execute(
        sa.select(Occupation)
        .join(BodyOccupation)
        .where(BodyOccupation.body_id == current_user.body_id)
        .order_by(Occupation.code)
    ).scalars()
    form.occupation_id.choices = [SelectChoice(str(o.id), f"{o.code} {o.name_zh}") for o in occupations]
    form.level.choices = [SelectChoice(str(level.ordinal), level_label(level.ordinal)) for level in LADDER]
    form.trainers.choices = form.trainees.choices = person_choices(body_people())
    return form


@bp.get("/classes")
@roles_required(Role.ADMIN, Role.SUPERVISOR)
def classes():
    body_people()
    rows = (
        db.session.execute(
            sa.select(TrainingClass)
            .where(TrainingClass.body_id == current_user.body_id)
            .order_by(TrainingClass.starts_on.desc())
        )
        .scalars()
        .all()
    )
    return render_template("recusal/classes.html", rows=rows, roster_form=RosterForm())


@bp.route("/classes/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_class():
    form = _class_form()
    if form.validate_on_submit():
        occupation = db.get_or_404(Occupation, form.occupation_id.data)
        try:
            cls = training.save_class(
                current_user.body,
                training.institution_named(form.institution.data),
                form.name.data,
                occupation,
                form.level.data,
                form.starts_on.data,
                form.ends_on.data,
                trainers=form.trainers.data or [],
                trainees=form.trainees.data or [],
            )
        except Refused as refused:
            db.session.rollback()
            apply_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("The training class has been recorded with its trainer–trainee relations."), "success")
            return redirect(url_for("recusal_training.show_class", class_id=cls.id))
    return render_template("recusal/class_form.html", form=form), (400 if request.method == "POST" else 200)


@bp.get("/classes/<int:class_id>")
@roles_required(Role.ADMIN, Role.SUPERVISOR)
def show_class(class_id: int):
    cls = db.get_or_404(TrainingClass, class_id)
    if cls.body_id != current_user.body_id:
        abort(404)
    return render_template("recusal/class.html", cls=cls)


@bp.post("/classes/import")
@roles_required(Role.ADMIN)
def import_roster():
    body_people()
    form = RosterForm()
    upload = form.roster.data if form.validate_on_submit() else None
    data = upload.read(ROSTER_MAX_BYTES + 1) if upload else b""
    if not data:
        flash(_("Choose a roster file to upload."), "error")
        return redirect(url_for("recusal_training.classes"))
    try:
        result = training.import_roster(current_user.body, data, upload.filename or "roster")
    except training.RosterRejected as rejected:
        db.session.rollback()
        return render_template(
            "recusal/roster_report.html", problems=rejected.problems, created=None, column_label=_column_label
        ), 400
    db.session.commit()
    return render_template("recusal/roster_report.html", problems=(), created=result, column_label=_column_label)


def _column_label(column: str | None) -> str:
    """A roster column as its header reads in the user's language (occupation_code → 职业编码)."""
    from certify.core.i18n import current_locale
    from certify.recusal.roster_texts import COLUMN_LABELS

    if not column:
        return ""
    return COLUMN_LABELS.get(column, {}).get(current_locale(), column)


@bp.get("/classes/template.xlsx")
@roles_required(Role.ADMIN, Role.SUPERVISOR)
def roster_template():
    response = Response(
        roster.roster_template_xlsx(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response.headers["Content-Disposition"] = "attachment; filename=roster-template.xlsx"
    return response
