"""Bulk candidate import from an employer's roster (XLSX or CSV): everyone, or nobody and every bad row.

The file is read with recusal.roster_files.read_table (untrusted bytes never raise). Every problem is a
Problem whose field is the canonical column and whose params carry the row as Excel shows it (header = row 1);
file-level problems have no column and no row. The parser is pure; `import_candidates` adds what only the
database knows (already registered, username taken) and then registers each person, optionally with a
candidate account and a random initial password that is returned once and stored only as its hash.
"""

from __future__ import annotations

import io
import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from certify.auth.models import Role, User
from certify.auth.passwords import password_problems
from certify.core.db import db
from certify.core.errors import Problem, Refused
from certify.institutions import people
from certify.institutions.identity import check_id
from certify.institutions.models import Body, IdType, Person
from certify.institutions.registration import mobile_problems
from certify.recusal.roster import ID_TYPES
from certify.recusal.roster_files import blank, read_table
from certify.supervision import audit

#: canonical column → accepted headers (the Chinese one is the template's; compared without spaces and "*")
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "name"),
    "id_type": ("证件类型", "id_type"),
    "id_number": ("证件号码", "身份证号码", "id_number"),
    "phone": ("手机号码", "手机号", "phone"),
    "employer": ("工作单位", "employer"),
    "username": ("用户名", "username"),
}
REQUIRED_COLUMNS = ("name", "id_number", "phone")
COLUMN_LABELS = {
    "name": _l("Name"),
    "id_type": _l("ID type"),
    "id_number": _l("ID number"),
    "phone": _l("Mobile number"),
    "employer": _l("Employer"),
    "username": _l("Username"),
}
MAX_LENGTHS = {"name": 100, "employer": 200}
USERNAME = re.compile(r"[a-z0-9._-]{3,64}")
_HEADER_TO_COLUMN = {alias.lower(): column for column, aliases in COLUMNS.items() for alias in aliases}
# Excel keeps 15 significant digits: an 18-digit ID typed into a number cell has already lost its last digits.
_EXCEL_EXACT_DIGITS = 15
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True)
class ImportPolicy:
    """Limits that keep one import inside one request (each account costs an argon2 hash)."""

    max_rows: int = 500
    max_file_bytes: int = 5 * 1024 * 1024
    max_unzipped_bytes: int = 50 * 1024 * 1024
    header_search_rows: int = 10  #: title rows above the header (e.g. "某某公司报名名单") are skipped


@dataclass(frozen=True)
class CandidateRow:
    """One valid row: who to register."""

    row: int
    name: str
    id_type: IdType
    id_number: str
    phone: str
    employer: str | None
    username: str | None


@dataclass(frozen=True)
class CandidateParse:
    rows: tuple[CandidateRow, ...]
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class CreatedCandidate:
    """A registered person, with the one-time initial password of their new account (if any)."""

    row: int
    person_id: int
    name: str
    id_number: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)


def _problem(row: int | None, column: str | None, code: str, **params) -> Problem:
    return Problem(code, column, {"row": row, **params})


def _text(value: object) -> str | None:
    """A cell as stripped text; whole floats lose their ".0" (Excel stores every number as a float)."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    text = " ".join(str(value).split())
    return text or None


def parse_candidates(data: bytes, filename: str, today: date, policy: ImportPolicy | None = None) -> CandidateParse:
    """Every row that can be registered and every problem of the file (pure: the database is not asked)."""
    policy = policy or ImportPolicy()
    table = read_table(
        data,
        filename,
        max_file_bytes=policy.max_file_bytes,
        max_unzipped_bytes=policy.max_unzipped_bytes,
        max_rows=policy.max_rows + policy.header_search_rows + 1,
    )
    if table.error is not None:
        return CandidateParse((), (Problem(f"register_{table.error}", None, {"row": None, **table.params}),))
    problems: list[Problem] = []
    header = _find_header(table.rows[: policy.header_search_rows], problems)
    if header is None:
        return CandidateParse((), tuple(problems))
    header_row, columns = header
    rows: list[CandidateRow] = []
    data_rows = [(n, cells) for n, cells in table.rows if n > header_row and not blank(cells)]
    if not data_rows:
        problems.append(_problem(None, None, "register_no_rows"))
    if len(data_rows) > policy.max_rows:
        problems.append(
            _problem(data_rows[policy.max_rows][0], None, "register_too_many_rows", max_rows=policy.max_rows)
        )
        data_rows = data_rows[: policy.max_rows]
    for number, cells in data_rows:
        values = {col: cells[i] if i < len(cells) else None for col, i in columns.items()}
        row = _parse_row(number, values, today, problems)
        if row is not None:
            rows.append(row)
    rows = _drop_duplicates(rows, problems)
    order = list(COLUMNS)
    problems.sort(key=lambda p: (p.params.get("row") or 0, order.index(p.field) if p.field else -1))
    return CandidateParse(tuple(rows), tuple(problems))


def _find_header(rows: list[tuple[int, tuple]], problems: list[Problem]) -> tuple[int, dict[str, int]] | None:
    for number, cells in rows:
        columns: dict[str, int] = {}
        repeated: list[str] = []
        for index, cell in enumerate(cells):
            column = _HEADER_TO_COLUMN.get(re.sub(r"[\s*＊]", "", _text(cell) or "").lower())
            if column is None:
                continue
            if column in columns:
                repeated.append(column)
            columns.setdefault(column, index)
        if not columns:
            continue
        found = [
            _problem(number, c, "register_missing_column", header=COLUMNS[c][0])
            for c in REQUIRED_COLUMNS
            if c not in columns
        ]
        found += [_problem(number, c, "register_duplicate_column", header=COLUMNS[c][0]) for c in repeated]
        problems.extend(found)
        return None if found else (number, columns)
    problems.append(_problem(None, None, "register_no_header"))
    return None


def _parse_row(number: int, values: dict[str, object], today: date, problems: list[Problem]) -> CandidateRow | None:
    raw = {column: _text(value) for column, value in values.items()}
    before = len(problems)

    def problem(column: str, code: str, **params) -> None:
        problems.append(_problem(number, column, code, **params))

    for column in ("name", "id_number"):
        if raw.get(column) is None:
            problem(column, "register_value_required")
    for column, limit in MAX_LENGTHS.items():
        if raw.get(column) is not None and len(raw[column]) > limit:
            problem(column, "register_too_long", max=limit, length=len(raw[column]))
    id_type: IdType | None = IdType.RESIDENT_ID
    if (type_text := raw.get("id_type")) is not None:
        id_type = ID_TYPES.get(unicodedata.normalize("NFKC", type_text).replace(" ", "").lower())
        if id_type is None:
            problem("id_type", "register_unknown_id_type", value=type_text[:40])
    id_number = None
    id_value = values.get("id_number")
    if isinstance(id_value, int | float) and len(str(int(id_value))) > _EXCEL_EXACT_DIGITS:
        problem("id_number", "register_id_stored_as_number", value=raw["id_number"])
    elif raw.get("id_number") is not None and id_type is not None:
        checked = check_id(id_type, raw["id_number"], today)
        for failed in checked.problems:
            problem("id_number", failed.code, **failed.params)
        id_number = checked.number
    phone, phone_found = mobile_problems(raw.get("phone"), "phone", row=number)
    problems.extend(phone_found)
    username = (raw.get("username") or "").lower() or None
    if username is not None and not USERNAME.fullmatch(username):
        problem("username", "register_username_invalid", value=raw["username"][:70])
    if len(problems) > before:
        return None
    return CandidateRow(number, raw["name"], id_type, id_number, phone, raw.get("employer"), username)


def _drop_duplicates(rows: list[CandidateRow], problems: list[Problem]) -> list[CandidateRow]:
    """One row per person and per username across the file; later repeats are reported."""
    people_seen: dict[tuple[IdType, str], int] = {}
    names_seen: dict[str, int] = {}
    kept = []
    for row in rows:
        first = people_seen.setdefault((row.id_type, row.id_number), row.row)
        clash = False
        if first != row.row:
            problems.append(_problem(row.row, "id_number", "register_duplicate_in_file", first_row=first))
            clash = True
        if row.username is not None:
            first_name = names_seen.setdefault(row.username, row.row)
            if first_name != row.row:
                problems.append(
                    _problem(
                        row.row, "username", "register_username_duplicate", first_row=first_name, value=row.username
                    )
                )
                clash = True
        if not clash:
            kept.append(row)
    return kept


# --- against the database, then the import ----------------------------------------------------------------------


def _chunks(items: list, size: int = 500):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def database_problems(rows: tuple[CandidateRow, ...]) -> list[Problem]:
    """Rows whose person is already registered or whose username is taken."""
    problems = []
    numbers = sorted({r.id_number for r in rows})
    registered: set[tuple[IdType, str]] = set()
    for chunk in _chunks(numbers):
        found = db.session.execute(sa.select(Person.id_type, Person.id_number).where(Person.id_number.in_(chunk)))
        registered |= {(t, n) for t, n in found}
    usernames = sorted({r.username for r in rows if r.username})
    taken: set[str] = set()
    for chunk in _chunks(usernames):
        taken |= set(db.session.execute(sa.select(User.username).where(User.username.in_(chunk))).scalars())
    for row in rows:
        if (row.id_type, row.id_number) in registered:
            problems.append(_problem(row.row, "id_number", "register_already_registered"))
        if row.username in taken:
            problems.append(_problem(row.row, "username", "register_username_taken", value=row.username))
    return problems


def initial_password(username: str, length: int = 12) -> str:
    """A random password meeting the password rules (no look-alike characters, to be read out or written down)."""
    while True:
        password = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))
        if not password_problems(password, username):
            return password


def import_candidates(
    body: Body, data: bytes, filename: str, *, today: date, by: User | None, policy: ImportPolicy | None = None
) -> tuple[CreatedCandidate, ...]:
    """Register every row of the file as a person of `body` (with a candidate account where a username is given).

    Refused with every problem (row and column in each) when any row is bad; nothing is written then.
    """
    parsed = parse_candidates(data, filename, today, policy)
    # The rows the file got right are checked against the database too, so one upload reports everything.
    problems = [*parsed.problems, *database_problems(parsed.rows)]
    if problems:
        order = list(COLUMNS)
        problems.sort(key=lambda p: (p.params.get("row") or 0, order.index(p.field) if p.field in order else -1))
        raise Refused(problems)
    created: list[CreatedCandidate] = []
    savepoint = db.session.begin_nested()
    for row in parsed.rows:
        password = initial_password(row.username) if row.username else None
        account = {"username": row.username, "password": password, "roles": {Role.CANDIDATE}} if password else None
        values = {
            "name": row.name,
            "id_type": row.id_type,
            "id_number": row.id_number,
            "phone": row.phone,
            "employer": row.employer or "",
        }
        try:
            person = people.register_person(body, values, account=account, by=by)
        except Refused as refused:  # a concurrent registration took the person or the username meanwhile
            problems += [_problem(row.row, p.field, p.code, **p.params) for p in refused.problems]
            continue
        except sa.exc.IntegrityError:  # … or did so between the check and the insert
            savepoint.rollback()
            raise Refused([_problem(row.row, None, "register_conflict")]) from None
        created.append(CreatedCandidate(row.row, person.id, person.name, person.id_number, row.username, password))
    if problems:
        savepoint.rollback()
        raise Refused(problems)
    savepoint.commit()
    audit.record(
        "institutions.candidates_imported",
        object_type="body",
        object_id=body.id,
        after={
            "file": filename[:200],
            "people": len(created),
            "accounts": sorted(c.username for c in created if c.username),
        },
    )
    return tuple(created)


def template_xlsx() -> bytes:
    """The roster template: the headers on the first sheet (ID and mobile columns as text), instructions beside."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "考生名单"
    sheet.append([aliases[0] for aliases in COLUMNS.values()])
    id_col, phone_col = list(COLUMNS).index("id_number") + 1, list(COLUMNS).index("phone") + 1
    # Text format, so Excel keeps all 18 digits of an ID number (and leading zeros) typed later.
    for row in range(2, 1002):
        sheet.cell(row=row, column=id_col).number_format = "@"
        sheet.cell(row=row, column=phone_col).number_format = "@"
    for index, width in enumerate((12, 14, 24, 16, 30, 16), start=1):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = width
    notes = book.create_sheet(_("Instructions")[:31])
    for line in (
        _("Fill in one candidate per row on the first sheet, below the header row; keep the headers as they are."),
        _("Required: 姓名, 证件号码, 手机号码 (a mainland mobile number, 11 digits)."),
        _(
            "证件类型 may stay empty for a resident ID card; otherwise 居民身份证, 护照, 港澳居民来往内地通行证, "
            "台湾居民来往大陆通行证 or 外国人永久居留身份证."
        ),
        _("用户名 is optional: give one to create a candidate login account with a random initial password."),
        _("Nothing is imported while any row has a problem; every problem is listed with its row and column."),
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 110
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
