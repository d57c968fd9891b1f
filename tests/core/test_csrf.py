"""CSRF: every state-changing form refuses a request without the session's token and changes nothing."""

from __future__ import annotations

import sqlalchemy as sa

from certify.auth.models import Role
from certify.core.db import db
from certify.institutions.models import Site
from tests.factories import login, make_body, make_user


def test_a_form_post_without_the_token_is_refused_and_changes_nothing(client):
    body = make_body()
    make_user("boss", Role.ADMIN, body=body)
    login(client, "boss")
    response = client.post(
        "/sites/new",
        data={"serial": "000001", "name": "A", "address": "B", "active": "y"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert "This form has expired or did not come from this site" in response.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count()).select_from(Site)).scalar() == 0


def test_a_token_from_another_session_is_refused(app):
    body = make_body()
    make_user("boss", Role.ADMIN, body=body)
    mine, other = app.test_client(), app.test_client()
    login(mine, "boss")
    from tests.factories import csrf_token

    foreign = csrf_token(other)
    response = mine.post("/sites/new", data={"serial": "000001", "name": "A", "address": "B", "csrf_token": foreign})
    assert response.status_code == 400


def test_sign_in_itself_needs_the_token(client):
    make_user("alice", Role.CANDIDATE)
    response = client.post("/login", data={"username": "alice", "password": "correct-horse-battery"})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_get_requests_never_change_state(client):
    make_user("alice", Role.CANDIDATE)
    assert client.get("/logout").status_code == 405
    assert client.get("/language?locale=en").status_code == 405
