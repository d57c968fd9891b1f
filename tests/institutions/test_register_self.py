"""Self-registration at /register: anonymous, CSRF-protected, every problem at once, nothing created on refusal."""

from __future__ import annotations

import io
import os

import pytest
import sqlalchemy as sa

from certify.auth.models import Role, User
from certify.core.db import db
from certify.core.demo import demo_photo, seed_demo_world
from certify.institutions.models import Body, Person
from certify.institutions.views_registration import bp
from certify.supervision.models import AuditEntry
from tests.factories import csrf_token, login, make_body, make_user, unique_id_number
from tests.institutions.test_photo_rules import as_bytes, portrait

EN = {"Accept-Language": "en"}
PASSWORD = "lantern-river-42"


@pytest.fixture
def web(app):
    if bp.name not in app.blueprints:
        app.register_blueprint(bp)
    return app.test_client()


@pytest.fixture
def body(app):
    return make_body()


def _count(model) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar()


def _values(body: Body, **overrides) -> dict:
    values = {
        "body_id": str(body.id),
        "name": "张 小明",
        "id_type": "resident_id",
        "id_number": unique_id_number(),
        "phone": "+86 138-1234-5678",
        "employer": "首都示例博物馆",
        "username": "zhangxm",
        "password": PASSWORD,
        "password_confirm": PASSWORD,
    }
    return {**values, **overrides}


def _post(client, values: dict, photo: bytes | None = None, headers=EN):
    data = {**values, "csrf_token": csrf_token(client, "/register")}
    if photo is not None:
        data["photo"] = (io.BytesIO(photo), "photo.png")
    return client.post("/register", data=data, content_type="multipart/form-data", headers=headers)


def test_an_anonymous_visitor_sees_the_form_with_the_body_preselected(web, body):
    page = web.get("/register", headers=EN)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Register as a candidate" in text
    assert f'<option selected value="{body.id}">测试评价机构</option>' in text


def test_registration_creates_a_person_of_the_body_and_a_candidate_account(web, body):
    values = _values(body)
    response = _post(web, values, demo_photo(1))
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    page = web.get("/login", headers=EN).get_data(as_text=True)
    assert "Your registration is complete. Sign in with your username and password." in page

    person = db.session.execute(sa.select(Person).where(Person.id_number == values["id_number"])).scalar_one()
    assert (person.name, person.body_id, person.phone) == ("张 小明", body.id, "13812345678")
    assert person.employer.name == "首都示例博物馆" and person.photo is not None
    user = db.session.execute(sa.select(User).where(User.username == "zhangxm")).scalar_one()
    assert user.person_id == person.id and user.roles == {Role.CANDIDATE}
    actions = set(db.session.execute(sa.select(AuditEntry.action)).scalars())
    assert {"institutions.person_registered", "auth.user_created", "institutions.candidate_self_registered"} <= actions
    # not signed in by registering; the new account signs in normally
    assert web.get("/me").status_code == 302
    assert login(web, "zhangxm", PASSWORD).status_code == 302


def test_a_signed_in_user_is_sent_home(web, body):
    make_user("someone")
    login(web, "someone")
    assert web.get("/register").status_code == 302


def _refused(response) -> str:
    assert response.status_code == 400
    return response.get_data(as_text=True)


def test_an_empty_form_lists_every_missing_value_at_once(web, body):
    before = (_count(Person), _count(User))
    empty = dict.fromkeys(_values(body), "")
    text = _refused(_post(web, {**empty, "id_type": "resident_id"}))
    assert text.count("This field is required.") == 2  # name and username
    for message in (
        "Choose the certification body to register with.",
        "A resident ID number has 18 characters; this one has 0.",
        "Enter a mobile number.",
        "Upload a certificate photo.",
        "The password must have at least 10 characters.",
    ):
        assert message in text
    assert (_count(Person), _count(User)) == before


def test_bad_values_are_refused_together_and_typed_values_are_kept(web, body):
    before = (_count(Person), _count(User))
    good = unique_id_number()  # one number: the wrong check digit must differ from its own right one
    bad_id = good[:17] + ("0" if good[17] != "0" else "1")
    values = _values(body, id_number=bad_id, phone="12345", password_confirm="something-else-1")
    text = _refused(_post(web, values, demo_photo(2)))
    assert "The check digit is wrong" in text
    assert "12345 is not a mainland China mobile number" in text
    assert "The two passwords differ." in text
    assert 'value="张 小明"' in text and f'value="{bad_id}"' in text and 'value="zhangxm"' in text
    assert PASSWORD not in text  # passwords are never sent back
    assert (_count(Person), _count(User)) == before


@pytest.mark.parametrize(
    ("photo", "message"),
    [
        (as_bytes(portrait(background=(40, 70, 160))), "The background must be plain and light: its lightness is"),
        (as_bytes(portrait((600, 420))), "this one is 600 × 420, a ratio of 1.429"),
        (as_bytes(portrait((150, 210))), "at least 295 × 413 pixels; this one is 150 × 210"),
        (b"GIF89a not really", "The photo must be a JPEG or PNG image"),
    ],
    ids=["dark", "landscape", "tiny", "not-an-image"],
)
def test_a_photo_breaking_the_rule_is_refused_with_its_numbers(web, body, photo, message):
    before = _count(Person)
    text = _refused(_post(web, _values(body), photo))
    assert message in text
    assert _count(Person) == before


def test_a_gif_is_refused_even_when_it_looks_right(web, body):
    gif = io.BytesIO()
    portrait().save(gif, format="GIF")
    text = _refused(_post(web, _values(body), gif.getvalue()))
    assert "The photo must be a JPEG or PNG image" in text


def test_a_duplicate_id_number_says_so_clearly(web, body):
    taken = make_user("existing")
    number = db.session.get(Person, taken.person_id).id_number
    before = (_count(Person), _count(User))
    text = _refused(_post(web, _values(body, id_number=number), demo_photo(1)))
    assert "Someone with this document number is already registered. If it is you, sign in" in text
    assert (_count(Person), _count(User)) == before


def test_a_taken_username_and_a_weak_password_are_refused(web, body):
    make_user("zhangxm")
    text = _refused(_post(web, _values(body, password="1234567890", password_confirm="1234567890"), demo_photo(1)))
    assert "The username zhangxm is already taken." in text and "too easy to guess" in text


def test_an_unknown_body_is_refused(web, body):
    text = _refused(_post(web, _values(body, body_id="999999"), demo_photo(1)))
    assert "Choose the certification body to register with." in text


def test_the_rule_passes_but_register_person_refuses_then_nothing_is_half_written(web, body):
    """Our own problems (phone) and register_person's (username) together; the savepoint leaves nothing."""
    before = (_count(Person), _count(User), _count(AuditEntry))
    text = _refused(_post(web, _values(body, phone="555", username="x"), demo_photo(1)))
    assert "555 is not a mainland China mobile number" in text and "A username has 3–64 characters" in text
    assert (_count(Person), _count(User), _count(AuditEntry)) == before


def test_only_our_problems_then_register_person_work_is_undone(web, body):
    before = (_count(Person), _count(User))
    text = _refused(_post(web, _values(body, phone="555"), demo_photo(1)))
    assert "555 is not a mainland China mobile number" in text
    assert (_count(Person), _count(User)) == before


def test_a_post_without_the_csrf_token_is_refused(web, body):
    data = {**_values(body), "photo": (io.BytesIO(demo_photo(1)), "p.png")}
    response = web.post("/register", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert _count(User) == 0


def test_the_refusal_speaks_chinese_too(web, body):
    bad_id = "11010119900101123"  # 17 characters
    text = _refused(_post(web, _values(body, id_number=bad_id), demo_photo(1), headers={"Accept-Language": "zh-CN"}))
    assert "居民身份证号码应为18位，当前为17位。" in text
    assert 'lang="zh-CN"' in text


def test_the_demo_world_accepts_a_self_registration(web):
    seed_demo_world()
    db.session.commit()
    demo_body = db.session.execute(sa.select(Body)).scalar_one()
    response = _post(web, _values(demo_body, username="newcomer"), as_bytes(portrait(), "JPEG", quality=85))
    assert response.status_code == 302
    user = db.session.execute(sa.select(User).where(User.username == "newcomer")).scalar_one()
    assert db.session.get(Person, user.person_id).body_id == demo_body.id


def test_an_oversized_photo_is_refused_with_the_limit(app, web, body):
    # a small configured limit keeps the upload under the test client's spooling threshold
    app.config["PHOTO_MAX_BYTES"] = 100 * 1024
    data = b"\x89PNG\r\n\x1a\n" + os.urandom(150 * 1024)
    text = _refused(_post(web, _values(body), data))
    assert "The photo is larger than 100 KB." in text
    assert _count(Person) == 0


def test_a_registration_racing_another_is_refused_not_a_crash(web, body, monkeypatch):
    """The duplicate check passed (the other registration was not yet visible); the unique index refuses."""
    from certify.institutions import people

    checked = people._person_values

    def unseen(values, person_id):
        clean, problems = checked(values, person_id)
        return clean, [p for p in problems if p.code != "id_taken"]

    monkeypatch.setattr(people, "_person_values", unseen)
    taken = make_user("first")
    number = db.session.get(Person, taken.person_id).id_number
    before = (_count(Person), _count(User), _count(AuditEntry))
    text = _refused(_post(web, _values(body, id_number=number), demo_photo(1)))
    assert "Someone registered the same document number or username at the same moment" in text
    assert (_count(Person), _count(User), _count(AuditEntry)) == before


def test_with_several_bodies_the_visitor_must_choose(web, body):
    other = make_body("另一评价机构", province="12")
    text = web.get("/register", headers=EN).get_data(as_text=True)
    assert (
        '<option selected value="">Choose a body</option>' in text or '<option value="">Choose a body</option>' in text
    )
    assert f'value="{other.id}"' in text and f'<option selected value="{body.id}"' not in text
    response = _post(web, _values(other, username="chooser"), demo_photo(1))
    assert response.status_code == 302
    user = db.session.execute(sa.select(User).where(User.username == "chooser")).scalar_one()
    assert db.session.get(Person, user.person_id).body_id == other.id
    text = _refused(_post(web, _values(other, body_id="", username="nobody"), demo_photo(1)))
    assert "Choose the certification body to register with." in text
