"""The audit log page for body staff."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Blueprint, render_template, request
from flask_login import current_user

from certify.auth.models import Role, User
from certify.core.access import roles_required
from certify.core.db import db
from certify.institutions.models import Person
from certify.supervision.models import AuditEntry

bp = Blueprint("supervision", __name__)

PAGE_SIZE = 100
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{14}(\d{3}[\dXx])(?![0-9A-Za-z])")
_PHONE = re.compile(r"(?<!\d)(1\d{2})\d{4}(\d{4})(?!\d)")


def mask_personal_data(text: str | None) -> str:
    """Hide ID numbers (last 4 kept) and the middle of mobile numbers, as everywhere else on screen."""
    if not text:
        return ""
    return _PHONE.sub(r"\1****\2", _ID_NUMBER.sub(lambda m: "*" * 14 + m.group(1), text))


@bp.get("/audit")
@roles_required(Role.ADMIN, Role.SUPERVISOR)
def audit_log():
    action = request.args.get("action", "").strip()[:80]
    actor = request.args.get("actor", "").strip()[:64]
    before_seq = request.args.get("before", type=int)
    # The body's own staff, and the people it registered (candidates' accounts belong to no body).
    body_people = sa.select(Person.id).where(Person.body_id == current_user.body_id)
    body_users = sa.select(User.id).where(sa.or_(User.body_id == current_user.body_id, User.person_id.in_(body_people)))
    # Entries with no actor: system jobs and seeding — not anonymous sign-in attempts, which concern no body.
    stmt = sa.select(AuditEntry).where(
        sa.or_(
            AuditEntry.actor_id.in_(body_users),
            sa.and_(AuditEntry.actor_id.is_(None), AuditEntry.actor_label != "anonymous"),
        )
    )
    if action:
        stmt = stmt.where(AuditEntry.action.startswith(action))
    if actor:
        stmt = stmt.where(AuditEntry.actor_label == actor.lower())
    if before_seq:
        stmt = stmt.where(AuditEntry.seq < before_seq)
    entries = db.session.execute(stmt.order_by(AuditEntry.seq.desc()).limit(PAGE_SIZE)).scalars().all()
    return render_template(
        "supervision/audit.html",
        entries=entries,
        action=action,
        actor=actor,
        masked=mask_personal_data,
        older=entries[-1].seq if len(entries) == PAGE_SIZE else None,
    )
