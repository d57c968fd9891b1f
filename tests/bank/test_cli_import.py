"""`flask bank import PATH --occupation CODE --level N`: all or nothing, partial, dry run, reports, exit codes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from certify.bank.models import BankImport, BankQuestion, QuestionVersion, VersionState
from certify.core.db import db
from certify.institutions import operations
from certify.supervision.models import AuditEntry
from tests.bank.world import LEVEL, OCCUPATION, OTHER_OCCUPATION, bank_world
from tests.factories import make_body

CONFORMANCE = Path(__file__).resolve().parents[3] / "shared" / "conformance"
HEADER = "题型,题干,选项A,选项B,选项C,选项D,答案,分值,解析,难度,鉴定点"
GOOD_ROWS = [
    "判断,文物修复前必须建立修复档案。,,,,,√,1,,2,B-B-001",
    "单选,文物修复应遵循的首要原则是（　）。,最小干预,全面更新,随意添加,改变原貌,A,1,,3,A-A-001",
    '多选,下列属于陶瓷器常见病害的有（　）。,破碎,裂纹,锈蚀,釉面剥落,"A,B,D",2,锈蚀是金属器的病害。,3,B-A-002',
    "填空,青铜器的主要成分是铜和_____。,,,,,锡|Sn,1,,2,A-B-003",
    "简答,简述陶瓷器清洗的一般步骤。,,,,,先除尘，再试洗，后整体清洗。,5,,4,B-A-005",
]
#: row 3 of the file: an answer naming an option the question does not have
BAD_ROW = "单选,修复档案应由谁签字确认（　）。,修复人员,路人,游客,,E,1,,2,B-B-002"


def csv_bytes(*rows: str, encoding: str = "utf-8") -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode(encoding)


@pytest.fixture
def world(app):
    return bank_world()


def _run(cli, path: Path, *args: str, occupation: str = OCCUPATION, level: str = str(LEVEL)):
    return cli.invoke(args=["bank", "import", str(path), "--occupation", occupation, "--level", level, *args])


def _count(model) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def _write(tmp_path: Path, data: bytes, name: str = "questions.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_an_all_valid_file_is_imported_as_drafts_and_exits_0(cli, world, tmp_path):
    result = _run(cli, _write(tmp_path, csv_bytes(*GOOD_ROWS)))
    assert result.exit_code == 0, result.output
    assert "5 found · 5 valid · 5 imported" in result.output
    questions = db.session.execute(sa.select(BankQuestion)).scalars().all()
    assert len(questions) == 5
    assert {q.level_ordinal for q in questions} == {LEVEL}
    record = db.session.execute(sa.select(BankImport)).scalar_one()
    assert (record.items_found, record.items_imported, record.created_by_id) == (5, 5, None)
    versions = db.session.execute(sa.select(QuestionVersion)).scalars().all()
    assert {v.state for v in versions} == {VersionState.DRAFT}
    assert {v.import_id for v in versions} == {record.id}
    assert {v.qtype for v in versions} == {"true_false", "single_choice", "multiple_choice", "fill_in", "short_answer"}
    assert json.loads(versions[0].source)["location"] == "row 2"
    entry = db.session.execute(sa.select(AuditEntry).where(AuditEntry.action == "bank.questions_imported")).scalar_one()
    assert entry.actor_label == "cli" and entry.object_id == str(record.id)
    assert json.loads(entry.after)["items_imported"] == 5


def test_one_bad_row_imports_nothing_and_names_row_field_and_reason(cli, world, tmp_path):
    result = _run(cli, _write(tmp_path, csv_bytes(GOOD_ROWS[0], BAD_ROW, *GOOD_ROWS[1:])))
    assert result.exit_code == 1, result.output
    assert "6 found · 5 valid · 0 imported" in result.output
    assert "row 3, column 答案 · Answer · Answer E refers to an option that does not exist." in result.output
    assert "--partial" in result.output
    assert _count(BankQuestion) == 0
    record = db.session.execute(sa.select(BankImport)).scalar_one()  # the refused attempt is on record
    assert (record.items_found, record.items_imported) == (6, 0)
    assert "answer_not_in_options" in record.report


def test_the_report_speaks_chinese_when_asked(cli, world, tmp_path):
    result = _run(cli, _write(tmp_path, csv_bytes(BAD_ROW)), "--lang", "zh_CN")
    assert result.exit_code == 1
    assert "第 2 行，“答案”列 · 答案 · 答案“E”对应的选项不存在。" in result.output


def test_partial_imports_the_valid_rows_and_still_exits_1(cli, world, tmp_path):
    result = _run(cli, _write(tmp_path, csv_bytes(GOOD_ROWS[0], BAD_ROW, *GOOD_ROWS[1:])), "--partial")
    assert result.exit_code == 1, result.output
    assert "6 found · 5 valid · 5 imported" in result.output and "row 3" in result.output
    assert _count(BankQuestion) == 5
    assert db.session.execute(sa.select(BankImport.partial)).scalar_one() is True


def test_dry_run_writes_nothing_at_all(cli, world, tmp_path):
    audit_before = _count(AuditEntry)
    result = _run(cli, _write(tmp_path, csv_bytes(*GOOD_ROWS)), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "5 would be imported" in result.output
    assert (_count(BankQuestion), _count(BankImport), _count(AuditEntry)) == (0, 0, audit_before)
    bad = _run(cli, _write(tmp_path, csv_bytes(BAD_ROW), "bad.csv"), "--dry-run")
    assert bad.exit_code == 1 and _count(BankImport) == 0


@pytest.mark.parametrize(("encoding", "prefix"), [("gbk", b""), ("utf-8", b"\xef\xbb\xbf")], ids=["gbk", "utf8-bom"])
def test_gbk_and_utf8_bom_csv_both_import(cli, world, tmp_path, encoding, prefix):
    result = _run(cli, _write(tmp_path, prefix + csv_bytes(*GOOD_ROWS, encoding=encoding)))
    assert result.exit_code == 0, result.output
    stems = {json.loads(c)["stem"] for c in db.session.execute(sa.select(QuestionVersion.content)).scalars()}
    assert "青铜器的主要成分是铜和_____。" in stems and len(stems) == 5


def test_the_same_file_twice_refuses_the_duplicates_naming_the_existing_questions(cli, world, tmp_path):
    path = _write(tmp_path, csv_bytes(*GOOD_ROWS))
    assert _run(cli, path).exit_code == 0
    first = dict(db.session.execute(sa.select(QuestionVersion.content_hash, QuestionVersion.question_id)).all())
    again = _run(cli, path)
    assert again.exit_code == 1
    assert "5 found · 0 valid · 0 imported" in again.output
    for question_id in first.values():
        assert f"as question {question_id} (version 1)" in again.output
    assert _count(BankQuestion) == 5 and _count(BankImport) == 2


def test_a_question_repeated_in_the_file_is_refused_naming_the_first(cli, world, tmp_path):
    result = _run(cli, _write(tmp_path, csv_bytes(GOOD_ROWS[0], GOOD_ROWS[1], GOOD_ROWS[0])), "--partial")
    assert result.exit_code == 1
    assert "row 4 · — · This question repeats the one at row 2 of the same file." in result.output
    assert _count(BankQuestion) == 2


def test_points_are_checked_against_the_element_table(cli, world, tmp_path):
    unknown = GOOD_ROWS[0].replace("B-B-001", "C-A-001")
    result = _run(cli, _write(tmp_path, csv_bytes(unknown)))
    assert result.exit_code == 1
    assert "row 2, column 鉴定点 · Assessment point · Assessment point C-A-001 is not a point" in result.output
    # the other occupation has no element table: every point-coded item is refused by one file-level problem
    other = _run(cli, _write(tmp_path, csv_bytes(*GOOD_ROWS), "other.csv"), occupation=OTHER_OCCUPATION)
    assert other.exit_code == 1
    assert f"file · Assessment point · The {OTHER_OCCUPATION} bank has no element table" in other.output
    assert "the 5 question(s)" in other.output and _count(BankQuestion) == 0


def test_items_without_point_or_difficulty_import_with_a_warning(cli, world, tmp_path):
    bare = "判断,修复档案应长期保存。,,,,,对,1,,,"
    no_difficulty = "判断,修复前应拍照记录。,,,,,对,1,,,A-A-002"
    result = _run(cli, _write(tmp_path, csv_bytes(bare, no_difficulty)))
    assert result.exit_code == 0, result.output
    assert "row 2 · — · warning: No assessment point and no difficulty: the question is imported" in result.output
    assert "row 3, column 难度 · Difficulty · warning: No difficulty" in result.output
    assert _count(BankQuestion) == 2


def test_the_level_may_be_named_by_its_key(cli, world, tmp_path):
    result = _run(cli, _write(tmp_path, csv_bytes(GOOD_ROWS[0])), level="senior_worker")
    assert result.exit_code == 0, result.output
    assert db.session.execute(sa.select(BankQuestion.level_ordinal)).scalar_one() == LEVEL


def test_json_output(cli, world, tmp_path):
    result = _run(cli, _write(tmp_path, csv_bytes(BAD_ROW, GOOD_ROWS[0])), "--json", "--partial")
    assert result.exit_code == 1
    out = json.loads(result.output)
    assert (out["items_found"], out["items_imported"], len(out["created"])) == (2, 1, 1)
    [problem] = [p for p in out["problems"] if p["severity"] == "error"]
    assert problem["field"] == "answer" and problem["location"] == {"row": 2, "column": "答案"}


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--occupation", "9-99-99-99", "--level", "4"], "--occupation"),
        (["--occupation", OCCUPATION, "--level", "9"], "--level"),
        (["--occupation", OCCUPATION, "--level", "expert"], "--level"),
        (["--occupation", OCCUPATION, "--level", "1"], "--level"),  # appointed, not assessed: no bank
        (["--occupation", OCCUPATION, "--level", "4", "--format", "pdf"], "--format"),
        (["--occupation", OCCUPATION, "--level", "4", "--body", "999"], "--body"),
    ],
)
def test_bad_arguments_exit_2_naming_the_argument(cli, world, tmp_path, args, named):
    path = _write(tmp_path, csv_bytes(*GOOD_ROWS))
    result = cli.invoke(args=["bank", "import", str(path), *args])
    assert result.exit_code == 2, result.output
    assert named in result.output
    assert _count(BankImport) == 0


def test_an_unreadable_or_empty_file_exits_2(cli, world, tmp_path):
    missing = _run(cli, tmp_path / "nope.csv")
    assert missing.exit_code == 2 and "PATH" in missing.output and "cannot be read" in missing.output
    empty = _run(cli, _write(tmp_path, b""))
    assert empty.exit_code == 2 and "is empty" in empty.output
    unknown = _run(cli, _write(tmp_path, b"\x00\x01\x02binary", "blob.bin"))
    assert unknown.exit_code == 2 and "--format" in unknown.output
    assert _count(BankImport) == 0


def test_the_body_must_be_named_when_two_are_filed(cli, world, tmp_path):
    second = make_body("第二评价机构")
    operations.file_occupation(second, world.occupation, date(2025, 1, 1), None)
    db.session.commit()
    path = _write(tmp_path, csv_bytes(*GOOD_ROWS))
    ambiguous = _run(cli, path)
    assert ambiguous.exit_code == 2 and "--body" in ambiguous.output and str(second.id) in ambiguous.output
    chosen = _run(cli, path, "--body", str(world.body.id))
    assert chosen.exit_code == 0, chosen.output
    assert set(db.session.execute(sa.select(BankQuestion.body_id)).scalars()) == {world.body.id}


def _conformance(folder: str, name: str) -> Path:
    path = CONFORMANCE / folder / name
    if not path.exists():
        pytest.skip(f"conformance corpus not found at {path}")
    return path


def test_conformance_gift_imports_through_the_command(cli, world):
    result = _run(cli, _conformance("gift", "shortAnswer1.gift"), occupation=OTHER_OCCUPATION)
    assert result.exit_code == 0, result.output
    assert _count(BankQuestion) == 2
    assert set(db.session.execute(sa.select(QuestionVersion.qtype)).scalars()) == {"fill_in"}


def test_conformance_gift_with_a_repeated_question_reports_it(cli, world):
    # numerical1.gift asks the same numerical question twice under different titles
    result = _run(cli, _conformance("gift", "numerical1.gift"), "--partial", occupation=OTHER_OCCUPATION)
    assert result.exit_code == 1
    assert "10 found · 9 valid · 9 imported" in result.output
    assert "line 11 · — · This question repeats the one at line 7 of the same file." in result.output
    assert _count(BankQuestion) == 9


def test_conformance_gift_matching_is_reported_never_dropped(cli, world):
    path = _conformance("gift_moodle", "questions.gift.txt")
    refused = _run(cli, path, "--format", "gift", occupation=OTHER_OCCUPATION)
    assert refused.exit_code == 1 and "is not supported" in refused.output
    assert _count(BankQuestion) == 0
    partial = _run(cli, path, "--format", "gift", "--partial", occupation=OTHER_OCCUPATION)
    # of the 8 items the parser takes, one repeats another ({T} and {TRUE}): 7 are imported
    assert partial.exit_code == 1 and "9 found · 7 valid · 7 imported" in partial.output
    assert "line 49 · — · This question repeats the one at line 46 of the same file." in partial.output
    assert _count(BankQuestion) == 7


def test_conformance_moodle_xml_imports_through_the_command(cli, world):
    result = _run(cli, _conformance("moodle_xml", "nested_categories_with_questions.xml"), "--format", "moodle-xml")
    assert result.exit_code == 0, result.output
    assert _count(BankQuestion) == 5
    sources = [json.loads(s) for s in db.session.execute(sa.select(QuestionVersion.source)).scalars()]
    assert all(s["format"] == "moodle_xml" and s["location"].startswith("#") for s in sources)


def test_conformance_malformed_qti_is_refused_with_a_report(cli, world):
    result = _run(cli, _conformance("qti", "malformed_items_1.2__fib.xml"), "--format", "qti")
    assert result.exit_code == 1
    assert "0 found · 0 valid · 0 imported" in result.output and "not well-formed" in result.output
    assert _count(BankQuestion) == 0
    record = db.session.execute(sa.select(BankImport)).scalar_one()
    assert record.format == "qti" and "xml_not_well_formed" in record.report
