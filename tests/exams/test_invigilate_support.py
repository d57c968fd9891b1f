"""Helpers shared by the invigilation and sweep tests (no tests here): starting attempts as stored rows, reading the
audit log and a refusal's messages, and an English-speaking client."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import force_locale

from certify.core.db import db
from certify.exams.models import ExamAttempt
from certify.supervision.models import AuditEntry


def start(attempt: ExamAttempt, at: datetime, *, checked_in: bool = True) -> ExamAttempt:
    """The candidate checked in and pressed Start at `at` (written directly: the tests are about what follows)."""
    if checked_in:
        attempt.checked_in_at = at
    attempt.start_authorised_at = at
    attempt.started_at = at
    db.session.commit()
    return attempt


def audit_entries(action: str, object_id=None) -> list[AuditEntry]:
    """Audit entries of an action (optionally about one object), oldest first."""
    stmt = sa.select(AuditEntry).where(AuditEntry.action == action)
    if object_id is not None:
        stmt = stmt.where(AuditEntry.object_id == str(object_id))
    return list(db.session.execute(stmt.order_by(AuditEntry.seq)).scalars())


def count(model, *where) -> int:
    """How many rows of `model` match."""
    return db.session.execute(sa.select(sa.func.count()).select_from(model).where(*where)).scalar_one()


def english(refused) -> str:
    """Every message of a refusal in English, joined."""
    with force_locale("en"):
        return " ".join(refused.messages())


def english_client(app):
    """A test client whose browser asks for English."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
