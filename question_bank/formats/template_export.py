"""Export to the Chinese XLSX template, and the downloadable blank template."""

from __future__ import annotations

import io
from collections.abc import Sequence

from question_bank.formats.chinese_template import headers_for, question_to_row
from question_bank.model import Question

SHEET_TITLE = "试题"
NOTE_TITLE = "说明"
#: Minimum option columns, so the sheet always looks like the familiar template.
MIN_OPTIONS = 4
EXAMPLE_ROW = [
    "单选",
    "职业技能等级证书的名称是（　）。",
    "职业资格证书",
    "职业技能等级证书",
    "专项职业能力证书",
    "培训合格证书",
    "B",
    1,
    "职业技能等级认定后颁发的证书为“职业技能等级证书”。",
    2,
    "A-B-C-001",
]
NOTES = [
    "题型：判断、单选、多选、填空、简答、计算、论述、案例。",
    "答案：单选/多选写选项字母，如 B、ABC 或 A,B；判断写 对/错（也可写 √/×、正确/错误、T/F）；",
    "填空题多个空用分号 ; 分隔，同一空的多个可接受答案用竖线 | 分隔，如 北京|北京市;长城；",
    "简答、计算、论述、案例题的“答案”列填写参考答案及评分要点。",
    "分值为正数；难度为 1（易）到 5（难）；鉴定点形如 A-B-C-001。选项列可以继续增加（选项E、选项F…）。",
    "请保存为 .xlsx，或另存为 UTF-8 编码的 CSV。",
]


def _workbook(
    rows: list[list[object]],
    n_options: int,
    watermark: str | None,
    notes: Sequence[str],
    extra_headers: Sequence[str] = (),
) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_TITLE
    ws.append([*headers_for(n_options), *extra_headers])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    ws.freeze_panes = "A2"
    ws.column_dimensions["B"].width = 48
    note_lines = list(notes)
    if watermark:
        # Printed pages and the workbook both carry the mark, so a leaked copy can be traced.
        ws.oddHeader.center.text = watermark
        ws.oddFooter.center.text = watermark
        ws.evenHeader.center.text = watermark
        ws.evenFooter.center.text = watermark
        wb.properties.description = watermark
        note_lines = [watermark, *note_lines]
    if note_lines:
        note = wb.create_sheet(NOTE_TITLE)
        for line in note_lines:
            note.append([line])
        note.column_dimensions["A"].width = 100
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def export_xlsx(questions: Sequence[Question], watermark: str | None = None) -> bytes:
    """The questions as a template workbook (option weights and numeric tolerances are not representable)."""
    n_options = max([MIN_OPTIONS, *(len(q.options) for q in questions)])
    rows = [question_to_row(q, n_options) for q in questions]
    if not any(q.images for q in questions):
        return _workbook(rows, n_options, watermark, [])
    # Image references go in an optional 图片 column (file names separated by ;).
    rows = [[*row, ";".join(q.images)] for row, q in zip(rows, questions, strict=True)]
    return _workbook(rows, n_options, watermark, [], extra_headers=["图片"])


def blank_template_xlsx() -> bytes:
    """The empty template with one example row and a sheet of filling instructions."""
    return _workbook([EXAMPLE_ROW], MIN_OPTIONS, None, NOTES)
