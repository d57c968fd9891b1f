"""Marking pages: a session's results (staff), markers' blind queues and scripts, signatures, the score lock and
regrades after a key correction.

Access: administrators manage; supervisors read the results; assessors and senior assessors reach a session
only as its assigned markers (anyone else: 404) and never see who wrote a script; candidates never.
"""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectChoice

from certify.auth.models import Role, User
from certify.bank.messages_questions import state_label
from certify.bank.models import PaperRecord, QuestionVersion
from certify.bank.question_forms import QTYPE_LABELS
from certify.core.access import own_body_or_404, roles_required
from certify.core.db import db
from certify.core.errors import Refused
from certify.core.forms import apply_refusal, flash_refusal
from certify.core.i18n import current_locale
from certify.exams import marking_ops, regrade_ops
from certify.exams import queries_marking as queries
from certify.exams.marking_forms import AssignMarkerForm, ConfirmForm, MarkForm, RegradeForm
from certify.exams.marking_rules import AnswerStatus
from certify.exams.models import AttemptState, ExamAttempt, ExamSession, MarkerRole
from certify.recusal.operations import RecusalBlocked
from question_bank.model import decimal_text

bp = Blueprint("marking", __name__, url_prefix="/marking")

READERS = (Role.ADMIN, Role.SUPERVISOR)
MAX_ID = 2**31 - 1
MARKERS = (Role.ASSESSOR, Role.SENIOR_ASSESSOR)
STATE_LABELS = {
    AttemptState.SUBMITTED: _l("Submitted"),
    AttemptState.AUTO_SUBMITTED: _l("Auto-submitted at the deadline"),
    AttemptState.ABANDONED: _l("Abandoned (not submitted)"),
    AttemptState.TERMINATED: _l("Terminated by the invigilator"),
}
STATUS_LABELS = {
    AnswerStatus.BLANK: _l("Blank: 0"),
    AnswerStatus.AWAITING_MARKS: _l("Awaiting marks"),
    AnswerStatus.AWAITING_ADJUDICATION: _l("Awaiting adjudication"),
    AnswerStatus.ADJUDICATED: _l("Adjudicated"),
    AnswerStatus.AGREED: _l("Agreed: mean of the marks"),
}


def _state_label(attempt: ExamAttempt) -> str:
    if attempt.state is AttemptState.IN_PROGRESS:
        return _("In progress") if attempt.started_at else _("Not started")
    return str(STATE_LABELS[attempt.state])


def _number(text: str | None) -> int | None:
    """A positive whole number typed or chosen in a form, None for anything else (or too large for an id)."""
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 10 and int(text) <= MAX_ID else None


def _points(value) -> str:
    """A number of points as people write it: 15, 12.5 (stored values carry two decimals)."""
    if value is None or value == "":
        return ""
    return decimal_text(Decimal(str(value)))


def _render(template: str, status: int = 200, **context):
    helpers = {"state_label": _state_label, "status_labels": STATUS_LABELS, "MarkerRole": MarkerRole, "pts": _points}
    return render_template(template, **helpers, **context), status


def _session(session_id: int) -> ExamSession:
    # an id beyond the database's integer range names nothing (and must not reach the database)
    session = db.session.get(ExamSession, session_id) if session_id <= MAX_ID else None
    if session is None:
        abort(404)
    own_body_or_404(session.body_id)
    return session


def _my_marker(session: ExamSession):
    marker = queries.marker_of(session.id, current_user.person_id)
    if marker is None:
        abort(404)
    return marker


@bp.get("/")
@roles_required(*READERS, *MARKERS)
def index():
    staff, marking = queries.sessions_for(current_user)
    return _render("exams/marking/index.html", staff=staff, marking=marking)


def _results_page(session: ExamSession, form: AssignMarkerForm | None = None, blocked=None, status: int = 200):
    board = queries.board(session)
    rows = []
    for attempt in queries.attempts_for_results(session.id):
        answers = board.of_attempt(attempt.id)
        final = sum(1 for a in answers if a.status.final)
        provisional = board.hand_total(attempt.id) if answers and final == len(answers) else None
        rows.append({"attempt": attempt, "answers": len(answers), "final": final, "provisional": provisional})
    if form is None:
        form = AssignMarkerForm(formdata=None)
    form.person.choices = [SelectChoice("", _("Choose…"))] + [
        SelectChoice(str(user.person_id), user.display_name) for user in queries.eligible_markers(session.body_id)
    ]
    who = {row["attempt"].id: f"{row['attempt'].ticket_number} {row['attempt'].candidate.name}" for row in rows}
    locked_by = db.session.get(User, session.scores_locked_by_id) if session.scores_locked_by_id else None
    return _render(
        "exams/marking/results.html", status, session=session, rows=rows, board=board, form=form,
        blocked=blocked, has_hand=queries.has_hand_items(session), regrades=queries.regrades(session.id),
        confirm=ConfirmForm(), who=who, locked_by=locked_by,
    )  # fmt: skip


@bp.get("/sessions/<int:session_id>")
@roles_required(*READERS)
def results(session_id: int):
    return _results_page(_session(session_id))


@bp.post("/sessions/<int:session_id>/markers")
@roles_required(Role.ADMIN)
def assign_marker(session_id: int):
    session = _session(session_id)
    form = AssignMarkerForm()
    if not form.validate_on_submit():
        return _results_page(session, form, status=400)
    person = _number(form.person.data)
    try:
        marker = marking_ops.assign_marker(session, person, form.role.data, current_user)
    except marking_ops.MarkerBlocked as refused:
        db.session.commit()  # the recusal checks and the refusal stay on record
        blocked = [(c.name, [r.message(current_locale()) for r in v.reasons]) for c, v in refused.blocked]
        apply_refusal(form, refused)
        return _results_page(_session(session_id), form, blocked, 409)
    except Refused as refused:
        db.session.rollback()
        apply_refusal(form, refused)
        return _results_page(_session(session_id), form, status=400)
    name = marker.person.name
    db.session.commit()
    flash(_("%(name)s is assigned to mark this session.", name=name), "success")
    return redirect(url_for(".results", session_id=session_id))


@bp.get("/sessions/<int:session_id>/queue")
@roles_required(*MARKERS)
def queue(session_id: int):
    session = _session(session_id)
    marker = _my_marker(session)
    board = queries.board(session)
    answers = board.queue(marker)
    outstanding = board.outstanding(marker)
    return _render(
        "exams/marking/queue.html", session=session, marker=marker, answers=answers, outstanding=outstanding,
        board=board, confirm=ConfirmForm(), may_lock=marker.role is MarkerRole.ADJUDICATOR,
    )  # fmt: skip


def _script_page(session: ExamSession, code: str, position: int, form: MarkForm | None = None, status: int = 200):
    marker = _my_marker(session)
    board = queries.board(session)
    answers = board.queue(marker)
    answer = next((a for a in answers if a.code == code and a.item.position == position), None)
    if answer is None:
        abort(404)
    mine = answer.adjudication if marker.role is MarkerRole.ADJUDICATOR else answer.marks.get(marker.person_id)
    # Independence: a marker sees the others' marks only once every marker's mark of this answer is in.
    everyone_in = set(board.marker_ids) <= set(answer.marks)
    others = [m for p, m in answer.marks.items() if p != marker.person_id] if everyone_in else []
    index = answers.index(answer)
    return _render(
        "exams/marking/script.html", status, session=session, marker=marker, answer=answer,
        question=answer.item.version.to_question(), qtype=QTYPE_LABELS.get(answer.item.type_key, answer.item.type_key),
        mine=mine, history=queries.own_history(answer.attempt.id, position, marker.person_id), others=others,
        form=form or MarkForm(formdata=None), previous=answers[index - 1] if index else None,
        next=answers[index + 1] if index + 1 < len(answers) else None,
        done=len(answers) - len(board.outstanding(marker)), total=len(answers),
    )  # fmt: skip


@bp.get("/sessions/<int:session_id>/scripts/<code>/<int:position>")
@roles_required(*MARKERS)
def script(session_id: int, code: str, position: int):
    return _script_page(_session(session_id), code, position)


@bp.post("/sessions/<int:session_id>/scripts/<code>/<int:position>")
@roles_required(*MARKERS)
def record_mark(session_id: int, code: str, position: int):
    session = _session(session_id)
    marker = _my_marker(session)
    answer = next(
        (a for a in queries.board(session).queue(marker) if (a.code, a.item.position) == (code, position)), None
    )
    if answer is None:
        abort(404)
    form = MarkForm()
    if not form.validate_on_submit():
        return _script_page(session, code, position, form, 400)
    try:
        marking_ops.record_mark(
            answer.attempt, position, current_user.person_id, form.points.data, form.comment.data, current_user
        )
    except RecusalBlocked:
        db.session.commit()  # the blocked check stays on record; the marker is not told about whom (blind)
        flash(_("The recusal rules do not let you mark this script. The administrator can see why."), "error")
        return redirect(url_for(".queue", session_id=session_id))
    except Refused as refused:
        db.session.rollback()
        apply_refusal(form, refused)
        return _script_page(_session(session_id), code, position, form, 400)
    db.session.commit()
    flash(_("Mark saved for script %(code)s, question %(position)s.", code=code, position=position), "success")
    board = queries.board(_session(session_id))
    waiting = board.outstanding(_my_marker(board.session))
    if waiting:
        return redirect(
            url_for(".script", session_id=session_id, code=waiting[0].code, position=waiting[0].item.position)
        )
    return redirect(url_for(".queue", session_id=session_id))


@bp.post("/sessions/<int:session_id>/sign")
@roles_required(*MARKERS)
def sign(session_id: int):
    session = _session(session_id)
    _my_marker(session)
    if not ConfirmForm().validate_on_submit():
        flash(_("The form had expired; please try again."), "error")
        return redirect(url_for(".queue", session_id=session_id))
    try:
        marking_ops.sign_marks(session, current_user.person_id, current_user)
    except Refused as refused:
        flash_refusal(refused)
        return redirect(url_for(".queue", session_id=session_id))
    db.session.commit()
    flash(_("Your marks for this session are signed."), "success")
    return redirect(url_for(".queue", session_id=session_id))


@bp.post("/sessions/<int:session_id>/lock")
@roles_required(Role.ADMIN, Role.SENIOR_ASSESSOR)
def lock(session_id: int):
    session = _session(session_id)
    leader = queries.marker_of(session.id, current_user.person_id)
    is_leader = leader is not None and leader.role is MarkerRole.ADJUDICATOR
    if not current_user.has_role(Role.ADMIN) and not is_leader:
        abort(404)
    back = url_for(".results", session_id=session_id) if current_user.has_role(Role.ADMIN) else None
    back = back or url_for(".queue", session_id=session_id)
    if not ConfirmForm().validate_on_submit():
        flash(_("The form had expired; please try again."), "error")
        return redirect(back)
    try:
        outcome = marking_ops.lock_scores(session, current_user)
    except Refused as refused:
        flash_refusal(refused)
        return redirect(back)
    db.session.commit()
    flash(_("Theory scores locked for %(count)s handed-in attempt(s).", count=outcome["attempts"]), "success")
    return redirect(back)


def _version_label(version: QuestionVersion) -> str:
    return _("Question #%(question)s · version %(number)s (%(state)s)", question=version.question_id,
             number=version.number, state=state_label(version.state))  # fmt: skip


def _regrade_form(session: ExamSession, formdata=None) -> tuple[RegradeForm, queries.RegradeOption | None]:
    """The regrade form and the option of the chosen position: its versions are the only ones offered."""
    # the dry run is a GET form (it changes nothing); only applying posts, with the CSRF token
    form = RegradeForm(formdata=formdata, meta={"csrf": formdata is request.form})
    options = queries.regrade_options(session)
    form.item.choices = [SelectChoice("", _("Choose…"))]
    for option in options:
        label = _(
            "Form %(form)s, question %(position)s: %(qtype)s, bank question #%(question)s, version %(number)s in force",
            form=option.paper.form, position=option.item.position, question=option.item.question_id,
            qtype=QTYPE_LABELS.get(option.item.type_key, option.item.type_key), number=option.in_force.number,
        )  # fmt: skip
        if not option.others:
            label = _("%(label)s (no corrected version yet)", label=label)
        form.item.choices.append(SelectChoice(f"{option.paper.id}:{option.item.position}", label))
    chosen = next((o for o in options if f"{o.paper.id}:{o.item.position}" == form.item.data), None)
    form.version.choices = [SelectChoice("", _("Choose…"))] + [
        SelectChoice(str(v.id), _version_label(v)) for v in (chosen.others if chosen else [])
    ]
    return form, chosen


def _regrade_args(form: RegradeForm) -> tuple[PaperRecord | None, int | None, QuestionVersion | None]:
    paper_id, _sep, position = (form.item.data or "").partition(":")
    paper_id, version_id = _number(paper_id), _number(form.version.data)
    paper = db.session.get(PaperRecord, paper_id) if paper_id else None
    version = db.session.get(QuestionVersion, version_id) if version_id else None
    return paper, _number(position), version


def _regrade_page(session: ExamSession, form: RegradeForm, chosen=None, plan=None, status: int = 200):
    attempts = {}
    if plan is not None:
        ids = [c.attempt_id for c in plan.changes]
        attempts = {a.id: a for a in queries.attempts_for_results(session.id) if a.id in ids}
    return _render(
        "exams/marking/regrade.html", status, session=session, form=form, chosen=chosen, plan=plan, attempts=attempts
    )


@bp.get("/sessions/<int:session_id>/regrade")
@roles_required(Role.ADMIN)
def regrade(session_id: int):
    session = _session(session_id)
    form, chosen = _regrade_form(session, request.args if "item" in request.args else None)
    plan = None
    if "item" in request.args and "version" not in request.args:
        # first step: a position is chosen; its corrected versions are offered next
        if chosen is None:
            apply_refusal(form, Refused("marking_regrade_paper_unknown", "item"))
            return _regrade_page(session, form, status=400)
        return _regrade_page(session, form, chosen)
    if "item" in request.args:
        try:
            plan = regrade_ops.regrade(session, *_regrade_args(form), form.reason.data, current_user, dry_run=True)
        except Refused as refused:
            apply_refusal(form, refused)
            return _regrade_page(session, form, chosen, status=400)
        form.digest.data = plan.digest
    return _regrade_page(session, form, chosen, plan)


@bp.post("/sessions/<int:session_id>/regrade")
@roles_required(Role.ADMIN)
def apply_regrade(session_id: int):
    session = _session(session_id)
    form, chosen = _regrade_form(session, request.form)
    if not form.validate_on_submit():
        return _regrade_page(session, form, chosen, status=400)
    try:
        plan = regrade_ops.regrade(
            session, *_regrade_args(form), form.reason.data, current_user, dry_run=False,
            expected_digest=form.digest.data or None,
        )  # fmt: skip
    except Refused as refused:
        db.session.rollback()
        session = _session(session_id)
        form, chosen = _regrade_form(session, request.form)
        apply_refusal(form, refused)
        return _regrade_page(session, form, chosen, status=400)
    changed = plan.totals.changed
    db.session.commit()
    flash(_("Regrade applied: %(count)s attempt score(s) changed.", count=changed), "success")
    return redirect(url_for(".results", session_id=session_id))
