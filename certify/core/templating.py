"""Template globals and filters: dates in the body's time zone, level labels, the language switch."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from babel.dates import format_datetime as format_datetime_in
from flask import Flask, current_app, request
from flask_babel import get_locale
from flask_login import current_user

from certify.auth.models import Role
from certify.core.i18n import current_locale, html_lang
from certify.ladder.levels import BY_ORDINAL


def local_time(value: datetime | None, fmt: str = "medium") -> str:
    """A UTC timestamp shown in the body's time zone (Asia/Shanghai by default)."""
    if value is None:
        return ""
    tz = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    if current_user.is_authenticated and current_user.body is not None:
        tz = current_user.body.timezone
    # Babel converts the aware UTC instant into the zone itself (handing it a naive local time would make
    # Flask-Babel treat it as UTC and shift it a second time).
    return format_datetime_in(value, fmt, tzinfo=ZoneInfo(tz), locale=get_locale())


def level_label(ordinal: int | None) -> str:
    """ "二级/技师" or "Grade 2 / Technician" in the current language."""
    if ordinal is None:
        return ""
    return BY_ORDINAL[int(ordinal)].label(current_locale())


def localised(obj, attr: str = "name") -> str:
    """obj.name_en in English when present, else obj.name_zh / obj.name."""
    if current_locale() == "en" and getattr(obj, f"{attr}_en", None):
        return getattr(obj, f"{attr}_en")
    return getattr(obj, f"{attr}_zh", None) or getattr(obj, attr, "")


def certificate_level(number: str | None) -> int | None:
    """The ladder ordinal a certificate number names (22-character or legacy 16-digit), if it names one."""
    from certify.ladder.profile import level_from_certificate_number

    if not number:
        return None
    ordinal, _problems = level_from_certificate_number(str(number))
    return ordinal


def join_list(items) -> str:
    """A list in the user's language: "a、b 和 c" in Chinese, "a, b and c" in English."""
    from babel.lists import format_list

    items = [str(item) for item in items]
    return format_list(items, locale=current_locale()) if items else ""


def _return_path() -> str:
    """Where the language switch returns to: this page, or for a POST response the page the form was on."""
    from certify.core.navigation import safe_next

    if request.method == "GET":
        return request.full_path.rstrip("?")
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host:
        return safe_next(referrer.path + (f"?{referrer.query}" if referrer.query else "")) or "/"
    return "/"


def register(app: Flask) -> None:
    from certify.core.labels import enum_label, role_label

    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["level_label"] = level_label
    app.jinja_env.filters["localised"] = localised
    app.jinja_env.filters["enum_label"] = enum_label
    app.jinja_env.filters["role_label"] = role_label
    app.jinja_env.filters["join_list"] = join_list
    app.jinja_env.filters["certificate_level"] = certificate_level

    @app.context_processor
    def _globals():
        return {
            "html_lang": html_lang(),
            "current_locale": current_locale(),
            "Role": Role,
            "current_path": _return_path(),
        }
