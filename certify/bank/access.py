"""Who may see a bank's content: a bank role, a signed pledge, and the recusal engine's leave — every time, audited.

Structure (element tables, blueprints, feasibility, paper summaries by item number) is for the body's bank staff;
content (stems, options, keys, marking schemes, assets, exports) additionally needs `require_content`, which
records a recusal check and an audit entry on every call, allowed or not.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from certify.auth.models import Role, User
from certify.core.clock import now_utc
from certify.core.db import db
from certify.core.errors import Refused
from certify.institutions.models import BodyOccupation, Occupation
from certify.recusal import operations as recusal
from certify.recusal.models import RecusalCheck
from certify.recusal.policy import Role as RecusalRole
from certify.supervision import audit

from . import messages as _messages  # noqa: F401  (registers the codes)
from .models import BankPledge

#: roles that work with question content (命题 / 审题)
CONTENT_ROLES = (Role.AUTHOR, Role.REVIEWER)
#: roles that manage the bank's structure: element tables, blueprints, assembly, statistics
STRUCTURE_ROLES = (Role.ADMIN, Role.AUTHOR, Role.REVIEWER)
#: roles that may approve, return, promote and retire versions and resolve review-queue entries
REVIEW_ROLES = (Role.REVIEWER,)
#: the pledge text's version: a new text would need new signatures
PLEDGE_VERSION = 1


class PledgeMissing(Refused):
    """The user has not signed the confidentiality pledge for this occupation's bank."""

    def __init__(self, occupation: Occupation):
        self.occupation = occupation
        super().__init__("bank_pledge_missing", field=None, occupation=occupation.code)


def body_occupations(body_id: int) -> list[Occupation]:
    """The occupations a body is filed for (the banks it may hold), by code."""
    return list(
        db.session.execute(
            sa.select(Occupation)
            .join(BodyOccupation, BodyOccupation.occupation_id == Occupation.id)
            .where(BodyOccupation.body_id == body_id)
            .order_by(Occupation.code)
        )
        .scalars()
        .unique()
    )


def pledge_of(user: User, occupation: Occupation) -> BankPledge | None:
    """The user's signed pledge for the occupation's bank, if any."""
    return db.session.execute(
        sa.select(BankPledge).where(BankPledge.user_id == user.id, BankPledge.occupation_id == occupation.id)
    ).scalar_one_or_none()


def sign_pledge(user: User, occupation: Occupation, signed_name: str, ip: str | None) -> BankPledge:
    """Record the user's confidentiality pledge for an occupation's bank (the typed name must be their own)."""
    name = (signed_name or "").strip()
    if not user.has_role(*CONTENT_ROLES):
        raise Refused("bank_role_missing")
    if name != (user.display_name or "").strip():
        raise Refused("bank_pledge_name", field="signed_name", expected=user.display_name)
    existing = pledge_of(user, occupation)
    if existing is not None:
        return existing
    pledge = BankPledge(user_id=user.id, occupation_id=occupation.id, signed_name=name, signed_at=now_utc(), ip=ip)
    db.session.add(pledge)
    db.session.flush()
    audit.record(
        "bank.pledge_signed",
        object_type="occupation",
        object_id=occupation.code,
        after={"user": user.username, "version": PLEDGE_VERSION},
    )
    return pledge


def require_content(
    user: User,
    occupation: Occupation,
    action: str,
    *,
    object_type: str,
    object_id: Any,
    details: dict[str, Any] | None = None,
) -> RecusalCheck:
    """Refuse unless `user` may see `occupation`'s bank content now; audit the access as `bank.<action>`.

    Raises Refused("bank_role_missing"/"bank_person_missing"), PledgeMissing or recusal's RecusalBlocked (whose
    check and audit entry are flushed: commit them so the blocked attempt stays on record).
    """
    if not user.has_role(*CONTENT_ROLES):
        raise Refused("bank_role_missing")
    if user.person_id is None:
        raise Refused("bank_person_missing")
    if pledge_of(user, occupation) is None:
        raise PledgeMissing(occupation)
    check = recusal.require(
        user.person_id,
        RecusalRole.BANK_ACCESS,
        occupation=occupation.code,
        context=(object_type, int(object_id) if str(object_id).isdigit() else 0),
    )
    audit.record(
        f"bank.{action}",
        object_type=object_type,
        object_id=object_id,
        after={"occupation": occupation.code, "recusal_check": check.id, **(details or {})},
    )
    return check


def watermark(user: User, audit_seq: int | None = None) -> str:
    """The who/when line stamped into every export of content."""
    stamp = now_utc().strftime("%Y-%m-%d %H:%M UTC")
    suffix = f" · audit #{audit_seq}" if audit_seq is not None else ""
    return f"CONFIDENTIAL 保密 · {user.display_name} ({user.username}) · {stamp}{suffix}"
