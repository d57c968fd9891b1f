"""Bulk candidate import at /people/import: all rows or none, every bad row with its row and column."""

from __future__ import annotations

import io
import re
from datetime import date

import openpyxl
import pytest
import sqlalchemy as sa

from certify.auth.models import Role, User
from certify.core.db import db
from certify.institutions.candidate_import import parse_candidates
from certify.institutions.models import Person
from certify.institutions.views_registration import bp
from certify.supervision.models import AuditEntry
from tests.factories import csrf_token, login, make_body, make_user, unique_id_number

EN = {"Accept-Language": "en"}
HEADER = ["姓名", "证件类型", "证件号码", "手机号码", "工作单位", "用户名"]
TODAY = date(2026, 5, 1)


@pytest.fixture
def body(app):
    if bp.name not in app.blueprints:
        app.register_blueprint(bp)
    return make_body()


@pytest.fixture
def admin(app, body):
    make_user("boss", Role.ADMIN, body=body)
    client = app.test_client()
    login(client, "boss")
    return client


def _count(model) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar()


def xlsx(rows: list[list], header: list = HEADER) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list], encoding: str) -> bytes:
    lines = [",".join(HEADER)] + [",".join(str(c) for c in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def upload(client, data: bytes, filename: str = "list.xlsx", headers=EN):
    token = csrf_token(client, "/people/import")
    return client.post(
        "/people/import",
        data={"roster": (io.BytesIO(data), filename), "csrf_token": token},
        content_type="multipart/form-data",
        headers=headers,
    )


def good_rows() -> list[list]:
    return [
        ["王 建国", "居民身份证", unique_id_number(), "13812345678", "首都示例博物馆", "wangjg"],
        ["李晓明", "", unique_id_number(), "139 0000 1111", "", ""],
        ["赵敏", "身份证", unique_id_number(), "+86 15011112222", "首都示例博物馆", "Zhaomin"],
    ]


def test_the_import_page_offers_the_template_and_the_upload(admin):
    page = admin.get("/people/import", headers=EN).get_data(as_text=True)
    assert "Import candidates" in page and "/people/import/template.xlsx" in page and 'name="roster"' in page


def test_a_good_file_registers_everyone_and_shows_the_initial_passwords_once(admin, body):
    rows = good_rows()
    response = upload(admin, xlsx(rows))
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "3 candidate(s) registered." in text
    assert response.headers["Cache-Control"] == "no-store"
    assert "The initial passwords are shown only on this page and only now." in text

    created = {p.name: p for p in db.session.execute(sa.select(Person).where(Person.body_id == body.id)).scalars()}
    assert {"王 建国", "李晓明", "赵敏"} <= set(created)
    assert created["李晓明"].phone == "13900001111" and created["赵敏"].phone == "15011112222"
    assert created["王 建国"].employer.name == "首都示例博物馆" and created["李晓明"].employer is None
    accounts = {u.username: u for u in db.session.execute(sa.select(User).where(User.username != "boss")).scalars()}
    assert set(accounts) == {"wangjg", "zhaomin"}
    assert all(u.roles == {Role.CANDIDATE} and u.person_id for u in accounts.values())
    assert created["李晓明"].account is None
    # the shown password signs the candidate in; it is not stored in clear anywhere
    passwords = re.findall(r"<code>([^<]+)</code>", text)
    assert len(passwords) == 2
    audit_text = " ".join(str(a) for a in db.session.execute(sa.select(AuditEntry.after)).scalars())
    assert not any(p in audit_text for p in passwords)
    assert "institutions.candidates_imported" in set(db.session.execute(sa.select(AuditEntry.action)).scalars())
    fresh = admin.application.test_client()
    assert login(fresh, "wangjg", passwords[0]).status_code == 302


def test_a_bad_file_reports_every_problem_with_row_and_column_and_imports_nothing(admin, body):
    existing = make_user("already")
    registered = db.session.get(Person, existing.person_id).id_number
    valid = unique_id_number()
    bad_check = valid[:17] + ("1" if valid[17] != "1" else "2")
    repeated = unique_id_number()
    rows = [
        ["甲", "", bad_check, "13812345678", "", ""],  # row 2: bad ID
        ["乙", "", repeated, "13812345678", "", ""],  # row 3
        ["丙", "", repeated, "13812345679", "", ""],  # row 4: duplicate within the file
        ["丁", "", registered, "13812345670", "", ""],  # row 5: already registered
        ["戊", "", unique_id_number(), "0101234", "", ""],  # row 6: bad phone
        ["", "", unique_id_number(), "13812345671", "", ""],  # row 7: missing name
        ["己", "", unique_id_number(), "13812345672", "", "already"],  # row 8: username taken
        ["庚", "", unique_id_number(), "13812345673", "", "x y!"],  # row 9: username invalid
        ["辛", "驾驶证", unique_id_number(), "13812345674", "", ""],  # row 10: unknown ID type
    ]
    before = (_count(Person), _count(User), _count(AuditEntry))
    response = upload(admin, xlsx(rows))
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Nothing was imported" in text
    expected = [
        ("2", "ID number", "The check digit is wrong"),
        ("4", "ID number", "The same person is already listed in row 3."),
        ("5", "ID number", "A person with this document number is already registered."),
        ("6", "Mobile number", "0101234 is not a mainland China mobile number"),
        ("7", "Name", "This field is required."),
        ("8", "Username", "The username already is already taken."),
        ("9", "Username", "“x y!” is not a valid username"),
        ("10", "ID type", "“驾驶证” is not a supported ID type"),
    ]
    for row, column, message in expected:
        assert f"<tr><td>{row}</td><td>{column}</td><td>{message}" in text, (row, column)
    assert text.count("<tr><td>") == len(expected)
    assert (_count(Person), _count(User), _count(AuditEntry)) == before


def test_the_template_round_trips(admin, body):
    response = admin.get("/people/import/template.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == HEADER
    assert sheet.cell(row=2, column=3).number_format == "@"
    # an untouched template has no candidates
    empty = upload(admin, response.data, "candidates-template.xlsx")
    assert empty.status_code == 400 and "The file has a header but no candidates." in empty.get_data(as_text=True)
    for row in good_rows():
        sheet.append(row)
    filled = io.BytesIO()
    book.save(filled)
    done = upload(admin, filled.getvalue(), "candidates-template.xlsx")
    assert done.status_code == 200 and "3 candidate(s) registered." in done.get_data(as_text=True)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk"])
def test_csv_in_utf8_with_or_without_bom_and_gbk(admin, body, encoding):
    rows = good_rows()
    response = upload(admin, csv_bytes(rows, encoding), "list.csv")
    assert response.status_code == 200, response.get_data(as_text=True)[-2000:]
    names = set(db.session.execute(sa.select(Person.name).where(Person.body_id == body.id)).scalars())
    assert {"王 建国", "李晓明", "赵敏"} <= names


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "a.csv", None),
        (b"\xd0\xcf\x11\xe0rest-of-an-xls", "a.xls", "Excel 97–2003 (.xls) files are not supported"),
        (b"PK\x03\x04broken", "a.xlsx", "cannot be read as an Excel (.xlsx) workbook"),
        ("姓名,手机号码\n张三,13812345678\n".encode(), "a.csv", "The required column “证件号码” is missing."),
        (b"a,b\n1,2\n", "a.csv", "No header row found"),
    ],
    ids=["empty", "xls", "broken-xlsx", "missing-column", "no-header"],
)
def test_unreadable_files_are_reported_never_crash(admin, body, data, filename, message):
    before = _count(Person)
    response = upload(admin, data, filename)
    if message is None:  # nothing chosen: back to the page
        assert response.status_code == 302
    else:
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert _count(Person) == before


def test_an_id_typed_as_a_number_in_excel_is_caught():
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    book.active.append(["张三", "", 110101199003070000.0, 13812345678, "", ""])
    out = io.BytesIO()
    book.save(out)
    parsed = parse_candidates(out.getvalue(), "a.xlsx", TODAY)
    assert [(p.params["row"], p.field, p.code) for p in parsed.problems] == [
        (2, "id_number", "register_id_stored_as_number")
    ]


def test_a_duplicate_username_in_the_file_is_reported(app):
    rows = [
        ["甲", "", unique_id_number(), "13812345678", "", "same"],
        ["乙", "", unique_id_number(), "13812345679", "", "SAME"],
    ]
    parsed = parse_candidates(xlsx(rows), "a.xlsx", TODAY)
    assert [(p.params["row"], p.field, p.code) for p in parsed.problems] == [
        (3, "username", "register_username_duplicate")
    ]


def test_problems_are_shown_in_chinese(admin, body):
    admin.post("/language", data={"locale": "zh_CN", "csrf_token": csrf_token(admin, "/people/import")})
    text = upload(admin, xlsx([["甲", "", "11010119900307001", "13812345678", "", ""]])).get_data(as_text=True)
    assert '<th scope="col">行</th>' in text and "居民身份证号码应为18位，当前为17位。" in text


@pytest.mark.parametrize("role", [Role.CANDIDATE, Role.SUPERVISOR, Role.TRAINER])
def test_only_administrators_import(app, body, role):
    make_user("other", role, body=body)
    client = app.test_client()
    login(client, "other")
    assert client.get("/people/import").status_code == 403
    assert client.get("/people/import/template.xlsx").status_code == 403
    response = client.post(
        "/people/import",
        data={"roster": (io.BytesIO(xlsx(good_rows())), "a.xlsx"), "csrf_token": csrf_token(client, "/account")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403 and _count(Person) == 1  # only this user


def test_anonymous_visitors_are_sent_to_sign_in(app, body):
    client = app.test_client()
    response = client.get("/people/import")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_administrator_without_a_body_gets_404(app, body):
    make_user("floating", Role.ADMIN)
    client = app.test_client()
    login(client, "floating")
    assert client.get("/people/import").status_code == 404
