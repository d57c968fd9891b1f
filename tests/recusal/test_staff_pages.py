"""Staff recusal pages: declarations, "why am I blocked?", and the override flow, through the real pages."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
import sqlalchemy as sa

from certify.auth import operations as auth_ops
from certify.auth.models import Role, User
from certify.core.db import db
from certify.core.demo import demo_id_number, seed_demo_world
from certify.institutions import operations as inst_ops
from certify.institutions.models import Body, BodyType, Person
from certify.recusal import operations
from certify.recusal.demo import CLASS_NAME
from certify.recusal.models import Declaration, OverrideApproval, OverrideRecord, RecusalCheck, RelationRecord
from certify.recusal.policy import RelationKind, RelationSource
from certify.recusal.views_staff import bp
from certify.supervision.models import AuditEntry
from tests.factories import login, make_user, post_form

DEMO = "certify-demo"
UNKNOWN_ID = demo_id_number(date(1999, 9, 9), 555)


@pytest.fixture
def web(app):
    if "recusal_staff" not in app.blueprints:
        app.register_blueprint(bp)
    seed_demo_world()
    db.session.commit()
    return app


def _user(username: str) -> User:
    return db.session.execute(sa.select(User).where(User.username == username)).scalar_one()


def _person(username: str) -> Person:
    return db.session.get(Person, _user(username).person_id)


def _client(app, username: str, password: str = DEMO, lang: str = "en"):
    client = app.test_client()
    assert login(client, username, password).status_code == 302
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
    return client


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _counts() -> tuple[int, ...]:
    db.session.expire_all()
    return tuple(
        db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()
        for model in (Declaration, RelationRecord, OverrideRecord, OverrideApproval, RecusalCheck, AuditEntry)
    )


# --- my declarations -------------------------------------------------------------------------------------------


def test_a_declared_conflict_is_recorded_and_listed(web):
    client = _client(web, "trainer")
    trainer, c4 = _person("trainer"), _person("candidate4")
    assert client.get("/recusal/declarations").status_code == 200
    response = post_form(
        client,
        "/recusal/declarations",
        {"conflicts-0-kind": "relative", "conflicts-0-id_number": c4.id_number.lower(), "conflicts-0-note": "表妹"},
        page="/recusal/declarations",
    )
    assert response.status_code == 302, re.findall(
        r'<ul class="errors".*?</ul>|error-summary.*?</div>', _text(response), re.S
    )
    relation = db.session.execute(
        sa.select(RelationRecord).where(RelationRecord.person_a_id == trainer.id, RelationRecord.person_b_id == c4.id)
    ).scalar_one()
    assert (relation.kind, relation.source) == (RelationKind.RELATIVE, RelationSource.DECLARATION)
    page = _text(client.get("/recusal/declarations"))
    assert "Your declaration has been recorded." in page
    assert "Relative · 欧阳明月" in page


def test_none_known_is_recorded(web):
    client = _client(web, "invigilator")
    me = _person("invigilator")
    before = db.session.execute(sa.select(sa.func.count()).where(Declaration.person_id == me.id)).scalar_one()
    response = post_form(client, "/recusal/declarations", {"none_known": "y"}, page="/recusal/declarations")
    assert response.status_code == 302
    db.session.expire_all()
    after = db.session.execute(sa.select(sa.func.count()).where(Declaration.person_id == me.id)).scalar_one()
    assert after == before + 1
    assert "No conflict of interest known" in _text(client.get("/recusal/declarations"))


def _c4() -> str:
    return _person("candidate4").id_number


@pytest.mark.parametrize(
    ("data", "field_value", "message"),
    [
        (
            lambda: {"none_known": "y", "conflicts-0-kind": "relative", "conflicts-0-id_number": _c4()},
            lambda: _c4(),
            "Either declare “none known” or list conflicts, not both.",
        ),
        (lambda: {"statement": "   "}, None, "Declare “none known” or describe at least one conflict."),
        (
            lambda: {"conflicts-1-kind": "trained", "conflicts-1-id_number": UNKNOWN_ID, "conflicts-1-note": "x"},
            lambda: UNKNOWN_ID,
            "No person of your body has this ID number.",
        ),
        (
            lambda: {"conflicts-2-note": "a note without a person"},
            lambda: "a note without a person",
            "Choose the kind of relation.",
        ),
        (
            lambda: {"conflicts-0-kind": "other", "conflicts-0-note": "同乡"},
            lambda: "同乡",
            "Enter the other person's ID number.",
        ),
    ],
    ids=["contradictory", "empty", "unknown-id", "no-kind", "no-id"],
)
def test_a_bad_declaration_is_refused_on_its_field_and_changes_nothing(web, data, field_value, message):
    client = _client(web, "trainer")
    before = _counts()
    response = post_form(client, "/recusal/declarations", data(), page="/recusal/declarations")
    assert response.status_code == 400
    page = _text(response)
    assert message in page and 'class="field has-error' in page
    if field_value is not None:
        assert f'value="{field_value()}"' in page or f">{field_value()}<" in page
    assert _counts() == before


def test_another_bodys_person_is_unknown(web):
    other = inst_ops.create_body(BodyType.THIRD_PARTY, "0000", "12", "天津其他评价机构")
    db.session.commit()
    stranger = make_user("stranger", Role.CANDIDATE, body=other, serial=603)
    client = _client(web, "trainer")
    before = _counts()
    data = {"conflicts-0-kind": "relative", "conflicts-0-id_number": stranger.person.id_number}
    response = post_form(client, "/recusal/declarations", data, page="/recusal/declarations")
    assert response.status_code == 400
    assert "No person of your body has this ID number." in _text(response)
    assert _counts() == before


@pytest.mark.parametrize("username", ["candidate1", "regulator"])
def test_candidates_and_regulators_have_no_declarations_or_why_page(web, username):
    client = _client(web, username)
    assert client.get("/recusal/declarations").status_code == 403
    assert client.get("/recusal/why").status_code == 403


# --- why am I blocked? -----------------------------------------------------------------------------------------


def _why(client, candidate: str, role: str = "assessor", **headers):
    return client.get(
        "/recusal/why", query_string={"role": role, "candidate": _person(candidate).id_number}, headers=headers
    )


def test_why_explains_the_trainer_is_blocked_for_a_trainee_in_english(web):
    client = _client(web, "trainer")
    before = _counts()
    assert "Result" not in _text(client.get("/recusal/why"))
    page = _text(_why(client, "candidate1"))
    assert "You are blocked from this role (1 reason(s) below)." in page
    assert "Trained this candidate" in page and CLASS_NAME in page
    assert "Training roster" in page and "Recusal applies through" in page
    allowed = _text(_why(client, "candidate3"))
    assert "You may act in this role: the recusal rules find no conflict." in allowed
    assert "Trained this candidate" not in allowed
    assert _counts() == before  # a question, never a write


def test_why_speaks_chinese(web):
    client = _client(web, "trainer", lang="zh-CN")
    page = _text(_why(client, "candidate1"))
    assert '<html lang="zh-CN">' in page
    assert "曾培训该考生" in page and CLASS_NAME in page and "Trained this candidate" not in page
    assert "曾培训该考生" not in _text(_why(client, "candidate3"))


def test_why_follows_the_chosen_language(web):
    client = _client(web, "trainer")
    post_form(client, "/language", {"locale": "zh_CN", "next": "/"})
    page = _text(_why(client, "candidate1", **{"Accept-Language": "en"}))
    assert "曾培训该考生" in page and CLASS_NAME in page


def test_why_names_an_unknown_id_number_on_its_field(web):
    client = _client(web, "trainer")
    response = client.get("/recusal/why", query_string={"role": "assessor", "candidate": UNKNOWN_ID})
    page = _text(response)
    assert response.status_code == 200
    assert "No person of your body has this ID number." in page and f'value="{UNKNOWN_ID}"' in page
    assert "Result" not in page
    missing = _text(client.get("/recusal/why", query_string={"role": ""}))
    assert "Choose a role." in missing and "Enter a candidate's ID number or an occupation code." in missing


def test_why_checks_bank_access_by_occupation(web):
    client = _client(web, "trainer")
    page = _text(client.get("/recusal/why", query_string={"role": "bank_access", "occupation": "4-13-03-02"}))
    assert "Trains occupation 4-13-03-02" in page
    unknown = _text(client.get("/recusal/why", query_string={"role": "bank_access", "occupation": "9-99"}))
    assert "No occupation has this code." in unknown


# --- overrides -------------------------------------------------------------------------------------------------


def _request_override(client, **extra):
    data = {
        "actor": f"p:{_person('trainer').id}",
        "candidate": f"p:{_person('candidate1').id}",
        "role": "assessor",
        "reason": "本地区仅此一名高级考评员具备该方向资质，经集体研究同意。",
        **extra,
    }
    return post_form(client, "/recusal/overrides/new", data, page="/recusal/overrides/new")


def _verdict(actor: str = "trainer", candidate: str = "candidate1"):
    verdict, _record = operations.check(_person(actor).id, "assessor", candidate=_person(candidate).id)
    db.session.rollback()  # the check's record is not what these tests are about
    return verdict


def _only_override() -> OverrideRecord:
    db.session.expire_all()
    return db.session.execute(sa.select(OverrideRecord)).scalar_one()


def test_a_scoring_override_needs_a_second_supervisor(web):
    supervisor = _client(web, "supervisor")
    assert supervisor.get("/recusal/overrides/new").status_code == 200
    assert _request_override(supervisor).status_code == 302
    row = _only_override()
    assert len(row.approvals) == 1
    verdict = _verdict()
    assert not verdict.allowed and "override_approvals_short" in [n.code for n in verdict.notices]
    page = _text(supervisor.get("/recusal/overrides"))
    assert "1 of 2" in page and "awaiting approval" in page and "陈师傅" in page and "张三丰" in page

    make_user("supervisor2", Role.SUPERVISOR, body=db.session.get(Body, _user("supervisor").body_id), serial=604)
    second = _client(web, "supervisor2", password="correct-horse-battery")
    response = post_form(second, f"/recusal/overrides/{row.id}/approve", page="/recusal/overrides")
    assert response.status_code == 302
    assert len(_only_override().approvals) == 2
    verdict = _verdict()
    assert verdict.allowed and verdict.override_used.id == row.id
    page = _text(second.get("/recusal/overrides"))
    assert "2 of 2" in page and "active" in page

    before = _counts()
    post_form(second, f"/recusal/overrides/{row.id}/approve", page="/recusal/overrides")
    assert "You have already approved this override." in _text(second.get("/recusal/overrides"))
    post_form(second, f"/recusal/overrides/{row.id}/revoke", {"reason": " "}, page="/recusal/overrides")
    assert "Give a reason." in _text(second.get("/recusal/overrides"))
    assert _counts() == before

    post_form(second, f"/recusal/overrides/{row.id}/revoke", {"reason": "资质问题已解决"}, page="/recusal/overrides")
    assert _only_override().revoked_at is not None
    assert not _verdict().allowed


def test_the_conflicted_person_can_never_approve_or_request(web):
    trainer = _user("trainer")
    auth_ops.set_roles(trainer, {Role.TRAINER, Role.SUPERVISOR})
    db.session.commit()
    assert _request_override(_client(web, "supervisor")).status_code == 302
    row = _only_override()
    client = _client(web, "trainer")
    before = _counts()
    post_form(client, f"/recusal/overrides/{row.id}/approve", page="/recusal/overrides")
    message = "A person concerned by the conflict can never request or approve its override."
    assert message in _text(client.get("/recusal/overrides"))
    assert _counts() == before and len(_only_override().approvals) == 1
    response = _request_override(client)
    assert response.status_code == 400 and message in _text(response)
    assert _counts() == before
    assert not _verdict().allowed


@pytest.mark.parametrize(
    ("data", "messages"),
    [
        (
            {"actor": "", "candidate": "", "role": "", "reason": ""},
            ["Choose the person with the conflict.", "Choose a role.", "Give a reason."],
        ),
        ({"actor": "p:999999"}, ["Not a valid choice"]),
        ({"occupation": "0-00-00-00"}, ["No occupation has this code."]),
        ({"expires_on": "next week"}, ["Enter a date as YYYY-MM-DD."]),
    ],
    ids=["empty", "unknown-actor", "unknown-occupation", "bad-date"],
)
def test_a_bad_override_request_is_refused_and_changes_nothing(web, data, messages):
    client = _client(web, "supervisor")
    before = _counts()
    response = _request_override(client, **data)
    page = _text(response)
    assert response.status_code == 400
    for message in messages:
        assert message in page
    for key, value in data.items():
        if value and key not in ("actor", "candidate"):  # people are picked from a list, not typed
            assert f'value="{value}"' in page
    assert _counts() == before


@pytest.mark.parametrize("username", ["candidate1", "invigilator"])
def test_candidates_and_invigilators_cannot_use_overrides(web, username):
    assert _request_override(_client(web, "supervisor")).status_code == 302
    row = _only_override()
    client = _client(web, username)
    before = _counts()
    assert client.get("/recusal/overrides").status_code == 403
    assert client.get("/recusal/overrides/new").status_code == 403
    assert post_form(client, f"/recusal/overrides/{row.id}/approve").status_code == 403
    assert post_form(client, f"/recusal/overrides/{row.id}/revoke", {"reason": "x"}).status_code == 403
    assert _counts() == before


def test_admins_see_overrides_but_only_supervisors_act(web):
    client = _client(web, "admin")
    assert client.get("/recusal/overrides").status_code == 200
    assert client.get("/recusal/overrides/new").status_code == 403


def test_another_bodys_override_does_not_exist(web):
    other = inst_ops.create_body(BodyType.THIRD_PARTY, "0000", "12", "天津其他评价机构")
    db.session.commit()
    their_supervisor = make_user("their_supervisor", Role.SUPERVISOR, body=other, serial=601)
    their_trainer = make_user("their_trainer", Role.TRAINER, body=other, serial=602)
    their_candidate = make_user("their_candidate", Role.CANDIDATE, body=other, serial=603)
    operations.add_relation("trained", their_trainer.person_id, their_candidate.person_id)
    row = operations.request_override(
        their_trainer.person_id,
        "invigilator",
        "外机构的例外审批理由",
        requested_by=their_supervisor,
        candidate=their_candidate.person_id,
    )
    db.session.commit()
    client = _client(web, "supervisor")
    before = _counts()
    assert post_form(client, f"/recusal/overrides/{row.id}/approve").status_code == 404
    assert post_form(client, f"/recusal/overrides/{row.id}/revoke", {"reason": "x"}).status_code == 404
    assert post_form(client, "/recusal/overrides/99999/approve").status_code == 404
    assert "外机构的例外审批理由" not in _text(client.get("/recusal/overrides"))
    assert _counts() == before
