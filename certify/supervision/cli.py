"""`flask audit …`: verify the hash chain of the audit log."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from certify.supervision.audit import verify_chain


@click.group("audit", help="The audit log.")
def audit_cli() -> None:
    pass


@audit_cli.command("verify")
@with_appcontext
def verify_command() -> None:
    """Check every entry's hash and link; name the first broken entry (exit status 1)."""
    report = verify_chain()
    if report.intact:
        click.echo(f"audit chain intact: {report.checked} entries checked")
        return
    click.echo(
        f"audit chain BROKEN at entry seq={report.broken_seq} (id={report.broken_id}): {report.problem}; "
        f"{report.checked} entries before it are intact",
        err=True,
    )
    sys.exit(1)
