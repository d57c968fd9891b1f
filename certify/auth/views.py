"""Sign in, sign out, and the user's own account page."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from itsdangerous import BadSignature, URLSafeSerializer

from certify.auth import messages as _messages  # noqa: F401  (registers the problem messages)
from certify.auth import operations
from certify.auth.forms import LoginForm, PasswordChangeForm
from certify.auth.login import SessionUser
from certify.core.access import login_required, public
from certify.core.db import db
from certify.core.errors import Refused
from certify.core.navigation import safe_next

bp = Blueprint("auth", __name__)

DEVICE_COOKIE = "certify_device"


def _device_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="certify.device")


def _trusted_device(username: str) -> str | None:
    """The device id when this browser carries a valid device cookie for `username`."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return None
    try:
        data = _device_serializer().loads(raw)
    except BadSignature:
        return None
    return data.get("d") if data.get("u") == username.strip().lower() else None


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm(next=request.args.get("next", ""))
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), (400 if request.method == "POST" else 200)
    outcome = operations.attempt_login(
        form.username.data,
        form.password.data,
        ip=request.remote_addr or "unknown",
        user_agent=request.user_agent.string or "",
        trusted_device=_trusted_device(form.username.data),
    )
    db.session.commit()
    if outcome.error == "throttled":
        flash(
            _("Too many failed attempts. Try again in %(seconds)d seconds.", seconds=outcome.retry_after),
            "error",
        )
        response = make_response(render_template("auth/login.html", form=form), 429)
        response.headers["Retry-After"] = str(outcome.retry_after)
        return response
    if outcome.error:
        flash(_("The username or password is not correct."), "error")
        return render_template("auth/login.html", form=form), 401
    # A fresh session at sign-in: nothing from before (e.g. a planted session) carries over.
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    if locale and locale != outcome.user.locale:
        # The language picked on the sign-in page is the one the user wants now.
        operations.set_locale(outcome.user, locale)
        db.session.commit()
    login_user(SessionUser(outcome.user, outcome.token, 0))
    session.permanent = True
    response = redirect(safe_next(form.next.data) or url_for("core.home"))
    device = _trusted_device(outcome.user.username) or operations.new_device_id()
    response.set_cookie(
        DEVICE_COOKIE,
        _device_serializer().dumps({"u": outcome.user.username, "d": device}),
        max_age=180 * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response


@bp.post("/logout")
@login_required
def logout():
    operations.logout(current_user.id)
    db.session.commit()
    logout_user()
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    flash(_("You have signed out on every device."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            operations.change_password(
                current_user.user,
                form.current_password.data,
                form.new_password.data,
                keep_session_id=current_user.login_session_id,
            )
        except Refused as refused:
            db.session.rollback()
            for field, messages in refused.by_field().items():
                getattr(form, field or "new_password").errors.extend(messages)
            return render_template("auth/account.html", form=form), 400
        db.session.commit()
        flash(_("Your password has been changed. Your other sessions have ended."), "success")
        return redirect(url_for("auth.account"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/account.html", form=form), status
