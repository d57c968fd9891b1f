"""The invigilator console through its pages: who sees which room, the live status, the verbs as an invigilator
uses them (refusals shown by name, nothing changed), and supervisors who only watch."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest

from certify.auth.models import Role
from certify.core.clock import frozen, now_utc
from certify.core.db import db
from certify.exams.models import AttemptAddedTime, AttemptPause, ExamIncident
from tests.exams.test_invigilate_support import audit_entries, count, english_client, start
from tests.exams.world import exam_world
from tests.factories import login, make_body, make_user, post_form


@pytest.fixture
def world(app):
    return exam_world(candidates=6)


@pytest.fixture
def client(app):
    return english_client(app)


def _flashes(page: str) -> list[str]:
    return [
        html.unescape(re.sub(r"\s+", " ", m).strip())
        for m in re.findall(r'<p class="flash[^"]*">(.*?)</p>', page, re.S)
    ]


def _post(client, url: str, data: dict | None = None):
    """POST as the page does and follow the redirect; returns the page shown after."""
    response = post_form(client, url, data, follow_redirects=True)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def _refused_page(client, url: str, data: dict) -> str:
    """POST a form with a mistake: the same page comes back (400) with what was typed."""
    response = post_form(client, url, data)
    assert response.status_code == 400, response.status_code
    return html.unescape(response.get_data(as_text=True))


def _field_errors(page: str, field_id: str) -> list[str]:
    found = re.search(rf'<ul class="errors" id="{field_id}-error">(.*?)</ul>', page, re.S)
    return re.findall(r"<li>(.*?)</li>", found.group(1)) if found else []


def test_an_invigilator_lists_only_their_rooms_and_a_supervisor_every_room(world, client):
    login(client, "invig1")
    page = client.get("/invigilate/").get_data(as_text=True)
    assert f"/invigilate/rooms/{world.session_rooms[0].id}" in page
    assert f"/invigilate/rooms/{world.session_rooms[1].id}" not in page
    assert "open now" in page and "invigilator" in page
    supervisor = english_client(client.application)
    login(supervisor, "supervisor1")
    page = supervisor.get("/invigilate/").get_data(as_text=True)
    assert all(f"/invigilate/rooms/{room.id}" in page for room in world.session_rooms)
    assert "observer (read only)" in page
    make_user("invig9", Role.INVIGILATOR, body=world.body)
    idle = english_client(client.application)
    login(idle, "invig9")
    assert "You are not assigned to any exam room." in idle.get("/invigilate/").get_data(as_text=True)
    candidate = english_client(client.application)
    login(candidate, "cand1")
    assert candidate.get("/invigilate/").status_code == 403


def test_the_console_shows_the_room_code_large_and_every_seat(world, client):
    room = world.session_rooms[0]
    start(world.attempts[0], now_utc() - timedelta(minutes=10))
    world.attempts[1].checked_in_at = now_utc()
    db.session.commit()
    login(client, "invig2")
    page = client.get(f"/invigilate/rooms/{room.id}").get_data(as_text=True)
    assert re.search(rf'<p class="code"[^>]*>{room.room_code}</p>', page)
    labels = re.findall(r'<strong data-field="label">(.*?)</strong>', page)
    assert labels == ["in progress", "checked in", "not arrived", "not arrived", "not arrived"]
    assert "1:20:00" in page or "1:19:59" in page
    assert 'src="/static/exams/console.js"' in page and f'data-status-url="/invigilate/rooms/{room.id}/status"' in page
    assert "Authorise start for the room" in page and "Refresh" in page


def test_another_rooms_invigilator_and_another_body_get_404(world, client):
    room_one, seat_one = world.session_rooms[0], world.attempts[0]
    login(client, "invig3")  # assigned to room 2
    urls = [f"/invigilate/rooms/{room_one.id}", f"/invigilate/rooms/{room_one.id}/status"]
    urls += [f"/invigilate/attempts/{seat_one.id}", "/invigilate/rooms/999", "/invigilate/attempts/999"]
    for url in urls:
        assert client.get(url).status_code == 404, url
    response = post_form(client, f"/invigilate/attempts/{seat_one.id}/check-in", {"identity_confirmed": "y"})
    assert response.status_code == 404 and world.attempts[0].checked_in_at is None
    assert post_form(client, f"/invigilate/rooms/{room_one.id}/authorise").status_code == 404
    other_body = make_body("外省评价机构", province="31")
    make_user("foreign_supervisor", Role.SUPERVISOR, body=other_body)
    stranger = english_client(client.application)
    login(stranger, "foreign_supervisor")
    assert stranger.get(f"/invigilate/rooms/{room_one.id}").status_code == 404
    assert stranger.get(f"/invigilate/rooms/{room_one.id}/status").status_code == 404


def test_a_supervisor_watches_read_only_and_their_verbs_change_nothing(world, client):
    t0 = now_utc()
    attempt = start(world.attempts[0], t0 - timedelta(minutes=5))
    room = world.session_rooms[0]
    login(client, "supervisor1")
    page = client.get(f"/invigilate/rooms/{room.id}").get_data(as_text=True)
    assert "You are observing this room: read only." in page
    assert room.room_code in page and "in progress" in page
    assert 'method="post" action="/invigilate/' not in page
    seat = client.get(f"/invigilate/attempts/{attempt.id}").get_data(as_text=True)
    assert 'method="post" action="/invigilate/' not in seat
    verbs = {
        f"/invigilate/rooms/{room.id}/authorise": {},
        f"/invigilate/rooms/{room.id}/pause": {"room_reason": "x"},
        f"/invigilate/rooms/{room.id}/resume": {},
        f"/invigilate/rooms/{room.id}/incidents": {"category": "other", "text": "x"},
        f"/invigilate/attempts/{attempt.id}/check-in": {"identity_confirmed": "y"},
        f"/invigilate/attempts/{attempt.id}/authorise": {},
        f"/invigilate/attempts/{attempt.id}/pause": {"pause_reason": "x"},
        f"/invigilate/attempts/{attempt.id}/resume": {},
        f"/invigilate/attempts/{attempt.id}/add-time": {"minutes": "5", "time_reason": "x"},
        f"/invigilate/attempts/{attempt.id}/terminate": {"terminate_reason": "x", "confirm": "y"},
        f"/invigilate/attempts/{attempt.id}/move": {},
        f"/invigilate/attempts/{attempt.id}/break/start": {},
        f"/invigilate/attempts/{attempt.id}/break/end": {},
    }
    for url, data in verbs.items():
        assert post_form(client, url, data).status_code == 403, url
    assert count(AttemptPause) == count(AttemptAddedTime) == count(ExamIncident) == 0
    assert not attempt.closed and room.start_authorised_at is None
    assert audit_entries("exams.attempt_paused") == []


def test_check_in_needs_the_identity_confirmed_then_shows_who(world, client):
    attempt = world.attempts[0]
    login(client, "invig1")
    page = _post(client, f"/invigilate/attempts/{attempt.id}/check-in", {})
    assert "Confirm that you checked the candidate's identity first." in " ".join(_flashes(page))
    assert attempt.checked_in_at is None
    page = _post(client, f"/invigilate/attempts/{attempt.id}/check-in", {"identity_confirmed": "y"})
    assert "Seat 1 (Cand1) is checked in." in _flashes(page)
    assert attempt.checked_in_by_id == world.invigilators[0].id
    page = _post(client, f"/invigilate/attempts/{attempt.id}/check-in", {"identity_confirmed": "y"})
    assert "Seat 1 is already checked in." in _flashes(page)


def test_room_start_and_seat_start_from_the_console(world, client):
    room, attempt = world.session_rooms[0], world.attempts[1]
    login(client, "invig1")
    page = _post(client, f"/invigilate/attempts/{attempt.id}/authorise")
    assert "Seat 2 has not checked in yet: check the candidate in first." in _flashes(page)
    page = _post(client, f"/invigilate/rooms/{room.id}/authorise")
    assert "Start is authorised for the whole room: checked-in candidates may begin." in _flashes(page)
    assert room.start_authorised_by_id == world.invigilators[0].id and "authorised at" in page
    page = _post(client, f"/invigilate/rooms/{room.id}/authorise")
    assert "Start was already authorised for this room." in _flashes(page)


def test_pause_and_add_time_from_the_seat_page_stop_and_extend_the_clock(world, client):
    t0 = now_utc().replace(microsecond=0)
    attempt = start(world.attempts[0], t0 - timedelta(minutes=30))
    status_url = f"/invigilate/rooms/{world.session_rooms[0].id}/status"
    login(client, "invig1")
    with frozen(t0):
        url = f"/invigilate/attempts/{attempt.id}/add-time"
        page = _refused_page(client, url, {"minutes": "500", "time_reason": "network crash"})
        assert _field_errors(page, "minutes") == ["Enter whole minutes from 1 to 120."]
        assert 'value="500"' in page and "network crash</textarea>" in page and 'aria-invalid="true"' in page
        page = _refused_page(client, url, {"minutes": "ten", "time_reason": "x"})
        assert _field_errors(page, "minutes") == ["Enter the minutes as a whole number."] and 'value="ten"' in page
        page = _refused_page(client, url, {"minutes": "10", "time_reason": ""})
        assert _field_errors(page, "time_reason") == ["Give a reason (1 to 500 characters)."]
        assert 'value="10"' in page
        assert count(AttemptAddedTime) == 0
        page = _post(client, f"/invigilate/attempts/{attempt.id}/add-time", {"minutes": "10", "time_reason": "crash"})
        assert "10 minutes added to seat 1." in _flashes(page)
        page = _post(client, f"/invigilate/attempts/{attempt.id}/pause", {"pause_reason": "fire drill"})
        assert "Seat 1 is paused: its clock has stopped." in _flashes(page)
        assert "1:10:00" in page and "Resume this seat" in page
        first = client.get(status_url).get_json()["seats"][0]
    with frozen(t0 + timedelta(minutes=4)):
        later = client.get(status_url).get_json()["seats"][0]
    assert first["status"] == later["status"] == "paused" and first["label"] == "paused"
    assert first["remaining"] == later["remaining"] == 70 * 60 and later["counting"] is False
    with frozen(t0 + timedelta(minutes=4)):
        page = _post(client, f"/invigilate/attempts/{attempt.id}/resume")
        assert "Seat 1 runs again; its deadline moved on by the pause." in _flashes(page)
    with frozen(t0 + timedelta(minutes=5)):
        resumed = client.get(status_url).get_json()["seats"][0]
    assert resumed["status"] == "in_progress" and resumed["remaining"] == 69 * 60 and resumed["counting"] is True
    assert [p.reason for p in attempt.pauses] == ["fire drill"] and attempt.added_time[0].minutes == 10


def test_the_status_reports_the_last_save_age_and_a_seat_without_contact(world, client):
    t0 = now_utc().replace(microsecond=0)
    quiet, saving = (
        start(world.attempts[0], t0 - timedelta(minutes=10)),
        start(world.attempts[1], t0 - timedelta(minutes=10)),
    )
    saving.last_saved_at = t0 - timedelta(seconds=12)
    db.session.commit()
    login(client, "invig1")
    with frozen(t0):
        seats = client.get(f"/invigilate/rooms/{world.session_rooms[0].id}/status").get_json()["seats"]
    assert (seats[0]["saved"], seats[0]["stale"]) == ("never", True)
    assert (seats[1]["saved"], seats[1]["stale"]) == ("12 s ago", False)
    assert quiet.id == seats[0]["id"]


def test_terminate_asks_for_confirmation_and_a_reason(world, client):
    attempt = start(world.attempts[0], now_utc() - timedelta(minutes=5))
    url = f"/invigilate/attempts/{attempt.id}/terminate"
    login(client, "invig1")
    page = _refused_page(client, url, {"terminate_reason": "phone on the desk"})
    assert _field_errors(page, "confirm") == ["Tick the box to confirm the termination."] and not attempt.closed
    assert "phone on the desk</textarea>" in page and "<details open>" in page
    page = _refused_page(client, url, {"terminate_reason": " ", "confirm": "y"})
    assert _field_errors(page, "terminate_reason") == ["Give a reason (1 to 500 characters)."] and not attempt.closed
    assert re.search(r'id="confirm"[^>]*checked|checked[^>]*id="confirm"', page)
    page = _post(client, url, {"terminate_reason": "phone", "confirm": "y"})
    assert "The attempt of seat 1 is terminated." in _flashes(page)
    assert attempt.terminated_reason == "phone" and "terminated" in page


def test_incidents_are_reported_with_every_problem_named(world, client):
    room = world.session_rooms[0]
    login(client, "invig1")
    page = _refused_page(
        client, f"/invigilate/rooms/{room.id}/incidents", {"category": "nope", "text": "", "attempt": "x"}
    )
    assert _field_errors(page, "category") == ["Choose the kind of incident."]
    assert _field_errors(page, "text") == ["Describe the incident (1 to 2000 characters)."]
    assert _field_errors(page, "attempt") == ["That candidate is not seated in this room."]
    # from the seat page, the seat page comes back with the typed text
    seat_data = {"category": "", "text": "Looked at a phone", "attempt": str(world.attempts[0].id), "back": "seat"}
    page = _refused_page(client, f"/invigilate/rooms/{room.id}/incidents", seat_data)
    assert "Looked at a phone</textarea>" in page and _field_errors(page, "category") == [
        "Choose the kind of incident."
    ]
    assert "Report an incident about this candidate" in page
    data = {"category": "technical", "text": "Seat 2 screen froze", "attempt": str(world.attempts[1].id)}
    page = _post(client, f"/invigilate/rooms/{room.id}/incidents", data)
    assert "The incident was recorded." in _flashes(page)
    assert "Computer, network or power trouble" in page and "Seat 2 screen froze" in page
    assert count(ExamIncident) == 1


def test_room_pause_and_resume_and_a_missing_csrf_token_change_nothing(world, client):
    start(world.attempts[0], now_utc() - timedelta(minutes=5))
    room = world.session_rooms[0]
    login(client, "invig1")
    response = client.post(f"/invigilate/rooms/{room.id}/pause", data={"room_reason": "alarm"})
    assert response.status_code == 400 and "This form has expired" in response.get_data(as_text=True)
    assert count(AttemptPause) == 0
    page = _post(client, f"/invigilate/rooms/{room.id}/pause", {"room_reason": "alarm"})
    assert "Paused seats: 1." in _flashes(page)
    page = _post(client, f"/invigilate/rooms/{room.id}/resume")
    assert "Resumed seats: 1." in _flashes(page)
    page = _post(client, f"/invigilate/rooms/{room.id}/resume")
    assert "No seat in this room is paused by an invigilator; nothing was resumed." in _flashes(page)


def test_breaks_from_the_seat_page(world, client):
    attempt = start(world.attempts[0], now_utc() - timedelta(minutes=5))
    attempt.breaks_allowed, attempt.break_minutes = 1, 10
    db.session.commit()
    login(client, "invig1")
    page = _refused_page(client, f"/invigilate/attempts/{attempt.id}/break/start", {"break_minutes": "30"})
    assert _field_errors(page, "break_minutes") == ["A break of seat 1 may last from 1 to 10 minutes."]
    assert 'value="30"' in page
    page = _post(client, f"/invigilate/attempts/{attempt.id}/break/start", {"break_minutes": ""})
    assert any(f.startswith("Seat 1 is on a break until") for f in _flashes(page)) and "End the break" in page
    page = _post(client, f"/invigilate/attempts/{attempt.id}/break/end")
    assert "The break of seat 1 has ended: the clock runs again." in _flashes(page)
    page = _post(client, f"/invigilate/attempts/{attempt.id}/break/end")
    assert "Seat 1 is not on a break." in _flashes(page)


def test_a_move_is_authorised_only_once_a_page_has_opened_the_exam(world, client):
    attempt = start(world.attempts[0], now_utc() - timedelta(minutes=5))
    login(client, "invig1")
    page = _post(client, f"/invigilate/attempts/{attempt.id}/move")
    assert "No computer has opened the exam of seat 1 yet" in " ".join(_flashes(page))
    attempt.client_token = "t" * 32
    db.session.commit()
    page = _post(client, f"/invigilate/attempts/{attempt.id}/move")
    assert "Seat 1 may now open the exam on another computer; the old page stops saving." in _flashes(page)
    assert attempt.move_authorised_at is not None


def test_todays_and_upcoming_rooms_come_before_finished_ones(world, client):
    from certify.exams.models import ExamSession, RoomInvigilator, SessionRoom

    t0 = now_utc().replace(microsecond=0)
    source = world.session
    rooms = []
    for name, opens in (("上周场次", t0 - timedelta(days=7)), ("下周场次", t0 + timedelta(days=7))):
        session = ExamSession(
            body_id=source.body_id, name=name, occupation_id=source.occupation_id, level_ordinal=source.level_ordinal,
            blueprint_id=source.blueprint_id, site_id=source.site_id, opens_at=opens,
            closes_at=opens + timedelta(hours=3), duration_minutes=90, created_at=t0,
        )  # fmt: skip
        db.session.add(session)
        db.session.flush()
        room = SessionRoom(session_id=session.id, room_id=world.rooms[0].id, room_code="ABC123")
        db.session.add(room)
        db.session.flush()
        db.session.add(
            RoomInvigilator(session_room_id=room.id, person_id=world.invigilators[0].person_id, assigned_at=t0)
        )
        rooms.append(room)
    db.session.commit()
    login(client, "invig1")
    page = client.get("/invigilate/").get_data(as_text=True)
    order = [int(n) for n in re.findall(r'href="/invigilate/rooms/(\d+)"', page)]
    assert order == [world.session_rooms[0].id, rooms[1].id, rooms[0].id], "open now, next week, then last week"
    assert page.count("<dd>upcoming</dd>") == 1 and page.count("<dd>finished</dd>") == 1


def test_one_break_is_said_in_the_singular_on_the_seat_card_and_seat_page(world, client):
    attempt = world.attempts[0]
    attempt.breaks_allowed, attempt.break_minutes = 1, 10
    world.attempts[1].breaks_allowed, world.attempts[1].break_minutes = 2, 10
    db.session.commit()
    login(client, "invig1")
    page = html.unescape(client.get(f"/invigilate/rooms/{attempt.session_room_id}").get_data(as_text=True))
    assert "Accommodation: 1 break<" in page and "Accommodation: 2 breaks<" in page and "1 breaks" not in page
    seat = html.unescape(client.get(f"/invigilate/attempts/{attempt.id}").get_data(as_text=True))
    assert "1 break of up to 10 minutes" in seat
