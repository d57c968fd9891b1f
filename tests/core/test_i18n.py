"""Two languages, complete: every user-facing string is wrapped, extracted and translated in zh_CN and en."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from certify.auth.models import Role, User
from certify.core.db import db
from tests.factories import login, make_user, post_form

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = {loc: ROOT / f"certify/translations/{loc}/LC_MESSAGES/messages.po" for loc in ("zh_Hans_CN", "en")}
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set[str]:
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(pot),
            "--no-location",
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as fh:
        return {_key(m.id) for m in read_po(fh) if m.id}


def _key(msgid) -> str:
    """A message's key: its msgid, or the singular of a plural message."""
    return msgid if isinstance(msgid, str) else msgid[0]


def _text(value) -> str:
    """All the text of a msgid or msgstr (every plural form)."""
    return value if isinstance(value, str) else " ".join(v or "" for v in value)


def _done(message) -> bool:
    forms = (message.string,) if isinstance(message.string, str) else message.string
    return bool(message.id) and all(forms) and not message.fuzzy


@pytest.mark.parametrize("locale", sorted(CATALOGS))
def test_every_extracted_string_is_translated(extracted, locale):
    with CATALOGS[locale].open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    translated = {_key(m.id): m for m in catalog if _done(m)}
    missing = sorted(extracted - set(translated))
    assert not missing, f"{len(missing)} strings not translated into {locale} (run `make messages`): {missing[:10]}"
    bad = [
        mid
        for mid in extracted
        if set(PLACEHOLDER.findall(_text(translated[mid].id)))
        != set(PLACEHOLDER.findall(_text(translated[mid].string)))
    ]
    assert not bad, f"placeholders differ in {locale}: {bad[:5]}"


def _visible_literals(source: str) -> list[str]:
    text = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", " ", source, flags=re.S)
    text = re.sub(r"<script.*?</script>|<style.*?</style>|<!--.*?-->", " ", text, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    return [
        w for w in re.findall(r"[A-Za-z][A-Za-z'’-]+", text) if w not in {"certify", "English"}
    ]  # the language switch names each language in itself


def _attribute_literals(source: str) -> list[str]:
    found = []
    for value in re.findall(r'\b(?:alt|title|placeholder|aria-label)="([^"]*)"', source):
        if re.search(r"[A-Za-z]", re.sub(r"\{\{.*?\}\}", "", value)):
            found.append(value)
    return found


@pytest.mark.parametrize("template", sorted((ROOT / "templates").rglob("*.html")), ids=lambda p: p.name)
def test_templates_hold_no_untranslated_text(template):
    source = template.read_text()
    assert not _visible_literals(source), f"text outside _(): {_visible_literals(source)[:5]}"
    assert not _attribute_literals(source), f"attributes outside _(): {_attribute_literals(source)}"


@pytest.mark.parametrize(
    ("accept", "lang", "heading"),
    [
        ("zh-CN,zh;q=0.9", "zh-CN", "登录"),
        ("en-US,en;q=0.9", "en", "Sign in"),
        ("zh", "zh-CN", "登录"),
        ("fr-FR", "zh-CN", "登录"),
    ],
)
def test_the_language_follows_the_browser_by_default(client, accept, lang, heading):
    page = client.get("/login", headers={"Accept-Language": accept}).get_data(as_text=True)
    assert f'<html lang="{lang}">' in page
    assert f"<h1>{heading}</h1>" in page


def test_a_chosen_language_is_remembered_for_the_user(app):
    user = make_user("alice", Role.CANDIDATE)
    browser = app.test_client()
    login(browser, "alice")
    post_form(browser, "/language", {"locale": "en", "next": "/levels"})
    assert db.session.get(User, user.id).locale == "en"
    elsewhere = app.test_client()
    login(elsewhere, "alice")
    page = elsewhere.get("/levels", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert '<html lang="en">' in page and "Grade 2 / Technician" in page


def test_pages_render_in_both_languages(app):
    from certify.core.demo import seed_demo_world

    seed_demo_world()
    db.session.commit()
    expectations = {"zh-CN": ["二级/技师", "评价机构", "退出登录"], "en": ["Grade 2 / Technician", "Sign out"]}
    for accept, words in expectations.items():
        client = app.test_client()
        login(client, "admin", "certify-demo")
        post_form(client, "/language", {"locale": accept.replace("-", "_")})
        text = "".join(client.get(url).get_data(as_text=True) for url in ("/", "/levels", "/body", "/people"))
        for word in words:
            assert word in text, (accept, word)
