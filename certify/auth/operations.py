"""Account state changes: sign in (with throttling), sign out, create, disable, passwords, language."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from certify.auth import passwords, throttle
from certify.auth.login import token_hash
from certify.auth.models import LoginSession, LoginThrottle, Role, User, UserRole
from certify.core.clock import now_utc
from certify.core.db import db
from certify.core.errors import Refused
from certify.supervision import audit


@dataclass(frozen=True)
class LoginOutcome:
    """Result of a sign-in attempt: the user and new session token, or why not and for how long."""

    user: User | None = None
    token: str | None = None
    error: str | None = None  #: "bad_credentials" or "throttled"
    retry_after: int = 0


def _throttle_keys(username: str, ip: str, trusted_device: str | None) -> dict[str, str]:
    keys = {f"ip:{ip}": "ip", f"user_ip:{username}:{ip}": "user_ip"}
    if trusted_device:
        keys[f"device:{trusted_device}:{username}"] = "device"
    else:
        keys[f"user:{username}"] = "user"
    return keys


def _counter(row: LoginThrottle | None) -> throttle.Counter | None:
    return None if row is None else throttle.Counter(row.failures, row.last_failure_at, row.blocked_until)


def attempt_login(
    username: str, password: str, *, ip: str, user_agent: str = "", trusted_device: str | None = None
) -> LoginOutcome:
    """Check credentials under throttling; on success open a login session and audit it either way."""
    now = now_utc()
    username = username.strip().lower()
    keys = _throttle_keys(username, ip, trusted_device)
    rows = {
        row.key: row
        for row in db.session.execute(
            sa.select(LoginThrottle).where(LoginThrottle.key.in_(keys)).with_for_update()
        ).scalars()
    }
    wait = max(throttle.retry_after(_counter(rows.get(key)), now) for key in keys)
    if wait:
        audit.record("auth.login_throttled", object_type="user", object_id=username, after={"retry_after": wait})
        return LoginOutcome(error="throttled", retry_after=wait)

    user = db.session.execute(sa.select(User).where(User.username == username)).scalar_one_or_none()
    ok = passwords.verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        policies = current_app.config["LOGIN_THROTTLE"]
        window = current_app.config["LOGIN_THROTTLE_WINDOW"]
        for key, kind in keys.items():
            updated = throttle.after_failure(
                _counter(rows.get(key)), throttle.ThrottlePolicy(*policies[kind]), now, window
            )
            row = rows.get(key) or LoginThrottle(key=key)
            row.failures, row.last_failure_at, row.blocked_until = (
                updated.failures,
                updated.last_failure_at,
                updated.blocked_until,
            )
            db.session.add(row)
        reason = "inactive" if (ok and user is not None) else "bad_credentials"
        audit.record(
            "auth.login_failed",
            object_type="user",
            object_id=user.id if user else username,
            after={"username": username, "reason": reason},
        )
        return LoginOutcome(error="bad_credentials")

    # Success clears this account's counters but never the IP's (an attacker could otherwise reset it).
    for key, kind in keys.items():
        if kind != "ip" and key in rows:
            db.session.delete(rows[key])
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
        audit.record("auth.password_rehashed", object_type="user", object_id=user.id)
    token = secrets.token_urlsafe(32)
    db.session.add(
        LoginSession(
            token_hash=token_hash(token),
            user_id=user.id,
            created_at=now,
            expires_at=now + current_app.config["LOGIN_SESSION_LIFETIME"],
            ip=ip[:64],
            user_agent=user_agent[:255],
        )
    )
    user.last_login_at = now
    audit.record(
        "auth.login",
        object_type="user",
        object_id=user.id,
        actor=audit.Actor(user.id, user.username, audit.current_actor().request_id, ip),
    )
    db.session.flush()
    return LoginOutcome(user=user, token=token)


def new_device_id() -> str:
    """A random id for a browser that signed in successfully (its throttling is counted apart)."""
    return secrets.token_urlsafe(16)


def end_sessions(user_id: int, reason: str, now: datetime | None = None) -> int:
    """End every open login session of a user (sign-out everywhere, disabling, password change)."""
    result = db.session.execute(
        sa.update(LoginSession)
        .where(LoginSession.user_id == user_id, LoginSession.ended_at.is_(None))
        .values(ended_at=now or now_utc(), end_reason=reason)
    )
    return result.rowcount or 0


def logout(user_id: int) -> None:
    """Sign out: every session of this user ends on the server, on every device."""
    ended = end_sessions(user_id, "logout")
    audit.record("auth.logout", object_type="user", object_id=user_id, after={"sessions_ended": ended})


def create_user(
    username: str,
    password: str,
    display_name: str,
    roles: set[Role],
    *,
    body_id: int | None = None,
    person_id: int | None = None,
    locale: str | None = None,
) -> User:
    """Create an account (usernames are lower-case and unique; the password must satisfy the rules)."""
    username = username.strip().lower()
    problems = passwords.password_problems(password, username)
    if problems:
        raise Refused(problems[0], field="password")
    if db.session.execute(sa.select(User.id).where(User.username == username)).first():
        raise Refused("username_taken", field="username", username=username)
    user = User(
        username=username,
        password_hash=passwords.hash_password(password),
        display_name=display_name.strip(),
        body_id=body_id,
        person_id=person_id,
        locale=locale,
        created_at=now_utc(),
        active=True,
    )
    user.role_grants = [UserRole(role=role) for role in sorted(roles)]
    db.session.add(user)
    db.session.flush()
    audit.record(
        "auth.user_created",
        object_type="user",
        object_id=user.id,
        after={"username": username, "roles": sorted(r.value for r in roles), "body_id": body_id},
    )
    return user


#: roles a certification body may grant; regulators are government staff, created by the platform operator
BODY_GRANTABLE = frozenset(Role) - {Role.REGULATOR}


def _other_active_admins(user: User) -> int:
    return db.session.execute(
        sa.select(sa.func.count(sa.distinct(User.id)))
        .join(UserRole)
        .where(User.body_id == user.body_id, User.id != user.id, User.active.is_(True), UserRole.role == Role.ADMIN)
    ).scalar()


def role_problems(user: User | None, roles: set[Role], *, by: User | None) -> list:
    """Every rule a role change breaks: grantable roles, own admin role, the body's last administrator."""
    from certify.core.errors import Problem

    problems = []
    if by is not None:  # an administrator acting for a body (operators' commands may create any role)
        problems += [Problem("role_not_grantable", "roles", {"role": r.value}) for r in sorted(roles - BODY_GRANTABLE)]
    losing_admin = user is not None and Role.ADMIN in user.roles and Role.ADMIN not in roles
    if losing_admin and by is not None and by.id == user.id:
        problems.append(Problem("cannot_remove_own_admin", "roles"))
    elif losing_admin and _other_active_admins(user) == 0:
        problems.append(Problem("last_admin", "roles"))
    return problems


def set_roles(user: User, roles: set[Role], *, by: User | None = None) -> None:
    """Replace a user's roles (by = the administrator doing it, whose own rules apply)."""
    if not roles:
        raise Refused("roles_missing", field="roles")
    problems = role_problems(user, roles, by=by)
    if problems:
        raise Refused(problems)
    before = sorted(r.value for r in user.roles)
    user.role_grants = [UserRole(role=role) for role in sorted(roles)]
    db.session.flush()
    audit.record(
        "auth.roles_changed",
        object_type="user",
        object_id=user.id,
        before={"roles": before},
        after={"roles": sorted(r.value for r in roles)},
    )


def set_active(user: User, active: bool, reason: str | None = None) -> None:
    """Disable (ending every session at once) or re-enable an account."""
    if user.active == active:
        return
    if not active and Role.ADMIN in user.roles and user.body_id is not None and _other_active_admins(user) == 0:
        raise Refused("last_admin", field=None)
    user.active = active
    ended = 0 if active else end_sessions(user.id, "disabled")
    audit.record(
        "auth.user_enabled" if active else "auth.user_disabled",
        object_type="user",
        object_id=user.id,
        before={"active": not active},
        after={"active": active, "sessions_ended": ended},
        reason=reason,
    )


def change_password(user: User, current: str | None, new: str, *, keep_session_id: int | None = None) -> None:
    """Set a new password (the current one is checked when given; None = an administrator's reset).

    Every other session of the user ends.
    """
    if current is not None and not passwords.verify_password(user.password_hash, current):
        raise Refused("password_current_wrong", field="current_password")
    problems = passwords.password_problems(new, user.username, user.password_hash)
    if problems:
        raise Refused(problems[0], field="new_password")
    user.password_hash = passwords.hash_password(new)
    stmt = sa.update(LoginSession).where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
    if keep_session_id is not None:
        stmt = stmt.where(LoginSession.id != keep_session_id)
    db.session.execute(stmt.values(ended_at=now_utc(), end_reason="password_changed"))
    audit.record("auth.password_changed", object_type="user", object_id=user.id)


def set_locale(user: User, locale: str) -> None:
    """Remember a user's language."""
    if user.locale == locale:
        return
    before, user.locale = user.locale, locale
    audit.record(
        "auth.locale_changed",
        object_type="user",
        object_id=user.id,
        before={"locale": before},
        after={"locale": locale},
    )
