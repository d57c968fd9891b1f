"""Error pages and JSON errors in the user's language; nothing answers a bare 500 with a stack trace."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from certify.core.db import db


def _titles() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Bad request"), _("The request could not be understood. Check what you sent and try again.")),
        401: (_("Sign in required"), _("Please sign in to continue.")),
        403: (_("Not allowed"), _("Your account does not have permission for this page or action.")),
        404: (_("Not found"), _("There is no such page, or it is not visible to you.")),
        405: (_("Method not allowed"), _("This address does not accept that kind of request.")),
        413: (_("Upload too large"), _("The file is larger than the limit. Choose a smaller file.")),
        429: (_("Too many requests"), _("Please wait a moment and try again.")),
        500: (
            _("Something went wrong"),
            _("The server could not complete the request. Nothing was changed."),
        ),
        503: (
            _("Service unavailable"),
            _("The service is temporarily unavailable. Please try again shortly."),
        ),
    }


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def render_error(status: int, detail: str | None = None):
    title, default_detail = _titles().get(status, (str(status), ""))
    detail = detail or default_detail
    if wants_json():
        return jsonify({"error": {"status": status, "title": title, "detail": detail}}), status
    return render_template("errors/error.html", status=status, title=title, detail=detail), status


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error):
        db.session.rollback()
        return render_error(
            400, _("This form has expired or did not come from this site. Reload the page and try again.")
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        db.session.rollback()
        response = render_error(error.code or 500)
        if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
            body, status = response
            return body, status, {"Allow": ", ".join(error.valid_methods)}
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        db.session.rollback()
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(500)
