"""Regrade after a key correction: re-score a session's stored responses at one paper position with a corrected
version of the same question, a dry run first (every attempt whose score changes, and totals), then apply.

Applying records a Regrade row (old and new version, reason, the diff), puts the corrected version in force for
this session's later scoring of that position, re-scores the affected attempts and audits it all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from certify.auth.models import User
from certify.bank.models import PaperItem, PaperRecord, QuestionVersion
from certify.core.clock import now_utc
from certify.core.db import db, lock_for_update
from certify.core.errors import Problem, Refused
from certify.exams import marking_ops
from certify.exams import marking_rules as rules
from certify.exams import messages_marking as _messages  # noqa: F401  (registers the codes)
from certify.exams import queries_marking as queries
from certify.exams.marking_rules import RegradeChange, RegradeTotals
from certify.exams.models import AttemptAnswer, ExamAttempt, ExamSession, Regrade
from certify.supervision import audit

APPROVED_STATES = queries.APPROVED_STATES


@dataclass
class RegradePlan:
    """What a regrade does (dry run) or did (applied: `regrade` is set)."""

    session: ExamSession
    paper: PaperRecord
    item: PaperItem
    old_version: QuestionVersion
    new_version: QuestionVersion
    reason: str
    changes: list[RegradeChange]
    totals: RegradeTotals
    digest: str
    regrade: Regrade | None = None


def _item(paper: PaperRecord | None, position: object) -> PaperItem | None:
    if paper is None or not isinstance(position, int):
        return None
    return db.session.get(PaperItem, (paper.id, position))


def _problems(
    session: ExamSession,
    paper: PaperRecord | None,
    item: PaperItem | None,
    old: QuestionVersion | None,
    new_version: QuestionVersion | None,
    position: object,
) -> list[Problem]:
    problems: list[Problem] = []
    if paper is None or paper.id not in {p.id for p in queries.session_papers(session)}:
        problems.append(Problem("marking_regrade_paper_unknown", "item"))
    elif item is None:
        problems.append(Problem("marking_regrade_position_unknown", "item", {"position": position}))
    if new_version is None:
        if item is not None and old is not None and not _has_other_version(item, old):
            problems.append(Problem("marking_regrade_no_other_version", "version", {"question": item.question_id}))
        else:
            problems.append(Problem("marking_regrade_version_required", "version"))
        return problems
    named = {"number": new_version.number, "question": new_version.question_id}
    if new_version.state not in APPROVED_STATES:
        problems.append(Problem("marking_regrade_version_not_approved", "version", named))
    if item is None or old is None:
        return problems
    if new_version.question_id != item.question_id:
        problems.append(Problem("marking_regrade_other_question", "version", {**named, "expected": item.question_id}))
    elif new_version.id == old.id:
        problems.append(Problem("marking_regrade_same_version", "version", named))
    if rules.is_hand_marked(item.type_key) or rules.is_hand_marked(new_version.qtype):
        problems.append(Problem("marking_regrade_hand_marked", "item"))
    return problems


def _has_other_version(item: PaperItem, old: QuestionVersion) -> bool:
    """Whether a reviewer has approved a version of the item's question other than the one in force."""
    stmt = sa.select(QuestionVersion.id).where(
        QuestionVersion.question_id == item.question_id,
        QuestionVersion.state.in_(APPROVED_STATES),
        QuestionVersion.id != old.id,
    )
    return db.session.execute(stmt.limit(1)).first() is not None


def _changes(
    session: ExamSession, paper: PaperRecord, item: PaperItem, new_version: QuestionVersion
) -> tuple[int, list[RegradeChange]]:
    attempts = [a for a in queries.scored_attempts(session.id) if a.paper_id == paper.id]
    if not attempts:
        return 0, []
    answers = {
        a.attempt_id: a
        for a in db.session.execute(
            sa.select(AttemptAnswer).where(
                AttemptAnswer.attempt_id.in_([a.id for a in attempts]), AttemptAnswer.position == item.position
            )
        ).scalars()
    }
    items = queries.paper_items([paper.id])[paper.id]
    maximum = sum((i.points for i in items if i.scored), Decimal(0))
    objective_only = not any(i.scored and rules.is_hand_marked(i.type_key) for i in items)
    question = new_version.to_question()
    policy = queries.scoring_policy_of(paper)
    changes = []
    for attempt in attempts:
        answer = answers.get(attempt.id)
        before = (answer.points if answer is not None else None) or Decimal("0.00")
        after = Decimal("0.00")
        if item.scored and answer is not None:
            after = rules.item_points(question, rules.decode(answer.value), item.points, policy)
        if after == before:
            continue
        objective = attempt.objective_score or Decimal("0.00")
        objective_after = objective - before + after
        changes.append(
            RegradeChange(
                attempt.id, before, after, objective, objective_after,
                attempt.theory_score if objective_only else None,
                rules.theory_score(objective_after, maximum) if objective_only else None,
            )
        )  # fmt: skip
    return len(attempts), changes


def regrade(
    session: ExamSession,
    paper: PaperRecord | None,
    position: int | None,
    new_version: QuestionVersion | None,
    reason: str | None,
    user: User,
    dry_run: bool = True,
    expected_digest: str | None = None,
) -> RegradePlan:
    """Re-score one position of a session's paper with a corrected version: a dry run (nothing written) unless
    `dry_run` is False. Applying with `expected_digest` (from the dry run) refuses if the scores moved since.

    Refused after the score lock, for a version of another question, an unapproved or hand-marked one, the
    version already in force, or without a reason.
    """
    if not dry_run:
        db.session.execute(
            lock_for_update(sa.select(ExamSession).where(ExamSession.id == session.id)).execution_options(
                populate_existing=True
            )
        )
    if session.scores_locked_at is not None:
        raise Refused("marking_scores_locked")
    item = _item(paper, position)
    old = queries.scoring_version(item, queries.corrected_versions(session.id, paper.id)) if item else None
    text, reason_problems = rules.check_reason(reason)
    problems = _problems(session, paper, item, old, new_version, position) + reason_problems
    if problems:
        raise Refused(problems)
    considered, changes = _changes(session, paper, item, new_version)
    plan = RegradePlan(
        session, paper, item, old, new_version, text, changes, rules.regrade_totals(considered, changes),
        rules.regrade_digest(old.id, new_version.id, changes),
    )  # fmt: skip
    if dry_run:
        return plan
    if expected_digest is not None and expected_digest != plan.digest:
        raise Refused("marking_regrade_diff_changed")
    plan.regrade = Regrade(
        session_id=session.id, paper_id=paper.id, position=item.position, old_version_id=old.id,
        new_version_id=new_version.id, reason=text, diff=json.dumps([c.as_dict() for c in changes]),
        applied_at=now_utc(), applied_by_id=user.id,
    )  # fmt: skip
    db.session.add(plan.regrade)
    db.session.flush()
    for change in changes:
        marking_ops.score_objective(db.session.get(ExamAttempt, change.attempt_id))
    totals = plan.totals
    audit.record(
        "marking.regraded",
        object_type="exam_regrade",
        object_id=plan.regrade.id,
        before={"version": old.id, "number": old.number},
        after={
            "session": session.id, "paper": paper.id, "position": item.position, "version": new_version.id,
            "number": new_version.number, "reason": text, "changed": totals.changed, "raised": totals.raised,
            "lowered": totals.lowered, "net": totals.net,
        },
    )  # fmt: skip
    return plan
