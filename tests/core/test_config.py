"""Configuration: environment classes, CERTIFY_* overrides, plain PostgreSQL URLs."""

from __future__ import annotations

import pytest

from certify.config import build_config, normalise_database_url


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://postgres@127.0.0.1:5432/certify", "postgresql+psycopg://postgres@127.0.0.1:5432/certify"),
        ("postgres://u:p@db/certify", "postgresql+psycopg://u:p@db/certify"),
        ("postgresql+psycopg://u@db/x", "postgresql+psycopg://u@db/x"),
        ("sqlite:///instance/certify.db", "sqlite:///instance/certify.db"),
    ],
)
def test_a_plain_postgresql_url_selects_psycopg_3(given, expected):
    assert normalise_database_url(given) == expected


def test_environment_variables_override_the_class(monkeypatch):
    monkeypatch.setenv("CERTIFY_DATABASE_URL", "postgresql://x@y/z")
    monkeypatch.setenv("CERTIFY_DEMO_PASSWORD", "another-one")
    settings = build_config({"CERTIFY_ENV": "testing"})
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://x@y/z"
    assert settings["DEMO_PASSWORD"] == "another-one"


def test_production_needs_a_secret_key_and_secure_cookies(monkeypatch):
    monkeypatch.delenv("CERTIFY_SECRET_KEY", raising=False)
    monkeypatch.setenv("CERTIFY_ENV", "production")
    with pytest.raises(RuntimeError, match="CERTIFY_SECRET_KEY"):
        build_config()
    monkeypatch.setenv("CERTIFY_SECRET_KEY", "s" * 40)
    assert build_config()["SESSION_COOKIE_SECURE"] is True


def test_an_unknown_environment_is_refused(monkeypatch):
    monkeypatch.setenv("CERTIFY_ENV", "staging")
    with pytest.raises(RuntimeError, match="staging"):
        build_config()
