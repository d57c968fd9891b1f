"""Problems of an element-table sheet: each names its row and column and reads in English or Chinese."""

from __future__ import annotations

from dataclasses import dataclass

from question_bank.elements import ElementProblem
from question_bank.report import Problem

#: code → (English, Simplified Chinese); params are filled with str.format
TEMPLATES: dict[str, tuple[str, str]] = {
    "not_xlsx": (
        "The file is not an Excel workbook (.xlsx) or it is damaged ({detail}).",
        "文件不是 Excel 工作簿（.xlsx）或已损坏（{detail}）。",
    ),
    "empty_sheet": (
        "The first sheet is empty: put the header row (代码, 名称, 重要程度 and one column per level) first.",
        "第一个工作表为空：第一行应为表头（代码、名称、重要程度，以及每个等级一列比重）。",
    ),
    "too_many_rows": ("The sheet has more than {limit} rows.", "工作表超过 {limit} 行。"),
    "missing_column": ("Required column {column} ({english}) is missing.", "缺少必需的列“{column}”。"),
    "no_level_columns": (
        "There is no weight column for any level; head the weight columns {levels}.",
        "没有任何等级的比重列；比重列的表头应为：{levels}。",
    ),
    "unknown_column": (
        "Unknown column {column}: use 代码, 名称, 重要程度 or a level ({levels}).",
        "无法识别的列“{column}”：可用的列为 代码、名称、重要程度 或等级（{levels}）。",
    ),
    "duplicate_column": (
        "Column {column} repeats column {first} (the same meaning twice).",
        "“{column}”列与第 {first} 列含义相同，重复出现。",
    ),
    "unnamed_column": ("Column {letter} holds data but has no header.", "第 {letter} 列有数据但没有表头。"),
    "code_missing": ("The row has no code.", "该行没有代码。"),
    "bad_path_code": (
        "{value} is not a path code: use capital letters A–Z joined by '-', "
        "e.g. A-B for a range and A-B-007 for a point.",
        "“{value}”不是有效的代码：应为以“-”连接的大写字母，如鉴定范围 A-B、鉴定点 A-B-007。",
    ),
    "point_number_digits": (
        "The point number {number} in {value} must have exactly 3 digits (e.g. 007).",
        "代码“{value}”中的鉴定点编号 {number} 必须为 3 位数字（如 007）。",
    ),
    "duplicate_row_code": (
        "Code {code} already appears in row {first_row}.",
        "代码 {code} 已在第 {first_row} 行出现过。",
    ),
    "name_missing": ("The name is empty.", "名称为空。"),
    "name_too_long": ("The name is longer than {limit} characters.", "名称超过 {limit} 个字符。"),
    "weight_not_number": (
        "The weight {value} is not a number (write a percentage such as 20 or 12.5).",
        "比重“{value}”不是数字（应填写百分数，如 20 或 12.5）。",
    ),
    "weight_negative": ("The weight {value} is negative.", "比重 {value} 为负数。"),
    "weight_on_point": (
        "{code} is an assessment point: weights belong to ranges only, leave this cell empty.",
        "{code} 是鉴定点：比重只能填在鉴定范围行，此格应留空。",
    ),
    "importance_on_range": (
        "{code} is a range: importance (X/Y/Z) belongs to assessment points only, leave this cell empty.",
        "{code} 是鉴定范围：重要程度（X/Y/Z）只能填在鉴定点行，此格应留空。",
    ),
    "importance_missing": (
        "Assessment point {code} has no importance: write X, Y or Z.",
        "鉴定点 {code} 缺少重要程度：应填写 X、Y 或 Z。",
    ),
    "importance_invalid": ("The importance {value} is not X, Y or Z.", "重要程度“{value}”无效：应为 X、Y 或 Z。"),
    "parent_missing": (
        "{code} belongs to range {parent}, which is not in the table.",
        "{code} 的上级鉴定范围 {parent} 不在表中。",
    ),
    "range_too_deep": (
        "Range {code} is {depth} levels deep; at most {max_depth} are allowed.",
        "鉴定范围 {code} 位于第 {depth} 层，最多允许 {max_depth} 层。",
    ),
}
#: validation codes shown at a level's weight column, and at the importance column
WEIGHT_CODES = {"weights_not_100", "child_weights_mismatch", "negative_weight"}
IMPORTANCE_CODES = {"importance_x_too_low", "importance_y_too_high", "importance_z_too_high"}
STRUCTURE_CODES = {"top_letters_gap", "range_letters_gap", "point_numbers_gap", "empty_range", "no_points"}


@dataclass(frozen=True, eq=True)
class SheetProblem(Problem):
    """A problem of an element-table sheet: the row and column it concerns and why, in English or Chinese."""

    def message(self, locale: str = "en") -> str:
        """The reason, prefixed with where it is ("row 3, column 高级工: …")."""
        zh = str(locale).startswith("zh")
        if self.code in TEMPLATES:
            template = TEMPLATES[self.code][1 if zh else 0]
        elif self.code in ElementProblem.TEMPLATES:
            template = ElementProblem.TEMPLATES[self.code]["zh_CN" if zh else "en"]
        else:
            return super().message(locale)
        text = template.format(**self.params)
        where = self.location.describe(locale) if self.location is not None else ""
        if not where:
            return text
        return f"{where}：{text}" if zh else f"{where}: {text}"
