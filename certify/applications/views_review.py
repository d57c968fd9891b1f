"""Review of applications by body staff: the queue, the review page, and approve / reject / return for correction.

Administrators decide; supervisors read. Applications of another body do not exist for the reviewer (404).
Every decision is checked by the recusal engine in its transaction; when it blocks, the check (and its audit
entry) is kept as a record of the attempt and every reason is shown.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from certify.applications import messages_apply, operations, queries
from certify.applications.forms import (
    ActionForm,
    RejectForm,
    ReturnForm,
    level_choices,
    problem_rows,
    profile_vocabulary,
)
from certify.applications.models import Application, ApplicationState
from certify.applications.views_candidate import history, send_evidence
from certify.auth.models import Role
from certify.core.access import own_body_or_404, roles_required
from certify.core.clock import now_utc
from certify.core.db import db
from certify.core.errors import Refused
from certify.core.forms import apply_refusal
from certify.core.i18n import current_locale
from certify.institutions.identity import mask_id
from certify.institutions.models import Body
from certify.recusal.operations import RecusalBlocked

bp = Blueprint("application_review", __name__)

#: the default correction deadline offered on the return form (5 working days ≈ 7 calendar days)
DEFAULT_DEADLINE_DAYS = 7


@bp.context_processor
def _labels():
    return messages_apply.labels() | profile_vocabulary()


def _of_my_body(application_id: int) -> Application:
    app = db.get_or_404(Application, application_id)
    own_body_or_404(app.body_id)
    if app.state == ApplicationState.DRAFT:
        abort(404)  # a draft is the candidate's own until submitted
    return app


@bp.get("/review/applications")
@roles_required(Role.ADMIN, Role.SUPERVISOR)
def queue():
    if current_user.body_id is None:
        abort(404)
    occupation_id = request.args.get("occupation", type=int)
    level = request.args.get("level", type=int)
    state = request.args.get("state", ApplicationState.SUBMITTED.value)[:20]
    now = now_utc()
    stmt = queries.review_queue(current_user.body_id, now, occupation_id=occupation_id, level=level, state=state)
    rows = db.session.execute(stmt).scalars().all()
    return render_template(
        "applications/queue.html",
        rows=[(a, queries.effective_state(a, now)) for a in rows],
        occupations=queries.offered_occupations(current_user.body_id),
        levels=level_choices(),
        states=[s for s in ApplicationState if s != ApplicationState.DRAFT],
        chosen={"occupation": occupation_id, "level": level, "state": state},
    )


def _render_review(app: Application, *, status: int = 200, return_form=None, reject_form=None, blocked=None):
    state = queries.effective_state(app, now_utc())
    if return_form is None:
        default = operations.today_at(db.session.get(Body, app.body_id)) + timedelta(days=DEFAULT_DEADLINE_DAYS)
        return_form = ReturnForm(deadline=default.isoformat())
    return render_template(
        "applications/review.html",
        app=app,
        state=state,
        verdict=queries.stored_verdict(app, current_locale()),
        profile=queries.stored_profile(app),
        events=history(app),
        return_form=return_form,
        reject_form=reject_form or RejectForm(),
        action_form=ActionForm(),
        blocked=blocked or [],
        mask_id=mask_id,
        can_decide=current_user.has_role(Role.ADMIN) and state == ApplicationState.SUBMITTED,
    ), status


@bp.get("/review/applications/<int:application_id>")
@roles_required(Role.ADMIN, Role.SUPERVISOR)
def review(application_id: int):
    return _render_review(_of_my_body(application_id))


@bp.get("/review/applications/<int:application_id>/evidence/<int:evidence_id>")
@roles_required(Role.ADMIN, Role.SUPERVISOR)
def evidence_file(application_id: int, evidence_id: int):
    return send_evidence(_of_my_body(application_id), evidence_id)


def _decide(app: Application, decision, form, *, success: str):
    """Run a decision; on a recusal block keep the recorded check and show every reason (403)."""
    try:
        decision()
    except RecusalBlocked as blocked:
        db.session.commit()  # the check and its audit entry record the blocked attempt; nothing else changed
        locale = current_locale()
        reasons = [reason.message(locale) for reason in blocked.verdict.reasons]
        return _render_review(db.session.get(Application, app.id), status=403, blocked=reasons)
    except Refused as refused:
        db.session.rollback()
        if form is None:
            for message in refused.messages():
                flash(message, "error")
            return redirect(url_for("application_review.review", application_id=app.id))
        apply_refusal(form, refused)
        forms = {"return_form": form} if isinstance(form, ReturnForm) else {"reject_form": form}
        return _render_review(app, status=400, **forms)
    db.session.commit()
    flash(success, "success")
    return redirect(url_for("application_review.review", application_id=app.id))


@bp.post("/review/applications/<int:application_id>/approve")
@roles_required(Role.ADMIN)
def approve(application_id: int):
    app = _of_my_body(application_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    return _decide(
        app, lambda: operations.approve(app, current_user.user), None, success=_("The application has been approved.")
    )


@bp.post("/review/applications/<int:application_id>/reject")
@roles_required(Role.ADMIN)
def reject(application_id: int):
    app = _of_my_body(application_id)
    form = RejectForm()
    if not form.validate_on_submit():
        return _render_review(app, status=400, reject_form=form)
    return _decide(
        app,
        lambda: operations.reject(app, current_user.user, form.reason.data or ""),
        form,
        success=_("The application has been rejected."),
    )


@bp.post("/review/applications/<int:application_id>/return")
@roles_required(Role.ADMIN)
def return_for_correction(application_id: int):
    app = _of_my_body(application_id)
    form = ReturnForm()
    if not form.validate_on_submit():
        return _render_review(app, status=400, return_form=form)
    return _decide(
        app,
        lambda: operations.return_for_correction(app, current_user.user, problem_rows(form), form.deadline_date()),
        form,
        success=_("The application has been returned to the candidate for correction."),
    )
