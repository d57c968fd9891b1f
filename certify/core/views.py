"""The home page, the ladder reference page and the health check."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user

from certify.auth import operations as auth_ops
from certify.core.access import login_required, public
from certify.core.db import db
from certify.core.forms import LanguageForm
from certify.core.navigation import safe_next
from certify.ladder.levels import LADDER

bp = Blueprint("core", __name__)


@bp.get("/")
@login_required
def home():
    return render_template("core/home.html")


@bp.get("/levels")
@login_required
def levels():
    return render_template("core/levels.html", ladder=LADDER)


@bp.post("/language")
@public
def set_language():
    form = LanguageForm()
    target = safe_next(request.form.get("next")) or url_for("core.home")
    if not form.validate_on_submit():
        return redirect(target)
    session["locale"] = form.locale.data
    if current_user.is_authenticated:
        auth_ops.set_locale(current_user.user, form.locale.data)
        db.session.commit()
    return redirect(target)


@bp.get("/healthz")
@public
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception as exc:  # any failure of the database makes the service unhealthy
        db.session.rollback()
        return jsonify({"status": "error", "db": "unreachable", "reason": type(exc).__name__}), 503
    return jsonify({"status": "ok", "db": "ok"})
