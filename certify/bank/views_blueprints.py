"""Bank pages: blueprints (组卷方案), feasibility, assembly runs and their papers (structure; content via the gate)."""

from __future__ import annotations

import secrets
from datetime import datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from certify.auth.models import Role, User
from certify.core.access import roles_required
from certify.core.clock import now_utc
from certify.core.db import db
from certify.core.errorpages import render_error
from certify.core.errors import Refused
from certify.core.forms import apply_refusal, flash_form_errors, flash_refusal
from certify.core.i18n import current_locale
from certify.core.templating import level_label
from certify.institutions.models import Occupation
from question_bank.blueprint import EXAM_LEVELS
from question_bank.paper import personalise

from . import assembly_ops, blueprints_ops
from .access import CONTENT_ROLES, STRUCTURE_ROLES, body_occupations
from .blueprint_forms import (
    CREDIT_LABELS,
    TYPE_LABELS,
    AssembleForm,
    ChooseForm,
    RunUsedForm,
    WindowForm,
    apply_blueprint_refusal,
    blueprint_form,
    fill_form,
    spec_from_form,
)
from .messages_blueprints import stored_problem
from .models import AssemblyRun, BlueprintRecord, BlueprintState, PaperRecord, SessionStatistics
from .views_common import content_gate, own

bp = Blueprint("bank_blueprints", __name__, url_prefix="/bank")
VIEW_ROLES = (*STRUCTURE_ROLES, Role.SUPERVISOR)
EDIT_ROLES = (Role.ADMIN, Role.REVIEWER)


def _state_labels() -> dict[BlueprintState, str]:
    return {
        BlueprintState.DRAFT: _("draft"),
        BlueprintState.APPROVED: _("approved"),
        BlueprintState.RETIRED: _("retired"),
    }


def _question_url(question_id: int) -> str:
    """A link to the question's page."""
    return url_for("bank.question", question_id=question_id)


def _num(value) -> str:
    """A number as people write it: 40, 2.5, 3.1416."""
    rounded = round(float(value), 4)
    return str(int(rounded)) if rounded == int(rounded) else str(rounded)


def _render(template: str, status: int = 200, **context):
    context.setdefault("locale", current_locale())
    context.update(state_labels=_state_labels(), type_labels=TYPE_LABELS, credit_labels=CREDIT_LABELS, num=_num)
    return render_template(f"bank/blueprints/{template}", **context), status


def _blueprint(blueprint_id: int) -> BlueprintRecord:
    return own(db.session.get(BlueprintRecord, blueprint_id))


def _run(run_id: int) -> AssemblyRun:
    run = db.session.get(AssemblyRun, run_id)
    own(run.blueprint if run is not None else None)
    return run


def _paper(paper_id: int) -> PaperRecord:
    paper = db.session.get(PaperRecord, paper_id)
    own(paper.run.blueprint if paper is not None else None)
    return paper


def _cells(record_or_table, level: int, spec: dict | None = None) -> list[tuple[str, str]]:
    """(cell, range name) for the form: the element table's cells of the level, then any the spec adds."""
    table = record_or_table
    names = {code: node.name for code, node, _depth in table.iter_ranges()} if table is not None else {}
    cells = list(table.cells(level)) if table is not None else []
    cells += [cell for cell in (spec or {}).get("weights", {}) if cell not in cells]
    return [(cell, names.get(cell, "")) for cell in cells]


def _chooser(message: str | None = None):
    form = ChooseForm(request.args)
    occupations = body_occupations(current_user.body_id)
    form.occupation.choices = [SelectChoice(o.code, f"{o.code} {o.name_zh}") for o in occupations]
    form.level.choices = [SelectChoice(str(level), level_label(level)) for level in sorted(EXAM_LEVELS)]
    return _render("choose.html", 400 if message else 200, form=form, message=message)


@bp.get("/blueprints")
@roles_required(*VIEW_ROLES)
def index():
    return _render("index.html", rows=blueprints_ops.body_blueprints(current_user.body_id))


@bp.route("/blueprints/new", methods=["GET", "POST"])
@roles_required(*EDIT_ROLES)
def new():
    code, level_text = request.args.get("occupation", ""), request.args.get("level", "")
    if not code and not level_text:
        return _chooser()
    occupation = next((o for o in body_occupations(current_user.body_id) if o.code == code), None)
    if occupation is None:
        return _chooser(_("Choose one of your body's occupations (not %(code)s).", code=code[:40]))
    if not level_text.isdigit() or int(level_text) not in EXAM_LEVELS:
        return _chooser(_("Choose a level with a theory examination (%(low)s–%(high)s).", low=2, high=6))
    level = int(level_text)
    table = blueprints_ops.element_table_for(current_user.body_id, occupation)
    if table is None or not table.cells(level):
        return _chooser(_("The element table of %(code)s has no weights for this level yet.", code=occupation.code))
    form = blueprint_form(_cells(table, level))
    if request.method == "GET":
        fill_form(form, "", blueprints_ops.default_spec(table, level))
    elif form.validate_on_submit():
        try:
            record = blueprints_ops.save_blueprint(
                current_user.body, occupation, level, form.name.data, spec_from_form(form), current_user
            )
        except Refused as refused:
            db.session.rollback()
            apply_blueprint_refusal(form, refused)
        else:
            db.session.commit()
            flash(
                _("The blueprint was saved as a draft; check its feasibility, then ask a colleague to approve it."),
                "success",
            )
            return redirect(url_for("bank_blueprints.show", blueprint_id=record.id))
    status = 400 if request.method == "POST" else 200
    return _render("form.html", status, form=form, occupation=occupation, level=level, record=None)


@bp.get("/blueprints/<int:blueprint_id>")
@roles_required(*VIEW_ROLES)
def show(blueprint_id: int):
    record = _blueprint(blueprint_id)
    report = blueprints_ops.stored_report(record)
    problems = [stored_problem(p).message(current_locale()) for p in (report or {}).get("problems", [])]
    creator = db.session.get(User, record.created_by_id) if record.created_by_id else None
    approver = db.session.get(User, record.approved_by_id) if record.approved_by_id else None
    return _render(
        "show.html",
        record=record,
        spec=record.spec_dict(),
        report=report,
        problems=problems,
        creator=creator,
        approver=approver,
    )


@bp.route("/blueprints/<int:blueprint_id>/edit", methods=["GET", "POST"])
@roles_required(*EDIT_ROLES)
def edit(blueprint_id: int):
    record = _blueprint(blueprint_id)
    spec = record.spec_dict()
    table = blueprints_ops.element_table_for(record.body_id, record.occupation)
    form = blueprint_form(_cells(table, record.level_ordinal, spec))
    if request.method == "GET":
        fill_form(form, record.name, spec)
    elif form.validate_on_submit():
        try:
            saved = blueprints_ops.save_blueprint(
                current_user.body, record.occupation, record.level_ordinal, form.name.data, spec_from_form(form),
                current_user, blueprint=record,
            )  # fmt: skip
        except Refused as refused:
            db.session.rollback()
            apply_blueprint_refusal(form, refused)
        else:
            db.session.commit()
            if saved.id != blueprint_id:
                flash(_("Papers were assembled from blueprint #%(old)s, so your changes were saved as a new draft "
                        "blueprint #%(new)s.", old=blueprint_id, new=saved.id), "success")  # fmt: skip
            else:
                flash(_("The blueprint was saved and is a draft again: check and approve it before use."), "success")
            return redirect(url_for("bank_blueprints.show", blueprint_id=saved.id))
    status = 400 if request.method == "POST" else 200
    return _render(
        "form.html", status, form=form, occupation=record.occupation, level=record.level_ordinal, record=record
    )


@bp.post("/blueprints/<int:blueprint_id>/check")
@roles_required(*EDIT_ROLES)
def check(blueprint_id: int):
    record = _blueprint(blueprint_id)
    try:
        evaluation = blueprints_ops.check_feasibility(record)
    except Refused as refused:
        flash_refusal(refused)
        return redirect(url_for("bank_blueprints.show", blueprint_id=blueprint_id))
    db.session.commit()
    if evaluation.ok:
        flash(_("The bank can serve this blueprint."), "success")
    else:
        flash(
            _("The bank cannot serve this blueprint yet: %(count)s problems.", count=len(evaluation.problems)), "error"
        )
    return redirect(url_for("bank_blueprints.feasibility", blueprint_id=blueprint_id))


@bp.get("/blueprints/<int:blueprint_id>/feasibility")
@roles_required(*VIEW_ROLES)
def feasibility(blueprint_id: int):
    record = _blueprint(blueprint_id)
    form = WindowForm(request.args)
    window, candidates = None, 0
    if request.args and form.validate():
        window, candidates = (form.window.data or "").strip() or None, form.candidates.data or 0
    evaluation = blueprints_ops.evaluate(record, window, candidates)
    locale = current_locale()
    problems = [problem.message(locale) for problem in evaluation.problems]
    status = 400 if request.args and form.errors else 200
    return _render("feasibility.html", status, record=record, evaluation=evaluation, problems=problems, form=form)


@bp.post("/blueprints/<int:blueprint_id>/approve")
@roles_required(*EDIT_ROLES)
def approve(blueprint_id: int):
    record = _blueprint(blueprint_id)
    try:
        blueprints_ops.approve_blueprint(record, current_user)
    except Refused as refused:
        flash_refusal(refused)
    else:
        db.session.commit()
        flash(_("The blueprint is approved: papers may now be assembled from it."), "success")
    return redirect(url_for("bank_blueprints.show", blueprint_id=blueprint_id))


@bp.post("/blueprints/<int:blueprint_id>/retire")
@roles_required(*EDIT_ROLES)
def retire(blueprint_id: int):
    record = _blueprint(blueprint_id)
    try:
        blueprints_ops.retire_blueprint(record, current_user)
    except Refused as refused:
        flash_refusal(refused)
    else:
        db.session.commit()
        flash(_("The blueprint is retired; its papers stay on record."), "success")
    return redirect(url_for("bank_blueprints.show", blueprint_id=blueprint_id))


@bp.route("/blueprints/<int:blueprint_id>/assemble", methods=["GET", "POST"])
@roles_required(*EDIT_ROLES)
def assemble(blueprint_id: int):
    record = _blueprint(blueprint_id)
    form = AssembleForm()
    if request.method == "GET":
        form.seed.data = str(secrets.randbelow(10**9))
        form.forms.data = record.spec_dict().get("forms", 2)
        form.window.data = now_utc().strftime("%Y-%m")
        form.candidates.data = 0
    elif form.validate_on_submit():
        try:
            run = assembly_ops.assemble_papers(
                record, form.seed.data, form.forms.data, form.window.data, form.candidates.data, current_user
            )
        except Refused as refused:
            db.session.rollback()
            apply_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("%(count)s forms were assembled and stored with seed %(seed)s.", count=len(run.papers),
                    seed=run.seed), "success")  # fmt: skip
            return redirect(url_for("bank_blueprints.run", run_id=run.id))
    status = 400 if request.method == "POST" else 200
    return _render("assemble.html", status, record=record, form=form)


@bp.get("/runs/<int:run_id>")
@roles_required(*VIEW_ROLES)
def run(run_id: int):
    row = _run(run_id)
    cells = {paper.form: assembly_ops.points_per_cell(paper) for paper in row.papers}
    all_cells = sorted({cell for per_form in cells.values() for cell in per_form})
    return _render(
        "run.html",
        run=row,
        cells=cells,
        all_cells=all_cells,
        overlap=assembly_ops.shared_between(row.papers),
        used_form=RunUsedForm(),
    )


@bp.post("/runs/<int:run_id>/used")
@roles_required(*EDIT_ROLES)
def run_used(run_id: int):
    row = _run(run_id)
    form = RunUsedForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("bank_blueprints.run", run_id=run_id))
    zone = ZoneInfo(current_user.body.timezone if current_user.body else "Asia/Shanghai")
    on = datetime.combine(form.session_on.data, time(), tzinfo=zone)
    try:
        assembly_ops.mark_run_used(row, form.session_label.data, on)
    except Refused as refused:
        flash_refusal(refused)
    else:
        db.session.commit()
        flash(_("Recorded: its questions now count as used in that session."), "success")
    return redirect(url_for("bank_blueprints.run", run_id=run_id))


@bp.get("/papers/<int:paper_id>")
@roles_required(*VIEW_ROLES)
def paper(paper_id: int):
    record = _paper(paper_id)
    sittings = db.session.execute(
        sa.select(SessionStatistics).where(SessionStatistics.paper_id == record.id).order_by(SessionStatistics.id)
    ).scalars()
    return _render("paper.html", paper=record, question_url=_question_url, sittings=list(sittings))


@bp.get("/papers/<int:paper_id>/content")
@roles_required(*CONTENT_ROLES)
def paper_content(paper_id: int):
    record = _paper(paper_id)
    candidate = request.args.get("candidate")
    if candidate is not None and not 0 < len(candidate.strip()) <= 100:
        return render_error(400, _("The candidate seed must be 1 to 100 characters."))
    details = {"form": record.form, "candidate": candidate.strip()} if candidate else {"form": record.form}
    occupation = db.session.get(Occupation, record.run.blueprint.occupation_id)
    response = content_gate(occupation, "paper_viewed", object_type="paper", object_id=record.id, details=details)
    if response is not None:
        return response
    items = {str(item.version_id): item for item in record.items}
    personal = personalise(assembly_ops.paper_from_record(record), candidate.strip()) if candidate else None
    return _render(
        "paper_content.html",
        paper=record,
        items=items,
        personal=personal,
        question_url=_question_url,
    )
