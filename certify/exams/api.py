"""JSON endpoints of the exam page: state, open (claim the page), start, save (journal replay), submit.

Every request names the page by its `client_token` (made by the page, kept for the tab's life). The CSRF token
travels in the X-CSRFToken header. Every error has one shape, `{"ok": false, "problems": [{code, field, message}]}`:
400 for a malformed request (nothing changed; `field` names what is wrong, e.g. `saves[2].value`), 409 when the
attempt refuses (closed, out of time, open on another computer), 403/404 for someone else's attempt. Refusals
and saves also carry the server's `state`, so the page re-syncs its clock on every answer.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, abort, current_app, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from certify.auth.models import Role
from certify.core.access import roles_required
from certify.core.clock import now_utc
from certify.core.db import db, writing
from certify.core.errors import Problem, Refused
from certify.core.i18n import current_locale
from certify.exams import answers_ops, attempts_ops
from certify.exams.answers_ops import BadPayload
from certify.exams.messages_take import PHASE_LABELS, STATE_LABELS
from certify.exams.models import ExamAttempt
from certify.exams.queries_attempts import answers_shown, is_over, page_state, paper_of, stored_answers

bp = Blueprint("exam_api", __name__, url_prefix="/exam/api")


def _problem(p: Problem) -> dict:
    return {"code": p.code, "field": p.field, "message": p.message()}


def _fail(status: int, problems, **extra: Any):
    return jsonify({"ok": False, "problems": [_problem(p) for p in problems], **extra}), status


@bp.errorhandler(CSRFError)
def _csrf(error):
    db.session.rollback()
    return _fail(400, [Problem("exam_api_csrf", "X-CSRFToken")])


@bp.errorhandler(HTTPException)
def _http(error: HTTPException):
    db.session.rollback()
    status = error.code or 500
    return _fail(status, [Problem("exam_api_http", None, {"status": status, "title": error.name})])


def mine_or_404(attempt_id: int) -> ExamAttempt:
    """The signed-in candidate's own attempt; anybody else's does not exist for them."""
    attempt = db.session.get(ExamAttempt, attempt_id)
    if attempt is None or current_user.person_id is None or attempt.candidate_person_id != current_user.person_id:
        abort(404)
    return attempt


def close_when_read(attempt: ExamAttempt) -> ExamAttempt:
    """Reading an attempt whose time is over closes it (auto-submit at the deadline, or abandon), committed.

    Safe-method requests read without SQLite's write lock; the rare read that closes ends its read transaction
    and takes the lock for the close (as the bank's content gate does).
    """
    if not is_over(attempt, now_utc()):
        return attempt
    attempt_id = attempt.id
    db.session.commit()
    with writing():
        attempt = db.session.get(ExamAttempt, attempt_id)
        attempts_ops.close_on_read(attempt, now_utc())
        db.session.commit()
    return attempt


def _iso(value) -> str | None:
    return None if value is None else value.isoformat()


def state_payload(attempt: ExamAttempt, client_token: str | None = None) -> dict:
    """Where the attempt stands now, as the page shows it: phase, server clock, start rules, saved answers."""
    now = now_utc()
    state = page_state(attempt, now)
    problems, decision = attempts_ops.start_problems(attempt, now)
    paper = paper_of(attempt)
    answers = answers_shown(paper, stored_answers(attempt.id)) if paper else {}
    zone = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    notice = decision.notice.message(current_locale(), zone) if decision.notice else None
    return {
        "attempt": attempt.id,
        "phase": state.phase.value,
        "phase_label": str(PHASE_LABELS[state.phase]),
        "state": attempt.state.value,
        "state_label": str(STATE_LABELS[attempt.state]),
        "closed": attempt.closed,
        "paused": state.paused,
        "pause_kind": state.pause_kind.value if state.pause_kind else None,
        "remaining_seconds": round(state.remaining.total_seconds(), 1),
        "deadline": _iso(state.deadline),
        "saves_close_at": _iso(state.saves_close_at),
        "server_time": _iso(now),
        "checked_in": attempt.checked_in_at is not None,
        "started": attempt.started_at is not None,
        "start": {
            "allowed": not problems,
            "problems": [_problem(p) for p in problems] if attempt.started_at is None else [],
            "notice": notice if attempt.started_at is None else None,
            "available_seconds": int(decision.available.total_seconds()),
        },
        "page": {
            "owner": None if not client_token else client_token == attempt.client_token,
            "move_authorised": attempt.move_authorised_at is not None,
        },
        "answers": {str(position): shown for position, shown in answers.items()},
        "url": url_for("exam_take.attempt", attempt_id=attempt.id),
    }


def _read_json(fields: set[str]) -> dict:
    """The request body as a JSON object with exactly these fields; BadPayload naming every problem."""
    raw = request.get_data(cache=False, as_text=False)
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise BadPayload("exam_api_not_utf8") from None
    except json.JSONDecodeError as exc:
        raise BadPayload("exam_api_not_json", line=exc.lineno, column=exc.colno, error=exc.msg) from None
    except (ValueError, RecursionError) as exc:
        raise BadPayload("exam_api_not_json", line=1, column=1, error=str(exc)[:80]) from None
    if not isinstance(data, dict):
        raise BadPayload([Problem("exam_api_not_object", "", {"field": _("the request body")})])
    problems = [Problem("exam_api_field_required", k, {"field": k}) for k in sorted(fields) if k not in data]
    problems += [Problem("exam_api_field_unknown", k[:60], {"field": k[:60]}) for k in sorted(set(data) - fields)]
    if problems:
        raise BadPayload(problems)
    return data


def _writable(attempt_id: int) -> ExamAttempt:
    attempt = mine_or_404(attempt_id)
    if attempts_ops.close_on_read(attempt, now_utc()):
        db.session.commit()
    return attempt


def _act(attempt: ExamAttempt, token: Any, action) -> tuple:
    """Run one operation: 400 for a malformed request, 409 with the state when the attempt refuses."""
    try:
        result = action()
    except BadPayload as bad:
        db.session.rollback()
        return None, _fail(400, bad.problems)
    except Refused as refused:
        db.session.rollback()
        return None, _fail(409, refused.problems, state=state_payload(attempt, _token(token)))
    db.session.commit()
    return result, None


def _token(value: Any) -> str | None:
    return value if isinstance(value, str) else None


@bp.get("/<int:attempt_id>/state")
@roles_required(Role.CANDIDATE)
def state(attempt_id: int):
    attempt = close_when_read(mine_or_404(attempt_id))
    return jsonify({"ok": True, "state": state_payload(attempt, request.args.get("client", "")[:64] or None)})


@bp.post("/<int:attempt_id>/open")
@roles_required(Role.CANDIDATE)
def open_page(attempt_id: int):
    attempt = _writable(attempt_id)
    try:
        token = _read_json({"client_token"})["client_token"]
    except BadPayload as bad:
        return _fail(400, bad.problems)
    outcome, failed = _act(attempt, token, lambda: attempts_ops.claim_page(attempt, token, now_utc()))
    if failed:
        return failed
    return jsonify({"ok": True, "page": outcome, "state": state_payload(attempt, token)})


@bp.post("/<int:attempt_id>/start")
@roles_required(Role.CANDIDATE)
def start(attempt_id: int):
    attempt = _writable(attempt_id)
    try:
        token = _read_json({"client_token"})["client_token"]
    except BadPayload as bad:
        return _fail(400, bad.problems)
    _, failed = _act(attempt, token, lambda: attempts_ops.start_attempt(attempt, token, now_utc()))
    if failed:
        return failed
    return jsonify({"ok": True, "state": state_payload(attempt, token)})


@bp.post("/<int:attempt_id>/save")
@roles_required(Role.CANDIDATE)
def save(attempt_id: int):
    attempt = mine_or_404(attempt_id)
    try:
        data = _read_json({"client_token", "saves"})
    except BadPayload as bad:
        return _fail(400, bad.problems)
    token = data["client_token"]
    result, failed = _act(attempt, token, lambda: answers_ops.save_answers(attempt, token, data["saves"], now_utc()))
    if failed:
        return failed
    decisions = [
        {
            "position": d.position, "seq": d.seq, "accepted": d.accepted, "outcome": d.outcome.value,
            "kept_seq": d.kept_seq, "code": d.code, "message": d.message,
        }
        for d in result.decisions
    ]  # fmt: skip
    body = {
        "ok": result.accepted,
        "problems": [_problem(p) for p in result.problems],
        "decisions": decisions,
        "state": state_payload(attempt, _token(token)),
    }
    return jsonify(body), 200 if result.accepted else 409


@bp.post("/<int:attempt_id>/submit")
@roles_required(Role.CANDIDATE)
def submit(attempt_id: int):
    attempt = _writable(attempt_id)
    try:
        token = _read_json({"client_token"})["client_token"]
    except BadPayload as bad:
        return _fail(400, bad.problems)
    _, failed = _act(attempt, token, lambda: attempts_ops.submit_attempt(attempt, token, now_utc()))
    if failed:
        return failed
    return jsonify({"ok": True, "state": state_payload(attempt, token)})
