"""Theory sessions (理论考试场次): create and edit a session with its rooms, every change checked and audited.

Values come as a dict (the form's, already parsed): name, occupation_id, level_ordinal, blueprint_id, site_id,
room_ids, opens_at / closes_at (aware UTC), duration_minutes, expiry_policy, grace_minutes,
candidates_per_invigilator, min_invigilators_per_room. Window and duration are checked by
`timing_checks.validate_timing`, the same rules the exam clock uses.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from certify.auth.models import User
from certify.bank.models import BlueprintRecord, BlueprintState
from certify.core.clock import now_utc
from certify.core.db import db
from certify.core.errors import Problem, Refused
from certify.exams import clocks
from certify.exams import messages_sessions as _messages  # noqa: F401  (registers the codes)
from certify.exams.models import ExamSession, ExpiryPolicy, SessionRoom
from certify.exams.session_rules import (
    ROOM_CODE_ALPHABET,
    ROOM_CODE_LENGTH,
    CheckInWindow,
    check_in_opens_at,
    check_in_window,
)
from certify.exams.timing import ExamTiming
from certify.exams.timing_checks import validate_timing
from certify.institutions.models import Body, BodyOccupation, Room, Site
from certify.supervision import audit
from question_bank.blueprint import EXAM_LEVELS

TIMING_FIELDS = ("opens_at", "closes_at", "duration_minutes")
EXPIRY_FIELDS = ("expiry_policy", "grace_minutes")
EXAM_FIELDS = ("occupation_id", "level_ordinal", "blueprint_id")
STAFFING_FIELDS = ("candidates_per_invigilator", "min_invigilators_per_room")
SCALAR_FIELDS = ("name", *EXAM_FIELDS, "site_id", *TIMING_FIELDS, *EXPIRY_FIELDS, *STAFFING_FIELDS)
MAX_GRACE_MINUTES = 240
MAX_DURATION_MINUTES = 24 * 60


def staffing_defaults() -> tuple[int, int]:
    """The configured staffing rule: (candidates per invigilator, minimum invigilators per room)."""
    config = current_app.config
    return (
        int(config.get("EXAM_CANDIDATES_PER_INVIGILATOR", 15)),
        int(config.get("EXAM_MIN_INVIGILATORS_PER_ROOM", 2)),
    )


def session_defaults() -> dict:
    """What a new session form starts with: 90 minutes (or the configured minimum), auto-submit, the staffing rule."""
    per, minimum = staffing_defaults()
    min_minutes = int(clocks.timing_policy().min_duration.total_seconds() // 60)
    return {
        "duration_minutes": max(90, min_minutes),
        "expiry_policy": ExpiryPolicy.AUTO_SUBMIT,
        "grace_minutes": 0,
        "candidates_per_invigilator": per,
        "min_invigilators_per_room": minimum,
    }


def local_text(value: datetime | None, body: Body) -> str:
    """A stored UTC time as the body's local "YYYY-MM-DD HH:MM" (for messages and audit readers)."""
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(body.timezone or "Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")


def check_in_lead_minutes() -> int:
    """How many minutes before the window opens check-in and start authorisation begin (config, default 60)."""
    return int(current_app.config.get("EXAM_CHECK_IN_OPENS_MINUTES", 60))


def require_check_in_window(session: ExamSession, now: datetime) -> None:
    """Refuse check-in or start authorisation too early (saying from when, in local time) or after the close."""
    lead = check_in_lead_minutes()
    where = check_in_window(session.opens_at, session.closes_at, lead, now)
    if where is CheckInWindow.OPEN:
        return
    body = db.session.get(Body, session.body_id)
    if where is CheckInWindow.TOO_EARLY:
        at = local_text(check_in_opens_at(session.opens_at, lead), body)
        raise Refused("session_check_in_not_yet", at=at, opens_at=local_text(session.opens_at, body))
    raise Refused("session_finished", closes_at=local_text(session.closes_at, body))


def lock_session(session: ExamSession) -> None:
    """Serialise changes of one session's seats, tickets, staff and papers (FOR UPDATE on PostgreSQL; SQLite's
    write lock already serialises writers)."""
    db.session.execute(sa.select(ExamSession.id).where(ExamSession.id == session.id).with_for_update())


def _minute(value: datetime | None) -> datetime | None:
    return value.replace(second=0, microsecond=0) if value is not None else None


def _values(values: dict) -> dict:
    """Normalise the input: defaults for what is missing, trimmed name, enum for the policy."""
    merged = {**session_defaults(), **{k: v for k, v in values.items() if v is not None}}
    merged["name"] = " ".join(str(merged.get("name") or "").split())
    merged["room_ids"] = list(dict.fromkeys(merged.get("room_ids") or []))
    try:
        merged["expiry_policy"] = ExpiryPolicy(merged["expiry_policy"])
    except ValueError:
        merged["expiry_policy"] = None
    if merged["expiry_policy"] is not ExpiryPolicy.GRACE:
        merged["grace_minutes"] = 0
    return merged


def _timing_problems(v: dict, body: Body) -> list[Problem]:
    problems: list[Problem] = []
    opens, closes, minutes = v.get("opens_at"), v.get("closes_at"), v.get("duration_minutes")
    if opens is None:
        problems.append(Problem("session_value_required", "opens_at"))
    if closes is None:
        problems.append(Problem("session_value_required", "closes_at"))
    if not isinstance(minutes, int) or not 1 <= minutes <= MAX_DURATION_MINUTES:
        problems.append(Problem("session_duration_range", "duration_minutes", {"max": MAX_DURATION_MINUTES}))
        return problems
    if opens is None or closes is None:
        return problems
    timing = ExamTiming(opens, closes, timedelta(minutes=minutes), policy=clocks.timing_policy())
    for reason in validate_timing(timing):
        if reason.code == "window_not_after_open":
            params = {"opens_at": local_text(opens, body), "closes_at": local_text(closes, body)}
            problems.append(Problem("session_window_order", "closes_at", params))
        elif reason.code == "duration_too_short":
            problems.append(Problem("session_duration_short", "duration_minutes", reason.params))
        else:
            problems.append(Problem("session_timing", None, {"text": reason.message("en")}))
    if closes > opens and closes - opens < timedelta(minutes=minutes):
        params = {"window": int((closes - opens).total_seconds() // 60), "minutes": minutes}
        problems.append(Problem("session_window_short", "closes_at", params))
    return problems


def _policy_problems(v: dict) -> list[Problem]:
    problems: list[Problem] = []
    if v["expiry_policy"] is None:
        problems.append(Problem("session_expiry_unknown", "expiry_policy"))
    elif v["expiry_policy"] is ExpiryPolicy.GRACE:
        grace = v.get("grace_minutes")
        if not isinstance(grace, int) or not 1 <= grace <= MAX_GRACE_MINUTES:
            problems.append(Problem("session_grace_range", "grace_minutes", {"max": MAX_GRACE_MINUTES}))
    per_default, min_default = staffing_defaults()
    per, minimum = v.get("candidates_per_invigilator"), v.get("min_invigilators_per_room")
    if not isinstance(per, int) or not 1 <= per <= per_default:
        problems.append(Problem("session_per_invigilator", "candidates_per_invigilator", {"max": per_default}))
    if not isinstance(minimum, int) or not min_default <= minimum <= 20:
        problems.append(Problem("session_min_per_room", "min_invigilators_per_room", {"min": min_default}))
    return problems


def _exam_problems(body: Body, v: dict) -> tuple[list[Problem], Site | None, list[Room]]:
    problems: list[Problem] = []
    if not v["name"]:
        problems.append(Problem("session_value_required", "name"))
    elif len(v["name"]) > 200:
        problems.append(Problem("session_name_long", "name", {"max": 200, "length": len(v["name"])}))
    occupation_id, level = v.get("occupation_id"), v.get("level_ordinal")
    filed = db.session.get(BodyOccupation, (body.id, occupation_id)) if isinstance(occupation_id, int) else None
    if filed is None:
        problems.append(Problem("session_occupation_not_filed", "occupation_id"))
    if level not in EXAM_LEVELS:
        problems.append(Problem("session_level_invalid", "level_ordinal"))
    blueprint_id = v.get("blueprint_id")
    blueprint = db.session.get(BlueprintRecord, blueprint_id) if isinstance(blueprint_id, int) else None
    if blueprint is None or blueprint.body_id != body.id:
        problems.append(Problem("session_blueprint_unknown", "blueprint_id"))
    elif blueprint.state is not BlueprintState.APPROVED:
        problems.append(Problem("session_blueprint_not_approved", "blueprint_id", {"name": blueprint.name}))
    elif filed is not None and (blueprint.occupation_id, blueprint.level_ordinal) != (occupation_id, level):
        problems.append(Problem("session_blueprint_mismatch", "blueprint_id", {"name": blueprint.name}))
    site_id = v.get("site_id")
    site = db.session.get(Site, site_id) if isinstance(site_id, int) else None
    if site is None or site.body_id != body.id:
        problems.append(Problem("session_site_unknown", "site_id"))
        return problems, None, []
    if not site.active:
        problems.append(Problem("session_site_inactive", "site_id", {"site": site.name}))
    rooms = [db.session.get(Room, rid) if isinstance(rid, int) else None for rid in v["room_ids"]]
    if not rooms:
        problems.append(Problem("session_rooms_required", "room_ids"))
    if any(room is None or room.site_id != site.id for room in rooms):
        problems.append(Problem("session_room_not_of_site", "room_ids", {"site": site.name}))
    return problems, site, [room for room in rooms if room is not None and room.site_id == site.id]


def _room_code(taken: set[str]) -> str:
    while True:
        code = "".join(secrets.choice(ROOM_CODE_ALPHABET) for _ in range(ROOM_CODE_LENGTH))
        if code not in taken:
            taken.add(code)
            return code


def _snapshot(session: ExamSession) -> dict:
    data = {name: getattr(session, name) for name in SCALAR_FIELDS}
    data["rooms"] = [{"room_id": r.room_id, "code": r.room_code} for r in session.rooms]
    return data


def create_session(body: Body, values: dict, user: User | None) -> ExamSession:
    """Create a session of `body` with its rooms (each with a fresh room code); refuses with every problem."""
    v = _values(values)
    problems, _site, rooms = _exam_problems(body, v)
    problems += _timing_problems(v, body) + _policy_problems(v)
    if v.get("opens_at") is not None and v["opens_at"] <= now_utc():
        problems.append(Problem("session_opens_past", "opens_at", {"opens_at": local_text(v["opens_at"], body)}))
    if problems:
        raise Refused(problems)
    session = ExamSession(body_id=body.id, created_at=now_utc(), created_by_id=user.id if user else None)
    for name in SCALAR_FIELDS:
        setattr(session, name, v[name])
    db.session.add(session)
    db.session.flush()
    codes: set[str] = set()
    for room in rooms:
        db.session.add(SessionRoom(session_id=session.id, room_id=room.id, room_code=_room_code(codes)))
    db.session.flush()
    db.session.refresh(session)
    audit.record("exams.session_created", object_type="exam_session", object_id=session.id, after=_snapshot(session))
    return session


def _lock_problems(session: ExamSession, v: dict, body: Body, now: datetime) -> list[Problem]:
    """Changes refused because the window opened, papers exist or candidates are enrolled (saying which)."""
    changed = [
        name
        for name in SCALAR_FIELDS
        if (_minute(v[name]) if name in ("opens_at", "closes_at") else v[name])
        != (_minute(getattr(session, name)) if name in ("opens_at", "closes_at") else getattr(session, name))
    ]
    problems: list[Problem] = []
    enrolled = len(session.attempts)
    for name in changed:
        if now >= session.opens_at and name in (*TIMING_FIELDS, *EXPIRY_FIELDS, *EXAM_FIELDS, "site_id"):
            params = {"opens_at": local_text(session.opens_at, body)}
            problems.append(Problem("session_locked_opened", name, params))
        elif session.papers_generated_at is not None and name in (*TIMING_FIELDS, *EXAM_FIELDS):
            params = {"generated_at": local_text(session.papers_generated_at, body)}
            problems.append(Problem("session_locked_papers", name, params))
        elif enrolled and name in ("occupation_id", "level_ordinal"):
            problems.append(Problem("session_locked_enrolled", name, {"count": enrolled}))
    if "opens_at" in changed and not problems and v["opens_at"] <= now:
        problems.append(Problem("session_opens_past", "opens_at", {"opens_at": local_text(v["opens_at"], body)}))
    return problems


def _in_use(room: SessionRoom) -> bool:
    return bool(room.attempts or room.invigilators)


def update_session(session: ExamSession, values: dict, user: User | None) -> ExamSession:
    """Change a session; refuses timing changes after papers were generated or the window opened, and rooms
    (or a site) still holding candidates or invigilators, naming each."""
    lock_session(session)
    body = db.session.get(Body, session.body_id)
    v = _values(values)
    problems, _site, rooms = _exam_problems(body, v)
    problems += _timing_problems(v, body) + _policy_problems(v)
    if problems:
        raise Refused(problems)
    now = now_utc()
    problems = _lock_problems(session, v, body, now)
    wanted = {room.id for room in rooms}
    for room in session.rooms:
        if room.room_id in wanted:
            continue
        if now >= session.opens_at:
            params = {"opens_at": local_text(session.opens_at, body)}
            problems.append(Problem("session_locked_opened", "room_ids", params))
        elif _in_use(room):
            problems.append(Problem("session_room_in_use", "room_ids", {"room": room.room.name}))
    if problems:
        raise Refused(problems)
    before = _snapshot(session)
    for name in SCALAR_FIELDS:
        if name in ("opens_at", "closes_at") and _minute(v[name]) == _minute(getattr(session, name)):
            continue  # the form shows minutes: an untouched time keeps its seconds
        setattr(session, name, v[name])
    codes = {room.room_code for room in session.rooms}
    for room in list(session.rooms):
        if room.room_id not in wanted:
            session.rooms.remove(room)
            db.session.delete(room)
    present = {room.room_id for room in session.rooms}
    for room in rooms:
        if room.id not in present:
            session.rooms.append(SessionRoom(room_id=room.id, room_code=_room_code(codes)))
    db.session.flush()
    after = _snapshot(session)
    if after != before:
        audit.record(
            "exams.session_updated", object_type="exam_session", object_id=session.id, before=before, after=after
        )
    return session


def new_room_code(session_room: SessionRoom, user: User | None) -> SessionRoom:
    """Give a room a fresh code (e.g. when the old one was seen outside the room); refused once the window closed."""
    if now_utc() >= session_room.session.closes_at:
        raise Refused("session_finished", closes_at=local_text(session_room.session.closes_at, _body(session_room)))
    before = session_room.room_code
    session_room.room_code = _room_code({r.room_code for r in session_room.session.rooms})
    db.session.flush()
    audit.record(
        "exams.room_code_changed",
        object_type="exam_session_room",
        object_id=session_room.id,
        before={"code": before},
        after={"code": session_room.room_code},
    )
    return session_room


def _body(session_room: SessionRoom) -> Body:
    return db.session.get(Body, session_room.session.body_id)
