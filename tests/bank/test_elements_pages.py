"""Element-table pages: index, tree, upload (all or nothing), downloads, bank size; who may do what; both languages."""

from __future__ import annotations

import io
import json

import pytest
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from certify.auth.models import Role
from certify.bank import elements_ops as ops
from certify.bank.models import VersionState
from question_bank.elements_xlsx import read_element_table_xlsx
from tests.bank.elements_helpers import add_question, replaced_entries, sheet, stored_table, valid_rows
from tests.bank.world import LEVEL, OCCUPATION, OTHER_OCCUPATION, bank_world
from tests.factories import csrf_token, login, make_user, post_form

BASE = "/bank/elements"


@pytest.fixture
def world(app):
    return bank_world()


def signed_in(app, username: str, locale: str = "en"):
    client = app.test_client()
    login(client, username)
    post_form(client, "/language", {"locale": locale})
    return client


def upload(client, data: bytes | None, filename: str = "table.xlsx", occupation: str = OCCUPATION):
    """POST the upload form with `data` as the file (None: no file chosen)."""
    url = f"{BASE}/{occupation}/upload"
    fields = MultiDict([("csrf_token", csrf_token(client, url))])
    if data is not None:
        fields.add("file", FileStorage(io.BytesIO(data), filename=filename))
    # Encoded in memory: the test client would spool a large body to a temporary file it never closes.
    boundary, body = encode_multipart(fields)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def test_the_index_lists_the_bodys_occupations_with_their_tables(app, world):
    page = signed_in(app, "author1").get(BASE)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert OCCUPATION in text and OTHER_OCCUPATION in text
    assert "No element table yet." in text  # the other occupation
    assert "1 problem(s)" in text  # the world's table has too many Z points
    assert "100 %" in text  # the level's weight total


def test_the_table_page_shows_the_tree_weights_shares_and_problems(app, world):
    text = signed_in(app, "author1").get(f"{BASE}/{OCCUPATION}").get_data(as_text=True)
    assert "陶瓷修复工艺" in text and "B-A-010" in text
    assert "Auxiliary points (Z) are 10% of all points; at most 5% are allowed." in text
    assert "36 · 90.0 %" in text  # X: 36 of 40 points
    assert "Upload a new table" not in text  # authors do not upload


def test_a_bad_upload_lists_every_problem_and_changes_nothing(app, world):
    rows = valid_rows()
    rows[0][3] = "twenty"  # row 2, column 高级工
    rows[3][0] = "A-A-02"  # row 5, column 代码
    page = upload(signed_in(app, "bankadmin"), sheet(rows))
    text = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "the file has 2 problem(s), listed below. Nothing was changed." in text
    assert "<td>2</td><td>高级工</td><td>The weight twenty is not a number" in text
    assert "<td>5</td><td>代码</td><td>The point number 02 in A-A-02 must have exactly 3 digits" in text
    assert stored_table(world).revision == 1 and len(stored_table(world).nodes) == 46
    assert replaced_entries() == []


def test_the_refusal_is_in_chinese_for_a_chinese_user(app, world):
    rows = valid_rows()
    rows[0][3] = -5
    text = upload(signed_in(app, "bankadmin", "zh_CN"), sheet(rows)).get_data(as_text=True)
    assert "<td>2</td><td>高级工</td><td>比重 -5 为负数。</td>" in text


def test_not_an_xlsx_file_is_refused_with_a_reason(app, world):
    page = upload(signed_in(app, "bankadmin"), b"%PDF-1.4 not a workbook", "table.pdf")
    assert page.status_code == 400
    assert "The file is not an Excel workbook (.xlsx) or it is damaged" in page.get_data(as_text=True)
    assert stored_table(world).revision == 1


def test_no_file_and_too_large_a_file_are_refused(app, world):
    client = signed_in(app, "bankadmin")
    page = upload(client, None)
    assert page.status_code == 400 and "Choose an XLSX file to upload." in page.get_data(as_text=True)
    page = upload(client, b"x" * (ops.UPLOAD_LIMIT + 1))
    assert page.status_code == 400 and "larger than 5 MB" in page.get_data(as_text=True)
    assert stored_table(world).revision == 1


def test_a_good_upload_replaces_the_table_and_is_audited(app, world):
    client = signed_in(app, "bankadmin")
    page = upload(client, sheet(valid_rows()), "细目表 v2.xlsx")
    assert page.status_code == 302 and page.headers["Location"].endswith(f"{BASE}/{OCCUPATION}")
    stored = stored_table(world)
    assert stored.revision == 2 and len(stored.nodes) == 26 and stored.source_filename == "细目表 v2.xlsx"
    (entry,) = replaced_entries()
    assert json.loads(entry.after)["points"] == 20 and entry.actor_id == world.admin.id
    text = client.get(page.headers["Location"]).get_data(as_text=True)
    assert "revision 2" in text and "The table validates" in text


def test_an_upload_dropping_points_in_use_is_refused_naming_them(app, world):
    add_question(world, "B-B-010", VersionState.PRETEST)
    add_question(world, "B-B-010", VersionState.ACTIVE)
    page = upload(signed_in(app, "bankadmin"), sheet(valid_rows()))
    text = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "Point B-B-010 is used by 2 question(s)" in text
    assert stored_table(world).revision == 1 and replaced_entries() == []


def test_download_and_template_are_workbooks_that_read_back(app, world):
    client = signed_in(app, "reviewer1")
    page = client.get(f"{BASE}/{OCCUPATION}.xlsx")
    assert page.status_code == 200 and page.mimetype.endswith("spreadsheetml.sheet")
    table, _ = read_element_table_xlsx(page.data, OCCUPATION, ops.level_aliases())
    assert table == ops.element_table(world.body.id, world.occupation)
    assert client.get(f"{BASE}/{OTHER_OCCUPATION}.xlsx").status_code == 404  # no table yet
    template = client.get(f"{BASE}/template.xlsx")
    table, problems = read_element_table_xlsx(template.data, "X", ops.level_aliases())
    assert template.status_code == 200 and problems == [] and table.levels() == [2, 3, 4, 5, 6]


def test_the_bank_size_page_shows_the_cells_and_the_total(app, world):
    for _ in range(8):
        add_question(world, "A-A-002", VersionState.ACTIVE, points=5)  # A-A holds 40 of 40 needed
    client = signed_in(app, "author1")
    text = client.get(f"{BASE}/{OCCUPATION}/bank-size?level={LEVEL}").get_data(as_text=True)
    assert "<td>20</td><td>40</td><td>40</td><td>0</td>" in text  # A-A: weight, needed, held, shortfall
    assert "<td>30</td><td>60</td><td>0</td><td>60</td>" in text  # B-A
    assert "<td>200</td><td>40</td><td>160</td>" in text  # level total: needed, held, shortfall
    premium = client.get(f"{BASE}/{OCCUPATION}/bank-size?level={LEVEL}&premium=1").get_data(as_text=True)
    assert (
        "<td>20</td><td>60</td><td>40</td><td>20</td>" in premium and "<td>300</td><td>40</td><td>260</td>" in premium
    )


@pytest.mark.parametrize(("query", "message"), [("level=9", "Choose one of the levels"), ("premium=maybe", "Premium")])
def test_bad_bank_size_arguments_are_explained(app, world, query, message):
    page = signed_in(app, "author1").get(f"{BASE}/{OCCUPATION}/bank-size?{query}")
    assert page.status_code == 400 and message in page.get_data(as_text=True)


def test_who_may_see_and_who_may_upload(app, world):
    make_user("supervisor1", Role.SUPERVISOR, body=world.body)
    for username in ("author1", "reviewer1", "bankadmin", "supervisor1"):
        client = signed_in(app, username)
        for url in (BASE, f"{BASE}/{OCCUPATION}", f"{BASE}/{OCCUPATION}/bank-size", f"{BASE}/template.xlsx"):
            assert client.get(url).status_code == 200, (username, url)
    author = signed_in(app, "author1")
    assert author.get(f"{BASE}/{OCCUPATION}/upload").status_code == 403
    assert upload(author, sheet(valid_rows())).status_code == 403
    assert stored_table(world).revision == 1
    assert signed_in(app, "bankadmin").get(f"{BASE}/{OCCUPATION}/upload").status_code == 200


def test_another_bodys_staff_and_unknown_codes_get_404(app, world):
    outsider = signed_in(app, "outsider")  # an author of a body not filed for these occupations
    for url in (f"{BASE}/{OCCUPATION}", f"{BASE}/{OCCUPATION}.xlsx", f"{BASE}/{OCCUPATION}/bank-size"):
        assert outsider.get(url).status_code == 404, url
    assert OCCUPATION not in outsider.get(BASE).get_data(as_text=True)
    admin = signed_in(app, "bankadmin")
    assert admin.get(f"{BASE}/9-99-99-99").status_code == 404
    assert upload(admin, sheet(valid_rows()), occupation="9-99-99-99").status_code == 404
    candidate = make_user("candidate1", Role.CANDIDATE, body=world.body)
    assert signed_in(app, candidate.username).get(BASE).status_code == 403


def test_both_languages_render(app, world):
    english = signed_in(app, "author1", "en")
    chinese = signed_in(app, "reviewer1", "zh_CN")  # the language is kept per user
    for url, en_word, zh_word in (
        (BASE, "Element tables", "退出登录"),
        (f"{BASE}/{OCCUPATION}", "Auxiliary points (Z) are 10%", "辅助要素（Z）占鉴定点总数的 10%"),
        (f"{BASE}/{OCCUPATION}/bank-size?level=4", "Grade 3 / Senior worker", "三级/高级工"),
    ):
        en_page, zh_page = english.get(url), chinese.get(url)
        assert en_page.status_code == zh_page.status_code == 200
        assert '<html lang="en">' in en_page.get_data(as_text=True) and en_word in en_page.get_data(as_text=True)
        assert '<html lang="zh-CN">' in zh_page.get_data(as_text=True) and zh_word in zh_page.get_data(as_text=True)
