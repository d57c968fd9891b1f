"""Reads of the candidate's exam page: their attempts, saved answers, and the state the page shows at `now`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from certify.bank.models import (
    AssemblyRun,
    BlueprintRecord,
    PaperItem,
    PaperRecord,
    QuestionAsset,
    QuestionVersionAsset,
)
from certify.core.db import db
from certify.exams import clocks
from certify.exams.models import AttemptAnswer, ExamAttempt, ExamSession, PauseKind, SessionRoom
from certify.exams.presenting import ShownPaper, is_answered, shown_paper, to_display
from certify.exams.saving import ExpiryKind, expiry_outcome
from certify.exams.timing import AttemptPhase, StartDecision, can_start, deadline, remaining, state


def candidate_attempts(person_id: int) -> list[ExamAttempt]:
    """The person's exam seats, the newest session first."""
    return list(
        db.session.execute(
            sa.select(ExamAttempt)
            .join(ExamSession, ExamSession.id == ExamAttempt.session_id)
            .where(ExamAttempt.candidate_person_id == person_id)
            .options(
                selectinload(ExamAttempt.session).selectinload(ExamSession.occupation),
                selectinload(ExamAttempt.session_room).selectinload(SessionRoom.room),
                selectinload(ExamAttempt.pauses),
                selectinload(ExamAttempt.added_time),
            )
            .order_by(ExamSession.opens_at.desc(), ExamAttempt.id)
        ).scalars()
    )


def stored_answers(attempt_id: int) -> dict[int, AttemptAnswer]:
    """The attempt's saved answers by paper position."""
    rows = db.session.execute(sa.select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id)).scalars()
    return {row.position: row for row in rows}


def paper_of(attempt: ExamAttempt) -> ShownPaper | None:
    """The candidate's personalised paper, or None when none was generated for them."""
    if attempt.paper_id is None or attempt.candidate_seed is None:
        return None
    # one round trip for the items and their pinned versions (a paper has up to a hundred questions)
    paper = db.session.execute(
        sa.select(PaperRecord)
        .where(PaperRecord.id == attempt.paper_id)
        .options(
            selectinload(PaperRecord.items).joinedload(PaperItem.version),
            joinedload(PaperRecord.run).joinedload(AssemblyRun.blueprint).joinedload(BlueprintRecord.occupation),
        )
    ).scalar_one()
    return shown_paper(paper, attempt.candidate_seed)


def start_authorised(attempt: ExamAttempt) -> bool:
    """Start was authorised for the candidate's seat or for their whole room."""
    return attempt.start_authorised_at is not None or attempt.session_room.start_authorised_at is not None


def is_over(attempt: ExamAttempt, now: datetime) -> bool:
    """An open attempt whose time is over for good (reading it should close it under its expiry policy)."""
    if attempt.closed or attempt.started_at is None:
        return False
    outcome = expiry_outcome(clocks.timing_for(attempt), now)
    return outcome.final and outcome.kind in (ExpiryKind.AUTO_SUBMITTED, ExpiryKind.ABANDONED)


@dataclass(frozen=True)
class PageState:
    """Where the attempt stands at `now`, as the exam page and its JSON API show it."""

    attempt: ExamAttempt
    phase: AttemptPhase
    remaining: timedelta
    deadline: datetime | None
    saves_close_at: datetime | None
    pause_kind: PauseKind | None
    start: StartDecision
    now: datetime

    @property
    def paused(self) -> bool:
        return self.phase is AttemptPhase.PAUSED

    @property
    def answering(self) -> bool:
        """The candidate may change answers now (running; late saves are the page's, not the candidate's)."""
        return self.phase is AttemptPhase.RUNNING and not self.attempt.closed


def page_state(attempt: ExamAttempt, now: datetime) -> PageState:
    """The attempt's phase, clock and start decision at `now`."""
    timing = clocks.timing_for(attempt)
    end = deadline(timing, now)
    kind = next((p.kind for p in timing.pauses if p.start <= now and (p.end is None or now < p.end)), None)
    closes = None if end is None else end + timing.policy.save_tolerance
    phase = state(timing, now)
    if attempt.closed and phase not in (AttemptPhase.SUBMITTED, AttemptPhase.TERMINATED):
        # an auto-submitted or abandoned attempt reads as over even when its timestamps alone would not say so
        phase = AttemptPhase.EXPIRED if attempt.submitted_at is None else AttemptPhase.SUBMITTED
    return PageState(attempt, phase, remaining(timing, now), end, closes, kind, can_start(timing, now), now)


def answers_shown(paper: ShownPaper, answers: dict[int, AttemptAnswer]) -> dict[int, dict]:
    """Each saved answer as the page shows it: sequence number, value in display labels, flag."""
    shown = {}
    for position, row in answers.items():
        question = paper.by_position.get(position)
        if question is None:
            continue
        value = to_display(question, json.loads(row.value))
        shown[position] = {"seq": row.seq, "value": value, "flagged": row.flagged, "answered": is_answered(value)}
    return shown


#: image types the exam page serves (never a type a browser would run as a page or script)
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp"})


def paper_images(attempt: ExamAttempt) -> dict[int, dict[str, int]]:
    """The images of the attempt's paper: version id → {image name in the content → asset id}."""
    rows = db.session.execute(
        sa.select(QuestionVersionAsset.version_id, QuestionVersionAsset.name, QuestionVersionAsset.asset_id)
        .join(PaperItem, PaperItem.version_id == QuestionVersionAsset.version_id)
        .where(PaperItem.paper_id == attempt.paper_id)
    ).all()
    images: dict[int, dict[str, int]] = {}
    for version_id, name, asset_id in rows:
        images.setdefault(version_id, {})[name] = asset_id
    return images


def paper_image(attempt: ExamAttempt, asset_id: int) -> QuestionAsset | None:
    """An image of a question on the attempt's paper (None for any other asset or a type not shown)."""
    found = db.session.execute(
        sa.select(QuestionAsset)
        .join(QuestionVersionAsset, QuestionVersionAsset.asset_id == QuestionAsset.id)
        .join(PaperItem, PaperItem.version_id == QuestionVersionAsset.version_id)
        .where(PaperItem.paper_id == attempt.paper_id, QuestionAsset.id == asset_id)
        .limit(1)
    ).scalar()
    return found if found is not None and found.media_type in IMAGE_TYPES else None
