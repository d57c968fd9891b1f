"""Import/export of question files: the Chinese template (XLSX/CSV), GIFT, Moodle XML, Aiken, QTI 2.x."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

from question_bank.formats._common import ParseResult, decode_text, refuse
from question_bank.formats.aiken import parse_aiken
from question_bank.formats.chinese_template import parse_csv, parse_xlsx
from question_bank.formats.gift import parse_gift
from question_bank.formats.moodle_export import export_moodle_xml
from question_bank.formats.moodle_xml import parse_moodle_xml
from question_bank.formats.qti import parse_qti
from question_bank.formats.qti_export import export_qti21
from question_bank.formats.template_export import blank_template_xlsx, export_xlsx
from question_bank.report import Problem

__all__ = [
    "FORMATS",
    "ParseResult",
    "blank_template_xlsx",
    "detect_format",
    "export_moodle_xml",
    "export_qti21",
    "export_xlsx",
    "parse",
]

FORMATS: dict[str, Callable[[bytes, bool], ParseResult]] = {
    "xlsx": parse_xlsx,
    "csv": parse_csv,
    "gift": parse_gift,
    "moodle_xml": parse_moodle_xml,
    "aiken": parse_aiken,
    "qti": parse_qti,
}
_EXTENSIONS = {".xlsx": "xlsx", ".csv": "csv", ".gift": "gift", ".zip": "qti"}
_AIKEN_RE = re.compile(r"^ANSWER:\s*[A-Z]", re.MULTILINE)


def _zip_kind(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError):
        return None
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "imsmanifest.xml" in names or any(n.lower().endswith(".xml") for n in names):
        return "qti"
    return None


def detect_format(filename: str | None, data: bytes) -> str | None:
    """The format key of a file from its content (and name when the content is ambiguous); None if unknown."""
    name = (filename or "").lower()
    if data.startswith(b"PK"):
        return _zip_kind(data) or _EXTENSIONS.get(name[name.rfind(".") :] if "." in name else "")
    head = data[:65536].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        if b"<quiz" in head:
            return "moodle_xml"
        if b"assessmentItem" in head or b"questestinterop" in head:
            return "qti"
        return (
            "moodle_xml" if name.endswith(".xml") and b"<quiz" in data else ("qti" if name.endswith(".xml") else None)
        )
    sample = data if len(data) <= 65536 else data[: data.rfind(b"\n", 0, 65536) + 1 or 65536]
    text = decode_text(sample)
    if text is None:
        return None
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    if "题型" in first and "题干" in first:
        return "csv"
    if name.endswith(".gift"):
        return "gift"
    if _AIKEN_RE.search(text) and "{" not in text:
        return "aiken"
    if "{" in text and "}" in text:
        return "gift"
    if name.endswith(".txt") and _AIKEN_RE.search(text):
        return "aiken"
    return _EXTENSIONS.get(name[name.rfind(".") :] if "." in name else "")


def parse(data: bytes, format: str = "auto", filename: str | None = None, partial: bool = False) -> ParseResult:
    """Import a file: validate everything, then import all, only the valid items (partial) or nothing."""
    fmt = detect_format(filename, data) if format == "auto" else format
    if fmt not in FORMATS:
        return refuse(format, Problem("unknown_format", {"filename": filename or "?"}))
    try:
        if fmt == "qti":
            return parse_qti(data, partial, filename)
        return FORMATS[fmt](data, partial)
    except Exception as exc:  # a safety net: a bad file must give a report, never a server error
        return refuse(fmt, Problem("import_failed", {"detail": type(exc).__name__}))
