"""Appointments (评聘): an S body cannot appoint (page and operation); a Y body proposes with prerequisites met or
refused with every unmet one; the panel decides; the term is recorded with dates that make sense."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from certify.applications import appointments_ops as ops
from certify.applications.models import Appointment, DecisionState, PanelVote
from certify.applications.views_appointments import bp
from certify.auth.models import Role, User
from certify.core.clock import local_date, now_utc
from certify.core.db import db
from certify.core.demo import seed_demo_world
from certify.core.errors import Refused
from certify.institutions import operations, people
from certify.institutions.models import Body, BodyType, Occupation, Person
from certify.supervision.models import AuditEntry
from tests.factories import login, make_user, post_form, unique_id_number

RESTORER = "4-13-03-02"


def _today() -> date:
    return local_date(now_utc())


def _person(body: Body, name: str) -> Person:
    values = {"name": name, "id_type": "resident_id", "id_number": unique_id_number(), "phone": "", "employer": ""}
    return people.register_person(body, values)


@pytest.fixture
def world(app):
    if bp.name not in app.blueprints:
        app.register_blueprint(bp)
    seed_demo_world()
    occupation = db.session.execute(sa.select(Occupation).where(Occupation.code == RESTORER)).scalar_one()
    body_y = operations.create_body(BodyType.EMPLOYER, "0001", "11", "示例博物馆职业技能等级评价中心")
    operations.file_occupation(body_y, occupation, date(2024, 1, 1), None)
    db.session.commit()
    make_user("yadmin", Role.ADMIN, body=body_y)
    make_user("ysupervisor", Role.SUPERVISOR, body=body_y)
    appointee = _person(body_y, "王匠师")
    panel = [_person(body_y, name) for name in ("评委甲", "评委乙", "评委丙", "评委丁")]
    db.session.commit()
    return {"body": body_y, "occupation": occupation, "appointee": appointee, "panel": panel}


def _client(app, username: str, password: str = "correct-horse-battery"):
    client = app.test_client()
    login(client, username, password)
    return client


def _count(model) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar()


def _form(world, **overrides) -> dict:
    data = {
        "id_number": world["appointee"].id_number,
        "occupation_id": world["occupation"].id,
        "level": 7,
        "work_since": "2000-03-01",
        "held_level": 6,
        "held_since": "2012-06-30",
        "portfolio": "青铜器修复代表作三件",
    }
    return {**data, **overrides}


def test_an_s_body_is_told_it_cannot_appoint_and_a_proposal_is_refused(app, world):
    admin = _client(app, "admin", "certify-demo")
    page = admin.get("/appointments/new", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Only an employer-type (Y) body may appoint" in page
    demo_body = db.session.execute(sa.select(Body).where(Body.body_type == BodyType.THIRD_PARTY)).scalars().first()
    demo_person = db.session.execute(sa.select(Person).where(Person.body_id == demo_body.id)).scalars().first()
    data = _form(world, id_number=demo_person.id_number, occupation_id=world["occupation"].id)
    response = post_form(admin, "/appointments/new", data, headers={"Accept-Language": "zh-CN"})
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "只能由用人单位（Y类）评价机构评聘；本机构为社会培训评价组织（S类）" in text
    assert _count(Appointment) == 0


def test_the_operation_refuses_an_s_body_whatever_the_facts(app, world):
    demo_body = db.session.execute(sa.select(Body).where(Body.body_type == BodyType.THIRD_PARTY)).scalars().first()
    demo_person = db.session.execute(sa.select(Person).where(Person.body_id == demo_body.id)).scalars().first()
    facts = {"work_since": date(1990, 1, 1), "held_level": 6, "held_since": date(2000, 1, 1), "birth_date": None}
    with pytest.raises(Refused) as refused:
        ops.propose_appointment(
            demo_body, demo_person.id_number, world["occupation"].id, 8, facts, portfolio="", today=_today()
        )
    assert [p.code for p in refused.value.problems] == ["admin4_appointment_rule"]
    assert "employer-type (Y)" in refused.value.problems[0].params["detail"].reason.message("en")


def test_a_y_body_proposes_when_the_prerequisites_are_met(app, world):
    admin = _client(app, "yadmin")
    response = post_form(admin, "/appointments/new", _form(world))
    assert response.status_code == 302
    row = db.session.execute(sa.select(Appointment)).scalar_one()
    assert (row.state, row.level_ordinal, row.person_id) == (DecisionState.PROPOSED, 7, world["appointee"].id)
    page = admin.get(response.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Special-grade technician" in page and "青铜器修复代表作三件" in page
    assert "since the Grade 1 / Senior technician certificate" in page
    actions = db.session.execute(sa.select(AuditEntry.action)).scalars().all()
    assert "applications.appointment_proposed" in actions


def test_unmet_prerequisites_are_listed_and_nothing_is_saved(app, world):
    admin = _client(app, "yadmin")
    recent = (_today() - timedelta(days=400)).isoformat()
    response = post_form(
        admin, "/appointments/new", _form(world, level=8, held_since=recent), headers={"Accept-Language": "en"}
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Needs 8 years of work after obtaining the Grade 1 / Senior technician certificate" in text
    assert "short by" in text and 'value="2000-03-01"' in text  # typed values kept
    assert _count(Appointment) == 0


def test_a_certified_level_cannot_be_appointed_and_an_unknown_person_is_named(app, world):
    admin = _client(app, "yadmin")
    response = post_form(
        admin,
        "/appointments/new",
        _form(world, level=5, id_number="110101199001011237"),
        headers={"Accept-Language": "en"},
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and "Nobody of your body has the ID number 110101199001011237" in text
    response = post_form(admin, "/appointments/new", _form(world, level=5), headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "is obtained by certification, not by appointment" in response.get_data(as_text=True)
    response = post_form(admin, "/appointments/new", _form(world, level="x"), headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert _count(Appointment) == 0


def _proposed(app, world):
    admin = _client(app, "yadmin")
    assert post_form(admin, "/appointments/new", _form(world)).status_code == 302
    return admin, db.session.execute(sa.select(Appointment)).scalar_one()


def _vote(admin, appointment, member, approve, comment=""):
    data = {"member": member.id, "approve": "yes" if approve else "no", "comment": comment}
    return post_form(admin, f"/appointments/{appointment.id}/votes", data, headers={"Accept-Language": "en"})


def test_the_panel_approves_then_the_term_is_recorded(app, world):
    admin, appointment = _proposed(app, world)
    a, b, c, _d = world["panel"]
    assert _vote(admin, appointment, a, True).status_code == 302
    early = post_form(
        admin,
        f"/appointments/{appointment.id}/term",
        {"term_starts": "2026-01-01", "term_ends": "2030-12-31"},
        headers={"Accept-Language": "en"},
    )
    assert early.status_code == 400 and "only after the panel has approved" in early.get_data(as_text=True)
    assert _vote(admin, appointment, b, False, "portfolio too thin").status_code == 302
    assert _vote(admin, appointment, c, True).status_code == 302
    assert _count(PanelVote) == 3
    bad = post_form(
        admin,
        f"/appointments/{appointment.id}/term",
        {"term_starts": "2026-01-01", "term_ends": "2025-12-31"},
        headers={"Accept-Language": "en"},
    )
    assert bad.status_code == 400 and "The term must end after it starts." in bad.get_data(as_text=True)
    db.session.refresh(appointment)
    assert appointment.state == DecisionState.PROPOSED and appointment.term_starts is None
    ok = post_form(
        admin, f"/appointments/{appointment.id}/term", {"term_starts": "2026-01-01", "term_ends": "2030-12-31"}
    )
    assert ok.status_code == 302
    db.session.refresh(appointment)
    assert appointment.state == DecisionState.APPROVED
    assert (appointment.term_starts, appointment.term_ends) == (date(2026, 1, 1), date(2030, 12, 31))
    page = admin.get("/appointments", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "2026-01-01 – 2030-12-31" in page and "approved" in page


def test_a_majority_against_rejects_and_no_more_votes_are_taken(app, world):
    admin, appointment = _proposed(app, world)
    a, b, c, d = world["panel"]
    assert _vote(admin, appointment, a, False, "no defence held").status_code == 302
    no_reason = _vote(admin, appointment, b, False)
    assert no_reason.status_code == 400 and "A vote against needs a reason." in no_reason.get_data(as_text=True)
    assert _vote(admin, appointment, b, False, "no defence held").status_code == 302
    assert _vote(admin, appointment, c, True).status_code == 302
    db.session.refresh(appointment)
    assert appointment.state == DecisionState.REJECTED
    late = _vote(admin, appointment, d, True)
    assert late.status_code == 400 and "already been decided" in late.get_data(as_text=True)
    assert _count(PanelVote) == 3


def test_the_appointee_cannot_vote_on_their_own_appointment(app, world):
    admin, appointment = _proposed(app, world)
    response = _vote(admin, appointment, world["appointee"], True)
    assert response.status_code == 400 and "cannot sit on their own panel" in response.get_data(as_text=True)
    assert _count(PanelVote) == 0


def test_a_conflicted_panel_member_is_blocked_with_the_recusal_reason(app, world):
    from certify.recusal import operations as recusal

    admin, appointment = _proposed(app, world)
    member = world["panel"][0]
    recusal.add_relation("relative", member.id, world["appointee"].id)
    db.session.commit()
    response = _vote(admin, appointment, member, True)
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and "blocked by the recusal rules" in text
    assert _count(PanelVote) == 0
    page = admin.get(f"/appointments/{appointment.id}", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 200 and "特级技师" in page.get_data(as_text=True)


def test_the_dossier_keeps_the_defence(app, world):
    admin, appointment = _proposed(app, world)
    bad = post_form(
        admin,
        f"/appointments/{appointment.id}/dossier",
        {"portfolio": "x", "defence_minutes": "答辩40分钟"},
        headers={"Accept-Language": "en"},
    )
    assert bad.status_code == 400 and "Give the date of the defence" in bad.get_data(as_text=True)
    data = {"portfolio": "修复作品集", "defence_on": "2026-05-10", "defence_minutes": "答辩40分钟，评委提问五项"}
    assert post_form(admin, f"/appointments/{appointment.id}/dossier", data).status_code == 302
    db.session.refresh(appointment)
    dossier = ops.dossier_of(appointment)
    assert dossier["defence_on"] == "2026-05-10" and dossier["portfolio"] == "修复作品集"


def test_access_supervisor_reads_candidate_403_other_body_404(app, world):
    _admin, appointment = _proposed(app, world)
    supervisor = _client(app, "ysupervisor")
    assert supervisor.get(f"/appointments/{appointment.id}").status_code == 200
    assert supervisor.get("/appointments/new").status_code == 403
    assert _vote(supervisor, appointment, world["panel"][0], True).status_code == 403
    candidate = _client(app, "candidate1", "certify-demo")
    assert candidate.get("/appointments").status_code == 403
    assert candidate.get(f"/appointments/{appointment.id}").status_code == 403
    other = _client(app, "admin", "certify-demo")
    assert other.get(f"/appointments/{appointment.id}").status_code == 404
    assert _vote(other, appointment, world["panel"][0], True).status_code == 404
    assert other.get("/appointments/999999").status_code == 404
    assert db.session.execute(sa.select(User.id).where(User.username == "yadmin")).scalar_one()
