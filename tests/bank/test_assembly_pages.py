"""The assembly pages: assemble from the web, the run with its forms, a paper's structure without content, its
content only through the content gate (audited, trainers refused), and the candidate preview's key mapping."""

from __future__ import annotations

import json
import re

import pytest

from certify.bank import assembly_ops
from certify.bank.models import AssemblyRun, PaperRecord
from certify.core.db import db
from question_bank.paper import personalise
from tests.bank.test_blueprints_support import (
    audit_entries,
    count_rows,
    english_client,
    make_blueprint,
    make_questions,
)
from tests.bank.world import bank_world
from tests.factories import login, post_form


@pytest.fixture
def world(app):
    world = bank_world()
    make_questions(world)
    return world


@pytest.fixture
def client(app):
    return english_client(app)


@pytest.fixture
def run(world) -> AssemblyRun:
    record = make_blueprint(world)
    stored = assembly_ops.assemble_papers(record, "web-seed", 2, "2026-12", 30, world.admin)
    db.session.commit()
    return stored


def test_the_assemble_page_prefills_a_seed_and_stores_the_run(world, client):
    record = make_blueprint(world)
    login(client, "reviewer1")
    page = client.get(f"/bank/blueprints/{record.id}/assemble").get_data(as_text=True)
    assert re.search(r'id="seed"[^>]*value="\d+"', page) and re.search(r'id="forms"[^>]*value="2"', page)
    data = {"seed": "42", "forms": "2", "window": "2026-12", "candidates": "30"}
    response = post_form(client, f"/bank/blueprints/{record.id}/assemble", data)
    run = db.session.get(AssemblyRun, 1)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/bank/runs/{run.id}")
    assert run.seed == "42" and run.window == "2026-12" and run.created_by_id == world.reviewer.id
    assert [p.candidates for p in run.papers] == [15, 15]


def test_the_assemble_page_refuses_naming_the_field_and_stores_nothing(world, client):
    record = make_blueprint(world, exposure_cap=0.3)
    login(client, "bankadmin")
    data = {"seed": "1", "forms": "1", "window": "w", "candidates": "-1"}
    bad = post_form(client, f"/bank/blueprints/{record.id}/assemble", data)
    page = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert "Assemble between 2 and 26 forms." in re.search(r'id="forms-error">(.*?)</ul>', page, re.S)[1]
    assert "Enter the expected candidates" in re.search(r'id="candidates-error">(.*?)</ul>', page, re.S)[1]
    data = {"seed": "1", "forms": "2", "window": "2026-12", "candidates": "100"}
    page = post_form(client, f"/bank/blueprints/{record.id}/assemble", data).get_data(as_text=True)
    assert "held back by recent use and" in page and "by the exposure cap" in page
    assert count_rows(AssemblyRun) == 0


def test_a_draft_cannot_be_assembled_from_the_web(world, client):
    record = make_blueprint(world, approve=False)
    login(client, "bankadmin")
    assert "only from an approved blueprint" in client.get(f"/bank/blueprints/{record.id}/assemble").get_data(True)
    data = {"seed": "1", "forms": "2", "window": "2026-12", "candidates": "0"}
    assert post_form(client, f"/bank/blueprints/{record.id}/assemble", data).status_code == 400
    assert count_rows(AssemblyRun) == 0


def test_the_run_page_shows_seed_forms_points_per_range_and_overlap(world, client, run):
    login(client, "author1")
    page = client.get(f"/bank/runs/{run.id}").get_data(as_text=True)
    assert "web-seed" in page and "2026-12" in page
    shared = assembly_ops.shared_between(run.papers)[0][2]
    assert f"Forms A and B share {shared} questions." in page
    assert re.search(r"<code>B-A</code></th><td>30</td><td>30</td>", page)


def test_recording_the_session_of_a_run(world, client, run):
    login(client, "reviewer1")
    data = {"session_label": "2026年12月理论考试", "session_on": "2026-12-05"}
    post_form(client, f"/bank/runs/{run.id}/used", data)
    db.session.refresh(run)
    assert run.session_label == "2026年12月理论考试" and run.session_on is not None
    bad = {"session_label": "", "session_on": "x"}
    page = post_form(client, f"/bank/runs/{run.id}/used", bad, follow_redirects=True).get_data(as_text=True)
    assert "Session: This field is required." in page and run.session_label == "2026年12月理论考试"


def test_the_paper_page_shows_structure_and_no_content(world, client, run):
    paper = run.papers[0]
    login(client, "author1")
    page = client.get(f"/bank/papers/{paper.id}").get_data(as_text=True)
    first = paper.items[0]
    assert f'href="/bank/questions/{first.question_id}"' in page and first.point_code in page
    assert "选择题" not in page and "判断题" not in page  # no stems
    assert audit_entries("bank.paper_viewed") == []


def test_paper_content_is_audited_and_refused_to_a_trainer_of_the_occupation(world, client, app, run):
    paper = run.papers[0]
    login(client, "author1")
    response = client.get(f"/bank/papers/{paper.id}/content")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "判断题" in page
    entry = audit_entries("bank.paper_viewed")[-1]
    assert entry.object_type == "paper" and entry.object_id == str(paper.id)
    trainer = english_client(app)
    login(trainer, "trainauthor")
    blocked = trainer.get(f"/bank/papers/{paper.id}/content")
    assert blocked.status_code == 403 and "判断题" not in blocked.get_data(as_text=True)
    supervisor_like = english_client(app)
    login(supervisor_like, "bankadmin")
    assert supervisor_like.get(f"/bank/papers/{paper.id}/content").status_code == 403  # no content role
    outsider = english_client(app)
    login(outsider, "outsider")
    assert outsider.get(f"/bank/papers/{paper.id}/content").status_code == 404


def test_the_candidate_preview_keeps_the_key_mapping(world, client, run):
    paper = db.session.get(PaperRecord, run.papers[0].id)
    login(client, "reviewer1")
    page = client.get(f"/bank/papers/{paper.id}/content?candidate=cand-7").get_data(as_text=True)
    personal = personalise(assembly_ops.paper_from_record(paper), "cand-7")
    shown = re.findall(r'<td class="display-key">([^<]*)</td>', page)
    assert shown == ["".join(q.key) for q in personal.questions]
    canonical = {str(i.version_id): i for i in paper.items}
    choices = [q for q in personal.questions if q.type_key in ("single_choice", "multiple_choice")]
    assert choices and any(q.options != tuple(sorted(q.options)) for q in choices)  # options were shuffled
    for question in choices:
        item = canonical[question.item_id]
        assert question.to_canonical(question.key) == assembly_ops.options_and_key(item.version)[1]
        assert f"{question.labels[0]} = {question.options[0]}" in page
    true_false = [q for q in personal.questions if q.type_key == "true_false"]
    assert all(q.key == ("true",) for q in true_false)  # true/false keeps 对/错 in place
    assert json.loads(audit_entries("bank.paper_viewed")[-1].after)["candidate"] == "cand-7"
    assert client.get(f"/bank/papers/{paper.id}/content?candidate=" + "x" * 101).status_code == 400
