"""Top-level commands: `flask seed-demo`."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from certify.core.db import db
from certify.core.errors import Refused
from certify.supervision import audit


@click.command("seed-demo", help="Build the documented demo world (idempotent).")
@click.option("--force", is_flag=True, help="Allow running against a production configuration.")
@click.option("--if-empty", is_flag=True, help="Only when the database has no accounts yet (used by make run).")
@with_appcontext
def seed_demo_command(force: bool, if_empty: bool) -> None:
    import sqlalchemy as sa

    from certify.auth.models import User
    from certify.core.demo import seed_application_world, seed_bank_world, seed_demo_world, seed_exam_world

    if if_empty and db.session.execute(sa.select(User.id).limit(1)).first():
        click.echo("database already has accounts: demo world not loaded")
        return
    if current_app.config["CERTIFY_ENV"] == "production" and not force:
        click.echo(
            "refusing to load demo data into a production configuration (use --force if you mean it)",
            err=True,
        )
        sys.exit(2)
    token = audit.set_actor(audit.Actor(None, "seed-demo"))
    try:
        seed_demo_world()
        seed_application_world()
        seed_bank_world()
        seed_exam_world()
        db.session.commit()
    except Refused as refused:
        db.session.rollback()
        click.echo("demo world not loaded: " + "; ".join(refused.messages()), err=True)
        sys.exit(1)
    finally:
        audit.reset_actor(token)
    click.echo(
        "demo world ready: sign in as admin, author, reviewer, trainer, invigilator(2), assessor1-3, "
        "senior_assessor, supervisor, regulator or candidate1-5"
    )
