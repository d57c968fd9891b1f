"""Recusal pages for body staff: relations, the conflict queue (pinned decisions), training classes and roster
imports, the person's conflict sheet, and the draw screen with replay."""

from __future__ import annotations

import io
from datetime import date

import pytest
import sqlalchemy as sa

from certify.auth.models import User
from certify.core.db import db
from certify.core.demo import demo_id_number, seed_demo_world
from certify.recusal.models import ConflictStatus, PanelDraw, PotentialConflictRecord, RelationRecord, TrainingClass
from tests.factories import login, post_form


def _pid(username: str) -> int:
    return db.session.execute(sa.select(User.person_id).where(User.username == username)).scalar_one()


@pytest.fixture
def admin(app):
    seed_demo_world()
    db.session.commit()
    client = app.test_client()
    login(client, "admin", "certify-demo")
    return client


def _count(model) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar()


def test_relations_list_shows_the_roster_relations_with_their_source(admin):
    page = admin.get("/recusal/relations", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "陈师傅" in page and "张三丰" in page and "training roster" in page
    assert "2026年文物修复师（陶瓷）中级工培训班" in page


def test_an_admin_records_and_withdraws_a_relation(admin):
    before = _count(RelationRecord)
    response = post_form(
        admin,
        "/recusal/relations",
        {"kind": "relative", "person_a": _pid("assessor2"), "person_b": _pid("candidate4"), "note": "siblings"},
    )
    assert response.status_code == 302 and _count(RelationRecord) == before + 1
    row = db.session.execute(sa.select(RelationRecord).order_by(RelationRecord.id.desc())).scalars().first()
    assert (
        post_form(admin, f"/recusal/relations/{row.id}/withdraw", {"reason": "entered by mistake"}).status_code == 302
    )
    db.session.refresh(row)
    assert row.withdrawn_at is not None and row.withdrawn_reason == "entered by mistake"


def test_a_relation_with_one_person_twice_is_refused_and_nothing_changes(admin):
    before = _count(RelationRecord)
    response = post_form(
        admin,
        "/recusal/relations",
        {"kind": "relative", "person_a": _pid("assessor2"), "person_b": _pid("assessor2")},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400 and "A relation needs two different people." in response.get_data(as_text=True)
    assert _count(RelationRecord) == before


def test_a_dismissed_potential_conflict_stays_dismissed_after_detection_runs_again(admin):
    dismissed = db.session.execute(
        sa.select(PotentialConflictRecord).where(PotentialConflictRecord.status == ConflictStatus.DISMISSED)
    ).scalar_one()
    assert post_form(admin, "/recusal/conflicts/detect", {}).status_code == 302
    db.session.refresh(dismissed)
    assert dismissed.status is ConflictStatus.DISMISSED
    page = admin.get("/recusal/conflicts?status=dismissed").get_data(as_text=True)
    assert "无工作往来" in page


def test_confirming_a_potential_conflict_records_the_relation(admin):
    row = (
        db.session.execute(
            sa.select(PotentialConflictRecord).where(PotentialConflictRecord.status == ConflictStatus.OPEN)
        )
        .scalars()
        .first()
    )
    before = _count(RelationRecord)
    assert post_form(admin, f"/recusal/conflicts/{row.id}/confirm", {"reason": "verified with HR"}).status_code == 302
    db.session.refresh(row)
    assert row.status is ConflictStatus.CONFIRMED
    assert _count(RelationRecord) == before + (1 if row.relation_id else 0)


def test_the_person_sheet_shows_relations_classes_and_declarations(admin):
    page = admin.get(f"/recusal/people/{_pid('trainer')}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "2026年文物修复师（陶瓷）中级工培训班" in page and "张三丰" in page and "Declarations" in page


def test_an_admin_records_an_employment_that_then_blocks_shared_employer_assessments(admin):
    c2 = _pid("candidate2")
    response = post_form(
        admin,
        f"/recusal/people/{_pid('assessor3')}/employments",
        {"organisation": "首都示例博物馆", "starts_on": "2015-01-01"},
    )
    assert response.status_code == 302
    from certify.recusal import operations

    with pytest.raises(operations.RecusalBlocked) as blocked:
        operations.require(_pid("assessor3"), "assessor", candidate=c2)
    assert [r.code for r in blocked.value.verdict.reasons] == ["shared_employer"]
    bad = post_form(
        admin,
        f"/recusal/people/{_pid('assessor3')}/employments",
        {"organisation": "某单位", "starts_on": "2020-01-01", "ends_on": "2019-01-01"},
        headers={"Accept-Language": "en"},
        follow_redirects=True,
    )
    assert "The end date is before the start date." in bad.get_data(as_text=True)


def _roster_csv(rows: list[list[str]]) -> bytes:
    header = "培训机构,班级名称,职业编码,等级,开始日期,结束日期,身份,姓名,证件号码"
    return ("\n".join([header, *[",".join(r) for r in rows]]) + "\n").encode("utf-8-sig")


def test_importing_a_roster_creates_classes_people_and_relations(admin):
    trainee = demo_id_number(date(1999, 9, 9), 321)
    data = _roster_csv(
        [
            [
                "示例文博学院",
                "2025年考古探掘工初级班",
                "4-13-03-03",
                "2",
                "2025-03-01",
                "2025-06-30",
                "培训教师",
                "陈师傅",
                db.session.execute(sa.select(User).where(User.username == "trainer")).scalar_one().person.id_number,
            ],
            [
                "示例文博学院",
                "2025年考古探掘工初级班",
                "4-13-03-03",
                "2",
                "2025-03-01",
                "2025-06-30",
                "学员",
                "新学员",
                trainee,
            ],
        ]
    )
    response = post_form(
        admin,
        "/recusal/classes/import",
        {"roster": (io.BytesIO(data), "roster.csv")},
        content_type="multipart/form-data",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert "Imported 1 class(es); 1 new person(s) registered; 1 trainer–trainee relation(s)" in response.get_data(
        as_text=True
    )
    assert db.session.execute(
        sa.select(TrainingClass).where(TrainingClass.name == "2025年考古探掘工初级班")
    ).scalar_one()


def test_a_bad_roster_is_refused_with_row_and_column_and_imports_nothing(admin):
    classes, relations = _count(TrainingClass), _count(RelationRecord)
    data = _roster_csv(
        [
            ["示例文博学院", "坏班", "4-13", "9", "2025-13-01", "2025-06-30", "学员", "某人", "110105194912310021"],
        ]
    )
    response = post_form(
        admin,
        "/recusal/classes/import",
        {"roster": (io.BytesIO(data), "roster.csv")},
        content_type="multipart/form-data",
        headers={"Accept-Language": "en"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The roster was not imported" in page and "<td>2</td>" in page
    assert (_count(TrainingClass), _count(RelationRecord)) == (classes, relations)


def test_the_roster_template_downloads_as_xlsx(admin):
    response = admin.get("/recusal/classes/template.xlsx")
    assert response.status_code == 200 and response.data[:2] == b"PK"


def test_the_draw_screen_draws_explains_and_replays(admin):
    data = {
        "site_id": 1,
        "session_date": "2026-12-15",
        "level": 3,
        "kind": "practical",
        "candidates": [_pid("candidate1"), _pid("candidate2"), _pid("candidate4")],
        "pool": [_pid(u) for u in ("assessor1", "assessor2", "assessor3", "senior_assessor")],
        "seed": "42",
    }
    response = post_form(admin, "/recusal/draws/new", data)
    assert response.status_code == 302
    row = db.session.execute(sa.select(PanelDraw)).scalar_one()
    page = admin.get(f"/recusal/draws/{row.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert row.ok and "group leader" in page and "<code>42</code>" in page
    replay = post_form(
        admin, f"/recusal/draws/{row.id}/replay", {}, headers={"Accept-Language": "en"}, follow_redirects=True
    )
    assert "the same panels were drawn" in replay.get_data(as_text=True)


def test_an_impossible_draw_names_the_missing_constraint_in_the_users_language(admin):
    post_form(admin, "/language", {"locale": "zh_CN"})
    data = {
        "site_id": 1,
        "session_date": "2026-12-15",
        "level": 5,
        "kind": "practical",
        "candidates": [_pid("candidate2")],
        "pool": [_pid(u) for u in ("assessor2", "assessor3")],
        "seed": "1",
    }
    response = post_form(admin, "/recusal/draws/new", data, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "高级考评员" in page
    assert db.session.execute(sa.select(PanelDraw.ok)).scalar_one() is False


def test_the_supervisor_sees_but_cannot_change(app, admin):
    supervisor = app.test_client()
    login(supervisor, "supervisor", "certify-demo")
    assert supervisor.get("/recusal/relations").status_code == 200
    assert post_form(supervisor, "/recusal/conflicts/detect", {}).status_code == 403
    assert supervisor.get("/recusal/draws/new").status_code == 403


def test_the_downloaded_template_imports_as_it_is(admin):
    template = admin.get("/recusal/classes/template.xlsx").data
    response = post_form(
        admin,
        "/recusal/classes/import",
        {"roster": (io.BytesIO(template), "roster.xlsx")},
        content_type="multipart/form-data",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)[-800:]
    assert "Imported 1 class(es)" in response.get_data(as_text=True)


def test_roster_problems_name_the_column_as_its_header_reads(admin):
    data = _roster_csv(
        [["示例文博学院", "坏班", "4-13", "2", "2025-01-01", "2025-06-30", "学员", "某人", "110105194912310021"]]
    )
    response = post_form(
        admin,
        "/recusal/classes/import",
        {"roster": (io.BytesIO(data), "roster.csv")},
        content_type="multipart/form-data",
        headers={"Accept-Language": "en"},
    )
    page = response.get_data(as_text=True)
    assert "<td>Occupation code</td>" in page and "occupation_code" not in page
