"""The de-facto Chinese import template (XLSX or CSV): 题型,题干,选项A…,答案,分值,解析,难度,鉴定点."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from decimal import Decimal
from typing import Any

from question_bank.formats._common import (
    MAX_BYTES,
    Item,
    ParseResult,
    decode_text,
    finish,
    refuse,
    too_large,
)
from question_bank.model import CHOICE_TYPES, FALSE, HAND_MARKED, LETTERS, TRUE, Blank, Question, to_decimal
from question_bank.report import Location, Problem

QTYPE_NAMES: dict[str, str] = {
    "true_false": "判断",
    "single_choice": "单选",
    "multiple_choice": "多选",
    "fill_in": "填空",
    "short_answer": "简答",
    "calculation": "计算",
    "essay": "论述",
    "case": "案例",
}
#: Other spellings seen in the wild, mapped to the type key.
QTYPE_ALIASES: dict[str, str] = {
    **{name: key for key, name in QTYPE_NAMES.items()},
    **{name + "题": key for key, name in QTYPE_NAMES.items()},
    "单项选择": "single_choice",
    "单项选择题": "single_choice",
    "多项选择": "multiple_choice",
    "多项选择题": "multiple_choice",
    "不定项选择题": "multiple_choice",
    "问答": "short_answer",
    "问答题": "short_answer",
    "案例分析": "case",
    "案例分析题": "case",
}
TRUE_WORDS = {"对", "√", "✓", "✔", "正确", "是", "T", "TRUE", "Y", "YES"}
FALSE_WORDS = {"错", "×", "✗", "✘", "X", "错误", "否", "F", "FALSE", "N", "NO"}
DIFFICULTY_WORDS = {
    "易": 1,
    "容易": 1,
    "较易": 2,
    "中": 3,
    "中等": 3,
    "一般": 3,
    "较难": 4,
    "难": 5,
    "困难": 5,
}
REQUIRED = ("题型", "题干", "答案")
TAIL = ("答案", "分值", "解析", "难度", "鉴定点")
FIELD_COLUMNS = {
    "qtype": "题型",
    "stem": "题干",
    "answer": "答案",
    "marking_scheme": "答案",
    "points": "分值",
    "explanation": "解析",
    "difficulty": "难度",
    "point_code": "鉴定点",
    "images": "图片",
    **{f"option {c}": f"选项{c}" for c in LETTERS},
    "options": "选项A",
}
OPTION_RE = re.compile(r"^选项([A-Z])$")


def headers_for(n_options: int) -> list[str]:
    """Template header row for n options."""
    return ["题型", "题干", *[f"选项{LETTERS[i]}" for i in range(n_options)], *TAIL]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def split_answer_letters(text: str) -> list[str]:
    """'A,C' / 'AC' / 'a、c' → ['A', 'C']; anything that is not a letter is returned as-is to be reported."""
    text = unicodedata.normalize("NFKC", text).upper()
    parts = [p for p in re.split(r"[\s,;、/]+", text) if p]
    letters: list[str] = []
    for part in parts:
        letters.extend(part if part.isalpha() and part.isascii() else [part])
    return letters


def split_blanks(text: str) -> tuple[Blank, ...]:
    """'a|b;c' → two blanks, the first with alternatives a and b (；and ｜ accepted too)."""
    text = text.replace("；", ";").replace("｜", "|")
    blanks = []
    for part in text.split(";"):
        alternatives = [a.strip() for a in part.split("|") if a.strip()]
        if alternatives:
            blanks.append(Blank.of(*alternatives))
    return tuple(blanks)


def row_to_item(cells: dict[str, str], options: list[str], location: Location) -> Item:
    """Build one question from a template row, collecting every problem of the row."""
    problems: list[Problem] = []
    raw_type = cells.get("题型", "")
    qtype = QTYPE_ALIASES.get(raw_type.replace(" ", ""))
    if qtype is None:
        problems.append(Problem("unknown_qtype", {"value": raw_type}, field="qtype"))
    answer_text = cells.get("答案", "")
    answer: tuple[str, ...] = ()
    blanks: tuple[Blank, ...] = ()
    marking = ""
    if qtype == "true_false":
        word = unicodedata.normalize("NFKC", answer_text).strip().upper()
        if word in TRUE_WORDS:
            answer = (TRUE,)
        elif word in FALSE_WORDS:
            answer = (FALSE,)
        elif word:
            problems.append(Problem("invalid_answer", {"value": answer_text}, field="answer"))
    elif qtype in CHOICE_TYPES:
        letters = split_answer_letters(answer_text)
        bad = [x for x in letters if len(x) != 1 or x not in LETTERS]
        for x in bad:
            problems.append(Problem("invalid_answer", {"value": x}, field="answer"))
        answer = tuple(sorted(set(letters) - set(bad), key=LETTERS.index))
    elif qtype == "fill_in":
        blanks = split_blanks(answer_text)
    elif qtype in HAND_MARKED:
        marking = answer_text
    points: Decimal = Decimal(1)
    if cells.get("分值"):
        try:
            points = to_decimal(cells["分值"])
        except ValueError:
            problems.append(Problem("invalid_points", {"value": cells["分值"]}, field="points"))
    difficulty: int | None = None
    raw_diff = cells.get("难度", "")
    if raw_diff:
        if raw_diff in DIFFICULTY_WORDS:
            difficulty = DIFFICULTY_WORDS[raw_diff]
        elif raw_diff.isdigit():
            difficulty = int(raw_diff)
        else:
            problems.append(Problem("invalid_difficulty", {"value": raw_diff}, field="difficulty"))
    code = unicodedata.normalize("NFKC", cells.get("鉴定点", "")).strip().upper() or None
    images = tuple(i.strip() for i in re.split(r"[;；]", cells.get("图片", "")) if i.strip())
    if qtype is None:
        return Item(location, None, problems)
    question = Question(
        qtype=qtype,
        stem=cells.get("题干", ""),
        options=tuple(options) if qtype in CHOICE_TYPES else (),
        answer=answer,
        blanks=blanks,
        points=points,
        difficulty=difficulty,
        point_code=code,
        explanation=cells.get("解析", ""),
        marking_scheme=marking,
        images=images,
    )
    if qtype not in CHOICE_TYPES and any(options):
        problems.append(Problem("options_not_allowed", {"qtype": raw_type}, field="options"))
    return Item(location, question, problems)


def rows_to_result(fmt: str, rows: list[tuple[int, list[str]]], partial: bool) -> ParseResult:
    """Turn (row number, cells) rows, the first being the header, into a ParseResult."""
    if not rows:
        return finish(fmt, [], partial)
    header_row, header = rows[0]
    header = [unicodedata.normalize("NFKC", h).strip().replace(" ", "") for h in header]
    missing = [h for h in REQUIRED if h not in header]
    if missing:
        return refuse(
            fmt,
            *[Problem("missing_header", {"column": h}, location=Location(row=header_row)) for h in missing],
        )
    option_cols = [(i, OPTION_RE.match(h)) for i, h in enumerate(header)]
    option_idx = [i for i, m in option_cols if m]
    items: list[Item] = []
    for number, values in rows[1:]:
        if not any(v.strip() for v in values):
            continue
        cells = {h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(header) if h}
        options = [values[i].strip() if i < len(values) else "" for i in option_idx]
        while options and not options[-1]:
            options.pop()
        items.append(row_to_item(cells, options, Location(row=number)))
    return finish(fmt, items, partial, columns=FIELD_COLUMNS)


def parse_csv(data: bytes, partial: bool = False) -> ParseResult:
    """Import the template saved as CSV (UTF-8 with or without BOM, or GBK)."""
    if (big := too_large(data, "csv")) is not None:
        return big
    text = decode_text(data)
    if text is None:
        return refuse("csv", Problem("not_decodable"))
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    rows: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for values in reader:
            rows.append((reader.line_num, values))
    except csv.Error as exc:
        return refuse("csv", Problem("syntax_error", {"detail": str(exc)}, location=Location(line=reader.line_num)))
    return rows_to_result("csv", rows, partial)


def parse_xlsx(data: bytes, partial: bool = False) -> ParseResult:
    """Import the template as an XLSX workbook (first sheet)."""
    from openpyxl import load_workbook

    if (big := too_large(data, "xlsx")) is not None:
        return big
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if sum(i.file_size for i in zf.infolist()) > MAX_BYTES * 5:
                return refuse("xlsx", Problem("zip_too_large", {"limit": MAX_BYTES * 5}))
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            ws = wb.worksheets[0]
            rows = [(n, [_cell(v) for v in values]) for n, values in enumerate(ws.iter_rows(values_only=True), 1)]
        finally:
            wb.close()
    except Exception as exc:  # openpyxl raises many unrelated types on damaged files
        return refuse("xlsx", Problem("xlsx_invalid", {"detail": type(exc).__name__}))
    return rows_to_result("xlsx", rows, partial)


def question_to_row(question: Question, n_options: int) -> list[Any]:
    """One template row for a question (the inverse of row_to_item for what the template can hold)."""
    if question.qtype == "true_false":
        answer = "对" if question.answer == (TRUE,) else "错"
    elif question.qtype in CHOICE_TYPES:
        answer = "".join(question.answer)
    elif question.qtype == "fill_in":
        answer = ";".join("|".join(a.text for a in b.accepts) for b in question.blanks)
    else:
        answer = question.marking_scheme
    options = list(question.options) + [""] * (n_options - len(question.options))
    points: Any = int(question.points) if question.points == int(question.points) else float(question.points)
    return [
        QTYPE_NAMES[question.qtype],
        question.stem,
        *options,
        answer,
        points,
        question.explanation,
        question.difficulty if question.difficulty is not None else "",
        question.point_code or "",
    ]
