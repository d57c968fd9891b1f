"""`POST /api/v1/eligibility`: the live eligibility verdict of a profile (the same engine as the pages).

In: `{"occupation": "4-13-03-02", "level": 3, "profile": {…}}` (the profile JSON of certify.ladder.profile; the
birth date is taken from the caller's ID when the profile gives none). Out: the verdict as `Verdict.to_json` in
the caller's language, with the caller's own bans. Every bad input answers 400 with a message naming the problem;
the CSRF token is required in the X-CSRFToken header.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from certify.applications import messages_apply, queries
from certify.core.access import login_required
from certify.core.clock import local_date, now_utc
from certify.core.db import db
from certify.core.errors import describe
from certify.core.i18n import current_locale
from certify.institutions.models import Occupation, Person
from certify.ladder.levels import BY_ORDINAL, HowObtained

bp = Blueprint("applications_api", __name__)


def _bad(problems: list[dict]):
    detail = " ".join(p["message"] for p in problems)
    error = {"status": 400, "title": _("Bad request"), "detail": detail, "problems": problems}
    return jsonify({"error": error}), 400


def _problem(field: str, code: str, /, **params) -> dict:
    return {"field": field, "code": code, "message": describe(code, params)}


def _read_request() -> tuple[dict | None, list[dict]]:
    raw = request.get_data(cache=False, as_text=False)
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return None, [_problem("", "apply_api_not_utf8")]
    except RecursionError:
        return None, [_problem("", "apply_api_too_deep")]
    except json.JSONDecodeError as exc:
        return None, [_problem("", "apply_api_not_json", line=exc.lineno, column=exc.colno, error=exc.msg)]
    if not isinstance(data, dict):
        return None, [_problem("", "apply_api_not_object")]
    problems = []
    for key in ("occupation", "level", "profile"):
        if data.get(key) is None:
            problems.append(_problem(key, "apply_api_field_required", field=key))
    for key in sorted(set(data) - {"occupation", "level", "profile"}):
        problems.append(_problem(key, "apply_api_field_unknown", field=key))
    return data, problems


@bp.post("/api/v1/eligibility")
@login_required
def eligibility():
    data, problems = _read_request()
    if data is None:
        return _bad(problems)
    code, level, profile = data.get("occupation"), data.get("level"), data.get("profile")
    if code is not None:
        if not isinstance(code, str):
            problems.append(_problem("occupation", "apply_api_occupation_not_text"))
        elif db.session.execute(sa.select(Occupation.id).where(Occupation.code == code.strip())).first() is None:
            problems.append(_problem("occupation", "apply_api_occupation_unknown", code=code[:40]))
    if level is not None:
        ladder_level = BY_ORDINAL.get(level) if isinstance(level, int) and not isinstance(level, bool) else None
        if ladder_level is None:
            problems.append(_problem("level", "apply_api_level_invalid"))
        elif ladder_level.obtained_by == HowObtained.APPOINTMENT:
            label = messages_apply.LocalText(ladder_level.national_label_zh, ladder_level.national_label_en)
            problems.append(_problem("level", "apply_level_appointment", level=label))
    if profile is not None and not isinstance(profile, dict):
        problems.append(_problem("profile", "apply_api_profile_not_object"))
    if problems:
        return _bad(problems)
    person = db.session.get(Person, current_user.person_id) if current_user.person_id else None
    today = local_date(now_utc(), current_app.config["BABEL_DEFAULT_TIMEZONE"])
    verdict, profile_problems = queries.verdict_for(code.strip(), level, profile, person, today)
    locale = current_locale()
    if request.args.get("format") == "html":
        # The page's own verdict panel, rendered by the same template as on save (one rendering of a verdict).
        return render_template(
            "applications/_verdict.html",
            verdict=verdict.to_json(locale) if verdict else None,
            profile_problems=[p.message(locale) for p in profile_problems],
        )
    if verdict is None:
        return _bad(
            [{"field": f"profile.{p.path}", "code": p.code, "message": p.message(locale)} for p in profile_problems]
        )
    return jsonify(verdict.to_json(locale))
