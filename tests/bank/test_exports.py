"""Exports: the round trip through the database, the watermark and its audit entry, refusals."""

from __future__ import annotations

import io
import json
import re

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from certify.bank.exports import export_questions
from certify.bank.imports import import_questions
from certify.bank.models import QuestionVersion, VersionState
from certify.core.db import db
from certify.supervision.models import AuditEntry
from question_bank.formats import parse
from tests.bank.world import LEVEL, bank_world
from tests.factories import login, post_form

EN = {"Accept-Language": "en"}
FIVE = (
    "题型,题干,选项A,选项B,选项C,选项D,答案,分值,解析,难度,鉴定点\n"
    "判断,文物修复前必须建立修复档案。,,,,,错,1,档案先行。,2,B-B-001\n"
    "单选,文物修复应遵循的首要原则是（　）。,最小干预,全面更新,随意添加,改变原貌,A,2,,3,A-A-001\n"
    '多选,下列属于陶瓷器常见病害的有（　）。,破碎,裂纹,锈蚀,釉面剥落,"A,B,D",2,锈蚀是金属器的病害。,4,B-A-002\n'
    "填空,青铜器的主要成分是铜和_____。,,,,,锡|Sn,1,,2,A-B-003\n"
    "论述,论述“不改变文物原状”原则的含义。,,,,,从原材料、原工艺、原形制三方面论述。,10,,5,B-A-005\n"
).encode()


@pytest.fixture
def world(app):
    world = bank_world()
    outcome = import_questions(world.body, world.occupation, LEVEL, FIVE, "five.csv")
    assert outcome.complete, outcome.report.messages()
    db.session.commit()
    return world


def _stored() -> list[dict]:
    rows = db.session.execute(sa.select(QuestionVersion).order_by(QuestionVersion.question_id)).scalars()
    return [v.content_dict() for v in rows]


def _without_title(content: dict) -> dict:
    # the template has no title column and Moodle/QTI name an untitled question by its stem: a label, not content
    return {k: v for k, v in content.items() if k != "title"}


@pytest.mark.parametrize(("fmt", "name"), [("xlsx", "x.xlsx"), ("moodle-xml", "x.xml"), ("qti", "x.zip")])
def test_export_then_parse_gives_the_stored_questions(world, fmt, name):
    stored = _stored()
    assert {c["qtype"] for c in stored} == {"true_false", "single_choice", "multiple_choice", "fill_in", "essay"}
    filename, _mimetype, data = export_questions(world.body, world.occupation, LEVEL, ["draft"], fmt, world.author)
    db.session.commit()
    assert filename.endswith(name[1:])
    result = parse(data, filename=filename)
    assert result.report.ok, result.report.messages()
    assert [_without_title(q.to_dict(with_source=False)) for q in result.questions] == [
        _without_title(c) for c in stored
    ]


def test_an_exported_file_imports_back_as_duplicates_of_the_bank(world):
    _name, _type, data = export_questions(world.body, world.occupation, LEVEL, ["draft"], "moodle-xml", world.author)
    again = import_questions(world.body, world.occupation, LEVEL, data, "back.xml", dry_run=True)
    assert again.report.items_imported == 0
    assert again.report.codes().count("bank_import_duplicate_in_bank") == 5


def _export(client, world, **fields):
    form = {"occupation_id": str(world.occupation.id), "level": str(LEVEL), "states": ["active"], "format": "xlsx"}
    form.update(fields)
    return post_form(client, "/bank/exports/new", form, page="/bank/exports/new", headers=EN)


def _activate_all() -> None:
    for version in db.session.execute(sa.select(QuestionVersion)).scalars():
        version.state = VersionState.ACTIVE
    db.session.commit()


def test_the_export_carries_the_watermark_of_its_audit_entry(client, world):
    _activate_all()
    login(client, "author1")
    response = _export(client, world, format="moodle-xml")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    entry = db.session.execute(sa.select(AuditEntry).where(AuditEntry.action == "bank.questions_exported")).scalar_one()
    details = json.loads(entry.after)
    assert entry.actor_id == world.author.id
    assert (details["format"], details["count"], len(details["question_ids"])) == ("moodle_xml", 5, 5)
    text = response.get_data(as_text=True)
    assert re.search(rf"CONFIDENTIAL 保密 · Author1 \(author1\) · [0-9-]+ [0-9:]+ UTC · audit #{entry.seq}\b", text)


def test_an_xlsx_export_is_watermarked_in_the_workbook(client, world):
    _activate_all()
    login(client, "author1")
    response = _export(client, world)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    seq = db.session.execute(sa.select(sa.func.max(AuditEntry.seq))).scalar_one()
    assert book.properties.description.startswith("CONFIDENTIAL 保密 · Author1 (author1)")
    assert book.properties.description.endswith(f"audit #{seq}")
    assert book["说明"]["A1"].value == book.properties.description
    assert book.active.max_row == 6


def test_only_the_chosen_states_are_exported(client, world):
    login(client, "author1")
    nothing = _export(client, world)  # everything is still a draft
    assert nothing.status_code == 400
    assert "No question of 4-13-03-02 at this level is in the chosen states." in nothing.get_data(as_text=True)
    none_chosen = _export(client, world, states=[])
    assert none_chosen.status_code == 400
    assert "Choose at least one state of the questions to export." in none_chosen.get_data(as_text=True)
    drafts = _export(client, world, states=["draft", "retired"], format="qti")
    assert drafts.status_code == 200 and drafts.mimetype == "application/zip"
    assert len(parse(drafts.data, filename="x.zip").questions) == 5


def test_a_trainer_author_may_not_export(client, world):
    _activate_all()
    login(client, "trainauthor")
    response = _export(client, world)
    assert response.status_code == 403
    assert "No access to this question bank" in response.get_data(as_text=True)
    actions = set(db.session.execute(sa.select(AuditEntry.action)).scalars())
    assert "recusal.blocked" in actions and "bank.questions_exported" not in actions


def test_bad_export_input_reshows_the_form(client, world):
    login(client, "author1")
    for fields, message in [
        ({"format": "pdf"}, "Not a valid choice"),
        ({"occupation_id": "999999"}, "Not a valid choice"),
        ({"states": ["superseded"]}, "is not a valid choice for this field"),
    ]:
        response = _export(client, world, **fields)
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert client.get("/bank/exports/new", headers=EN).status_code == 200
