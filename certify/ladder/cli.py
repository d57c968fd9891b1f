"""`flask ladder …`: the eligibility engine on a profile file (the same engine as the application form)."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from certify.core.clock import local_date, now_utc
from certify.institutions.rules import OCCUPATION_CODE
from certify.ladder.eligibility import bundled_relaxations, evaluate
from certify.ladder.eligibility_rulesets import load_bundled_rulesets, ruleset_for_occupation
from certify.ladder.levels import UnknownLevel, parse_level
from certify.ladder.profile import profile_from_json

EXIT_NOT_ELIGIBLE = 3
EXIT_BAD_INPUT = 2


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_BAD_INPUT)


@click.group("ladder", help="The skill level ladder and eligibility.")
def ladder_cli() -> None:
    pass


@ladder_cli.command("eligibility")
@click.argument("profile_path", metavar="PROFILE.json", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--occupation", "code", required=True, help="Occupation code, e.g. 4-13-03-02.")
@click.option("--level", "level_text", required=True, help="Ladder ordinal 1–8 or key (e.g. senior_worker).")
@click.option("--at", "at_text", metavar="DATE", help="Day to evaluate on (default: today, YYYY-MM-DD).")
@click.option("--lang", type=click.Choice(["zh_CN", "en"]), default="zh_CN", show_default=True)
@with_appcontext
def eligibility_command(profile_path: Path, code: str, level_text: str, at_text: str | None, lang: str) -> None:
    """Print the eligibility verdict of PROFILE.json as JSON (exit 0 eligible, 3 not, 2 bad input)."""
    if not OCCUPATION_CODE.fullmatch(code):
        _fail(f"--occupation: {code!r} is not an occupation code like 4-13-03-02")
    try:
        level = parse_level(level_text)
    except UnknownLevel as exc:
        _fail(f"--level: {exc}")
    try:
        at = (
            date.fromisoformat(at_text)
            if at_text
            else local_date(now_utc(), current_app.config["BABEL_DEFAULT_TIMEZONE"])
        )
    except ValueError:
        _fail(f"--at: {at_text!r} is not a date (use YYYY-MM-DD)")
    try:
        data = json.loads(profile_path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        _fail(f"{profile_path}: no such file")
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"{profile_path}: cannot be read ({exc})")
    except json.JSONDecodeError as exc:
        _fail(f"{profile_path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})")
    profile, problems = profile_from_json(data)
    if profile is None or problems:
        click.echo(json.dumps({"problems": [p.to_json(lang) for p in problems]}, ensure_ascii=False, indent=2))
        sys.exit(EXIT_BAD_INPUT)
    ruleset = ruleset_for_occupation(code, load_bundled_rulesets())
    verdict = evaluate(profile, ruleset, level.ordinal, at, relaxations=bundled_relaxations())
    click.echo(json.dumps(verdict.to_json(lang), ensure_ascii=False, indent=2))
    sys.exit(0 if verdict.eligible else EXIT_NOT_ELIGIBLE)
