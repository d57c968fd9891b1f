"""Signing in and out: credentials, server-side sessions, rehashing, the production hashing parameters."""

from __future__ import annotations

import sqlalchemy as sa
from argon2 import PasswordHasher

from certify.auth.models import LoginSession, Role
from certify.config import Config
from certify.core.db import db
from certify.supervision.models import AuditEntry
from tests.factories import PASSWORD, login, make_body, make_user, post_form


def _actions() -> list[str]:
    return list(db.session.execute(sa.select(AuditEntry.action).order_by(AuditEntry.seq)).scalars())


def test_sign_in_and_out_through_the_pages(client):
    make_user("alice", Role.CANDIDATE)
    assert client.get("/").status_code == 302  # anonymous → login
    response = login(client, "alice")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Alice" in client.get("/").get_data(as_text=True)
    response = post_form(client, "/logout")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/").status_code == 302
    assert _actions()[-2:] == ["auth.login", "auth.logout"]


def test_a_wrong_password_is_refused_and_audited(client):
    make_user("alice", Role.CANDIDATE)
    response = login(client, "alice", "wrong-password", lang="en")
    assert response.status_code == 401
    assert "The username or password is not correct." in response.get_data(as_text=True)
    assert _actions()[-1] == "auth.login_failed"
    assert client.get("/").status_code == 302


def test_usernames_are_case_insensitive(client):
    make_user("alice", Role.CANDIDATE)
    assert login(client, "ALICE").status_code == 302


def test_the_session_is_renewed_at_sign_in(client, app):
    make_user("alice", Role.CANDIDATE)
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
    login(client, "alice")
    with client.session_transaction() as sess:
        assert "planted" not in sess
        first_token = sess["_user_id"]
    post_form(client, "/logout")
    login(client, "alice")
    with client.session_transaction() as sess:
        assert sess["_user_id"] != first_token


def test_sign_out_ends_every_session_of_the_user_on_the_server(app):
    make_user("alice", Role.CANDIDATE)
    phone, laptop = app.test_client(), app.test_client()
    login(phone, "alice")
    login(laptop, "alice")
    with phone.session_transaction() as sess:
        stolen_cookie_session = dict(sess)
    post_form(laptop, "/logout")
    assert phone.get("/").status_code == 302
    # Replaying the old cookie content does not bring the session back.
    replay = app.test_client()
    with replay.session_transaction() as sess:
        sess.update(stolen_cookie_session)
    assert replay.get("/").status_code == 302
    open_sessions = db.session.execute(
        sa.select(sa.func.count()).select_from(LoginSession).where(LoginSession.ended_at.is_(None))
    ).scalar()
    assert open_sessions == 0


def test_disabling_an_account_ends_its_sessions(app):
    body = make_body()
    make_user("boss", Role.ADMIN, body=body)
    victim = make_user("bob", Role.INVIGILATOR, body=body)
    bob, boss = app.test_client(), app.test_client()
    login(bob, "bob")
    assert bob.get("/").status_code == 200
    login(boss, "boss")
    response = post_form(boss, f"/people/{victim.person_id}/disable", {"reason": "left the body"})
    assert response.status_code == 302
    assert bob.get("/").status_code == 302
    assert login(bob, "bob").status_code == 401


def test_a_hash_made_with_weaker_parameters_is_upgraded_at_sign_in(client, app):
    user = make_user("alice", Role.CANDIDATE)
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=512, parallelism=1).hash(PASSWORD)
    db.session.commit()
    assert login(client, "alice").status_code == 302
    db.session.refresh(user)
    params = user.password_hash.split("$")[3]
    assert params == f"m={app.config['ARGON2_MEMORY_COST']},t={app.config['ARGON2_TIME_COST']},p=1"
    assert "auth.password_rehashed" in _actions()


def test_production_hashing_is_argon2id_with_at_least_the_owasp_minimum():
    assert Config.ARGON2_TIME_COST >= 2
    assert Config.ARGON2_MEMORY_COST >= 19 * 1024
    assert Config.ARGON2_PARALLELISM >= 1
    assert PasswordHasher(Config.ARGON2_TIME_COST, Config.ARGON2_MEMORY_COST).hash("x").startswith("$argon2id$")


def test_session_cookie_flags(client, app):
    make_user("alice", Role.CANDIDATE)
    response = login(client, "alice")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    from certify.config import ProductionConfig

    assert ProductionConfig.SESSION_COOKIE_SECURE is True


def test_changing_the_password_keeps_this_session_and_ends_the_others(app):
    make_user("alice", Role.CANDIDATE)
    here, elsewhere = app.test_client(), app.test_client()
    login(here, "alice")
    login(elsewhere, "alice")
    new = "a-brand-new-password"
    response = post_form(here, "/account", {"current_password": PASSWORD, "new_password": new, "confirm": new})
    assert response.status_code == 302
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302
    assert login(app.test_client(), "alice", new).status_code == 302


def test_a_bad_password_change_is_refused_with_the_reason_and_changes_nothing(client):
    user = make_user("alice", Role.CANDIDATE)
    before = user.password_hash
    login(client, "alice")
    response = post_form(
        client,
        "/account",
        {"current_password": "nope-not-it", "new_password": "short", "confirm": "short"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert "Between 10 and 256 characters." in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.password_hash == before
