"""Small builders for test worlds, and helpers to act as a user through the real pages."""

from __future__ import annotations

import itertools
import re
from datetime import date, timedelta

from certify.auth import operations as auth_ops
from certify.auth.models import Role, User
from certify.core.db import db
from certify.core.demo import demo_id_number
from certify.institutions import operations, people
from certify.institutions.models import Body, BodyType

PASSWORD = "correct-horse-battery"
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


_SERIALS = itertools.count(1)


def unique_id_number(serial: int = 0) -> str:
    """A valid resident ID number no other test person has (birth date and sequence derive from one counter)."""
    n = serial or next(_SERIALS) + 10_000
    return demo_id_number(date(1960, 1, 1) + timedelta(days=n // 900), 100 + n % 900)


def make_body(name: str = "测试评价机构", province: str = "11") -> Body:
    body = operations.create_body(BodyType.THIRD_PARTY, "0000", province, name)
    db.session.commit()
    return body


def make_user(username: str, *roles: Role, body: Body | None = None, password: str = PASSWORD, serial: int = 0) -> User:
    """A person with an account (resident ID derived from the serial so each is unique and valid)."""
    person = people.register_person(
        body,
        {
            "name": username.title(),
            "id_type": "resident_id",
            "id_number": unique_id_number(serial),
            "phone": "",
            "employer": "",
        },
    )
    user = auth_ops.create_user(
        username,
        password,
        username.title(),
        set(roles) or {Role.CANDIDATE},
        body_id=body.id if body else None,
        person_id=person.id,
    )
    db.session.commit()
    return user


def csrf_token(client, url: str = "/login") -> str:
    """The CSRF token of the client's session, read from a page's form as a browser would."""
    page = client.get(url, follow_redirects=True)
    match = _CSRF.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {url} (status {page.status_code})"
    return match.group(1)


def login(client, username: str, password: str = PASSWORD, *, lang: str | None = None, **kwargs):
    """Sign in through the login page (kwargs go to the test client, e.g. environ_base); returns the response."""
    token = csrf_token(client)
    headers = {"Accept-Language": lang} if lang else {}
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        headers=headers,
        **kwargs,
    )


def post_form(client, url: str, data: dict | None = None, *, page: str | None = None, **kwargs):
    """POST a form with the session's CSRF token, as the page at `page` (default: home) would."""
    token = csrf_token(client, page or "/")
    return client.post(url, data={**(data or {}), "csrf_token": token}, **kwargs)
