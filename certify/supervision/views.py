"""The audit log page for body staff."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template, request
from flask_login import current_user

from certify.auth.models import Role, User
from certify.core.access import roles_required
from certify.core.db import db
from certify.supervision.models import AuditEntry

bp = Blueprint("supervision", __name__)

PAGE_SIZE = 100


@bp.get("/audit")
@roles_required(Role.ADMIN, Role.SUPERVISOR)
def audit_log():
    action = request.args.get("action", "").strip()[:80]
    actor = request.args.get("actor", "").strip()[:64]
    before_seq = request.args.get("before", type=int)
    body_users = sa.select(User.id).where(User.body_id == current_user.body_id)
    stmt = sa.select(AuditEntry).where(sa.or_(AuditEntry.actor_id.in_(body_users), AuditEntry.actor_id.is_(None)))
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
        older=entries[-1].seq if len(entries) == PAGE_SIZE else None,
    )
