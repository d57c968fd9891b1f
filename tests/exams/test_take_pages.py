"""The candidate's exam pages as a candidate reads them: my exams, check-in, waiting, the exam, the page after."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from certify.core.clock import now_utc
from certify.core.db import db
from certify.exams.models import AttemptState, ExamAttempt
from certify.exams.queries_attempts import paper_of
from tests.exams.test_api_save import signed_in, started_page
from tests.exams.test_attempts_ops import TOKEN, ready
from tests.exams.world import exam_world
from tests.factories import login, post_form


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_my_exams_lists_only_my_seats(app):
    world = exam_world(candidates=2)
    page = signed_in(app, world, 0)
    listing = page.client.get("/exam/", headers={"Accept-Language": "en"})
    body = text(listing)
    assert listing.status_code == 200
    assert world.attempts[0].ticket_number in body and world.attempts[1].ticket_number not in body
    assert "Open, not started" in body and "seat 1" in body


def test_staff_cannot_use_the_candidate_pages(app):
    world = exam_world(candidates=1)
    client = app.test_client()
    login(client, world.invigilators[0].username)
    assert client.get("/exam/").status_code == 403
    assert client.get(f"/exam/{world.attempts[0].id}").status_code == 403


def test_check_in_with_ticket_and_room_code_then_wait_for_start(app):
    world = exam_world(candidates=1)
    attempt = world.attempts[0]
    page = signed_in(app, world)
    url = f"/exam/{attempt.id}"
    assert "room code" in text(page.client.get(url, headers={"Accept-Language": "en"}))
    wrong = post_form(page.client, f"{url}/check-in", {"ticket_number": attempt.ticket_number, "room_code": "NOPE"},
                      page=url, headers={"Accept-Language": "en"})  # fmt: skip
    assert wrong.status_code == 400 and "This room code is not right" in text(wrong)
    code = world.session_rooms[0].room_code
    right = post_form(page.client, f"{url}/check-in", {"ticket_number": attempt.ticket_number, "room_code": code},
                      page=url)  # fmt: skip
    assert right.status_code == 302 and right.headers["Location"].endswith(url)
    db.session.refresh(attempt)
    assert attempt.checked_in_at is not None
    waiting = text(page.client.get(url, headers={"Accept-Language": "en"}))
    assert "Waiting to start" in waiting and "If you start now you will have 90 minutes." in waiting
    assert "The invigilator has not started your room yet" in waiting
    assert re.search(r'<button type="submit" id="start-button" disabled>', waiting)


def test_check_in_is_throttled_after_a_few_wrong_tries(app):
    world = exam_world(candidates=1)
    attempt = world.attempts[0]
    page = signed_in(app, world)
    url = f"/exam/{attempt.id}"
    for _ in range(4):
        post_form(page.client, f"{url}/check-in", {"ticket_number": "1", "room_code": "2"}, page=url)
    response = post_form(page.client, f"{url}/check-in",
                         {"ticket_number": attempt.ticket_number, "room_code": world.session_rooms[0].room_code},
                         page=url, headers={"Accept-Language": "en"})  # fmt: skip
    assert response.status_code == 400 and "Too many wrong tries. Wait" in text(response)
    db.session.refresh(attempt)
    assert attempt.checked_in_at is None


def test_the_waiting_page_warns_a_late_starter_before_start(app):
    now = now_utc()
    world = exam_world(candidates=1, opens_at=now - timedelta(hours=2), closes_at=now + timedelta(minutes=30))
    ready(world)
    page = signed_in(app, world)
    waiting = text(page.client.get(f"/exam/{world.attempts[0].id}", headers={"Accept-Language": "en"}))
    assert "if you start now you will only get 29 minutes instead of 90" in waiting
    assert re.search(r'<button type="submit" id="start-button">', waiting)


def test_start_from_the_waiting_page_opens_the_exam_in_the_candidates_own_order(app):
    world = exam_world(candidates=1)
    attempt = ready(world)
    page = signed_in(app, world)
    url = f"/exam/{attempt.id}"
    started = post_form(page.client, f"{url}/start", {"client_token": TOKEN}, page=url)
    assert started.status_code == 302
    db.session.refresh(attempt)
    assert attempt.started_at is not None and attempt.client_token == TOKEN
    exam = text(page.client.get(url, headers={"Accept-Language": "en"}))
    paper = paper_of(attempt)
    numbers = [int(n) for n in re.findall(r'data-position="(\d+)" data-type', exam)]
    assert numbers == [q.position for q in paper.questions]
    single = paper.by_position[2]
    for option in single.options:
        assert f'value="{option.label}"><label for="a-2-{option.label}"><span class="option-label">{option.label}.' \
               f"</span> {option.text}" in exam  # fmt: skip
    assert 'role="timer" aria-live="off"' in exam and 'aria-live="polite"' in exam
    assert "Flag for review" in exam and "Hand in now" in exam
    assert exam.count('<textarea id="a-') == 2 and exam.count('data-blank="0"') == 1


def test_the_exam_page_shows_saved_answers(app):
    world = exam_world(candidates=1)
    page = started_page(app, world)
    page.save({"position": 1, "seq": 1, "value": "false", "flagged": True}, {"position": 5, "seq": 2, "value": "<b>x"})
    exam = text(page.client.get(f"/exam/{page.attempt_id}"))
    assert 'id="a-1-false" name="a-1" value="false" checked' in exam
    assert 'id="flag-1" checked' in exam
    assert "&lt;b&gt;x</textarea>" in exam


def test_after_hand_in_the_page_says_so_without_the_score(app):
    world = exam_world(candidates=1)
    page = started_page(app, world)
    page.save({"position": 1, "seq": 1, "value": "true"})
    page.post("submit")
    attempt = db.session.get(ExamAttempt, page.attempt_id)
    attempt.objective_score = Decimal("10.00")
    db.session.commit()
    done = text(page.client.get(f"/exam/{page.attempt_id}", headers={"Accept-Language": "en"}))
    assert "Your answers were handed in at" in done and "You answered 1 of 6 questions." in done
    assert "10.00" not in done
    app.config["EXAM_SHOW_SCORE_TO_CANDIDATE"] = True
    shown = text(page.client.get(f"/exam/{page.attempt_id}", headers={"Accept-Language": "en"}))
    assert "Score of the automatically marked questions: 10.00" in shown


def test_opening_an_expired_exam_closes_it_and_says_it_was_handed_in_automatically(app):
    now = now_utc()
    world = exam_world(candidates=1)
    page = started_page(app, world)
    attempt = db.session.get(ExamAttempt, page.attempt_id)
    attempt.started_at = now - timedelta(minutes=100)
    db.session.commit()
    done = text(page.client.get(f"/exam/{page.attempt_id}", headers={"Accept-Language": "en"}))
    assert "handed in automatically at the deadline" in done
    db.session.refresh(attempt)
    assert attempt.state is AttemptState.AUTO_SUBMITTED


def test_images_of_the_candidates_own_questions_are_served_only_while_the_exam_is_open(app):
    import hashlib

    from certify.bank.models import QuestionAsset, QuestionVersionAsset
    from certify.core.demo import demo_photo

    world = exam_world(candidates=2)
    attempt = world.attempts[0]
    data = demo_photo(1)

    def asset(media_type: str, link: bool) -> int:
        row = QuestionAsset(body_id=world.body.id, sha256=hashlib.sha256(media_type.encode()).hexdigest(),
                            media_type=media_type, size=len(data), data=data, created_at=now_utc())  # fmt: skip
        db.session.add(row)
        db.session.flush()
        if link:
            version_id = world.papers["A"].items[0].version_id
            db.session.add(QuestionVersionAsset(version_id=version_id, name=f"{row.id}.png", asset_id=row.id))
        db.session.commit()
        return row.id

    image, html, elsewhere = asset("image/png", True), asset("text/html", True), asset("image/gif", False)
    page = signed_in(app, world)
    url = f"/exam/{attempt.id}/images"
    assert page.client.get(f"{url}/{image}").status_code == 404  # not before Start
    ready(world)
    page.post("start")
    shown = page.client.get(f"{url}/{image}")
    assert shown.status_code == 200 and shown.mimetype == "image/png" and shown.data == data
    assert page.client.get(f"{url}/{html}").status_code == 404
    assert page.client.get(f"{url}/{elsewhere}").status_code == 404
    other = signed_in(app, world, 1)
    assert other.client.get(f"{url}/{image}").status_code == 404
    page.post("submit")
    assert page.client.get(f"{url}/{image}").status_code == 404
