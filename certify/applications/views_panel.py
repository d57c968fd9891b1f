"""Panel pages: body staff vote on direct recognitions and exceptional-route (破格) applications.

The panel is formed by who votes: any staff member of the body holding a panel role; each vote passes the recusal
engine on the person concerned (a blocked member sees every reason and nothing is recorded).
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from certify.applications import fasttrack_ops as ops
from certify.applications import messages as _messages  # noqa: F401  (panel_reason_required, panel_already_voted)
from certify.applications import messages_fasttrack  # noqa: F401  (registers the problem messages)
from certify.applications.fasttrack_forms import VoteForm, template_labels
from certify.applications.models import (
    Application,
    ApplicationRoute,
    ApplicationState,
    DecisionState,
    Recognition,
)
from certify.applications.panels import Tally, tally, votes_of
from certify.auth.models import Role
from certify.core.access import roles_required
from certify.core.db import db
from certify.core.errors import Refused
from certify.core.forms import apply_refusal
from certify.core.i18n import current_locale
from certify.recusal import messages as _recusal_messages  # noqa: F401  (recusal_blocked)
from certify.recusal.operations import RecusalBlocked

bp = Blueprint("panel", __name__, url_prefix="/panel")
MEMBERS = (Role.ADMIN, Role.REVIEWER, Role.SENIOR_ASSESSOR, Role.ASSESSOR)
VIEW = (*MEMBERS, Role.SUPERVISOR)
bp.context_processor(template_labels)


def _recognition(recognition_id: int) -> Recognition:
    recognition = db.get_or_404(Recognition, recognition_id)
    if current_user.body_id is None or recognition.body_id != current_user.body_id:
        abort(404)
    return recognition


def _application(application_id: int) -> Application:
    application = db.get_or_404(Application, application_id)
    if (
        current_user.body_id is None
        or application.body_id != current_user.body_id
        or application.route != ApplicationRoute.EXCEPTIONAL
    ):
        abort(404)
    return application


def _may_vote() -> bool:
    return current_user.has_role(*MEMBERS) and current_user.person_id is not None


@bp.get("/")
@roles_required(*VIEW)
def index():
    if current_user.body_id is None:
        abort(404)
    recognitions = (
        db.session.execute(
            sa.select(Recognition).where(Recognition.body_id == current_user.body_id).order_by(Recognition.id.desc())
        )
        .scalars()
        .all()
    )
    applications = (
        db.session.execute(
            sa.select(Application)
            .where(
                Application.body_id == current_user.body_id,
                Application.route == ApplicationRoute.EXCEPTIONAL,
                Application.state.in_(
                    [ApplicationState.SUBMITTED, ApplicationState.APPROVED, ApplicationState.REJECTED]
                ),
            )
            .order_by(Application.id.desc())
        )
        .scalars()
        .all()
    )
    return render_template("fasttrack/panel_index.html", recognitions=recognitions, applications=applications)


def _recognition_page(recognition: Recognition, form: VoteForm | None = None, blocked=None, status: int = 200):
    row, notes = ops.basis_notes(recognition)
    return render_template(
        "fasttrack/panel_recognition.html",
        recognition=recognition,
        row=row,
        notes=notes,
        open=recognition.state == DecisionState.PROPOSED,
        **_panel_context("recognition", recognition.id, form, blocked),
    ), status


def _application_page(application: Application, form: VoteForm | None = None, blocked=None, status: int = 200):
    verdict = ops.threshold_verdict(application, current_user.body)
    return render_template(
        "fasttrack/panel_application.html",
        application=application,
        items=ops.achievement_items(application),
        verdict=verdict,
        open=application.state == ApplicationState.SUBMITTED,
        **_panel_context("application", application.id, form, blocked),
    ), status


def _panel_context(subject: str, subject_id: int, form, blocked) -> dict:
    votes = votes_of(subject, subject_id)
    return {
        "votes": votes,
        "tally": tally(subject, subject_id),
        "form": form or VoteForm(formdata=None),
        "may_vote": _may_vote() and all(v.member_person_id != current_user.person_id for v in votes),
        "blocked": blocked,
        "locale": current_locale(),
        "json": json,
    }


@bp.get("/recognitions/<int:recognition_id>")
@roles_required(*VIEW)
def recognition(recognition_id: int):
    return _recognition_page(_recognition(recognition_id))


@bp.get("/applications/<int:application_id>")
@roles_required(*VIEW)
def application(application_id: int):
    return _application_page(_application(application_id))


def _cast(form: VoteForm, cast) -> tuple[Tally | None, object]:
    """Run a vote operation for the form; returns (tally, blocked verdict) and leaves problems on the form."""
    if current_user.person_id is None:
        abort(403)
    if not form.validate_on_submit():
        return None, None
    try:
        decided = cast(form.decision.data == "approve", form.comment.data or "")
    except RecusalBlocked as blocked:
        db.session.rollback()
        return None, blocked.verdict
    except Refused as refused:
        db.session.rollback()
        apply_refusal(form, refused)
        return None, None
    db.session.commit()
    if decided.decided is None:
        flash(_("Your vote has been recorded."), "success")
    elif decided.decided:
        flash(_("Your vote has been recorded; the panel has approved."), "success")
    else:
        flash(_("Your vote has been recorded; the panel has rejected."), "success")
    return decided, None


@bp.post("/recognitions/<int:recognition_id>/vote")
@roles_required(*MEMBERS)
def vote_recognition(recognition_id: int):
    recognition = _recognition(recognition_id)
    form = VoteForm()
    outcome, blocked = _cast(
        form, lambda approve, comment: ops.vote_on_recognition(recognition, current_user.person_id, approve, comment)
    )
    if outcome is not None:
        return redirect(url_for("panel.recognition", recognition_id=recognition_id))
    return _recognition_page(_recognition(recognition_id), form, blocked, 400)


@bp.post("/applications/<int:application_id>/vote")
@roles_required(*MEMBERS)
def vote_application(application_id: int):
    application = _application(application_id)
    form = VoteForm()
    outcome, blocked = _cast(
        form,
        lambda approve, comment: ops.vote_on_application(
            application, current_user.person_id, approve, comment, current_user.id
        ),
    )
    if outcome is not None:
        return redirect(url_for("panel.application", application_id=application_id))
    return _application_page(_application(application_id), form, blocked, 400)
