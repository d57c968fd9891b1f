"""Two saves of one attempt at the same moment (a heartbeat racing a save, two tabs): the newer answer is never
lost. The first request holds the attempt's row lock while the second arrives; the second must wait for it and
then see what the first wrote (without the lock it would read the old row and overwrite the newer answer)."""

from __future__ import annotations

import json
import threading
import time

import pytest

from certify.core.clock import now_utc
from certify.core.db import db
from certify.exams import answers_ops
from certify.exams.models import AttemptAnswer, ExamAttempt
from tests.exams.test_attempts_ops import TOKEN, started
from tests.exams.world import exam_world


def _save(app, attempt_id: int, seq: int, value: str, hold: threading.Event | None, held: threading.Event, out: dict):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        attempt = db.session.get(ExamAttempt, attempt_id)
        result = answers_ops.save_answers(attempt, TOKEN, [{"position": 5, "seq": seq, "value": value}], now_utc())
        if hold is not None:
            held.set()  # the lock is taken and the row written, not yet committed
            hold.wait(10)
        db.session.commit()
        out[seq] = (result.decisions[0].outcome.value, time.monotonic())
        db.session.remove()


@pytest.mark.parametrize("first, second", [(6, 5), (5, 6)], ids=["newer-first", "older-first"])
def test_concurrent_saves_of_one_attempt_keep_the_newer_answer(app, first, second):
    world = exam_world(candidates=1)
    attempt = started(world)
    with app.test_request_context():
        answers_ops.save_answers(attempt, TOKEN, [{"position": 5, "seq": 1, "value": "旧"}], now_utc())
    db.session.commit()
    attempt_id = attempt.id
    db.session.close()

    release, held, results = threading.Event(), threading.Event(), {}
    one = threading.Thread(target=_save, args=(app, attempt_id, first, f"答{first}", release, held, results))
    two = threading.Thread(
        target=_save, args=(app, attempt_id, second, f"答{second}", None, threading.Event(), results)
    )
    one.start()
    assert held.wait(10), "the first save never took the lock"
    two.start()
    time.sleep(0.6)
    assert second not in results, "the second save did not wait for the first one's lock"
    released_at = time.monotonic()
    release.set()
    one.join(15)
    two.join(15)

    assert results[second][1] >= released_at
    assert {results[first][0], results[second][0]} <= {"stored", "stale"}
    row = db.session.get(AttemptAnswer, (attempt_id, 5))
    assert (row.seq, json.loads(row.value)) == (6, "答6")
