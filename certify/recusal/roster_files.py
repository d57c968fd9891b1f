"""Reading a roster file into rows of cell values: XLSX detected by content, else CSV in UTF-8 or GBK.

Any bytes at all give either rows or one error code, never an exception: uploads are untrusted.
"""

from __future__ import annotations

import csv
import io
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from certify.institutions.identity import mod11_2_check_char
from certify.recusal.roster_texts import COLUMN_LABELS

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the pre-2007 .xls format
_MB = 1024 * 1024


@dataclass(frozen=True)
class Table:
    """Non-blank rows as (row number as Excel shows it, cell values), or the code of why none could be read."""

    rows: list[tuple[int, tuple]] = field(default_factory=list)
    error: str | None = None
    params: dict = field(default_factory=dict)


def blank(cells: Iterable[object]) -> bool:
    """True when every cell is empty or only whitespace."""
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def read_table(data: bytes, filename: str, *, max_file_bytes: int, max_unzipped_bytes: int, max_rows: int) -> Table:
    """The first sheet of an XLSX or the rows of a CSV, reading at most `max_rows` non-blank rows."""
    if not data:
        return Table(error="file_empty")
    if len(data) > max_file_bytes:
        return Table(error="file_too_large", params={"max_mb": max_file_bytes // _MB})
    if data.startswith(_OLE_MAGIC):
        return Table(error="xls_not_supported")
    if data.startswith(_ZIP_MAGIC):
        return _read_xlsx(data, max_unzipped_bytes, max_rows)
    if filename.lower().endswith((".xlsx", ".xlsm")):
        return Table(error="xlsx_unreadable")
    return _read_csv(data, max_rows)


def _take(rows: Iterable[tuple[int, Iterable[object]]], max_rows: int) -> list[tuple[int, tuple]]:
    taken: list[tuple[int, tuple]] = []
    for number, cells in rows:
        cells = tuple(cells)
        if not blank(cells):
            taken.append((number, cells))
            if len(taken) >= max_rows:
                break
    return taken


def _read_xlsx(data: bytes, max_unzipped_bytes: int, max_rows: int) -> Table:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > max_unzipped_bytes:
                return Table(error="file_too_large", params={"max_mb": max_unzipped_bytes // _MB})
        # openpyxl warns about features it drops (data validation, odd styles): irrelevant to the values.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = book.worksheets[0]
                return Table(rows=_take(enumerate(sheet.iter_rows(values_only=True), start=1), max_rows))
            finally:
                book.close()
    # A damaged or hostile archive can fail anywhere inside zipfile, the XML parser or openpyxl.
    except Exception:
        return Table(error="xlsx_unreadable")


def _read_csv(data: bytes, max_rows: int) -> Table:
    text = _decode(data)
    if text is None:
        return Table(error="encoding_unknown")
    first_line = text.split("\n", 1)[0]
    # Excel's "Unicode text" export is tab-separated.
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    try:
        # Numbered by record, not by line: Excel shows a quoted multi-line cell as one row.
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return Table(rows=_take(enumerate(reader, start=1), max_rows))
    except csv.Error as error:
        return Table(error="csv_unreadable", params={"detail": str(error)})


def _decode(data: bytes) -> str | None:
    """UTF-8 (with or without BOM), else GBK as saved by Chinese Excel; None when neither fits."""
    for encoding in ("utf-8-sig", "gbk"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return None if "\x00" in text else text
    return None


def roster_template_xlsx() -> bytes:
    """An empty roster to fill in: the Chinese headers, one example trainer row and one example trainee row."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "培训花名册"
    sheet.append([label["zh_CN"] for label in COLUMN_LABELS.values()])
    common = [
        "示例文物修复培训学校",
        "2026年第1期文物修复师（陶瓷）培训班",
        "4-13-03-02",
        "四级/中级工",
        date(2026, 3, 2),
        date(2026, 4, 30),
    ]
    for role, name, body in (("培训教师", "示例教师", "11010119750312003"), ("学员", "示例学员", "44030519980706002")):
        sheet.append([*common, role, name, "居民身份证", body + mod11_2_check_char(body)])
    for column_cells in sheet.iter_cols(min_row=2, min_col=5, max_col=6):
        for cell in column_cells:
            cell.number_format = "yyyy-mm-dd"
    # Text format, so Excel keeps all 18 digits of an ID number typed later.
    for row in range(2, 1001):
        sheet.cell(row=row, column=len(COLUMN_LABELS)).number_format = "@"
    for index, width in enumerate((24, 24, 14, 14, 12, 12, 10, 10, 14, 22), start=1):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
