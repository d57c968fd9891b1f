"""The marking pages: blind scripts (no name, ID or ticket in the HTML), independence, who may reach what, the
refusals shown, signing and locking, the results page and a regrade from dry run to apply."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from certify.core.clock import local_date, now_utc
from certify.core.db import db
from certify.exams import queries_marking as queries
from certify.exams.models import AttemptState, HandMark, Regrade, SessionMarker
from certify.recusal import training
from tests.bank.world import LEVEL
from tests.exams.marking_world import ESSAY, FULL, SHORT_ANSWER, assign_markers, position_of, sit
from tests.exams.test_regrade import corrected
from tests.exams.world import exam_world
from tests.factories import login, post_form


def _login_en(client, username: str) -> None:
    """Sign in and ask for English pages from then on (the browser's language decides)."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, username)


def _world(candidates: int = 2):
    world = exam_world(candidates=candidates)
    sit(world.attempts[0], {**FULL, SHORT_ANSWER: "病害记录、材料、工艺。"})
    for attempt in world.attempts[1:]:
        sit(attempt, FULL, state=AttemptState.AUTO_SUBMITTED)
    return world


def _url(world, attempt, question) -> str:
    code = queries.script_code(attempt.id)
    return f"/marking/sessions/{world.session.id}/scripts/{code}/{position_of(attempt, question)}"


def _identities(world) -> list[str]:
    found = []
    for attempt in world.attempts:
        found += [attempt.candidate.name, attempt.candidate.id_number, attempt.ticket_number]
    return found


def test_markers_see_scripts_blind(app, client):
    world = _world()
    assign_markers(world)
    login(client, world.markers[0].username)
    queue = client.get(f"/marking/sessions/{world.session.id}/queue")
    assert queue.status_code == 200
    pages = [queue.get_data(as_text=True)]
    for attempt in world.attempts:
        assert queries.script_code(attempt.id) in pages[0]
        for question in (SHORT_ANSWER, ESSAY):
            page = client.get(_url(world, attempt, question))
            assert page.status_code == 200
            pages.append(page.get_data(as_text=True))
    assert "病害记录、材料、工艺。" in pages[1] and "病害、材料、工艺、照片。" in pages[1]  # answer and marking scheme
    for html in pages:
        for identity in _identities(world):
            assert identity not in html


def test_each_marker_marks_independently_and_sees_the_other_mark_only_once_both_are_in(app, client):
    world = _world()
    assign_markers(world)
    attempt = world.attempts[0]
    url = _url(world, attempt, SHORT_ANSWER)
    _login_en(client, world.markers[0].username)
    response = post_form(client, url, {"points": "12.5", "comment": "甲的评语"}, page=url)
    assert response.status_code == 302
    assert client.get(url).get_data(as_text=True).count("甲的评语") == 1  # only in the marker's own history
    other = app.test_client()
    _login_en(other, world.markers[1].username)
    before = other.get(url).get_data(as_text=True)
    assert "甲的评语" not in before and "12.5" not in before
    post_form(other, url, {"points": "11", "comment": ""}, page=url)
    after = other.get(url).get_data(as_text=True)
    assert "甲的评语" in after and "12.5 points" in after


def test_a_bad_mark_is_refused_on_the_page_and_changes_nothing(app, client):
    world = _world()
    assign_markers(world)
    url = _url(world, world.attempts[0], ESSAY)
    _login_en(client, world.markers[0].username)
    for points, message in (("abc", "is not a number"), ("16", "outside 0 to 15"), ("7.3", "steps of 0.5")):
        response = post_form(client, url, {"points": points, "comment": ""}, page=url)
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    assert db.session.execute(sa.select(HandMark)).first() is None


def test_who_reaches_which_marking_page(app):
    world = _world()
    assign_markers(world)
    sid = world.session.id
    script = _url(world, world.attempts[0], ESSAY)
    expect = {
        world.admin.username: {f"/marking/sessions/{sid}": 200, f"/marking/sessions/{sid}/regrade": 200,
                               f"/marking/sessions/{sid}/queue": 403, script: 403},
        world.supervisor.username: {f"/marking/sessions/{sid}": 200, f"/marking/sessions/{sid}/regrade": 403,
                                    f"/marking/sessions/{sid}/queue": 403},
        world.markers[0].username: {f"/marking/sessions/{sid}/queue": 200, script: 200,
                                    f"/marking/sessions/{sid}": 403},
        world.markers[2].username: {f"/marking/sessions/{sid}/queue": 404, script: 404},  # not assigned
        world.leader.username: {f"/marking/sessions/{sid}/queue": 200, script: 404},  # nothing to adjudicate
        world.candidates[0].username: {f"/marking/sessions/{sid}": 403, script: 403, "/marking/": 403},
        world.invigilators[0].username: {f"/marking/sessions/{sid}": 403, "/marking/": 403},
    }  # fmt: skip
    for username, pages in expect.items():
        client = app.test_client()
        login(client, username)
        for url, status in pages.items():
            assert client.get(url).status_code == status, (username, url)
    client = app.test_client()
    login(client, world.supervisor.username)
    assert post_form(client, f"/marking/sessions/{sid}/lock").status_code == 403
    assert post_form(client, f"/marking/sessions/{sid}/markers", {"person": "1", "role": "marker"}).status_code == 403
    login(client := app.test_client(), world.markers[0].username)
    assert post_form(client, f"/marking/sessions/{sid}/lock").status_code == 403


def test_the_results_page_shows_every_attempt_progress_and_auto_submission(app, client):
    world = _world(3)
    assign_markers(world)
    _login_en(client, world.admin.username)
    html = client.get(f"/marking/sessions/{world.session.id}").get_data(as_text=True)
    for attempt in world.attempts:
        assert attempt.candidate.name in html and attempt.ticket_number in html
    assert html.count("(auto-submitted)") == 2
    assert "0 of 2 final" in html and "Not locked" in html
    for user in (*world.markers[:2], world.leader):
        assert user.display_name in html


def test_assigning_a_marker_on_the_page_shows_every_recusal_reason(app, client):
    world = _world()
    today = local_date(now_utc())
    training.save_class(
        world.body, training.institution_named("示例培训学校三"), "陶瓷修复培训班", world.bank.occupation, LEVEL,
        today - timedelta(days=100), today - timedelta(days=10), trainers=[world.markers[2].person_id],
        trainees=[world.candidates[1].person_id],
    )  # fmt: skip
    db.session.commit()
    _login_en(client, world.admin.username)
    url = f"/marking/sessions/{world.session.id}/markers"
    response = post_form(client, url, {"person": str(world.markers[2].person_id), "role": "marker"})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert world.candidates[1].display_name in html and "Trained this candidate" in html
    assert db.session.execute(sa.select(SessionMarker)).first() is None
    response = post_form(client, url, {"person": str(world.markers[0].person_id), "role": "marker"})
    assert response.status_code == 302
    assert post_form(client, url, {"person": "x", "role": "marker"}).status_code == 400


def test_sign_and_lock_through_the_pages(app):
    world = _world()
    assign_markers(world)
    for user, points in zip(world.markers[:2], ("10", "10.5"), strict=True):
        client = app.test_client()
        _login_en(client, user.username)
        sign = post_form(client, f"/marking/sessions/{world.session.id}/sign", follow_redirects=True)
        assert "have no mark yet" in sign.get_data(as_text=True)
        for attempt in world.attempts:
            for question in (SHORT_ANSWER, ESSAY):
                url = _url(world, attempt, question)
                assert post_form(client, url, {"points": points}, page=url).status_code == 302
        sign = post_form(client, f"/marking/sessions/{world.session.id}/sign", follow_redirects=True)
        assert "Your marks for this session are signed." in sign.get_data(as_text=True)
    leader = app.test_client()
    _login_en(leader, world.leader.username)
    post_form(leader, f"/marking/sessions/{world.session.id}/sign")
    locked = post_form(leader, f"/marking/sessions/{world.session.id}/lock", follow_redirects=True)
    assert "Theory scores locked for 2 handed-in attempt(s)." in locked.get_data(as_text=True)
    db.session.refresh(world.session)
    assert world.session.scores_locked_at is not None
    for attempt in world.attempts:
        db.session.refresh(attempt)
        assert attempt.theory_score == Decimal("90.5")  # 70 + 10.25 + 10.25


def test_a_regrade_from_dry_run_to_apply(app, client):
    world = _world()
    version = corrected(world)
    paper = world.papers["A"]
    _login_en(client, world.admin.username)
    url = f"/marking/sessions/{world.session.id}/regrade"
    refused = client.get(url, query_string={"item": f"{paper.id}:2", "version": str(version.id), "reason": ""})
    assert refused.status_code == 400 and "Give a reason" in refused.get_data(as_text=True)
    args = {"item": f"{paper.id}:2", "version": str(version.id), "reason": "The key is B"}
    dry = client.get(url, query_string=args)
    html = dry.get_data(as_text=True)
    assert dry.status_code == 200 and world.attempts[0].ticket_number in html and "20 → 0" in html
    digest = html.split('name="digest" value="')[1].split('"')[0]
    assert db.session.execute(sa.select(Regrade)).first() is None
    applied = post_form(client, url, {**args, "digest": digest}, page=url)
    assert applied.status_code == 302
    regrade = db.session.execute(sa.select(Regrade)).scalar_one()
    assert regrade.reason == "The key is B"
    results = client.get(f"/marking/sessions/{world.session.id}").get_data(as_text=True)
    assert "version 1 → 2" in results and "The key is B" in results


def test_bad_input_is_refused_and_never_answers_500(app, client):
    world = _world()
    assign_markers(world)
    sid = world.session.id
    _login_en(client, world.admin.username)
    assert client.get("/marking/sessions/99999999999999999999").status_code == 404
    assert client.get("/marking/sessions/2147483648").status_code == 404
    regrade = f"/marking/sessions/{sid}/regrade"
    for item, version in (("99999999999:1", "²"), ("x", "7" * 5000), ("1:99999999999", "1"), (":", "")):
        response = client.get(regrade, query_string={"item": item, "version": version, "reason": "x"})
        assert response.status_code == 400
    assert post_form(client, regrade, {"item": "1:2", "version": "1", "reason": "x" * 3000}).status_code == 400
    markers = f"/marking/sessions/{sid}/markers"
    for person, role in (("9" * 30, "marker"), ("١٢", "marker"), (str(world.markers[2].person_id), "boss")):
        assert post_form(client, markers, {"person": person, "role": role}).status_code == 400
    marker = app.test_client()
    _login_en(marker, world.markers[0].username)
    url = _url(world, world.attempts[0], ESSAY)
    assert post_form(marker, url, {"points": "1" * 30}, page=url).status_code == 400
    assert post_form(marker, url, {"points": "1e999"}, page=url).status_code == 400
    assert marker.get(f"/marking/sessions/{sid}/scripts/..%2F..%2Fx/1").status_code == 404
    assert (
        marker.get(f"/marking/sessions/{sid}/scripts/{queries.script_code(world.attempts[0].id)}/99").status_code == 404
    )
    assert db.session.execute(sa.select(HandMark)).first() is None


def test_a_recusal_block_at_marking_time_is_recorded_and_stays_blind(app, client):
    from certify.recusal.models import RecusalCheck

    world = _world()
    assign_markers(world)
    today = local_date(now_utc())
    training.save_class(
        world.body, training.institution_named("示例培训学校五"), "补训班", world.bank.occupation, LEVEL,
        today - timedelta(days=60), today - timedelta(days=5), trainers=[world.markers[0].person_id],
        trainees=[world.candidates[0].person_id],
    )  # fmt: skip
    db.session.commit()
    _login_en(client, world.markers[0].username)
    url = _url(world, world.attempts[0], ESSAY)
    response = post_form(client, url, {"points": "5"}, page=url, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "The recusal rules do not let you mark this script." in html
    assert all(identity not in html for identity in _identities(world)) and "补训班" not in html
    assert db.session.execute(sa.select(HandMark)).first() is None
    refused = db.session.execute(sa.select(RecusalCheck).where(RecusalCheck.allowed.is_(False))).scalars().all()
    assert [c.candidate_person_id for c in refused] == [world.candidates[0].person_id]


def test_the_regrade_offers_each_question_only_its_own_corrected_versions(app, client):
    world = _world()
    version = corrected(world)
    paper = world.papers["A"]
    pinned = paper.items[1].version
    _login_en(client, world.admin.username)
    url = f"/marking/sessions/{world.session.id}/regrade"
    first = client.get(url).get_data(as_text=True)
    assert f"bank question #{paper.items[0].question_id}, version 1 in force (no corrected version yet)" in first
    chosen = client.get(url, query_string={"item": f"{paper.id}:2"})
    html = chosen.get_data(as_text=True)
    versions = html.split('name="version"')[1].split("</select>")[0]
    assert chosen.status_code == 200 and f"Question #{pinned.question_id} · version 2" in versions
    assert versions.count("<option") == 2  # "Choose…" and the one corrected version, never the pinned one
    lonely = client.get(url, query_string={"item": f"{paper.id}:1"}).get_data(as_text=True)
    assert 'name="version"' not in lonely
    assert (
        f"No corrected version yet: a reviewer must approve a new version of question #{paper.items[0].question_id}"
        in lonely
    )
    # a version of another question is refused naming both questions
    other = client.get(url, query_string={"item": f"{paper.id}:1", "version": str(version.id), "reason": "x"})
    assert other.status_code == 400
    assert (
        f"Version 2 is a version of question #{pinned.question_id}, but this position holds question "
        f"#{paper.items[0].question_id}." in other.get_data(as_text=True)
    )
    assert client.get(url, query_string={"item": "nonsense"}).status_code == 400


def test_the_results_explain_the_theory_score_and_a_session_without_written_questions_has_no_marker_form(app, client):
    world = _world()
    _login_en(client, world.admin.username)
    html = client.get(f"/marking/sessions/{world.session.id}").get_data(as_text=True)
    assert "rounded half up to the nearest 0.5" in html and "the adjudicator's mark" in html
    assert "Assign a marker" in html and "no written questions" not in html
    for paper in world.papers.values():
        for item in paper.items:
            if item.type_key in ("short_answer", "essay"):
                item.scored = False
    db.session.commit()
    html = client.get(f"/marking/sessions/{world.session.id}").get_data(as_text=True)
    assert "This session's papers have no written questions; nothing to mark by hand." in html
    assert "Assign a marker" not in html and 'name="person"' not in html
    assert "Lock the theory scores" in html


def test_the_marker_queue_speaks_of_questions(app, client):
    world = _world()
    assign_markers(world)
    _login_en(client, world.markers[0].username)
    html = client.get(f"/marking/sessions/{world.session.id}/queue").get_data(as_text=True)
    assert f"Question {position_of(world.attempts[0], ESSAY)} (" in html and "Position" not in html
