"""Lapse of a returned application (computed when read, persisted by the scheduler job) and the ban list."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from certify.applications import tasks
from certify.applications.models import ApplicationEvent, ApplicationState, Ban
from certify.core.clock import frozen, now_utc
from certify.core.db import db
from certify.ladder.eligibility_relaxations import SanctionTier
from certify.supervision.models import AuditEntry
from tests.applications.test_apply_workflow import (
    WORKED_SINCE_2015,
    application,
    apply_world,
    client_for,
    create,
    errors,
    local_today,
    person,
    pledge,
    png,
    ready_and_submitted,
    return_it,
    save_profile,
    text,
    upload,
)
from tests.factories import post_form


@pytest.fixture
def web(app):
    return apply_world(app)


def _returned(app_):
    _, app_id = ready_and_submitted(app_)
    admin = client_for(app_, "admin")
    deadline = local_today() + timedelta(days=7)
    assert return_it(admin, app_id, [("Photo", "Blurred.")], deadline).status_code == 302
    return app_id, deadline


def _after_deadline() -> datetime:
    return now_utc() + timedelta(days=9)


def _lapse_audits(app_id: int) -> int:
    return db.session.execute(
        sa.select(sa.func.count()).where(
            AuditEntry.action == "applications.lapsed", AuditEntry.object_id == str(app_id)
        )
    ).scalar_one()


def test_reading_after_the_deadline_shows_lapsed_and_writes_nothing(web):
    app_id, deadline = _returned(web)
    with frozen(_after_deadline()):
        candidate = client_for(web, "candidate1")
        page = text(candidate.get(f"/applications/{app_id}"))
        assert "this application has lapsed" in page and "Lapsed: not corrected by the deadline" in page
        assert "lapsed" in text(candidate.get("/applications"))
        admin = client_for(web, "admin")
        assert "lapsed" in text(admin.get("/review/applications?state=lapsed"))
        assert application(app_id).state == ApplicationState.RETURNED  # reading never writes
        response = post_form(candidate, f"/applications/{app_id}/submit", page=f"/applications/{app_id}")
        assert response.status_code == 400, text(response)[-2500:]
        assert f"The correction deadline {deadline.isoformat()} has passed" in text(response), text(response)[-3000:]
        edit = save_profile(candidate, app_id, WORKED_SINCE_2015)
        assert edit.status_code == 400 and application(app_id).state == ApplicationState.RETURNED
    assert _lapse_audits(app_id) == 0


def test_the_deadline_day_itself_is_still_open(web):
    app_id, deadline = _returned(web)
    end_of_day = datetime(deadline.year, deadline.month, deadline.day, 15, 59, 0, tzinfo=UTC)  # 23:59 in Beijing
    with frozen(end_of_day):
        candidate = client_for(web, "candidate1")
        response = post_form(candidate, f"/applications/{app_id}/submit", page=f"/applications/{app_id}")
        assert response.status_code == 302, errors(response)
    assert application(app_id).state == ApplicationState.SUBMITTED


def test_the_scheduler_job_persists_the_lapse_once(web, cli):
    app_id, _ = _returned(web)
    assert tasks.lapse_returned_applications() == 0  # not yet due
    with frozen(_after_deadline()):
        # One `scheduler run --once` per test: on PostgreSQL a second run in the same process finds the
        # advisory lock still held by the pooled connection of the first (reported to the lead).
        result = cli.invoke(args=["scheduler", "run", "--once"])
        assert "applications.lapse: ok" in result.output, result.output
        assert tasks.lapse_returned_applications() == 0  # idempotent
        db.session.commit()
    row = application(app_id)
    assert row.state == ApplicationState.LAPSED
    assert [e.kind for e in row.events].count("lapsed") == 1 and _lapse_audits(app_id) == 1
    entry = db.session.execute(sa.select(AuditEntry).where(AuditEntry.action == "applications.lapsed")).scalar_one()
    assert json.loads(entry.before)["state"] == "returned" and json.loads(entry.after)["state"] == "lapsed"
    assert entry.actor_label == "scheduler"


def test_the_job_called_directly_counts_what_it_lapsed(web):
    app_id, _ = _returned(web)
    with frozen(_after_deadline()):
        assert tasks.lapse_returned_applications() == 1
        db.session.commit()
        assert tasks.lapse_returned_applications() == 0
    events = db.session.execute(sa.select(ApplicationEvent.kind).where(ApplicationEvent.application_id == app_id))
    assert list(events.scalars()).count("lapsed") == 1


def _ban(username: str, *, days_left: int | None = 400, lifted: bool = False, started: int = 30) -> Ban:
    today = local_today()
    row = Ban(
        person_id=person(username).id,
        starts_on=today - timedelta(days=started),
        ends_on=None if days_left is None else today + timedelta(days=days_left),
        tier=SanctionTier.MULTI_YEAR_BAN,
        reason="Falsified application",
        created_at=now_utc(),
        lifted_at=now_utc() if lifted else None,
    )
    db.session.add(row)
    db.session.commit()
    return row


def _ready(app_, username: str):
    client = client_for(app_, username)
    app_id = create(client)
    assert save_profile(client, app_id, WORKED_SINCE_2015).status_code == 302
    assert upload(client, app_id, [(png(), "id.png")]).status_code == 302
    assert pledge(client, app_id).status_code == 302
    return client, app_id


def test_a_banned_person_sees_until_when_and_cannot_submit(web):
    ban = _ban("candidate3")
    client, app_id = _ready(web, "candidate3")
    until, again = ban.ends_on.isoformat(), (ban.ends_on + timedelta(days=1)).isoformat()
    page = text(client.get(f"/applications/{app_id}"))
    assert "Not eligible" in page
    message = (
        f"On the ban list (barred for several years: Falsified application) until {until}; "
        f"may apply again from {again}."
    )
    assert message in page
    response = post_form(client, f"/applications/{app_id}/submit", page=f"/applications/{app_id}")
    assert response.status_code == 400 and message in text(response)
    assert application(app_id).state == ApplicationState.DRAFT
    chinese = text(client_for(web, "candidate3", lang="zh-CN").get(f"/applications/{app_id}"))
    assert f"期限至{until}；自{again}起方可再次申报" in chinese


def test_a_banned_person_cannot_submit_on_the_exceptional_route_either(web):
    _ban("candidate3", days_left=None)  # permanent
    client = client_for(web, "candidate3")
    app_id = create(client, route="exceptional")
    upload(client, app_id, [(png(), "id.png")])
    upload(client, app_id, [(png(), "award.png")], "achievement")
    pledge(client, app_id)
    response = post_form(client, f"/applications/{app_id}/submit", page=f"/applications/{app_id}")
    assert response.status_code == 400 and "On the ban list" in text(response)


def test_lifted_ended_and_future_bans_do_not_count(web):
    _ban("candidate3", lifted=True)
    _ban("candidate3", days_left=-1, started=400)
    _ban("candidate3", started=-10)  # starts in ten days
    client, app_id = _ready(web, "candidate3")
    assert "On the ban list" not in text(client.get(f"/applications/{app_id}"))
    response = post_form(client, f"/applications/{app_id}/submit", page=f"/applications/{app_id}")
    assert response.status_code == 302, errors(response)
