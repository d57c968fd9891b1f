"""Language choice: the user's saved language, else the visitor's choice, else the browser's Accept-Language."""

from __future__ import annotations

from flask import current_app, has_request_context, request, session
from flask_babel import Babel, get_locale
from flask_login import current_user

babel = Babel()


def supported_locales() -> tuple[str, ...]:
    return tuple(current_app.config["LANGUAGES"])


def select_locale() -> str:
    """The locale for this request."""
    supported = supported_locales()
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]  # commands and jobs speak the product's default
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
    """The product's key for this request's language: "zh_CN" or "en".

    Babel names Simplified Chinese by its CLDR identifier zh_Hans_CN (the catalog folder has that name); the
    product, its forms and its stored preferences use the familiar key zh_CN.
    """
    locale = get_locale()
    if locale is None:
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    return "zh_CN" if locale.language == "zh" else "en"


def html_lang() -> str:
    """The value of <html lang>: zh-CN or en."""
    return current_locale().replace("_", "-")
