"""`flask seed-demo`: the documented demo world, idempotent, refused in production."""

from __future__ import annotations

import sqlalchemy as sa

from certify.auth.models import Role, User
from certify.core.db import db
from certify.institutions.models import Body, Occupation, Person, Room, Site
from certify.supervision.models import AuditEntry
from tests.factories import login

DEMO_USERS = {
    "admin",
    "author",
    "reviewer",
    "trainer",
    "invigilator",
    "assessor1",
    "assessor2",
    "assessor3",
    "senior_assessor",
    "supervisor",
    "candidate1",
    "candidate2",
    "candidate3",
    "candidate4",
    "candidate5",
}


def _counts() -> dict:
    return {
        model.__tablename__: db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar()
        for model in (Body, Site, Room, Occupation, Person, User, AuditEntry)
    }


def test_seed_demo_builds_the_documented_world_and_is_idempotent(cli, app):
    first = cli.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    counts = _counts()
    second = cli.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert _counts() == counts
    usernames = set(db.session.execute(sa.select(User.username)).scalars())
    assert usernames >= DEMO_USERS
    restorer = db.session.execute(sa.select(Occupation).where(Occupation.code == "4-13-03-02")).scalar_one()
    assert restorer.name_zh == "文物修复师" and len(restorer.directions) == 13
    assert db.session.execute(sa.select(Occupation).where(Occupation.name_zh == "考古探掘工")).scalar_one()
    body = db.session.execute(sa.select(Body)).scalar_one()
    assert body.body_type.value == "S" and len(body.sites) == 2
    assert len(body.filings) == 2


def test_every_demo_login_works_with_the_documented_password(cli, app):
    cli.invoke(args=["seed-demo"])
    for username in sorted(DEMO_USERS):
        client = app.test_client()
        assert login(client, username, "certify-demo").status_code == 302, username
    roles = {u.username: u.roles for u in db.session.execute(sa.select(User)).scalars()}
    assert Role.SENIOR_ASSESSOR in roles["senior_assessor"] and roles["candidate3"] == {Role.CANDIDATE}


def test_the_demo_password_comes_from_the_environment_when_set(app, monkeypatch):
    app.config["DEMO_PASSWORD"] = "another-demo-pass"
    from tests.conftest import FreshSessionRunner

    FreshSessionRunner(app).invoke(args=["seed-demo"])
    assert login(app.test_client(), "admin", "another-demo-pass").status_code == 302


def test_if_empty_leaves_an_existing_installation_alone(cli):
    cli.invoke(args=["seed-demo"])
    counts = _counts()
    result = cli.invoke(args=["seed-demo", "--if-empty"])
    assert "already has accounts" in result.output and _counts() == counts


def test_production_configuration_is_refused_unless_forced(cli, app):
    app.config["CERTIFY_ENV"] = "production"
    refused = cli.invoke(args=["seed-demo"])
    assert refused.exit_code == 2 and "refusing" in refused.output
    assert _counts()["users"] == 0
    forced = cli.invoke(args=["seed-demo", "--force"])
    assert forced.exit_code == 0 and _counts()["users"] > 0
