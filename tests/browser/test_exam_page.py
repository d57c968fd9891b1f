"""The candidate's exam page in a real browser: check in, answer, reload, lose the network and come back, run out
of time; another tab of the same browser taking over; keyboard, screen reader, zoom, phone and high contrast.

Each test builds its own session in the live app's database (the demo body, its bank's form A, a new candidate),
so it never depends on, or changes, what the demo's candidates see.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

PASSWORD = "exam-page-password"
_SERIAL = itertools.count(1)
#: how long after Start the short session's window closes: enough for the steps before the time runs out
SHORT_WINDOW_SECONDS = 70
TOLERANCE_SECONDS = 5


def _build(live_app, closes_in: timedelta, *, checked_in: bool, started: bool = False) -> dict:
    """A session of the demo body with one fresh candidate seated in it, authorised to start."""
    from certify.auth.models import Role, User
    from certify.bank.models import PaperRecord
    from certify.core.clock import now_utc
    from certify.core.db import db
    from certify.core.demo import BODY_NAME, seed_bank_world
    from certify.exams.models import ExamAttempt, ExamSession, SessionRoom
    from certify.institutions import people
    from certify.institutions.models import Body, Occupation, Room, Site
    from certify.supervision import audit
    from tests.factories import unique_id_number

    serial = next(_SERIAL)
    with live_app.app_context():
        token = audit.set_actor(audit.Actor(None, "browser-test"))
        try:
            seed_bank_world()
            now = now_utc().replace(microsecond=0)
            body = db.session.execute(sa.select(Body).where(Body.name == BODY_NAME)).scalar_one()
            site = (
                db.session.execute(sa.select(Site).where(Site.body_id == body.id).order_by(Site.id)).scalars().first()
            )
            room = (
                db.session.execute(sa.select(Room).where(Room.site_id == site.id).order_by(Room.id)).scalars().first()
            )
            occupation = db.session.execute(sa.select(Occupation).where(Occupation.code == "4-13-03-02")).scalar_one()
            paper = db.session.execute(sa.select(PaperRecord).order_by(PaperRecord.id)).scalars().first()
            username = f"examtaker{serial}_{int(time.time())}"
            people.register_person(
                body,
                {"name": f"考生{serial}", "id_type": "resident_id", "id_number": unique_id_number(),
                 "phone": "", "employer": ""},
                account={"username": username, "password": PASSWORD, "roles": {Role.CANDIDATE}},
            )  # fmt: skip
            user = db.session.execute(sa.select(User).where(User.username == username)).scalar_one()
            session = ExamSession(
                body_id=body.id, name=f"浏览器测试场次{serial}", occupation_id=occupation.id, level_ordinal=4,
                blueprint_id=paper.run.blueprint_id, site_id=site.id, opens_at=now - timedelta(hours=1),
                closes_at=now + closes_in, duration_minutes=90, run_id=paper.run_id, papers_generated_at=now,
                created_at=now,
            )  # fmt: skip
            db.session.add(session)
            db.session.flush()
            session_room = SessionRoom(session_id=session.id, room_id=room.id, room_code=f"RC{serial:04d}",
                                       start_authorised_at=now)  # fmt: skip
            db.session.add(session_room)
            db.session.flush()
            attempt = ExamAttempt(
                session_id=session.id, candidate_person_id=user.person_id, session_room_id=session_room.id, seat=1,
                ticket_number=f"B{session.id:05d}{serial:04d}", paper_id=paper.id, candidate_seed=str(serial),
                checked_in_at=now if checked_in else None,
            )  # fmt: skip
            db.session.add(attempt)
            db.session.commit()
            return {
                "username": username, "attempt": attempt.id, "ticket": attempt.ticket_number,
                "room_code": session_room.room_code, "closes_at": session.closes_at,
            }  # fmt: skip
        finally:
            audit.reset_actor(token)
            db.session.remove()


def _db(live_app, query):
    """Run `query(session)` in the live app's database and end the transaction at once (the server writes too)."""
    from certify.core.db import db

    with live_app.app_context():
        try:
            return query(db.session)
        finally:
            db.session.remove()


def _answers(live_app, attempt_id: int) -> dict[int, tuple[int, object]]:
    from certify.exams.models import AttemptAnswer

    rows = _db(live_app, lambda s: s.execute(sa.select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id))
               .scalars().all())  # fmt: skip
    return {r.position: (r.seq, json.loads(r.value)) for r in rows}


def _questions(page: Page, kind: str):
    return page.locator(f'section.question[data-type="{kind}"]')


def _position(section) -> int:
    return int(section.get_attribute("data-position"))


def _status(page: Page, position: int):
    return page.locator(f"#q-{position} .save-status")


@pytest.fixture
def short_tolerance(live_app):
    previous = live_app.config.get("EXAM_SAVE_TOLERANCE_SECONDS")
    live_app.config["EXAM_SAVE_TOLERANCE_SECONDS"] = TOLERANCE_SECONDS
    yield
    if previous is None:
        live_app.config.pop("EXAM_SAVE_TOLERANCE_SECONDS", None)
    else:
        live_app.config["EXAM_SAVE_TOLERANCE_SECONDS"] = previous


def test_check_in_answer_reload_offline_and_time_running_out(live_app, new_context, short_tolerance):
    from certify.exams.models import AttemptState, ExamAttempt

    world = _build(live_app, timedelta(seconds=SHORT_WINDOW_SECONDS), checked_in=False)
    context = new_context()
    page = context.new_page()
    sign_in(page, world["username"], PASSWORD)

    # check in with the ticket number and the room code, then the waiting page says how little time is left
    page.goto(f"/exam/{world['attempt']}")
    page.locator("#ticket_number").fill(world["ticket"])
    page.locator("#room_code").fill(world["room_code"].lower())
    with page.expect_navigation():
        page.locator("#room_code").press("Enter")
    expect(page.locator("h1")).to_contain_text("Waiting to start")
    expect(page.locator("#wait-notice")).to_contain_text("instead of 90")
    with page.expect_navigation():
        page.locator("#start-button").click()

    # answer two true/false questions, the first with the keyboard only
    expect(page.locator("#exam-timer")).to_have_text(re.compile(r"^0[01]:\d\d$"))
    true_false = _questions(page, "true_false")
    first, second = _position(true_false.nth(0)), _position(true_false.nth(1))
    page.locator(f"#a-{first}-true").focus()
    page.keyboard.press("Space")
    page.locator(f"#a-{second}-false").check()
    expect(_status(page, first)).to_contain_text("Saved")
    expect(_status(page, second)).to_contain_text("Saved")
    page.keyboard.press("Alt+t")
    expect(page.locator("#exam-announcer")).to_contain_text("left")

    # a reload keeps them
    page.reload()
    expect(page.locator(f"#a-{first}-true")).to_be_checked()
    expect(page.locator(f"#a-{second}-false")).to_be_checked()

    # offline: two more answers stay in the journal, shown as not saved
    singles = _questions(page, "single_choice")
    third, fourth = _position(singles.nth(0)), _position(singles.nth(1))
    context.set_offline(True)
    page.locator(f"#q-{third} input[type=radio]").first.check()
    page.locator(f"#q-{fourth} input[type=radio]").nth(1).check()
    expect(_status(page, third)).to_contain_text("Not saved")
    expect(_status(page, fourth)).to_contain_text("Not saved")
    expect(page.locator("#exam-banner")).to_contain_text("No connection")
    journal = page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('certify-exam:'))")
    assert len(journal) == 1
    assert third not in _answers(live_app, world["attempt"])

    # back online: the journal is replayed and the server has both
    context.set_offline(False)
    expect(_status(page, third)).to_contain_text("Saved")
    expect(_status(page, fourth)).to_contain_text("Saved")
    saved = _answers(live_app, world["attempt"])
    assert {first, second, third, fourth} <= set(saved)
    assert saved[first][1] == "true" and saved[second][1] == "false"
    assert page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('certify-exam:')).length") == 0

    # the time runs out: the page hands in by itself and the attempt is auto-submitted at the deadline
    wait_ms = (SHORT_WINDOW_SECONDS + TOLERANCE_SECONDS + 30) * 1000
    expect(page.locator(".exam-finished")).to_be_visible(timeout=wait_ms)
    expect(page.locator(".exam-finished")).to_contain_text("handed in automatically")
    attempt = _db(live_app, lambda s: s.get(ExamAttempt, world["attempt"]))
    assert attempt.state is AttemptState.AUTO_SUBMITTED
    assert attempt.submitted_at == world["closes_at"]


def test_a_new_tab_taking_over_still_sends_what_the_old_tab_journaled(live_app, new_context):
    from certify.core.clock import now_utc
    from certify.exams.models import ExamAttempt

    world = _build(live_app, timedelta(hours=2), checked_in=True)
    context = new_context()
    old = context.new_page()
    sign_in(old, world["username"], PASSWORD)
    url = f"/exam/{world['attempt']}"
    old.goto(url)
    with old.expect_navigation():
        old.locator("#start-button").click()
    true_false = _questions(old, "true_false")
    one, two, three = (_position(true_false.nth(n)) for n in range(3))
    old.locator(f"#a-{one}-true").check()
    expect(_status(old, one)).to_contain_text("Saved")

    # the old tab's saves stop reaching the server; its answer waits in this browser's journal
    old.route("**/exam/api/*/save", lambda route: route.abort())
    old.locator(f"#a-{two}-true").check()
    expect(_status(old, two)).to_contain_text("Not saved")

    # without the invigilator's authorisation a second tab may not open the exam
    new = context.new_page()
    new.goto(url)
    expect(new.locator("#exam-banner")).to_contain_text("Ask the invigilator")
    expect(new.locator(f"#a-{one}-true")).to_be_disabled()

    def authorise(session):
        session.get(ExamAttempt, world["attempt"]).move_authorised_at = now_utc()
        session.commit()

    _db(live_app, authorise)
    new.reload()
    expect(new.locator(f"#a-{two}-true")).to_be_checked()
    expect(_status(new, two)).to_contain_text("Saved")
    assert _answers(live_app, world["attempt"])[two][1] == "true"

    # the old tab learns at its next save that it was replaced, and says so; what it typed still arrives
    old.unroute("**/exam/api/*/save")
    old.locator(f"#a-{three}-false").check()
    expect(old.locator("#exam-banner")).to_contain_text("opened on another computer")
    expect(old.locator(f"#a-{one}-true")).to_be_disabled()
    expect(_status(new, three)).to_contain_text("Saved")
    assert _answers(live_app, world["attempt"])[three][1] == "false"


_OVERFLOW = """() => ({scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth})"""


@pytest.mark.parametrize("viewport", [{"width": 375, "height": 667}, {"width": 640, "height": 400}],
                         ids=["phone", "zoom-200"])  # fmt: skip
def test_the_exam_page_fits_small_screens_and_remembers_view_and_contrast(live_app, new_context, viewport):
    world = _build(live_app, timedelta(hours=2), checked_in=True)
    page = new_context(viewport=viewport).new_page()
    sign_in(page, world["username"], PASSWORD)
    page.goto(f"/exam/{world['attempt']}")
    with page.expect_navigation():
        page.locator("#start-button").click()
    expect(page.locator("#exam-timer")).to_have_attribute("role", "timer")
    expect(page.locator("#exam-timer")).to_have_attribute("aria-live", "off")
    expect(page.locator("#exam-timer")).to_have_text(re.compile(r"^1:29:\d\d$"))
    size = page.evaluate(_OVERFLOW)
    assert size["scroll"] <= size["client"] + 1, size

    page.locator("#view-toggle").click()
    expect(page.locator("section.question:visible")).to_have_count(1)
    page.locator("#q-" + page.locator("section.question:visible").get_attribute("data-position") + " .q-next").click()
    expect(page.locator("section.question:visible")).to_have_count(1)
    expect(page.locator(".q-jump[aria-current]")).to_have_text("2")
    page.locator("#contrast-toggle").click()
    page.reload()
    expect(page.locator("html")).to_have_class(re.compile("exam-contrast"))
    expect(page.locator("#view-toggle")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("section.question:visible")).to_have_count(1)
    size = page.evaluate(_OVERFLOW)
    assert size["scroll"] <= size["client"] + 1, size

    # flag the question on screen for review: saved with it, marked in the palette and listed at hand-in
    shown = page.locator("section.question:visible")
    position = _position(shown)
    shown.locator("input.flag").check()
    expect(_status(page, position)).to_contain_text("Saved")
    expect(page.locator(f'.q-jump[data-position="{position}"]')).to_have_class(re.compile("is-flagged"))
    assert _answers(live_app, world["attempt"])[position] == (1, None)
    page.locator("#submit-open").click()
    expect(page.locator("#submit-dialog")).to_be_visible()
    expect(page.locator("#submit-unanswered li")).to_have_count(page.locator("section.question").count())
    expect(page.locator("#submit-flagged li")).to_have_count(1)
    page.locator("#submit-cancel").click()
    page.locator("#contrast-toggle").click()
