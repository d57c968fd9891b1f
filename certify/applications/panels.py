"""Expert panels (≥ 3 members, odd) voting on an exceptional-route application, a recognition or an appointment.

Each member's vote is allowed by the recusal engine (review-panel role, on the person concerned) and records the
check it relied on. A decision needs a full panel of an odd size ≥ 3 that voted, and a majority of the panel.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from certify.applications.models import PanelVote
from certify.core.clock import now_utc
from certify.core.db import db
from certify.core.errors import Problem, Refused
from certify.recusal import operations as recusal
from certify.recusal.policy import Role
from certify.supervision import audit

MIN_PANEL = 3
SUBJECTS = frozenset({"application", "recognition", "appointment"})


@dataclass(frozen=True)
class Tally:
    """The votes cast on one subject and what they decide."""

    members: int
    approvals: int
    rejections: int

    @property
    def valid_panel(self) -> bool:
        return self.members >= MIN_PANEL and self.members % 2 == 1

    @property
    def decided(self) -> bool | None:
        """True (approved) / False (rejected) once a valid panel has a majority; None while undecided."""
        if not self.valid_panel:
            return None
        majority = self.members // 2 + 1
        if self.approvals >= majority:
            return True
        if self.rejections >= majority:
            return False
        return None


def vote(
    subject_type: str, subject_id: int, member_person_id: int, approve: bool, *, concerning: int, comment: str = ""
) -> PanelVote:
    """Record a panel member's vote on a subject concerning a person (recusal checked, audited)."""
    if subject_type not in SUBJECTS:
        raise ValueError(f"unknown panel subject {subject_type!r}")
    if not approve and not comment.strip():
        raise Refused([Problem("panel_reason_required", "comment")])
    already = db.session.execute(
        sa.select(PanelVote.id).where(
            PanelVote.subject_type == subject_type,
            PanelVote.subject_id == subject_id,
            PanelVote.member_person_id == member_person_id,
        )
    ).first()
    if already:
        raise Refused([Problem("panel_already_voted", None)])
    check = recusal.require(
        member_person_id, Role.REVIEW_PANEL, candidate=concerning, context=(subject_type, subject_id)
    )
    row = PanelVote(
        subject_type=subject_type,
        subject_id=subject_id,
        member_person_id=member_person_id,
        approve=approve,
        comment=comment.strip() or None,
        check_id=check.id,
        at=now_utc(),
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        "applications.panel_vote",
        object_type=subject_type,
        object_id=subject_id,
        after={"member": member_person_id, "approve": approve, "check_id": check.id},
        reason=row.comment,
    )
    return row


def tally(subject_type: str, subject_id: int) -> Tally:
    """Count the votes cast so far."""
    votes = (
        db.session.execute(
            sa.select(PanelVote.approve).where(
                PanelVote.subject_type == subject_type, PanelVote.subject_id == subject_id
            )
        )
        .scalars()
        .all()
    )
    return Tally(len(votes), sum(1 for v in votes if v), sum(1 for v in votes if not v))


def votes_of(subject_type: str, subject_id: int) -> list[PanelVote]:
    return list(
        db.session.execute(
            sa.select(PanelVote)
            .where(PanelVote.subject_type == subject_type, PanelVote.subject_id == subject_id)
            .order_by(PanelVote.id)
        ).scalars()
    )
