"""`flask users …`: accounts for operators (the first administrator of a new installation, resets)."""

from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from certify.auth import messages as _messages  # noqa: F401
from certify.auth import operations
from certify.auth.models import Role, User
from certify.core.db import db
from certify.core.errors import Refused
from certify.institutions.models import Body
from certify.supervision import audit


@click.group("users", help="Login accounts.")
def users_cli() -> None:
    pass


def _as_cli():
    return audit.set_actor(audit.Actor(None, "cli"))


@users_cli.command("create")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="Display name.")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice([r.value for r in Role]))
@click.option("--body-id", type=int, help="The body a staff member works for.")
@click.password_option(help="Initial password (asked for when not given).")
@with_appcontext
def create_command(username, display_name, roles, body_id, password):
    """Create an account."""
    token = _as_cli()
    try:
        if body_id is not None and db.session.get(Body, body_id) is None:
            click.echo(f"error: --body-id: no body with id {body_id}", err=True)
            sys.exit(2)
        user = operations.create_user(username, password, display_name, {Role(r) for r in roles}, body_id=body_id)
        db.session.commit()
        click.echo(f"created user {user.username} (id {user.id})")
    except Refused as refused:
        db.session.rollback()
        click.echo("error: " + "; ".join(f"{p.field}: {p.message()}" for p in refused.problems), err=True)
        sys.exit(2)
    finally:
        audit.reset_actor(token)


def _user(username: str) -> User:
    user = db.session.execute(sa.select(User).where(User.username == username.lower())).scalar_one_or_none()
    if user is None:
        click.echo(f"error: no user named {username!r}", err=True)
        sys.exit(2)
    return user


@users_cli.command("set-password")
@click.argument("username")
@click.password_option()
@with_appcontext
def set_password_command(username, password):
    """Set a user's password (ends their sessions)."""
    token = _as_cli()
    try:
        operations.change_password(_user(username), None, password)
        db.session.commit()
        click.echo("password changed; every session of the user has ended")
    except Refused as refused:
        db.session.rollback()
        click.echo("error: " + "; ".join(refused.messages()), err=True)
        sys.exit(2)
    finally:
        audit.reset_actor(token)


@users_cli.command("disable")
@click.argument("username")
@click.option("--reason", required=True)
@with_appcontext
def disable_command(username, reason):
    """Disable an account and end every session."""
    token = _as_cli()
    try:
        operations.set_active(_user(username), False, reason)
        db.session.commit()
        click.echo(f"{username} disabled")
    finally:
        audit.reset_actor(token)
