"""The invigilator console in a real browser: sign in, open the room from the list, add time to a seat and pause
it; the console open beside it turns the seat to "paused" by itself (console.js), and the database agrees. The
console also fits a phone."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.browser.test_layout import PHONE, _assert_no_horizontal_overflow

pytestmark = pytest.mark.browser


@pytest.fixture
def running_seat(live_app):
    """A session open now in a demo room invigilated by the demo invigilator, with one candidate answering.

    Its own session and candidate, so the demo world's exam (and the other browser tests) stay as they were.
    """
    from certify.auth.models import User
    from certify.bank.models import BlueprintRecord
    from certify.core.clock import now_utc
    from certify.core.db import db
    from certify.exams.models import ExamAttempt, ExamSession, RoomInvigilator, SessionRoom
    from certify.institutions.models import Occupation, Room, Site
    from tests.factories import make_user

    with live_app.app_context():
        now = now_utc().replace(microsecond=0)
        invigilator = db.session.execute(sa.select(User).where(User.username == "invigilator")).scalar_one()
        body = invigilator.body
        occupation = db.session.execute(sa.select(Occupation).where(Occupation.code == "4-13-03-02")).scalar_one()
        site = db.session.execute(sa.select(Site).where(Site.body_id == body.id).order_by(Site.id)).scalars().first()
        room = db.session.execute(sa.select(Room).where(Room.site_id == site.id).order_by(Room.id)).scalars().first()
        blueprint = BlueprintRecord(
            body_id=body.id, occupation_id=occupation.id, level_ordinal=4, name="console test", spec="{}",
            created_at=now, updated_at=now,
        )  # fmt: skip
        db.session.add(blueprint)
        db.session.flush()
        tag = secrets.token_hex(3)
        session = ExamSession(
            body_id=body.id, name=f"监考台测试场次 {tag}", occupation_id=occupation.id, level_ordinal=4,
            blueprint_id=blueprint.id, site_id=site.id, opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(hours=2), duration_minutes=90, created_at=now,
        )  # fmt: skip
        db.session.add(session)
        db.session.flush()
        session_room = SessionRoom(session_id=session.id, room_id=room.id, room_code=tag.upper())
        db.session.add(session_room)
        db.session.flush()
        db.session.add(
            RoomInvigilator(session_room_id=session_room.id, person_id=invigilator.person_id, assigned_at=now)
        )
        candidate = make_user(f"console_cand_{tag}", body=body)
        attempt = ExamAttempt(
            session_id=session.id, candidate_person_id=candidate.person_id, session_room_id=session_room.id, seat=1,
            ticket_number=f"T{tag}", checked_in_at=now - timedelta(minutes=20), start_authorised_at=now,
            started_at=now - timedelta(minutes=15), last_saved_at=now - timedelta(seconds=20),
        )  # fmt: skip
        db.session.add(attempt)
        db.session.commit()
        ids = {"session_name": session.name, "room_code": session_room.room_code, "attempt": attempt.id}
        db.session.remove()
    return ids


def test_an_invigilator_adds_time_and_pauses_a_seat(new_context, running_seat, live_app):
    context = new_context()
    console = context.new_page()
    sign_in(console, "invigilator")
    console.goto("/invigilate/")
    console.get_by_role("link", name=re.compile(running_seat["session_name"])).click()
    expect(console.locator(".room-code .code")).to_have_text(running_seat["room_code"])
    card = console.locator("#seat-1")
    expect(card.locator('[data-field="label"]')).to_have_text("in progress")
    # The running seat's clock counts down in the page between polls (75 minutes were left at the start).
    first = card.locator('[data-field="remaining"]').inner_text()
    console.wait_for_timeout(1500)
    assert card.locator('[data-field="remaining"]').inner_text() != first, "the time left does not count down"
    assert re.fullmatch(r"1:1[45]:\d\d", first), first

    seat = context.new_page()
    seat.goto(console.url)
    seat.get_by_role("link", name="Open seat 1").click()
    seat.get_by_label("Minutes to add").fill("10")
    seat.locator("#time_reason").fill("The computer restarted")
    seat.get_by_role("button", name="Add time").click()
    expect(seat.locator(".flash.success")).to_have_text("10 minutes added to seat 1.")
    seat.locator("#pause_reason").fill("Fire alarm drill")
    seat.get_by_role("button", name="Pause this seat").click()
    expect(seat.locator(".flash.success")).to_have_text("Seat 1 is paused: its clock has stopped.")
    expect(seat.locator(".seat-state")).to_have_text("paused")

    # The console beside it learns of the pause by polling, without a reload.
    console.evaluate("window.__notReloaded = true")
    expect(card.locator('[data-field="label"]')).to_have_text("paused")
    expect(card).to_have_class(re.compile(r"\bstatus-paused\b"))
    assert console.evaluate("window.__notReloaded") is True
    frozen_left = card.locator('[data-field="remaining"]').inner_text()
    console.wait_for_timeout(1500)
    assert card.locator('[data-field="remaining"]').inner_text() == frozen_left, "a paused clock must stand still"

    from certify.core.db import db
    from certify.exams.models import AttemptAddedTime, AttemptPause

    with live_app.app_context():
        pauses = (
            db.session.execute(sa.select(AttemptPause).where(AttemptPause.attempt_id == running_seat["attempt"]))
            .scalars()
            .all()
        )
        added = (
            db.session.execute(
                sa.select(AttemptAddedTime).where(AttemptAddedTime.attempt_id == running_seat["attempt"])
            )
            .scalars()
            .all()
        )
        assert [(p.reason, p.ends_at) for p in pauses] == [("Fire alarm drill", None)]
        assert [(a.minutes, a.reason) for a in added] == [(10, "The computer restarted")]
        db.session.remove()


def test_the_console_fits_a_phone(new_context, running_seat):
    page = new_context(**PHONE).new_page()
    sign_in(page, "invigilator")
    page.goto("/invigilate/")
    page.get_by_role("link", name=re.compile(running_seat["session_name"])).click()
    expect(page.locator(".room-code .code")).to_be_visible()
    _assert_no_horizontal_overflow(page, "the invigilator console on a phone")
    page.get_by_role("link", name="Open seat 1").click()
    _assert_no_horizontal_overflow(page, "a seat's page on a phone")
