"""Eligibility rule sets: listed with the occupations that follow them, shown readably, edited as JSON with every
problem (and its path) shown and nothing saved, reset to the shipped version; `ruleset_for` follows the edits."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from certify.applications import rulesets_ops
from certify.applications.models import RuleSetRecord
from certify.applications.views_rulesets import bp
from certify.core.db import db
from certify.core.demo import seed_demo_world
from certify.supervision.models import AuditEntry
from tests.factories import login, post_form

RESTORER = "4-13-03-02"
KEY = "cultural_relics_restorer"


@pytest.fixture
def clients(app):
    if bp.name not in app.blueprints:
        app.register_blueprint(bp)
    seed_demo_world()
    db.session.commit()

    def client(username):
        c = app.test_client()
        login(c, username, "certify-demo")
        return c

    return client


def _records() -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(RuleSetRecord)).scalar()


def _shipped() -> dict:
    return rulesets_ops.shipped_data(KEY)


def _save(client, text: str, lang: str = "en"):
    return post_form(client, f"/rulesets/{KEY}/edit", {"text": text}, headers={"Accept-Language": lang})


def test_the_list_names_every_set_and_which_occupation_follows_which(clients):
    page = clients("reviewer").get("/rulesets", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert (
        "National occupational skill standard, 2018 template" in page
        and "Cultural relics restorer (4-13-03-02)" in page
    )
    assert f'{RESTORER} Cultural relics restorer</td><td><a href="/rulesets/{KEY}">' in page
    assert '4-13-03-03 Archaeological excavation worker</td><td><a href="/rulesets/template_new">' in page  # default


def test_a_rule_set_reads_in_the_users_language(clients):
    supervisor = clients("supervisor")
    zh = supervisor.get(f"/rulesets/{KEY}", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "四级/中级工" in zh and "累计从事本职业或相关职业工作满5年" in zh
    en = supervisor.get(f"/rulesets/{KEY}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Grade 4 / Intermediate worker" in en and "5 years of work in the occupation or a related one" in en
    assert "3 years of work after a Grade 5 / Junior worker certificate (or higher)" in en
    assert "Edit" not in en.split("</h1>", 1)[1]  # read-only for a supervisor


def test_a_syntax_error_names_line_and_column_and_nothing_is_saved(clients):
    admin = clients("admin")
    response = _save(admin, '{\n  "id": "cultural_relics_restorer",\n  "name": ,\n}')
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and "line 3, column 11" in text and "Nothing was saved" in text
    assert _records() == 0


def test_a_semantically_bad_rule_shows_each_problem_with_its_path(clients):
    admin = clients("admin")
    data = _shipped()
    data["levels"]["3"][0]["checks"][0]["years"] = -1
    data["levels"]["4"][0]["checks"][0]["kind"] = "luck"
    data["levels"]["9"] = data["levels"]["2"]
    response = _save(admin, json.dumps(data, ensure_ascii=False))
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "levels.3[0].checks[0].years: “-1” must be a whole number ≥ 0." in text
    assert "levels.4[0].checks[0].kind: unknown check kind “luck”" in text
    assert "levels.9:" in text
    assert "&#34;years&#34;: -1" in text or '"years": -1' in text  # the typed text is kept
    zh = _save(admin, json.dumps(data, ensure_ascii=False), lang="zh-CN").get_data(as_text=True)
    assert "levels.3[0].checks[0].years：“-1”应为不小于0的整数。" in zh
    assert _records() == 0


def test_the_id_stays_and_an_occupation_follows_one_rule_set(clients):
    admin = clients("admin")
    data = _shipped()
    data["id"] = "mine"
    text = _save(admin, json.dumps(data)).get_data(as_text=True)
    assert "must stay “cultural_relics_restorer”" in text
    data = rulesets_ops.shipped_data("template_2018")
    data["occupations"] = [RESTORER]
    response = post_form(
        admin, "/rulesets/template_2018/edit", {"text": json.dumps(data)}, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 400 and "already assigned to the rule set" in response.get_data(as_text=True)
    assert _records() == 0


def test_a_valid_edit_is_saved_audited_used_and_reset(clients):
    admin = clients("admin")
    data = _shipped()
    data["levels"]["3"][0]["checks"][0]["years"] = 6
    assert _save(admin, json.dumps(data, ensure_ascii=False, indent=2)).status_code == 302
    assert _records() == 1
    ruleset = rulesets_ops.ruleset_for(RESTORER)
    assert ruleset.options_for(3)[0].checks[0].years == 6
    page = admin.get(f"/rulesets/{KEY}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "6 years of work in the occupation or a related one" in page and "edited" in page
    edit = admin.get(f"/rulesets/{KEY}/edit").get_data(as_text=True)
    assert "&#34;years&#34;: 6" in edit or '"years": 6' in edit
    assert post_form(admin, f"/rulesets/{KEY}/reset", {}).status_code == 302
    assert _records() == 0 and rulesets_ops.ruleset_for(RESTORER).options_for(3)[0].checks[0].years == 5
    actions = db.session.execute(sa.select(AuditEntry.action).where(AuditEntry.object_type == "ruleset")).scalars()
    assert list(actions) == ["applications.ruleset_saved", "applications.ruleset_reset"]
    again = post_form(admin, f"/rulesets/{KEY}/reset", {}, headers={"Accept-Language": "en"}, follow_redirects=True)
    assert "already the shipped version" in again.get_data(as_text=True)


def test_unknown_occupations_get_the_default_template(app):
    assert rulesets_ops.ruleset_for("9-99-99-99").id == "template_new"


def test_access(clients):
    candidate = clients("candidate1")
    assert candidate.get("/rulesets").status_code == 403
    assert candidate.get(f"/rulesets/{KEY}").status_code == 403
    supervisor = clients("supervisor")
    assert supervisor.get(f"/rulesets/{KEY}/edit").status_code == 403
    assert post_form(supervisor, f"/rulesets/{KEY}/reset", {}).status_code == 403
    assert clients("reviewer").get(f"/rulesets/{KEY}").status_code == 200
    assert clients("admin").get("/rulesets/no_such_set").status_code == 404
    assert clients("admin").get("/rulesets/no_such_set/edit").status_code == 404
