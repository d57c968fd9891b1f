"""Reading a session roster (考生名单) from CSV or XLSX, pure: rows of ID number and name, or every problem.

The file is read with recusal.roster_files.read_table (untrusted bytes never raise). Each problem is a Problem
whose field is the canonical column and whose params carry the row as Excel shows it (header = row 1). Who
the rows are (a person of the body, not yet enrolled) is for `enrolment_ops.import_roster` to find out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from certify.core.errors import Problem
from certify.institutions.identity import normalise
from certify.recusal.roster_files import blank, read_table

#: canonical column → accepted headers (compared without spaces and "*", case-insensitive)
COLUMNS: dict[str, tuple[str, ...]] = {
    "id_number": ("证件号码", "身份证号码", "身份证号", "id_number", "idnumber"),
    "name": ("姓名", "name"),
}
_HEADER_TO_COLUMN = {alias.lower(): column for column, aliases in COLUMNS.items() for alias in aliases}
# Excel keeps 15 significant digits: an 18-digit ID typed into a number cell has already lost its last digits.
_EXCEL_EXACT_DIGITS = 15


@dataclass(frozen=True)
class RosterPolicy:
    """Limits that keep one upload inside one request."""

    max_rows: int = 1000
    max_file_bytes: int = 5 * 1024 * 1024
    max_unzipped_bytes: int = 50 * 1024 * 1024
    header_search_rows: int = 10  #: title rows above the header (e.g. "2026年第1期考生名单") are skipped


@dataclass(frozen=True)
class RosterRow:
    """One readable row: the ID number (normalised) and the name as written."""

    row: int
    id_number: str
    name: str


@dataclass(frozen=True)
class RosterParse:
    rows: tuple[RosterRow, ...]
    problems: tuple[Problem, ...]


def _problem(row: int | None, column: str | None, code: str, **params) -> Problem:
    return Problem(code, column, {"row": row, **params})


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    text = " ".join(str(value).split())
    return text or None


def parse_session_roster(data: bytes, filename: str, policy: RosterPolicy | None = None) -> RosterParse:
    """Every readable row and every problem of the file (the database is not asked)."""
    policy = policy or RosterPolicy()
    table = read_table(
        data,
        filename,
        max_file_bytes=policy.max_file_bytes,
        max_unzipped_bytes=policy.max_unzipped_bytes,
        max_rows=policy.max_rows + policy.header_search_rows + 1,
    )
    if table.error is not None:
        # the file-level messages of the candidate import fit a roster word for word
        return RosterParse((), (_problem(None, None, f"register_{table.error}", **table.params),))
    problems: list[Problem] = []
    header = _find_header(table.rows[: policy.header_search_rows], problems)
    if header is None:
        return RosterParse((), tuple(problems))
    header_row, columns = header
    data_rows = [(n, cells) for n, cells in table.rows if n > header_row and not blank(cells)]
    if not data_rows:
        problems.append(_problem(None, None, "session_roster_no_rows"))
    if len(data_rows) > policy.max_rows:
        problems.append(_problem(data_rows[policy.max_rows][0], None, "session_roster_too_many", max=policy.max_rows))
        data_rows = data_rows[: policy.max_rows]
    rows: list[RosterRow] = []
    first_row: dict[str, int] = {}
    for number, cells in data_rows:
        values = {col: cells[i] if i < len(cells) else None for col, i in columns.items()}
        row = _parse_row(number, values, problems)
        if row is None:
            continue
        first = first_row.setdefault(row.id_number, number)
        if first != number:
            problems.append(_problem(number, "id_number", "session_roster_duplicate", first_row=first))
            continue
        rows.append(row)
    order = list(COLUMNS)
    problems.sort(key=lambda p: (p.params.get("row") or 0, order.index(p.field) if p.field in order else -1))
    return RosterParse(tuple(rows), tuple(problems))


def _find_header(rows: list[tuple[int, tuple]], problems: list[Problem]) -> tuple[int, dict[str, int]] | None:
    for number, cells in rows:
        columns: dict[str, int] = {}
        for index, cell in enumerate(cells):
            column = _HEADER_TO_COLUMN.get(re.sub(r"[\s*＊_]", "", _text(cell) or "").lower().replace("_", ""))
            if column is not None:
                columns.setdefault(column, index)
        if not columns:
            continue
        missing = [c for c in COLUMNS if c not in columns]
        for column in missing:
            problems.append(_problem(number, column, "session_roster_missing_column", header=COLUMNS[column][0]))
        return None if missing else (number, columns)
    problems.append(_problem(None, None, "session_roster_no_header"))
    return None


def _parse_row(number: int, values: dict[str, object], problems: list[Problem]) -> RosterRow | None:
    before = len(problems)
    raw = {column: _text(value) for column, value in values.items()}
    for column in COLUMNS:
        if raw.get(column) is None:
            problems.append(_problem(number, column, "session_roster_value_required"))
    id_value = values.get("id_number")
    if isinstance(id_value, int | float) and len(str(int(id_value))) > _EXCEL_EXACT_DIGITS:
        problems.append(_problem(number, "id_number", "register_id_stored_as_number", value=raw["id_number"]))
    if raw.get("name") is not None and len(raw["name"]) > 100:
        problems.append(_problem(number, "name", "session_roster_too_long", max=100, length=len(raw["name"])))
    if raw.get("id_number") is not None and len(raw["id_number"]) > 32:
        problems.append(_problem(number, "id_number", "session_roster_too_long", max=32, length=len(raw["id_number"])))
    if len(problems) > before:
        return None
    return RosterRow(number, normalise(raw["id_number"]), raw["name"])
