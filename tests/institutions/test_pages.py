"""Body staff manage the body, sites, rooms, occupations and people through the pages; bad input never hurts."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from certify.auth.models import Role
from certify.core.db import db
from certify.core.demo import demo_id_number, demo_photo
from certify.institutions.models import Body, Occupation, Person, Room, Site
from certify.supervision.models import AuditEntry
from tests.factories import login, make_body, make_user, post_form


@pytest.fixture
def admin(app):
    body = make_body()
    make_user("boss", Role.ADMIN, body=body)
    client = app.test_client()
    login(client, "boss")
    return client


def _count(model) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar()


def _snapshot() -> dict:
    return {m.__tablename__: _count(m) for m in (Body, Site, Room, Occupation, Person, AuditEntry)}


def test_an_admin_builds_a_site_with_rooms(admin):
    response = post_form(
        admin, "/sites/new", {"serial": "000321", "name": "东城考点", "address": "北京", "active": "y"}
    )
    assert response.status_code == 302
    site = db.session.execute(sa.select(Site)).scalar_one()
    assert post_form(admin, f"/sites/{site.id}/rooms/new", {"name": "一号考场", "seats": "30"}).status_code == 302
    page = admin.get(f"/sites/{site.id}").get_data(as_text=True)
    assert "一号考场" in page and "30" in page
    actions = set(db.session.execute(sa.select(AuditEntry.action)).scalars())
    assert {"institutions.site_created", "institutions.room_created"} <= actions


@pytest.mark.parametrize(
    ("url", "data", "message"),
    [
        ("/sites/new", {"serial": "12AB", "name": "考点", "address": "地址"}, "The site serial has exactly 6 digits."),
        ("/sites/new", {"serial": "000001", "name": "", "address": "地址"}, "Name is required."),
        (
            "/occupations/new",
            {"code": "4-13", "name_zh": "职业", "standard_version": "2023"},
            "An occupation code looks like 4-13-03-02",
        ),
        (
            "/body/edit",
            {"body_type": "S", "code": "12", "province_code": "11", "name": "机构"},
            "The body code has exactly 4 digits",
        ),
        (
            "/body/edit",
            {"body_type": "S", "code": "0000", "province_code": "99", "name": "机构"},
            "The province code is one of the 2-digit province-level codes",
        ),
        ("/body/edit", {"body_type": "Q", "code": "0000", "province_code": "11", "name": "机构"}, "Not a valid choice"),
        (
            "/people/new",
            {"name": "张三", "id_type": "resident_id", "id_number": "110105194912310021"},
            "The check digit is wrong: it should be X, not 1.",
        ),
        (
            "/people/new",
            {"name": "张三", "id_type": "resident_id", "id_number": "1101051949"},
            "A resident ID number has 18 characters; this one has 10.",
        ),
    ],
)
def test_bad_input_is_refused_naming_the_rule_keeping_the_input_and_changing_nothing(admin, url, data, message):
    before = _snapshot()
    response = post_form(admin, url, data, headers={"Accept-Language": "en"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    for value in data.values():
        if value:
            assert f'value="{value}"' in page or f'value="{value}" selected' in page or value == "Q"
    assert _snapshot() == before


def test_the_same_refusal_in_chinese(admin):
    post_form(admin, "/language", {"locale": "zh_CN"})
    response = post_form(admin, "/sites/new", {"serial": "1", "name": "考点", "address": "地址"})
    assert response.status_code == 400
    assert "考点编号" in response.get_data(as_text=True)


def test_a_room_needs_a_positive_whole_number_of_seats(admin):
    post_form(admin, "/sites/new", {"serial": "000001", "name": "考点", "address": "地址"})
    site = db.session.execute(sa.select(Site)).scalar_one()
    for seats, message in (("0", "Between 1 and 2000 seats."), ("abc", "Enter the number of seats as a whole number.")):
        response = post_form(
            admin, f"/sites/{site.id}/rooms/new", {"name": "考场", "seats": seats}, headers={"Accept-Language": "en"}
        )
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert _count(Room) == 0


def test_duplicates_are_refused_by_name(admin):
    post_form(admin, "/sites/new", {"serial": "000001", "name": "甲", "address": "地址"})
    response = post_form(
        admin, "/sites/new", {"serial": "000001", "name": "乙", "address": "地址"}, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 400
    assert "Your body already has a site with serial 000001." in response.get_data(as_text=True)
    assert _count(Site) == 1


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (240, 240, 240)).save(out, format="PNG")
    return out.getvalue()


def test_registering_a_candidate_with_photo_and_account(admin, app):
    number = demo_id_number(__import__("datetime").date(1991, 2, 3), 123)
    data = {
        "name": "赵六",
        "id_type": "resident_id",
        "id_number": number,
        "employer": "示例博物馆",
        "create_account": "y",
        "username": "zhaoliu",
        "password": "a-long-password",
        "roles": ["candidate"],
        "photo": (io.BytesIO(demo_photo(1)), "photo.png"),
    }
    response = post_form(admin, "/people/new", data, content_type="multipart/form-data")
    assert response.status_code == 302
    person = db.session.execute(sa.select(Person).where(Person.id_number == number)).scalar_one()
    assert person.birth_date.isoformat() == "1991-02-03" and person.employer.name == "示例博物馆"
    assert admin.get(f"/people/{person.id}/photo").mimetype == "image/png"
    assert login(app.test_client(), "zhaoliu", "a-long-password").status_code == 302


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"GIF89a not really an image", "The photo must be a JPEG or PNG image"),
        (_png(100, 140), "The photo must be at least 295 × 413 pixels; this one is 100 × 140."),
        (_png(500, 400), "The photo must be upright (portrait)"),
    ],
)
def test_photos_are_checked_by_content(admin, payload, message):
    data = {
        "name": "赵六",
        "id_type": "resident_id",
        "id_number": "11010519491231002X",
        "photo": (io.BytesIO(payload), "photo.jpg"),
    }
    response = post_form(
        admin, "/people/new", data, content_type="multipart/form-data", headers={"Accept-Language": "en"}
    )
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert _count(Person) == 1  # only the admin


FORMS = [
    ("/sites/new", ["serial", "name", "address", "active"]),
    ("/occupations/new", ["code", "name_zh", "name_en", "standard_version"]),
    ("/body/edit", ["body_type", "code", "province_code", "name", "name_en"]),
    (
        "/people/new",
        ["name", "id_type", "id_number", "phone", "employer", "create_account", "username", "password", "roles"],
    ),
    ("/account", ["current_password", "new_password", "confirm"]),
    ("/login", ["username", "password", "next"]),
    ("/language", ["locale", "next"]),
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_input_to_any_form_answers_500(admin, data):
    url, fields = data.draw(st.sampled_from(FORMS))
    values = {
        f: data.draw(st.one_of(st.text(max_size=300), st.sampled_from(["", "0", "-1", "９９", "\x00", "' OR 1=1"])))
        for f in fields
    }
    response = post_form(admin, url, values)
    assert response.status_code < 500
