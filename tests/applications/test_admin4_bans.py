"""The ban list: add (dated or permanent, reason required, 3 years offered), lift with a reason, audited; and
`active_bans` at the edges of a ban's window, feeding the verdict that says until when."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from certify.applications import bans_ops
from certify.applications.models import Ban
from certify.applications.views_bans import bp
from certify.auth.models import Role, User
from certify.core.clock import local_date, now_utc
from certify.core.db import db
from certify.core.demo import seed_demo_world
from certify.institutions import operations
from certify.institutions.models import Body, BodyType, Person
from certify.ladder.eligibility_durations import add_years
from certify.ladder.eligibility_relaxations import SanctionTier, ban_notice
from certify.supervision.models import AuditEntry
from tests.factories import login, make_user, post_form

END = date(2027, 6, 30)


def _person(username: str) -> Person:
    pid = db.session.execute(sa.select(User.person_id).where(User.username == username)).scalar_one()
    return db.session.get(Person, pid)


@pytest.fixture
def admin(app):
    if bp.name not in app.blueprints:
        app.register_blueprint(bp)
    seed_demo_world()
    db.session.commit()
    client = app.test_client()
    login(client, "admin", "certify-demo")
    return client


def _count() -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(Ban)).scalar()


def _actions() -> list[str]:
    return list(db.session.execute(sa.select(AuditEntry.action).where(AuditEntry.object_type == "ban")).scalars())


def _add(admin, **overrides):
    data = {
        "id_number": _person("candidate3").id_number,
        "tier": "multi_year_ban",
        "starts_on": "2025-01-01",
        "ends_on": END.isoformat(),
        "reason": "伪造工作年限证明",
    }
    return post_form(admin, "/bans/new", {**data, **overrides}, headers={"Accept-Language": "en"})


def test_the_form_offers_three_years_from_today_for_a_multi_year_ban(admin):
    page = admin.get("/bans/new", headers={"Accept-Language": "en"}).get_data(as_text=True)
    today = local_date(now_utc())
    assert f'value="{add_years(today, 3).isoformat()}"' in page
    assert 'selected value="multi_year_ban"' in page and "3 years from today" in page


def test_an_admin_adds_and_lifts_a_ban_and_both_are_audited(admin):
    response = _add(admin)
    assert response.status_code == 302
    ban = db.session.execute(sa.select(Ban)).scalar_one()
    assert (ban.person_id, ban.ends_on, ban.tier) == (_person("candidate3").id, END, SanctionTier.MULTI_YEAR_BAN)
    listing = admin.get("/bans", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "2027-06-30" in listing and "Barred for several years" in listing
    no_reason = post_form(admin, f"/bans/{ban.id}/lift", {"reason": " "}, headers={"Accept-Language": "en"})
    assert no_reason.status_code == 400 and "Give a reason." in no_reason.get_data(as_text=True)
    assert post_form(admin, f"/bans/{ban.id}/lift", {"reason": "证明材料经复核属实"}).status_code == 302
    db.session.refresh(ban)
    assert ban.lifted_at is not None and ban.lifted_reason == "证明材料经复核属实"
    assert _actions() == ["applications.ban_added", "applications.ban_lifted"]
    again = post_form(admin, f"/bans/{ban.id}/lift", {"reason": "again"}, headers={"Accept-Language": "en"})
    assert again.status_code == 400 and "already been lifted" in again.get_data(as_text=True)
    assert "证明材料经复核属实" in admin.get("/bans?state=lifted").get_data(as_text=True)
    assert "伪造" not in admin.get("/bans?state=active").get_data(as_text=True)
    assert bans_ops.active_bans(ban.person_id, date(2026, 1, 1)) == []


def test_bad_input_is_refused_with_every_problem_and_nothing_is_saved(admin):
    response = _add(admin, id_number="110101199001011237", ends_on="2024-12-31", reason="")
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Nobody of your body has the ID number 110101199001011237" in text
    assert "Give a reason." in text
    response = _add(admin, ends_on="2024-12-31")
    assert response.status_code == 400 and "must end on or after the day it starts" in response.get_data(as_text=True)
    response = _add(admin, ends_on="")
    assert response.status_code == 400 and "or mark it permanent" in response.get_data(as_text=True)
    response = _add(admin, permanent="y")
    assert response.status_code == 400 and "A permanent ban has no end date" in response.get_data(as_text=True)
    response = _add(admin, ends_on="30/06/2027")
    assert response.status_code == 400 and "Enter a date as YYYY-MM-DD." in response.get_data(as_text=True)
    response = _add(admin, tier="forever")
    assert response.status_code == 400
    assert _count() == 0 and _actions() == []


def test_active_bans_window_edges_and_the_verdict_says_until_when(admin):
    assert _add(admin).status_code == 302
    pid = _person("candidate3").id
    assert bans_ops.active_bans(pid, date(2024, 12, 31)) == []  # the day before it starts
    assert len(bans_ops.active_bans(pid, date(2025, 1, 1))) == 1  # the first day
    assert len(bans_ops.active_bans(pid, END - timedelta(days=1))) == 1  # the day before the end
    [ban] = bans_ops.active_bans(pid, END)  # the last day
    assert bans_ops.active_bans(pid, END + timedelta(days=1)) == []  # the day after
    notice = ban_notice([ban], END)
    assert "until 2027-06-30; may apply again from 2027-07-01" in notice.message("en")
    assert "期限至2027-06-30" in notice.message("zh_CN")


def test_a_permanent_ban_never_ends(admin):
    assert _add(admin, ends_on="", permanent="y").status_code == 302
    pid = _person("candidate3").id
    [ban] = bans_ops.active_bans(pid, date(2090, 1, 1))
    assert ban.ends_on == bans_ops.PERMANENT_UNTIL and ban_notice([ban], date(2090, 1, 1)) is not None
    listing = admin.get("/bans", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "permanent" in listing


def test_an_ended_ban_moves_to_the_ended_list(admin):
    assert _add(admin, starts_on="2020-01-01", ends_on="2021-01-01").status_code == 302
    assert "2021-01-01" not in admin.get("/bans").get_data(as_text=True)
    assert "2021-01-01" in admin.get("/bans?state=ended").get_data(as_text=True)


def test_access_supervisor_reads_candidate_403_other_body_404(app, admin):
    assert _add(admin).status_code == 302
    ban = db.session.execute(sa.select(Ban)).scalar_one()
    supervisor = app.test_client()
    login(supervisor, "supervisor", "certify-demo")
    assert supervisor.get(f"/bans/{ban.id}").status_code == 200
    assert supervisor.get("/bans/new").status_code == 403
    assert post_form(supervisor, f"/bans/{ban.id}/lift", {"reason": "x"}).status_code == 403
    candidate = app.test_client()
    login(candidate, "candidate3", "certify-demo")
    assert candidate.get("/bans").status_code == 403
    assert candidate.get(f"/bans/{ban.id}").status_code == 403
    other_body = operations.create_body(BodyType.THIRD_PARTY, "0000", "12", "天津其他评价机构")
    db.session.commit()
    make_user("otheradmin", Role.ADMIN, body=other_body)
    other = app.test_client()
    login(other, "otheradmin")
    assert other.get(f"/bans/{ban.id}").status_code == 404
    assert post_form(other, f"/bans/{ban.id}/lift", {"reason": "x"}).status_code == 404
    assert "伪造" not in other.get("/bans?state=all").get_data(as_text=True)
    # a person of another body cannot be banned from here
    response = _add(other, id_number=_person("candidate3").id_number)
    assert response.status_code == 400
    assert db.session.execute(sa.select(Body).where(Body.id == other_body.id)).scalar_one()
