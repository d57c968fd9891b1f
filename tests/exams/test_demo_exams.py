"""The demo's theory exams as a new user meets them: candidates who can start now, and a finished, locked session."""

from __future__ import annotations

import sqlalchemy as sa

from certify.auth.models import User
from certify.core.clock import now_utc
from certify.core.db import db
from certify.exams.attempts_ops import start_problems
from certify.exams.models import AttemptState, ExamAttempt, ExamSession, HandMark
from tests.factories import login


def _seeded(cli):
    result = cli.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output


def _sessions() -> list[ExamSession]:
    return db.session.execute(sa.select(ExamSession).order_by(ExamSession.opens_at)).scalars().all()


def test_candidates_one_to_three_are_checked_in_to_a_session_open_now_and_may_start(cli, app):
    _seeded(cli)
    _finished, running = _sessions()
    now = now_utc()
    assert running.opens_at <= now < running.closes_at and running.papers_generated_at is not None
    people = {u.person_id: u.username for u in db.session.execute(sa.select(User)).scalars()}
    assert sorted(people[a.candidate_person_id] for a in running.attempts) == ["candidate1", "candidate2", "candidate3"]
    for attempt in running.attempts:
        assert attempt.checked_in_at is not None and attempt.started_at is None and attempt.paper_id is not None
        assert start_problems(attempt, now)[0] == [], people[attempt.candidate_person_id]
    client = app.test_client()
    login(client, "candidate1", "certify-demo")
    mine = next(a for a in running.attempts if people[a.candidate_person_id] == "candidate1")
    assert client.get(f"/exam/{mine.id}").status_code == 200


def test_the_finished_session_has_submitted_auto_submitted_and_hand_marked_attempts_locked(cli):
    _seeded(cli)
    finished, _running = _sessions()
    states = sorted(a.state for a in finished.attempts)
    assert states.count(AttemptState.SUBMITTED) == 6 and states.count(AttemptState.AUTO_SUBMITTED) == 2
    for attempt in finished.attempts:
        assert attempt.theory_score is not None and 0 <= attempt.theory_score <= 100
    marks = (
        db.session.execute(sa.select(HandMark).join(ExamAttempt).where(ExamAttempt.session_id == finished.id))
        .scalars()
        .all()
    )
    assert len({m.marker_person_id for m in marks}) == 3  # two markers and the adjudicator
    assert finished.scores_locked_at is not None


def test_seeding_again_changes_no_exam(cli):
    _seeded(cli)
    before = [(s.id, len(s.attempts)) for s in _sessions()]
    _seeded(cli)
    assert [(s.id, len(s.attempts)) for s in _sessions()] == before
