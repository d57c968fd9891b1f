"""Eligibility rule sets: the list (and which of the body's occupations follows which), a readable page per set,
the JSON edit form (validated, every problem with its path, nothing saved on any problem) and reset."""

from __future__ import annotations

import json

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from certify.applications import messages_admin4  # noqa: F401  (registers the problem messages)
from certify.applications import rulesets_ops as ops
from certify.applications.admin_forms import ConfirmForm, RuleSetForm
from certify.auth.models import Role
from certify.core.access import roles_required
from certify.core.db import db
from certify.core.errors import Refused
from certify.core.forms import apply_refusal, flash_refusal
from certify.core.i18n import current_locale
from certify.core.templating import join_list, level_label
from certify.institutions.models import BodyOccupation, Occupation
from certify.ladder.eligibility_checks import Check
from certify.ladder.eligibility_messages import VOCABULARY, locale_index
from certify.ladder.eligibility_rulesets import ruleset_for_occupation

bp = Blueprint("rulesets", __name__, url_prefix="/rulesets")
VIEW = (Role.ADMIN, Role.SUPERVISOR, Role.REVIEWER)


def _key_or_404(key: str) -> str:
    if key not in ops.KEYS:
        abort(404)
    return key


def _words(vocabulary: str, values) -> str:
    idx = locale_index(current_locale())
    return join_list(VOCABULARY[vocabulary].get(v, (v, v))[idx] for v in values)


def check_text(check: Check) -> str:
    """One check as a sentence in the user's language."""
    data = check.to_data()
    kind = data["kind"]
    if kind == "work_years":
        return _("%(years)d years of work in the occupation or a related one", years=data["years"])
    if kind == "prior_level_years":
        level = level_label(data["level"])
        if data["years"] == 0:
            return _("Holds a %(level)s certificate (or higher)", level=level)
        return _("%(years)d years of work after a %(level)s certificate (or higher)", years=data["years"], level=level)
    if kind == "education":
        text = _(
            "A diploma of %(schools)s in %(relevances)s",
            schools=_words("school_type", data["school_types"]),
            relevances=_words("relevance", data["relevances"]),
        )
        if data["allow_final_year"]:
            text += _(" (final-year students count)")
        return text
    if kind == "title_years":
        grade = _words("grade", [data["grade"]])
        if data["years"] == 0:
            return _("Holds a %(grade)s (or higher)", grade=grade)
        return _("%(years)d years of work after a %(grade)s (or higher)", years=data["years"], grade=grade)
    if kind == "age":
        return _("At least %(age)d years old", age=data["min_age"])
    if kind == "apprenticeship":
        return _("A completed apprenticeship")
    return kind


def _filed_occupations() -> list[Occupation]:
    if current_user.body_id is None:
        return []
    return list(
        db.session.execute(
            sa.select(Occupation)
            .join(BodyOccupation)
            .where(BodyOccupation.body_id == current_user.body_id)
            .order_by(Occupation.code)
        ).scalars()
    )


@bp.get("")
@roles_required(*VIEW)
def index():
    rulesets = ops.current_rulesets()
    rows = []
    for key in ops.KEYS:
        _data, record = ops.current_data(key)
        rows.append((key, rulesets[key], record))
    uses = [(o, ruleset_for_occupation(o.code, rulesets)) for o in _filed_occupations()]
    return render_template("rulesets/index.html", rows=rows, uses=uses, locale=current_locale())


@bp.get("/<key>")
@roles_required(*VIEW)
def show(key: str):
    key = _key_or_404(key)
    ruleset = ops.current_rulesets()[key]
    _data, record = ops.current_data(key)
    return render_template(
        "rulesets/show.html",
        key=key,
        ruleset=ruleset,
        record=record,
        locale=current_locale(),
        check_text=check_text,
        reset_form=ConfirmForm(),
    )


@bp.route("/<key>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit(key: str):
    key = _key_or_404(key)
    form = RuleSetForm()
    if request.method == "GET":
        form.text.data = json.dumps(ops.current_data(key)[0], ensure_ascii=False, indent=2)
    if form.validate_on_submit():
        try:
            ops.save_ruleset(key, form.text.data, by_id=current_user.id)
        except Refused as refused:
            db.session.rollback()
            apply_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("The rule set has been saved; it applies to new eligibility checks."), "success")
            return redirect(url_for("rulesets.show", key=key))
    status = 400 if request.method == "POST" else 200
    return render_template("rulesets/edit.html", form=form, key=key, reset_form=ConfirmForm()), status


@bp.post("/<key>/reset")
@roles_required(Role.ADMIN)
def reset(key: str):
    key = _key_or_404(key)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            ops.reset_ruleset(key)
        except Refused as refused:
            flash_refusal(refused)
        else:
            db.session.commit()
            flash(_("The shipped version of the rule set is in force again."), "success")
    return redirect(url_for("rulesets.show", key=key))
