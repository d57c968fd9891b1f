"""The ban list of a body's people: list (active / ended / lifted), add, lift, and each ban's history."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from certify.applications import bans_ops as ops
from certify.applications import messages_admin4  # noqa: F401  (registers the problem messages)
from certify.applications.admin_forms import TIER_LABELS, BanForm, LiftForm
from certify.applications.models import Ban
from certify.auth.models import Role
from certify.core.access import roles_required
from certify.core.clock import local_date, now_utc
from certify.core.db import db
from certify.core.errors import Refused
from certify.core.forms import apply_refusal
from certify.institutions.identity import mask_id
from certify.institutions.models import Body
from certify.ladder.eligibility_relaxations import SanctionTier
from certify.supervision.audit import entries_for

bp = Blueprint("bans", __name__, url_prefix="/bans")
VIEW = (Role.ADMIN, Role.SUPERVISOR)
STATE_LABELS = {
    ops.BanState.ACTIVE: _l("in force"),
    ops.BanState.UPCOMING: _l("starts later"),
    ops.BanState.ENDED: _l("ended"),
    ops.BanState.LIFTED: _l("lifted"),
}
FILTERS = {
    "active": _l("In force or starting later"),
    "ended": _l("Ended"),
    "lifted": _l("Lifted"),
    "all": _l("All"),
}

ACTION_LABELS = {"applications.ban_added": _l("Added"), "applications.ban_lifted": _l("Lifted")}


@bp.context_processor
def _labels():
    return {
        "state_labels": STATE_LABELS,
        "tier_labels": TIER_LABELS,
        "action_labels": ACTION_LABELS,
        "mask_id": mask_id,
    }


def _my_body() -> Body:
    body = db.session.get(Body, current_user.body_id) if current_user.body_id else None
    if body is None:
        abort(404)
    return body


def _today(body: Body):
    return local_date(now_utc(), body.timezone)


def _ban(ban_id: int) -> Ban:
    """A ban of one of the current body's people; any other does not exist for this user."""
    ban = db.get_or_404(Ban, ban_id)
    if current_user.body_id is None or ban.person.body_id != current_user.body_id:
        abort(404)
    return ban


@bp.get("")
@roles_required(*VIEW)
def index():
    body = _my_body()
    state = request.args.get("state", "active")
    state = state if state in FILTERS else "active"
    rows = ops.bans_of_body(body.id, state, _today(body))
    return render_template("bans/index.html", rows=rows, state=state, filters=FILTERS)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new():
    body = _my_body()
    today = _today(body)
    form = BanForm()
    if request.method == "GET":
        form.starts_on.data, form.ends_on.data = today, ops.default_end(today)
    if form.validate_on_submit():
        try:
            ban = ops.add_ban(
                body,
                form.id_number.data,
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                permanent=form.permanent.data,
                tier=SanctionTier(form.tier.data),
                reason=form.reason.data,
                today=today,
                by_id=current_user.id,
            )
        except Refused as refused:
            db.session.rollback()
            apply_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("%(name)s is on the ban list.", name=ban.person.name), "success")
            return redirect(url_for("bans.show", ban_id=ban.id))
    status = 400 if request.method == "POST" else 200
    default_years = ops.default_end(today).year - today.year
    return render_template("bans/new.html", form=form, default_years=default_years), status


def _show(ban: Ban, form: LiftForm, status: int = 200):
    today = _today(_my_body())
    return render_template(
        "bans/show.html", ban=ban, state=ops.ban_state(ban, today), lift_form=form, history=entries_for("ban", ban.id)
    ), status


@bp.get("/<int:ban_id>")
@roles_required(*VIEW)
def show(ban_id: int):
    return _show(_ban(ban_id), LiftForm())


@bp.post("/<int:ban_id>/lift")
@roles_required(Role.ADMIN)
def lift(ban_id: int):
    ban = _ban(ban_id)
    form = LiftForm()
    if form.validate_on_submit():
        try:
            ops.lift_ban(ban, form.reason.data)
        except Refused as refused:
            db.session.rollback()
            apply_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("The ban has been lifted; it stays on record."), "success")
            return redirect(url_for("bans.show", ban_id=ban.id))
    return _show(ban, form, 400)
