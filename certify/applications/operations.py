"""State changes of applications: create, profile, evidence, pledges, submit; return, approve, reject; lapse.

Each checks its rules (every problem at once), changes the application, writes an application event (the history
the candidate sees) and an audit entry with before/after, and flushes; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from certify.applications import queries
from certify.applications.evidence import check_piece
from certify.applications.messages_apply import EVIDENCE_LABELS, STATE_LABELS, LadderProblem, LocalText
from certify.applications.models import (
    Application,
    ApplicationEvent,
    ApplicationRoute,
    ApplicationState,
    EvidenceFile,
    EvidenceKind,
)
from certify.core.clock import local_date, now_utc
from certify.core.db import db
from certify.core.errors import Problem, Refused
from certify.institutions.models import Body, BodyOccupation, Occupation, OccupationDirection, Person
from certify.ladder.levels import BY_ORDINAL, HowObtained
from certify.ladder.profile import profile_from_json
from certify.recusal import operations as recusal
from certify.recusal.policy import Role as RecusalRole
from certify.supervision import audit

EDITABLE = (ApplicationState.DRAFT, ApplicationState.RETURNED)
SNAPSHOT = ("state", "route", "level_ordinal", "occupation_id", "direction_id", "returned_once", "return_deadline")


def _snapshot(app: Application) -> dict:
    return {name: getattr(app, name) for name in SNAPSHOT}


def _event(app: Application, kind: str, details: dict | None = None, actor_id: int | None = None) -> None:
    at = now_utc()
    db.session.add(
        ApplicationEvent(
            application_id=app.id,
            at=at,
            actor_id=actor_id,
            kind=kind,
            details=audit.canonical_json(details or {}),
        )
    )
    app.updated_at = at


def _record(action: str, app: Application, before: dict | None, after: dict | None, reason: str | None = None):
    db.session.flush()
    audit.record(
        f"applications.{action}", object_type="application", object_id=app.id, before=before, after=after, reason=reason
    )


def today_at(body: Body) -> date:
    """Today in the body's time zone."""
    return local_date(now_utc(), body.timezone)


def _require_editable(app: Application) -> None:
    state = queries.effective_state(app, now_utc())
    if state == ApplicationState.LAPSED:
        deadline = local_date(app.return_deadline, _body(app).timezone).isoformat()
        raise Refused("apply_lapsed", deadline=deadline)
    if state not in EDITABLE:
        raise Refused("apply_not_editable", state=STATE_LABELS[state])


def _name(obj) -> LocalText:
    return LocalText(obj.name_zh, obj.name_en or obj.name_zh)


def _body(app: Application) -> Body:
    return db.session.get(Body, app.body_id)


def _locked(app: Application) -> Application:
    """Re-read the application under a row lock so that two decisions on it serialise."""
    db.session.refresh(app, with_for_update=True)
    return app


# --- the candidate side ----------------------------------------------------------------------------------------


def create_application(
    person: Person | None,
    body_id: int | None,
    occupation_id: int | None,
    direction_id: int | None,
    level: int | None,
    route: ApplicationRoute | str,
    *,
    user_id: int | None,
) -> Application:
    """Open a draft application for a body, occupation (and direction) and level."""
    if person is None:
        raise Refused("apply_no_person", field="body_id")
    problems: list[Problem] = []
    body = db.session.get(Body, body_id) if body_id else None
    occupation = db.session.get(Occupation, occupation_id) if occupation_id else None
    if body is None:
        problems.append(Problem("apply_body_unknown", "body_id"))
    if occupation is None or (body and db.session.get(BodyOccupation, (body.id, occupation.id)) is None):
        problems.append(Problem("apply_occupation_not_offered", "occupation_id"))
    elif occupation.directions and not direction_id:
        problems.append(Problem("apply_direction_required", "direction_id", {"occupation": _name(occupation)}))
    elif direction_id:
        direction = db.session.get(OccupationDirection, direction_id)
        if not occupation.directions:
            problems.append(
                Problem("apply_direction_not_applicable", "direction_id", {"occupation": _name(occupation)})
            )
        elif direction is None or direction.occupation_id != occupation.id:
            code = "apply_direction_not_of_occupation"
            problems.append(Problem(code, "direction_id", {"occupation": _name(occupation)}))
    ladder_level = BY_ORDINAL.get(level) if level else None
    if ladder_level is None:
        problems.append(Problem("apply_level_unknown", "level"))
    elif ladder_level.obtained_by == HowObtained.APPOINTMENT:
        problems.append(
            Problem(
                "apply_level_appointment",
                "level",
                {"level": LocalText(ladder_level.national_label_zh, ladder_level.national_label_en)},
            )
        )
    if route not in {r.value for r in ApplicationRoute}:
        problems.append(Problem("apply_route_invalid", "route"))
    if not problems:
        existing = queries.open_application(person.id, body.id, occupation.id, level)
        if existing is not None:
            problems.append(Problem("apply_duplicate", "level", {"id": existing.id}))
    if problems:
        raise Refused(problems)
    at = now_utc()
    app = Application(
        body_id=body.id,
        candidate_person_id=person.id,
        occupation_id=occupation.id,
        direction_id=direction_id or None,
        level_ordinal=level,
        route=ApplicationRoute(route),
        state=ApplicationState.DRAFT,
        profile="{}",
        created_at=at,
        updated_at=at,
    )
    db.session.add(app)
    db.session.flush()
    _event(app, "created", {"level": level, "route": app.route}, user_id)
    _record("created", app, None, _snapshot(app))
    return app


def save_profile(app: Application, data: dict, *, user_id: int | None) -> None:
    """Replace the draft profile (work history, education, certificates, titles, …) after checking it."""
    _require_editable(app)
    profile, problems = profile_from_json(data)
    if profile is None:
        raise Refused([LadderProblem("apply_profile_problem", p.path, {"path": p.path}, p) for p in problems])
    before = queries.stored_profile(app)
    if before == data:
        return
    app.profile = audit.canonical_json(data)
    _event(app, "profile_saved", {}, user_id)
    _record("profile_saved", app, {"profile": before}, {"profile": data})
    _void_pledges(app, user_id)


PLEDGE_FIELDS = (
    "candidate_pledged_at",
    "candidate_pledge_ip",
    "employer_pledge_name",
    "employer_pledge_signatory",
    "employer_pledged_at",
    "employer_pledge_ip",
)


def _void_pledges(app: Application, user_id: int | None) -> None:
    """A pledge vouches for the content as it stood: any change after it means pledging again."""
    if app.candidate_pledged_at is None and app.employer_pledged_at is None:
        return
    before = {f: getattr(app, f) for f in PLEDGE_FIELDS}
    for name in PLEDGE_FIELDS:
        setattr(app, name, None)
    _event(app, "pledges_voided", {}, user_id)
    _record("pledges_voided", app, before, None)


def add_evidence(
    app: Application, kind: EvidenceKind | str | None, files: list[tuple[str | None, bytes]], *, user_id: int | None
) -> list[EvidenceFile]:
    """Add one piece of evidence (up to 3 images, or one PDF), checked by content."""
    _require_editable(app)
    problems: list[Problem] = []
    try:
        kind = EvidenceKind(kind)
    except ValueError:
        problems.append(Problem("apply_evidence_kind_invalid", "kind"))
    checked, file_problems = check_piece(files)
    problems += file_problems
    if problems:
        raise Refused(problems)
    rows = []
    for f in checked:
        row = EvidenceFile(
            application_id=app.id,
            kind=kind,
            filename=f.filename,
            content_type=f.content_type,
            size=f.size,
            pages=f.pages,
            sha256=f.sha256,
            data=f.data,
            uploaded_at=now_utc(),
        )
        db.session.add(row)
        rows.append(row)
    db.session.flush()
    summary = [
        {"id": r.id, "filename": r.filename, "type": r.content_type, "pages": r.pages, "sha256": r.sha256} for r in rows
    ]
    _event(app, "evidence_added", {"kind": kind, "files": [r.filename for r in rows]}, user_id)
    _record("evidence_added", app, None, {"kind": kind, "files": summary})
    _void_pledges(app, user_id)
    return rows


def remove_evidence(app: Application, evidence: EvidenceFile, *, user_id: int | None) -> None:
    """Remove an uploaded file while the application can still be changed."""
    _require_editable(app)
    before = {"id": evidence.id, "kind": evidence.kind, "filename": evidence.filename, "sha256": evidence.sha256}
    db.session.delete(evidence)
    _event(app, "evidence_removed", {"kind": evidence.kind, "files": [evidence.filename]}, user_id)
    _record("evidence_removed", app, before, None)
    _void_pledges(app, user_id)


def pledge(
    app: Application,
    *,
    candidate: bool,
    employer: bool,
    employer_name: str,
    signatory: str,
    ip: str | None,
    user_id: int | None,
) -> None:
    """Record the double pledge (candidate, and employer with its name and signatory) with time and IP."""
    _require_editable(app)
    employer_name, signatory = " ".join((employer_name or "").split()), " ".join((signatory or "").split())
    problems = []
    if not candidate:
        problems.append(Problem("apply_pledge_candidate_missing", "candidate_pledge"))
    if not employer:
        problems.append(Problem("apply_pledge_employer_missing", "employer_pledge"))
    if not employer_name:
        problems.append(Problem("apply_pledge_employer_name_missing", "employer_name"))
    if not signatory:
        problems.append(Problem("apply_pledge_signatory_missing", "signatory"))
    if problems:
        raise Refused(problems)
    fields = ("candidate_pledged_at", "candidate_pledge_ip", "employer_pledge_name", "employer_pledge_signatory")
    before = {f: getattr(app, f) for f in (*fields, "employer_pledged_at", "employer_pledge_ip")}
    at, ip = now_utc(), (ip or "")[:64] or None
    app.candidate_pledged_at, app.candidate_pledge_ip = at, ip
    app.employer_pledge_name, app.employer_pledge_signatory = employer_name[:200], signatory[:100]
    app.employer_pledged_at, app.employer_pledge_ip = at, ip
    after = {f: getattr(app, f) for f in (*fields, "employer_pledged_at", "employer_pledge_ip")}
    _event(app, "pledged", {"employer": app.employer_pledge_name, "signatory": app.employer_pledge_signatory}, user_id)
    _record("pledged", app, before, after)


@dataclass(frozen=True)
class _OptionCheck:
    """A failing check named with its option, for the refusal of an ineligible submission."""

    option: object
    check: object

    def message(self, locale: str) -> str:
        return f"{self.option.option.label_in(locale)}: {self.check.message(locale)}"


def submit(app: Application, *, user_id: int | None):
    """Submit (or resubmit after a return): pledges, evidence, profile and — on the standard route — the verdict
    must all be in order; a ban refuses any route. Stores the verdict in both languages."""
    _require_editable(app)
    person = db.session.get(Person, app.candidate_person_id)
    problems: list[Problem] = []
    if not (app.candidate_pledged_at and app.employer_pledged_at):
        problems.append(Problem("apply_submit_pledge_missing", "pledge"))
    kinds = {e.kind for e in app.evidence}
    needed = [EvidenceKind.ID_DOCUMENT] + (
        [EvidenceKind.ACHIEVEMENT] if app.route == ApplicationRoute.EXCEPTIONAL else []
    )
    problems += [
        Problem("apply_submit_evidence_missing", "evidence", {"kind": EVIDENCE_LABELS[k]})
        for k in needed
        if k not in kinds
    ]
    verdict, profile_problems = queries.verdict_for(
        app.occupation.code, app.level_ordinal, queries.stored_profile(app), person, today_at(_body(app))
    )
    if verdict is None:
        problems.append(Problem("apply_submit_profile_invalid", "profile"))
        problems += [LadderProblem("apply_profile_problem", p.path, {"path": p.path}, p) for p in profile_problems]
    else:
        if verdict.ban is not None:
            problems.append(LadderProblem("apply_submit_banned", "ban", dict(verdict.ban.params), verdict.ban))
        problems += [LadderProblem("apply_profile_problem", "level", {"path": "level"}, p) for p in verdict.problems]
        if app.route == ApplicationRoute.STANDARD and verdict.satisfied_option is None:
            problems.append(Problem("apply_submit_not_eligible", "verdict"))
            problems += [
                LadderProblem("apply_submit_check_failed", "verdict", {}, _OptionCheck(o, c))
                for o in verdict.options
                for c in o.failing
            ]
    if problems:
        raise Refused(problems)
    before = _snapshot(app)
    resubmission = app.state == ApplicationState.RETURNED
    app.state, app.submitted_at = ApplicationState.SUBMITTED, now_utc()
    app.verdict = audit.canonical_json({loc: verdict.to_json(loc) for loc in ("en", "zh_CN")})
    kind = "resubmitted" if resubmission else "submitted"
    _event(app, kind, {"eligible": verdict.eligible, "option": verdict.to_json("en")["satisfied_option"]}, user_id)
    _record(kind, app, before, {**_snapshot(app), "eligible": verdict.eligible})
    return verdict


# --- review ------------------------------------------------------------------------------------------------------


def _decidable(app: Application, reviewer) -> None:
    """A decision needs a submitted application and a reviewer the recusal engine allows (checked last, in this
    transaction, so that the check it records belongs with the decision)."""
    _locked(app)
    state = queries.effective_state(app, now_utc())
    if state != ApplicationState.SUBMITTED:
        raise Refused("apply_review_state", state=STATE_LABELS[state])
    if reviewer.person_id is None:
        raise Refused("apply_review_no_person")


def _recusal(app: Application, reviewer) -> None:
    recusal.require(
        reviewer.person_id,
        RecusalRole.APPLICATION_REVIEWER,
        candidate=app.candidate_person_id,
        context=("application", app.id),
    )


def return_for_correction(app: Application, reviewer, problems: list[tuple[str, str]], deadline: date | None) -> None:
    """Return a submitted application once, listing every problem, with a correction deadline after today."""
    _decidable(app, reviewer)
    found: list[Problem] = []
    if app.returned_once:
        found.append(Problem("apply_return_twice", None))
    listed = [(f.strip(), t.strip()) for f, t in problems if f.strip() or t.strip()]
    if not listed:
        found.append(Problem("apply_return_no_problems", None))
    found += [Problem("apply_return_problem_text", None, {"n": i}) for i, (_, t) in enumerate(listed, 1) if not t]
    body = _body(app)
    today = today_at(body)
    if deadline is None:
        found.append(Problem("apply_return_deadline_missing", "deadline"))
    elif deadline <= today:
        found.append(Problem("apply_return_deadline_past", "deadline", {"today": today.isoformat()}))
    if found:
        raise Refused(found)
    _recusal(app, reviewer)
    before = _snapshot(app)
    app.state, app.returned_once = ApplicationState.RETURNED, True
    # The candidate has the whole deadline day, in the body's time zone.
    app.return_deadline = datetime.combine(deadline, time(23, 59, 59), ZoneInfo(body.timezone))
    details = {"problems": [{"field": f, "text": t} for f, t in listed], "deadline": deadline.isoformat()}
    _event(app, "returned", details, reviewer.id)
    _record("returned", app, before, {**_snapshot(app), **details})


def approve(app: Application, reviewer) -> None:
    """Approve a standard-route application: the candidate may then be enrolled in a session of its occupation
    and level."""
    _decidable(app, reviewer)
    if app.route == ApplicationRoute.EXCEPTIONAL:
        raise Refused("apply_review_exceptional")
    _recusal(app, reviewer)
    before = _snapshot(app)
    app.state, app.decided_at, app.decided_by_id = ApplicationState.APPROVED, now_utc(), reviewer.id
    _event(app, "approved", {}, reviewer.id)
    _record("approved", app, before, _snapshot(app))


def reject(app: Application, reviewer, reason: str) -> None:
    """Reject a submitted application with a reason."""
    _decidable(app, reviewer)
    reason = (reason or "").strip()
    if not reason:
        raise Refused("apply_reject_reason", field="reason")
    _recusal(app, reviewer)
    before = _snapshot(app)
    app.state, app.decided_at, app.decided_by_id = ApplicationState.REJECTED, now_utc(), reviewer.id
    _event(app, "rejected", {"reason": reason}, reviewer.id)
    _record("rejected", app, before, _snapshot(app), reason=reason)


def lapse_overdue(now: datetime | None = None) -> int:
    """Record every returned application whose deadline has passed as lapsed (idempotent); how many lapsed."""
    now = now or now_utc()
    stmt = sa.select(Application).where(queries.lapsed_filter(now)).order_by(Application.id)
    count = 0
    for app in db.session.execute(stmt).scalars().all():
        _locked(app)
        if queries.effective_state(app, now) != ApplicationState.LAPSED or app.state == ApplicationState.LAPSED:
            continue
        before = _snapshot(app)
        app.state = ApplicationState.LAPSED
        _event(app, "lapsed", {"deadline": app.return_deadline.isoformat()}, None)
        _record("lapsed", app, before, _snapshot(app))
        count += 1
    return count
