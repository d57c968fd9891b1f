"""GET /healthz: ok with a reachable database, 503 with the reason otherwise."""

from __future__ import annotations

from certify import create_app


def test_healthy(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "db": "ok"}


def test_unreachable_database_answers_503_with_the_reason(tmp_path):
    app = create_app({"CERTIFY_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/x.db"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "error" and body["db"] == "unreachable" and body["reason"]
