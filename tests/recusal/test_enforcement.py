"""Enforcement against the database: checks recorded, relations added later block the next score, overrides,
row locking that serialises a new relation with an assignment, the explain command, recorded draws."""

from __future__ import annotations

import json
import threading
import time

import pytest
import sqlalchemy as sa

from certify.auth.models import User
from certify.core.db import db
from certify.core.demo import seed_demo_world
from certify.recusal import drawing, operations
from certify.recusal.models import Assignment, PanelDraw, RecusalCheck
from certify.recusal.policy import RelationKind, Role, SessionKind


def _pid(username: str) -> int:
    return db.session.execute(sa.select(User.person_id).where(User.username == username)).scalar_one()


def _user(username: str) -> User:
    return db.session.execute(sa.select(User).where(User.username == username)).scalar_one()


@pytest.fixture
def demo(app):
    seed_demo_world()
    db.session.commit()


def test_a_relation_added_after_an_assignment_blocks_the_next_score(demo):
    a2, c4 = _pid("assessor2"), _pid("candidate4")
    assignment = operations.assign(a2, Role.ASSESSOR, candidate=c4, context=("practical_session", 7))
    db.session.commit()
    assert db.session.get(RecusalCheck, assignment.check_id).allowed
    operations.add_relation(RelationKind.RELATIVE, a2, c4)
    db.session.commit()
    with pytest.raises(operations.RecusalBlocked) as blocked:
        operations.require(a2, Role.ASSESSOR, candidate=c4, context=("practical_session", 7))
    assert [r.code for r in blocked.value.verdict.reasons] == ["relative_of_candidate"]
    db.session.commit()  # the refusal and its audit entry are kept
    checks = db.session.execute(sa.select(RecusalCheck).where(RecusalCheck.actor_person_id == a2)).scalars().all()
    assert [c.allowed for c in checks] == [True, False]


def test_nobody_is_assigned_in_a_session_before_declaring_their_conflicts(app):
    from certify.auth.models import Role as AccountRole
    from certify.recusal import conflicts
    from tests.factories import make_body, make_user

    body = make_body()
    staff = make_user("newassessor", AccountRole.ASSESSOR, body=body).person_id
    cand = make_user("somecandidate", AccountRole.CANDIDATE, body=body).person_id
    with pytest.raises(operations.Refused) as refused:
        operations.assign(staff, Role.ASSESSOR, candidate=cand, context=("practical_session", 3))
    assert [p.code for p in refused.value.problems] == ["declaration_required"]
    conflicts.declare(staff, none_known=True, context=("practical_session", 3))
    assert operations.assign(staff, Role.ASSESSOR, candidate=cand, context=("practical_session", 3)).id
    with pytest.raises(operations.Refused):  # that declaration covers its own session only
        operations.assign(staff, Role.ASSESSOR, candidate=cand, context=("practical_session", 4))


def test_the_trainer_is_blocked_for_trainees_and_for_bank_content_of_the_occupation(demo):
    trainer = _pid("trainer")
    with pytest.raises(operations.RecusalBlocked) as blocked:
        operations.assign(trainer, Role.INVIGILATOR, candidate=_pid("candidate2"))
    assert "trained_candidate" in [r.code for r in blocked.value.verdict.reasons]
    with pytest.raises(operations.RecusalBlocked):
        operations.require(trainer, Role.BANK_ACCESS, occupation="4-13-03-02")
    operations.require(trainer, Role.BANK_ACCESS, occupation="4-13-03-03")  # another occupation: allowed
    assert operations.assign(trainer, Role.INVIGILATOR, candidate=_pid("candidate3")).id


def test_a_scoring_override_needs_two_supervisors_and_never_the_conflicted_person(demo, app):
    from certify.auth.models import Role as AccountRole
    from tests.factories import make_user

    trainer, c1 = _pid("trainer"), _pid("candidate1")
    second = make_user("supervisor2", AccountRole.SUPERVISOR, body=_user("admin").body)
    row = operations.request_override(
        trainer,
        Role.ASSESSOR,
        "sole restorer of this technique in the province",
        requested_by=_user("supervisor"),
        candidate=c1,
    )
    with pytest.raises(operations.RecusalBlocked):
        operations.require(trainer, Role.ASSESSOR, candidate=c1)  # one approval is not enough for scoring
    operations.approve_override(row, second)
    check = operations.require(trainer, Role.ASSESSOR, candidate=c1)
    assert check.override_id == row.id
    with pytest.raises(operations.Refused):
        operations.approve_override(row, _user("admin"))  # not a supervisor
    from certify.recusal.models import OverrideRecord

    other = db.session.get(OverrideRecord, row.id)
    trainer_user = _user("trainer")
    trainer_user.role_grants.append(
        __import__("certify.auth.models", fromlist=["UserRole"]).UserRole(role=AccountRole.SUPERVISOR)
    )
    db.session.flush()
    with pytest.raises(operations.Refused) as refused:
        operations.approve_override(other, trainer_user)
    assert "override_self" in [p.code for p in refused.value.problems]


def test_explain_prints_every_case_of_the_demo_world(demo, cli):
    cases = {
        ("trainer", "candidate1", "assessor"): (3, "Trained this candidate"),
        ("trainer", "candidate2", "invigilator"): (3, "2026年文物修复师（陶瓷）中级工培训班"),
        ("assessor1", "candidate3", "assessor"): (3, "same employer"),
        ("assessor2", "candidate3", "assessor"): (0, "ALLOW"),
    }
    for (person, candidate, role), (code, text) in cases.items():
        result = cli.invoke(args=["recusal", "explain", person, candidate, "--role", role])
        assert result.exit_code == code, result.output
        assert text in result.output
    zh = cli.invoke(args=["recusal", "explain", "trainer", "candidate1", "--role", "assessor", "--lang", "zh_CN"])
    assert zh.exit_code == 3 and "回避" in zh.output
    later = cli.invoke(args=["recusal", "explain", "trainer", "candidate1", "--role", "assessor", "--at", "2040-01-01"])
    assert later.exit_code == 0
    bad = cli.invoke(args=["recusal", "explain", "nobody", "candidate1", "--role", "assessor"])
    assert bad.exit_code == 2 and "no person" in bad.output
    bad_date = cli.invoke(args=["recusal", "explain", "trainer", "candidate1", "--role", "assessor", "--at", "soon"])
    assert bad_date.exit_code == 2 and "--at" in bad_date.output


def test_a_relation_and_an_assignment_written_at_once_never_leave_a_silent_conflicted_score(demo, app):
    staff, cand = _pid("assessor3"), _pid("candidate5")
    assigned, release, outcome = threading.Event(), threading.Event(), {}

    def assign_and_hold():
        with app.app_context():
            try:
                operations.assign(staff, Role.ASSESSOR, candidate=cand, context=("race", 1))
                assigned.set()
                release.wait(10)
                db.session.commit()
                outcome["assignment"] = "made"
            except operations.RecusalBlocked:
                db.session.rollback()
                outcome["assignment"] = "refused"
                assigned.set()

    def relate():
        with app.app_context():
            operations.add_relation(RelationKind.RELATIVE, staff, cand)
            db.session.commit()
            outcome["relation_at"] = time.monotonic()

    first = threading.Thread(target=assign_and_hold)
    first.start()
    assert assigned.wait(10)
    second = threading.Thread(target=relate)
    second.start()
    time.sleep(0.5)
    assert "relation_at" not in outcome, "the relation must wait for the assignment's lock on the same people"
    release.set()
    first.join(15)
    second.join(15)
    assert outcome["assignment"] == "made" and "relation_at" in outcome
    db.session.commit()
    with pytest.raises(operations.RecusalBlocked):
        operations.require(staff, Role.ASSESSOR, candidate=cand, context=("race", 1))


def test_a_draw_is_recorded_replays_and_names_what_is_missing(demo):
    from certify.institutions.models import Site

    body, site = _user("admin").body, db.session.execute(sa.select(Site).order_by(Site.id)).scalars().first()
    everyone = [_pid(f"candidate{i}") for i in range(1, 6)]
    pool = [_pid(u) for u in ("assessor1", "assessor2", "assessor3", "senior_assessor")]
    # assessor1 and assessor2 each share an employer with one of the five: one panel for all five is impossible
    blocked = drawing.draw(
        body, site, operations.today(), 3, SessionKind.PRACTICAL, everyone, pool, drawn_by=_user("admin"), seed=7
    )
    assert not blocked.ok
    assert "conflict" in " ".join(f.message("en") for f in drawing.result_of(blocked).failures)
    candidates = [_pid(u) for u in ("candidate1", "candidate2", "candidate4")]
    row = drawing.draw(
        body,
        site,
        operations.today(),
        3,
        SessionKind.PRACTICAL,
        candidates,
        pool,
        drawn_by=_user("admin"),
        seed=20261121,
    )
    assert row.ok
    panel = json.loads(row.result)["panels"][0]
    assert len(panel["members"]) == 3 and panel["leader"] in panel["members"]
    assert drawing.replay(row)
    again = drawing.draw(
        body,
        site,
        operations.today(),
        3,
        SessionKind.PRACTICAL,
        candidates,
        pool,
        drawn_by=_user("admin"),
        seed=20261121,
        redraw_reason="replay for the test",
    )
    assert json.loads(again.result)["panels"] == json.loads(row.result)["panels"]
    technician = drawing.draw(
        body, site, operations.today(), 5, SessionKind.PRACTICAL, candidates, pool, drawn_by=_user("admin"), seed=1
    )
    assert not technician.ok
    failures = drawing.result_of(technician).failures
    assert failures and "senior" in " ".join(f.message("en") for f in failures)
    assert db.session.execute(sa.select(sa.func.count()).select_from(PanelDraw)).scalar() == 4
    assert db.session.execute(sa.select(sa.func.count()).select_from(Assignment)).scalar() == 0


def test_drawing_a_session_again_needs_a_reason_and_supersedes_the_first_draw(demo):
    from certify.institutions.models import Site

    body, site = _user("admin").body, db.session.execute(sa.select(Site).order_by(Site.id)).scalars().first()
    args = (
        body,
        site,
        operations.today(),
        3,
        SessionKind.PRACTICAL,
        [_pid("candidate2")],
        [_pid(u) for u in ("assessor2", "assessor3", "senior_assessor")],
    )
    first = drawing.draw(*args, drawn_by=_user("admin"), seed=5)
    with pytest.raises(operations.Refused) as refused:
        drawing.draw(*args, drawn_by=_user("admin"), seed=6)
    assert [p.code for p in refused.value.problems] == ["redraw_reason_required"]
    second = drawing.draw(*args, drawn_by=_user("admin"), seed=6, redraw_reason="assessor3 fell ill")
    assert drawing.superseded([first, second]) == {first.id: second.id}
    assert json.loads(second.inputs)["redraw_reason"] == "assessor3 fell ill"


def test_a_recorded_draw_shows_conflicts_found_after_it(demo):
    from certify.institutions.models import Site

    body, site = _user("admin").body, db.session.execute(sa.select(Site).order_by(Site.id)).scalars().first()
    row = drawing.draw(
        body,
        site,
        operations.today(),
        3,
        SessionKind.PRACTICAL,
        [_pid("candidate2")],
        [_pid(u) for u in ("assessor2", "assessor3", "senior_assessor")],
        drawn_by=_user("admin"),
        seed=5,
    )
    assert drawing.conflicts_now(row) == []
    operations.add_relation(RelationKind.RELATIVE, _pid("assessor3"), _pid("candidate2"))
    found = drawing.conflicts_now(row)
    assert [(m, c) for m, c, _ in found] == [(_pid("assessor3"), _pid("candidate2"))]


def test_an_override_answers_an_existing_conflict_and_covers_only_its_reasons(demo, app):
    from certify.auth.models import Role as AccountRole
    from tests.factories import make_user

    supervisor, second = _user("supervisor"), make_user("supervisor2", AccountRole.SUPERVISOR, body=_user("admin").body)
    a2, c4 = _pid("assessor2"), _pid("candidate4")
    with pytest.raises(operations.Refused) as refused:
        operations.request_override(a2, Role.ASSESSOR, "no conflict at all here", requested_by=supervisor, candidate=c4)
    assert [p.code for p in refused.value.problems] == ["override_not_needed"]
    operations.add_relation(RelationKind.TEACHER_STUDENT, a2, c4)
    row = operations.request_override(
        a2, Role.ASSESSOR, "the only restorer of this lacquer technique", requested_by=supervisor, candidate=c4
    )
    operations.approve_override(row, second)
    assert operations.require(a2, Role.ASSESSOR, candidate=c4).override_id == row.id
    operations.add_relation(RelationKind.RELATIVE, a2, c4)  # found later: not what the override was granted for
    with pytest.raises(operations.RecusalBlocked) as blocked:
        operations.require(a2, Role.ASSESSOR, candidate=c4)
    assert "relative_of_candidate" in [r.code for r in blocked.value.verdict.reasons]


def test_the_same_relation_twice_is_refused(demo):
    a2, c4 = _pid("assessor2"), _pid("candidate4")
    operations.add_relation(RelationKind.RELATIVE, a2, c4)
    with pytest.raises(operations.Refused) as refused:
        operations.add_relation(RelationKind.RELATIVE, c4, a2)  # symmetric: the reversed pair is the same relation
    assert [p.code for p in refused.value.problems] == ["relation_duplicate"]
