"""The web upload: check only, import with a stored report, bilingual problems, refusals, history, template."""

from __future__ import annotations

import base64
import io
import json
import re

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from certify.bank.imports import import_questions
from certify.bank.models import BankImport, BankPledge, BankQuestion, QuestionVersion
from certify.core.db import db
from certify.recusal.models import RecusalCheck
from certify.supervision.models import AuditEntry
from tests.bank.test_cli_import import BAD_ROW, GOOD_ROWS, csv_bytes
from tests.bank.world import LEVEL, bank_world
from tests.factories import csrf_token, login, post_form

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}


@pytest.fixture
def world(app):
    return bank_world()


def _count(model) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def _upload(client, world, data: bytes, action: str, *, filename="questions.csv", headers=EN, **fields):
    form = {
        "occupation_id": str(world.occupation.id),
        "level": str(LEVEL),
        "format": "auto",
        "action": action,
        "file": (io.BytesIO(data), filename),
        **fields,
    }
    return post_form(
        client, "/bank/imports/new", form, page="/bank/imports/new", headers=headers, content_type="multipart/form-data"
    )


def test_check_only_reports_in_both_languages_and_stores_nothing(client, world):
    login(client, "author1")
    data = csv_bytes(GOOD_ROWS[0], BAD_ROW)
    english = _upload(client, world, data, "check")
    assert english.status_code == 200
    page = english.get_data(as_text=True)
    assert "row 3, column 答案" in page and "Answer E refers to an option that does not exist." in page
    assert "Check result (nothing was stored)" in page and "Would be imported" in page
    chinese = _upload(client, world, data, "check", headers=ZH).get_data(as_text=True)
    assert "第 3 行，“答案”列" in chinese and "答案“E”对应的选项不存在。" in chinese
    assert (_count(BankImport), _count(BankQuestion)) == (0, 0)
    entry = db.session.execute(sa.select(AuditEntry).where(AuditEntry.action == "bank.questions_checked")).scalars()
    assert len(list(entry)) == 2  # the check reads the bank, so it is audited like any content access


def test_import_stores_the_questions_and_shows_the_report(client, world):
    login(client, "author1")
    response = _upload(client, world, csv_bytes(*GOOD_ROWS), "import")
    assert response.status_code == 302
    record = db.session.execute(sa.select(BankImport)).scalar_one()
    assert response.headers["Location"].endswith(f"/bank/imports/{record.id}")
    assert (record.items_found, record.items_imported, record.created_by_id) == (5, 5, world.author.id)
    versions = db.session.execute(sa.select(QuestionVersion)).scalars().all()
    assert len(versions) == 5 and {v.created_by_id for v in versions} == {world.author.id}
    entry = db.session.execute(sa.select(AuditEntry).where(AuditEntry.action == "bank.questions_imported")).scalar_one()
    assert entry.actor_id == world.author.id and entry.object_id == str(record.id)
    page = client.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert "All 5 questions were imported as drafts." in page
    for version in versions:
        assert f'href="/bank/questions/{version.question_id}"' in page


def test_a_refused_import_is_on_record_with_its_report_in_both_languages(client, world):
    login(client, "author1")
    response = _upload(client, world, csv_bytes(GOOD_ROWS[0], BAD_ROW), "import")
    assert response.status_code == 302 and _count(BankQuestion) == 0
    record = db.session.execute(sa.select(BankImport)).scalar_one()
    assert record.items_imported == 0
    english = client.get(f"/bank/imports/{record.id}", headers=EN).get_data(as_text=True)
    assert "Answer E refers to an option that does not exist." in english and "row 3, column 答案" in english
    assert "This import created no questions." in english
    chinese = client.get(f"/bank/imports/{record.id}", headers=ZH).get_data(as_text=True)
    assert "答案“E”对应的选项不存在。" in chinese and "第 3 行，“答案”列" in chinese
    viewed = db.session.execute(sa.select(AuditEntry).where(AuditEntry.action == "bank.import_report_viewed"))
    assert len(viewed.scalars().all()) == 2


def test_partial_import_from_the_form(client, world):
    login(client, "author1")
    _upload(client, world, csv_bytes(GOOD_ROWS[0], BAD_ROW), "import", partial="y")
    record = db.session.execute(sa.select(BankImport)).scalar_one()
    assert (record.partial, record.items_imported, _count(BankQuestion)) == (True, 1, 1)


@pytest.mark.parametrize("action", ["check", "import"])
def test_a_trainer_author_is_refused_by_recusal(client, world, action):
    login(client, "trainauthor")
    response = _upload(client, world, csv_bytes(*GOOD_ROWS), action)
    assert response.status_code == 403
    assert "No access to this question bank" in response.get_data(as_text=True)
    assert _count(BankQuestion) == 0
    check = db.session.execute(sa.select(RecusalCheck)).scalar_one()  # the blocked attempt is on record
    assert check.allowed is False and check.actor_person_id == world.trainer_author.person_id
    if action == "import":
        record = db.session.execute(sa.select(BankImport)).scalar_one()
        assert record.items_imported == 0 and json.loads(record.report)["problems"][0]["code"] == (
            "bank_import_access_refused"
        )


def test_another_bodys_import_record_is_not_found(client, world, cli, tmp_path):
    path = tmp_path / "q.csv"
    path.write_bytes(csv_bytes(*GOOD_ROWS))
    cli.invoke(args=["bank", "import", str(path), "--occupation", world.occupation.code, "--level", str(LEVEL)])
    record_id = db.session.execute(sa.select(BankImport.id)).scalar_one()
    login(client, "outsider")
    assert client.get(f"/bank/imports/{record_id}").status_code == 404
    assert client.get("/bank/imports/999999").status_code == 404


@pytest.mark.parametrize(
    ("fields", "data", "filename", "message"),
    [
        ({}, None, None, "Choose the question file to upload."),
        ({}, b"", "empty.csv", "The file empty.csv is empty."),
        ({}, b"\x00\x01binary", "blob.bin", "The format of blob.bin could not be recognised"),
        ({"occupation_id": "999999"}, b"x", "q.csv", "Not a valid choice"),
        ({"level": "1"}, b"x", "q.csv", "Not a valid choice"),
        ({"level": "abc"}, b"x", "q.csv", "Invalid Choice"),
        ({"format": "pdf"}, b"x", "q.csv", "Not a valid choice"),
    ],
)
def test_bad_input_reshows_the_form_naming_the_field(client, world, fields, data, filename, message):
    login(client, "author1")
    form = {"occupation_id": str(world.occupation.id), "level": str(LEVEL), "format": "auto", "action": "import"}
    form.update(fields)
    if data is not None:
        form["file"] = (io.BytesIO(data), filename)
    response = post_form(
        client, "/bank/imports/new", form, page="/bank/imports/new", headers=EN, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert re.search(r'class="field has-error', page)
    assert (_count(BankImport), _count(BankQuestion)) == (0, 0)


def test_a_file_over_20_mb_is_refused_naming_the_file(client, world):
    login(client, "author1")
    big = csv_bytes(*GOOD_ROWS) + b"#" * (20 * 1024 * 1024)
    fields = {
        "occupation_id": str(world.occupation.id),
        "level": str(LEVEL),
        "format": "csv",
        "action": "import",
        "csrf_token": csrf_token(client, "/bank/imports/new"),
        "file": FileStorage(io.BytesIO(big), "big.csv"),
    }
    # encoded in memory: the test client would spool a body this large to a temporary file it never closes
    boundary, body = encode_multipart(fields)
    response = client.post(
        "/bank/imports/new", data=body, content_type=f"multipart/form-data; boundary={boundary}", headers=EN
    )
    assert response.status_code == 400
    assert "The file is larger than the limit of 20 MB." in response.get_data(as_text=True)
    assert _count(BankImport) == 0


def test_the_history_lists_imports_with_counts(app, client, world, cli, tmp_path):
    path = tmp_path / "history.csv"
    path.write_bytes(csv_bytes(GOOD_ROWS[0], BAD_ROW))
    cli.invoke(args=["bank", "import", str(path), "--occupation", world.occupation.code, "--level", "4", "--partial"])
    login(client, "bankadmin")
    page = client.get("/bank/imports", headers=EN).get_data(as_text=True)
    assert "history.csv" in page and "command line" in page and "(partial)" in page
    assert client.get("/bank/imports/new").status_code == 403  # an administrator handles no content
    other = app.test_client()
    login(other, "outsider")
    listing = other.get("/bank/imports")
    assert listing.status_code == 200 and "history.csv" not in listing.get_data(as_text=True)


def test_the_blank_template_downloads_with_its_example_row(client, world):
    login(client, "bankadmin")
    response = client.get("/bank/template.xlsx")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("题型", "题干") and "鉴定点" in rows[0]
    assert rows[1][0] == "单选"


def test_the_new_form_offers_the_bodys_occupations_and_assessed_levels(client, world):
    login(client, "author1")
    page = client.get("/bank/imports/new", headers=EN).get_data(as_text=True)
    assert world.occupation.code in page and world.other_occupation.code in page
    assert "Check only" in page and 'value="import"' in page
    assert 'value="1"' not in page.split('name="level"')[1].split("</select>")[0]


def _moodle_with_image(data: bytes, name: str = "pic.png") -> bytes:
    encoded = base64.b64encode(data).decode()
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<quiz><question type="truefalse"><name><text>看图</text></name>
<questiontext format="html"><text><![CDATA[<p>图中器物为青铜器。<img src="@@PLUGINFILE@@/{name}"></p>]]></text>
<file name="{name}" path="/" encoding="base64">{encoded}</file></questiontext>
<answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer>
</question></quiz>""".encode()


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buf, "PNG")
    return buf.getvalue()


def test_embedded_images_become_assets_of_the_version(world):
    outcome = import_questions(world.body, world.occupation, LEVEL, _moodle_with_image(_png()), "img.xml")
    assert outcome.complete, outcome.report.messages()
    db.session.commit()
    version = db.session.execute(sa.select(QuestionVersion)).scalar_one()
    [link] = version.assets
    assert link.name == "pic.png" and link.asset.media_type == "image/png" and link.asset.data == _png()
    assert link.asset.body_id == world.body.id


def test_an_embedded_file_that_is_no_image_is_refused_by_name(world):
    outcome = import_questions(world.body, world.occupation, LEVEL, _moodle_with_image(b"MZ\x90\x00", "x.png"), "x.xml")
    assert outcome.report.items_imported == 0 and _count(BankQuestion) == 0
    assert "The embedded file x.png is not a PNG, JPEG, GIF or WebP image." in outcome.report.messages("en")[-1]


def test_an_unsigned_pledge_leads_to_the_pledge_page(client, world):
    db.session.execute(sa.delete(BankPledge).where(BankPledge.user_id == world.author.id))
    db.session.commit()
    login(client, "author1")
    response = _upload(client, world, csv_bytes(*GOOD_ROWS), "import")
    assert response.status_code == 302 and f"/bank/pledge/{world.occupation.code}" in response.headers["Location"]
    assert (_count(BankImport), _count(BankQuestion)) == (0, 0)


def test_points_the_bank_cannot_store_exactly_are_refused_naming_the_row(world):
    thirds = "单选,一题三分之一分（　）。,甲,乙,丙,丁,A,0.333,,2,A-A-002"
    outcome = import_questions(world.body, world.occupation, LEVEL, csv_bytes(GOOD_ROWS[0], thirds), "q.csv")
    messages = outcome.report.messages("en")
    assert any("row 3" in m and "0.333" in m and "at most two decimals" in m for m in messages), messages
    assert _count(BankQuestion) == 0
