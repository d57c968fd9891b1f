"""Papers for a session, made before it opens (试卷预生成): Start then only records a timestamp.

`generate_papers` assembles the blueprint's parallel forms (≥ 2) with `bank.assembly_ops.assemble_papers`;
`use_run` takes an existing unused run of the same blueprint instead. Either way every candidate gets the form
of their seat (neighbouring seats differ) and a personal seed, the run is marked used for the session, and
the whole is audited. Regenerating before the window opens replaces the run; the replaced run is released
(it was never sat, so its questions must not count as used or exposed).
"""

from __future__ import annotations

import secrets
from zoneinfo import ZoneInfo

from certify.auth.models import User
from certify.bank import assembly_ops
from certify.bank.models import AssemblyRun
from certify.core.clock import now_utc
from certify.core.db import db
from certify.core.errors import Problem, Refused
from certify.exams import messages_sessions as _messages  # noqa: F401  (registers the codes)
from certify.exams import session_rules
from certify.exams.enrolment_ops import give_paper
from certify.exams.models import ExamSession
from certify.exams.session_rules import RoomStaffing, invigilators_needed
from certify.exams.sessions_ops import local_text, lock_session
from certify.institutions.models import Body
from certify.supervision import audit

MIN_FORMS = 2


def staffing(session: ExamSession) -> list[RoomStaffing]:
    """Each room's candidates, invigilators and the number the session's staffing rule needs."""
    return [
        RoomStaffing(
            room.room.name,
            len(room.attempts),
            len(room.invigilators),
            invigilators_needed(
                len(room.attempts), session.candidates_per_invigilator, session.min_invigilators_per_room
            ),
        )
        for room in session.rooms
    ]


def readiness_problems(session: ExamSession) -> list[Problem]:
    """Why papers cannot be made now: the window opened, no candidates, or a room short of invigilators."""
    body = db.session.get(Body, session.body_id)
    problems = []
    if now_utc() >= session.opens_at:
        problems.append(Problem("session_papers_opened", None, {"opens_at": local_text(session.opens_at, body)}))
    if not session.attempts:
        problems.append(Problem("session_papers_no_candidates"))
    for room in staffing(session):
        if room.short:
            params = {"room": room.room, "has": room.invigilators, "needs": room.needed, "candidates": room.candidates}
            problems.append(Problem("session_staffing_short", None, params))
    return problems


def _label(session: ExamSession) -> str:
    suffix = f" (#{session.id})"
    return session.name[: 200 - len(suffix)] + suffix


def release_run(run: AssemblyRun, session: ExamSession) -> None:
    """Release a replaced run: never sat, so no longer "used" and exposing nobody (its papers stay on record)."""
    before = {"session": run.session_label, "on": run.session_on, "candidates": [p.candidates for p in run.papers]}
    run.session_label, run.session_on = None, None
    for paper in run.papers:
        paper.candidates = 0
    db.session.flush()
    audit.record(
        "exams.run_released",
        object_type="assembly_run",
        object_id=run.id,
        before=before,
        after={"replaced_for_session": session.id},
    )


def _apply_run(session: ExamSession, run: AssemblyRun, user: User | None, how: str) -> ExamSession:
    previous = session.run if session.run_id and session.run_id != run.id else None
    if previous is not None:
        release_run(previous, session)
    assembly_ops.mark_run_used(run, _label(session), session.opens_at)
    session.run = run
    session.run_id = run.id
    session.papers_generated_at = now_utc()
    forms: dict[str, int] = {}
    for attempt in session.attempts:
        give_paper(attempt, session)
        forms[attempt.paper.form] = forms.get(attempt.paper.form, 0) + 1
    db.session.flush()
    audit.record(
        "exams.papers_generated",
        object_type="exam_session",
        object_id=session.id,
        before={"run": previous.id} if previous else None,
        after={"run": run.id, "seed": run.seed, "how": how, "forms": forms, "candidates": len(session.attempts)},
    )
    return session


def generate_papers(session: ExamSession, user: User | None, seed: str | None = None) -> ExamSession:
    """Assemble the session's forms and give every candidate one; refused (with every reason) after the window
    opened, without candidates, with a room short of invigilators, or when the assembly cannot be made."""
    lock_session(session)
    seed = (seed or "").strip() or secrets.token_hex(8)
    problems = readiness_problems(session)
    if len(seed) > 100:
        problems.append(Problem("session_seed_long", "seed", {"max": 100}))
    if problems:
        raise Refused(problems)
    blueprint = session.blueprint
    forms = max(MIN_FORMS, int(blueprint.spec_dict().get("forms") or MIN_FORMS))
    opens_local = session.opens_at.astimezone(ZoneInfo(db.session.get(Body, session.body_id).timezone))
    window = session_rules.exposure_window(opens_local)
    run = assembly_ops.assemble_papers(blueprint, seed, forms, window, len(session.attempts), user)
    return _apply_run(session, run, user, "assembled")


def unused_runs(session: ExamSession) -> list[AssemblyRun]:
    """Runs of the session's blueprint with at least two forms not used for any session yet (newest first)."""
    runs = [r for r in session.blueprint.runs if r.session_label is None and len(r.papers) >= MIN_FORMS]
    return sorted((r for r in runs if r.id != session.run_id), key=lambda r: r.id, reverse=True)


def use_run(session: ExamSession, run: AssemblyRun | None, user: User | None) -> ExamSession:
    """Give the candidates papers from an existing unused run of the session's blueprint instead of assembling."""
    lock_session(session)
    problems = readiness_problems(session)
    if run is None or run.blueprint_id != session.blueprint_id:
        problems.append(Problem("session_run_unknown", "run"))
    elif run.session_label is not None:
        problems.append(Problem("session_run_used", "run", {"label": run.session_label}))
    elif len(run.papers) < MIN_FORMS:
        problems.append(Problem("session_run_forms", "run", {"forms": len(run.papers), "min": MIN_FORMS}))
    if problems:
        raise Refused(problems)
    return _apply_run(session, run, user, "existing run")
