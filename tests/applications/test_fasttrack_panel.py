"""Expert panels on direct recognitions and exceptional-route (破格) applications, through the real pages."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from certify.applications.models import (
    Application,
    ApplicationEvent,
    ApplicationRoute,
    ApplicationState,
    DecisionState,
    PanelVote,
    Recognition,
)
from certify.applications.views_fasttrack import bp as fasttrack_bp
from certify.applications.views_panel import bp as panel_bp
from certify.auth import operations as auth_ops
from certify.auth.models import Role, User
from certify.core.clock import now_utc
from certify.core.db import db
from certify.core.demo import seed_demo_world
from certify.institutions import operations as inst_ops
from certify.institutions.models import BodyType
from certify.recusal.models import RecusalCheck
from certify.supervision.models import AuditEntry
from tests.applications.test_fasttrack_pages import _client, _count, _person, _restorer, _text, register_result
from tests.factories import login, make_user, post_form


@pytest.fixture
def web(app):
    for bp in (fasttrack_bp, panel_bp):
        if bp.name not in app.blueprints:
            app.register_blueprint(bp)
    seed_demo_world()
    db.session.commit()
    return app


@pytest.fixture
def proposed(web) -> int:
    """A recognition of candidate1 (national rank 3 → 技师) waiting for its panel."""
    admin = _client(web, "admin")
    result_id = register_result(admin, "candidate1", 3)
    assert post_form(admin, f"/fasttrack/results/{result_id}/propose", {}).status_code == 302
    return db.session.execute(sa.select(Recognition.id)).scalar_one()


def _vote(client, url: str, decision: str, comment: str = ""):
    return post_form(client, url, {"decision": decision, "comment": comment})


def _state(recognition_id: int) -> DecisionState:
    db.session.expire_all()
    return db.session.get(Recognition, recognition_id).state


def test_a_three_member_panel_decides_by_majority(web, proposed):
    url = f"/panel/recognitions/{proposed}/vote"
    assert _vote(_client(web, "admin"), url, "approve").status_code == 302
    assert _vote(_client(web, "assessor2"), url, "reject", "作品集不完整").status_code == 302
    assert _state(proposed) is DecisionState.PROPOSED
    page = _text(_client(web, "supervisor").get(f"/panel/recognitions/{proposed}"))
    assert "The panel decides once at least 3 members (an odd number) have voted." in page
    assert "作品集不完整" in page and "王建国" in page and "周考评" in page
    assert "Cast my vote" not in page  # supervisors read only
    response = _vote(_client(web, "assessor3"), url, "approve")
    assert response.status_code == 302
    assert _state(proposed) is DecisionState.APPROVED
    page = _text(_client(web, "admin").get(response.headers["Location"]))
    assert "3 vote(s): 2 to approve, 1 to reject." in page and "approved" in page
    decided = db.session.execute(
        sa.select(AuditEntry).where(AuditEntry.action == "fasttrack.recognition_decided")
    ).scalar_one()
    assert json.loads(decided.after)["approvals"] == 2
    # the panel has decided: no further vote is taken
    response = _vote(_client(web, "senior_assessor"), url, "approve")
    assert response.status_code == 400 and "no longer before the panel" in _text(response)
    assert _count(PanelVote) == 3


def test_a_rejecting_majority_rejects(web, proposed):
    url = f"/panel/recognitions/{proposed}/vote"
    for username in ("assessor2", "assessor3"):
        assert _vote(_client(web, username), url, "reject", "名次证明不清").status_code == 302
    assert _vote(_client(web, "reviewer"), url, "approve").status_code == 302
    assert _state(proposed) is DecisionState.REJECTED


def test_an_even_panel_does_not_decide(web, proposed):
    url = f"/panel/recognitions/{proposed}/vote"
    assert _vote(_client(web, "admin"), url, "approve").status_code == 302
    assert _vote(_client(web, "senior_assessor"), url, "approve").status_code == 302
    assert _state(proposed) is DecisionState.PROPOSED
    page = _text(_client(web, "admin").get(f"/panel/recognitions/{proposed}"))
    assert "2 vote(s): 2 to approve, 0 to reject." in page


def test_a_vote_against_without_a_comment_is_refused_and_nothing_recorded(web, proposed):
    response = _vote(_client(web, "assessor2"), f"/panel/recognitions/{proposed}/vote", "reject", "   ")
    assert response.status_code == 400 and "A vote against needs a reason." in _text(response)
    assert _count(PanelVote) == 0


def test_a_vote_needs_a_choice_and_a_member_votes_once(web, proposed):
    client = _client(web, "assessor2")
    url = f"/panel/recognitions/{proposed}/vote"
    response = _vote(client, url, "maybe")
    assert response.status_code == 400 and _count(PanelVote) == 0
    assert _vote(client, url, "approve").status_code == 302
    response = _vote(client, url, "approve")
    assert response.status_code == 400 and "You have already voted on this." in _text(response)
    assert _count(PanelVote) == 1


def test_the_trainer_of_the_candidate_is_kept_off_the_panel_and_nothing_is_recorded(web, proposed):
    trainer = db.session.execute(sa.select(User).where(User.username == "trainer")).scalar_one()
    url = f"/panel/recognitions/{proposed}/vote"
    assert _vote(_client(web, "trainer"), url, "approve").status_code == 403  # a trainer alone is no panel member
    auth_ops.set_roles(trainer, {Role.TRAINER, Role.ASSESSOR})
    db.session.commit()
    checks = _count(RecusalCheck)
    response = _vote(_client(web, "trainer"), url, "approve")
    page = _text(response)
    assert response.status_code == 400
    assert "The recusal rules keep you off this panel (1 reason(s) below)." in page
    assert "Trained this candidate" in page
    assert _count(PanelVote) == 0 and _count(RecusalCheck) == checks
    chinese = _text(_vote(_client(web, "trainer", lang="zh-CN"), url, "approve"))
    assert "曾培训该考生" in chinese
    assert _state(proposed) is DecisionState.PROPOSED


def test_panel_pages_are_closed_to_candidates_and_other_bodies(web, proposed):
    candidate = _client(web, "candidate1")
    assert candidate.get(f"/panel/recognitions/{proposed}").status_code == 403
    assert candidate.get("/panel/").status_code == 403
    assert _vote(candidate, f"/panel/recognitions/{proposed}/vote", "approve").status_code == 403
    other = inst_ops.create_body(BodyType.THIRD_PARTY, "0000", "12", "天津其他评价机构")
    db.session.commit()
    make_user("other_assessor", Role.ASSESSOR, body=other)
    stranger = web.test_client()
    login(stranger, "other_assessor")
    assert stranger.get(f"/panel/recognitions/{proposed}").status_code == 404
    assert _vote(stranger, f"/panel/recognitions/{proposed}/vote", "approve").status_code == 404
    assert "张三丰" not in _text(stranger.get("/panel/"))
    assert _count(PanelVote) == 0


def test_the_panel_list_shows_the_waiting_recognition(web, proposed):
    page = _text(_client(web, "assessor3").get("/panel/"))
    assert "张三丰" in page and "Grade 2 / Technician" in page and "before the panel" in page


# --- 破格 ------------------------------------------------------------------------------------------------------------

PROFILE = {
    "birth_date": "1980-03-01",
    "work_history": [{"employer": "北京示例文物保护中心", "start": "2012-07-01", "end": None, "job": "文物修复"}],
}
ACHIEVEMENTS = [
    {
        "award_class": "municipal",
        "obtained_on": "2022-05-10",
        "description": "北京市文物修复技术创新奖",
        "employer_endorsement": "北京示例文物保护中心推荐",
    },
    {"major_technical_problem": True, "obtained_on": "2024-01-15", "problem_solved": "青铜器粉状锈稳定化处理"},
]


def _application(username: str = "candidate1", route=ApplicationRoute.EXCEPTIONAL, level: int = 5) -> int:
    person = _person(username)
    now = now_utc()
    application = Application(
        body_id=person.body_id,
        candidate_person_id=person.id,
        occupation_id=_restorer().id,
        level_ordinal=level,
        route=route,
        state=ApplicationState.SUBMITTED,
        profile=json.dumps(PROFILE, ensure_ascii=False),
        achievements=json.dumps(ACHIEVEMENTS, ensure_ascii=False),
        submitted_at=now,
        created_at=now,
        updated_at=now,
    )
    db.session.add(application)
    db.session.commit()
    return application.id


def test_an_exceptional_application_shows_its_evidence_and_the_threshold_verdict(web):
    application_id = _application()
    page = _text(_client(web, "reviewer").get(f"/panel/applications/{application_id}"))
    assert "北京市文物修复技术创新奖" in page and "Municipal award" in page and "2022-05-10" in page
    assert "Employer endorsement" in page and "北京示例文物保护中心推荐" in page
    assert "Problem solved" in page and "青铜器粉状锈稳定化处理" in page
    assert "The evidence meets a local threshold." in page
    assert "Route municipal_award_12_years:" in page and "qualify for Grade 2 / Technician" in page


def test_an_exceptional_application_below_the_threshold_says_why(web):
    application_id = _application(level=6)  # 高级技师 needs 15 years and a provincial award
    page = _text(_client(web, "admin").get(f"/panel/applications/{application_id}"))
    assert "The evidence meets no local threshold." in page
    assert "needs 15 years of work" in page


def test_a_panel_approves_an_exceptional_application_and_records_the_decision(web):
    application_id = _application()
    url = f"/panel/applications/{application_id}/vote"
    assert _vote(_client(web, "admin"), url, "approve").status_code == 302
    assert _vote(_client(web, "assessor2"), url, "approve").status_code == 302
    db.session.expire_all()
    assert db.session.get(Application, application_id).state is ApplicationState.SUBMITTED
    assert _vote(_client(web, "reviewer"), url, "reject", "证明材料不足").status_code == 302
    db.session.expire_all()
    application = db.session.get(Application, application_id)
    assert application.state is ApplicationState.APPROVED and application.decided_at is not None
    event = db.session.execute(
        sa.select(ApplicationEvent).where(ApplicationEvent.application_id == application_id)
    ).scalar_one()
    assert event.kind == "panel_decision" and json.loads(event.details)["approvals"] == 2
    response = _vote(_client(web, "assessor3"), url, "approve")
    assert response.status_code == 400 and "no longer before the panel" in _text(response)


def test_a_standard_route_application_has_no_panel_page(web):
    application_id = _application(route=ApplicationRoute.STANDARD)
    admin = _client(web, "admin")
    assert admin.get(f"/panel/applications/{application_id}").status_code == 404
    assert _vote(admin, f"/panel/applications/{application_id}/vote", "approve").status_code == 404
