"""The applications part of the demo world: every state a new user should meet, built through the real operations,
idempotent, and with the audit chain intact."""

from __future__ import annotations

import html
import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from certify.applications import fasttrack_ops, queries
from certify.applications.bans_ops import BanState, ban_state
from certify.applications.demo import BAN_REASON, COMPETITION, seed_applications_demo
from certify.applications.models import (
    Application,
    ApplicationEvent,
    ApplicationRoute,
    ApplicationState,
    Ban,
    Competition,
    CompetitionResult,
    DecisionState,
    EvidenceFile,
    EvidenceKind,
    Recognition,
)
from certify.auth.models import User
from certify.core.clock import local_date, now_utc
from certify.core.db import db
from certify.core.demo import BODY_NAME, seed_demo_world
from certify.institutions.models import Body, Person
from certify.ladder.eligibility_relaxations import SanctionTier
from certify.ladder.fasttrack import CompetitionClass
from certify.recusal.operations import today
from certify.supervision.models import AuditEntry
from tests.factories import login

COUNTED = (Application, ApplicationEvent, Competition, CompetitionResult, Recognition, Ban, EvidenceFile, AuditEntry)


def seed() -> None:
    """The demo world, with the applications part added explicitly until the lead wires it into seed_demo_world."""
    seed_demo_world()
    wired = db.session.execute(sa.select(Application.id).limit(1)).first() is not None
    if not wired:
        body = db.session.execute(sa.select(Body).where(Body.name == BODY_NAME)).scalar_one()
        seed_applications_demo(body, _user("admin"))
    db.session.commit()


def _user(username: str) -> User:
    return db.session.execute(sa.select(User).where(User.username == username)).scalar_one()


def _application(username: str) -> Application:
    person_id = _user(username).person_id
    return db.session.execute(sa.select(Application).where(Application.candidate_person_id == person_id)).scalar_one()


def _counts() -> dict[str, int]:
    db.session.expire_all()
    return {m.__name__: db.session.execute(sa.select(sa.func.count()).select_from(m)).scalar_one() for m in COUNTED}


@pytest.fixture
def world(app):
    seed()
    return app


def test_a_second_run_changes_nothing(world):
    first = _counts()
    assert first["Application"] == 5 and first["Competition"] == 1 and first["Ban"] == 1
    seed()
    body = db.session.execute(sa.select(Body).where(Body.name == BODY_NAME)).scalar_one()
    seed_applications_demo(body, _user("admin"))  # called once more directly, whether wired or not
    db.session.commit()
    assert _counts() == first


def test_candidate1_is_approved_for_senior_worker_in_ceramics(world):
    row = _application("candidate1")
    assert (row.state, row.route, row.level_ordinal) == (ApplicationState.APPROVED, ApplicationRoute.STANDARD, 4)
    assert row.occupation.code == "4-13-03-02" and row.direction.name_zh == "陶瓷"
    assert row.decided_by_id == _user("admin").id
    assert row.candidate_pledged_at and row.employer_pledged_at
    assert row.employer_pledge_name == "北京示例文物保护中心"
    assert [(e.kind, e.content_type) for e in row.evidence] == [(EvidenceKind.ID_DOCUMENT, "image/png")]
    verdict = json.loads(row.verdict)
    assert verdict["en"]["eligible"] is True and "10 years of work" in json.dumps(verdict["en"])
    assert [e.kind for e in row.events][-2:] == ["submitted", "approved"]
    assert queries.approved_application(row.candidate_person_id, row.occupation_id, 4).id == row.id


def test_candidate2_was_returned_once_with_two_problems_and_a_week_to_correct(world):
    row = _application("candidate2")
    assert row.state == ApplicationState.RETURNED and row.returned_once
    assert queries.effective_state(row, now_utc()) == ApplicationState.RETURNED
    returned = row.events[-1]
    assert returned.kind == "returned"
    details = json.loads(returned.details)
    texts = [p["text"] for p in details["problems"]]
    assert texts == ["社保缴费证明不清晰，请重新上传", "工作经历起止日期与社保记录不符"]
    assert details["deadline"] == (today() + timedelta(days=7)).isoformat()
    assert local_date(row.return_deadline, "Asia/Shanghai") == today() + timedelta(days=7)
    assert {e.kind for e in row.evidence} == {EvidenceKind.ID_DOCUMENT, EvidenceKind.SOCIAL_INSURANCE}


def test_candidate3_waits_in_the_review_queue(world):
    row = _application("candidate3")
    assert (row.state, row.level_ordinal, row.route) == (ApplicationState.SUBMITTED, 3, ApplicationRoute.STANDARD)
    queue = db.session.execute(queries.review_queue(row.body_id, now_utc(), state="submitted")).scalars().all()
    assert row in queue


def test_candidate4_has_a_draft_whose_live_verdict_shows_what_is_missing(world):
    row = _application("candidate4")
    assert row.state == ApplicationState.DRAFT and not row.evidence and row.candidate_pledged_at is None
    person = db.session.get(Person, row.candidate_person_id)
    verdict, problems = queries.verdict_for("4-13-03-02", 3, queries.stored_profile(row), person, today())
    assert problems == [] and verdict is not None and verdict.satisfied_option is None
    assert "short by" in json.dumps(verdict.to_json("en"))


def test_candidate5_waits_for_a_panel_on_the_exceptional_route(world):
    row = _application("candidate5")
    assert (row.state, row.route, row.level_ordinal) == (ApplicationState.SUBMITTED, ApplicationRoute.EXCEPTIONAL, 5)
    assert {e.kind for e in row.evidence} == {EvidenceKind.ID_DOCUMENT, EvidenceKind.ACHIEVEMENT}
    items = fasttrack_ops.achievement_items(row)
    assert items[0]["award_class"] == "municipal" and items[1]["major_technical_problem"] is True
    _decision, reasons, unreadable = fasttrack_ops.threshold_verdict(row, db.session.get(Body, row.body_id))
    assert unreadable == [] and any(r.code == "route_met" for r in reasons)
    audited = db.session.execute(
        sa.select(AuditEntry.action).where(AuditEntry.object_type == "application", AuditEntry.object_id == str(row.id))
    ).scalars()
    assert "applications.achievements_saved" in set(audited)


def test_the_competition_register_has_results_and_a_recognition_before_its_panel(world):
    competition = db.session.execute(sa.select(Competition).where(Competition.name == COMPETITION)).scalar_one()
    assert competition.competition_class == CompetitionClass.NATIONAL
    assert (competition.organiser, competition.document_ref) == ("示例文物行业协会", "文博竞〔2026〕12号")
    assert competition.held_on <= today()
    (event,) = competition.events
    assert event.name == "陶瓷修复" and event.occupation.code == "4-13-03-02"
    ranks = [(r.person.name, r.rank) for r in event.results]
    assert ranks == [("欧阳明月", 3), ("周小文", 9)]
    recognition = db.session.execute(sa.select(Recognition)).scalar_one()
    assert recognition.state == DecisionState.PROPOSED and recognition.result.rank == 3
    assert recognition.awarded_ordinal == 5


def test_one_multi_year_ban_started_three_months_ago(world):
    ban = db.session.execute(sa.select(Ban)).scalar_one()
    assert ban.tier == SanctionTier.MULTI_YEAR_BAN and ban.reason == BAN_REASON
    assert ban.person.name == "钱立伟" and ban.created_by_id == _user("admin").id
    assert 85 <= (today() - ban.starts_on).days <= 95
    assert ban.ends_on.year == ban.starts_on.year + 3
    assert ban_state(ban, today()) == BanState.ACTIVE


def test_the_audit_chain_stays_intact(world, cli):
    actions = set(db.session.execute(sa.select(AuditEntry.action)).scalars())
    assert {
        "applications.created",
        "applications.approved",
        "applications.returned",
        "fasttrack.competition_created",
        "fasttrack.recognition_proposed",
        "applications.ban_added",
    } <= actions
    result = cli.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "intact" in result.output


def _page(app, username: str, url: str, lang: str = "en") -> str:
    client = app.test_client()
    assert login(client, username, "certify-demo").status_code == 302
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
    response = client.get(url)
    assert response.status_code == 200, url
    return html.unescape(response.get_data(as_text=True))


def test_signed_in_users_see_the_demo_data(world):
    returned = _application("candidate2")
    page = _page(world, "candidate2", f"/applications/{returned.id}")
    assert "Your application was returned for correction" in page and "社保缴费证明不清晰，请重新上传" in page
    assert f"Correct by {(today() + timedelta(days=7)).isoformat()} (end of day)." in page
    draft = _application("candidate4")
    assert "Not eligible" in _page(world, "candidate4", f"/applications/{draft.id}/profile")
    approved = _application("candidate1")
    assert "三级/高级工" in _page(world, "candidate1", f"/applications/{approved.id}", lang="zh-CN")
    queue = _page(world, "admin", "/review/applications")
    assert "王五" in queue and "陈静" in queue and "李小红" not in queue  # the queue opens on submitted ones
    assert "李小红" in _page(world, "admin", "/review/applications?state=returned")
    panel = _page(world, "assessor1", "/panel/")
    assert "欧阳明月" in panel and "陈静" in panel
    exceptional = _application("candidate5")
    assert "天津市文物修复技术创新奖" in _page(world, "reviewer", f"/panel/applications/{exceptional.id}")
    assert "钱立伟" in _page(world, "admin", "/bans")
    competition = db.session.execute(sa.select(Competition.id)).scalar_one()
    assert "周小文" in _page(world, "admin", f"/fasttrack/competitions/{competition}")
