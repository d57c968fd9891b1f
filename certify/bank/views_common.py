"""What every bank page shares: the content gate (pledge, recusal, audit) as a view helper, and body scoping."""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from certify.core.access import own_body_or_404
from certify.core.db import db, writing
from certify.core.errors import Refused
from certify.core.i18n import current_locale
from certify.institutions.models import Occupation
from certify.recusal.operations import RecusalBlocked

from .access import PledgeMissing, require_content


def content_gate(
    occupation: Occupation, action: str, *, object_type: str, object_id: Any, details: dict[str, Any] | None = None
) -> Response | None:
    """Check and audit the current user's access to `occupation`'s content, committing the record.

    Returns None when allowed; otherwise the response to send: the pledge page for an unsigned pledge, a 403
    page with every recusal reason (the blocked attempt stays on record), or 403 for a missing bank role.
    """
    db.session.commit()  # end the request's read transaction: the check and audit entry need the write lock
    with writing():
        try:
            require_content(
                current_user, occupation, action, object_type=object_type, object_id=object_id, details=details
            )
        except PledgeMissing:
            db.session.rollback()
            return redirect(url_for("bank.pledge", occupation_code=occupation.code, next=request.full_path))
        except RecusalBlocked as blocked:
            db.session.commit()  # the check and its audit entry record the blocked attempt; nothing else changed
            locale = current_locale()
            reasons = [reason.message(locale) for reason in blocked.verdict.reasons]
            body = render_template("bank/blocked.html", occupation=occupation, reasons=reasons)
            return Response(body, status=403)
        except Refused as refused:
            db.session.rollback()
            body = render_template("bank/blocked.html", occupation=occupation, reasons=refused.messages())
            return Response(body, status=403)
        db.session.commit()
    return None


def own(obj: Any) -> Any:
    """`obj` when it belongs to the current user's body, else 404."""
    if obj is None:
        abort(404)
    own_body_or_404(obj.body_id)
    return obj
