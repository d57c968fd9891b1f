"""The element table (鉴定要素细目表) as an XLSX sheet: read with every problem named by row and column, write back.

Layout: one sheet, header row first: 代码 (path code "A", "A-B", "A-B-007"), 名称, 重要程度 (X/Y/Z, points only),
then one weight column (%) per level, headed by the level's name. Row-level rules live here; the table-level
rules are `question_bank.elements.validate_element_table`, whose problems are placed on the rows they concern.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from question_bank.elements import ElementPolicy, ElementTable, build_element_table
from question_bank.elements import validate_element_table as _validate
from question_bank.elements_xlsx_problems import (
    IMPORTANCE_CODES,
    STRUCTURE_CODES,
    WEIGHT_CODES,
    SheetProblem,
)
from question_bank.path_codes import NUMBER, parse_path_code
from question_bank.report import Location, Problem

#: Largest workbook accepted (bytes), and the most rows read.
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
NAME_LIMIT = 300
SHEET_TITLE = "鉴定要素细目表"
CODE, NAME, IMPORTANCE = "代码", "名称", "重要程度"
#: canonical column → accepted spellings (compared after NFKC, without spaces, case-insensitively)
FIXED_COLUMNS = {CODE: ("代码", "编码", "code"), NAME: ("名称", "name"), IMPORTANCE: ("重要程度", "importance")}
ENGLISH = {CODE: "Code", NAME: "Name", IMPORTANCE: "Importance"}


@dataclass
class _Row:
    number: int
    code: str
    depth: int
    is_point: bool
    name: str
    importance: str | None
    weights: dict[int, float]


def _norm(text: Any) -> str:
    return unicodedata.normalize("NFKC", str(text)).strip()


def _header_key(text: str) -> str:
    key = re.sub(r"\s+", "", _norm(text)).lower()
    return re.sub(r"\(%\)$|%$", "", key)


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters


def _sheet_rows(data: bytes) -> tuple[list[tuple[int, list[Any]]], list[SheetProblem]]:
    from openpyxl import load_workbook

    if len(data) > MAX_BYTES:
        return [], [SheetProblem("file_too_large", {"limit": MAX_BYTES})]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if sum(info.file_size for info in zf.infolist()) > MAX_BYTES * 10:
                return [], [SheetProblem("zip_too_large", {"limit": MAX_BYTES * 10})]
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            rows: list[tuple[int, list[Any]]] = []
            for number, values in enumerate(workbook.worksheets[0].iter_rows(values_only=True), 1):
                if number > MAX_ROWS + 1:
                    return [], [SheetProblem("too_many_rows", {"limit": MAX_ROWS})]
                cells = [None if isinstance(v, str) and not v.strip() else v for v in values]
                if any(v is not None for v in cells):
                    rows.append((number, cells))
        finally:
            workbook.close()
    except Exception as exc:  # openpyxl raises many unrelated types on damaged or non-XLSX files
        return [], [SheetProblem("not_xlsx", {"detail": type(exc).__name__})]
    return rows, []


def _level_lookup(level_columns: Mapping[str, int]) -> dict[str, int]:
    return {_header_key(name): ordinal for name, ordinal in level_columns.items()}


def _read_header(
    number: int, values: list[Any], level_columns: Mapping[str, int], problems: list[SheetProblem]
) -> tuple[dict[str, int], dict[int, int], list[str]]:
    """Map the header row: fixed column → index, level ordinal → index; headers as written, by index."""
    fixed_keys = {_header_key(alias): column for column, aliases in FIXED_COLUMNS.items() for alias in aliases}
    levels = _level_lookup(level_columns)
    level_names = "、".join(dict.fromkeys(level_columns))
    headers = ["" if v is None else _norm(v) for v in values]
    fixed: dict[str, int] = {}
    weights: dict[int, int] = {}
    for index, header in enumerate(headers):
        if not header:
            continue
        key = _header_key(header)
        target: dict[Any, int] | None = None
        slot: Any = None
        if key in fixed_keys:
            target, slot = fixed, fixed_keys[key]
        elif key in levels:
            target, slot = weights, levels[key]
        if target is None:
            where = Location(row=number, column=header)
            problems.append(SheetProblem("unknown_column", {"column": header, "levels": level_names}, location=where))
        elif slot in target:
            params = {"column": header, "first": _column_letter(target[slot])}
            problems.append(SheetProblem("duplicate_column", params, location=Location(row=number, column=header)))
        else:
            target[slot] = index
    for column in FIXED_COLUMNS:
        if column not in fixed:
            params = {"column": column, "english": ENGLISH[column]}
            problems.append(SheetProblem("missing_column", params, location=Location(row=number, column=column)))
    if not weights:
        problems.append(SheetProblem("no_level_columns", {"levels": level_names}, location=Location(row=number)))
    return fixed, weights, headers


def _weight(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        try:
            number = float(_norm(value).rstrip("%").strip())
        except ValueError:
            return None
    return number if math.isfinite(number) else None


def _read_row(
    number: int,
    values: list[Any],
    fixed: dict[str, int],
    weight_columns: dict[int, int],
    headers: list[str],
    policy: ElementPolicy,
    problems: list[SheetProblem],
    bad_levels: set[int],
) -> _Row | None:
    def cell(index: int | None) -> Any:
        return values[index] if index is not None and index < len(values) else None

    def column(index: int | None, fallback: str) -> str:
        return headers[index] if index is not None and index < len(headers) and headers[index] else fallback

    def report(kind: str, index: int | None, fallback: str, **params: Any) -> None:
        location = Location(row=number, column=column(index, fallback))
        problems.append(SheetProblem(kind, params, location=location))

    for index, value in enumerate(values):
        if value is not None and index < len(headers) and not headers[index]:
            report("unnamed_column", None, "", letter=_column_letter(index))
    code_at, name_at, importance_at = fixed.get(CODE), fixed.get(NAME), fixed.get(IMPORTANCE)
    raw_code = "" if cell(code_at) is None else _norm(cell(code_at)).upper()
    parsed = None
    if not raw_code:
        report("code_missing", code_at, CODE)
    else:
        last = raw_code.split("-")[-1].strip()
        try:
            parsed = parse_path_code(raw_code)
        except ValueError:
            if last.isdigit() and not NUMBER.match(last):
                report("point_number_digits", code_at, CODE, value=raw_code, number=last)
            elif last == "000":
                report("bad_point_number", code_at, CODE, where=raw_code, number=last)
            else:
                report("bad_path_code", code_at, CODE, value=raw_code)
    name = "" if cell(name_at) is None else str(cell(name_at)).strip()
    if not name and name_at is not None:
        report("name_missing", name_at, NAME)
    elif len(name) > NAME_LIMIT:
        report("name_too_long", name_at, NAME, limit=NAME_LIMIT)
    code = str(parsed) if parsed is not None else raw_code
    is_point = parsed is not None and parsed.point is not None
    importance = None if cell(importance_at) is None else _norm(cell(importance_at)).upper()
    if importance_at is None:
        pass  # the missing column is reported once, on the header
    elif parsed is not None and is_point and not importance:
        report("importance_missing", importance_at, IMPORTANCE, code=code)
    elif parsed is not None and not is_point and importance:
        report("importance_on_range", importance_at, IMPORTANCE, code=code)
    elif importance and importance not in ("X", "Y", "Z"):
        report("importance_invalid", importance_at, IMPORTANCE, value=importance)
    weights: dict[int, float] = {}
    for level, index in weight_columns.items():
        value = cell(index)
        if value is None:
            continue
        if is_point:
            report("weight_on_point", index, "", code=code)
            continue
        weight = _weight(value)
        if weight is None:
            report("weight_not_number", index, "", value=_norm(value))
            bad_levels.add(level)
        elif weight < 0:
            report("weight_negative", index, "", value=_norm(value))
            bad_levels.add(level)
        else:
            weights[level] = weight
    if parsed is None:
        return None
    depth = len(parsed.ranges)
    if not is_point and depth > policy.max_depth:
        report("range_too_deep", code_at, CODE, code=code, depth=depth, max_depth=policy.max_depth)
    elif is_point and not policy.min_depth <= depth <= policy.max_depth:
        params = {"where": code, "depth": depth, "min_depth": policy.min_depth, "max_depth": policy.max_depth}
        report("depth_out_of_bounds", code_at, CODE, **params)
    known = importance if importance in ("X", "Y", "Z") else None
    return _Row(number, code, depth, is_point, name, known, weights)


def read_element_table_xlsx(
    data: bytes, occupation_code: str, level_columns: Mapping[str, int], policy: ElementPolicy | None = None
) -> tuple[ElementTable | None, list[Problem]]:
    """Read a sheet into a table plus every problem (row, column, why): the sheet's own, then the table rules'.

    `level_columns` maps weight-column headers (level names, aliases allowed) to level ordinals. The table is None
    when rows could not be read; with only table-level problems it is returned beside them. Accept it only when
    the problem list is empty.
    """
    policy = policy or ElementPolicy()
    rows, problems = _sheet_rows(data)
    if problems:
        return None, list(problems)
    if not rows:
        return None, [SheetProblem("empty_sheet", {}, location=Location(row=1))]
    header_number, header_values = rows[0]
    fixed, weight_columns, headers = _read_header(header_number, header_values, level_columns, problems)
    if CODE not in fixed or not weight_columns:
        return None, list(problems)
    columns_missing = len(fixed) < len(FIXED_COLUMNS)
    bad_levels: set[int] = set()
    parsed: list[_Row] = []
    unreadable = False  # some row's code could not be read, so the table misses it
    for number, values in rows[1:]:
        row = _read_row(number, values, fixed, weight_columns, headers, policy, problems, bad_levels)
        if row is None:
            unreadable = True
        else:
            parsed.append(row)
    code_header = headers[fixed[CODE]]
    kept, dropped = _place_rows(parsed, code_header, problems)
    unreadable = unreadable or dropped
    problems.sort(key=_order)
    table = build_element_table(
        occupation_code,
        {row.code: (row.name, row.weights) for row in kept if not row.is_point},
        {row.code: (row.name, row.importance or "X") for row in kept if row.is_point},
    )
    doubtful_importance = unreadable or any(row.is_point and row.importance is None for row in parsed)
    level_headers = {level: headers[index] for level, index in weight_columns.items()}
    rows_by_code = {row.code: row.number for row in kept}
    importance_header = headers[fixed[IMPORTANCE]] if IMPORTANCE in fixed else IMPORTANCE
    table_problems: list[Problem] = []
    for problem in [] if columns_missing else _validate(table, policy):
        # Leave out what only follows from a row already reported (the table misses that row or that cell).
        if problem.code == "depth_out_of_bounds" or (problem.code in STRUCTURE_CODES and unreadable):
            continue
        if problem.code in IMPORTANCE_CODES and doubtful_importance:
            continue
        if problem.code in WEIGHT_CODES and problem.params.get("level") in bad_levels:
            continue
        if problem.code in WEIGHT_CODES:
            column = level_headers.get(problem.params.get("level"), "")
        elif problem.code in IMPORTANCE_CODES:
            column = importance_header
        else:
            column = code_header
        location = Location(row=rows_by_code.get(problem.where), column=column)
        params = {"where": problem.where, **problem.params}
        table_problems.append(SheetProblem(problem.code, params, location=location))
    return (None if problems else table), [*problems, *table_problems]


def _place_rows(parsed: list[_Row], code_header: str, problems: list[SheetProblem]) -> tuple[list[_Row], bool]:
    """The rows that fit in the tree (first of each code, under a range present); True when any was left out."""
    seen: dict[str, int] = {}
    unique: list[_Row] = []
    for row in parsed:
        if row.code in seen:
            params = {"code": row.code, "first_row": seen[row.code]}
            location = Location(row=row.number, column=code_header)
            problems.append(SheetProblem("duplicate_row_code", params, location=location))
        else:
            seen[row.code] = row.number
            unique.append(row)
    in_sheet = {row.code for row in unique if not row.is_point}
    placed: set[str] = set()
    dropped = False
    for row in sorted(unique, key=lambda r: (r.depth, r.is_point)):
        parent = row.code.rpartition("-")[0]
        if parent and parent not in in_sheet:
            location = Location(row=row.number, column=code_header)
            problems.append(SheetProblem("parent_missing", {"code": row.code, "parent": parent}, location=location))
        if parent and parent not in placed:
            dropped = True
        elif not row.is_point:
            placed.add(row.code)
    kept = [row for row in unique if not row.code.rpartition("-")[0] or row.code.rpartition("-")[0] in placed]
    return kept, dropped


def _order(problem: Problem) -> int:
    return (problem.location.row or 0) if problem.location is not None else 0


def _table_rows(table: ElementTable, levels: list[int]) -> list[list[Any]]:
    def number(value: float | None) -> float | int | None:
        if value is None:
            return None
        return int(value) if float(value).is_integer() else float(value)

    rows: list[list[Any]] = []
    for code, node, _ in table.iter_ranges():
        rows.append([code, node.name, None, *(number(node.weights.get(level)) for level in levels)])
        for point in node.points:
            rows.append([f"{code}-{point.number:03d}", point.name, str(point.importance), *([None] * len(levels))])
    return rows


def _workbook(header: list[str], rows: list[list[Any]], watermark: str | None, notes: list[str]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 40
    lines = list(notes)
    if watermark:
        for part in (sheet.oddHeader, sheet.oddFooter, sheet.evenHeader, sheet.evenFooter):
            part.center.text = watermark
        workbook.properties.description = watermark
        lines = [watermark, *lines]
    if lines:
        note = workbook.create_sheet("说明")
        for line in lines:
            note.append([line])
        note.column_dimensions["A"].width = 100
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_element_table_xlsx(
    table: ElementTable, level_columns: Mapping[int, str], watermark: str | None = None
) -> bytes:
    """The table as a sheet that `read_element_table_xlsx` reads back equal; `level_columns`: ordinal → header."""
    levels = list(level_columns)
    header = [CODE, NAME, IMPORTANCE, *(level_columns[level] for level in levels)]
    return _workbook(header, _table_rows(table, levels), watermark, [])


#: the example of the blank template: (code, name, importance or weight per level)
EXAMPLE_RANGES = {
    "A": ("基本要求", 20),
    "A-A": ("职业道德", 10),
    "A-B": ("基础知识", 10),
    "B": ("相关知识", 80),
    "B-A": ("工作准备", 30),
    "B-B": ("操作实施", 50),
}
EXAMPLE_POINTS = {
    "A-A-001": ("职业道德基本知识", "X"),
    "A-A-002": ("职业守则", "X"),
    "A-B-001": ("安全生产知识", "X"),
    "A-B-002": ("相关法律法规", "Y"),
    "B-A-001": ("工具与材料准备", "X"),
    "B-A-002": ("工作环境检查", "X"),
    "B-B-001": ("操作方法", "X"),
    "B-B-002": ("质量检验", "X"),
    "B-B-003": ("故障处理", "X"),
    "B-B-004": ("记录与报告", "X"),
}
TEMPLATE_NOTES = [
    "代码：鉴定范围用字母，逐层以“-”连接（A、A-B、A-B-C，2–6 层）；鉴定点在所属范围后加 3 位编号（A-B-001）。",
    "Code: ranges are letters joined by '-' (A, A-B, A-B-C; 2–6 levels); points add a 3-digit number (A-B-001).",
    "重要程度：只填鉴定点，X 核心（≥ 80 %）、Y 一般（≤ 15 %）、Z 辅助（≤ 5 %）。",
    "Importance: points only; X core (≥ 80 %), Y general (≤ 15 %), Z auxiliary (≤ 5 %).",
    "等级列：只填鉴定范围的鉴定比重（%）；同一等级各顶层范围之和为 100，下级范围之和等于上级。",
    "Level columns: weights (%) on ranges only; a level's top ranges sum to 100, sub-ranges to their parent.",
]


def element_template_xlsx(level_columns: Mapping[int, str]) -> bytes:
    """The blank template: the header row and an example table (valid for every level) to overwrite."""
    levels = list(level_columns)
    ranges = {code: (name, dict.fromkeys(levels, weight)) for code, (name, weight) in EXAMPLE_RANGES.items()}
    example = build_element_table("", ranges, EXAMPLE_POINTS)
    header = [CODE, NAME, IMPORTANCE, *(level_columns[level] for level in levels)]
    return _workbook(header, _table_rows(example, levels), None, TEMPLATE_NOTES)
