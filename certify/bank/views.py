"""Bank pages: home, pledge, questions, versions, review queue, assets.

Content (stems, options, keys, assets) is shown only after `content_gate`; writes go through the operations,
which check access again. An operation refused for access (pledge, recusal, role) is rolled back and answered
by the gate, which records a blocked attempt and shows its reasons.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from certify.auth.models import Role, User
from certify.core.access import roles_required
from certify.core.db import db
from certify.core.errors import Refused
from certify.core.forms import apply_refusal, flash_refusal
from certify.core.navigation import safe_next
from certify.institutions.models import Occupation
from certify.ladder.levels import BY_ORDINAL
from certify.recusal.operations import RecusalBlocked
from question_bank.model import decimal_text

from . import access, lifecycle, queries, questions_ops
from .access import CONTENT_ROLES, REVIEW_ROLES, STRUCTURE_ROLES
from .messages_questions import state_label
from .models import BankQuestion, QuestionAsset, QuestionVersion, VersionState
from .question_forms import (
    QTYPE_LABELS,
    ActionForm,
    CommentForm,
    PledgeForm,
    RetireForm,
    ReviewForm,
    build_form,
    fill_form,
    read_form,
)
from .rendering import excerpt, version_diff
from .views_common import content_gate, own

bp = Blueprint("bank", __name__, url_prefix="/bank")
#: links of the home page to the other bank pages, shown once those pages exist
SECTION_ENDPOINTS = ("bank_elements.index", "bank_blueprints.index", "bank_imports.index", "bank_stats.flags")
ACCESS_CODES = {"bank_role_missing", "bank_person_missing", "bank_pledge_missing", "recusal_blocked"}

bp.add_app_template_filter(state_label, "version_state")
bp.add_app_template_filter(excerpt, "stem_excerpt")
bp.add_app_template_filter(decimal_text, "points_text")


def _occupation(code: str | None) -> Occupation:
    """One of the user's body's occupations, else 404."""
    for occupation in access.body_occupations(current_user.body_id):
        if occupation.code == code:
            return occupation
    abort(404)


def _level(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and int(value) in BY_ORDINAL else None


def _is_access(refused: Refused) -> bool:
    return isinstance(refused, RecusalBlocked) or any(p.code in ACCESS_CODES for p in refused.problems)


def _access_response(occupation: Occupation, question_id: int | None) -> Response:
    """Answer an operation refused for access: undo it and let the gate record and explain the refusal."""
    db.session.rollback()
    kind, ident = ("question", question_id) if question_id else ("occupation", occupation.id)
    return content_gate(occupation, "write_refused", object_type=kind, object_id=ident) or abort(403)


def _user() -> User:
    return current_user._get_current_object()


@bp.get("")
@roles_required(*STRUCTURE_ROLES, Role.SUPERVISOR)
def index():
    counts = queries.counts_by_state(current_user.body_id)
    rows = []
    for occupation in access.body_occupations(current_user.body_id):
        levels = {lvl for (occ, lvl) in counts if occ == occupation.id}
        levels |= queries.table_levels(current_user.body_id, occupation.id)
        pledge = access.pledge_of(current_user, occupation) if current_user.has_role(*CONTENT_ROLES) else None
        per_level = [(lvl, counts.get((occupation.id, lvl))) for lvl in sorted(levels)]
        rows.append((occupation, pledge, per_level))
    links = list(SECTION_ENDPOINTS)
    return render_template(
        "bank/index.html",
        rows=rows,
        states=list(VersionState),
        links=links,
        content_role=current_user.has_role(*CONTENT_ROLES),
        reviewer=current_user.has_role(*REVIEW_ROLES),
    )


@bp.route("/pledge/<occupation_code>", methods=["GET", "POST"])
@roles_required(*CONTENT_ROLES)
def pledge(occupation_code: str):
    occupation = _occupation(occupation_code)
    target = safe_next(request.values.get("next")) or url_for("bank.index")
    form = PledgeForm()
    existing = access.pledge_of(current_user, occupation)
    if existing is None and form.validate_on_submit():
        try:
            access.sign_pledge(_user(), occupation, form.signed_name.data, request.remote_addr)
        except Refused as refused:
            db.session.rollback()
            apply_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("You signed the confidentiality pledge for the %(code)s bank.", code=occupation.code), "success")
            return redirect(target)
    status = 400 if request.method == "POST" and existing is None else 200
    return render_template(
        "bank/pledge.html", occupation=occupation, form=form, existing=existing, target=target
    ), status


@bp.get("/questions")
@roles_required(*CONTENT_ROLES)
def questions():
    code = request.args.get("occupation")
    if not code:
        return render_template("bank/questions.html", occupation=None, occupations=_occupations_of_body())
    occupation = _occupation(code)
    state = request.args.get("state") or None
    flt = queries.QuestionFilter(
        occupation_id=occupation.id,
        level=_level(request.args.get("level")),
        state=VersionState(state) if state in {s.value for s in VersionState} else None,
        qtype=request.args.get("type") if request.args.get("type") in QTYPE_LABELS else None,
        point=(request.args.get("point") or "").strip().upper()[:60] or None,
        text=(request.args.get("q") or "").strip()[:200] or None,
    )
    details = {k: v for k, v in vars(flt).items() if v is not None and k != "occupation_id"}
    response = content_gate(
        occupation, "questions_listed", object_type="occupation", object_id=occupation.id, details=details
    )
    if response is not None:
        return response
    page = max(1, request.args.get("page", 1, type=int) or 1)
    rows, total = queries.questions_page(current_user.body_id, flt, page)
    pages = max(1, -(-total // queries.PAGE_SIZE))
    return render_template(
        "bank/questions.html",
        occupation=occupation,
        flt=flt,
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        states=list(VersionState),
        qtypes=QTYPE_LABELS,
        levels=list(BY_ORDINAL.values()),
        args={k: v for k, v in request.args.items() if k != "page"},
    )


def _occupations_of_body() -> list[Occupation]:
    return access.body_occupations(current_user.body_id)


@bp.route("/questions/new", methods=["GET", "POST"])
@roles_required(*CONTENT_ROLES)
def new_question():
    occupation = _occupation(request.args.get("occupation"))
    if request.method == "GET":
        response = content_gate(occupation, "question_form_opened", object_type="occupation", object_id=occupation.id)
        if response is not None:
            return response
    points = queries.element_points(current_user.body_id, occupation.id)
    form = build_form(points, new=True)
    if request.method == "GET":
        form.level.data = _level(request.args.get("level"))
    if form.is_submitted():
        created = _save(
            form,
            occupation,
            None,
            (),
            lambda q, files: questions_ops.create_question(
                current_user.body, occupation, form.level.data, q, _user(), form.note.data or "", files
            ),
        )
        if isinstance(created, Response):
            return created
        if created is not None:
            flash(_("Question #%(id)s saved as a draft (version 1).", id=created.id), "success")
            return redirect(url_for("bank.question", question_id=created.id))
    status = 400 if form.is_submitted() else 200
    return render_template("bank/question_form.html", form=form, occupation=occupation, bank_question=None), status


def _save(form, occupation: Occupation, question_id: int | None, kept: tuple[str, ...], save):
    """Validate the form and the question it describes, reporting every problem at its field; save when clean.

    Returns what `save` returned (committed), None when refused (the form carries the problems), or the response
    for an access refusal.
    """
    valid = form.validate()
    try:
        question, files = read_form(form, kept)
        if not valid:
            problems = questions_ops.check_question(current_user.body_id, occupation, question)
            raise Refused(problems) if problems else _FormInvalid()
        result = save(question, files)
    except _FormInvalid:
        return None
    except Refused as refused:
        if _is_access(refused):
            return _access_response(occupation, question_id)
        db.session.rollback()
        apply_refusal(form, refused)
        return None
    db.session.commit()
    return result


class _FormInvalid(Exception):
    """The form has field errors and the content itself has none to add."""


@bp.route("/questions/<int:question_id>/edit", methods=["GET", "POST"])
@roles_required(*CONTENT_ROLES)
def edit_question(question_id: int):
    bank_question = own(db.session.get(BankQuestion, question_id))
    occupation = bank_question.occupation
    latest = bank_question.latest
    if request.method == "GET":
        response = content_gate(occupation, "question_edit_opened", object_type="question", object_id=question_id)
        if response is not None:
            return response
    points = queries.element_points(bank_question.body_id, occupation.id)
    form = build_form(points, new=False, current_point=latest.point_code)
    kept = latest.to_question().images
    if request.method == "GET":
        fill_form(form, latest.to_question())
    else:
        version = _save(
            form,
            occupation,
            question_id,
            kept,
            lambda q, files: questions_ops.edit_question(bank_question, q, _user(), form.note.data or "", files),
        )
        if isinstance(version, Response):
            return version
        if version is not None:
            flash(_("Version %(number)s saved as a draft.", number=version.number), "success")
            return redirect(url_for("bank.question", question_id=question_id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "bank/question_form.html", form=form, occupation=occupation, bank_question=bank_question, kept=kept
    ), status


@bp.get("/questions/<int:question_id>")
@roles_required(*CONTENT_ROLES)
def question(question_id: int):
    bank_question = own(db.session.get(BankQuestion, question_id))
    response = content_gate(
        bank_question.occupation, "question_viewed", object_type="question", object_id=bank_question.id
    )
    if response is not None:
        return response
    latest, live = bank_question.latest, bank_question.live
    diff = version_diff(bank_question, request.args.get("compare", type=int), request.args.get("to", type=int))
    return render_template(
        "bank/question.html",
        bank_question=bank_question,
        latest=latest,
        live=live,
        diff=diff,
        action_form=ActionForm(),
        comment_form=CommentForm(),
        retire_form=RetireForm(),
        reviewer=current_user.has_role(*REVIEW_ROLES),
        points=queries.element_points(bank_question.body_id, bank_question.occupation_id) or {},
    )


def _version(version_id: int) -> QuestionVersion:
    version = db.session.get(QuestionVersion, version_id)
    own(version.question if version is not None else None)
    return version


def _decide(version: QuestionVersion, step, message: str, *args) -> Response:
    """Run one lifecycle step from a button; refusals are flashed on the question page."""
    try:
        step(version, _user(), *args)
    except Refused as refused:
        if _is_access(refused):
            return _access_response(version.question.occupation, version.question_id)
        flash_refusal(refused)
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(url_for("bank.question", question_id=version.question_id))


@bp.post("/versions/<int:version_id>/submit")
@roles_required(*CONTENT_ROLES)
def submit_version(version_id: int):
    version = _version(version_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    message = _("Version %(number)s sent to review.", number=version.number)
    return _decide(version, lifecycle.submit_version, message)


@bp.post("/versions/<int:version_id>/promote")
@roles_required(*REVIEW_ROLES)
def promote_version(version_id: int):
    version = _version(version_id)
    form = CommentForm()
    if not form.validate_on_submit():
        abort(400)
    message = _("Version %(number)s is now active.", number=version.number)
    return _decide(version, lifecycle.promote_version, message, form.comment.data or "")


@bp.post("/versions/<int:version_id>/retire")
@roles_required(*REVIEW_ROLES)
def retire_version(version_id: int):
    version = _version(version_id)
    form = RetireForm()
    if not form.validate_on_submit():
        abort(400)
    message = _("Version %(number)s retired.", number=version.number)
    return _decide(version, lifecycle.retire_version, message, form.reason.data or "")


@bp.route("/versions/<int:version_id>/review", methods=["GET", "POST"])
@roles_required(*REVIEW_ROLES)
def review_version(version_id: int):
    version = _version(version_id)
    bank_question = version.question
    form = ReviewForm()
    if form.validate_on_submit():
        decision, comment = form.decision.data, form.comment.data or ""
        try:
            if decision == "return":
                lifecycle.return_version(version, _user(), comment)
            else:
                lifecycle.approve_version(version, _user(), pretest=decision == "approve_pretest", comment=comment)
        except Refused as refused:
            if _is_access(refused):
                return _access_response(bank_question.occupation, bank_question.id)
            db.session.rollback()
            apply_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("Decision on version %(number)s recorded.", number=version.number), "success")
            return redirect(url_for("bank.review_queue"))
    response = content_gate(
        bank_question.occupation,
        "question_review_opened",
        object_type="question",
        object_id=bank_question.id,
        details={"version": version.number},
    )
    if response is not None:
        return response
    status = 400 if form.is_submitted() else 200
    return render_template(
        "bank/review.html",
        version=version,
        bank_question=bank_question,
        form=form,
        own_version=version.created_by_id == current_user.id,
        live=bank_question.live,
    ), status


@bp.get("/review")
@roles_required(*REVIEW_ROLES)
def review_queue():
    rows = queries.review_queue(current_user.body_id, current_user.id)
    return render_template("bank/review_queue.html", rows=rows, qtypes=QTYPE_LABELS)


@bp.get("/assets/<int:asset_id>")
@roles_required(*CONTENT_ROLES)
def asset(asset_id: int):
    item = own(db.session.get(QuestionAsset, asset_id))
    occupation_ids = queries.asset_occupation_ids(item)
    if not occupation_ids:
        abort(404)
    occupation = db.session.get(Occupation, occupation_ids[0])
    response = content_gate(occupation, "asset_viewed", object_type="asset", object_id=item.id)
    if response is not None:
        return response
    result = Response(item.data, mimetype=item.media_type)
    result.headers["X-Content-Type-Options"] = "nosniff"
    result.headers["Cache-Control"] = "private, no-store"
    result.headers["Content-Disposition"] = "inline"
    return result
