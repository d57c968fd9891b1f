"""Shared plumbing of the importers: decoding, safe XML, per-item validation and the all-or-valid rule."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from question_bank.model import Question, SourceRef
from question_bank.report import ImportReport, Location, Problem
from question_bank.types import validate

#: Largest file accepted at all (bytes); also the cap on what a ZIP may expand to.
MAX_BYTES = 20 * 1024 * 1024


@dataclass
class ParseResult:
    """Questions to import (empty when the import is refused) and the report saying why."""

    questions: list[Question]
    report: ImportReport
    #: Embedded files (images, audio) by name, as referenced from Question.images.
    files: dict[str, bytes] = field(default_factory=dict)


@dataclass
class Item:
    """One item found in a source: the question built from it (None if it could not be) and its problems."""

    location: Location
    question: Question | None = None
    problems: list[Problem] = field(default_factory=list)


def too_large(data: bytes, fmt: str) -> ParseResult | None:
    """A refusal when the input exceeds MAX_BYTES."""
    if len(data) > MAX_BYTES:
        return refuse(fmt, Problem("file_too_large", {"limit": MAX_BYTES}))
    return None


def refuse(fmt: str, *problems: Problem) -> ParseResult:
    """A result that imports nothing because the file as a whole is unusable."""
    return ParseResult([], ImportReport(format=fmt, problems=list(problems)))


def decode_text(data: bytes) -> str | None:
    """Text of a file in UTF-8 (with or without BOM), UTF-16 with BOM, or GBK/GB18030; None if none fits."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # Control characters other than tab/newline mean we are looking at binary, not text.
        if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", text):
            return None
        return text
    return None


def parse_xml(data: bytes) -> tuple[Element | None, Problem | None]:
    """Parse XML with defusedxml (no DTDs, entities or external references); a problem instead of raising."""
    try:
        return SafeET.fromstring(data, forbid_dtd=True), None
    except DefusedXmlException:
        return None, Problem("xml_forbidden")
    except ParseError as exc:
        return None, Problem("xml_not_well_formed", {"detail": str(exc)})
    except (ValueError, RecursionError, UnicodeError, LookupError) as exc:
        # LookupError: an XML declaration naming an encoding Python does not know.
        return None, Problem("xml_not_well_formed", {"detail": type(exc).__name__})


def local(tag: object) -> str:
    """Tag name without its namespace."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def finish(
    fmt: str,
    items: list[Item],
    partial: bool,
    file_problems: list[Problem] | None = None,
    columns: dict[str, str] | None = None,
) -> ParseResult:
    """Validate every item, then import all (none invalid), only the valid ones (partial) or nothing.

    columns maps a question field to the source column that holds it, so problems point at row and column.
    """
    report = ImportReport(format=fmt, partial=partial, problems=list(file_problems or []))
    good: list[Question] = []
    for item in items:
        problems = list(item.problems)
        if item.question is not None:
            problems.extend(validate(item.question))
        problems = [p.at(_locate(item.location, p, columns)) for p in problems]
        report.problems.extend(problems)
        if item.question is not None and not any(p.severity == "error" for p in problems):
            where = item.location.describe("en")
            source = item.question.source or SourceRef(fmt)
            source = replace(source, format=fmt, location=source.location or where)
            good.append(replace(item.question, source=source))
    report.items_found = len(items)
    report.items_valid = len(good)
    if not items and not report.errors:
        report.problems.append(Problem("no_questions"))
    if report.errors and not partial:
        good = []
    if file_problems and any(p.severity == "error" for p in file_problems):
        good = []
    report.items_imported = len(good)
    return ParseResult(good, report)


def _locate(location: Location, problem: Problem, columns: dict[str, str] | None) -> Location:
    if columns and problem.field:
        column = columns.get(problem.field) or columns.get(problem.field.split(" ")[0])
        if column:
            return replace(location, column=column)
    return location


def clean_text(text: str | None) -> str:
    """Trim surrounding whitespace; None becomes ''."""
    return (text or "").strip()
