"""Admission tickets (准考证): what one shows, a QR code a real decoder reads as the ticket number, the page with
every ticket of a session, the photo behind an access check, and the candidate's own ticket only."""

from __future__ import annotations

import base64
import io
import re

import pytest
import zxingcpp
from flask import render_template
from PIL import Image

from certify.auth.models import Role
from certify.core.db import db
from certify.exams import enrolment_ops, tickets
from tests.exams.test_sessions_pages import signed_in
from tests.exams.test_sessions_support import add_photo, sessions_world
from tests.factories import make_user

_QR = re.compile(r'class="ticket-qr" src="data:image/png;base64,([^"]+)"')


@pytest.fixture
def world(app):
    world = sessions_world(candidates=3)
    enrolment_ops.enrol_from_applications(world.session, [a.id for a in world.applications], world.admin)
    db.session.commit()
    world.extra["photo"] = add_photo(world.candidates[0])
    return world


def decode(png: bytes) -> zxingcpp.Barcode:
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(found) == 1
    return found[0]


def test_the_qr_code_decodes_to_the_ticket_number_with_a_real_reader():
    barcode = decode(tickets.qr_png("202600070012"))
    assert barcode.format == zxingcpp.BarcodeFormat.QRCode and barcode.text == "202600070012"
    assert tickets.qr_data_uri("x").startswith("data:image/png;base64,")


def test_a_ticket_shows_everything_a_candidate_and_the_check_in_need(app, world):
    attempt = world.session.attempts[0]
    enrolment_ops.set_accommodation(attempt, {"time_multiplier": "1.5", "extra_minutes": 5}, world.admin)
    db.session.commit()
    client = signed_in(app, "bankadmin")
    response = client.get(f"/exams/attempts/{attempt.id}/ticket")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    person = world.candidates[0].person
    for text in (
        "Admission ticket", attempt.ticket_number, person.name, "*" * 14 + person.id_number[-4:],
        world.session.name, "4-13-03-02", "Grade 3 / Senior worker", "示例考点", "北京市示例路 1 号", "第1考场",
        "90 minutes", "with accommodation: 140 minutes", "Save as PDF",
    ):  # fmt: skip
        assert text in page, text
    assert person.id_number not in page
    opens_local = world.session.opens_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai"))
    assert f"{opens_local.hour}:{opens_local.minute:02d}" in page  # local time, not UTC
    png = base64.b64decode(_QR.search(page).group(1))
    assert decode(png).text == attempt.ticket_number
    assert f'src="/exams/attempts/{attempt.id}/photo"' in page


def test_the_session_page_of_tickets_prints_one_ticket_per_candidate(app, world):
    client = signed_in(app, "ssup")
    page = client.get(f"/exams/sessions/{world.session.id}/tickets").get_data(as_text=True)
    assert page.count('<article class="ticket"') == 3
    assert [decode(base64.b64decode(m)).text for m in _QR.findall(page)] == [
        a.ticket_number for a in sorted(world.session.attempts, key=lambda a: (a.session_room_id, a.seat))
    ]
    assert "No photo on record" in page  # the two without a photo
    assert 'href="/static/exams/sessions.css"' in page or "exams/sessions.css" in page


def test_ticket_context_is_what_the_candidate_page_includes(app, world):
    attempt = world.session.attempts[1]
    with app.test_request_context():
        context = tickets.ticket_context(attempt)
        html = render_template("exams/sessions/_ticket.html", ticket=context)
    assert context["ticket_number"] == attempt.ticket_number and context["seat"] == 2
    assert context["masked_id"].endswith(attempt.candidate.id_number[-4:]) and context["photo_url"] is None
    assert attempt.ticket_number in html


def test_the_photo_is_served_only_to_those_who_may_see_it(app, world):
    attempt = world.session.attempts[0]
    other = world.session.attempts[1]
    url = f"/exams/attempts/{attempt.id}/photo"
    admin = signed_in(app, "bankadmin")
    response = admin.get(url)
    assert response.status_code == 200 and response.data == world.extra["photo"]
    assert response.headers["Cache-Control"] == "private, no-store"
    assert admin.get(f"/exams/attempts/{other.id}/photo").status_code == 404  # no photo on record
    assert signed_in(app, "scand1").get(url).status_code == 200
    assert signed_in(app, "scand2").get(url).status_code == 404
    from certify.exams import room_staff_ops

    room_staff_ops.assign_invigilator(world.session.rooms[0], world.invigilators[0].person_id, world.admin)
    db.session.commit()
    assert signed_in(app, "sinv1").get(url).status_code == 200  # invigilates the candidate's room
    assert signed_in(app, "sinv2").get(url).status_code == 404
    make_user("author9", Role.AUTHOR, body=world.body)
    assert signed_in(app, "author9").get(url).status_code == 403


def test_a_candidate_sees_their_own_ticket_and_no_other(app, world):
    mine, theirs = world.session.attempts[0], world.session.attempts[1]
    client = signed_in(app, "scand1")
    page = client.get(f"/exams/attempts/{mine.id}/ticket").get_data(as_text=True)
    assert mine.ticket_number in page and "Theory sessions" not in page
    assert client.get(f"/exams/attempts/{theirs.id}/ticket").status_code == 404
    assert client.get(f"/exams/sessions/{world.session.id}/tickets").status_code == 403
