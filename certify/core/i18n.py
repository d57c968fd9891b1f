"""Language choice: the user's saved language, else the visitor's choice, else the browser's Accept-Language."""

from __future__ import annotations

from flask import current_app, request, session
from flask_babel import Babel, get_locale
from flask_login import current_user

babel = Babel()


def supported_locales() -> tuple[str, ...]:
    return tuple(current_app.config["LANGUAGES"])


def select_locale() -> str:
    """The locale for this request."""
    supported = supported_locales()
    if current_user and current_user.is_authenticated and current_user.locale in supported:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in supported:
        return chosen
    # werkzeug matches "zh", "zh-CN", "zh-Hans" against "zh-CN"; return our catalog's spelling.
    spelled = {loc.replace("_", "-"): loc for loc in supported}
    best = request.accept_languages.best_match(list(spelled))
    return spelled.get(best, current_app.config["BABEL_DEFAULT_LOCALE"])


def current_locale() -> str:
    """ "zh_CN" or "en" for templates and rules."""
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def html_lang() -> str:
    """The value of <html lang>: zh-CN or en."""
    return current_locale().replace("_", "-")
