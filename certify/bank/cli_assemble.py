"""`flask bank assemble --blueprint ID --count N --seed S [--json]`: parallel forms of a blueprint for inspection.

Deterministic: the same blueprint, bank and seed print byte-identical output. Nothing is stored unless `--save`
(then `--window` and `--candidates` say which exposure window the papers count toward). Exit status 0 when the
papers were assembled, 1 with every problem when a constraint cannot be met (or the blueprint may not be used),
2 for bad arguments.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from certify.bank.cli import EXIT_BAD_INPUT, bank_cli
from certify.core.db import db
from certify.core.errors import Refused

from .assembly_ops import MAX_FORMS, Assembly, assemble_papers, store_assembly
from .messages_blueprints import problem_text
from .models import BlueprintRecord

EXIT_REFUSED = 1
#: what the JSON shows of each question, in this order
QUESTION_FIELDS = ("position", "question_id", "version_id", "type", "points", "cell", "point_code", "difficulty")
QUESTION_FIELDS += ("key", "scored")


def _bad(argument: str, message: str) -> None:
    click.echo(f"error: {argument}: {message}", err=True)
    sys.exit(EXIT_BAD_INPUT)


def _papers(assembly: Assembly) -> list[dict[str, Any]]:
    papers = []
    for paper in assembly.result.papers:
        questions = [{key: row[key] for key in QUESTION_FIELDS} for row in assembly.rows(paper)]
        papers.append(
            {
                "form": paper.form,
                "seed": paper.seed,
                "total_points": round(paper.total_points, 2),
                "mean_difficulty": round(paper.mean_difficulty, 4),
                "questions": questions,
            }
        )
    return papers


def _report(blueprint: BlueprintRecord, assembly: Assembly, run_id: int | None) -> dict[str, Any]:
    plan = {cell: dict(sorted(types.items())) for cell, types in sorted(assembly.result.plan.items())}
    report: dict[str, Any] = {
        "blueprint": blueprint.id,
        "seed": assembly.seed,
        "forms": len(assembly.result.papers),
        "plan": plan,
        "papers": _papers(assembly),
    }
    if run_id is not None:
        report["run"] = run_id
    return report


def _print_table(report: dict[str, Any]) -> None:
    click.echo(f"blueprint {report['blueprint']} · seed {report['seed']} · {report['forms']} forms")
    for paper in report["papers"]:
        click.echo("")
        click.echo(
            f"form {paper['form']}: {paper['total_points']:g} points, mean difficulty {paper['mean_difficulty']}, "
            f"{len(paper['questions'])} questions"
        )
        click.echo(
            f"{'pos':>4} {'question':>9} {'version':>8} {'type':<16} {'points':>6} {'point':<14} {'diff':>4} key"
        )
        for q in paper["questions"]:
            scored = "" if q["scored"] else " (pretest)"
            click.echo(
                f"{q['position']:>4} {q['question_id']:>9} {q['version_id']:>8} {q['type']:<16} {q['points']:>6g} "
                f"{q['point_code']:<14} {q['difficulty']:>4g} {''.join(q['key'])}{scored}"
            )
    if "run" in report:
        click.echo(f"\nstored as assembly run {report['run']}")


@bank_cli.command("assemble")
@click.option("--blueprint", "blueprint_id", required=True, type=int, help="Id of the blueprint.")
@click.option("--count", type=int, help="Parallel forms to assemble (default: the blueprint's).")
@click.option("--seed", required=True, help="Seed: the same seed gives the same papers.")
@click.option("--json", "as_json", is_flag=True, help="Print the papers as JSON.")
@click.option("--save", is_flag=True, help="Store the run and its papers (approved blueprints only).")
@click.option("--window", default="", help="Exposure window the papers count toward (with --save), e.g. 2026-12.")
@click.option("--candidates", type=int, default=0, show_default=True, help="Candidates the run serves (0: no cap).")
@click.option("--draft", is_flag=True, help="Allow a blueprint that is not approved (inspection only).")
@click.option("--lang", type=click.Choice(["en", "zh_CN"]), default="en", show_default=True)
def assemble_command(
    blueprint_id: int,
    count: int | None,
    seed: str,
    as_json: bool,
    save: bool,
    window: str,
    candidates: int,
    draft: bool,
    lang: str,
) -> None:
    """Assemble parallel forms of a blueprint deterministically for a seed and print them."""
    blueprint = db.session.get(BlueprintRecord, blueprint_id)
    if blueprint is None:
        _bad("--blueprint", f"no blueprint has id {blueprint_id}")
    forms = count if count is not None else int(blueprint.spec_dict().get("forms") or 2)
    if forms < 1 or forms > MAX_FORMS:
        _bad("--count", f"must be between 1 and {MAX_FORMS} (got {forms})")
    if not seed.strip() or len(seed) > 100:
        _bad("--seed", "must be 1 to 100 characters")
    if candidates < 0:
        _bad("--candidates", f"must be 0 or more (got {candidates})")
    if save and draft:
        _bad("--draft", "a draft blueprint's papers are never stored; leave out --save")
    if save and not window.strip():
        _bad("--window", "required with --save (the exposure window, e.g. 2026-12)")
    if save and forms < 2:
        _bad("--count", "at least 2 parallel forms are stored")
    if len(window) > 40:
        _bad("--window", "at most 40 characters")
    try:
        assembly = assemble_papers(blueprint, seed, forms, window, candidates, None, save=False, allow_draft=draft)
        run = store_assembly(assembly, None) if save else None
    except Refused as refused:
        db.session.rollback()
        for problem in refused.problems:
            click.echo(f"error: {problem_text(problem, lang)}", err=True)
        if blueprint.state.value == "draft" and not draft:
            click.echo("hint: add --draft to inspect the papers of a draft blueprint (never stored)", err=True)
        sys.exit(EXIT_REFUSED)
    if run is not None:
        db.session.commit()
    report = _report(blueprint, assembly, run.id if run is not None else None)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        _print_table(report)
