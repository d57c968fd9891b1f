"""A pure parser for training rosters (培训花名册), XLSX or CSV: classes, trainers, trainees and every problem.

The caller imports nothing when any problem is reported, so the parser reads the whole file and reports all it
finds, each problem with the row a user sees in Excel (header = row 1) and the column it concerns.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from certify.institutions.identity import check_id
from certify.institutions.models import IdType
from certify.ladder.levels import LADDER, Level, UnknownLevel, parse_level
from certify.recusal.roster_files import blank, read_table, roster_template_xlsx
from certify.recusal.roster_texts import COLUMN_LABELS, render_roster_message


@dataclass(frozen=True)
class RosterPolicy:
    """Limits that keep an import bounded; a file beyond them is refused with a problem, never an exception."""

    max_rows: int = 20_000
    max_file_bytes: int = 20 * 1024 * 1024
    max_unzipped_bytes: int = 200 * 1024 * 1024  #: an XLSX is a ZIP: bound what it inflates to
    header_search_rows: int = 10  #: title rows above the header (e.g. "某某机构培训花名册") are skipped


#: canonical column → accepted headers (Chinese first; compared without spaces and "*", case-insensitively)
COLUMNS: dict[str, tuple[str, ...]] = {
    "institution": ("培训机构", "institution"),
    "class": ("班级名称", "class"),
    "occupation_code": ("职业编码", "occupation_code"),
    "level": ("等级", "level"),
    "start": ("开始日期", "start"),
    "end": ("结束日期", "end"),
    "role": ("身份", "role"),
    "name": ("姓名", "name"),
    "id_type": ("证件类型", "id_type"),
    "id_number": ("证件号码", "id_number"),
}
REQUIRED_COLUMNS = tuple(c for c in COLUMNS if c != "id_type")
__all__ = ["RosterClass", "RosterParse", "RosterPerson", "RosterPolicy", "RosterProblem", "parse_roster"]
__all__ += ["roster_template_xlsx"]
_HEADER_TO_COLUMN = {alias.lower(): column for column, aliases in COLUMNS.items() for alias in aliases}

ROLES = {"培训教师": "trainer", "教师": "trainer", "讲师": "trainer", "培训讲师": "trainer", "trainer": "trainer"}
ROLES |= {"学员": "trainee", "培训学员": "trainee", "trainee": "trainee"}
ID_TYPES: dict[str, IdType] = {t.value: t for t in IdType} | {
    "居民身份证": IdType.RESIDENT_ID,
    "身份证": IdType.RESIDENT_ID,
    "护照": IdType.PASSPORT,
    "港澳居民来往内地通行证": IdType.HK_MACAO_PERMIT,
    "台湾居民来往大陆通行证": IdType.TAIWAN_PERMIT,
    "外国人永久居留身份证": IdType.FOREIGN_PERMANENT_RESIDENT,
}
OCCUPATION_CODE = re.compile(r"\d-\d{2}-\d{2}-\d{2}(-\d{2})?")
_DATE_PATTERNS = (
    re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"),
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日"),
)
_LEVEL_NAMES: dict[str, Level] = {}
for _lv in LADDER:
    _LEVEL_NAMES[_lv.name_zh] = _LEVEL_NAMES[_lv.name_en.lower()] = _lv
    if _lv.grade_zh:
        _LEVEL_NAMES[_lv.grade_zh] = _lv
# Excel keeps 15 significant digits: an 18-digit ID typed into a number cell has already lost its last digits.
_EXCEL_EXACT_DIGITS = 15


@dataclass(frozen=True)
class RosterProblem:
    """One thing wrong with the file: where (row as Excel shows it, canonical column) and why."""

    row: int | None
    column: str | None
    code: str
    params: dict = field(default_factory=dict)

    def message(self, locale: str) -> str:
        """Why, in English ("en") or Simplified Chinese ("zh_CN")."""
        return render_roster_message(self.code, {"column": self.column} | self.params, locale)

    def describe(self, locale: str) -> str:
        """Where and why, for a flat list of problems."""
        zh = str(locale).lower().startswith("zh")
        where = []
        if self.row is not None:
            where.append(f"第 {self.row} 行" if zh else f"Row {self.row}")
        if self.column is not None:
            label = COLUMN_LABELS[self.column]["zh_CN" if zh else "en"]
            where.append(f"「{label}」" if zh else label)
        if not where:
            return self.message(locale)
        return ("".join(where) + "：" if zh else ", ".join(where) + ": ") + self.message(locale)


@dataclass(frozen=True)
class RosterPerson:
    """A person on the roster, identified by document type key and normalised number."""

    name: str
    id_type: str
    id_number: str
    row: int


@dataclass(frozen=True)
class RosterClass:
    """One training class of one institution with its trainers and trainees."""

    institution: str
    name: str
    occupation_code: str | None
    level_ordinal: int | None
    starts_on: date | None
    ends_on: date | None
    trainers: tuple[RosterPerson, ...]
    trainees: tuple[RosterPerson, ...]
    rows: tuple[int, ...]


@dataclass(frozen=True)
class RosterParse:
    """Every class found and every problem; import only when `ok`."""

    classes: tuple[RosterClass, ...]
    problems: tuple[RosterProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class _Row:
    """One data row after cell parsing; None where the cell was missing or unparseable."""

    row: int
    raw: dict[str, str]
    institution: str | None = None
    class_name: str | None = None
    occupation_code: str | None = None
    level: int | None = None
    start: date | None = None
    end: date | None = None
    role: str | None = None
    person: RosterPerson | None = None


def parse_roster(data: bytes, filename: str, today: date, policy: RosterPolicy | None = None) -> RosterParse:
    """Parse a roster file (XLSX detected by content, else CSV) into classes and every problem found."""
    policy = policy or RosterPolicy()
    problems: list[RosterProblem] = []
    table = read_table(
        data,
        filename,
        max_file_bytes=policy.max_file_bytes,
        max_unzipped_bytes=policy.max_unzipped_bytes,
        max_rows=policy.max_rows + policy.header_search_rows + 1,
    )
    if table.error is not None:
        return RosterParse((), (RosterProblem(None, None, table.error, table.params),))
    rows = table.rows
    header = _find_header(rows, policy, problems)
    if header is None:
        return RosterParse((), tuple(problems))
    header_row, columns = header
    parsed: list[_Row] = []
    for number, cells in rows:
        if number <= header_row or blank(cells):
            continue
        if len(parsed) >= policy.max_rows:
            problems.append(RosterProblem(number, None, "too_many_rows", {"max_rows": policy.max_rows}))
            break
        values = {col: cells[i] if i < len(cells) else None for col, i in columns.items()}
        parsed.append(_parse_row(number, values, today, problems))
    if not parsed:
        problems.append(RosterProblem(None, None, "no_rows"))
    classes = _build_classes(parsed, problems)
    _check_names(parsed, problems)
    problems.sort(key=lambda p: (p.row if p.row is not None else 0, list(COLUMNS).index(p.column) if p.column else -1))
    return RosterParse(classes, tuple(problems))


def _find_header(
    rows: list[tuple[int, tuple]], policy: RosterPolicy, problems: list[RosterProblem]
) -> tuple[int, dict[str, int]] | None:
    """The header's row number and canonical column → index; problems for missing or repeated columns."""
    for number, cells in rows[: policy.header_search_rows]:
        columns: dict[str, int] = {}
        repeated: list[str] = []
        for index, cell in enumerate(cells):
            key = re.sub(r"[\s*＊]", "", _text(cell) or "").lower()
            column = _HEADER_TO_COLUMN.get(key)
            if column is None:
                continue
            if column in columns:
                repeated.append(column)
            columns.setdefault(column, index)
        if not columns:
            continue
        found = [RosterProblem(number, c, "missing_column", {"header": COLUMNS[c][0]}) for c in REQUIRED_COLUMNS]
        found = [p for p in found if p.column not in columns]
        found += [RosterProblem(number, c, "duplicate_column", {"header": COLUMNS[c][0]}) for c in repeated]
        problems.extend(found)
        return None if found else (number, columns)
    problems.append(RosterProblem(None, None, "no_header"))
    return None


# --- one row ----------------------------------------------------------------------------------------------------


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


def _parse_row(number: int, values: Mapping[str, object], today: date, problems: list[RosterProblem]) -> _Row:
    raw = {column: _text(value) for column, value in values.items()}
    row = _Row(number, {k: v for k, v in raw.items() if v is not None})

    def problem(column: str, code: str, **params: object) -> None:
        problems.append(RosterProblem(number, column, code, dict(params)))

    for column in REQUIRED_COLUMNS:
        if raw.get(column) is None:
            problem(column, "value_missing")
    row.institution, row.class_name = raw.get("institution"), raw.get("class")
    if (code := raw.get("occupation_code")) is not None:
        code = unicodedata.normalize("NFKC", code).replace(" ", "")
        row.occupation_code = code if OCCUPATION_CODE.fullmatch(code) else None
        if row.occupation_code is None:
            problem("occupation_code", "bad_occupation_code", value=raw["occupation_code"])
    if (level := raw.get("level")) is not None:
        row.level = _level(level)
        if row.level is None:
            problem("level", "unknown_level", value=level)
    for column in ("start", "end"):
        if values.get(column) is not None and raw.get(column) is not None:
            setattr(row, column, _date(values[column]))
            if getattr(row, column) is None:
                problem(column, "bad_date", value=raw[column])
    if row.start and row.end and row.end < row.start:
        problem("end", "end_before_start", start=row.start.isoformat(), end=row.end.isoformat())
    if (role := raw.get("role")) is not None:
        row.role = ROLES.get(unicodedata.normalize("NFKC", role).lower())
        if row.role is None:
            problem("role", "unknown_role", value=role)
    id_type: IdType | None = IdType.RESIDENT_ID
    if (type_text := raw.get("id_type")) is not None:
        id_type = ID_TYPES.get(unicodedata.normalize("NFKC", type_text).replace(" ", "").lower())
        if id_type is None:
            problem("id_type", "unknown_id_type", value=type_text)
    id_value = values.get("id_number")
    if isinstance(id_value, float) and len(str(int(id_value))) > _EXCEL_EXACT_DIGITS:
        problem("id_number", "id_number_stored_as_number", value=raw["id_number"])
    elif raw.get("id_number") is not None and id_type is not None:
        check = check_id(id_type, raw["id_number"], today)
        for failed in check.problems:
            problem("id_number", failed.code, **failed.params)
        if check.valid and raw.get("name") is not None:
            row.person = RosterPerson(raw["name"], id_type.value, check.number, number)
    return row


def _level(text: str) -> int | None:
    """A ladder ordinal from "3", "senior_worker", "高级工", "三级" or "三级/高级工" (all parts must agree)."""
    parts = [p for p in re.split(r"/", unicodedata.normalize("NFKC", text).replace(" ", "")) if p]
    found: set[int] = set()
    for part in parts:
        level = _LEVEL_NAMES.get(part.lower())
        if level is None:
            try:
                level = parse_level(part)
            except UnknownLevel:
                return None
        found.add(level.ordinal)
    return found.pop() if len(found) == 1 else None


def _date(value: object) -> date | None:
    """A date from an Excel date cell or text in YYYY-MM-DD, YYYY/MM/DD or YYYY年M月D日."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = unicodedata.normalize("NFKC", str(value)).replace(" ", "")
    for pattern in _DATE_PATTERNS:
        if match := pattern.fullmatch(text):
            try:
                return date(*(int(g) for g in match.groups()))
            except ValueError:
                return None
    return None


# --- across rows ------------------------------------------------------------------------------------------------

_CLASS_FIELDS = (("occupation_code", "occupation_code"), ("level", "level"), ("start", "start"), ("end", "end"))


def _build_classes(rows: list[_Row], problems: list[RosterProblem]) -> tuple[RosterClass, ...]:
    """Group rows by (institution, class), check the class agrees with itself and has both roles."""
    groups: dict[tuple[str, str], list[_Row]] = defaultdict(list)
    for row in rows:
        if row.institution is not None and row.class_name is not None:
            groups[(row.institution, row.class_name)].append(row)
    classes = []
    for (institution, name), members in groups.items():
        where = {"institution": institution, "class_name": name}
        expected: dict[str, _Row] = {}
        for row in members:
            for attr, column in _CLASS_FIELDS:
                if getattr(row, attr) is None:
                    continue
                first = expected.setdefault(attr, row)
                if getattr(first, attr) != getattr(row, attr):
                    problems.append(
                        RosterProblem(
                            row.row,
                            column,
                            "class_value_differs",
                            {"value": row.raw[column], "expected": first.raw[column], "first_row": first.row} | where,
                        )
                    )
        people: dict[str, dict[tuple[str, str], RosterPerson]] = {"trainer": {}, "trainee": {}}
        for row in members:
            if row.person is None or row.role is None:
                continue
            key = (row.person.id_type, row.person.id_number)
            other_role = "trainee" if row.role == "trainer" else "trainer"
            if key in people[row.role]:
                first_row = people[row.role][key].row
                problems.append(
                    RosterProblem(row.row, "id_number", "duplicate_person", {"first_row": first_row, "role": row.role})
                )
            elif key in people[other_role]:
                other = people[other_role][key].row
                problems.append(RosterProblem(row.row, "role", "trainer_and_trainee", {"other_row": other} | where))
            else:
                people[row.role][key] = row.person
        roles = {row.role for row in members}
        first_row = members[0].row
        if "trainer" not in roles:
            problems.append(RosterProblem(first_row, "role", "class_without_trainer", where))
        if "trainee" not in roles:
            problems.append(RosterProblem(first_row, "role", "class_without_trainee", where))
        value = {attr: getattr(expected[attr], attr) if attr in expected else None for attr, _ in _CLASS_FIELDS}
        classes.append(
            RosterClass(
                institution,
                name,
                value["occupation_code"],
                value["level"],
                value["start"],
                value["end"],
                tuple(people["trainer"].values()),
                tuple(people["trainee"].values()),
                tuple(row.row for row in members),
            )
        )
    return tuple(classes)


def _check_names(rows: list[_Row], problems: list[RosterProblem]) -> None:
    """One document number, one name, across the whole file."""
    first: dict[tuple[str, str], RosterPerson] = {}
    for row in rows:
        if row.person is None:
            continue
        key = (row.person.id_type, row.person.id_number)
        seen = first.setdefault(key, row.person)
        if seen.name != row.person.name:
            params = {"name": row.person.name, "other_name": seen.name, "other_row": seen.row}
            problems.append(RosterProblem(row.row, "name", "id_name_conflict", params))
