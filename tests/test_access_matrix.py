"""The access matrix: every route, every role, the expected allow or deny — including object-level checks.

The table below is written from the product's rules, not read from the code: a route added without an entry
fails `test_every_route_is_in_the_matrix`, and a decorator that lets the wrong role in fails the walk.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from certify.auth.models import Role, User
from certify.core.db import db
from certify.core.demo import seed_demo_world
from certify.institutions import operations
from certify.institutions.models import Body, BodyType, Person, Room, Site
from certify.recusal import drawing
from certify.recusal import operations as recusal_ops
from certify.recusal.models import PotentialConflictRecord, RelationRecord, TrainingClass
from certify.recusal.policy import SessionKind
from tests.factories import login, post_form
from tests.matrix_bank import bank_world
from tests.matrix_exams import EXAM_MATRIX, exams_world

ALL = frozenset(Role)
A, S, C = Role.ADMIN, Role.SUPERVISOR, Role.CANDIDATE
PUBLIC = "public"
STAFF = ALL - {Role.CANDIDATE, Role.REGULATOR}
PANEL = {A, S, Role.REVIEWER, Role.SENIOR_ASSESSOR, Role.ASSESSOR}
PANEL_VOTE = PANEL - {S}
SIGNED_IN = ALL
R = Role.REVIEWER
CONTENT = {Role.AUTHOR, R}  # question content: authors and reviewers (plus a pledge and recusal's leave)
BANK_STAFF = {A, Role.AUTHOR, R}
BANK_VIEW = BANK_STAFF | {S}  # the bank's structure and statistics; supervisors read, never content

#: endpoint → (method, URL template, who is allowed). `{candidate}` is candidate1's person, `{other}` another
#: candidate's, `{site}`/`{room}` the demo body's, `{foreign_site}` one of another body.
MATRIX: dict[str, tuple[str, str, frozenset | str]] = {
    "core.home": ("GET", "/", ALL),
    "core.levels": ("GET", "/levels", ALL),
    "core.healthz": ("GET", "/healthz", PUBLIC),
    "core.set_language": ("POST", "/language", PUBLIC),
    "auth.login": ("GET", "/login", PUBLIC),
    "auth.logout": ("POST", "/logout", ALL),
    "auth.account": ("GET", "/account", ALL),
    "institutions.body": ("GET", "/body", {A, S}),
    "institutions.edit_body": ("GET", "/body/edit", {A}),
    "institutions.add_filing": ("POST", "/body/filings", {A}),
    "institutions.new_site": ("GET", "/sites/new", {A}),
    "institutions.site": ("GET", "/sites/{site}", {A, S}),
    "institutions.edit_site": ("GET", "/sites/{site}/edit", {A}),
    "institutions.new_room": ("GET", "/sites/{site}/rooms/new", {A}),
    "institutions.edit_room": ("GET", "/rooms/{room}/edit", {A}),
    "institutions.occupations": ("GET", "/occupations", ALL),
    "institutions.new_occupation": ("GET", "/occupations/new", {A}),
    "institutions.occupation": ("GET", "/occupations/1", ALL),
    "institutions.edit_occupation": ("GET", "/occupations/1/edit", {A}),
    "institutions.add_direction": ("POST", "/occupations/1/directions", {A}),
    "people.index": ("GET", "/people", {A, S}),
    "people.new": ("GET", "/people/new", {A}),
    "people.me": ("GET", "/me", ALL),
    "people.show": ("GET", "/people/{candidate}", {A, S, C}),
    "people.photo": ("GET", "/people/{candidate}/photo", {A, S, C}),
    "people.edit": ("GET", "/people/{candidate}/edit", {A}),
    "people.set_roles": ("POST", "/people/{candidate}/roles", {A}),
    "people.disable": ("POST", "/people/{other}/disable", {A}),
    "people.enable": ("POST", "/people/{other}/enable", {A}),
    "supervision.audit_log": ("GET", "/audit", {A, S}),
    "people.reset_password": ("POST", "/people/{other}/password", {A}),
    "people.create_account": ("POST", "/people/{other}/account", {A}),
    "recusal.relations": ("GET", "/recusal/relations", {A, S}),
    "recusal.add_relation": ("POST", "/recusal/relations", {A}),
    "recusal.withdraw_relation": ("POST", "/recusal/relations/{relation}/withdraw", {A}),
    "recusal.conflict_queue": ("GET", "/recusal/conflicts", {A, S}),
    "recusal.detect": ("POST", "/recusal/conflicts/detect", {A}),
    "recusal.decide": ("POST", "/recusal/conflicts/{conflict}/dismiss", {A}),
    "recusal.person_sheet": ("GET", "/recusal/people/{candidate}", {A, S}),
    "recusal.add_employment": ("POST", "/recusal/people/{candidate}/employments", {A}),
    "recusal_training.classes": ("GET", "/recusal/classes", {A, S}),
    "recusal_training.new_class": ("GET", "/recusal/classes/new", {A}),
    "recusal_training.show_class": ("GET", "/recusal/classes/{training_class}", {A, S}),
    "recusal_training.import_roster": ("POST", "/recusal/classes/import", {A}),
    "recusal_training.roster_template": ("GET", "/recusal/classes/template.xlsx", {A, S}),
    "recusal_draw.draws": ("GET", "/recusal/draws", {A, S}),
    "recusal_draw.new_draw": ("GET", "/recusal/draws/new", {A}),
    "recusal_draw.show_draw": ("GET", "/recusal/draws/{draw}", {A, S}),
    "recusal_draw.replay_draw": ("POST", "/recusal/draws/{draw}/replay", {A, S}),
    "recusal_staff.declarations": ("GET", "/recusal/declarations", STAFF),
    "recusal_staff.why": ("GET", "/recusal/why", STAFF),
    "recusal_staff.overrides": ("GET", "/recusal/overrides", {A, S}),
    "recusal_staff.new_override": ("GET", "/recusal/overrides/new", {S}),
    "recusal_staff.approve_override": ("POST", "/recusal/overrides/{override}/approve", {S}),
    "recusal_staff.revoke_override": ("POST", "/recusal/overrides/{override}/revoke", {S}),
    "registration.register": ("GET", "/register", PUBLIC),
    "registration.import_people": ("GET", "/people/import", {A}),
    "registration.import_upload": ("POST", "/people/import", {A}),
    "registration.import_template": ("GET", "/people/import/template.xlsx", {A}),
    "applications.index": ("GET", "/applications", {C}),
    "applications.new": ("GET", "/applications/new", {C}),
    "applications.show": ("GET", "/applications/{application}", {C}),
    "applications.profile": ("GET", "/applications/{application}/profile", {C}),
    "applications.add_evidence": ("POST", "/applications/{application}/evidence", {C}),
    "applications.evidence_file": ("GET", "/applications/{application}/evidence/{evidence}", {C}),
    "applications.remove_evidence": ("POST", "/applications/{draft}/evidence/{draft_evidence}/delete", {C}),
    "applications.pledge": ("POST", "/applications/{application}/pledge", {C}),
    "applications.submit": ("POST", "/applications/{application}/submit", {C}),
    "application_review.queue": ("GET", "/review/applications", {A, S}),
    "application_review.review": ("GET", "/review/applications/{application}", {A, S}),
    "application_review.evidence_file": ("GET", "/review/applications/{application}/evidence/{evidence}", {A, S}),
    "application_review.approve": ("POST", "/review/applications/{application}/approve", {A}),
    "application_review.reject": ("POST", "/review/applications/{application}/reject", {A}),
    "application_review.return_for_correction": ("POST", "/review/applications/{application}/return", {A}),
    "applications_api.eligibility": ("POST", "/api/v1/eligibility", SIGNED_IN),
    "fasttrack.competitions": ("GET", "/fasttrack/competitions", {A, S}),
    "fasttrack.new_competition": ("GET", "/fasttrack/competitions/new", {A}),
    "fasttrack.competition": ("GET", "/fasttrack/competitions/{competition}", {A, S}),
    "fasttrack.add_event": ("POST", "/fasttrack/competitions/{competition}/events", {A}),
    "fasttrack.add_result": ("POST", "/fasttrack/events/{event}/results", {A}),
    "fasttrack.propose": ("POST", "/fasttrack/results/{result}/propose", {A}),
    "fasttrack.mapping": ("GET", "/fasttrack/mapping", {A, S}),
    "fasttrack.edit_mapping": ("GET", "/fasttrack/mapping/edit", {A}),
    "panel.index": ("GET", "/panel/", PANEL),
    "panel.recognition": ("GET", "/panel/recognitions/{recognition}", PANEL),
    "panel.vote_recognition": ("POST", "/panel/recognitions/{recognition}/vote", PANEL_VOTE),
    "panel.application": ("GET", "/panel/applications/{exceptional}", PANEL),
    "panel.vote_application": ("POST", "/panel/applications/{exceptional}/vote", PANEL_VOTE),
    "appointments.index": ("GET", "/appointments", {A, S}),
    "appointments.new": ("GET", "/appointments/new", {A}),
    "appointments.show": ("GET", "/appointments/{appointment}", {A, S}),
    "appointments.save_dossier": ("POST", "/appointments/{appointment}/dossier", {A}),
    "appointments.vote": ("POST", "/appointments/{appointment}/votes", {A}),
    "appointments.record_term": ("POST", "/appointments/{appointment}/term", {A}),
    "bans.index": ("GET", "/bans", {A, S}),
    "bans.new": ("GET", "/bans/new", {A}),
    "bans.show": ("GET", "/bans/{ban}", {A, S}),
    "bans.lift": ("POST", "/bans/{ban}/lift", {A}),
    "rulesets.index": ("GET", "/rulesets", {A, S, Role.REVIEWER}),
    "rulesets.show": ("GET", "/rulesets/cultural_relics_restorer", {A, S, Role.REVIEWER}),
    "rulesets.edit": ("GET", "/rulesets/cultural_relics_restorer/edit", {A}),
    "rulesets.reset": ("POST", "/rulesets/cultural_relics_restorer/reset", {A}),
    "bank.index": ("GET", "/bank", BANK_VIEW),
    "bank.pledge": ("GET", "/bank/pledge/4-13-03-02", CONTENT),
    "bank.questions": ("GET", "/bank/questions?occupation=4-13-03-02", CONTENT),
    "bank.new_question": ("GET", "/bank/questions/new?occupation=4-13-03-02&level=4", CONTENT),
    "bank.question": ("GET", "/bank/questions/{question}", CONTENT),
    "bank.edit_question": ("GET", "/bank/questions/{question}/edit", CONTENT),
    "bank.submit_version": ("POST", "/bank/versions/{version}/submit", CONTENT),
    "bank.review_version": ("GET", "/bank/versions/{version}/review", {R}),
    "bank.promote_version": ("POST", "/bank/versions/{version}/promote", {R}),
    "bank.retire_version": ("POST", "/bank/versions/{version}/retire", {R}),
    "bank.review_queue": ("GET", "/bank/review", {R}),
    "bank.asset": ("GET", "/bank/assets/{asset}", CONTENT),
    "bank_elements.index": ("GET", "/bank/elements", BANK_VIEW),
    "bank_elements.template": ("GET", "/bank/elements/template.xlsx", BANK_VIEW),
    "bank_elements.table": ("GET", "/bank/elements/4-13-03-02", BANK_VIEW),
    "bank_elements.download": ("GET", "/bank/elements/4-13-03-02.xlsx", BANK_VIEW),
    "bank_elements.bank_size": ("GET", "/bank/elements/4-13-03-02/bank-size?level=4", BANK_VIEW),
    "bank_elements.upload": ("GET", "/bank/elements/4-13-03-02/upload", {A}),
    "bank_imports.index": ("GET", "/bank/imports", BANK_STAFF),
    "bank_imports.new": ("GET", "/bank/imports/new", CONTENT),
    "bank_imports.show": ("GET", "/bank/imports/{bank_import}", CONTENT),
    "bank_imports.template": ("GET", "/bank/template.xlsx", BANK_STAFF),
    "bank_imports.export": ("GET", "/bank/exports/new", CONTENT),
    "bank_blueprints.index": ("GET", "/bank/blueprints", BANK_VIEW),
    "bank_blueprints.new": ("GET", "/bank/blueprints/new", {A, R}),
    "bank_blueprints.show": ("GET", "/bank/blueprints/{blueprint}", BANK_VIEW),
    "bank_blueprints.edit": ("GET", "/bank/blueprints/{blueprint}/edit", {A, R}),
    "bank_blueprints.check": ("POST", "/bank/blueprints/{blueprint}/check", {A, R}),
    "bank_blueprints.feasibility": ("GET", "/bank/blueprints/{blueprint}/feasibility", BANK_VIEW),
    "bank_blueprints.approve": ("POST", "/bank/blueprints/{blueprint}/approve", {A, R}),
    "bank_blueprints.retire": ("POST", "/bank/blueprints/{blueprint}/retire", {A, R}),
    "bank_blueprints.assemble": ("GET", "/bank/blueprints/{blueprint}/assemble", {A, R}),
    "bank_blueprints.run": ("GET", "/bank/runs/{run}", BANK_VIEW),
    "bank_blueprints.run_used": ("POST", "/bank/runs/{run}/used", {A, R}),
    "bank_blueprints.paper": ("GET", "/bank/papers/{paper}", BANK_VIEW),
    "bank_blueprints.paper_content": ("GET", "/bank/papers/{paper}/content", CONTENT),
    "bank_stats.upload": ("GET", "/bank/papers/{paper}/results", {A, R}),
    "bank_stats.session": ("GET", "/bank/sessions/{sitting}", BANK_VIEW),
    "bank_stats.flags": ("GET", "/bank/flags", BANK_VIEW),
    "bank_stats.resolve": ("POST", "/bank/flags/{flag}/resolve", {R}),
    "bank_stats.item": ("GET", "/bank/questions/{question}/statistics", BANK_VIEW),
    **EXAM_MATRIX,
}

#: the demo account that stands for each role (candidate1 is the candidate whose record is {candidate})
ACCOUNT = {
    Role.ADMIN: "admin",
    Role.AUTHOR: "author",
    Role.REVIEWER: "reviewer",
    Role.TRAINER: "trainer",
    Role.INVIGILATOR: "invigilator",
    Role.ASSESSOR: "assessor1",
    Role.SENIOR_ASSESSOR: "senior_assessor",
    Role.SUPERVISOR: "supervisor",
    Role.CANDIDATE: "candidate1",
    Role.REGULATOR: "regulator",
}


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    assert endpoints == set(MATRIX), f"missing: {endpoints - set(MATRIX)}; stale: {set(MATRIX) - endpoints}"


def _world() -> dict:
    seed_demo_world()
    other = operations.create_body(BodyType.THIRD_PARTY, "0000", "12", "天津其他评价机构")
    foreign = operations.save_site(
        other, None, {"serial": "000009", "name": "外机构考点", "address": "天津", "active": True}
    )
    db.session.commit()

    def person(username):
        return db.session.execute(sa.select(User.person_id).where(User.username == username)).scalar_one()

    body = db.session.execute(sa.select(Body).where(Body.name != "天津其他评价机构")).scalar_one()
    site = db.session.execute(sa.select(Site).where(Site.body_id == body.id).order_by(Site.id)).scalars().first()
    supervisor = db.session.execute(sa.select(User).where(User.username == "supervisor")).scalar_one()
    draw = drawing.draw(
        body,
        site,
        recusal_ops.today(),
        3,
        SessionKind.PRACTICAL,
        [person("candidate2")],
        [person("assessor2"), person("assessor3"), person("senior_assessor")],
        drawn_by=supervisor,
        seed=1,
    )
    override = recusal_ops.request_override(
        person("trainer"),
        "assessor",
        "only restorer of this technique",
        requested_by=supervisor,
        candidate=person("candidate1"),
    )
    ids = {**_application_world(body, person), **bank_world(body)}
    ids |= exams_world(body, ids)
    db.session.commit()
    return {
        **ids,
        "relation": db.session.execute(sa.select(RelationRecord.id)).scalars().first(),
        "conflict": db.session.execute(sa.select(PotentialConflictRecord.id)).scalars().first(),
        "training_class": db.session.execute(sa.select(TrainingClass.id)).scalars().first(),
        "draw": draw.id,
        "override": override.id,
        "candidate": person("candidate1"),
        "other": person("candidate2"),
        "site": site.id,
        "room": db.session.execute(sa.select(Room.id).where(Room.site_id == site.id)).scalars().first(),
        "foreign_site": foreign.id,
    }


def _application_world(body, person) -> dict:
    """Objects for the application routes, written directly: this test is about who may reach them."""
    from datetime import date

    from certify.applications import models as am
    from certify.core.clock import now_utc
    from certify.core.demo import demo_photo
    from certify.institutions.models import Occupation

    now, occupation = now_utc(), db.session.execute(sa.select(Occupation).order_by(Occupation.id)).scalars().first()

    def application(candidate, state, route=am.ApplicationRoute.STANDARD):
        row = am.Application(
            body_id=body.id,
            candidate_person_id=person(candidate),
            occupation_id=occupation.id,
            level_ordinal=3,
            route=route,
            state=state,
            created_at=now,
            updated_at=now,
        )
        db.session.add(row)
        db.session.flush()
        return row

    def evidence(app_row):
        data = demo_photo(1)
        row = am.EvidenceFile(
            application_id=app_row.id,
            kind=am.EvidenceKind.ID_DOCUMENT,
            filename="id.png",
            content_type="image/png",
            size=len(data),
            pages=1,
            sha256="0" * 64,
            data=data,
            uploaded_at=now,
        )
        db.session.add(row)
        db.session.flush()
        return row

    submitted = application("candidate1", am.ApplicationState.SUBMITTED)
    draft = application("candidate1", am.ApplicationState.DRAFT)
    draft.level_ordinal = 4
    exceptional = application("candidate5", am.ApplicationState.SUBMITTED, am.ApplicationRoute.EXCEPTIONAL)
    competition = am.Competition(
        body_id=body.id,
        name="示例竞赛",
        competition_class="national",
        organiser="示例协会",
        held_on=date(2026, 6, 1),
        document_ref="示例〔2026〕1号",
        created_at=now,
    )
    db.session.add(competition)
    db.session.flush()
    event = am.CompetitionEvent(competition_id=competition.id, name="陶瓷修复", occupation_id=occupation.id)
    db.session.add(event)
    db.session.flush()
    result = am.CompetitionResult(
        event_id=event.id, person_id=person("candidate4"), rank=3, participant_type="employee"
    )
    db.session.add(result)
    db.session.flush()
    recognition = am.Recognition(
        body_id=body.id,
        result_id=result.id,
        person_id=person("candidate4"),
        occupation_id=occupation.id,
        awarded_ordinal=5,
        basis="{}",
        created_at=now,
    )
    appointment = am.Appointment(
        body_id=body.id, person_id=person("candidate2"), occupation_id=occupation.id, level_ordinal=7, created_at=now
    )
    ban = am.Ban(
        person_id=person("candidate3"),
        starts_on=date(2026, 1, 1),
        ends_on=date(2029, 1, 1),
        tier="multi_year_ban",
        reason="伪造证明",
        created_at=now,
    )
    db.session.add_all([recognition, appointment, ban])
    db.session.flush()
    return {
        "application": submitted.id,
        "evidence": evidence(submitted).id,
        "draft": draft.id,
        "draft_evidence": evidence(draft).id,
        "exceptional": exceptional.id,
        "competition": competition.id,
        "event": event.id,
        "result": result.id,
        "recognition": recognition.id,
        "appointment": appointment.id,
        "ban": ban.id,
    }


def _request(client, method: str, url: str):
    if method == "GET":
        return client.get(url)
    return post_form(client, url, {})


def _denied(response) -> bool:
    # Anonymous visitors are sent to the login page with the page they wanted (?next=…); a signed-in user who
    # signs out is sent there without it.
    return response.status_code in (403, 404) or (
        response.status_code == 302 and "/login?next=" in response.headers.get("Location", "")
    )


@pytest.mark.parametrize("role", [None, *sorted(Role)], ids=lambda r: r.value if r else "anonymous")
def test_the_matrix(app, role):
    ids = _world()
    client = app.test_client()
    if role is not None:
        assert login(client, ACCOUNT[role], "certify-demo").status_code == 302
    wrong = []
    # Sign-out last: it ends the session the other checks use.
    for endpoint, (method, template, allowed) in sorted(MATRIX.items(), key=lambda kv: kv[0] == "auth.logout"):
        response = _request(client, method, template.format(**ids))
        assert response.status_code < 500, f"{endpoint}: {response.status_code}"
        expected_allowed = allowed == PUBLIC or (role is not None and role in allowed)
        if expected_allowed == _denied(response):
            wrong.append(
                f"{endpoint} {method} {template}: {response.status_code} (expected "
                f"{'allow' if expected_allowed else 'deny'})"
            )
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("username", ["candidate1", "trainer", "assessor1"])
def test_nobody_reads_another_persons_record_by_changing_the_id(app, username):
    ids = _world()
    client = app.test_client()
    login(client, username, "certify-demo")
    own = db.session.execute(sa.select(User.person_id).where(User.username == username)).scalar_one()
    others = db.session.execute(sa.select(Person.id).where(Person.id != own)).scalars().all()
    for person_id in others:
        for url in (f"/people/{person_id}", f"/people/{person_id}/photo"):
            assert client.get(url).status_code == 404, url
    assert client.get(f"/people/{own}").status_code == 200
    assert ids


def test_staff_of_one_body_never_see_another_bodys_objects(app):
    ids = _world()
    client = app.test_client()
    login(client, "admin", "certify-demo")
    assert client.get(f"/sites/{ids['foreign_site']}").status_code == 404
    assert client.get(f"/sites/{ids['foreign_site']}/edit").status_code == 404
    assert post_form(client, f"/sites/{ids['foreign_site']}/rooms/new", {"name": "x", "seats": "3"}).status_code == 404
