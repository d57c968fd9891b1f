"""Chinese template specifics, format detection, unsupported constructs and hostile input."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from question_bank.formats import FORMATS, blank_template_xlsx, detect_format, export_qti21, parse
from question_bank.formats.chinese_template import headers_for
from question_bank.model import Blank, Question

FIXTURES = Path(__file__).parent / "fixtures_formats"
FIVE_FOR_PACKAGE = [Question("essay", "论述题" * 50, marking_scheme="要点" * 50)]
HEADER = "题型,题干,选项A,选项B,选项C,选项D,选项E,答案,分值,解析,难度,鉴定点\n"


def _csv(*rows: str, header: str = HEADER) -> bytes:
    return (header + "\n".join(rows) + "\n").encode("utf-8")


def test_template_answer_spellings() -> None:
    data = _csv(
        "判断,甲,,,,,,对,1,,,",
        "判断,乙,,,,,,×,1,,,",
        "判断题,丙,,,,,,正确,1,,,",
        "判断,丁,,,,,,F,1,,,",
        '多选,戊,a,b,c,d,e,"A,C",2,,较难,a-b-001',
        "多项选择题,己,a,b,c,d,e,BDE,2,,4,",
        "多选,庚,a,b,c,,,A、B,2,,,",
        "填空,辛_____壬_____,,,,,,北京|北京市；长城,2,,,",
        "简答,癸,,,,,,要点一；要点二,5,,,",
    )
    result = parse(data, filename="bank.csv")
    assert result.report.ok, result.report.messages()
    q = result.questions
    assert [x.answer for x in q[:4]] == [("true",), ("false",), ("true",), ("false",)]
    assert q[4].answer == ("A", "C") and q[4].difficulty == 4 and q[4].point_code == "A-B-001"
    assert len(q[4].options) == 5
    assert q[5].answer == ("B", "D", "E") and q[6].answer == ("A", "B") and len(q[6].options) == 3
    assert q[7].blanks == (Blank.of("北京", "北京市"), Blank.of("长城"))
    assert q[8].qtype == "short_answer" and q[8].marking_scheme == "要点一；要点二"


def test_every_problem_is_reported_with_row_and_column_and_nothing_imported() -> None:
    data = _csv(
        "单选,好题,a,b,,,,A,1,,,",
        "单选,,a,,,,,F,0,,7,x",
        "问卷,坏题,,,,,,A,1,,,",
        "多选,少一个,a,b,c,,,A,abc,,,",
    )
    result = parse(data, filename="bank.csv")
    assert result.questions == [] and result.report.items_found == 4 and result.report.items_valid == 1
    where = {(p.location.row, p.location.column, p.code) for p in result.report.errors if p.location}
    assert where == {
        (3, "题干", "empty_stem"),
        (3, "答案", "answer_not_in_options"),
        (3, "分值", "invalid_points"),
        (3, "难度", "invalid_difficulty"),
        (3, "鉴定点", "invalid_point_code"),
        (3, "选项A", "too_few_options"),
        (4, "题型", "unknown_qtype"),
        (5, "分值", "invalid_points"),
        (5, "答案", "multiple_answer_required"),
    }
    messages = result.report.messages("zh_CN")
    assert (
        "第 4 行，“题型”列：无法识别的题型“问卷”（可填：判断、单选、多选、填空、简答、计算、论述、案例）。" in messages
    )


def test_partial_mode_imports_the_valid_rows_and_reports_the_rest() -> None:
    data = _csv("单选,好题,a,b,,,,A,1,,,", "问卷,坏题,,,,,,A,1,,,")
    result = parse(data, filename="bank.csv", partial=True)
    assert [q.stem for q in result.questions] == ["好题"]
    assert result.report.items_imported == 1 and result.report.codes() == ["unknown_qtype"]
    assert result.questions[0].source is not None and result.questions[0].source.location == "row 2"


def test_missing_required_column_refuses_the_file() -> None:
    result = parse("题型,题干,选项A\n单选,x,a\n".encode(), format="csv")
    assert result.questions == [] and result.report.codes() == ["missing_header"]
    assert result.report.errors[0].params == {"column": "答案"}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_template_encodings_are_detected(encoding: str) -> None:
    text = (FIXTURES / "five.csv").read_text("utf-8")
    result = parse(text.encode(encoding), filename="bank.csv")
    assert result.report.ok and len(result.questions) == 5
    assert result.questions[0].stem == "安全帽应在进入施工现场前佩戴。"


def test_blank_template_has_the_exact_headers_and_a_valid_example() -> None:
    data = blank_template_xlsx()
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    assert [c.value for c in ws[1]] == headers_for(4)
    assert headers_for(4) == [
        "题型",
        "题干",
        "选项A",
        "选项B",
        "选项C",
        "选项D",
        "答案",
        "分值",
        "解析",
        "难度",
        "鉴定点",
    ]
    result = parse(data, filename="template.xlsx")
    assert result.report.ok
    [example] = result.questions
    assert example.qtype == "single_choice" and example.answer == ("B",) and example.point_code == "A-B-C-001"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("five.csv", "csv"),
        ("five.gift", "gift"),
        ("five.moodle.xml", "moodle_xml"),
        ("single.aiken.txt", "aiken"),
        ("five_qti/items/sc.xml", "qti"),
    ],
)
def test_detect_format_by_content(name: str, expected: str) -> None:
    assert detect_format(None, (FIXTURES / name).read_bytes()) == expected


def test_aiken_export_round_trips_single_choice_questions() -> None:
    from question_bank.formats.aiken import export_aiken

    five = parse((FIXTURES / "five.csv").read_bytes(), format="csv").questions
    back = parse(export_aiken(five), format="aiken")
    assert back.report.ok and back.questions == [q for q in five if q.qtype == "single_choice"]


def test_detect_format_for_zip_kinds_and_garbage() -> None:
    assert detect_format("x", blank_template_xlsx()) == "xlsx"
    assert detect_format("x", export_qti21([])) == "qti"
    assert detect_format("x.bin", bytes(range(256))) is None
    assert parse(bytes(range(256)), filename="x.bin").report.codes() == ["unknown_format"]


QTI_HOTSPOT = b"""<?xml version="1.0"?>
<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="h" title="h">
  <responseDeclaration identifier="R" cardinality="single" baseType="point"/>
  <itemBody><hotspotInteraction responseIdentifier="R" maxChoices="1"/></itemBody>
</assessmentItem>"""
MOODLE_MATCH = b"""<quiz><question type="matching"><name><text>M</text></name>
<questiontext><text>x</text></questiontext></question></quiz>"""


def test_unsupported_constructs_are_named() -> None:
    hotspot = parse(QTI_HOTSPOT, filename="h.xml")
    assert hotspot.questions == []
    assert [p.params for p in hotspot.report.errors] == [{"construct": "QTI hotspotInteraction"}]
    assert "QTI hotspotInteraction" in hotspot.report.messages("zh_CN")[0]
    match = parse(MOODLE_MATCH, filename="m.xml")
    assert [p.params for p in match.report.errors] == [{"construct": "Moodle matching"}]


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<quiz><question type="truefalse"><questiontext><text>&lol2;</text></questiontext></question></quiz>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1">&e;</assessmentItem>"""


@pytest.mark.parametrize("data", [BOMB, EXTERNAL], ids=["entity-bomb", "external-entity"])
def test_xml_with_dtd_or_entities_is_refused(data: bytes) -> None:
    for fmt in ("moodle_xml", "qti"):
        result = parse(data, format=fmt)
        assert result.questions == [] and result.report.codes() == ["xml_forbidden"]


def test_truncated_zip_and_damaged_xlsx_give_a_report() -> None:
    package = export_qti21([])
    assert parse(package[: len(package) // 2], format="qti").report.codes() == ["zip_invalid"]
    workbook = blank_template_xlsx()
    assert parse(workbook[:300], format="xlsx").report.codes() == ["xlsx_invalid"]


def test_corrupt_deflate_stream_and_unknown_xml_encoding_give_a_report() -> None:
    package = bytearray(export_qti21(FIVE_FOR_PACKAGE))
    start = package.index(b"items/Q0001.xml") + len("items/Q0001.xml")
    package[start + 5 : start + 15] = b"\xff" * 10  # damage the compressed bytes, keep the headers
    result = parse(bytes(package), format="qti")
    assert result.questions == [] and not result.report.ok
    odd = b'<?xml version="1.0" encoding="UTp-8"?><quiz/>'
    assert parse(odd, format="moodle_xml").report.codes() == ["xml_not_well_formed"]


def test_zip_bomb_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("question_bank.formats.qti.MAX_BYTES", 1000)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("items/a.xml", b" " * 100_000)
    assert parse(buf.getvalue(), format="qti").report.codes() == ["zip_too_large"]


def test_huge_cells_and_files_are_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    result = parse(_csv("简答," + "长" * 30_000 + ",,,,,,要点,1,,,"), format="csv")
    assert result.questions == [] and "cell_too_long" in result.report.codes()
    big_field = parse(_csv('简答,"' + "x" * 200_000 + '",,,,,,y,1,,,'), format="csv")
    assert not big_field.report.ok and big_field.questions == []
    monkeypatch.setattr("question_bank.formats._common.MAX_BYTES", 10)
    assert parse(b"x" * 11, format="gift").report.codes() == ["file_too_large"]


def _valid_samples() -> list[bytes]:
    return [
        (FIXTURES / "five.csv").read_bytes(),
        (FIXTURES / "five.gift").read_bytes(),
        (FIXTURES / "five.moodle.xml").read_bytes(),
        (FIXTURES / "single.aiken.txt").read_bytes(),
        (FIXTURES / "five_qti/items/fi.xml").read_bytes(),
        export_qti21([]),
        blank_template_xlsx(),
    ]


def _check_result(fmt: str, data: bytes) -> None:
    result = FORMATS[fmt](data, False)
    assert result.report.format == fmt
    assert "import_failed" not in result.report.codes()
    assert result.report.ok or result.questions == []
    for p in result.report.problems:
        p.message("en")
        p.message("zh_CN")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=400), fmt=st.sampled_from(sorted(FORMATS)))
def test_random_bytes_never_crash_any_parser(data: bytes, fmt: str) -> None:
    _check_result(fmt, data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.text(alphabet="{}~=#:%\\<>/ \n\t题型,AB1.|;对", max_size=300),
    fmt=st.sampled_from(sorted(FORMATS)),
)
def test_random_structured_text_never_crashes_any_parser(text: str, fmt: str) -> None:
    _check_result(fmt, text.encode("utf-8"))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sample=st.sampled_from(range(7)),
    cut=st.integers(min_value=0, max_value=5000),
    flips=st.lists(st.tuples(st.integers(0, 5000), st.integers(0, 255)), max_size=5),
    fmt=st.sampled_from(sorted(FORMATS)),
)
def test_mutated_valid_files_never_crash_any_parser(sample: int, cut: int, flips: list, fmt: str) -> None:
    data = bytearray(_valid_samples()[sample])
    for pos, value in flips:
        if data:
            data[pos % len(data)] = value
    _check_result(fmt, bytes(data[: max(cut, len(data) // 2)]))
