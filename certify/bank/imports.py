"""Importing a question file into a body's bank (web upload and `flask bank import` alike).

The parser validates each item as content; the bank then checks what only it knows: the assessment point
against the body's element table, the content against the questions already in the occupation's bank and
against the rest of the file, and the embedded images. Every problem is reported with the item's place in the
source; by default nothing is imported while anything is wrong, `partial` imports the valid items. An import
that is not a dry run leaves a BankImport row (also when it imported nothing) and an audit entry.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from certify.auth.models import User
from certify.core.clock import now_utc
from certify.core.db import db
from certify.core.errors import Refused
from certify.institutions.models import Body, Occupation
from certify.ladder.levels import HowObtained, Level, UnknownLevel, parse_level
from certify.supervision import audit
from question_bank.formats import detect_format, parse
from question_bank.formats._common import MAX_BYTES, ParseResult
from question_bank.formats.chinese_template import FIELD_COLUMNS
from question_bank.model import Question, decimal_text
from question_bank.report import ERROR, WARNING, ImportReport, Location, Problem

from . import access
from . import messages_imports as _messages  # noqa: F401  (registers the codes)
from .messages_imports import BankProblem
from .models import BankImport, BankQuestion, QuestionVersion
from .queries import element_points
from .questions_ops import MAX_IMAGE_BYTES, MAX_POINTS, attach_assets, image_problems, new_version_row

#: format keys an import accepts ("auto" detects it from the content)
IMPORT_FORMATS = ("auto", "xlsx", "csv", "gift", "moodle_xml", "aiken", "qti")
#: formats whose problems point at a column of the Chinese template
TEMPLATE_FORMATS = frozenset({"xlsx", "csv"})
_LINE_RE = re.compile(r"(line|row) (\d+)")
_ITEM_NUMBER_RE = re.compile(r"#(\d+)\b")


@dataclass
class ImportOutcome:
    """What an import did: its report (parser and bank problems), the stored record and the questions made."""

    report: ImportReport
    record: BankImport | None
    created: list[int] = field(default_factory=list)
    format: str = ""
    dry_run: bool = False

    @property
    def complete(self) -> bool:
        """True when every item found was imported (in a dry run: would be) and nothing blocked any."""
        report = self.report
        return report.ok and report.items_found > 0 and report.items_imported == report.items_found


def normalise_format(fmt: str | None) -> str:
    """A format as the command line or a form spells it ("moodle-xml") as its key ("moodle_xml")."""
    return (fmt or "auto").strip().lower().replace("-", "_")


def certified_level(value: Any) -> Level:
    """The ladder level `value` names (ordinal or key), refused unless it is obtained by assessment."""
    try:
        level = parse_level(value)
    except UnknownLevel:
        raise Refused("bank_level_unknown", field="level", value=value) from None
    if level.obtained_by != HowObtained.CERTIFICATION:
        raise Refused("bank_level_not_certified", field="level", value=level.ordinal)
    return level


def require_filed(body: Body, occupation: Occupation) -> None:
    """Refuse an occupation the body is not filed for (it holds no bank for it)."""
    if occupation.id not in {o.id for o in access.body_occupations(body.id)}:
        raise Refused("bank_occupation_not_filed", field="occupation", occupation=occupation.code)


def check_upload(data: bytes, filename: str, fmt: str) -> str:
    """The format key of an upload, refusing an empty or oversized file and a format that cannot be told."""
    fmt = normalise_format(fmt)
    if fmt not in IMPORT_FORMATS:
        raise Refused("bank_import_format_unknown", field="format", value=fmt)
    if not data:
        raise Refused("bank_import_file_empty", field="file", filename=filename or "?")
    if len(data) > MAX_BYTES:
        raise Refused("bank_import_file_too_large", field="file", limit=MAX_BYTES // (1024 * 1024))
    if fmt == "auto":
        detected = detect_format(filename, data)
        if detected is None:
            raise Refused("bank_import_format_undetected", field="format", filename=filename or "?")
        return detected
    return fmt


def content_key(content: dict[str, Any]) -> str:
    """What makes two questions the same: their canonical content without the title (a label, not content)."""
    body = {k: v for k, v in content.items() if k not in ("title", "source")}
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def bank_keys(body_id: int, occupation_id: int) -> dict[str, tuple[int, int]]:
    """Content key → (question id, version number) of every version in the occupation's bank (newest wins)."""
    rows = db.session.execute(
        sa.select(QuestionVersion.question_id, QuestionVersion.number, QuestionVersion.content)
        .join(BankQuestion, BankQuestion.id == QuestionVersion.question_id)
        .where(BankQuestion.body_id == body_id, BankQuestion.occupation_id == occupation_id)
        .order_by(QuestionVersion.question_id, QuestionVersion.number)
    )
    return {content_key(json.loads(row.content)): (row.question_id, row.number) for row in rows}


def location_of(question: Question) -> Location | None:
    """The item's place in its source, rebuilt from the parser's English description ("row 3", "line 7", item)."""
    text = question.source.location if question.source is not None else ""
    match = _LINE_RE.fullmatch(text or "")
    if match:
        return Location(**{match.group(1): int(match.group(2))})
    return Location(item=text) if text else None


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """The file's own problems first, then by line, row or item number (Moodle's "#3 …"), else as found."""
    first_seen: dict[str, int] = {}

    def key(indexed: tuple[int, Problem]) -> tuple[int, int, int]:
        index, problem = indexed
        where = problem.location
        if where is None or where == Location():
            return (0, 0, index)
        number = where.line if where.line is not None else where.row
        if number is None:
            match = _ITEM_NUMBER_RE.match(where.item or "")
            number = int(match.group(1)) if match else first_seen.setdefault(where.item or "", index)
        return (1, number, index)

    return [p for _, p in sorted(enumerate(problems), key=key)]


def _at(location: Location | None, field_name: str | None, fmt: str) -> Location | None:
    column = FIELD_COLUMNS.get(field_name or "") if fmt in TEMPLATE_FORMATS else None
    if location is not None and column:
        return replace(location, column=column)
    return location


def _check_item(
    question: Question,
    files: dict[str, bytes],
    points: dict[str, Any] | None,
    occupation: Occupation,
    fmt: str,
) -> tuple[list[BankProblem], dict[str, bytes]]:
    """The bank's problems with one valid item (duplicates aside) and the embedded files it uses."""
    where = location_of(question)
    found: list[BankProblem] = []

    def put(code: str, field_name: str | None, severity: str = ERROR, **params: Any) -> None:
        found.append(BankProblem(code, params, field_name, _at(where, field_name, fmt), severity))

    if abs(question.points) > MAX_POINTS or question.points != question.points.quantize(Decimal("0.01")):
        put("bank_import_points_range", "points", value=decimal_text(question.points), limit=MAX_POINTS)
    if question.point_code and points is not None and question.point_code not in points:
        put("bank_import_point_unknown", "point_code", value=question.point_code, occupation=occupation.code)
    if not question.point_code and question.difficulty is None:
        put("bank_import_point_difficulty_missing", None, WARNING)
    elif not question.point_code:
        put("bank_import_point_missing", "point_code", WARNING)
    elif question.difficulty is None:
        put("bank_import_difficulty_missing", "difficulty", WARNING)
    used = {name: files[name] for name in question.images if name in files}
    for name in question.images:
        if name not in files:
            put("bank_import_image_missing", "images", name=name)
    for problem in image_problems(used, MAX_IMAGE_BYTES):
        put(problem.code.replace("bank_image_", "bank_import_image_"), "images", **problem.params)
    return found, used


def check_against_bank(
    body: Body, occupation: Occupation, result: ParseResult, fmt: str, partial: bool
) -> list[tuple[Question, dict[str, bytes]]]:
    """Add the bank's problems to the parser's report and return the items to import (with their files)."""
    report = result.report
    report.partial = partial
    points = element_points(body.id, occupation.id)
    in_bank = bank_keys(body.id, occupation.id)
    seen: dict[str, Location | None] = {}
    good: list[tuple[Question, dict[str, bytes]]] = []
    without_table = 0
    for question in result.questions:
        problems, files = _check_item(question, result.files, points, occupation, fmt)
        where = location_of(question)
        key = content_key(question.to_dict(with_source=False))
        if key in in_bank:
            number, version = in_bank[key]
            params = {"occupation": occupation.code, "number": number, "version": version}
            problems.append(BankProblem("bank_import_duplicate_in_bank", params, None, where))
        elif key in seen:
            other = seen[key] or Location()
            params = {"other_en": other.describe("en"), "other_zh": other.describe("zh_CN")}
            problems.append(BankProblem("bank_import_duplicate_in_file", params, None, where))
        else:
            seen[key] = where
        report.problems.extend(problems)
        if question.point_code and points is None:
            without_table += 1
        elif not any(p.severity == ERROR for p in problems):
            good.append((question, files))
    if without_table:
        params = {"occupation": occupation.code, "count": without_table}
        report.problems.append(BankProblem("bank_import_no_element_table", params, "point_code"))
    report.problems = sort_problems(report.problems)
    report.items_valid = len(good)
    if report.errors and not partial:
        good = []
    report.items_imported = len(good)
    return good


def import_questions(
    body: Body,
    occupation: Occupation,
    level_ordinal: int | str,
    data: bytes,
    filename: str,
    fmt: str = "auto",
    partial: bool = False,
    dry_run: bool = False,
    user: User | None = None,
) -> ImportOutcome:
    """Validate a question file against the parser and the bank, then import all, the valid items or nothing.

    Refused (naming the field) for an unfiled occupation, a level without a bank, an empty, oversized or
    unrecognisable file. With `user` the import passes `access.require_content` (role, pledge, recusal): a dry
    run is audited as `bank.questions_checked`, an import as `bank.questions_imported`; without `user` (the
    command line) the operator imports and the audit entry names the command's actor.
    """
    require_filed(body, occupation)
    level = certified_level(level_ordinal)
    key = check_upload(data, filename, fmt)
    result = parse(data, key, filename, partial=True)  # every valid item, so the bank checks see them all
    chosen = check_against_bank(body, occupation, result, key, partial)
    report = result.report
    details = {
        "level": level.ordinal,
        "filename": filename,
        "format": key,
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
        "partial": partial,
        "items_found": report.items_found,
        "items_valid": report.items_valid,
        "items_imported": report.items_imported,
    }
    if dry_run:
        if user is not None:
            access.require_content(
                user,
                occupation,
                "questions_checked",
                object_type="occupation",
                object_id=occupation.id,
                details=details,
            )
        return ImportOutcome(report, None, [], key, True)
    record = BankImport(
        body_id=body.id,
        occupation_id=occupation.id,
        level_ordinal=level.ordinal,
        filename=(filename or "?")[:255],
        format=key,
        sha256=details["sha256"],
        size=len(data),
        partial=partial,
        items_found=report.items_found,
        items_imported=report.items_imported,
        report=_report_json(report),
        created_at=now_utc(),
        created_by_id=user.id if user is not None else None,
    )
    db.session.add(record)
    db.session.flush()
    if user is not None:
        try:
            access.require_content(
                user, occupation, "questions_imported", object_type="bank_import", object_id=record.id, details=details
            )
        except Refused:
            _refused_on_record(record, report)
            raise
    created = [_store(body, occupation, level, record, question, files, user) for question, files in chosen]
    if user is None:
        audit.record(
            "bank.questions_imported",
            object_type="bank_import",
            object_id=record.id,
            after={"occupation": occupation.code, **details, "question_ids": created},
        )
    db.session.flush()
    return ImportOutcome(report, record, created, key, False)


def _store(
    body: Body,
    occupation: Occupation,
    level: Level,
    record: BankImport,
    question: Question,
    files: dict[str, bytes],
    user: User | None,
) -> int:
    bank_question = BankQuestion(
        body_id=body.id,
        occupation_id=occupation.id,
        level_ordinal=level.ordinal,
        created_at=now_utc(),
        created_by_id=user.id if user is not None else None,
    )
    db.session.add(bank_question)
    db.session.flush()
    version = new_version_row(bank_question, 1, question, user, source=question.source, import_id=record.id)
    if files:
        attach_assets(version, body.id, files)
    return bank_question.id


def _report_json(report: ImportReport) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False)


def _refused_on_record(record: BankImport, report: ImportReport) -> None:
    """Keep a recusal-refused attempt on record without anything the importer was not allowed to learn."""
    refused = ImportReport(
        format=report.format,
        problems=[BankProblem("bank_import_access_refused")],
        items_found=report.items_found,
        partial=report.partial,
    )
    record.items_imported = 0
    record.report = _report_json(refused)
    db.session.flush()


def created_question_ids(record: BankImport) -> list[int]:
    """The questions an import made (their first versions carry its id)."""
    return list(
        db.session.execute(
            sa.select(QuestionVersion.question_id)
            .where(QuestionVersion.import_id == record.id, QuestionVersion.number == 1)
            .order_by(QuestionVersion.question_id)
        ).scalars()
    )
