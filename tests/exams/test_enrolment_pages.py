"""The enrolment pages: pick approved applications or enrol all, upload a roster (bad rows listed with row, column
and reason; nothing enrolled), move a candidate, set an accommodation profile."""

from __future__ import annotations

import io

import pytest

from certify.core.db import db
from certify.exams import enrolment_ops
from certify.exams.models import ExamAttempt
from tests.bank.test_blueprints_support import count_rows
from tests.exams.test_sessions_pages import signed_in
from tests.exams.test_sessions_support import sessions_world
from tests.factories import post_form


@pytest.fixture
def world(app):
    return sessions_world(candidates=4)


def test_the_enrol_page_lists_waiting_applications_and_enrols_the_chosen(app, world):
    client = signed_in(app, "bankadmin")
    url = f"/exams/sessions/{world.session.id}/enrol"
    page = client.get(url).get_data(as_text=True)
    assert "Enrol candidates into this session" in page and "6 seats are free" in page
    assert all(user.person.name in page for user in world.candidates)
    chosen = [str(a.id) for a in world.applications[:2]]
    response = post_form(client, url, {"applications": chosen, "room": str(world.session.rooms[1].id)})
    assert response.status_code == 302
    assert sorted(a.seat for a in world.session.rooms[1].attempts) == [1, 2]
    response = post_form(client, url, {"all": "1", "room": ""}, follow_redirects=True)
    assert "2 candidates were enrolled and seated." in response.get_data(as_text=True)
    page = client.get(url).get_data(as_text=True)
    assert "No approved application is waiting for this session." in page


def test_an_empty_choice_and_a_foreign_room_are_refused_on_the_page(app, world):
    client = signed_in(app, "bankadmin")
    url = f"/exams/sessions/{world.session.id}/enrol"
    response = post_form(client, url, {"room": ""})
    assert response.status_code == 400 and "Choose at least one application." in response.get_data(as_text=True)
    response = post_form(client, url, {"applications": [str(world.applications[0].id)], "room": "x"})
    assert response.status_code == 400 and "Choose one of the session&#39;s rooms." in response.get_data(as_text=True)
    assert count_rows(ExamAttempt) == 0


def _upload(client, url: str, text: str):
    data = {"roster": (io.BytesIO(("\ufeff" + text).encode()), "名单.csv"), "room": ""}
    return post_form(client, url, data, content_type="multipart/form-data")


def test_a_roster_with_bad_rows_lists_each_and_enrols_nobody(app, world):
    client = signed_in(app, "bankadmin")
    url = f"/exams/sessions/{world.session.id}/roster"
    person = world.candidates[0].person
    rows = f"证件号码,姓名\n{person.id_number},{person.name}\n,某人\n110101199001011234,李四\n"
    response = _upload(client, url, rows)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Nobody was enrolled" in page
    assert "<td>3</td><td>ID number</td><td>This value is required.</td>" in page
    assert count_rows(ExamAttempt) == 0
    response = _upload(client, url, f"证件号码,姓名\n{person.id_number},{person.name}\n")
    assert response.status_code == 302 and count_rows(ExamAttempt) == 1
    missing = post_form(client, url, {"room": ""})
    assert missing.status_code == 400 and "Choose a file to upload." in missing.get_data(as_text=True)
    template = client.get("/exams/roster-template.xlsx")
    assert template.status_code == 200 and template.data.startswith(b"PK")


def test_moving_and_accommodation_pages(app, world):
    attempts = enrolment_ops.enrol_from_applications(world.session, [a.id for a in world.applications], world.admin)
    db.session.commit()
    client = signed_in(app, "bankadmin")
    attempt = attempts[0]
    url = f"/exams/attempts/{attempt.id}/move"
    assert "Give a candidate another room or seat" in client.get(url).get_data(as_text=True)
    second = world.session.rooms[1]
    taken = post_form(client, url, {"room": str(second.id), "seat": "1"})
    assert taken.status_code == 400 and "Seat 1 of 第2考场 is taken" in taken.get_data(as_text=True)
    moved = post_form(client, url, {"room": str(second.id), "seat": ""}, follow_redirects=True)
    assert "now sits in 第2考场, seat 2." in moved.get_data(as_text=True)
    url = f"/exams/attempts/{attempt.id}/accommodation"
    assert "An accommodation profile" in client.get(url).get_data(as_text=True)
    bad = post_form(client, url, {"time_multiplier": "0.5", "extra_minutes": "ten"})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "Enter a whole number." in page
    bad = post_form(client, url, {"time_multiplier": "0.5", "extra_minutes": "0"})
    assert "Enter a time multiplier from 1 to 4" in bad.get_data(as_text=True)
    good = post_form(client, url, {"time_multiplier": "1.5", "extra_minutes": "10", "accommodation_note": "手部不便"})
    assert good.status_code == 302
    db.session.refresh(attempt)
    assert (str(attempt.time_multiplier), attempt.extra_minutes, attempt.accommodation_note) == ("1.50", 10, "手部不便")
    page = client.get(f"/exams/sessions/{world.session.id}").get_data(as_text=True)
    assert "×1.5, +10 min, 0 breaks" in page
    attempt.breaks_allowed, attempt.break_minutes = 1, 10
    db.session.commit()
    page = client.get(f"/exams/sessions/{world.session.id}").get_data(as_text=True)
    assert "×1.5, +10 min, 1 break<" in page


def test_an_accommodation_beyond_the_window_warns_and_the_ticket_shows_the_real_time(app, world):
    from datetime import timedelta

    from certify.exams.session_rules import minutes_text, time_allowance

    world.session.closes_at = world.session.opens_at + timedelta(minutes=120)
    (attempt,) = enrolment_ops.enrol_from_applications(world.session, [world.applications[0].id], world.admin)
    db.session.commit()
    client = signed_in(app, "bankadmin")
    url = f"/exams/attempts/{attempt.id}/accommodation"
    saved = post_form(client, url, {"time_multiplier": "1.25", "extra_minutes": "10"}, follow_redirects=True)
    page = saved.get_data(as_text=True)
    assert "was saved" in page
    assert "The accommodation gives 122.5 minutes, but the window closes first" in page
    assert "can have at most 120 minutes" in page
    ticket = client.get(f"/exams/attempts/{attempt.id}/ticket").get_data(as_text=True)
    assert "with accommodation: 120 minutes" in ticket and "limited by the close of the window" in ticket
    # inside the window, a fractional figure is shown as such, not cut to whole minutes
    world.session.closes_at = world.session.opens_at + timedelta(minutes=180)
    db.session.commit()
    ticket = client.get(f"/exams/attempts/{attempt.id}/ticket").get_data(as_text=True)
    assert "with accommodation: 122.5 minutes" in ticket and "limited by" not in ticket
    assert minutes_text(time_allowance(90, "1.33", 0, 10**6).seconds) == "119.7"
    assert minutes_text(time_allowance(90, "1.5", 5, 10**6).seconds) == "140"
