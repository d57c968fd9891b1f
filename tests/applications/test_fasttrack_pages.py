"""The competition register, direct recognition proposals and the mapping table, through the real pages."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from certify.applications.models import (
    Competition,
    CompetitionEvent,
    CompetitionResult,
    DecisionState,
    Recognition,
    RuleSetRecord,
)
from certify.applications.views_fasttrack import bp as fasttrack_bp
from certify.applications.views_panel import bp as panel_bp
from certify.auth.models import Role, User
from certify.core.clock import local_date, now_utc
from certify.core.db import db
from certify.core.demo import seed_demo_world
from certify.institutions import operations as inst_ops
from certify.institutions.models import BodyType, Occupation, Person
from certify.ladder.fasttrack import CompetitionClass, ParticipantType
from certify.supervision.models import AuditEntry
from tests.factories import login, make_user, post_form

DEMO = "certify-demo"


@pytest.fixture
def web(app):
    for bp in (fasttrack_bp, panel_bp):
        if bp.name not in app.blueprints:
            app.register_blueprint(bp)
    seed_demo_world()
    db.session.commit()
    return app


def _client(app, username: str, lang: str = "en"):
    client = app.test_client()
    assert login(client, username, DEMO).status_code == 302
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
    return client


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _person(username: str) -> Person:
    pid = db.session.execute(sa.select(User.person_id).where(User.username == username)).scalar_one()
    return db.session.get(Person, pid)


def _restorer() -> Occupation:
    return db.session.execute(sa.select(Occupation).where(Occupation.code == "4-13-03-02")).scalar_one()


def _count(model) -> int:
    db.session.expire_all()
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar()


def _id_from(response, pattern: str) -> int:
    match = re.search(pattern, response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def register_result(
    client,
    username: str,
    rank: int,
    *,
    cls: str = "national",
    participant: str = "employee",
    name: str = "全国文物修复职业技能竞赛",
    held_on=None,
) -> int:
    """Register a competition with one event and one result through the pages; returns the result id."""
    held_on = held_on or (now_utc().date() - timedelta(days=30))
    response = post_form(
        client,
        "/fasttrack/competitions/new",
        {
            "name": name,
            "competition_class": cls,
            "organiser": "国家文物局",
            "held_on": held_on.isoformat(),
            "document_ref": "文物人发〔2026〕12号",
        },
    )
    assert response.status_code == 302, _text(response)
    competition_id = _id_from(response, r"/competitions/(\d+)")
    response = post_form(
        client,
        f"/fasttrack/competitions/{competition_id}/events",
        {"name": "陶瓷修复", "occupation_id": _restorer().id},
    )
    assert response.status_code == 302, _text(response)
    event_id = db.session.execute(
        sa.select(CompetitionEvent.id).where(CompetitionEvent.competition_id == competition_id)
    ).scalar_one()
    response = post_form(
        client,
        f"/fasttrack/events/{event_id}/results",
        {
            f"e{event_id}-id_number": _person(username).id_number,
            f"e{event_id}-rank": str(rank),
            f"e{event_id}-participant_type": participant,
        },
    )
    assert response.status_code == 302, _text(response)
    return db.session.execute(
        sa.select(CompetitionResult.id).where(CompetitionResult.event_id == event_id)
    ).scalar_one()


def approved_recognition(username: str, level: int, days_ago: int) -> Recognition:
    """An approved recognition decided `days_ago` days ago (the person's earlier promotion)."""
    body_id = _person(username).body_id
    competition = Competition(
        body_id=body_id,
        name=f"往届竞赛{days_ago}",
        competition_class=CompetitionClass.NATIONAL,
        organiser="国家文物局",
        held_on=(now_utc() - timedelta(days=days_ago + 30)).date(),
        document_ref="往届文件",
        created_at=now_utc(),
    )
    db.session.add(competition)
    db.session.flush()
    event = CompetitionEvent(competition_id=competition.id, name="陶瓷修复", occupation_id=_restorer().id)
    db.session.add(event)
    db.session.flush()
    result = CompetitionResult(
        event_id=event.id, person_id=_person(username).id, rank=3, participant_type=ParticipantType.EMPLOYEE
    )
    db.session.add(result)
    db.session.flush()
    recognition = Recognition(
        body_id=body_id,
        result_id=result.id,
        person_id=result.person_id,
        occupation_id=event.occupation_id,
        awarded_ordinal=level,
        basis="{}",
        state=DecisionState.APPROVED,
        created_at=now_utc() - timedelta(days=days_ago + 10),
        decided_at=now_utc() - timedelta(days=days_ago),
    )
    db.session.add(recognition)
    db.session.commit()
    return recognition


# --- the register ---------------------------------------------------------------------------------------------------


def test_an_admin_registers_a_competition_event_and_result(web):
    admin = _client(web, "admin")
    result_id = register_result(admin, "candidate1", 3)
    result = db.session.get(CompetitionResult, result_id)
    assert result.rank == 3 and result.participant_type is ParticipantType.EMPLOYEE
    page = _text(admin.get(f"/fasttrack/competitions/{result.event.competition_id}"))
    assert "全国文物修复职业技能竞赛" in page and "National competition" in page and "张三丰" in page
    assert "文物人发〔2026〕12号" in page and "Propose recognition" in page
    assert _text(admin.get("/fasttrack/competitions")).count("全国文物修复职业技能竞赛") == 1
    actions = set(db.session.execute(sa.select(AuditEntry.action)).scalars())
    assert {"fasttrack.competition_created", "fasttrack.event_added", "fasttrack.result_entered"} <= actions


def test_a_competition_in_the_future_or_without_fields_is_refused_and_nothing_saved(web):
    admin = _client(web, "admin")
    future = (now_utc().date() + timedelta(days=10)).isoformat()
    response = post_form(
        admin,
        "/fasttrack/competitions/new",
        {
            "name": "明年的竞赛",
            "competition_class": "national",
            "organiser": "x",
            "held_on": future,
            "document_ref": "y",
        },
    )
    assert response.status_code == 400 and "The competition date is in the future" in _text(response)
    response = post_form(
        admin,
        "/fasttrack/competitions/new",
        {"name": "", "competition_class": "galactic", "organiser": "", "held_on": "2026-13-40", "document_ref": ""},
    )
    page = _text(response)
    assert response.status_code == 400
    assert "Competition name is required." in page and "Enter a date as YYYY-MM-DD." in page
    assert _count(Competition) == 0


def test_a_result_for_an_unknown_person_or_rank_zero_is_refused_naming_both_fields(web):
    admin = _client(web, "admin")
    result_id = register_result(admin, "candidate1", 3)
    event_id = db.session.get(CompetitionResult, result_id).event_id
    response = post_form(
        admin,
        f"/fasttrack/events/{event_id}/results",
        {
            f"e{event_id}-id_number": "110101199909095555",
            f"e{event_id}-rank": "0",
            f"e{event_id}-participant_type": "student",
        },
    )
    page = _text(response)
    assert response.status_code == 400
    assert "The rank is a whole number from 1 upwards." in page
    response = post_form(
        admin,
        f"/fasttrack/events/{event_id}/results",
        {
            f"e{event_id}-id_number": "110101199909095555",
            f"e{event_id}-rank": "2",
            f"e{event_id}-participant_type": "student",
        },
    )
    assert response.status_code == 400 and "No person of your body has this ID number." in _text(response)
    response = post_form(
        admin,
        f"/fasttrack/events/{event_id}/results",
        {
            f"e{event_id}-id_number": _person("candidate1").id_number,
            f"e{event_id}-rank": "2",
            f"e{event_id}-participant_type": "student",
        },
    )
    assert response.status_code == 400 and "张三丰 already has a result in this event." in _text(response)
    assert _count(CompetitionResult) == 1


# --- proposals and the mapping rows ---------------------------------------------------------------------------------


def test_national_top_five_employee_is_proposed_as_technician(web):
    admin = _client(web, "admin")
    result_id = register_result(admin, "candidate1", 5)
    response = post_form(admin, f"/fasttrack/results/{result_id}/propose", {})
    assert response.status_code == 302
    recognition = db.session.execute(sa.select(Recognition)).scalar_one()
    assert recognition.awarded_ordinal == 5 and recognition.state is DecisionState.PROPOSED
    basis = json.loads(recognition.basis)
    assert basis["row"] == {
        "competition_class": "national",
        "rank_from": 1,
        "rank_to": 5,
        "participant_type": "employee",
        "awarded_level": 5,
    }
    page = _text(admin.get(response.headers["Location"]))
    assert (
        "Grade 2 / Technician" in page and "Awarded Grade 2 / Technician for rank 5 in a national competition." in page
    )


def test_a_student_gets_one_level_lower(web):
    admin = _client(web, "admin")
    result_id = register_result(admin, "candidate2", 2, participant="student")
    assert post_form(admin, f"/fasttrack/results/{result_id}/propose", {}).status_code == 302
    assert db.session.execute(sa.select(Recognition.awarded_ordinal)).scalar_one() == 4


def test_a_rank_below_the_table_is_refused_with_the_reason_in_both_languages(web):
    admin = _client(web, "admin")
    result_id = register_result(admin, "candidate1", 16)
    response = post_form(admin, f"/fasttrack/results/{result_id}/propose", {})
    assert response.status_code == 400
    assert "Rank 16 as employee in a national competition earns no level under the table." in _text(response)
    chinese = _client(web, "admin", lang="zh-CN")
    response = post_form(chinese, f"/fasttrack/results/{result_id}/propose", {})
    assert response.status_code == 400
    assert "按认定对照表，国家级竞赛职工第16名不能直接认定等级。" in _text(response)
    assert _count(Recognition) == 0


def test_a_municipal_winner_earns_nothing_under_the_default_table(web):
    admin = _client(web, "admin")
    result_id = register_result(admin, "candidate1", 1, cls="municipal", name="市级文物修复竞赛")
    response = post_form(admin, f"/fasttrack/results/{result_id}/propose", {})
    assert response.status_code == 400 and "earns no level under the table" in _text(response)


def test_a_winner_who_already_holds_the_level_moves_up_one(web):
    approved_recognition("candidate1", 4, days_ago=400)  # 高级工 last year
    admin = _client(web, "admin")
    result_id = register_result(admin, "candidate1", 10)  # national 6–15 → 高级工 …
    assert post_form(admin, f"/fasttrack/results/{result_id}/propose", {}).status_code == 302
    recognition = db.session.execute(sa.select(Recognition).where(Recognition.result_id == result_id)).scalar_one()
    assert recognition.awarded_ordinal == 5  # … held already, so 技师
    assert json.loads(recognition.basis)["current_level"] == 4
    page = _text(admin.get(f"/panel/recognitions/{recognition.id}"))
    assert "Already holds Grade 3 / Senior worker, so moves up one level to Grade 2 / Technician." in page


def test_a_second_promotion_in_the_same_year_is_refused(web):
    approved_recognition("candidate1", 4, days_ago=0)
    admin = _client(web, "admin")
    result_id = register_result(admin, "candidate1", 3)
    response = post_form(admin, f"/fasttrack/results/{result_id}/propose", {})
    page = _text(response)
    assert response.status_code == 400
    today = local_date(now_utc())
    assert f"Already promoted by competition on {today.isoformat()}; at most 1 per person in {today.year}." in page
    assert _count(Recognition) == 1


def test_a_second_proposal_while_one_waits_for_its_panel_is_refused(web):
    admin = _client(web, "admin")
    first = register_result(admin, "candidate1", 3)
    second = register_result(admin, "candidate1", 2, name="全国行业竞赛", cls="national_industry")
    assert post_form(admin, f"/fasttrack/results/{first}/propose", {}).status_code == 302
    response = post_form(admin, f"/fasttrack/results/{second}/propose", {})
    assert response.status_code == 400 and "张三丰 already has a recognition waiting for its panel" in _text(response)
    response = post_form(admin, f"/fasttrack/results/{first}/propose", {})
    assert response.status_code == 400 and "already been proposed" in _text(response)
    assert _count(Recognition) == 1


# --- the mapping table ----------------------------------------------------------------------------------------------


def _table_form(rows: list[dict], action: str = "save") -> dict:
    data = {"action": action}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"rows-{i}-{key}"] = str(value) if value is not None else ""
    return data


def _row(cls, first, last, who, level, remove=False):
    row = {
        "competition_class": cls,
        "rank_from": first,
        "rank_to": last,
        "participant_type": who,
        "awarded_level": level,
    }
    if remove:
        row["remove"] = "y"
    return row


def test_the_table_page_shows_the_default_rows_with_level_labels(web):
    page = _text(_client(web, "supervisor").get("/fasttrack/mapping"))
    assert "The default table is in use." in page
    assert "Provincial class I competition" in page and "Grade 2 / Technician" in page and "1–10" in page
    assert "Edit the table" not in page


def test_an_edited_table_is_saved_and_used_for_the_next_proposal(web):
    admin = _client(web, "admin")
    rows = [
        _row("national", 1, 20, "employee", 5),
        _row("municipal", 1, 3, "employee", 3),
        _row("national", 1, 5, "student", 4, remove=True),
        _row("national", "", "", "employee", 2),  # blank ranks: left out
    ]
    response = post_form(admin, "/fasttrack/mapping/edit", _table_form(rows))
    assert response.status_code == 302, _text(response)
    stored = json.loads(db.session.execute(sa.select(RuleSetRecord.data)).scalar_one())
    assert stored["rows"] == [
        {
            "competition_class": "national",
            "rank_from": 1,
            "rank_to": 20,
            "participant_type": "employee",
            "awarded_level": 5,
        },
        {
            "competition_class": "municipal",
            "rank_from": 1,
            "rank_to": 3,
            "participant_type": "employee",
            "awarded_level": 3,
        },
    ]
    assert "Municipal competition" in _text(admin.get("/fasttrack/mapping"))
    result_id = register_result(admin, "candidate3", 18)
    assert post_form(admin, f"/fasttrack/results/{result_id}/propose", {}).status_code == 302
    assert db.session.execute(sa.select(Recognition.awarded_ordinal)).scalar_one() == 5


def test_a_table_with_bad_rows_is_refused_naming_each_row_and_nothing_is_saved(web):
    admin = _client(web, "admin")
    rows = [
        _row("national", 1, 5, "employee", 5),
        _row("national", 0, 5, "student", 4),
        _row("national", 3, 8, "employee", 4),
        _row("municipal", 1, 3, "employee", 4),
    ]
    response = post_form(admin, "/fasttrack/mapping/edit", _table_form(rows))
    page = _text(response)
    assert response.status_code == 400
    assert "Row 2, Ranks: the rank range 0–5 must run from 1 upwards." in page
    assert "Row 3: ranks 3–8 overlap row 1 for the same class and participant type." in page
    assert "Row 4, Level awarded: Grade 3 / Senior worker or above needs a provincial class II competition" in page
    assert _count(RuleSetRecord) == 0
    chinese = _client(web, "admin", lang="zh-CN")
    page = _text(post_form(chinese, "/fasttrack/mapping/edit", _table_form(rows)))
    # the row labels come from the catalog (translated by the lead); the rule's own words are Chinese already
    assert "名次3–8与" in page and "的名次范围重叠（竞赛类别和参赛身份相同）" in page
    assert _count(RuleSetRecord) == 0


def test_a_table_with_a_non_number_rank_is_refused_on_the_field(web):
    admin = _client(web, "admin")
    response = post_form(admin, "/fasttrack/mapping/edit", _table_form([_row("national", "first", 5, "employee", 5)]))
    assert response.status_code == 400 and "Enter a whole number." in _text(response)
    assert _count(RuleSetRecord) == 0


def test_add_a_row_shows_one_more_row_and_saves_nothing(web):
    admin = _client(web, "admin")
    response = post_form(
        admin, "/fasttrack/mapping/edit", _table_form([_row("national", 1, 5, "employee", 5)], "add_row")
    )
    assert response.status_code == 200 and 'name="rows-1-rank_from"' in response.get_data(as_text=True)
    assert _count(RuleSetRecord) == 0


def test_an_empty_table_is_refused(web):
    admin = _client(web, "admin")
    response = post_form(admin, "/fasttrack/mapping/edit", _table_form([_row("national", 1, 5, "employee", 5, True)]))
    assert response.status_code == 400 and "The table needs at least one row." in _text(response)


# --- access ---------------------------------------------------------------------------------------------------------


def test_a_supervisor_reads_but_cannot_change(web):
    admin = _client(web, "admin")
    result_id = register_result(admin, "candidate1", 3)
    competition_id = db.session.get(CompetitionResult, result_id).event.competition_id
    supervisor = _client(web, "supervisor")
    page = _text(supervisor.get(f"/fasttrack/competitions/{competition_id}"))
    assert "张三丰" in page and "Propose recognition" not in page and "Enter a result" not in page
    assert supervisor.get("/fasttrack/competitions/new").status_code == 403
    assert post_form(supervisor, f"/fasttrack/results/{result_id}/propose", {}).status_code == 403
    assert supervisor.get("/fasttrack/mapping/edit").status_code == 403


def test_a_candidate_is_forbidden(web):
    candidate = _client(web, "candidate1")
    for url in ("/fasttrack/competitions", "/fasttrack/mapping", "/fasttrack/competitions/new"):
        assert candidate.get(url).status_code == 403


def test_another_bodys_admin_gets_404(web):
    admin = _client(web, "admin")
    result_id = register_result(admin, "candidate1", 3)
    result = db.session.get(CompetitionResult, result_id)
    competition_id, event_id = result.event.competition_id, result.event_id
    other = inst_ops.create_body(BodyType.THIRD_PARTY, "0000", "12", "天津其他评价机构")
    db.session.commit()
    make_user("other_admin", Role.ADMIN, body=other)
    stranger = web.test_client()
    login(stranger, "other_admin")
    assert stranger.get(f"/fasttrack/competitions/{competition_id}").status_code == 404
    assert post_form(stranger, f"/fasttrack/competitions/{competition_id}/events", {"name": "x"}).status_code == 404
    assert post_form(stranger, f"/fasttrack/events/{event_id}/results", {}).status_code == 404
    assert post_form(stranger, f"/fasttrack/results/{result_id}/propose", {}).status_code == 404
    assert _text(stranger.get("/fasttrack/competitions")).count("全国文物修复职业技能竞赛") == 0


def test_the_edit_page_starts_from_the_table_in_force_plus_a_blank_row(web):
    page = _client(web, "admin", lang="zh-CN").get("/fasttrack/mapping/edit").get_data(as_text=True)
    assert 'name="rows-9-rank_to"' in page and 'name="rows-10-rank_from"' in page  # 10 default rows + 1 blank
    assert 'name="rows-11-rank_from"' not in page
    assert "二级/技师" in page
