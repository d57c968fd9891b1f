"""The same five questions written by hand in every format import identically; exports round-trip."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from question_bank.formats import export_moodle_xml, export_qti21, export_xlsx, parse
from question_bank.model import Accept, Blank, Question

FIXTURES = Path(__file__).parent / "fixtures_formats"

FIVE = [
    Question(
        "true_false",
        "安全帽应在进入施工现场前佩戴。",
        answer=("true",),
        explanation="进入现场前必须正确佩戴安全帽。",
    ),
    Question(
        "single_choice",
        "文物修复应遵循的首要原则是（　）。",
        options=("最小干预", "全面更新", "随意添加", "改变原貌"),
        answer=("A",),
    ),
    Question(
        "multiple_choice",
        "下列属于陶瓷器常见病害的有（　）。",
        options=("破碎", "裂纹", "锈蚀", "釉面剥落"),
        answer=("A", "B", "D"),
        explanation="锈蚀是金属器的病害。",
    ),
    Question("fill_in", "青铜器的主要成分是铜和_____。", blanks=(Blank.of("锡", "Sn"),)),
    Question("essay", "论述文物保护“不改变文物原状”原则的含义。"),
]


def _qti_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for path in sorted((FIXTURES / "five_qti").rglob("*.xml")):
            zf.write(path, path.relative_to(FIXTURES / "five_qti").as_posix())
    return buf.getvalue()


def _xlsx_from_csv() -> bytes:
    """Build the workbook with openpyxl directly from the CSV rows (not via our exporter)."""
    import csv

    wb = Workbook()
    ws = wb.active
    for row in csv.reader(io.StringIO((FIXTURES / "five.csv").read_text("utf-8"))):
        ws.append([int(c) if c.isdigit() else (c or None) for c in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


SOURCES = {
    "csv-utf8": lambda: (FIXTURES / "five.csv").read_bytes(),
    "csv-utf8-bom": lambda: b"\xef\xbb\xbf" + (FIXTURES / "five.csv").read_bytes(),
    "csv-gbk": lambda: (FIXTURES / "five.csv").read_text("utf-8").encode("gbk"),
    "xlsx": _xlsx_from_csv,
    "gift": lambda: (FIXTURES / "five.gift").read_bytes(),
    "moodle_xml": lambda: (FIXTURES / "five.moodle.xml").read_bytes(),
    "qti_zip": _qti_zip,
}
FORMAT_OF = {"csv-utf8": "csv", "csv-utf8-bom": "csv", "csv-gbk": "csv", "qti_zip": "qti"}


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_five_questions_import_identically_from_every_format(name: str) -> None:
    result = parse(SOURCES[name](), filename=f"five.{name}")
    assert result.report.format == FORMAT_OF.get(name, name)
    assert result.report.ok, result.report.messages()
    assert result.questions == FIVE
    assert [q.to_dict(with_source=False) | {"title": ""} for q in result.questions] == [
        q.to_dict(with_source=False) for q in FIVE
    ]


def test_aiken_holds_only_the_single_choice_question_and_imports_it_identically() -> None:
    result = parse((FIXTURES / "single.aiken.txt").read_bytes(), filename="single.txt")
    assert result.report.format == "aiken"
    assert result.questions == [FIVE[1]]


def test_single_qti_item_file_imports_like_the_package_item() -> None:
    data = (FIXTURES / "five_qti" / "items" / "fi.xml").read_bytes()
    result = parse(data, filename="fi.xml")
    assert result.questions == [FIVE[3]]


RICH = [
    Question(
        "single_choice",
        "瓷器烧成温度一般在（　）以上。",
        options=("800 ℃", "1000 ℃", "1200 ℃", "1500 ℃"),
        answer=("C",),
        points=Decimal("2"),
        difficulty=3,
        point_code="A-B-C-007",
        explanation="瓷器一般在 1200 ℃ 以上烧成。",
    ),
    Question(
        "multiple_choice",
        "以下哪些是金属文物的病害？",
        options=("锈蚀", "霉变", "变形", "虫蛀", "断裂"),
        answer=("A", "C", "E"),
        points=Decimal("1.5"),
        difficulty=4,
        point_code="B-A-012",
    ),
    Question("true_false", "纸质文物可以用水直接清洗。", answer=("false",), points=1, difficulty=1),
    Question(
        "fill_in",
        "《营造法式》成书于_____朝，作者是_____。",
        blanks=(Blank.of("宋", "北宋"), Blank.of("李诫", "李明仲")),
        points=Decimal("2"),
        point_code="A-A-001",
    ),
    Question(
        "case",
        "某馆藏青铜鼎出现粉状锈，请分析原因并提出处置方案。",
        points=Decimal("20"),
        difficulty=5,
        marking_scheme="判断为有害锈（5 分）；分析氯离子成因（5 分）；提出除锈与缓蚀方案（10 分）。",
    ),
    Question("short_answer", "简述文物修复的可逆性原则。", points=5, marking_scheme="修复材料可去除，不损伤本体。"),
    Question(
        "calculation",
        "某展柜容积 2 m³，求所需调湿剂用量。",
        points=10,
        marking_scheme="按 1 kg/m³ 计，2 kg。",
    ),
]


@pytest.mark.parametrize("exporter", [export_xlsx, export_moodle_xml, export_qti21], ids=lambda f: f.__name__)
def test_export_then_import_gives_the_same_questions(exporter) -> None:
    data = exporter(RICH)
    result = parse(data, filename="export")
    assert result.report.ok, result.report.messages()
    assert result.questions == RICH


def test_moodle_and_qti_keep_weights_and_numeric_tolerance() -> None:
    weighted = Question(
        "multiple_choice",
        "Pick the primes",
        options=("2", "3", "4"),
        answer=("A", "B"),
        option_credits=(Decimal("0.5"), Decimal("0.5"), Decimal(0)),
    )
    numeric = Question("fill_in", "Pi is about _____", blanks=(Blank((Accept("3.14", 1, Decimal("0.01")),)),))
    partial = Question("fill_in", "Best animal: _____", blanks=(Blank((Accept("Frog"), Accept("Cat", "0.5"))),))
    back = parse(export_moodle_xml([weighted, numeric, partial])).questions
    assert back == [weighted, numeric, partial]
    assert parse(export_qti21([partial])).questions == [partial]


def test_watermark_is_written_into_every_export() -> None:
    mark = "导出人：张三 2026-11-21 机密"
    assert mark.encode() in export_moodle_xml(FIVE, watermark=mark)
    with zipfile.ZipFile(io.BytesIO(export_qti21(FIVE, watermark=mark))) as zf:
        assert all(mark.encode() in zf.read(n) for n in zf.namelist())
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(export_xlsx(FIVE, watermark=mark)))
    assert mark in wb["试题"].oddHeader.center.text
    assert wb["说明"]["A1"].value == mark
    # The watermark does not disturb re-import.
    assert parse(export_xlsx(FIVE, watermark=mark)).questions == FIVE
