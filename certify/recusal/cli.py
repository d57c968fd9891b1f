"""`flask recusal …`: explain the engine's verdict for a person, a role and a candidate."""

from __future__ import annotations

import json
import sys
from datetime import date

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from certify.auth.models import User
from certify.core.db import db
from certify.institutions.models import Person
from certify.recusal import queries, rules
from certify.recusal.operations import policy, today
from certify.recusal.policy import Role

EXIT_DENY = 3


def _person(ref: str, what: str) -> Person:
    """A person by username or by person id."""
    person = None
    user = db.session.execute(sa.select(User).where(User.username == ref.strip().lower())).scalar_one_or_none()
    if user is not None and user.person_id is not None:
        person = db.session.get(Person, user.person_id)
    elif ref.strip().isdigit():
        person = db.session.get(Person, int(ref))
    if person is None:
        click.echo(f"error: {what}: no person with username or id {ref!r}", err=True)
        sys.exit(2)
    return person


def _date(value: str | None) -> date:
    if value is None:
        return today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        click.echo(f"error: --at: {value!r} is not a date (use YYYY-MM-DD)", err=True)
        sys.exit(2)


@click.group("recusal", help="Recusal and separation of training and examination.")
def recusal_cli() -> None:
    pass


@recusal_cli.command("explain")
@click.argument("person_ref", metavar="PERSON")
@click.argument("candidate_ref", metavar="CANDIDATE")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--at", "at_text", metavar="DATE", help="Day to decide for (default: today, YYYY-MM-DD).")
@click.option("--occupation", help="Occupation code, for content access and training-duty checks.")
@click.option("--lang", type=click.Choice(["en", "zh_CN"]), default="en", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the verdict as JSON.")
@with_appcontext
def explain_command(person_ref, candidate_ref, role, at_text, occupation, lang, as_json):
    """Print whether PERSON may act as ROLE on CANDIDATE, with every reason and its evidence (exit 0 / 3)."""
    person, candidate = _person(person_ref, "PERSON"), _person(candidate_ref, "CANDIDATE")
    at = _date(at_text)
    facts = queries.facts_for([person.id, candidate.id])
    verdict = rules.decide(
        person.id,
        role,
        at,
        candidate=candidate.id,
        occupation=occupation,
        relations=facts.relations,
        employments=facts.employments,
        training_duties=facts.training_duties,
        overrides=facts.overrides,
        policy=policy(),
    )
    if as_json:
        click.echo(
            json.dumps(
                {
                    "person": person.id,
                    "candidate": candidate.id,
                    "role": role,
                    "at": at.isoformat(),
                    **verdict.as_dict(),
                },
                ensure_ascii=False,
                indent=2,
                default=str,
            )
        )
    else:
        word = {"en": ("ALLOW", "DENY"), "zh_CN": ("允许", "回避")}[lang][0 if verdict.allowed else 1]
        click.echo(f"{word}: {person.name} (#{person.id}) as {role} on {candidate.name} (#{candidate.id}) at {at}")
        for reason in verdict.reasons:
            click.echo(f"  - {reason.message(lang)}")
            if reason.evidence:
                click.echo(f"    evidence: {json.dumps(reason.evidence, ensure_ascii=False, default=str)}")
        if verdict.override_used is not None:
            click.echo(f"  override #{verdict.override_used.id} applies: {verdict.override_used.reason}")
        for notice in verdict.notices:
            click.echo(f"  note: {notice.message(lang)}")
    sys.exit(0 if verdict.allowed else EXIT_DENY)
