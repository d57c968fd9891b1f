"""The candidate's exam pages: my exams (with the admission ticket), check-in, the waiting page, the exam itself
and the page after it closed. The exam page talks to `certify.exams.api` for its state, saves and submit.

Candidates see only their own attempts (anybody else's is a 404). Reading an attempt whose time is over closes it.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField

from certify.auth.models import Role
from certify.bank.blueprint_forms import TYPE_LABELS
from certify.core.access import roles_required
from certify.core.clock import now_utc
from certify.core.db import db
from certify.core.errors import Refused
from certify.core.forms import apply_refusal, flash_refusal
from certify.exams import attempts_ops
from certify.exams.api import close_when_read, mine_or_404, state_payload
from certify.exams.messages_take import PHASE_LABELS, STATE_LABELS
from certify.exams.models import ExamAttempt
from certify.exams.queries_attempts import (
    answers_shown,
    candidate_attempts,
    page_state,
    paper_image,
    paper_images,
    paper_of,
    stored_answers,
)
from certify.exams.timing import AttemptPhase

bp = Blueprint("exam_take", __name__, url_prefix="/exam")

#: phases in which the attempt is over for the candidate (the page after it shows)
_OVER = (AttemptPhase.SUBMITTED, AttemptPhase.TERMINATED, AttemptPhase.EXPIRED)


class CheckInForm(FlaskForm):
    """Self check-in: the ticket number and the room code the invigilator shows."""

    ticket_number = StringField(_l("Ticket number"))
    room_code = StringField(_l("Room code"))


class StartForm(FlaskForm):
    """Start: the page's identifier (filled in by the page's script)."""

    client_token = HiddenField()


def _ticket(attempt: ExamAttempt) -> dict | None:
    try:
        from certify.exams.tickets import ticket_context
    except ImportError:  # the tickets module arrives with the sessions work
        return None
    return ticket_context(attempt)


def page_strings() -> dict[str, str]:
    """The words the exam page's script shows and announces, in the user's language."""
    return {
        "saved": _("Saved"),
        "saving": _("Saving…"),
        "not_saved": _("Not saved"),
        "not_answered": _("not answered"),
        "answered": _("answered"),
        "flagged": _("flagged for review"),
        "current": _("current question"),
        "summary": _("%(answered)s of %(total)s answered, %(flagged)s flagged"),
        "time_left": _("Time left: %(time)s"),
        "minutes_left": _("%(minutes)s minutes left"),
        "one_minute_left": _("1 minute left"),
        "seconds_left": _("%(seconds)s seconds left"),
        "time_up": _("Time is up. Your answers are being handed in; please wait."),
        "offline": _(
            "No connection to the server. Keep answering: your answers are kept on this computer "
            "and sent when the connection is back."
        ),
        "back_online": _("Connected again; your answers are being sent."),
        "signed_out": _("You are no longer signed in. Sign in again in a new tab; your answers are kept here."),
        "paused": _("Paused"),
        "question": _("Question %(number)s"),
        "all_answered": _("Every question has an answer."),
        "unsaved_before_submit": _(
            "Some answers have not reached the server yet. Wait until they are saved, or check the connection."
        ),
        "submitting": _("Handing in…"),
        "server_error": _("The server did not answer as expected (HTTP %(status)s). Your answers are kept here."),
        "taken_over": _("This exam was opened on another computer; continue there. This page no longer saves answers."),
        "available": _("If you start now you will have %(time)s."),
        "duration_minutes": _("%(minutes)s minutes"),
        "duration_seconds": _("%(seconds)s seconds"),
    }


def _render_exam(attempt: ExamAttempt, status: int = 200):
    state = page_state(attempt, now_utc())
    paper = paper_of(attempt)
    answers = answers_shown(paper, stored_answers(attempt.id)) if paper else {}
    images = {
        version_id: {name: url_for("exam_take.image", attempt_id=attempt.id, asset_id=a) for name, a in names.items()}
        for version_id, names in paper_images(attempt).items()
    }
    return render_template(
        "exams/take/exam.html",
        images=images,
        attempt=attempt,
        session=attempt.session,
        state=state,
        paper=paper,
        answers=answers,
        type_labels=TYPE_LABELS,
        payload=state_payload(attempt),
        strings=page_strings(),
    ), status


@bp.get("/")
@roles_required(Role.CANDIDATE)
def index():
    now = now_utc()
    attempts = candidate_attempts(current_user.person_id) if current_user.person_id else []
    rows = [(a, page_state(a, now)) for a in attempts]
    upcoming = [(a, _ticket(a)) for a, state in rows if state.phase in (AttemptPhase.WAITING, AttemptPhase.NOT_STARTED)]
    return render_template("exams/take/index.html", rows=rows, upcoming=upcoming, phase_labels=PHASE_LABELS)


@bp.get("/<int:attempt_id>")
@roles_required(Role.CANDIDATE)
def attempt(attempt_id: int):
    attempt = close_when_read(mine_or_404(attempt_id))
    state = page_state(attempt, now_utc())
    if attempt.closed or state.phase in _OVER:
        return _render_finished(attempt, state)
    if attempt.started_at is not None:
        return _render_exam(attempt)
    if attempt.checked_in_at is None:
        return _render_check_in(attempt, CheckInForm())
    return _render_waiting(attempt)


def _render_finished(attempt: ExamAttempt, state):
    paper = paper_of(attempt)
    answers = answers_shown(paper, stored_answers(attempt.id)) if paper else {}
    return render_template(
        "exams/take/finished.html", attempt=attempt, session=attempt.session, state=state,
        phase_labels=PHASE_LABELS, state_labels=STATE_LABELS,
        answered=sum(1 for a in answers.values() if a["answered"]), total=len(paper.questions) if paper else 0,
        show_score=bool(current_app.config.get("EXAM_SHOW_SCORE_TO_CANDIDATE", False)),
    )  # fmt: skip


def _render_check_in(attempt: ExamAttempt, form: CheckInForm, status: int = 200):
    return render_template(
        "exams/take/checkin.html", attempt=attempt, session=attempt.session, form=form, ticket=_ticket(attempt)
    ), status


def _render_waiting(attempt: ExamAttempt):
    return render_template(
        "exams/take/waiting.html",
        attempt=attempt,
        session=attempt.session,
        form=StartForm(),
        payload=state_payload(attempt),
        strings=page_strings(),
        ticket=_ticket(attempt),
    )


@bp.post("/<int:attempt_id>/check-in")
@roles_required(Role.CANDIDATE)
def check_in(attempt_id: int):
    attempt = mine_or_404(attempt_id)
    form = CheckInForm()
    if not form.validate_on_submit():
        return _render_check_in(attempt, form, 400)
    try:
        attempts_ops.self_check_in(attempt, form.ticket_number.data, form.room_code.data, now_utc())
    except attempts_ops.CheckInFailed as failed:
        db.session.commit()  # keep the count of wrong tries (the throttle); nothing else changed
        apply_refusal(form, failed)
        return _render_check_in(attempt, form, 400)
    except Refused as refused:
        db.session.rollback()
        apply_refusal(form, refused)
        return _render_check_in(attempt, form, 400)
    db.session.commit()
    return redirect(url_for("exam_take.attempt", attempt_id=attempt.id))


@bp.post("/<int:attempt_id>/start")
@roles_required(Role.CANDIDATE)
def start(attempt_id: int):
    attempt = mine_or_404(attempt_id)
    form = StartForm()
    if form.validate_on_submit():
        try:
            attempts_ops.start_attempt(attempt, form.client_token.data, now_utc())
        except Refused as refused:
            flash_refusal(refused)
        else:
            db.session.commit()
    return redirect(url_for("exam_take.attempt", attempt_id=attempt.id))


@bp.get("/<int:attempt_id>/images/<int:asset_id>")
@roles_required(Role.CANDIDATE)
def image(attempt_id: int, asset_id: int):
    """An image of a question on the candidate's own paper, while their exam is open (never before Start)."""
    attempt = mine_or_404(attempt_id)
    found = paper_image(attempt, asset_id) if attempt.started_at is not None and not attempt.closed else None
    if found is None:
        abort(404)
    response = Response(found.data, mimetype=found.media_type)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Disposition"] = "inline"
    return response
