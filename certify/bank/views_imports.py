"""Bank pages: question imports (upload, check, report, history), exports and the blank template.

An import or export is content crossing the bank's boundary, so both go through the operations' access check
(role, pledge, recusal); a recusal refusal is committed so the blocked attempt stays on record.
"""

from __future__ import annotations

import io

import sqlalchemy as sa
from flask import Blueprint, Response, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy.orm import selectinload
from werkzeug.routing import BuildError
from wtforms import BooleanField, SelectChoice, SelectField, SelectMultipleField
from wtforms.validators import InputRequired
from wtforms.widgets import CheckboxInput, ListWidget

from certify.auth.models import User
from certify.core.access import roles_required
from certify.core.db import db
from certify.core.errors import Refused
from certify.core.forms import apply_refusal
from certify.core.i18n import current_locale
from certify.core.templating import level_label
from certify.institutions.models import Occupation
from certify.ladder.levels import LADDER, HowObtained
from certify.recusal.operations import RecusalBlocked
from question_bank.formats import blank_template_xlsx
from question_bank.formats._common import MAX_BYTES

from . import access, exports, imports
from .access import CONTENT_ROLES, STRUCTURE_ROLES, PledgeMissing
from .messages_imports import field_label, reason, report_from_json, where
from .messages_questions import state_label
from .models import BankImport, VersionState
from .views_common import content_gate, own

bp = Blueprint("bank_imports", __name__, url_prefix="/bank")
HISTORY_LIMIT = 200
IMPORT_FORMATS = [
    ("auto", _l("Recognise from the file")),
    ("xlsx", _l("Chinese template (XLSX)")),
    ("csv", _l("Chinese template (CSV, UTF-8 or GBK)")),
    ("gift", _l("GIFT")),
    ("moodle-xml", _l("Moodle XML")),
    ("aiken", _l("Aiken")),
    ("qti", _l("QTI 2.1/2.2 (item XML or ZIP package)")),
]
EXPORT_FORMATS = [
    ("xlsx", _l("Chinese template (XLSX)")),
    ("moodle-xml", _l("Moodle XML")),
    ("qti", _l("QTI 2.1 package (ZIP)")),
]
ACCESS_CODES = {"bank_role_missing", "bank_person_missing"}


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ImportForm(FlaskForm):
    occupation_id = SelectField(
        _l("Occupation"), coerce=int, validators=[InputRequired(message=_l("Choose an occupation."))]
    )
    level = SelectField(_l("Level"), coerce=int, validators=[InputRequired(message=_l("Choose a level."))])
    format = SelectField(
        _l("File format"),
        choices=[SelectChoice(k, v) for k, v in IMPORT_FORMATS],
        default="auto",
        validators=[InputRequired(message=_l("Choose the file format."))],
    )
    partial = BooleanField(_l("Partial import: import the valid questions and report the rest"))
    file = FileField(_l("Question file"))


class ExportForm(FlaskForm):
    occupation_id = SelectField(
        _l("Occupation"), coerce=int, validators=[InputRequired(message=_l("Choose an occupation."))]
    )
    level = SelectField(_l("Level"), coerce=int, validators=[InputRequired(message=_l("Choose a level."))])
    states = MultiCheckboxField(_l("Questions whose version is"), default=[VersionState.ACTIVE.value])
    format = SelectField(
        _l("File format"),
        choices=[SelectChoice(k, v) for k, v in EXPORT_FORMATS],
        default="xlsx",
        validators=[InputRequired(message=_l("Choose the file format."))],
    )


def _choices(form: ImportForm | ExportForm) -> dict[int, Occupation]:
    occupations = {o.id: o for o in access.body_occupations(current_user.body_id)}
    form.occupation_id.choices = [SelectChoice(str(o.id), f"{o.code} {o.name_zh}") for o in occupations.values()]
    form.level.choices = [
        SelectChoice(str(lv.ordinal), level_label(lv.ordinal))
        for lv in LADDER
        if lv.obtained_by == HowObtained.CERTIFICATION
    ]
    return occupations


def _user() -> User:
    return current_user._get_current_object()


def _refused(form: FlaskForm, occupation: Occupation, refused: Refused, back: str) -> Response | None:
    """Answer a refusal: a recusal block is kept on record (403), a missing pledge leads to the pledge page,
    a missing role or person is 403; anything else goes on the form (None)."""
    if isinstance(refused, RecusalBlocked):
        db.session.commit()  # the check, its audit entry and the refused attempt stay on record
        reasons = [r.message(current_locale()) for r in refused.verdict.reasons]
        return Response(render_template("bank/blocked.html", occupation=occupation, reasons=reasons), status=403)
    db.session.rollback()
    if isinstance(refused, PledgeMissing):
        try:
            return redirect(url_for("bank.pledge", occupation_code=occupation.code, next=back))
        except BuildError:
            pass
    if isinstance(refused, PledgeMissing) or any(p.code in ACCESS_CODES for p in refused.problems):
        body = render_template("bank/blocked.html", occupation=occupation, reasons=refused.messages())
        return Response(body, status=403)
    apply_refusal(form, refused)
    return None


@bp.get("/imports")
@roles_required(*STRUCTURE_ROLES)
def index():
    records = db.session.execute(
        sa.select(BankImport)
        .where(BankImport.body_id == current_user.body_id)
        .options(selectinload(BankImport.occupation), selectinload(BankImport.created_by))
        .order_by(BankImport.id.desc())
        .limit(HISTORY_LIMIT)
    ).scalars()
    return render_template(
        "bank/imports/index.html", records=list(records), content_role=current_user.has_role(*CONTENT_ROLES)
    )


@bp.route("/imports/new", methods=["GET", "POST"])
@roles_required(*CONTENT_ROLES)
def new():
    form = ImportForm()
    occupations = _choices(form)
    report, status = None, 200
    if form.is_submitted():
        status = 400
        valid = form.validate()
        upload = form.file.data
        if valid and not getattr(upload, "filename", ""):
            form.file.errors = [_("Choose the question file to upload.")]
        elif valid:
            data = upload.read(MAX_BYTES + 1)
            occupation = occupations[form.occupation_id.data]
            dry_run = request.form.get("action") != "import"
            try:
                outcome = imports.import_questions(
                    current_user.body,
                    occupation,
                    form.level.data,
                    data,
                    upload.filename,
                    fmt=form.format.data,
                    partial=form.partial.data,
                    dry_run=dry_run,
                    user=_user(),
                )
            except Refused as refused:
                answer = _refused(form, occupation, refused, url_for("bank_imports.new"))
                if answer is not None:
                    return answer
            else:
                db.session.commit()
                if not dry_run:
                    flash(_imported_message(outcome), "success" if outcome.complete else "error")
                    return redirect(url_for("bank_imports.show", import_id=outcome.record.id))
                report, status = outcome.report, 200
    return render_template("bank/imports/new.html", form=form, report=report, **_report_helpers()), status


def _imported_message(outcome: imports.ImportOutcome) -> str:
    report = outcome.report
    if outcome.complete:
        return _("All %(count)s questions were imported as drafts.", count=report.items_imported)
    if report.items_imported:
        return _(
            "%(imported)s of %(found)s questions were imported as drafts; the others are listed below.",
            imported=report.items_imported,
            found=report.items_found,
        )
    return _("Nothing was imported: the problems are listed below.")


def _report_helpers() -> dict:
    locale = current_locale()
    return {
        "where": lambda p: where(p, locale),
        "reason": lambda p: reason(p, locale),
        "field_label": lambda f: field_label(f, locale),
    }


@bp.get("/imports/<int:import_id>")
@roles_required(*CONTENT_ROLES)
def show(import_id: int):
    record = own(db.session.get(BankImport, import_id))
    response = content_gate(record.occupation, "import_report_viewed", object_type="bank_import", object_id=record.id)
    if response is not None:
        return response
    return render_template(
        "bank/imports/show.html",
        record=record,
        report=report_from_json(record.report),
        created=imports.created_question_ids(record),
        **_report_helpers(),
    )


@bp.get("/template.xlsx")
@roles_required(*STRUCTURE_ROLES)
def template():
    return send_file(
        io.BytesIO(blank_template_xlsx()),
        mimetype=exports.XLSX_TYPE,
        as_attachment=True,
        download_name="试题导入模板.xlsx",
    )


@bp.route("/exports/new", methods=["GET", "POST"])
@roles_required(*CONTENT_ROLES)
def export():
    form = ExportForm()
    occupations = _choices(form)
    form.states.choices = [SelectChoice(s.value, state_label(s)) for s in exports.EXPORTABLE_STATES]
    if form.validate_on_submit():
        occupation = occupations[form.occupation_id.data]
        try:
            filename, mimetype, data = exports.export_questions(
                current_user.body, occupation, form.level.data, form.states.data or [], form.format.data, _user()
            )
        except Refused as refused:
            answer = _refused(form, occupation, refused, url_for("bank_imports.export"))
            if answer is not None:
                return answer
        else:
            db.session.commit()
            return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=filename)
    status = 400 if form.is_submitted() else 200
    return render_template("bank/imports/export.html", form=form), status
