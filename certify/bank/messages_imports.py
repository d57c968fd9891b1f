"""Messages of question imports and exports: refusal codes of the forms and the command, and the bank-level
problems an import reports beside the parser's, bilingual in the parser's own style so that a stored report
reads in either language (and on the command line, where no request chooses one)."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from flask_babel import lazy_gettext as _l

from certify.core.errors import register_messages
from question_bank.report import ImportReport, Location, Problem

register_messages(
    {
        "bank_import_file_required": _l("Choose the question file to upload."),
        "bank_import_file_empty": _l("The file %(filename)s is empty."),
        "bank_import_file_too_large": _l("The file is larger than the limit of %(limit)s MB."),
        "bank_import_format_unknown": _l("%(value)s is not a question file format this bank reads."),
        "bank_import_format_undetected": _l(
            "The format of %(filename)s could not be recognised; choose the format of the file."
        ),
        "bank_level_not_certified": _l(
            "Level %(value)s is obtained by appointment, not by assessment, so it has no question bank."
        ),
        "bank_export_format_unknown": _l("%(value)s is not an export format (use XLSX, Moodle XML or QTI)."),
        "bank_export_states_required": _l("Choose at least one state of the questions to export."),
        "bank_export_empty": _l("No question of %(occupation)s at this level is in the chosen states."),
    }
)

#: code -> (English, Simplified Chinese) templates filled with str.format, like question_bank.report.MESSAGES
BANK_MESSAGES: dict[str, tuple[str, str]] = {
    "bank_import_no_element_table": (
        "The {occupation} bank has no element table, so the {count} question(s) with an assessment point cannot "
        "be checked and were not imported; import the element table first.",
        "题库尚无职业 {occupation} 的鉴定要素细目表，无法核对鉴定点，"
        "{count} 道标有鉴定点的试题未导入；请先导入细目表。",
    ),
    "bank_import_points_range": (
        "Points {value} cannot be stored: use at most two decimals and no more than {limit}.",
        "分值 {value} 无法保存：最多保留两位小数，且不超过 {limit}。",
    ),
    "bank_import_point_unknown": (
        "Assessment point {value} is not a point of the {occupation} element table.",
        "鉴定点“{value}”不在职业 {occupation} 的鉴定要素细目表中。",
    ),
    "bank_import_duplicate_in_bank": (
        "This question is already in the {occupation} bank as question {number} (version {version}).",
        "该题已在职业 {occupation} 的题库中（第 {number} 号试题，第 {version} 版）。",
    ),
    "bank_import_duplicate_in_file": (
        "This question repeats the one at {other_en} of the same file.",
        "该题与本文件{other_zh}的试题重复。",
    ),
    "bank_import_point_missing": (
        "No assessment point: the question is imported but cannot be approved until one is set.",
        "未填写鉴定点：试题可以导入，但补填鉴定点之前不能审核通过。",
    ),
    "bank_import_difficulty_missing": (
        "No difficulty: the question is imported but cannot be approved until one (1–5) is set.",
        "未填写难度：试题可以导入，但补填难度（1–5）之前不能审核通过。",
    ),
    "bank_import_point_difficulty_missing": (
        "No assessment point and no difficulty: the question is imported but cannot be approved until both are set.",
        "未填写鉴定点和难度：试题可以导入，但补填之前不能审核通过。",
    ),
    "bank_import_image_missing": (
        "The image {name} is referred to but is not in the file.",
        "试题引用的图片 {name} 不在导入文件中。",
    ),
    "bank_import_image_type": (
        "The embedded file {name} is not a PNG, JPEG, GIF or WebP image.",
        "内嵌文件 {name} 不是 PNG、JPEG、GIF 或 WebP 图片。",
    ),
    "bank_import_image_too_large": (
        "The embedded image {name} is larger than {limit} MB.",
        "内嵌图片 {name} 超过 {limit} MB。",
    ),
    "bank_import_access_refused": (
        "The import was refused: the separation of training and examination keeps the importer out of this bank.",
        "导入被拒绝：根据考培分离（回避）规定，导入人不得接触该职业题库。",
    ),
}

#: question fields as problems name them -> (English, Chinese) labels, the Chinese being the template's columns
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "qtype": ("Question type", "题型"),
    "stem": ("Question text", "题干"),
    "options": ("Options", "选项"),
    "answer": ("Answer", "答案"),
    "blanks": ("Blanks", "填空答案"),
    "points": ("Points", "分值"),
    "explanation": ("Explanation", "解析"),
    "difficulty": ("Difficulty", "难度"),
    "point_code": ("Assessment point", "鉴定点"),
    "marking_scheme": ("Marking scheme", "评分标准"),
    "images": ("Images", "图片"),
}


@dataclass(frozen=True, eq=True)
class BankProblem(Problem):
    """A problem the bank finds in an imported item (element table, duplicates, images), bilingual."""

    def message(self, locale: str = "en") -> str:
        """The problem in English ("en") or Simplified Chinese ("zh_CN"), after its location."""
        en, zh = BANK_MESSAGES.get(self.code, ("{code}", "{code}"))
        zh_wanted = locale.startswith("zh")
        try:
            text = (zh if zh_wanted else en).format(code=self.code, **self.params)
        except (KeyError, IndexError, ValueError):
            text = f"{self.code} {self.params}"
        where = self.location.describe(locale) if self.location is not None else ""
        if where:
            return f"{where}：{text}" if zh_wanted else f"{where}: {text}"
        return text

    def at(self, location: Location | None) -> BankProblem:
        """The same problem placed at a location (kept when already placed)."""
        if self.location is not None or location is None:
            return self
        return replace(self, location=location)


def problem_from_dict(data: dict[str, Any]) -> Problem:
    """A stored problem back as an object (the bank's own codes as BankProblem)."""
    where = data.get("location")
    location = Location(**where) if where else None
    cls = BankProblem if data["code"] in BANK_MESSAGES else Problem
    return cls(data["code"], dict(data.get("params") or {}), data.get("field"), location, data.get("severity", "error"))


def report_from_json(text: str) -> ImportReport:
    """A stored import report (BankImport.report) back as an ImportReport."""
    data = json.loads(text or "{}")
    return ImportReport(
        format=data.get("format", ""),
        problems=[problem_from_dict(p) for p in data.get("problems", [])],
        items_found=int(data.get("items_found", 0)),
        items_valid=int(data.get("items_valid", 0)),
        items_imported=int(data.get("items_imported", 0)),
        partial=bool(data.get("partial", False)),
    )


def field_label(field: str | None, locale: str) -> str:
    """The field a problem names, as a reader of the template knows it ("option B" → 选项B / Option B)."""
    if not field:
        return ""
    zh = locale.startswith("zh")
    if field.startswith("option "):
        letter = field.split(" ", 1)[1]
        return f"选项{letter}" if zh else f"Option {letter}"
    labels = FIELD_LABELS.get(field)
    if labels is None:
        return field
    return labels[1] if zh else labels[0]


def where(problem: Problem, locale: str) -> str:
    """Where a problem sits (line, row and column, or item); empty for the file as a whole."""
    return problem.location.describe(locale) if problem.location is not None else ""


def reason(problem: Problem, locale: str) -> str:
    """A problem's message without its location (shown in a column of its own)."""
    return replace(problem, location=None).message(locale)
