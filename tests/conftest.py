"""Every test builds its own world: a fresh app and database, on SQLite and (when configured) on PostgreSQL.

SQLite: the migrations run once into a template file that each test copies. PostgreSQL: the migrations run once
into a database of this test session, and each test starts from empty tables (reference tables are kept).
Set CERTIFY_TEST_DATABASE_URL=postgresql://… to add the PostgreSQL run; on CI it is required.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient, FlaskCliRunner

# Tests never touch a developer's configured database or instance folder.
os.environ.pop("CERTIFY_DATABASE_URL", None)
os.environ.pop("CERTIFY_ENV", None)

PG_URL = os.environ.get("CERTIFY_TEST_DATABASE_URL", "").strip()
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
#: tables whose rows come from migrations and are never changed by tests
REFERENCE_TABLES = {"levels", "alembic_version"}


def pytest_configure(config):
    if os.environ.get("CI") and not PG_URL:
        raise pytest.UsageError(
            "CI must run the database tests on PostgreSQL too: set CERTIFY_TEST_DATABASE_URL (see .ci/run)"
        )


def pytest_report_header(config):
    return f"certify database backends: {', '.join(BACKENDS)}"


def _config(url: str, instance: Path) -> dict:
    return {"CERTIFY_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url}


def _upgrade(url: str, instance: Path) -> None:
    from flask_migrate import upgrade

    from certify import create_app

    app = create_app(_config(url, instance))
    with app.app_context():
        upgrade()
        from certify.core.db import db

        db.engine.dispose()


def _worker_suffix() -> str:
    return re.sub(r"\W", "", os.environ.get("PYTEST_XDIST_WORKER", "main"))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sqlite-template")
    path = folder / "template.db"
    _upgrade(f"sqlite:///{path}", folder)
    return path


@pytest.fixture(scope="session")
def postgres_url() -> str:
    if not PG_URL:
        pytest.skip("PostgreSQL not configured: set CERTIFY_TEST_DATABASE_URL to run the PostgreSQL variant")
    from certify.config import normalise_database_url

    admin_url = normalise_database_url(PG_URL)
    name = f"certify_test_{_worker_suffix()}_{uuid.uuid4().hex[:6]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    _upgrade(url, Path("/tmp"))
    yield url
    with admin.connect() as conn:
        conn.exec_driver_sql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        )
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
    admin.dispose()


def _empty_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        tables = [
            row[0]
            for row in conn.exec_driver_sql("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            if row[0] not in REFERENCE_TABLES
        ]
        if tables:
            conn.exec_driver_sql(
                f"TRUNCATE {', '.join(chr(34) + t + chr(34) for t in tables)} RESTART IDENTITY CASCADE"
            )
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def database_url(backend, request, tmp_path) -> str:
    if backend == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    _empty_postgres(url)
    return url


class FreshContextClient(FlaskClient):
    """A test client whose every request runs in its own app context, as in production.

    The test's own session (used by factories and assertions) ends its transaction around each request, so it
    never holds a lock the request needs and always reads what the request committed.
    """

    def open(self, *args, **kwargs):
        from certify.core.db import db

        db.session.commit()
        try:
            with self.application.app_context():
                return super().open(*args, **kwargs)
        finally:
            db.session.commit()


@pytest.fixture
def app(database_url, tmp_path):
    from certify import create_app
    from certify.core.db import db, reset_request_mode, set_read_only_request

    app = create_app(_config(database_url, tmp_path))
    app.test_client_class = FreshContextClient
    with app.app_context():
        # The test's own reads must not take SQLite's write lock (requests choose their own mode).
        mode = set_read_only_request(True)
        yield app
        reset_request_mode(mode)
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


class FreshSessionRunner(FlaskCliRunner):
    """A CLI runner that, like the client, ends the test's transaction around each command."""

    def invoke(self, *args, **kwargs):
        from certify.core.db import db

        db.session.commit()
        try:
            return super().invoke(*args, **kwargs)
        finally:
            db.session.commit()


@pytest.fixture
def cli(app):
    return FreshSessionRunner(app)
