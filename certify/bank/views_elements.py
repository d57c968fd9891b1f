"""Bank pages: element tables (鉴定要素细目表) — index, tree, XLSX upload/download, template, bank-size check.

Element tables are structure, not question content: bank staff and supervisors see them without the content gate.
"""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField

from certify.auth.models import Role, User
from certify.core.access import roles_required
from certify.core.db import db
from certify.core.errors import Refused, describe
from certify.core.forms import apply_refusal
from certify.core.i18n import current_locale
from certify.core.templating import level_label
from certify.ladder.levels import UnknownLevel, parse_level
from question_bank.elements import validate_element_table

from . import elements_ops as ops
from .access import STRUCTURE_ROLES
from .elements_presenting import importance_shares, tree_rows

bp = Blueprint("bank_elements", __name__, url_prefix="/bank/elements")

VIEW_ROLES = (*STRUCTURE_ROLES, Role.SUPERVISOR)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"", "0", "false", "no", "off"}


class UploadForm(FlaskForm):
    file = FileField(_l("Element table (XLSX, at most 5 MB)"), render_kw={"accept": ".xlsx"})


def _occupation_or_404(code: str):
    """The occupation when the user's body is filed for it; anything else does not exist for them."""
    occupation = ops.filed_occupation(current_user.body_id, code)
    if occupation is None:
        abort(404)
    return occupation


def _xlsx(data: bytes, filename: str) -> Response:
    response = Response(data, mimetype=XLSX)
    response.headers["Content-Disposition"] = f"attachment; filename={filename}"
    return response


@bp.get("")
@roles_required(*VIEW_ROLES)
def index():
    rows = ops.summaries(current_user.body_id) if current_user.body_id else []
    return render_template("bank/elements/index.html", rows=rows, levels=ops.WEIGHTED_LEVELS)


@bp.get("/template.xlsx")
@roles_required(*VIEW_ROLES)
def template():
    return _xlsx(ops.blank_template(), "element-table-template.xlsx")


@bp.get("/<occupation_code>")
@roles_required(*VIEW_ROLES)
def table(occupation_code: str):
    occupation = _occupation_or_404(occupation_code)
    record = ops.table_record(current_user.body_id, occupation)
    context: dict = {"occupation": occupation, "record": record, "levels": [], "rows": [], "problems": []}
    if record is not None:
        pure = ops.table_of(record)
        weighted = set(pure.levels())
        levels = [level for level in ops.WEIGHTED_LEVELS if level.ordinal in weighted]
        locale = current_locale()
        context.update(
            levels=levels,
            rows=tree_rows(pure),
            totals={level.ordinal: sum(pure.cells(level.ordinal).values()) for level in levels},
            shares=importance_shares(pure),
            level_shares={level.ordinal: importance_shares(pure, level.ordinal) for level in levels},
            problems=[problem.message(locale) for problem in validate_element_table(pure)],
            updated_by=db.session.get(User, record.updated_by_id) if record.updated_by_id else None,
        )
    return render_template("bank/elements/table.html", **context)


@bp.route("/<occupation_code>/upload", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def upload(occupation_code: str):
    occupation = _occupation_or_404(occupation_code)
    form = UploadForm()
    sheet_problems: list = []
    if request.method == "POST" and form.validate_on_submit():
        upload_file = form.file.data
        data = upload_file.read(ops.UPLOAD_LIMIT + 1) if upload_file else b""
        filename = (upload_file.filename if upload_file else "") or "elements.xlsx"
        try:
            record = ops.replace_element_table(current_user.body, occupation, data, filename, current_user)
        except ops.ElementTableRejected as rejected:
            db.session.rollback()
            apply_refusal(form, rejected)
            sheet_problems = list(rejected.sheet_problems)
        except Refused as refused:
            db.session.rollback()
            apply_refusal(form, refused)
        else:
            db.session.commit()
            flash(
                _(
                    "The element table of %(occupation)s has been replaced (revision %(revision)s).",
                    occupation=occupation.code,
                    revision=record.revision,
                ),
                "success",
            )
            return redirect(url_for("bank_elements.table", occupation_code=occupation.code))
    record = ops.table_record(current_user.body_id, occupation)
    locale = current_locale()
    problems = [
        {
            "row": p.location.row if p.location else None,
            "column": p.location.column if p.location else None,
            "reason": replace(p, location=None).message(locale),
        }
        for p in sheet_problems
    ]
    status = 400 if request.method == "POST" else 200
    page = render_template(
        "bank/elements/upload.html", form=form, occupation=occupation, record=record, problems=problems
    )
    return page, status


@bp.get("/<occupation_code>.xlsx")
@roles_required(*VIEW_ROLES)
def download(occupation_code: str):
    occupation = _occupation_or_404(occupation_code)
    data = ops.export_element_table(current_user.body_id, occupation, current_user)
    if data is None:
        abort(404)
    return _xlsx(data, f"element-table-{occupation.code}.xlsx")


def _bank_size_arguments(default_level: int) -> tuple[int | None, bool, list[str]]:
    errors: list[str] = []
    choices = ", ".join(f"{level.ordinal} ({level_label(level.ordinal)})" for level in ops.WEIGHTED_LEVELS)
    level: int | None = default_level
    text = request.args.get("level", "").strip()
    if text:
        try:
            level = parse_level(text).ordinal
        except UnknownLevel:
            level = None
        if level not in {lvl.ordinal for lvl in ops.WEIGHTED_LEVELS}:
            level = None
            errors.append(describe("element_level_invalid", {"levels": choices}))
    premium_text = request.args.get("premium", "").strip().lower()
    if premium_text not in TRUE_WORDS | FALSE_WORDS:
        errors.append(describe("element_premium_invalid"))
    return level, premium_text in TRUE_WORDS, errors


@bp.get("/<occupation_code>/bank-size")
@roles_required(*VIEW_ROLES)
def bank_size(occupation_code: str):
    occupation = _occupation_or_404(occupation_code)
    pure = ops.element_table(current_user.body_id, occupation)
    weighted = [level.ordinal for level in ops.WEIGHTED_LEVELS if pure is not None and level.ordinal in pure.levels()]
    default = weighted[0] if weighted else ops.WEIGHTED_LEVELS[0].ordinal
    level, premium, errors = _bank_size_arguments(default)
    report = None
    if not errors and level is not None:
        report = ops.bank_size(current_user.body_id, occupation, level, premium)
    locale = current_locale()
    page = render_template(
        "bank/elements/bank_size.html",
        occupation=occupation,
        report=report,
        has_table=pure is not None,
        level=level,
        premium=premium,
        levels=ops.WEIGHTED_LEVELS,
        errors=errors,
        problems=[problem.message(locale) for problem in report.problems] if report else [],
    )
    return page, (400 if errors else 200)
