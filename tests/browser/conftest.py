"""Real-browser tests: the demo world served on loopback, driven by Debian's headless Chromium through Playwright.

One live server and one browser serve the whole browser suite; every test opens its own browser contexts (fresh
cookies, its own viewport and Accept-Language), so tests do not share a sign-in.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CERTIFY_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_PASSWORD = "certify-demo"
#: a failing expectation should fail in seconds, not after Playwright's default 30 s
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def live_app(sqlite_template: Path, tmp_path_factory):
    """The app on a fresh SQLite copy of the migrated template, with the demo world loaded."""
    import sqlalchemy as sa

    from certify import create_app
    from certify.core.db import db
    from certify.core.demo import seed_demo_world
    from certify.supervision import audit

    folder = tmp_path_factory.mktemp("browser-db")
    path = folder / "browser.db"
    shutil.copy(sqlite_template, path)
    # TestingConfig keeps the documented demo password unless the environment overrides it.
    os.environ.pop("CERTIFY_DEMO_PASSWORD", None)
    app = create_app({"CERTIFY_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    assert app.config["DEMO_PASSWORD"] == DEMO_PASSWORD
    with app.app_context():
        token = audit.set_actor(audit.Actor(None, "seed-demo"))
        try:
            seed_demo_world()
            db.session.commit()
        finally:
            audit.reset_actor(token)
        assert db.session.execute(sa.text("SELECT count(*) FROM users")).scalar() > 0
        db.session.remove()
    yield app
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app) -> Iterator[str]:
    """The base URL of the app served by werkzeug on 127.0.0.1 (a free port) in a background thread."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="certify-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium (Debian's); skipped locally when missing, a failure on CI."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        message = (
            f"Chromium not found at {CHROMIUM}: install Debian's chromium (make test does) or set CERTIFY_CHROMIUM"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_context(browser, live_server) -> Iterator[Callable]:
    """Open a browser context on the live server (English unless `locale` says otherwise); closed after the test."""
    contexts = []

    def open_context(**options):
        options.setdefault("locale", "en-US")
        options.setdefault("base_url", live_server)
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def reset_saved_languages(live_app) -> Iterator[None]:
    """Forget every user's saved language after a test that changes one, so later tests see the browser's."""
    yield
    import sqlalchemy as sa

    from certify.auth.models import User
    from certify.core.db import db

    with live_app.app_context():
        db.session.execute(sa.update(User).values(locale=None))
        db.session.commit()
        db.session.remove()


def sign_in(page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the login page with the mouse-free path a user would take, and wait for the home page."""
    page.goto("/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(password)
    with page.expect_navigation():
        page.locator("#password").press("Enter")
    assert "/login" not in page.url, f"signing in as {username} failed: {page.locator('.flash').all_inner_texts()}"
