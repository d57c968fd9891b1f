"""Bank pages: record a sitting's results, its statistics, each item's statistics across sittings, the review queue.

These pages show measures and question numbers, never content, so they need no content gate.
"""

from __future__ import annotations

import json
import math

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectChoice, SelectField, StringField, TextAreaField

from certify.auth.models import Role
from certify.core.access import roles_required
from certify.core.db import db
from certify.core.errors import Refused
from certify.core.forms import apply_refusal, flash_form_errors, flash_refusal
from certify.ladder.levels import LADDER

from . import statistics_ops
from .access import REVIEW_ROLES, STRUCTURE_ROLES, body_occupations
from .charts import line_chart_svg
from .models import (
    BankQuestion,
    FlagState,
    ItemFlag,
    ItemStatistic,
    PaperRecord,
    QuestionVersion,
    SessionStatistics,
)
from .statistics_rules import stored_flags
from .views_common import own

bp = Blueprint("bank_stats", __name__, url_prefix="/bank")

#: who may read statistics and the review queue
VIEW_ROLES = (*STRUCTURE_ROLES, Role.SUPERVISOR)
#: who may record a sitting's results
UPLOAD_ROLES = (Role.ADMIN, Role.REVIEWER)
RESOLUTION_LABELS = {
    "keep": _l("Keep: the question stays as it is"),
    "edit": _l("Edit: an author will write a new version"),
    "retire": _l("Retire the flagged version"),
}


class ResultsForm(FlaskForm):
    """A sitting's marks (and optionally its responses) for one paper; the operation checks every value."""

    label = StringField(_l("Sitting"))
    marks = FileField(_l("Marks file (CSV or XLSX, at most 5 MB)"))
    responses = FileField(_l("Responses file (optional, CSV or XLSX)"))


class ResolveForm(FlaskForm):
    """A reviewer's decision on a flagged question."""

    resolution = SelectField(
        _l("Decision"), choices=[SelectChoice(k, v) for k, v in RESOLUTION_LABELS.items()], validate_choice=False
    )
    note = TextAreaField(_l("Note"))


def question_url(question_id: int) -> str:
    """The question's page in the bank."""
    return url_for("bank.question", question_id=question_id)


def paper_url(paper_id: int) -> str:
    """The paper's summary page."""
    return url_for("bank_blueprints.paper", paper_id=paper_id)


def _paper(paper_id: int) -> PaperRecord:
    paper = db.session.get(PaperRecord, paper_id)
    if paper is None:
        abort(404)
    own(paper.run.blueprint)
    return paper


def _upload(storage) -> tuple[bytes | None, str]:
    """The bytes (at most one more than the limit, so that the size check sees an oversized file) and name."""
    if storage is None or not getattr(storage, "filename", ""):
        return None, ""
    return storage.read(statistics_ops.UPLOAD_MAX_BYTES + 1), storage.filename


def _render(template: str, **context):
    return render_template(template, question_url=question_url, paper_url=paper_url, **context)


@bp.route("/papers/<int:paper_id>/results", methods=["GET", "POST"])
@roles_required(*UPLOAD_ROLES)
def upload(paper_id: int):
    paper = _paper(paper_id)
    form = ResultsForm()
    if form.validate_on_submit():
        marks, marks_name = _upload(form.marks.data)
        responses, responses_name = _upload(form.responses.data)
        try:
            session = statistics_ops.record_session_results_file(
                paper,
                form.label.data,
                marks,
                responses,
                current_user,
                marks_filename=marks_name,
                responses_filename=responses_name,
            )
        except Refused as refused:
            db.session.rollback()
            apply_refusal(form, refused)
        else:
            flagged = db.session.execute(
                sa.select(sa.func.count(ItemFlag.id))
                .join(ItemStatistic, ItemFlag.statistic_id == ItemStatistic.id)
                .where(ItemStatistic.session_id == session.id)
            ).scalar_one()
            db.session.commit()
            flash(_("Statistics recorded; %(count)s question(s) sent to the review queue.", count=flagged), "success")
            return redirect(url_for(".session", session_id=session.id))
    sessions = (
        db.session.execute(
            sa.select(SessionStatistics)
            .where(SessionStatistics.paper_id == paper.id)
            .order_by(SessionStatistics.computed_at, SessionStatistics.id)
        )
        .scalars()
        .all()
    )
    items = statistics_ops.scored_items(paper)
    return _render("bank/stats/upload.html", paper=paper, form=form, items=items, sessions=sessions)


@bp.get("/sessions/<int:session_id>")
@roles_required(*VIEW_ROLES)
def session(session_id: int):
    record = db.session.get(SessionStatistics, session_id)
    if record is None:
        abort(404)
    own(record.paper.run.blueprint)
    flags: dict[int, list[ItemFlag]] = {}
    for flag in db.session.execute(
        sa.select(ItemFlag)
        .join(ItemStatistic, ItemFlag.statistic_id == ItemStatistic.id)
        .where(ItemStatistic.session_id == record.id)
        .order_by(ItemFlag.id)
    ).scalars():
        flags.setdefault(flag.statistic_id, []).append(flag)
    rows = [
        {
            "statistic": statistic,
            "measures": json.loads(statistic.measures),
            "flags": [reason for flag in flags.get(statistic.id, []) for reason in stored_flags(flag.flags)],
        }
        for statistic in record.items
    ]
    return _render("bank/stats/session.html", record=record, test=json.loads(record.test), rows=rows)


@bp.get("/flags")
@roles_required(*VIEW_ROLES)
def flags():
    occupations = body_occupations(current_user.body_id) if current_user.body_id else []
    occupation_id = request.args.get("occupation", type=int)
    level = request.args.get("level", type=int)
    stmt = (
        sa.select(ItemFlag, BankQuestion, SessionStatistics, QuestionVersion)
        .join(BankQuestion, ItemFlag.question_id == BankQuestion.id)
        .join(ItemStatistic, ItemFlag.statistic_id == ItemStatistic.id)
        .join(SessionStatistics, ItemStatistic.session_id == SessionStatistics.id)
        .join(QuestionVersion, ItemFlag.version_id == QuestionVersion.id)
        .where(BankQuestion.body_id == current_user.body_id, ItemFlag.state == FlagState.OPEN)
        .order_by(ItemFlag.raised_at, ItemFlag.id)
    )
    if occupation_id:
        stmt = stmt.where(BankQuestion.occupation_id == occupation_id)
    if level:
        stmt = stmt.where(BankQuestion.level_ordinal == level)
    groups: dict[int, dict] = {}
    for flag, question, sitting, version in db.session.execute(stmt):
        group = groups.setdefault(question.id, {"question": question, "entries": []})
        group["entries"].append(
            {"flag": flag, "session": sitting, "version": version, "reasons": stored_flags(flag.flags)}
        )
    return _render(
        "bank/stats/flags.html",
        groups=list(groups.values()),
        occupations=occupations,
        levels=LADDER,
        occupation_id=occupation_id,
        level=level,
        form=ResolveForm(),
    )


@bp.post("/flags/<int:flag_id>/resolve")
@roles_required(*REVIEW_ROLES)
def resolve(flag_id: int):
    flag = db.session.get(ItemFlag, flag_id)
    if flag is None:
        abort(404)
    own(flag.question)
    form = ResolveForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for(".flags"))
    try:
        resolved = statistics_ops.resolve_flag(flag, current_user, form.resolution.data or "", form.note.data)
    except Refused as refused:
        flash_refusal(refused)
        return redirect(url_for(".flags"))
    db.session.commit()
    flash(
        _(
            "Question %(number)s: %(count)s flag(s) resolved (%(decision)s).",
            number=flag.question_id,
            count=len(resolved),
            decision=RESOLUTION_LABELS[form.resolution.data],
        ),
        "success",
    )
    return redirect(url_for(".flags"))


@bp.get("/questions/<int:question_id>/statistics")
@roles_required(*VIEW_ROLES)
def item(question_id: int):
    question = own(db.session.get(BankQuestion, question_id))
    history = statistics_ops.item_history(question.id)
    policy = statistics_ops.flag_policy()
    chart = None
    if history:
        discrimination = [
            (h["label"], None if h["discrimination"] is None else h["discrimination"] / 100.0) for h in history
        ]
        lowest = min([0.0, *(value for _label, value in discrimination if value is not None)])
        chart = line_chart_svg(
            {
                _("Facility"): [(h["label"], h["facility"]) for h in history],
                _("Discrimination index ÷ 100"): discrimination,
            },
            y_range=(max(-1.0, math.floor(lowest * 4) / 4), 1.0),
            thresholds=[
                (policy.facility_high, _("facility %(limit)s", limit=policy.facility_high)),
                (policy.facility_low, _("facility %(limit)s", limit=policy.facility_low)),
                (policy.discrimination_min, _("discrimination %(limit)s", limit=policy.discrimination_min)),
            ],
            title=_("Question %(number)s: facility and discrimination per sitting", number=question.id),
            x_title=_("Sitting"),
        )
    open_flags = (
        db.session.execute(
            sa.select(ItemFlag)
            .where(ItemFlag.question_id == question.id, ItemFlag.state == FlagState.OPEN)
            .order_by(ItemFlag.raised_at, ItemFlag.id)
        )
        .scalars()
        .all()
    )
    return _render(
        "bank/stats/item.html",
        question=question,
        history=history,
        chart=chart,
        policy=policy,
        open_flags=open_flags,
        form=ResolveForm(),
    )
