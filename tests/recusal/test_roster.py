"""The training-roster parser: XLSX and CSV, every problem with its row and column, class consistency, fuzzing."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certify.institutions.identity import mod11_2_check_char
from certify.recusal.roster import RosterPolicy, RosterProblem, parse_roster, roster_template_xlsx
from certify.recusal.roster_texts import ROSTER_MESSAGES

TODAY = date(2026, 5, 1)
HEADER = ["培训机构", "班级名称", "职业编码", "等级", "开始日期", "结束日期", "身份", "姓名", "证件类型", "证件号码"]


def rid(body: str) -> str:
    """A valid resident ID from its first 17 digits."""
    return body + mod11_2_check_char(body)


TEACHER, STUDENT, STUDENT2 = rid("11010119750312003"), rid("44030519980706002"), rid("32010219990101001")
CLASS = ["阳光职业培训学校", "电工一班", "6-31-01-03", "四级/中级工", "2026-03-02", "2026-04-30"]


def roster(*people: list) -> list[list]:
    """Header plus rows of one class: each person is [role, name, id_type, id_number]."""
    return [HEADER, *([*CLASS, *person] for person in people)]


def good_rows() -> list[list]:
    return roster(
        ["培训教师", "王建国", "居民身份证", TEACHER],
        ["学员", "李晓明", "", STUDENT],
        ["学员", "张三", "resident_id", STUDENT2],
    )


def xlsx(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list], encoding: str = "utf-8") -> bytes:
    return "\r\n".join(",".join(str(c) for c in row) for row in rows).encode(encoding)


def where(problems: tuple[RosterProblem, ...]) -> set[tuple[int | None, str | None, str]]:
    return {(p.row, p.column, p.code) for p in problems}


def test_template_has_chinese_headers_and_parses_cleanly() -> None:
    data = roster_template_xlsx()
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet[1]] == HEADER
    result = parse_roster(data, "template.xlsx", TODAY)
    assert result.ok, [p.describe("en") for p in result.problems]
    (klass,) = result.classes
    assert (len(klass.trainers), len(klass.trainees)) == (1, 1)


def test_xlsx_happy_path_with_date_cells_english_headers_and_extra_columns() -> None:
    header = ["name", "备注", "id_number", "role", "class", "institution", "occupation_code", "level", "start", "end"]
    rows = [
        header,
        [
            "王建国",
            "x",
            TEACHER,
            "trainer",
            "焊工班",
            "甲机构",
            "6-18-02-04",
            "五级/初级工",
            datetime(2026, 3, 1),
            date(2026, 3, 31),
        ],
        [
            "李晓明",
            "",
            STUDENT.lower(),
            "学员",
            "焊工班",
            "甲机构",
            "6-18-02-04",
            "初级工",
            "2026/3/1",
            "2026年3月31日",
        ],
        [],
        ["王建国", "", TEACHER, "教师", "电工班", "甲机构", "6-31-01-03-01", "technician", "2026-04-01", "2026-05-01"],
        ["张三", "", STUDENT2, "trainee", "电工班", "甲机构", "6-31-01-03-01", "5", "2026-04-01", "2026-05-01"],
    ]
    result = parse_roster(xlsx(rows), "roster.xlsx", TODAY)
    assert result.ok, [p.describe("en") for p in result.problems]
    welding, electric = result.classes
    assert (welding.institution, welding.name, welding.occupation_code) == ("甲机构", "焊工班", "6-18-02-04")
    assert (welding.level_ordinal, welding.starts_on, welding.ends_on) == (2, date(2026, 3, 1), date(2026, 3, 31))
    assert [p.name for p in welding.trainers] == ["王建国"] and welding.rows == (2, 3)
    assert welding.trainees[0].id_number == STUDENT  # normalised to upper case
    assert electric.level_ordinal == 5 and electric.rows == (5, 6)  # row 4 is blank but still counted
    assert electric.trainees[0].id_type == "resident_id"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_utf8_bom_and_gbk(encoding: str) -> None:
    result = parse_roster(csv_bytes(good_rows(), encoding), "roster.csv", TODAY)
    assert result.ok, [p.describe("en") for p in result.problems]
    (klass,) = result.classes
    assert klass.institution == "阳光职业培训学校" and klass.level_ordinal == 3
    assert [p.name for p in klass.trainees] == ["李晓明", "张三"] and klass.trainers[0].row == 2


def test_other_id_types_and_title_row_above_header() -> None:
    rows = [["阳光职业培训学校2026年培训花名册"], *good_rows()]
    rows.append([*CLASS, "学员", "John Smith", "护照", "E12345678"])
    rows.append([*CLASS, "学员", "陈大文", "hk_macao_permit", "H12345678"])
    result = parse_roster(xlsx(rows), "roster.xlsx", TODAY)
    assert result.ok, [p.describe("en") for p in result.problems]
    kinds = [(p.id_type, p.row) for p in result.classes[0].trainees]
    assert kinds[-2:] == [("passport", 6), ("hk_macao_permit", 7)]


# one cell changed in row 3 of good_rows() (a trainee) → the problem it must give
CELL_PROBLEMS = [
    (0, "", "institution", "value_missing"),
    (7, "  ", "name", "value_missing"),
    (2, "4-13-3-02", "occupation_code", "bad_occupation_code"),
    (3, "九级", "level", "unknown_level"),
    (3, "五级/技师", "level", "unknown_level"),
    (4, "2026-02-30", "start", "bad_date"),
    (5, "明天", "end", "bad_date"),
    (6, "旁听", "role", "unknown_role"),
    (8, "驾驶证", "id_type", "unknown_id_type"),
    (9, "", "id_number", "value_missing"),
    (9, "1234", "id_number", "id_wrong_length"),
    (9, TEACHER[:-1] + ("0" if TEACHER[-1] != "0" else "1"), "id_number", "id_bad_check_digit"),
]


@pytest.mark.parametrize(("index", "value", "column", "code"), CELL_PROBLEMS)
def test_each_cell_problem_names_row_and_column(index: int, value: str, column: str, code: str) -> None:
    rows = good_rows()
    rows[2][index] = value
    result = parse_roster(xlsx(rows), "roster.xlsx", TODAY)
    assert not result.ok
    assert (3, column, code) in where(result.problems)
    assert all(p.row == 3 for p in result.problems if p.code == code)


def test_end_before_start_and_class_consistency() -> None:
    rows = good_rows()
    for row in rows[1:]:
        row[5] = "2026-03-01"  # the class ends before it starts
    rows[2][3] = "高级工"  # the level disagrees with row 2's 四级/中级工
    rows[3][4] = "2026/03/03"
    result = parse_roster(xlsx(rows), "roster.xlsx", TODAY)
    assert where(result.problems) == {
        (2, "end", "end_before_start"),
        (3, "end", "end_before_start"),
        (4, "end", "end_before_start"),
        (3, "level", "class_value_differs"),
        (4, "start", "class_value_differs"),
    }
    level = next(p for p in result.problems if p.column == "level")
    assert level.params == {
        "value": "高级工",
        "expected": "四级/中级工",
        "first_row": 2,
        "institution": "阳光职业培训学校",
        "class_name": "电工一班",
    }
    assert "第 2 行" in level.message("zh_CN") and "四级/中级工" in level.message("zh_CN")


def test_class_needs_trainer_and_trainee() -> None:
    only_trainees = roster(["学员", "李晓明", "", STUDENT], ["学员", "张三", "", STUDENT2])
    only_trainer = [HEADER, [*CLASS[:1], "电工二班", *CLASS[2:], "培训教师", "王建国", "", TEACHER]]
    result = parse_roster(csv_bytes(only_trainees + only_trainer[1:]), "r.csv", TODAY)
    assert where(result.problems) == {(2, "role", "class_without_trainer"), (4, "role", "class_without_trainee")}
    assert "电工二班" in result.problems[1].message("en")


def test_duplicates_same_role_both_roles_and_id_with_two_names() -> None:
    rows = good_rows()
    rows.append([*CLASS, "学员", "李晓明", "居民身份证", STUDENT])  # row 5: same trainee again
    rows.append([*CLASS, "学员", "王建国", "", TEACHER])  # row 6: trainer also a trainee
    rows.append([*CLASS[:1], "电工二班", *CLASS[2:], "培训教师", "王健国", "", TEACHER])  # row 7: other name
    rows.append([*CLASS[:1], "电工二班", *CLASS[2:], "学员", "张三", "", STUDENT2])
    result = parse_roster(xlsx(rows), "roster.xlsx", TODAY)
    assert where(result.problems) == {
        (5, "id_number", "duplicate_person"),
        (6, "role", "trainer_and_trainee"),
        (7, "name", "id_name_conflict"),
    }
    conflict = next(p for p in result.problems if p.code == "id_name_conflict")
    assert conflict.params == {"name": "王健国", "other_name": "王建国", "other_row": 2}
    duplicate = next(p for p in result.problems if p.code == "duplicate_person")
    assert duplicate.message("zh_CN") == "此人已在第 3 行登记为本班学员，请勿重复填写。"


def test_many_problems_reported_at_once_in_row_order() -> None:
    rows = good_rows()
    rows[1][2] = "bad"
    rows[2][6] = "?"
    rows[2][9] = "1234"
    rows[3][4] = "someday"
    result = parse_roster(csv_bytes(rows), "roster.csv", TODAY)
    assert [(p.row, p.column, p.code) for p in result.problems] == [
        (2, "occupation_code", "bad_occupation_code"),
        (3, "role", "unknown_role"),
        (3, "id_number", "id_wrong_length"),
        (4, "start", "bad_date"),
    ]


def test_id_number_typed_into_a_number_cell() -> None:
    rows = good_rows()
    rows[2][9] = float(STUDENT)
    result = parse_roster(xlsx(rows), "roster.xlsx", TODAY)
    assert where(result.problems) == {(3, "id_number", "id_number_stored_as_number")}


def test_header_problems() -> None:
    rows = good_rows()
    rows[0] = [h for h in HEADER if h not in ("等级", "证件号码", "证件类型")] + ["姓名"]
    result = parse_roster(csv_bytes([rows[0]]), "r.csv", TODAY)
    assert where(result.problems) == {
        (1, "level", "missing_column"),
        (1, "id_number", "missing_column"),
        (1, "name", "duplicate_column"),
    }
    assert result.problems[0].message("zh_CN").startswith("缺少必填列")
    assert where(parse_roster(csv_bytes([HEADER]), "r.csv", TODAY).problems) == {(None, None, "no_rows")}
    assert where(parse_roster(b"a,b\n1,2\n", "r.csv", TODAY).problems) == {(None, None, "no_header")}


def test_too_many_rows_and_too_large() -> None:
    rows = good_rows() + [[*CLASS, "学员", "张三", "", STUDENT2]] * 3
    result = parse_roster(xlsx(rows), "r.xlsx", TODAY, RosterPolicy(max_rows=4))
    assert (6, None, "too_many_rows") in where(result.problems)
    small = RosterPolicy(max_file_bytes=1024 * 1024)
    assert where(parse_roster(b"x" * (1024 * 1024 + 1), "r.csv", TODAY, small).problems) == {
        (None, None, "file_too_large")
    }


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/big.xml", b"0" * (3 * 1024 * 1024))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "filename", "code"),
    [
        (b"", "r.csv", "file_empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "r.xls", "xls_not_supported"),
        (b"PK\x03\x04garbage", "r.xlsx", "xlsx_unreadable"),
        (None, "r.xlsx", "xlsx_unreadable"),  # a truncated workbook
        (b"not a workbook", "r.xlsx", "xlsx_unreadable"),
        ("培训机构".encode("utf-16"), "r.csv", "encoding_unknown"),
        (b"\x81\x20\x81", "r.csv", "encoding_unknown"),
        (b'a,"' + b"x" * 200_000 + b'"\n', "r.csv", "csv_unreadable"),
    ],
)
def test_unreadable_files(data: bytes | None, filename: str, code: str) -> None:
    if data is None:
        whole = xlsx(good_rows())
        data = whole[: len(whole) // 2]
    result = parse_roster(data, filename, TODAY)
    assert where(result.problems) == {(None, None, code)} and result.classes == ()


def test_inflated_size_is_bounded() -> None:
    policy = RosterPolicy(max_unzipped_bytes=1024 * 1024)
    assert where(parse_roster(zip_bomb(), "r.xlsx", TODAY, policy).problems) == {(None, None, "file_too_large")}


# params for every template, as the parser fills them
SAMPLE_PARAMS: dict[str, dict] = {
    "file_empty": {},
    "file_too_large": {"max_mb": 20},
    "xls_not_supported": {},
    "xlsx_unreadable": {},
    "encoding_unknown": {},
    "csv_unreadable": {"detail": "field larger than field limit"},
    "no_header": {},
    "missing_column": {"header": "等级"},
    "duplicate_column": {"header": "姓名"},
    "no_rows": {},
    "too_many_rows": {"max_rows": 20000},
    "value_missing": {"column": "start"},
    "bad_occupation_code": {"value": "4-13"},
    "unknown_level": {"value": "九级"},
    "bad_date": {"value": "明天"},
    "end_before_start": {"start": "2026-03-02", "end": "2026-03-01"},
    "unknown_role": {"value": "旁听"},
    "unknown_id_type": {"value": "驾驶证"},
    "id_number_stored_as_number": {"value": "110101197503120000"},
    "id_wrong_length": {"expected": 18, "actual": 4},
    "id_not_digits": {"positions": "1–17"},
    "id_bad_last_char": {"char": "Y"},
    "id_bad_region": {"region": "99"},
    "id_bad_birth_date": {"digits": "19751332"},
    "id_implausible_birth_date": {"birth_date": "2030-01-01"},
    "id_bad_check_digit": {"expected": "X", "actual": "3"},
    "id_missing": {},
    "id_bad_format": {"id_type": "passport"},
    "class_value_differs": {"value": "a", "expected": "b", "first_row": 2, "institution": "甲", "class_name": "乙"},
    "class_without_trainer": {"institution": "甲", "class_name": "乙"},
    "class_without_trainee": {"institution": "甲", "class_name": "乙"},
    "duplicate_person": {"first_row": 2, "role": "trainee"},
    "trainer_and_trainee": {"other_row": 2, "institution": "甲", "class_name": "乙"},
    "id_name_conflict": {"name": "王健国", "other_name": "王建国", "other_row": 2},
}


def test_every_code_renders_in_both_languages() -> None:
    assert set(SAMPLE_PARAMS) == set(ROSTER_MESSAGES)
    for code, params in SAMPLE_PARAMS.items():
        assert set(ROSTER_MESSAGES[code]) == {"en", "zh_CN"}
        problem = RosterProblem(5, "start", code, params)
        en, zh = problem.message("en"), problem.message("zh_CN")
        assert "{" not in en + zh and en != zh
    located = RosterProblem(5, "start", "value_missing", {})
    assert located.describe("zh_CN") == "第 5 行「开始日期」：“开始日期”为必填项。"
    assert located.describe("en") == "Row 5, Start date: Start date is required."
    assert RosterProblem(None, None, "id_bad_format", {"id_type": "passport"}).message("zh_CN") == (
        "该号码不符合护照的号码格式。"
    )


def assert_well_formed(data: bytes, filename: str) -> None:
    result = parse_roster(data, filename, TODAY)
    for problem in result.problems:
        assert problem.code in ROSTER_MESSAGES
        assert problem.message("en") and problem.message("zh_CN")
    assert result.ok == (not result.problems)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=2000), st.sampled_from(["r.csv", "r.xlsx", "r"]))
def test_fuzz_any_bytes_give_problems_not_exceptions(data: bytes, filename: str) -> None:
    assert_well_formed(data, filename)
    assert_well_formed(b"PK\x03\x04" + data, filename)


cells = st.one_of(st.text(max_size=20), st.sampled_from([*HEADER, *CLASS, "学员", "培训教师", TEACHER, STUDENT, ""]))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(cells, max_size=12), max_size=8), st.sampled_from(["utf-8", "gb18030"]))
def test_fuzz_csv_like_tables(rows: list[list[str]], encoding: str) -> None:
    text = "\n".join(",".join(row) for row in [HEADER, *rows])
    assert_well_formed(text.encode(encoding, errors="replace"), "r.csv")


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(st.one_of(cells, st.integers(), st.floats(allow_nan=False)), max_size=12), max_size=5))
def test_fuzz_xlsx_tables(rows: list[list]) -> None:
    try:
        data = xlsx([HEADER, *rows])
    except Exception:  # openpyxl refuses control characters in cells; such a workbook cannot exist
        return
    assert_well_formed(data, "r.xlsx")
