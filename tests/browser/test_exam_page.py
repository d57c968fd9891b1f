"""The candidate's exam page in a real browser: check in, answer, reload, lose the network and come back, run out
of time; another tab of the same browser taking over; keyboard, screen reader, zoom, phone and high contrast.

Each test builds its own session in the live app's database (the demo body, its bank's form A, a new candidate),
so it never depends on, or changes, what the demo's candidates see. The candidate's saved language is English
(the product's default is Chinese), so the texts asserted here do not depend on the browser's languages.

The page works on timers (it opens the exam 0.2 s after loading, polls every 10 s, sends a heartbeat every
25–35 s); the tests never race them: they wait for what the page did, or control what the page can reach.
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

from tests.browser import conftest

pytestmark = pytest.mark.browser

PASSWORD = "exam-page-password"
_SERIAL = itertools.count(1)
#: how long after Start the short session's window closes: enough for the steps before the time runs out
SHORT_WINDOW_SECONDS = 70
TOLERANCE_SECONDS = 5
#: the page polls the server every 10 s; a page cut off from the server learns what changed at its next poll
POLL_SECONDS = 10
#: every API request of the exam page
API = re.compile(r"/exam/api/\d+/")
OPEN = re.compile(r"/exam/api/\d+/open$")


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
            user.locale = "en"  # the candidate chose English: every text below is asserted in English
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


def _open_context(new_context, **options):
    """A browser context that asks for English too (the saved language decides; this only keeps both aligned)."""
    return new_context(locale="en-US", **options)


def sign_in(page: Page, username: str) -> None:
    """Sign the candidate in and check the page speaks English before any English text is asserted."""
    conftest.sign_in(page, username, PASSWORD)
    expect(page.locator("html")).to_have_attribute("lang", "en")


def _opens(request) -> bool:
    """The page's request to open the exam on it."""
    return bool(OPEN.search(request.url)) and request.method == "POST"


def _opened(response) -> bool:
    return _opens(response.request)


def _journal_keys(page: Page) -> list[str]:
    return page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('certify-exam:'))")


def _time_left(world: dict, seconds: int) -> None:
    """Fail plainly when the machine was too slow for the short window (instead of at a refused late save)."""
    from certify.core.clock import now_utc

    left = (world["closes_at"] - now_utc()).total_seconds()
    assert left > seconds, f"only {left:.0f} s of the {SHORT_WINDOW_SECONDS} s window left for the next steps"


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
    context = _open_context(new_context)
    page = context.new_page()
    sign_in(page, world["username"])

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

    # a reload keeps them, and the reloaded page opens the exam again as the same page (not "another computer")
    with page.expect_response(_opened) as opened:
        page.reload()
    assert opened.value.status == 200, opened.value.text()
    expect(page.locator(f"#a-{first}-true")).to_be_checked()
    expect(page.locator(f"#a-{second}-false")).to_be_checked()

    # offline: an answer stays in this browser's journal, shown as not saved; back online it is sent
    singles = _questions(page, "single_choice")
    third, fourth = _position(singles.nth(0)), _position(singles.nth(1))
    _time_left(world, 20)
    context.set_offline(True)
    page.locator(f"#q-{third} input[type=radio]").first.check()
    expect(_status(page, third)).to_contain_text("Not saved")
    expect(page.locator("#exam-banner")).to_contain_text("No connection")
    assert len(_journal_keys(page)) == 1
    assert third not in _answers(live_app, world["attempt"])
    context.set_offline(False)
    expect(_status(page, third)).to_contain_text("Saved")

    # the connection drops just as a reloaded page opens the exam: what is answered offline is sent the moment
    # the connection is back, not at the page's next try ten seconds later
    page.route(OPEN, lambda route: route.abort("internetdisconnected"))
    with page.expect_event("requestfailed", _opens):
        page.reload()
    expect(page.locator("#exam-banner")).to_contain_text("No connection")
    context.set_offline(True)
    page.unroute(OPEN)
    page.locator(f"#q-{fourth} input[type=radio]").nth(1).check()
    expect(_status(page, fourth)).to_contain_text("Not saved")
    context.set_offline(False)
    expect(_status(page, fourth)).to_contain_text("Saved", timeout=5_000)
    expect(page.locator("#exam-banner")).to_be_hidden()
    saved = _answers(live_app, world["attempt"])
    assert {first, second, third, fourth} <= set(saved)
    assert saved[first][1] == "true" and saved[second][1] == "false"
    assert _journal_keys(page) == []

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
    context = _open_context(new_context)
    old = context.new_page()
    sign_in(old, world["username"])
    url = f"/exam/{world['attempt']}"
    old.goto(url)
    with old.expect_navigation():
        old.locator("#start-button").click()
    true_false = _questions(old, "true_false")
    one, two, three = (_position(true_false.nth(n)) for n in range(3))
    old.locator(f"#a-{one}-true").check()
    expect(_status(old, one)).to_contain_text("Saved")

    # the old tab loses the server (saves and polls alike), so it cannot learn of the take-over until the test
    # reconnects it; its answer waits in this browser's journal
    old.route(API, lambda route: route.abort("internetdisconnected"))
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

    # once it is authorised the new tab takes over and sends what the old tab journaled
    _db(live_app, authorise)
    with new.expect_response(_opened) as opened:
        new.reload()
    assert opened.value.json()["page"] == "took_over"
    expect(new.locator(f"#a-{two}-true")).to_be_checked()
    expect(_status(new, two)).to_contain_text("Saved")
    assert _answers(live_app, world["attempt"])[two][1] == "true"

    # the old tab does not know yet: an answer typed there still arrives, through the new tab
    old.locator(f"#a-{three}-false").check()
    expect(_status(old, three)).to_contain_text("Not saved")
    expect(_status(new, three)).to_contain_text("Saved")
    expect(new.locator(f"#a-{three}-false")).to_be_checked()
    assert _answers(live_app, world["attempt"])[three] == (1, "false")
    assert _journal_keys(new) == []

    # the old tab's network comes back: at its first contact it learns it was replaced, says so and stops
    old.unroute(API)
    context.set_offline(True)
    old.wait_for_function("() => !navigator.onLine")
    context.set_offline(False)
    expect(old.locator("#exam-banner")).to_contain_text("opened on another computer", timeout=POLL_SECONDS * 1000)
    expect(old.locator(f"#a-{one}-true")).to_be_disabled()
    expect(old.locator("#submit-open")).to_be_disabled()
    expect(new.locator(f"#a-{one}-true")).to_be_enabled()
    # nothing the old tab held was lost, and it changed nothing after it stopped
    assert _answers(live_app, world["attempt"]) == {one: (1, "true"), two: (1, "true"), three: (1, "false")}


def test_a_duplicated_tab_takes_its_own_identity_and_must_be_moved(live_app, new_context):
    world = _build(live_app, timedelta(hours=2), checked_in=True)
    context = _open_context(new_context)
    first = context.new_page()
    sign_in(first, world["username"])
    url = f"/exam/{world['attempt']}"
    first.goto(url)
    with first.expect_navigation():
        first.locator("#start-button").click()
    one, two = (_position(_questions(first, "true_false").nth(n)) for n in range(2))
    first.locator(f"#a-{one}-true").check()
    expect(_status(first, one)).to_contain_text("Saved")

    # "Duplicate tab" copies the tab's session storage, the page's identity with it
    key = f"certify-exam-client:{world['attempt']}"
    token = first.evaluate("key => sessionStorage.getItem(key)", key)
    copy = context.new_page()
    copy.add_init_script(f"sessionStorage.setItem({json.dumps(key)}, {json.dumps(token)})")
    copy.goto(url)
    # however late the first tab's answer reaches the copy, the copy ends up as a page of its own, not yet moved
    expect(copy.locator("#exam-banner")).to_contain_text("Ask the invigilator")
    expect(copy.locator(f"#a-{one}-true")).to_be_disabled()
    assert copy.evaluate("key => sessionStorage.getItem(key)", key) != token

    # the first tab was not disturbed: it keeps saving
    first.locator(f"#a-{two}-false").check()
    expect(_status(first, two)).to_contain_text("Saved")
    expect(first.locator("#exam-banner")).to_be_hidden()
    assert _answers(live_app, world["attempt"]) == {one: (1, "true"), two: (1, "false")}


_OVERFLOW = """() => ({scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth})"""


@pytest.mark.parametrize("viewport", [{"width": 375, "height": 667}, {"width": 640, "height": 400}],
                         ids=["phone", "zoom-200"])  # fmt: skip
def test_the_exam_page_fits_small_screens_and_remembers_view_and_contrast(live_app, new_context, viewport):
    world = _build(live_app, timedelta(hours=2), checked_in=True)
    page = _open_context(new_context, viewport=viewport).new_page()
    sign_in(page, world["username"])
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
