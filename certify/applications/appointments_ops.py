"""Appointments (评聘) to 学徒工, 特级技师 and 首席技师: propose (prerequisites checked by the pure rule), keep the
dossier (portfolio, defence), record the panel's votes, and record the term once the panel approved.

Only an employer-type (Y) body may appoint: `ladder.appointments.may_appoint` says so with its reason, and a
proposal it does not allow is refused with every reason, nothing saved.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import current_app

from certify.applications import panels
from certify.applications.bans_ops import person_by_id_number
from certify.applications.messages_admin4 import InLanguage
from certify.applications.models import Appointment, DecisionState
from certify.core.clock import now_utc
from certify.core.db import db
from certify.core.errors import Problem, Refused
from certify.institutions.models import Body, BodyOccupation, Person
from certify.ladder.appointments import (
    AppointmentDecision,
    default_prerequisites,
    load_prerequisites,
    may_appoint,
)
from certify.ladder.eligibility_checks import CheckResult
from certify.ladder.profile import profile_from_json
from certify.supervision import audit

SUBJECT = "appointment"


def prerequisites():
    """The prerequisites in force: APPOINTMENT_PREREQUISITES from the config (rule data), else the defaults."""
    data = current_app.config.get("APPOINTMENT_PREREQUISITES")
    if data is None:
        return default_prerequisites()
    loaded, problems = load_prerequisites(data)
    if loaded is None:
        raise ValueError(f"APPOINTMENT_PREREQUISITES is invalid: {[p.message('en') for p in problems]}")
    return loaded


def profile_data(person: Person, facts: dict[str, Any]) -> dict[str, Any]:
    """The small profile the prerequisites read, from the person's record and the facts typed on the form."""
    data: dict[str, Any] = {}
    birth = person.birth_date or facts.get("birth_date")
    if birth:
        data["birth_date"] = birth.isoformat()
    if facts.get("work_since"):
        employer = person.employer.name if person.employer else "—"
        data["work_history"] = [{"employer": employer, "start": facts["work_since"].isoformat(), "end": None}]
    if facts.get("held_level"):
        data["certificates"] = [{"level": facts["held_level"], "issued_on": facts["held_since"].isoformat()}]
    return data


def _fact_problems(facts: dict[str, Any], today: date) -> list[Problem]:
    problems = []
    if facts.get("held_level") and not facts.get("held_since"):
        problems.append(Problem("admin4_held_since_required", "held_since"))
    if facts.get("held_since") and not facts.get("held_level"):
        problems.append(Problem("admin4_held_level_required", "held_level"))
    for name in ("work_since", "held_since", "birth_date"):
        if facts.get(name) and facts[name] > today:
            problems.append(Problem("admin4_date_in_future", name, {"date": facts[name].isoformat()}))
    return problems


def _decision_problems(decision: AppointmentDecision) -> list[Problem]:
    out = []
    for reason in decision.failing:
        field = "level" if reason.code == "level_not_appointed" else None
        out.append(Problem("admin4_appointment_rule", field, {"detail": InLanguage(reason)}))
    return out


def _check_json(result: CheckResult) -> dict[str, Any]:
    return {"code": result.code, "params": result.params, "passed": result.passed, "kind": result.kind}


def checks_of(appointment: Appointment) -> list[CheckResult]:
    """The prerequisite checks as evaluated when the appointment was proposed."""
    raw = json.loads(appointment.dossier or "{}").get("checks", [])
    return [CheckResult(c["code"], c["params"], passed=c["passed"], kind=c["kind"]) for c in raw]


def dossier_of(appointment: Appointment) -> dict[str, Any]:
    """The dossier as a dict (portfolio, defence date and minutes, facts, checks)."""
    return json.loads(appointment.dossier or "{}")


def _duplicate(person: Person, occupation_id: int, level: int, today: date) -> bool:
    rows = db.session.execute(
        sa.select(Appointment).where(
            Appointment.person_id == person.id,
            Appointment.occupation_id == occupation_id,
            Appointment.level_ordinal == level,
            Appointment.state != DecisionState.REJECTED,
        )
    ).scalars()
    return any(row.state == DecisionState.PROPOSED or row.term_ends is None or row.term_ends >= today for row in rows)


def propose_appointment(
    body: Body,
    id_number: str,
    occupation_id: int | None,
    level: int | None,
    facts: dict[str, Any],
    *,
    portfolio: str,
    today: date,
) -> Appointment:
    """Propose appointing one of the body's people; refused with every reason when the rules do not allow it."""
    problems: list[Problem] = []
    person = None
    try:
        person = person_by_id_number(body, id_number)
    except Refused as refused:
        problems += refused.problems
    filed = occupation_id is not None and db.session.get(BodyOccupation, (body.id, occupation_id)) is not None
    if not filed:
        problems.append(Problem("admin4_occupation_not_filed", "occupation_id"))
    problems += _fact_problems(facts, today)
    if problems:
        raise Refused(problems)
    data = profile_data(person, facts)
    profile, profile_problems = profile_from_json(data)
    if profile is None:
        raise Refused([Problem("admin4_profile_problem", None, {"detail": InLanguage(p)}) for p in profile_problems])
    decision = may_appoint(body.body_type.value, int(level or 0), profile, today, prerequisites())
    problems = _decision_problems(decision)
    if not problems and _duplicate(person, occupation_id, level, today):
        problems.append(Problem("admin4_appointment_exists", None, {"name": person.name}))
    if problems:
        raise Refused(problems)
    dossier = {
        "facts": {k: v for k, v in facts.items() if v is not None},
        "profile": data,
        "evaluated_on": today,
        "checks": [_check_json(c) for c in decision.checks],
        "portfolio": (portfolio or "").strip(),
        "defence_on": None,
        "defence_minutes": "",
    }
    appointment = Appointment(
        body_id=body.id,
        person_id=person.id,
        occupation_id=occupation_id,
        level_ordinal=level,
        dossier=audit.canonical_json(dossier),
        state=DecisionState.PROPOSED,
        created_at=now_utc(),
    )
    db.session.add(appointment)
    db.session.flush()
    audit.record(
        "applications.appointment_proposed",
        object_type=SUBJECT,
        object_id=appointment.id,
        after={"person_id": person.id, "occupation_id": occupation_id, "level": level, "dossier": dossier},
    )
    return appointment


def _require_open(appointment: Appointment) -> None:
    if appointment.state != DecisionState.PROPOSED:
        raise Refused("admin4_appointment_decided", field=None)


def update_dossier(appointment: Appointment, portfolio: str, defence_on: date | None, defence_minutes: str) -> None:
    """Record the portfolio description and the defence (date and minutes) while the panel has not decided."""
    _require_open(appointment)
    if (defence_minutes or "").strip() and defence_on is None:
        raise Refused("admin4_defence_minutes_without_date", field="defence_on")
    dossier = dossier_of(appointment)
    before = {k: dossier.get(k) for k in ("portfolio", "defence_on", "defence_minutes")}
    after = {
        "portfolio": (portfolio or "").strip(),
        "defence_on": defence_on.isoformat() if defence_on else None,
        "defence_minutes": (defence_minutes or "").strip(),
    }
    if after == before:
        return
    appointment.dossier = audit.canonical_json({**dossier, **after})
    db.session.flush()
    audit.record(
        "applications.appointment_dossier_updated",
        object_type=SUBJECT,
        object_id=appointment.id,
        before=before,
        after=after,
    )


def cast_vote(appointment: Appointment, member: Person, approve: bool, comment: str) -> panels.Tally:
    """Record a panel member's vote (recusal checked by panels.vote); a majority against rejects at once."""
    _require_open(appointment)
    problems = []
    if panels.tally(SUBJECT, appointment.id).decided is not None:
        problems.append(Problem("admin4_panel_already_decided", None))
    if member.id == appointment.person_id:
        problems.append(Problem("admin4_panel_member_is_appointee", "member"))
    if problems:
        raise Refused(problems)
    panels.vote(SUBJECT, appointment.id, member.id, approve, concerning=appointment.person_id, comment=comment or "")
    result = panels.tally(SUBJECT, appointment.id)
    if result.decided is False:
        appointment.state, appointment.decided_at = DecisionState.REJECTED, now_utc()
        db.session.flush()
        audit.record(
            "applications.appointment_rejected",
            object_type=SUBJECT,
            object_id=appointment.id,
            after={"state": appointment.state, "approvals": result.approvals, "rejections": result.rejections},
        )
    return result


def record_term(appointment: Appointment, starts: date | None, ends: date | None) -> None:
    """After the panel approved: record the term of the appointment, which makes it approved."""
    _require_open(appointment)
    problems = []
    if panels.tally(SUBJECT, appointment.id).decided is not True:
        problems.append(Problem("admin4_panel_not_approved", None))
    if starts is None:
        problems.append(Problem("admin4_term_start_required", "term_starts"))
    if ends is None:
        problems.append(Problem("admin4_term_end_required", "term_ends"))
    elif starts is not None and ends <= starts:
        problems.append(Problem("admin4_term_end_before_start", "term_ends"))
    if problems:
        raise Refused(problems)
    appointment.term_starts, appointment.term_ends = starts, ends
    appointment.state, appointment.decided_at = DecisionState.APPROVED, now_utc()
    db.session.flush()
    audit.record(
        "applications.appointment_approved",
        object_type=SUBJECT,
        object_id=appointment.id,
        after={"state": appointment.state, "term_starts": starts, "term_ends": ends},
    )


def appointments_of_body(body_id: int) -> list[Appointment]:
    """The body's appointments, newest first."""
    return list(
        db.session.execute(
            sa.select(Appointment).where(Appointment.body_id == body_id).order_by(Appointment.id.desc()).limit(1000)
        ).scalars()
    )
