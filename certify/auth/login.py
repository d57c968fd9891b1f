"""Flask-Login wiring: the cookie carries a random session token; the `login_sessions` row decides if it counts."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, UserMixin

from certify.auth.models import LoginSession, User
from certify.core.clock import now_utc
from certify.core.db import db

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please sign in to see this page.")
login_manager.login_message_category = "info"
# Session ids are server-side rows; Flask-Login's own "strong" protection would only duplicate that.
login_manager.session_protection = None


def token_hash(token: str) -> str:
    """SHA-256 of a session token, as stored."""
    return hashlib.sha256(token.encode()).hexdigest()


class SessionUser(UserMixin):
    """The signed-in user as Flask-Login sees it: the account plus the login session it came through."""

    def __init__(self, user: User, session_token: str, login_session_id: int):
        self.user = user
        self._token = session_token
        self.login_session_id = login_session_id

    def get_id(self) -> str:
        return self._token

    def __getattr__(self, name):
        return getattr(self.user, name)

    @property
    def is_active(self) -> bool:
        return self.user.active


@login_manager.user_loader
def load_user(token: str) -> SessionUser | None:
    """The user behind a session token, if that session is still open and the account active."""
    now = now_utc()
    row = db.session.execute(
        sa.select(LoginSession, User)
        .join(User, User.id == LoginSession.user_id)
        .where(
            LoginSession.token_hash == token_hash(token),
            LoginSession.ended_at.is_(None),
            LoginSession.expires_at > now,
            User.active.is_(True),
        )
    ).first()
    if row is None:
        return None
    return SessionUser(row.User, token, row.LoginSession.id)
