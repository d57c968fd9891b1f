"""Blueprints: written on a form prefilled from the element table, refused with every problem next to its field,
checked against the live bank (shortfall per range), approved by a second person only when feasible."""

from __future__ import annotations

import json
import re

import pytest

from certify.auth.models import Role
from certify.bank import assembly_ops, blueprints_ops
from certify.bank.models import BlueprintRecord, BlueprintState
from certify.core.db import db
from certify.core.errors import Refused
from tests.bank.test_blueprints_support import (
    SPEC,
    audit_entries,
    count_rows,
    english_client,
    make_blueprint,
    make_questions,
    texts,
)
from tests.bank.world import LEVEL, OCCUPATION, bank_world, point_codes
from tests.factories import login, make_user, post_form

NEW = f"/bank/blueprints/new?occupation={OCCUPATION}&level={LEVEL}"


@pytest.fixture
def world(app):
    return bank_world()


@pytest.fixture
def client(app):
    return english_client(app)


def _form(**changes) -> dict:
    """The blueprint form as a browser posts it (cells in table order: A-A, A-B, B-A, B-B)."""
    data = {
        "name": "高级工理论方案",
        "weight_0": "20",
        "weight_1": "20",
        "weight_2": "30",
        "weight_3": "30",
        "count_true_false": "4",
        "points_true_false": "5",
        "count_single_choice": "6",
        "points_single_choice": "5",
        "count_multiple_choice": "5",
        "points_multiple_choice": "10",
        "difficulty_low": "2",
        "difficulty_high": "4",
        "forms": "2",
        "exposure_cap": "0.5",
        "exclude_last_sessions": "0",
        "max_form_overlap": "0.2",
        "pretest_count": "0",
        "multiple_choice_credit": "all_or_nothing",
    }
    return {**data, **changes}


def _small_bank(world) -> None:
    """Three points per range with true/false and single choice, one with multiple choice: too small."""
    make_questions(world, points=[p for p in point_codes() if int(p[-3:]) <= 3], types=("true_false", "single_choice"))
    make_questions(world, points=[p for p in point_codes() if p.endswith("-001")], types=("multiple_choice",))


def test_the_new_form_is_prefilled_with_the_levels_weights(world, client):
    login(client, "bankadmin")
    page = client.get(NEW).get_data(as_text=True)
    assert re.search(r'id="weight_0"[^>]*value="20"', page) and re.search(r'id="weight_2"[^>]*value="30"', page)
    assert "A-A" in page and "文物保护法规" in page and "B-B" in page


def test_every_problem_is_shown_next_to_its_field_and_nothing_is_saved(world, client):
    login(client, "bankadmin")
    response = post_form(client, NEW, _form(weight_0="25", count_single_choice="4", forms="1", difficulty_low="5"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    weight_error = re.search(r'id="weight_0-error">(.*?)</ul>', page, re.S).group(1)
    assert "Range A-A: the blueprint has 25%, the element table 20%." in weight_error
    assert "at least 2 parallel forms" in re.search(r'id="forms-error">(.*?)</ul>', page, re.S).group(1)
    assert "lower bound is above the upper bound" in re.search(r'id="difficulty_low-error">(.*?)</ul>', page, re.S)[1]
    summary = re.search(r'class="error-summary".*?</div>', page, re.S).group(0)
    assert "The weight table sums to 105%, not 100%." in summary
    assert "Question types add up to 90 points; the paper must have exactly 100." in summary
    assert count_rows(BlueprintRecord) == 0


def test_problems_speak_the_users_language(world, client):
    login(client, "bankadmin", lang="zh-CN")
    page = post_form(client, NEW, _form(weight_0="25"), headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "鉴定范围 A-A：组卷方案比重为 25%，鉴定要素细目表为 20%。" in page


def test_a_saved_blueprint_is_a_draft_and_audited(world, client):
    login(client, "bankadmin")
    response = post_form(client, NEW, _form())
    record = db.session.get(BlueprintRecord, 1)
    assert response.status_code == 302 and response.headers["Location"].endswith("/bank/blueprints/1")
    assert record.state == BlueprintState.DRAFT and record.created_by_id == world.admin.id
    spec = record.spec_dict()
    assert spec["weights"] == {"A-A": 20, "A-B": 20, "B-A": 30, "B-B": 30}
    assert [t["type_key"] for t in spec["types"]] == ["true_false", "single_choice", "multiple_choice"]
    assert spec["pretest_count"] == 0 and spec["multiple_choice_credit"] == "all_or_nothing"
    assert json.loads(audit_entries("bank.blueprint_saved")[-1].after)["spec"] == spec


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("occupation=9-99-99-99&level=4", "Choose one of your body"),
        (f"occupation={OCCUPATION}&level=7", "Choose a level with a theory examination"),
        (f"occupation={OCCUPATION}&level=abc", "Choose a level with a theory examination"),
        ("occupation=4-13-03-03&level=4", "has no weights for this level"),
    ],
)
def test_a_bad_occupation_or_level_is_answered_with_the_reason(world, client, query, message):
    login(client, "bankadmin")
    response = client.get(f"/bank/blueprints/new?{query}")
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert client.get("/bank/blueprints/new").status_code == 200  # the chooser


def test_the_spec_from_json_is_refused_with_every_problem(world):
    spec = {**SPEC, "forms": "two", "pretest_count": -1, "multiple_choice_credit": "most", "weights": {"A-A": "x"}}
    with pytest.raises(Refused) as refused:
        blueprints_ops.save_blueprint(world.body, world.occupation, LEVEL, "", spec, world.admin)
    fields = {p.field for p in refused.value.problems}
    assert {"name", "forms", "pretest_count", "multiple_choice_credit", "weight:A-A"} <= fields
    assert "most" in texts(refused.value)


def test_editing_resets_to_draft_and_a_used_blueprint_is_copied(world, client):
    make_questions(world)
    record = make_blueprint(world)
    login(client, "bankadmin")
    response = post_form(client, f"/bank/blueprints/{record.id}/edit", _form(name="改名"))
    db.session.refresh(record)
    assert response.status_code == 302 and record.state == BlueprintState.DRAFT and record.name == "改名"
    blueprints_ops.approve_blueprint(record, world.reviewer)
    assembly_ops.assemble_papers(record, "s", 2, "w", 0, world.admin)
    db.session.commit()
    response = post_form(
        client, f"/bank/blueprints/{record.id}/edit", _form(difficulty_low="2.5"), follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert f"Papers were assembled from blueprint #{record.id}" in page and "new draft blueprint #2" in page
    db.session.refresh(record)
    copy = db.session.get(BlueprintRecord, 2)
    assert record.state == BlueprintState.APPROVED and record.spec_dict()["difficulty_band"] == [2, 4]
    assert copy.state == BlueprintState.DRAFT and copy.spec_dict()["difficulty_band"] == [2.5, 4]
    assert json.loads(audit_entries("bank.blueprint_saved")[-1].after)["copied_from"] == record.id


def test_the_feasibility_page_names_the_shortfall_of_a_small_bank(world, client):
    _small_bank(world)
    record = make_blueprint(world, approve=False)
    login(client, "author1")
    page = client.get(f"/bank/blueprints/{record.id}/feasibility").get_data(as_text=True)
    assert "Range B-A, ladder level 4: the bank holds 40 points, needs 60 (2× the weight 30); short by 20." in page
    assert "Range B-B: weight 30 points, but eligible items on distinct points reach only" in page
    assert "Ladder level 4: the bank holds 160 points in all, needs at least 200; short by 40." in page
    assert re.search(r'class="bad">40 / 60', page)  # bank points vs needed, highlighted
    assert "160 points; the rule needs at least 200" in page
    zh = client.get(f"/bank/blueprints/{record.id}/feasibility", headers={"Accept-Language": "zh-CN"})
    assert "题库现有 40 分，需不少于 60 分" in zh.get_data(as_text=True)


def test_the_feasibility_page_shows_needs_per_form_and_over_all_forms(world, client):
    make_questions(world, points=[p for p in point_codes() if int(p[-3:]) <= 4])
    record = make_blueprint(world, approve=False)
    login(client, "bankadmin")
    page = client.get(f"/bank/blueprints/{record.id}/feasibility").get_data(as_text=True)
    assert "The bank can serve this blueprint." in page
    report = blueprints_ops.evaluate(record).report
    row = next(r for r in report.cells if r.cell == "B-A")
    assert sum(row.needed.values()) >= 1 and row.needed_all_forms != row.needed
    assert "48 active questions" in page


def test_approval_is_refused_while_infeasible_and_for_the_author(world, client):
    _small_bank(world)
    login(client, "bankadmin")
    post_form(client, NEW, _form())
    record = db.session.get(BlueprintRecord, 1)
    page = post_form(client, "/bank/blueprints/1/approve", follow_redirects=True).get_data(as_text=True)
    assert "You wrote this blueprint" in page
    client.post("/logout", data={"csrf_token": ""})
    reviewer = english_client(client.application)
    login(reviewer, "reviewer1")
    page = post_form(reviewer, "/bank/blueprints/1/approve", follow_redirects=True).get_data(as_text=True)
    assert "Range B-A, ladder level 4: the bank holds 40 points" in page
    db.session.refresh(record)
    assert record.state == BlueprintState.DRAFT
    make_questions(world)  # the bank grows
    post_form(reviewer, "/bank/blueprints/1/check")
    db.session.refresh(record)
    assert record.checked_at is not None and json.loads(record.feasibility)["ok"] is True
    page = post_form(reviewer, "/bank/blueprints/1/approve", follow_redirects=True).get_data(as_text=True)
    db.session.refresh(record)
    assert record.state == BlueprintState.APPROVED and record.approved_by_id == world.reviewer.id
    assert "The blueprint is approved" in page
    assert [e.action for e in audit_entries("bank.blueprint_approved")] == ["bank.blueprint_approved"]


def test_a_retired_blueprint_cannot_be_changed(world, client):
    make_questions(world)
    record = make_blueprint(world)
    login(client, "reviewer1")
    post_form(client, f"/bank/blueprints/{record.id}/retire")
    db.session.refresh(record)
    assert record.state == BlueprintState.RETIRED and audit_entries("bank.blueprint_retired")
    page = post_form(client, f"/bank/blueprints/{record.id}/edit", _form()).get_data(as_text=True)
    assert "This blueprint is retired" in page


def test_who_may_see_and_change_blueprints(world, client, app):
    make_questions(world)
    record = make_blueprint(world)
    make_user("super1", Role.SUPERVISOR, body=world.body)
    for username, view, change in (
        ("super1", 200, 403),
        ("author1", 200, 403),
        ("reviewer1", 200, 200),
        ("outsider", 404, 403),  # an author: not allowed to assemble anywhere
    ):
        user_client = english_client(app)
        login(user_client, username)
        assert user_client.get(f"/bank/blueprints/{record.id}").status_code == view, username
        assert user_client.get(f"/bank/blueprints/{record.id}/feasibility").status_code == view, username
        assert user_client.get(f"/bank/blueprints/{record.id}/assemble").status_code == change, username
    assert app.test_client().get("/bank/blueprints").status_code == 302  # to the login page
    supervisor = english_client(app)
    login(supervisor, "super1")
    listing = supervisor.get("/bank/blueprints").get_data(as_text=True)
    assert "高级工理论A/B卷" in listing and "approved" in listing and "New blueprint" not in listing
