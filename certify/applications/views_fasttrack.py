"""Admin pages of the competition register, direct recognition proposals and the mapping table (body staff)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectChoice

from certify.applications import fasttrack_ops as ops
from certify.applications import messages_fasttrack  # noqa: F401  (registers the problem messages)
from certify.applications.fasttrack_forms import (
    AWARDABLE_LEVELS,
    CompetitionForm,
    ConfirmForm,
    EventForm,
    MappingTableForm,
    ResultForm,
    template_labels,
)
from certify.applications.models import Competition, CompetitionEvent, CompetitionResult, Recognition
from certify.auth.models import Role
from certify.core.access import roles_required
from certify.core.db import db
from certify.core.errors import Refused
from certify.core.forms import apply_refusal
from certify.core.i18n import current_locale
from certify.core.templating import level_label
from certify.institutions.identity import mask_id
from certify.institutions.models import Body, BodyOccupation, Occupation
from certify.ladder.fasttrack import DEFAULT_TABLE, FastTrackReason, table_to_json

bp = Blueprint("fasttrack", __name__, url_prefix="/fasttrack")
VIEW = (Role.ADMIN, Role.SUPERVISOR)


bp.context_processor(template_labels)


def _body() -> Body:
    body = db.session.get(Body, current_user.body_id) if current_user.body_id else None
    if body is None:
        abort(404)
    return body


def _competition(competition_id: int) -> Competition:
    competition = db.get_or_404(Competition, competition_id)
    if competition.body_id != current_user.body_id:
        abort(404)
    return competition


def _event_form() -> EventForm:
    form = EventForm()
    occupations = db.session.execute(
        sa.select(Occupation)
        .join(BodyOccupation)
        .where(BodyOccupation.body_id == current_user.body_id)
        .order_by(Occupation.code)
    ).scalars()
    form.occupation_id.choices = [SelectChoice(o.id, f"{o.code} {o.name_zh}") for o in occupations]
    return form


def _competition_page(competition: Competition, *, event_form=None, result_forms=None, refusal=None, status=200):
    recognitions = {
        r.result_id: r
        for r in db.session.execute(
            sa.select(Recognition)
            .join(CompetitionResult)
            .join(CompetitionEvent)
            .where(CompetitionEvent.competition_id == competition.id)
        ).scalars()
    }
    result_forms = result_forms or {}
    forms = {
        event.id: result_forms.get(event.id) or ResultForm(formdata=None, prefix=f"e{event.id}")
        for event in competition.events
    }
    return render_template(
        "fasttrack/competition.html",
        competition=competition,
        event_form=event_form or _event_form(),
        result_forms=forms,
        confirm_form=ConfirmForm(),
        recognitions=recognitions,
        refusal=refusal,
        locale=current_locale(),
        mask_id=mask_id,
    ), status


@bp.get("/competitions")
@roles_required(*VIEW)
def competitions():
    body = _body()
    rows = (
        db.session.execute(
            sa.select(Competition).where(Competition.body_id == body.id).order_by(Competition.held_on.desc())
        )
        .scalars()
        .all()
    )
    return render_template("fasttrack/competitions.html", rows=rows)


@bp.route("/competitions/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_competition():
    body = _body()
    form = CompetitionForm()
    if form.validate_on_submit():
        values = {name: form.data[name] for name in ops.COMPETITION_FIELDS}
        try:
            competition = ops.create_competition(body, values)
        except Refused as refused:
            db.session.rollback()
            apply_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("The competition has been registered."), "success")
            return redirect(url_for("fasttrack.competition", competition_id=competition.id))
    return render_template("fasttrack/competition_form.html", form=form), (400 if request.method == "POST" else 200)


@bp.get("/competitions/<int:competition_id>")
@roles_required(*VIEW)
def competition(competition_id: int):
    return _competition_page(_competition(competition_id))


@bp.post("/competitions/<int:competition_id>/events")
@roles_required(Role.ADMIN)
def add_event(competition_id: int):
    competition = _competition(competition_id)
    form = _event_form()
    if form.validate_on_submit():
        try:
            ops.add_event(competition, form.name.data, form.occupation_id.data)
        except Refused as refused:
            db.session.rollback()
            apply_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("The event has been added."), "success")
            return redirect(url_for("fasttrack.competition", competition_id=competition.id))
    return _competition_page(_competition(competition_id), event_form=form, status=400)


@bp.post("/events/<int:event_id>/results")
@roles_required(Role.ADMIN)
def add_result(event_id: int):
    event = db.get_or_404(CompetitionEvent, event_id)
    competition = _competition(event.competition_id)
    form = ResultForm(prefix=f"e{event.id}")
    if form.validate_on_submit():
        try:
            ops.add_result(event, form.id_number.data, form.rank.data, form.participant_type.data)
        except Refused as refused:
            db.session.rollback()
            apply_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("The result has been entered."), "success")
            return redirect(url_for("fasttrack.competition", competition_id=competition.id))
    return _competition_page(_competition(competition.id), result_forms={event.id: form}, status=400)


@bp.post("/results/<int:result_id>/propose")
@roles_required(Role.ADMIN)
def propose(result_id: int):
    result = db.get_or_404(CompetitionResult, result_id)
    competition = _competition(result.event.competition_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        recognition = ops.propose_recognition(result, _body())
    except Refused as refused:
        db.session.rollback()
        return _competition_page(_competition(competition.id), refusal=(result_id, refused), status=400)
    db.session.commit()
    level = level_label(recognition.awarded_ordinal)
    flash(_("A recognition as %(level)s has been proposed to the panel.", level=level), "success")
    return redirect(url_for("panel.recognition", recognition_id=recognition.id))


def _level_choices() -> list[SelectChoice]:
    return [SelectChoice(n, level_label(n)) for n in AWARDABLE_LEVELS]


@bp.get("/mapping")
@roles_required(*VIEW)
def mapping():
    _body()
    record = ops.mapping_record()
    try:
        rows, problem = ops.mapping_table(), None
    except Refused as refused:
        rows, problem = (), refused.messages()[0]
    return render_template("fasttrack/mapping.html", rows=rows, record=record, problem=problem)


#: the columns of a mapping row, as the loader's paths name them
_COLUMNS = {
    "competition_class": _l("Class"),
    "rank_from": _l("Ranks"),
    "rank_to": _l("Ranks"),
    "participant_type": _l("Took part as"),
    "awarded_level": _l("Level awarded"),
}


def _row_label(number: int | None, path: str = "") -> str:
    column = _COLUMNS.get(path.rsplit(".", 1)[-1]) if "." in path else None
    if number is None:
        return _("The table")
    if column is not None:
        return _("Row %(n)d, %(column)s", n=number, column=column)
    return _("Row %(n)d", n=number)


def _table_messages(reasons: list, numbers: list[int]) -> list[str]:
    """Each loader problem in the user's language, naming the row as numbered on the page."""
    locale, out = current_locale(), []
    for number, reason in reasons:
        params = {**reason.params, "path": _row_label(number, reason.path)}
        if "other" in params:
            params["other"] = _row_label(ops.row_number(params["other"], numbers)).lower()
        params = {k: ("—" if v == "None" else v) for k, v in params.items()}
        text = FastTrackReason(reason.code, params, reason.path).message(locale)
        # Some loader messages do not name their place; every line on this page does.
        out.append(text if params["path"] in text else _("%(where)s: %(problem)s", where=params["path"], problem=text))
    return out


def _mapping_edit_page(form: MappingTableForm, messages=(), bad_rows=(), status: int = 200):
    return render_template("fasttrack/mapping_edit.html", form=form, messages=messages, bad_rows=bad_rows), status


@bp.route("/mapping/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_mapping():
    _body()
    if request.method == "GET":
        try:
            current = table_to_json(ops.mapping_table())["rows"]
        except Refused:
            current = table_to_json(DEFAULT_TABLE)["rows"]
        form = MappingTableForm(data={"rows": [*current, {}]})
        form.set_level_choices(_level_choices())
        return _mapping_edit_page(form)
    form = MappingTableForm()
    if request.form.get("action") == "add_row":
        if len(form.rows) < form.rows.max_entries:
            form.rows.append_entry()
        form.set_level_choices(_level_choices())
        return _mapping_edit_page(form)
    form.set_level_choices(_level_choices())
    if form.validate_on_submit():
        kept = form.kept_rows()
        try:
            ops.save_mapping_table(kept, current_user.id)
        except ops.TableRejected as rejected:
            db.session.rollback()
            apply_refusal(form, rejected)
            numbers = [number for number, _ in kept]
            bad = {number for number, _ in rejected.reasons if number is not None}
            return _mapping_edit_page(form, _table_messages(rejected.reasons, numbers), bad, 400)
        except Refused as refused:
            db.session.rollback()
            apply_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("The mapping table has been saved."), "success")
            return redirect(url_for("fasttrack.mapping"))
    return _mapping_edit_page(form, status=400)
