"""Problems found while validating or importing questions, and the import report that collects them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ERROR = "error"
WARNING = "warning"

#: code -> (English, Simplified Chinese) templates; params are filled with str.format.
MESSAGES: dict[str, tuple[str, str]] = {
    "not_decodable": (
        "The file could not be read as text (tried UTF-8 and GBK).",
        "无法识别文件编码（已尝试 UTF-8 和 GBK），请另存为 UTF-8 后重新导入。",
    ),
    "unknown_format": (
        "The file format of {filename} could not be recognised.",
        "无法识别文件 {filename} 的格式。",
    ),
    "file_too_large": (
        "The file is larger than the limit of {limit} bytes.",
        "文件超过大小上限（{limit} 字节）。",
    ),
    "xml_not_well_formed": ("The XML is not well-formed: {detail}.", "XML 格式不正确：{detail}。"),
    "xml_forbidden": (
        "The XML uses forbidden constructs (DTD or entity declarations).",
        "XML 含有不允许的内容（DTD 或实体声明），已拒绝导入。",
    ),
    "xml_wrong_root": (
        "Expected root element {expected}, found {found}.",
        "根元素应为 {expected}，实际为 {found}。",
    ),
    "zip_invalid": ("The ZIP package is damaged or not a ZIP file.", "ZIP 压缩包已损坏或不是 ZIP 文件。"),
    "zip_too_large": (
        "The ZIP package expands to more than {limit} bytes.",
        "ZIP 压缩包解压后超过 {limit} 字节，已拒绝导入。",
    ),
    "zip_missing_file": (
        "The package refers to {path}, which is not in the ZIP.",
        "压缩包清单引用了 {path}，但压缩包中没有该文件。",
    ),
    "xlsx_invalid": ("The workbook could not be opened: {detail}.", "无法打开 Excel 工作簿：{detail}。"),
    "missing_header": ("Required column {column} is missing.", "缺少必需的列“{column}”。"),
    "no_questions": ("No questions were found in the file.", "文件中没有找到试题。"),
    "unknown_qtype": (
        "Unknown question type {value} (use 判断, 单选, 多选, 填空, 简答, 计算, 论述 or 案例).",
        "无法识别的题型“{value}”（可填：判断、单选、多选、填空、简答、计算、论述、案例）。",
    ),
    "empty_stem": ("The question text is empty.", "题干为空。"),
    "too_few_options": (
        "The question has {count} options; at least {minimum} are needed.",
        "该题只有 {count} 个选项，至少需要 {minimum} 个。",
    ),
    "options_not_allowed": (
        "Only single- and multiple-choice questions can have options.",
        "只有单选题和多选题可以设置选项。",
    ),
    "empty_option": ("Option {letter} is empty.", "选项{letter}为空。"),
    "missing_answer": ("The answer is missing.", "缺少答案。"),
    "invalid_answer": (
        "The answer {value} is not valid for this question type.",
        "答案“{value}”不符合该题型要求。",
    ),
    "answer_not_in_options": (
        "Answer {value} refers to an option that does not exist.",
        "答案“{value}”对应的选项不存在。",
    ),
    "single_answer_required": (
        "A single-choice question needs exactly one correct option; {count} given.",
        "单选题必须恰好有一个正确选项，实际给出 {count} 个。",
    ),
    "multiple_answer_required": (
        "A multiple-choice question needs at least two correct options; {count} given.",
        "多选题至少需要两个正确选项，实际给出 {count} 个。",
    ),
    "invalid_points": ("Points {value} must be a positive number.", "分值“{value}”必须为正数。"),
    "invalid_difficulty": (
        "Difficulty {value} must be a whole number from 1 to 5.",
        "难度“{value}”必须为 1 到 5 的整数。",
    ),
    "invalid_point_code": (
        "Assessment point {value} must look like A-B-007 (letters, then a 3-digit number).",
        "鉴定点“{value}”格式不正确，应形如 A-B-007（字母层级加三位数字）。",
    ),
    "invalid_credit": (
        "Credit {value} for an option or answer must lie between -100% and 100%.",
        "选项或答案的得分比例“{value}”必须在 -100% 到 100% 之间。",
    ),
    "invalid_grade": (
        "Grade {value}% is not one of Moodle's allowed grades (e.g. 33.33333%, 50%, 100%).",
        "得分比例 {value}% 不是 Moodle 允许的取值（如 33.33333%、50%、100%）。",
    ),
    "blank_without_answer": ("Blank {blank} has no accepted answer.", "第 {blank} 个空没有参考答案。"),
    "cell_too_long": (
        "The text is longer than {limit} characters.",
        "内容超过 {limit} 个字符的上限。",
    ),
    "missing_marking_scheme": (
        "A hand-marked question has no marking scheme or reference answer.",
        "主观题缺少评分标准或参考答案。",
    ),
    "unsupported_construct": (
        "{construct} is not supported and was not imported.",
        "不支持“{construct}”，该题未导入。",
    ),
    "cloze_no_blanks": (
        "The embedded-answers (cloze) question has no embedded answers.",
        "嵌入式答案（完形填空）题中没有任何嵌入的子题。",
    ),
    "import_failed": (
        "The file could not be imported because of an internal error ({detail}); please report it.",
        "导入时发生内部错误（{detail}），文件未导入，请联系管理员。",
    ),
    "feedback_not_kept": (
        "Per-answer feedback is not kept; the question itself was imported.",
        "选项（答案）的反馈信息不会保留，试题本身已导入。",
    ),
    "syntax_error": ("Syntax error: {detail}.", "语法错误：{detail}。"),
    "aiken_too_few_answers": (
        "Question must have at least 2 answers.",
        "试题至少需要 2 个选项。",
    ),
    "aiken_not_started": (
        "Question not started (an option or ANSWER line comes before any question text).",
        "试题尚未开始：选项或 ANSWER 行之前没有题干。",
    ),
    "aiken_not_completed": (
        "Question not completed before next question start.",
        "下一题开始前本题尚未结束（缺少 ANSWER 行）。",
    ),
}


@dataclass(frozen=True)
class Location:
    """Where in the source a problem or question sits: a text line, a sheet row/column or an item file."""

    line: int | None = None
    row: int | None = None
    column: str | None = None
    item: str | None = None

    def describe(self, locale: str = "en") -> str:
        """Human-readable location, e.g. 'row 3, column 答案' / '第 3 行，“答案”列'."""
        zh = locale.startswith("zh")
        parts: list[str] = []
        if self.item:
            parts.append(f"“{self.item}”" if zh else self.item)
        if self.line is not None:
            parts.append(f"第 {self.line} 行" if zh else f"line {self.line}")
        if self.row is not None:
            parts.append(f"第 {self.row} 行" if zh else f"row {self.row}")
        if self.column:
            parts.append(f"“{self.column}”列" if zh else f"column {self.column}")
        return ("，" if zh else ", ").join(parts)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form without empty keys."""
        return {k: v for k, v in vars(self).items() if v is not None}


@dataclass(frozen=True, eq=True)
class Problem:
    """One reason something is invalid or not imported: a stable code, its params, where and which field."""

    code: str
    params: dict[str, Any] = field(default_factory=dict, hash=False)
    field: str | None = None
    location: Location | None = None
    severity: str = ERROR

    def message(self, locale: str = "en") -> str:
        """Render the message in English ("en") or Simplified Chinese ("zh_CN")."""
        en, zh = MESSAGES.get(self.code, ("{code}", "{code}"))
        template = zh if locale.startswith("zh") else en
        try:
            text = template.format(code=self.code, **self.params)
        except (KeyError, IndexError, ValueError):
            text = f"{self.code} {self.params}"
        if self.location is not None:
            where = self.location.describe(locale)
            if where:
                text = f"{where}：{text}" if locale.startswith("zh") else f"{where}: {text}"
        return text

    def at(self, location: Location | None) -> Problem:
        """The same problem placed at a location (kept when already placed)."""
        if self.location is not None or location is None:
            return self
        return Problem(self.code, self.params, self.field, location, self.severity)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (used by the app to store and show import reports)."""
        out: dict[str, Any] = {"code": self.code, "params": dict(self.params), "severity": self.severity}
        if self.field:
            out["field"] = self.field
        if self.location is not None:
            out["location"] = self.location.to_dict()
        return out


@dataclass
class ImportReport:
    """Everything found while importing one file: per-item problems and counts."""

    format: str
    problems: list[Problem] = field(default_factory=list)
    items_found: int = 0
    items_valid: int = 0
    items_imported: int = 0
    partial: bool = False

    @property
    def errors(self) -> list[Problem]:
        """Problems that block an item (or the whole file)."""
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        """Problems that are reported but do not block anything."""
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def ok(self) -> bool:
        """True when nothing blocked any item."""
        return not self.errors

    def codes(self) -> list[str]:
        """The problem codes in order (handy in tests and logs)."""
        return [p.code for p in self.problems]

    def messages(self, locale: str = "en") -> list[str]:
        """Every problem rendered in a locale."""
        return [p.message(locale) for p in self.problems]

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {
            "format": self.format,
            "ok": self.ok,
            "partial": self.partial,
            "items_found": self.items_found,
            "items_valid": self.items_valid,
            "items_imported": self.items_imported,
            "problems": [p.to_dict() for p in self.problems],
        }
