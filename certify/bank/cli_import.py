"""`flask bank import PATH --occupation CODE --level N`: import a question file as the operator, with a report."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from certify.core.db import db
from certify.core.errors import Refused
from certify.institutions.models import Body, BodyOccupation, Occupation
from certify.supervision import audit

from .cli import EXIT_BAD_INPUT, bank_cli
from .imports import ImportOutcome, import_questions
from .messages_imports import field_label, reason, where

EXIT_REFUSED = 1
#: the option or argument each refusal field stands for
ARGUMENTS = {"file": "PATH", "format": "--format", "occupation": "--occupation", "level": "--level"}
#: the command's own words, (English, Chinese)
TEXTS = {
    "summary": (
        "{name}: {found} found · {valid} valid · {imported} imported",
        "{name}：发现 {found} 道 · 有效 {valid} 道 · 已导入 {imported} 道",
    ),
    "summary_dry": (
        "{name}: {found} found · {valid} valid · {imported} would be imported (dry run: nothing written)",
        "{name}：发现 {found} 道 · 有效 {valid} 道 · 可导入 {imported} 道（试运行，未写入）",
    ),
    "nothing": (
        "Nothing was imported because of the errors below; fix them, or use --partial to import the valid items.",
        "因存在下列错误，未导入任何试题；请修改后重新导入，或使用 --partial 只导入有效试题。",
    ),
    "record": ("Recorded as import #{id}.", "已记录为第 {id} 号导入。"),
    "file": ("file", "文件"),
    "warning": ("warning", "警告"),
}


def _text(key: str, lang: str, **params: object) -> str:
    en, zh = TEXTS[key]
    return (zh if lang.startswith("zh") else en).format(**params)


def _bad(argument: str, message: str) -> None:
    click.echo(f"error: {argument}: {message}", err=True)
    sys.exit(EXIT_BAD_INPUT)


def _refusal_messages(refused: Refused, lang: str) -> list[tuple[str | None, str]]:
    """Each problem of a refusal with its field, in the chosen language (messages need a request's locale)."""
    header = "zh-CN" if lang.startswith("zh") else "en"
    with current_app.test_request_context(headers={"Accept-Language": header}):
        return [(p.field, p.message()) for p in refused.problems]


def _body_for(occupation: Occupation, body_id: int | None) -> Body:
    filed = list(
        db.session.execute(
            sa.select(Body)
            .join(BodyOccupation, BodyOccupation.body_id == Body.id)
            .where(BodyOccupation.occupation_id == occupation.id)
            .order_by(Body.id)
        ).scalars()
    )
    if body_id is not None:
        body = next((b for b in filed if b.id == body_id), None)
        if body is None:
            _bad("--body", f"no body with id {body_id} is filed for occupation {occupation.code}")
        return body
    if not filed:
        _bad("--occupation", f"no body is filed for occupation {occupation.code}")
    if len(filed) > 1:
        ids = ", ".join(f"{b.id} ({b.name})" for b in filed)
        _bad("--body", f"{len(filed)} bodies are filed for occupation {occupation.code}: choose one of {ids}")
    return filed[0]


def _print_report(outcome: ImportOutcome, name: str, lang: str) -> None:
    report = outcome.report
    counts = {"found": report.items_found, "valid": report.items_valid, "imported": report.items_imported}
    click.echo(_text("summary_dry" if outcome.dry_run else "summary", lang, name=name, **counts))
    if report.errors and not report.partial:
        click.echo(_text("nothing", lang))
    for problem in report.problems:
        text = reason(problem, lang)
        if problem.severity != "error":
            text = f"{_text('warning', lang)}: {text}"
        place = where(problem, lang) or _text("file", lang)
        click.echo(f"{place} · {field_label(problem.field, lang) or '—'} · {text}")
    if outcome.record is not None:
        click.echo(_text("record", lang, id=outcome.record.id))


def _print_json(outcome: ImportOutcome, lang: str) -> None:
    report = outcome.report.to_dict()
    for stored, problem in zip(report["problems"], outcome.report.problems, strict=True):
        stored.update(where=where(problem, lang), reason=reason(problem, lang))
    out = {
        "import_id": outcome.record.id if outcome.record is not None else None,
        "dry_run": outcome.dry_run,
        "complete": outcome.complete,
        "created": outcome.created,
        **report,
    }
    click.echo(json.dumps(out, ensure_ascii=False, indent=2))


@bank_cli.command("import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--occupation", "occupation_code", required=True, metavar="CODE", help="Occupation code (4-13-03-02).")
@click.option("--level", required=True, metavar="N", help="Level: ordinal 2–6 or its key (senior_worker).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", "xlsx", "csv", "gift", "moodle-xml", "aiken", "qti"]),
    default="auto",
    show_default=True,
    help="File format; auto recognises it from the content.",
)
@click.option("--dry-run", is_flag=True, help="Check and report only; write nothing.")
@click.option("--partial", is_flag=True, help="Import the valid items and report the rest (default: all or nothing).")
@click.option(
    "--body",
    "body_id",
    type=int,
    metavar="ID",
    help="Id of the body whose bank receives the questions; needed only when more than one body is filed for "
    "the occupation (otherwise it is the one filed body).",
)
@click.option("--lang", type=click.Choice(["en", "zh_CN"]), default="en", show_default=True, help="Report language.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@with_appcontext
def import_command(
    path: Path,
    occupation_code: str,
    level: str,
    fmt: str,
    dry_run: bool,
    partial: bool,
    body_id: int | None,
    lang: str,
    as_json: bool,
) -> None:
    """Import the questions of a file (Chinese XLSX/CSV template, GIFT, Moodle XML, Aiken, QTI 2.1/2.2 item or
    package) into an occupation's bank at one level, as drafts.

    Everything is checked first and reported per item (source line/row/item · field · reason). By default
    nothing is imported while any item is invalid; --partial imports the valid ones. Exit status: 0 when every
    item was imported (with --dry-run: would be), 1 when anything was refused, 2 for a bad argument or an
    unreadable file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        _bad("PATH", f"{path}: cannot be read ({exc.strerror or exc})")
    occupation = db.session.execute(
        sa.select(Occupation).where(Occupation.code == occupation_code.strip())
    ).scalar_one_or_none()
    if occupation is None:
        _bad("--occupation", f"no occupation with code {occupation_code!r}")
    body = _body_for(occupation, body_id)
    token = audit.set_actor(audit.Actor(None, "cli"))
    try:
        outcome = import_questions(
            body, occupation, level, data, path.name, fmt=fmt, partial=partial, dry_run=dry_run, user=None
        )
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
    except Refused as refused:
        db.session.rollback()
        for field, message in _refusal_messages(refused, lang):
            argument = ARGUMENTS.get(field or "", "error")
            shown = f"{path}: {message}" if argument == "PATH" else message
            click.echo(f"error: {argument}: {shown}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    finally:
        audit.reset_actor(token)
    if as_json:
        _print_json(outcome, lang)
    else:
        _print_report(outcome, path.name, lang)
    sys.exit(0 if outcome.complete else EXIT_REFUSED)
