"""Who sees what (a candidate only their own; staff only their body's submitted applications) and the forms'
refusals: every problem at once, on its field, nothing changed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from certify.applications.models import Application, ApplicationEvent
from certify.auth.models import Role
from certify.core.db import db
from certify.institutions import operations as inst_ops
from tests.applications.test_apply_workflow import (
    WORKED_SINCE_2015,
    apply_world,
    client_for,
    create,
    errors,
    occupation,
    person,
    png,
    ready_and_submitted,
    save_profile,
    text,
    upload,
)
from tests.factories import PASSWORD, login, make_body, make_user, post_form


@pytest.fixture
def web(app):
    return apply_world(app)


def _count(model) -> int:
    db.session.expire_all()
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def test_a_candidate_cannot_see_or_touch_another_candidates_application(web):
    owner = client_for(web, "candidate1")
    app_id = create(owner)
    assert upload(owner, app_id, [(png(), "id.png")]).status_code == 302
    evidence_id = db.session.execute(sa.select(Application).where(Application.id == app_id)).scalar_one().evidence[0].id
    other = client_for(web, "candidate2")
    for url in (
        f"/applications/{app_id}",
        f"/applications/{app_id}/profile",
        f"/applications/{app_id}/evidence/{evidence_id}",
    ):
        assert other.get(url).status_code == 404, url
    events = _count(ApplicationEvent)
    for url in (
        f"/applications/{app_id}/profile",
        f"/applications/{app_id}/pledge",
        f"/applications/{app_id}/submit",
        f"/applications/{app_id}/evidence/{evidence_id}/delete",
    ):
        assert post_form(other, url, WORKED_SINCE_2015).status_code == 404, url
    assert _count(ApplicationEvent) == events
    assert f"/applications/{app_id}" not in text(other.get("/applications"))
    # the owner's evidence of another application is not reachable through one of their own
    second = create(owner, level=2)
    assert owner.get(f"/applications/{second}/evidence/{evidence_id}").status_code == 404


def test_staff_never_use_the_candidate_pages_and_candidates_never_the_review(web):
    _, app_id = ready_and_submitted(web)
    admin = client_for(web, "admin")
    assert admin.get("/applications").status_code == 403
    assert admin.get(f"/applications/{app_id}").status_code == 403
    candidate = client_for(web, "candidate1")
    assert candidate.get("/review/applications").status_code == 403
    assert candidate.get(f"/review/applications/{app_id}").status_code == 403


def test_another_bodys_admin_and_drafts_are_404(web):
    _, app_id = ready_and_submitted(web)
    other_body = make_body("另一评价机构")
    make_user("otheradmin", Role.ADMIN, body=other_body)
    outsider = web.test_client()
    login(outsider, "otheradmin", PASSWORD)
    assert outsider.get(f"/review/applications/{app_id}").status_code == 404
    row = db.session.get(Application, app_id)
    assert outsider.get(f"/review/applications/{app_id}/evidence/{row.evidence[0].id}").status_code == 404
    assert post_form(outsider, f"/review/applications/{app_id}/approve").status_code == 404
    assert f"/review/applications/{app_id}" not in text(outsider.get("/review/applications?state=all"))
    draft_id = create(client_for(web, "candidate2"))
    assert client_for(web, "admin").get(f"/review/applications/{draft_id}").status_code == 404


def test_a_new_application_refuses_every_problem_at_once(web):
    client = client_for(web, "candidate1")
    before = _count(Application)
    restorer = occupation()
    response = post_form(
        client, "/applications/new", {"body_id": "", "occupation_id": restorer.id, "direction_id": "", "level": 7}
    )
    page = text(response)
    assert response.status_code == 400
    assert "Choose a certification body." in page
    assert "Special-grade technician is obtained by appointment by an employer-type body" in page
    assert _count(Application) == before


def test_direction_rules_and_occupations_not_filed(web):
    client = client_for(web, "candidate1")
    body_id = person("admin").body_id
    restorer = occupation()
    digger = occupation("4-13-03-03")
    response = post_form(
        client, "/applications/new", {"body_id": body_id, "occupation_id": restorer.id, "direction_id": "", "level": 3}
    )
    assert response.status_code == 400 and "Choose the direction of Cultural relics restorer." in text(response)
    response = post_form(
        client,
        "/applications/new",
        {"body_id": body_id, "occupation_id": digger.id, "direction_id": restorer.directions[0].id, "level": 3},
    )
    assert response.status_code == 400 and "has no directions" in text(response)
    unfiled = inst_ops.save_occupation(
        None, {"code": "4-13-03-09", "name_zh": "测试职业", "name_en": "Test", "standard_version": "2020"}
    )
    db.session.commit()
    response = post_form(
        client, "/applications/new", {"body_id": body_id, "occupation_id": unfiled.id, "direction_id": "", "level": 3}
    )
    assert response.status_code == 400 and "This body is not filed for the occupation you chose." in text(response)


def test_a_second_open_application_for_the_same_level_is_refused(web):
    client = client_for(web, "candidate1")
    first = create(client)
    restorer = occupation()
    response = post_form(
        client,
        "/applications/new",
        {
            "body_id": person("admin").body_id,
            "occupation_id": restorer.id,
            "direction_id": restorer.directions[1].id,
            "level": 3,
        },
    )
    assert response.status_code == 400 and f"(#{first})" in text(response)


def test_profile_problems_are_shown_on_their_fields_and_nothing_is_saved(web):
    client = client_for(web, "candidate1")
    app_id = create(client)
    fields = {
        **WORKED_SINCE_2015,
        "work_history-1-employer": "某公司",
        "work_history-1-start": "2020-05-01",
        "work_history-1-end": "2019-01-01",
        "certificates-0-number": "S000011000001203000123",
        "certificates-0-level": "2",
        "certificates-0-issued_on": "2020-12-20",
        "titles-0-name": "助理馆员",
    }
    response = save_profile(client, app_id, fields)
    page = text(response)
    assert response.status_code == 400, errors(response)
    assert (
        "Work history, row 2: To (empty if still there): the end date 2019-01-01 is before the start date 2020-05-01."
        in page
    )
    assert "Certificates, row 1: Level: the number names Grade 3 / Senior worker but the entry says Grade 5" in page
    assert "Professional titles, row 1: Title grade: is required." in page
    assert 'value="某公司"' in page  # what was typed is kept
    assert db.session.get(Application, app_id).profile == "{}"


def test_rows_are_added_without_javascript_and_blank_rows_are_ignored(web):
    client = client_for(web, "candidate1")
    app_id = create(client)
    response = save_profile(client, app_id, {**WORKED_SINCE_2015, "add_row": "work_history"})
    page = text(response)
    assert response.status_code == 200 and 'name="work_history-1-employer"' in page and 'value="陶瓷修复"' in page
    response = save_profile(client, app_id, {**WORKED_SINCE_2015, "work_history-1-employer": ""})
    assert response.status_code == 302
    assert '"employer":"北京示例文物保护中心"' in db.session.get(Application, app_id).profile


def test_an_incomplete_submission_lists_everything_missing(web):
    client = client_for(web, "candidate1")
    app_id = create(client)
    response = post_form(client, f"/applications/{app_id}/submit", page=f"/applications/{app_id}")
    page = text(response)
    assert response.status_code == 400
    assert "Both pledges (candidate and employer) are needed before submitting." in page
    assert "Upload identity document before submitting." in page
    assert "No option of the standard is satisfied." in page
    assert "5 years of work in the occupation or a related one:" in page


def test_pledges_need_both_ticks_and_the_employers_names(web):
    client = client_for(web, "candidate1")
    app_id = create(client)
    response = post_form(client, f"/applications/{app_id}/pledge", {"employer_name": " ", "signatory": ""})
    page = text(response)
    assert response.status_code == 400
    for message in (
        "Tick the candidate's pledge.",
        "Tick the employer's pledge.",
        "Enter the employer's name.",
        "Enter the name of the person signing for the employer.",
    ):
        assert message in page
    assert db.session.get(Application, app_id).candidate_pledged_at is None
