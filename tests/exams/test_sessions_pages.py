"""The staff session pages as users meet them: create and edit in local time, refusals on the form in both
languages, the session page (room codes, staffing, candidates, links), papers and invigilators through their
buttons, a recusal block with its reasons, and who may see and do what (other bodies get 404)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from certify.auth.models import Role
from certify.core.clock import frozen
from certify.core.db import db
from certify.exams import enrolment_ops
from certify.exams.models import ExamSession, RoomInvigilator
from tests.bank.test_blueprints_support import count_rows
from tests.exams.test_sessions_staffing import _trainer
from tests.exams.test_sessions_support import sessions_world, staff_rooms
from tests.factories import login, make_body, make_user, post_form


def signed_in(app, username: str, locale: str = "en"):
    client = app.test_client()
    login(client, username)
    post_form(client, "/language", {"locale": locale})
    return client


@pytest.fixture
def world(app):
    world = sessions_world(candidates=4)
    enrolment_ops.enrol_from_applications(world.session, [a.id for a in world.applications], world.admin)
    db.session.commit()
    return world


def _form(world, **changes) -> dict:
    data = {
        "name": "页面创建的考试", "occupation": str(world.bank.occupation.id), "level": "4",
        "blueprint": str(world.blueprint.id), "site": str(world.site.id),
        "rooms": [str(r.id) for r in world.rooms], "opens_at": "2030-05-01T09:00", "closes_at": "2030-05-01 12:00",
        "duration_minutes": "90", "expiry_policy": "auto_submit", "grace_minutes": "",
        "candidates_per_invigilator": "15", "min_invigilators_per_room": "2",
    }  # fmt: skip
    return {**data, **changes}


def test_an_admin_creates_a_session_in_local_time_and_lands_on_its_page(app, world):
    client = signed_in(app, "bankadmin")
    page = client.get("/exams/sessions/new").get_data(as_text=True)
    assert "A session fixes what is examined" in page and 'value="90"' in page
    response = post_form(client, "/exams/sessions/new", _form(world))
    assert response.status_code == 302
    session = db.session.execute(db.select(ExamSession).where(ExamSession.name == "页面创建的考试")).scalar_one()
    assert session.opens_at == datetime(2030, 5, 1, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
    assert session.closes_at == datetime(2030, 5, 1, 4, 0, tzinfo=UTC)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "This page runs one theory session" in page
    assert all(room.room_code in page for room in session.rooms)
    assert "No candidates: no invigilator needed." in page


def test_every_problem_shows_on_its_field_and_nothing_is_created(app, world):
    client = signed_in(app, "bankadmin")
    data = _form(world, opens_at="2030-05-01T09:00", closes_at="2030-05-01T08:00", duration_minutes="60",
                 level="1", rooms=[], name="")  # fmt: skip
    response = post_form(client, "/exams/sessions/new", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    for text in (
        "This field is required.",
        "Choose a level with a theory examination",
        "Choose at least one room.",
        "The window must close after it opens (opens 2030-05-01 09:00, closes 2030-05-01 08:00).",
        "The exam lasts 60 minutes; at least 90 minutes are required.",
    ):
        assert text in page, text
    bad_time = post_form(client, "/exams/sessions/new", _form(world, opens_at="tomorrow morning"))
    assert bad_time.status_code == 400 and "Enter a date and time as YYYY-MM-DD HH:MM." in bad_time.get_data(True)
    far = post_form(client, "/exams/sessions/new", _form(world, opens_at="0001-01-01T00:00"))
    assert far.status_code == 400 and "between the years 2000 and 2100" in far.get_data(True)
    assert count_rows(ExamSession) == 1


def test_a_refusal_reads_in_chinese_too(app, world):
    client = signed_in(app, "bankadmin", "zh_CN")
    page = post_form(client, "/exams/sessions/new", _form(world, duration_minutes="60")).get_data(as_text=True)
    assert "考试时长为 60 分钟，不得少于 90 分钟。" in page
    staffed = post_form(client, f"/exams/sessions/{world.session.id}/papers", {"seed": ""}, follow_redirects=True)
    assert "第1考场 有 0 名监考员、3 名考生，需要 2 名。" in staffed.get_data(as_text=True)


def test_editing_after_papers_says_why_the_timing_cannot_change(app, world):
    staff_rooms(world)
    client = signed_in(app, "bankadmin")
    assert post_form(client, f"/exams/sessions/{world.session.id}/papers", {"seed": "p"}).status_code == 302
    assert db.session.get(ExamSession, world.session.id).run_id is not None
    edit = client.get(f"/exams/sessions/{world.session.id}/edit").get_data(as_text=True)
    assert "Papers were generated for this session" in edit
    opens = re.search(r'name="opens_at"[^>]*value="([^"]+)"', edit).group(1)
    closes = re.search(r'name="closes_at"[^>]*value="([^"]+)"', edit).group(1)
    data = _form(world, name="改期", opens_at=opens, closes_at=closes, duration_minutes="100")
    page = post_form(client, f"/exams/sessions/{world.session.id}/edit", data).get_data(as_text=True)
    assert "Papers were generated at" in page and "this can no longer change." in page


def test_the_session_page_shows_staffing_candidates_and_links(app, world):
    client = signed_in(app, "bankadmin")
    session = world.session
    page = client.get(f"/exams/sessions/{session.id}").get_data(as_text=True)
    first, second = session.rooms
    assert "0 of 2 invigilators: 2 missing" in page
    assert f'href="/invigilate/rooms/{first.id}"' in page and f'href="/invigilate/rooms/{second.id}"' in page
    assert f'href="/marking/sessions/{session.id}"' in page
    assert all(a.ticket_number in page for a in session.attempts)
    assert "Papers cannot be generated yet:" in page and "第2考场 has 0 invigilators for 1 candidates" in page
    assert world.candidates[0].person.id_number not in page  # only masked
    refused = post_form(client, f"/exams/sessions/{session.id}/papers", {"seed": ""}, follow_redirects=True)
    assert "第1考场 has 0 invigilators for 3 candidates but needs 2." in refused.get_data(as_text=True)
    assert db.session.get(ExamSession, session.id).run_id is None


def test_invigilators_are_assigned_and_removed_with_the_buttons(app, world):
    client = signed_in(app, "bankadmin")
    room = world.session.rooms[0]
    for user in world.invigilators[:2]:
        response = post_form(client, f"/exams/rooms/{room.id}/invigilators", {"person": str(user.person_id)})
        assert response.status_code == 302
    page = client.get(f"/exams/sessions/{world.session.id}").get_data(as_text=True)
    assert "2 of 2 invigilators: staffed" in page
    nobody = post_form(client, f"/exams/rooms/{room.id}/invigilators", {"person": "abc"}, follow_redirects=True)
    assert "Choose a person of your body who holds the invigilator role." in nobody.get_data(as_text=True)
    removed = post_form(client, f"/exams/rooms/{room.id}/invigilators/{world.invigilators[0].person_id}/remove")
    assert removed.status_code == 302 and count_rows(RoomInvigilator) == 1
    code = room.room_code
    assert post_form(client, f"/exams/rooms/{room.id}/code").status_code == 302
    db.session.refresh(room)
    assert room.room_code != code


def test_a_blocked_invigilator_is_shown_with_every_reason_in_both_languages(app, world):
    trainer = _trainer(world)
    room = world.session.rooms[0]
    for locale, words in (("en", "may not invigilate Scand1"), ("zh_CN", "不得监考 Scand1")):
        client = signed_in(app, "bankadmin", locale)
        response = post_form(client, f"/exams/rooms/{room.id}/invigilators", {"person": str(trainer.person_id)})
        page = response.get_data(as_text=True)
        assert response.status_code == 403
        assert words in page and "文物修复师高级工考前培训班" in page
    assert count_rows(RoomInvigilator) == 0


def test_supervisors_read_but_do_not_change(app, world):
    client = signed_in(app, "ssup")
    assert client.get("/exams/sessions").status_code == 200
    assert client.get(f"/exams/sessions/{world.session.id}").status_code == 200
    assert client.get(f"/exams/sessions/{world.session.id}/tickets").status_code == 200
    assert client.get("/exams/sessions/new").status_code == 403
    assert client.get(f"/exams/sessions/{world.session.id}/edit").status_code == 403
    room = world.session.rooms[0]
    person = str(world.invigilators[0].person_id)
    assert post_form(client, f"/exams/rooms/{room.id}/invigilators", {"person": person}).status_code == 403
    assert post_form(client, f"/exams/sessions/{world.session.id}/papers", {}).status_code == 403


def test_another_bodys_staff_find_nothing(app, world):
    other = make_body("别的评价机构", "12")
    make_user("otheradmin", Role.ADMIN, body=other)
    client = signed_in(app, "otheradmin")
    session, attempt, room = world.session, world.session.attempts[0], world.session.rooms[0]
    for url in (
        f"/exams/sessions/{session.id}", f"/exams/sessions/{session.id}/edit", f"/exams/sessions/{session.id}/enrol",
        f"/exams/sessions/{session.id}/tickets", f"/exams/attempts/{attempt.id}/ticket",
        f"/exams/attempts/{attempt.id}/move", f"/exams/attempts/{attempt.id}/accommodation",
        f"/exams/attempts/{attempt.id}/photo",
    ):  # fmt: skip
        assert client.get(url).status_code == 404, url
    for url in (f"/exams/rooms/{room.id}/invigilators", f"/exams/sessions/{session.id}/papers",
                f"/exams/sessions/{session.id}/enrol", f"/exams/rooms/{room.id}/code"):  # fmt: skip
        assert post_form(client, url, {"person": "1"}).status_code == 404, url
    assert "No sessions yet." in client.get("/exams/sessions").get_data(as_text=True)


def test_the_list_shows_each_session_with_its_status_computed_from_the_window(app, world):
    client = signed_in(app, "bankadmin")
    assert ">upcoming<" in client.get("/exams/sessions").get_data(as_text=True)
    moments = ((world.session.opens_at + timedelta(minutes=1), ">open now<"), (world.session.closes_at, ">finished<"))
    for moment, word in moments:
        with frozen(moment):
            client = signed_in(app, "bankadmin")
            assert word in client.get("/exams/sessions").get_data(as_text=True)


def test_the_session_page_shows_each_candidates_progress_and_scores(app):
    from decimal import Decimal

    from certify.core.clock import now_utc
    from certify.exams.models import AttemptState
    from tests.exams.world import exam_world

    exam = exam_world(candidates=2)
    done, waiting = exam.attempts
    now = now_utc().replace(microsecond=0)
    done.checked_in_at, done.started_at = now - timedelta(minutes=80), now - timedelta(minutes=75)
    done.state, done.submitted_at = AttemptState.SUBMITTED, now - timedelta(minutes=5)
    done.objective_score, done.theory_score = Decimal("61.50"), Decimal("72.00")
    db.session.commit()
    client = signed_in(app, "bankadmin")
    page = client.get(f"/exams/sessions/{exam.session.id}").get_data(as_text=True)
    row = page[page.index(done.ticket_number) : page.index(waiting.ticket_number)]
    assert "submitted" in row and "61.50" in row and "72.00" in row and "<td>A</td>" in row
    assert "Move" not in row  # a started candidate keeps their seat
    assert ">open now<" in page and "not started" in page
    assert "Papers cannot be generated yet:" not in page  # the window is open: no button, no list
