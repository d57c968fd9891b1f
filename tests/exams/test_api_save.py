"""Save semantics through the JSON API: out of order, duplicates, display labels stored as option ids, after the
deadline, after submit, unknown positions, wrong types, bad JSON, someone else's attempt, CSRF for a whole exam."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from certify.core.clock import frozen, now_utc
from certify.core.db import db
from certify.exams.models import AttemptAnswer, AttemptPause, AttemptState, ExamAttempt, ExpiryPolicy
from certify.exams.queries_attempts import paper_of
from tests.exams.test_attempts_ops import OTHER, TOKEN, ready
from tests.exams.world import exam_world
from tests.factories import csrf_token, login


class Page:
    """A candidate's exam page as the API sees it: their signed-in client, the CSRF header, the page token."""

    def __init__(self, client, attempt_id: int, token: str = TOKEN):
        self.client, self.attempt_id, self.token = client, attempt_id, token
        self.csrf = csrf_token(client, "/exam/")

    def url(self, verb: str) -> str:
        return f"/exam/api/{self.attempt_id}/{verb}"

    def post(self, verb: str, body=None, raw: str | None = None):
        data = raw if raw is not None else json.dumps({"client_token": self.token, **(body or {})})
        return self.client.post(
            self.url(verb), data=data, content_type="application/json", headers={"X-CSRFToken": self.csrf}
        )

    def save(self, *saves):
        return self.post("save", {"saves": list(saves)})

    def state(self):
        return self.client.get(self.url("state") + f"?client={self.token}").get_json()["state"]


def signed_in(app, world, index: int = 0, token: str = TOKEN) -> Page:
    client = app.test_client()
    login(client, world.candidates[index].username)
    return Page(client, world.attempts[index].id, token)


def started_page(app, world, index: int = 0) -> Page:
    ready(world, index)
    page = signed_in(app, world, index)
    response = page.post("start")
    assert response.status_code == 200, response.get_json()
    return page


def stored(attempt_id: int) -> dict[int, tuple[int, object]]:
    rows = db.session.execute(sa.select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id)).scalars()
    return {r.position: (r.seq, json.loads(r.value)) for r in rows}


def test_start_then_state_shows_the_servers_clock(app):
    world = exam_world(candidates=1)
    page = started_page(app, world)
    state = page.state()
    assert state["phase"] == "running" and state["started"] and state["page"]["owner"] is True
    assert 90 * 60 - 5 <= state["remaining_seconds"] <= 90 * 60
    assert state["answers"] == {}


def test_out_of_order_and_duplicate_saves_keep_the_newest(app):
    world = exam_world(candidates=1)
    page = started_page(app, world)
    first = page.save({"position": 1, "seq": 3, "value": "true"})
    assert first.status_code == 200
    assert first.get_json()["decisions"] == [
        {"position": 1, "seq": 3, "accepted": True, "outcome": "stored", "kept_seq": 3, "code": "stored",
         "message": None}
    ]  # fmt: skip
    older = page.save({"position": 1, "seq": 2, "value": "false"}).get_json()["decisions"][0]
    assert (older["accepted"], older["outcome"], older["kept_seq"]) == (True, "stale", 3)
    again = page.save({"position": 1, "seq": 3, "value": "true"}).get_json()["decisions"][0]
    assert (again["accepted"], again["outcome"]) == (True, "duplicate")
    # one batch sent out of order (a journal replay) ends as the newest entry
    batch = page.save({"position": 5, "seq": 9, "value": "新"}, {"position": 5, "seq": 7, "value": "旧"}).get_json()
    # (replayed in sequence order: 7 is stored, then superseded by 9; both acknowledged with what is kept)
    assert [(d["accepted"], d["kept_seq"]) for d in batch["decisions"]] == [(True, 9), (True, 9)]
    assert stored(page.attempt_id) == {1: (3, "true"), 5: (9, "新")}
    assert batch["state"]["answers"]["5"] == {"seq": 9, "value": "新", "flagged": False, "answered": True}


def test_display_labels_are_stored_as_the_versions_option_ids(app):
    world = exam_world(candidates=1)
    page = started_page(app, world)
    paper = paper_of(db.session.get(ExamAttempt, page.attempt_id))
    multiple = paper.by_position[3]
    shown = [o.label for o in multiple.options if o.option_id in ("A", "B", "C")]  # the key, as this page shows it
    response = page.save(
        {"position": 3, "seq": 1, "value": sorted(shown), "flagged": True},
        {"position": 2, "seq": 1, "value": next(o.label for o in paper.by_position[2].options if o.option_id == "A")},
        {"position": 4, "seq": 1, "value": ["氯化亚铜"]},
    )
    assert response.status_code == 200
    assert stored(page.attempt_id) == {3: (1, ["A", "B", "C"]), 2: (1, ["A"]), 4: (1, ["氯化亚铜"])}
    state = page.state()
    assert state["answers"]["3"]["value"] == sorted(shown) and state["answers"]["3"]["flagged"] is True
    assert db.session.get(AttemptAnswer, (page.attempt_id, 3)).flagged is True


def test_saves_in_the_tolerance_count_and_after_it_close_the_attempt_for_good(app):
    now = now_utc()
    world = exam_world(candidates=1)
    page = started_page(app, world)
    attempt = db.session.get(ExamAttempt, page.attempt_id)
    attempt.started_at = now - timedelta(minutes=90, seconds=30)  # 30 s past the deadline: inside the 60 s tolerance
    db.session.commit()
    assert page.save({"position": 1, "seq": 1, "value": "true"}).status_code == 200
    attempt.started_at = now - timedelta(minutes=92)
    db.session.commit()
    late = page.save({"position": 1, "seq": 2, "value": "false"})
    body = late.get_json()
    assert late.status_code == 409 and body["ok"] is False
    assert [p["code"] for p in body["problems"]] == ["exam_attempt_closed"]
    assert body["decisions"][0]["accepted"] is False
    db.session.refresh(attempt)
    assert attempt.state is AttemptState.AUTO_SUBMITTED
    assert attempt.submitted_at == attempt.started_at + timedelta(minutes=90)
    assert stored(page.attempt_id) == {1: (1, "true")}
    assert body["state"]["closed"] is True


def test_grace_policy_refuses_late_answers_with_the_deadline(app):
    now = now_utc()
    world = exam_world(candidates=1, expiry=ExpiryPolicy.GRACE)
    world.session.grace_minutes = 10
    page = started_page(app, world)
    attempt = db.session.get(ExamAttempt, page.attempt_id)
    attempt.started_at = now - timedelta(minutes=93)
    db.session.commit()
    late = page.save({"position": 1, "seq": 1, "value": "true"})
    assert late.status_code == 409
    problem = late.get_json()["problems"][0]
    assert problem["code"] == "after_deadline" and "答案保存截止于" in problem["message"]
    assert stored(page.attempt_id) == {}
    assert page.post("submit").status_code == 200  # may still hand in during the grace period


def test_saves_after_submit_are_refused_and_change_nothing(app):
    world = exam_world(candidates=1)
    page = started_page(app, world)
    page.save({"position": 1, "seq": 1, "value": "true"})
    assert page.post("submit").status_code == 200
    late = page.save({"position": 1, "seq": 2, "value": "false"})
    assert late.status_code == 409
    assert [p["code"] for p in late.get_json()["problems"]] == ["exam_attempt_closed"]
    assert stored(page.attempt_id) == {1: (1, "true")}
    assert page.post("submit").get_json()["problems"][0]["code"] == "exam_attempt_closed"


def test_unknown_positions_and_wrong_types_answer_400_naming_each_field(app):
    world = exam_world(candidates=1)
    page = started_page(app, world)
    response = page.save(
        {"position": 99, "seq": 1, "value": "x"},
        {"position": 1, "seq": "2", "value": "yes"},
        {"position": 3, "seq": 1, "value": "A", "flagged": "yes"},
        {"position": 4, "seq": 1, "value": ["a", "b"]},
        {"position": 5, "seq": 0, "value": 5, "extra": 1},
        ["not", "an", "object"],
        {"position": True, "seq": 1},
    )
    assert response.status_code == 400
    body = response.get_json()
    assert body["ok"] is False
    assert {(p["field"], p["code"]) for p in body["problems"]} == {
        ("saves[0].position", "exam_api_unknown_position"),
        ("saves[1].seq", "exam_api_not_integer"),
        ("saves[1].value", "exam_value_true_false"),
        ("saves[2].flagged", "exam_api_not_boolean"),
        ("saves[2].value", "exam_value_multiple"),
        ("saves[3].value", "exam_value_blanks"),
        ("saves[4].extra", "exam_api_field_unknown"),
        ("saves[4].seq", "exam_api_out_of_range"),
        ("saves[4].value", "exam_value_text"),
        ("saves[5]", "exam_api_not_object"),
        ("saves[6].position", "exam_api_not_integer"),
    }
    assert all(p["message"] and p["field"] in p["message"] for p in body["problems"])
    assert stored(page.attempt_id) == {}


@pytest.mark.parametrize(
    "raw, field, code",
    [
        ("not json", None, "exam_api_not_json"),
        ("[1, 2]", "", "exam_api_not_object"),
        ('{"client_token": "page-one-0123456789abcdef"}', "saves", "exam_api_field_required"),
        ('{"client_token": 5, "saves": []}', "client_token", "exam_client_token_invalid"),
        ('{"client_token": "page-one-0123456789abcdef", "saves": {}}', "saves", "exam_api_not_list"),
        ('{"client_token": "page-one-0123456789abcdef", "saves": [{"position": 1, "seq": ' + "9" * 5000 + "}]}",
         None, "exam_api_not_json"),
        ("[" * 100_000, None, "exam_api_not_json"),
    ],
)  # fmt: skip
def test_bad_json_answers_400_never_500(app, raw, field, code):
    world = exam_world(candidates=1)
    page = started_page(app, world)
    response = page.post("save", raw=raw)
    assert response.status_code == 400
    problem = response.get_json()["problems"][0]
    assert (problem["field"], problem["code"]) == (field, code) and problem["message"]


def test_another_candidates_attempt_does_not_exist_for_them(app):
    world = exam_world(candidates=2)
    ready(world, 0)
    intruder = signed_in(app, world, 1)
    intruder.attempt_id = world.attempts[0].id
    for verb in ("start", "open", "save", "submit"):
        response = intruder.post(verb, {"saves": []} if verb == "save" else None)
        assert response.status_code == 404, verb
        assert response.get_json()["ok"] is False
    assert intruder.client.get(intruder.url("state")).status_code == 404
    assert intruder.client.get(f"/exam/{world.attempts[0].id}").status_code == 404
    assert db.session.get(ExamAttempt, world.attempts[0].id).started_at is None


def test_the_old_page_stops_saving_once_another_computer_took_over(app):
    world = exam_world(candidates=1)
    old = started_page(app, world)
    assert old.post("open").get_json()["page"] == "owner"
    new = Page(old.client, old.attempt_id, OTHER)
    refused = new.post("open")
    assert refused.status_code == 409 and refused.get_json()["problems"][0]["code"] == "exam_page_elsewhere"
    attempt = db.session.get(ExamAttempt, old.attempt_id)
    attempt.move_authorised_at = now_utc()
    db.session.commit()
    assert new.post("open").get_json()["page"] == "took_over"
    stale = old.save({"position": 1, "seq": 5, "value": "true"})
    assert stale.status_code == 409
    problem = stale.get_json()["problems"][0]
    assert problem["code"] == "exam_page_taken_over" and "另一台电脑" in problem["message"]  # the default language
    assert old.state()["page"]["owner"] is False
    # the same browser's journal, replayed by the new page, still reaches the server
    assert new.save({"position": 1, "seq": 5, "value": "true"}).status_code == 200
    assert stored(old.attempt_id) == {1: (5, "true")}


def test_a_missing_csrf_header_is_refused_in_the_same_shape(app):
    world = exam_world(candidates=1)
    page = started_page(app, world)
    response = page.client.post(page.url("save"), json={"client_token": TOKEN, "saves": []})
    assert response.status_code == 400
    assert response.get_json()["problems"][0]["code"] == "exam_api_csrf"


def test_the_csrf_token_and_sign_in_still_work_two_hours_into_the_exam(app, monkeypatch):
    from itsdangerous import TimestampSigner

    start = now_utc()
    world = exam_world(candidates=1, opens_at=start - timedelta(hours=1), closes_at=start + timedelta(hours=4),
                       duration_minutes=180)  # fmt: skip
    with frozen(start):
        page = started_page(app, world)
    later = start + timedelta(hours=2)
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) + 2 * 3600)
    with frozen(later):
        response = page.save({"position": 1, "seq": 1, "value": "true"})
    assert response.status_code == 200, response.get_json()
    assert db.session.get(AttemptAnswer, (page.attempt_id, 1)).saved_at == later


def test_a_heartbeat_records_the_page_as_alive(app):
    world = exam_world(candidates=1)
    page = started_page(app, world)
    response = page.save()
    assert response.status_code == 200 and response.get_json()["decisions"] == []
    assert db.session.get(ExamAttempt, page.attempt_id).client_seen_at is not None


def test_reading_an_expired_attempt_closes_it(app):
    now = now_utc()
    world = exam_world(candidates=1)
    page = started_page(app, world)
    attempt = db.session.get(ExamAttempt, page.attempt_id)
    attempt.started_at = now - timedelta(minutes=95)
    db.session.commit()
    state = page.state()
    assert state["closed"] is True and state["state"] == "auto_submitted" and state["phase"] == "submitted"
    db.session.refresh(attempt)
    assert attempt.state is AttemptState.AUTO_SUBMITTED
    assert attempt.submitted_at == attempt.started_at + timedelta(minutes=90)


def test_a_paused_attempt_shows_the_clock_stopped_and_still_takes_journaled_saves(app):
    world = exam_world(candidates=1)
    page = started_page(app, world)
    now = now_utc()
    db.session.add(AttemptPause(attempt_id=page.attempt_id, starts_at=now, reason="停电"))
    db.session.commit()
    with frozen(now + timedelta(minutes=1)):
        first = page.state()
    with frozen(now + timedelta(minutes=6)):
        later = page.state()
        assert page.save({"position": 1, "seq": 1, "value": "true"}).status_code == 200
    assert first["paused"] is True and first["phase"] == "paused" and first["pause_kind"] == "invigilator"
    assert later["remaining_seconds"] == first["remaining_seconds"]
