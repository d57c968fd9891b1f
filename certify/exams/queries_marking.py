"""Read side of marking: the items and versions that score a paper, the hand-marking board of a session (every
hand-marked answer with its current marks and status), markers, script codes, results and regrade history."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased, selectinload

from certify.auth.models import Role, User, UserRole
from certify.bank.models import PaperItem, PaperRecord, QuestionVersion, VersionState
from certify.core.db import db
from certify.exams import marking_rules as rules
from certify.exams.marking_rules import AnswerStatus, Outcome
from certify.exams.models import (
    AttemptAnswer,
    AttemptState,
    ExamAttempt,
    ExamSession,
    HandMark,
    MarkerRole,
    Regrade,
    SessionMarker,
    SessionRoom,
)
from question_bank.types import ScoringPolicy

#: attempts that were handed in and therefore get a score (absent, abandoned and terminated ones do not)
SCORED_STATES = (AttemptState.SUBMITTED, AttemptState.AUTO_SUBMITTED)
#: hand-marked answers need at least this many independent markers
MIN_MARKERS = 2
#: versions a reviewer approved at some point (retired ones only ever come from a live state): they may score
APPROVED_STATES = frozenset({VersionState.ACTIVE, VersionState.PRETEST, VersionState.RETIRED})


def paper_items(paper_ids: Iterable[int]) -> dict[int, list[PaperItem]]:
    """The items of each paper in position order, with their pinned versions."""
    ids = sorted(set(paper_ids))
    out: dict[int, list[PaperItem]] = {paper_id: [] for paper_id in ids}
    if not ids:
        return out
    rows = db.session.execute(
        sa.select(PaperItem)
        .where(PaperItem.paper_id.in_(ids))
        .options(selectinload(PaperItem.version))
        .order_by(PaperItem.paper_id, PaperItem.position)
    ).scalars()
    for item in rows:
        out[item.paper_id].append(item)
    return out


def corrected_versions(session_id: int, paper_id: int) -> dict[int, QuestionVersion]:
    """Position → the version a regrade put in force for this session's sittings of the paper (the newest)."""
    rows = db.session.execute(
        sa.select(Regrade.position, QuestionVersion)
        .join(QuestionVersion, Regrade.new_version_id == QuestionVersion.id)
        .where(Regrade.session_id == session_id, Regrade.paper_id == paper_id)
        .order_by(Regrade.id)
    ).all()
    return dict(rows)


def scoring_version(item: PaperItem, corrected: dict[int, QuestionVersion]) -> QuestionVersion:
    """The version that scores an item: the regrade's correction if any, else the pinned one."""
    return corrected.get(item.position) or item.version


def scoring_policy_of(paper: PaperRecord) -> ScoringPolicy:
    """The credit rule of the blueprint the paper was assembled from (as it was at assembly)."""
    try:
        spec = json.loads(paper.run.spec or "{}")
    except ValueError:
        spec = {}
    return rules.scoring_policy(spec)


def session_papers(session: ExamSession) -> list[PaperRecord]:
    """The forms this session's candidates sit (its assembly run's papers and any an attempt points at)."""
    used = sa.select(ExamAttempt.paper_id).where(ExamAttempt.session_id == session.id)
    condition = PaperRecord.id.in_(used)
    if session.run_id is not None:
        condition = sa.or_(condition, PaperRecord.run_id == session.run_id)
    return list(db.session.execute(sa.select(PaperRecord).where(condition).order_by(PaperRecord.form)).scalars())


def markers(session_id: int) -> list[SessionMarker]:
    """The session's markers and adjudicator, in assignment order."""
    stmt = (
        sa.select(SessionMarker)
        .where(SessionMarker.session_id == session_id)
        .options(selectinload(SessionMarker.person))
        .order_by(SessionMarker.id)
    )
    return list(db.session.execute(stmt).scalars())


def marker_of(session_id: int, person_id: int | None) -> SessionMarker | None:
    """The person's assignment to mark the session, if any."""
    if person_id is None:
        return None
    stmt = sa.select(SessionMarker).where(SessionMarker.session_id == session_id, SessionMarker.person_id == person_id)
    return db.session.execute(stmt).scalar_one_or_none()


def script_code(attempt_id: int) -> str:
    """The blind code markers see for an attempt (keyed by the application's secret)."""
    return rules.script_code(current_app.secret_key or "", attempt_id)


def scored_attempts(session_id: int) -> list[ExamAttempt]:
    """The session's handed-in attempts, in id order."""
    stmt = (
        sa.select(ExamAttempt)
        .where(ExamAttempt.session_id == session_id, ExamAttempt.state.in_(SCORED_STATES))
        .order_by(ExamAttempt.id)
    )
    return list(db.session.execute(stmt).scalars())


@dataclass
class HandAnswer:
    """One hand-marked answer of a handed-in attempt, its current marks and where it stands."""

    attempt: ExamAttempt
    item: PaperItem
    code: str
    text: str
    marks: dict[int, HandMark]  #: marker person → their current mark
    adjudication: HandMark | None
    outcome: Outcome

    @property
    def status(self) -> AnswerStatus:
        return self.outcome.status


@dataclass
class Board:
    """Every hand-marked answer of a session with its marks, for queues, signatures, progress and the lock."""

    session: ExamSession
    markers: list[SessionMarker]
    answers: list[HandAnswer] = field(default_factory=list)

    @property
    def marker_ids(self) -> list[int]:
        return [m.person_id for m in self.markers if m.role is MarkerRole.MARKER]

    def queue(self, marker: SessionMarker) -> list[HandAnswer]:
        """A marker's answers (every written one), or the adjudicator's (the diverging ones), by script code."""
        if marker.role is MarkerRole.MARKER:
            chosen = [a for a in self.answers if a.status is not AnswerStatus.BLANK]
        else:
            adjudicating = (AnswerStatus.AWAITING_ADJUDICATION, AnswerStatus.ADJUDICATED)
            chosen = [a for a in self.answers if a.status in adjudicating]
        return sorted(chosen, key=lambda a: (a.code, a.item.position))

    def outstanding(self, marker: SessionMarker) -> list[HandAnswer]:
        """The answers still waiting for this marker."""
        if marker.role is MarkerRole.MARKER:
            return [a for a in self.queue(marker) if marker.person_id not in a.marks]
        return [a for a in self.answers if a.status is AnswerStatus.AWAITING_ADJUDICATION]

    def not_final(self) -> list[HandAnswer]:
        return [a for a in self.answers if not a.status.final]

    def of_attempt(self, attempt_id: int) -> list[HandAnswer]:
        return [a for a in self.answers if a.attempt.id == attempt_id]

    def hand_total(self, attempt_id: int) -> Decimal:
        """The sum of the final marks known so far of an attempt's hand-marked answers."""
        return sum((a.outcome.final or Decimal(0) for a in self.of_attempt(attempt_id)), Decimal("0.00"))

    def find(self, code: str, position: int) -> HandAnswer | None:
        return next((a for a in self.answers if a.code == code and a.item.position == position), None)


def _hand_items(items: dict[int, list[PaperItem]]) -> dict[int, list[PaperItem]]:
    return {pid: [i for i in rows if i.scored and rules.is_hand_marked(i.type_key)] for pid, rows in items.items()}


def board(session: ExamSession) -> Board:
    """The hand-marking board of a session (answers of handed-in attempts to hand-marked scored items)."""
    result = Board(session, markers(session.id))
    attempts = scored_attempts(session.id)
    hand = _hand_items(paper_items(a.paper_id for a in attempts if a.paper_id is not None))
    wanted = {a.id: hand.get(a.paper_id, []) for a in attempts}
    ids = [a.id for a in attempts if wanted[a.id]]
    if not ids:
        return result
    values = {
        (row.attempt_id, row.position): row.value
        for row in db.session.execute(sa.select(AttemptAnswer).where(AttemptAnswer.attempt_id.in_(ids))).scalars()
    }
    current: dict[tuple[int, int], list[HandMark]] = {}
    for mark in db.session.execute(
        sa.select(HandMark)
        .where(HandMark.attempt_id.in_(ids), HandMark.superseded_by_id.is_(None))
        .order_by(HandMark.id)
    ).scalars():
        current.setdefault((mark.attempt_id, mark.position), []).append(mark)
    marker_ids = result.marker_ids
    threshold = Decimal(session.marking_threshold)
    for attempt in attempts:
        code = script_code(attempt.id)
        for item in wanted[attempt.id]:
            key = (attempt.id, item.position)
            text = rules.response_text(rules.decode(values.get(key)))
            marks = {m.marker_person_id: m for m in current.get(key, []) if m.role is MarkerRole.MARKER}
            adjudication = next((m for m in current.get(key, []) if m.role is MarkerRole.ADJUDICATOR), None)
            given = [marks[p].points if p in marks else None for p in marker_ids]
            outcome = rules.reconcile(given, adjudication.points if adjudication else None, threshold, blank=not text)
            result.answers.append(HandAnswer(attempt, item, code, text, marks, adjudication, outcome))
    return result


def own_history(attempt_id: int, position: int, person_id: int) -> list[HandMark]:
    """Every mark (corrections included) one marker gave one answer, oldest first."""
    stmt = (
        sa.select(HandMark)
        .where(HandMark.attempt_id == attempt_id, HandMark.position == position, HandMark.marker_person_id == person_id)
        .order_by(HandMark.id)
    )
    return list(db.session.execute(stmt).scalars())


def attempts_for_results(session_id: int) -> list[ExamAttempt]:
    """Every attempt of the session with its candidate and room, by room and seat."""
    stmt = (
        sa.select(ExamAttempt)
        .join(SessionRoom, ExamAttempt.session_room_id == SessionRoom.id)
        .where(ExamAttempt.session_id == session_id)
        .options(
            selectinload(ExamAttempt.candidate),
            selectinload(ExamAttempt.session_room).selectinload(SessionRoom.room),
            selectinload(ExamAttempt.paper),
        )
        .order_by(SessionRoom.id, ExamAttempt.seat)
    )
    return list(db.session.execute(stmt).scalars())


def regrades(session_id: int) -> list[tuple[Regrade, QuestionVersion, QuestionVersion, list[dict]]]:
    """The session's regrades, oldest first, with both versions and the stored differences."""
    old, new = aliased(QuestionVersion), aliased(QuestionVersion)
    rows = db.session.execute(
        sa.select(Regrade, old, new)
        .join(old, Regrade.old_version_id == old.id)
        .join(new, Regrade.new_version_id == new.id)
        .where(Regrade.session_id == session_id)
        .order_by(Regrade.id)
    ).all()
    return [(regrade, before, after, json.loads(regrade.diff or "[]")) for regrade, before, after in rows]


def has_hand_items(session: ExamSession) -> bool:
    """Whether any paper of the session has a scored hand-marked (written) question."""
    items = paper_items(p.id for p in session_papers(session))
    return any(i.scored and rules.is_hand_marked(i.type_key) for rows in items.values() for i in rows)


@dataclass
class RegradeOption:
    """One objective position of a session's paper: the version scoring it and the other approved versions of
    its question that could correct it (empty until a reviewer approves a new version)."""

    paper: PaperRecord
    item: PaperItem
    in_force: QuestionVersion
    others: list[QuestionVersion]


def regrade_options(session: ExamSession) -> list[RegradeOption]:
    """The objective positions of the session's papers, each with its own candidate corrected versions."""
    papers = session_papers(session)
    items = paper_items(p.id for p in papers)
    positions = []
    for paper in papers:
        corrected = corrected_versions(session.id, paper.id)
        positions += [
            (paper, item, scoring_version(item, corrected))
            for item in items[paper.id]
            if not rules.is_hand_marked(item.type_key)
        ]
    questions = sorted({item.question_id for _paper, item, _version in positions})
    by_question: dict[int, list[QuestionVersion]] = {}
    for version in db.session.execute(
        sa.select(QuestionVersion)
        .where(QuestionVersion.question_id.in_(questions), QuestionVersion.state.in_(APPROVED_STATES))
        .order_by(QuestionVersion.question_id, QuestionVersion.number)
    ).scalars():
        by_question.setdefault(version.question_id, []).append(version)
    return [
        RegradeOption(paper, item, in_force, [v for v in by_question.get(item.question_id, []) if v.id != in_force.id])
        for paper, item, in_force in positions
    ]


def eligible_markers(body_id: int) -> list[User]:
    """Active staff accounts of the body who may mark (assessors and senior assessors), by name."""
    stmt = (
        sa.select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(
            User.body_id == body_id,
            User.active.is_(True),
            User.person_id.is_not(None),
            UserRole.role.in_((Role.ASSESSOR, Role.SENIOR_ASSESSOR)),
        )
        .distinct()
        .order_by(User.display_name, User.id)
    )
    return list(db.session.execute(stmt).scalars())


def sessions_for(user: User) -> tuple[list[ExamSession], list[tuple[ExamSession, SessionMarker]]]:
    """The sessions the user reads as staff (administrator, supervisor) and the ones they mark."""
    staff: list[ExamSession] = []
    if user.body_id is not None and user.has_role(Role.ADMIN, Role.SUPERVISOR):
        staff = list(
            db.session.execute(
                sa.select(ExamSession)
                .where(ExamSession.body_id == user.body_id)
                .order_by(ExamSession.opens_at.desc(), ExamSession.id.desc())
                .limit(200)
            ).scalars()
        )
    marking: list[tuple[ExamSession, SessionMarker]] = []
    if user.person_id is not None and user.has_role(Role.ASSESSOR, Role.SENIOR_ASSESSOR):
        marking = [
            (session, marker)
            for session, marker in db.session.execute(
                sa.select(ExamSession, SessionMarker)
                .join(SessionMarker, SessionMarker.session_id == ExamSession.id)
                .where(SessionMarker.person_id == user.person_id, ExamSession.body_id == user.body_id)
                .order_by(ExamSession.opens_at.desc(), ExamSession.id.desc())
            ).all()
        ]
    return staff, marking
