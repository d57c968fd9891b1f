"""The review queue: flagged questions grouped, oldest first, filtered; a reviewer resolves them with a note."""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa

from certify.auth.models import Role
from certify.bank.models import FlagState, ItemFlag, QuestionVersion, VersionState
from certify.bank.statistics_ops import record_session_statistics, resolve_flag
from certify.core.db import db
from certify.core.errors import Refused
from certify.supervision.models import AuditEntry
from tests.bank.test_statistics import make_paper, matrix
from tests.factories import login, make_user, post_form

EN = {"Accept-Language": "en"}


def _two_sittings(app):
    """Two sittings of one paper: E, H, N flagged twice; A1 only in the second (a stricter facility limit)."""
    pw = make_paper()
    record_session_statistics(pw.paper, "2026-03", matrix())
    db.session.commit()
    app.config["CERTIFY_ITEM_FLAG_FACILITY_HIGH"] = 0.7
    record_session_statistics(pw.paper, "2026-06", matrix())
    db.session.commit()
    app.config["CERTIFY_ITEM_FLAG_FACILITY_HIGH"] = 0.9
    return pw


def _open(question_id: int) -> list[ItemFlag]:
    return list(
        db.session.execute(
            sa.select(ItemFlag).where(ItemFlag.question_id == question_id, ItemFlag.state == FlagState.OPEN)
        ).scalars()
    )


def _group_order(page: str) -> list[int]:
    return [int(n) for n in re.findall(r"/bank/questions/(\d+)/statistics", page)]


def test_the_queue_groups_flags_by_question_oldest_first_and_filters(app, client):
    pw = _two_sittings(app)
    other = make_paper(pw.world, form="B", occupation=pw.world.other_occupation)
    record_session_statistics(other.paper, "2026-06 鉴定师", matrix())
    db.session.commit()
    make_user("supervisor1", Role.SUPERVISOR, body=pw.world.body)
    login(client, "supervisor1")
    page = client.get("/bank/flags", headers=EN).get_data(as_text=True)
    q = pw.questions
    order = _group_order(page)
    assert order[:4] == [q["E"].id, q["H"].id, q["N"].id, q["A1"].id]
    assert len(order) == 7 and "7 question(s) to review." in page
    # E's group holds both sittings' flags (each with the limit of its day); the other paper's E has its own
    assert page.count("facility 1.0 is above 0.9") == 2 and page.count("facility 1.0 is above 0.7") == 1
    assert "Record the decision" not in page  # a supervisor sees the queue but does not decide
    filtered = client.get(f"/bank/flags?occupation={pw.world.occupation.id}", headers=EN).get_data(as_text=True)
    assert len(_group_order(filtered)) == 4 and other.questions["E"].id not in _group_order(filtered)
    assert "No open flags." in client.get("/bank/flags?level=5", headers=EN).get_data(as_text=True)
    assert len(_group_order(client.get("/bank/flags?level=4&occupation=x").get_data(as_text=True))) == 7


def test_other_bodies_and_candidates_see_nothing(app, client):
    pw = _two_sittings(app)
    login(client, "outsider")
    page = client.get("/bank/flags", headers=EN).get_data(as_text=True)
    assert "No open flags." in page
    make_user("cand", Role.CANDIDATE)
    candidate = app.test_client()
    login(candidate, "cand")
    assert candidate.get("/bank/flags").status_code == 403
    flag = _open(pw.questions["E"].id)[0]
    other_reviewer = make_user("otherreviewer", Role.REVIEWER, body=pw.world.outsider.body)
    stranger = app.test_client()
    login(stranger, other_reviewer.username)
    response = post_form(stranger, f"/bank/flags/{flag.id}/resolve", {"resolution": "keep", "note": "x"})
    assert response.status_code == 404
    assert len(_open(pw.questions["E"].id)) == 2


def test_resolving_needs_a_reviewer_and_a_note(app, client):
    pw = _two_sittings(app)
    flag = _open(pw.questions["E"].id)[0]
    login(client, "author1")
    assert post_form(client, f"/bank/flags/{flag.id}/resolve", {"resolution": "keep", "note": "ok"}).status_code == 403
    with pytest.raises(Refused) as refused:
        resolve_flag(flag, pw.world.author, "keep", "ok")
    assert refused.value.problems[0].code == "bank_flag_reviewer_only"
    db.session.rollback()
    reviewer = app.test_client()
    login(reviewer, "reviewer1")
    url = f"/bank/flags/{flag.id}/resolve"
    page = post_form(reviewer, url, {"resolution": "keep", "note": "  "}, headers=EN, follow_redirects=True)
    assert "Write a note saying why." in page.get_data(as_text=True)
    page = post_form(reviewer, url, {"resolution": "ignore", "note": "x"}, headers=EN, follow_redirects=True)
    assert "Choose whether to keep, edit or retire the question." in page.get_data(as_text=True)
    assert len(_open(pw.questions["E"].id)) == 2


def test_keep_resolves_every_open_flag_of_the_question_with_an_audit_entry(app, client):
    pw = _two_sittings(app)
    flags = _open(pw.questions["E"].id)
    login(client, "reviewer1")
    response = post_form(
        client,
        f"/bank/flags/{flags[1].id}/resolve",
        {"resolution": "keep", "note": "判断题，过易属正常"},
        headers=EN,
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert f"Question {pw.questions['E'].id}: 2 flag(s) resolved" in page
    assert pw.questions["E"].id not in _group_order(page) and pw.questions["H"].id in _group_order(page)
    assert _open(pw.questions["E"].id) == []
    stored = db.session.get(ItemFlag, flags[0].id)
    assert stored.resolution == "keep" and stored.note == "判断题，过易属正常" and stored.resolved_by_id
    entry = db.session.execute(sa.select(AuditEntry).where(AuditEntry.action == "bank.flag_resolved")).scalar_one()
    assert json.loads(entry.after)["flags"] == [flags[0].id, flags[1].id]
    again = post_form(client, f"/bank/flags/{flags[0].id}/resolve", {"resolution": "keep", "note": "x"}, headers=EN)
    assert "already been resolved" in client.get(again.headers["Location"], headers=EN).get_data(as_text=True)


def test_retire_retires_the_flagged_version(app, client):
    pw = _two_sittings(app)
    flag = _open(pw.questions["N"].id)[0]
    login(client, "reviewer1")
    response = post_form(
        client, f"/bank/flags/{flag.id}/resolve", {"resolution": "retire", "note": "高分者答错，题意有歧义"}, headers=EN
    )
    assert response.status_code == 302
    version = db.session.get(QuestionVersion, flag.version_id)
    db.session.refresh(version)
    assert version.state == VersionState.RETIRED and version.retired_reason == "高分者答错，题意有歧义"
    assert _open(pw.questions["N"].id) == []
    assert db.session.get(ItemFlag, flag.id).resolution == "retire"


def test_the_item_page_offers_reviewers_the_decision(app, client):
    pw = _two_sittings(app)
    login(client, "reviewer1")
    page = client.get(f"/bank/questions/{pw.questions['A1'].id}/statistics", headers=EN).get_data(as_text=True)
    assert "Record the decision" in page and "Decide on the open flags" in page
    assert "facility 0.75 is above 0.7" in page  # flagged only in the second sitting
