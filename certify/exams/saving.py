"""Answer saving and attempt closing rules (作答保存与交卷), pure.

Saves are idempotent and keyed by a per-question sequence number chosen by the client: the server keeps
the newest (highest ``seq``) answer per question. A duplicate ``seq`` is acknowledged without change, an older
one is acknowledged and ignored (the client may drop both from its journal). Saves are accepted until
deadline + tolerance; later ones, and any save to a closed attempt, are refused with a code and never reopen
the attempt.
Submits follow the expiry policy of ``certify.exams.timing``.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from certify.exams.timing import (
    AttemptPhase,
    ExamTiming,
    ExpiryPolicy,
    Reason,
    TimingPolicy,
    state,
)
from certify.exams.timing import deadline as attempt_deadline

DEFAULT_TOLERANCE = TimingPolicy().save_tolerance


class AttemptState(enum.StrEnum):
    """The stored state of an attempt; every state but IN_PROGRESS is closed for good."""

    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    AUTO_SUBMITTED = "auto_submitted"
    ABANDONED = "abandoned"
    TERMINATED = "terminated"


class SaveOutcome(enum.StrEnum):
    """What a save did: stored, acknowledged without change (duplicate, stale), or refused."""

    STORED = "stored"
    DUPLICATE = "duplicate"
    STALE = "stale"
    REFUSED = "refused"


class ExpiryKind(enum.StrEnum):
    """The outcome an attempt has, or will have, under its expiry policy."""

    OPEN = "open"
    AWAITING_FINALISATION = "awaiting_finalisation"  #: auto-submit pending, late saves still accepted
    AWAITING_SUBMISSION = "awaiting_submission"  #: the candidate may still submit (tolerance or grace)
    SUBMITTED = "submitted"
    AUTO_SUBMITTED = "auto_submitted"
    ABANDONED = "abandoned"
    TERMINATED = "terminated"
    ABSENT = "absent"  #: never started before the window closed


class SavedAnswer(NamedTuple):
    """The answer the server keeps for one question."""

    seq: int
    value: Any
    saved_at: datetime


class IncomingSave(NamedTuple):
    """One save as the client sends it (on change or by heartbeat)."""

    question_id: str
    seq: int
    value: Any


class SaveReason(Reason):
    """Why a save or submit was refused or acknowledged without change."""

    labels = {
        "state": {
            "in_progress": ("in progress", "作答中"),
            "submitted": ("submitted", "已交卷"),
            "auto_submitted": ("submitted automatically", "已自动交卷"),
            "abandoned": ("abandoned", "已作废"),
            "terminated": ("terminated by the invigilator", "已被监考员终止"),
        }
    }

    templates = {
        "duplicate": (
            "Answer {seq} to question {question_id} was already saved.",
            "试题 {question_id} 的第 {seq} 次保存已记录，无需重复保存。",
        ),
        "duplicate_conflict": (
            "Answer {seq} to question {question_id} was already saved with a different value; the saved value is kept.",
            "试题 {question_id} 的第 {seq} 次保存已以不同内容记录，保留已记录的内容。",
        ),
        "stale": (
            "A newer answer ({kept_seq}) to question {question_id} is already saved; answer {seq} was ignored.",
            "试题 {question_id} 已保存更新的答案（第 {kept_seq} 次），第 {seq} 次保存不予采用。",
        ),
        "attempt_closed": (
            "The attempt is closed ({state}); answers can no longer be saved.",
            "本次作答已结束（{state}），不能再保存答案。",
        ),
        "after_deadline": (
            "Time is up: answers were accepted until {closes_at} (deadline {deadline_at}).",
            "作答时间已到：答案保存截止于 {closes_at}（作答截止时间 {deadline_at}）。",
        ),
        "invalid_seq": (
            "The sequence number {seq} of question {question_id} must be a whole number from 1.",
            "试题 {question_id} 的保存序号 {seq} 必须是从 1 开始的整数。",
        ),
        "unknown_question": (
            "Question {question_id} is not part of this paper.",
            "试题 {question_id} 不属于本试卷。",
        ),
        "not_started": ("The attempt has not been started.", "尚未开始作答。"),
        "already_submitted": ("The attempt has already been submitted.", "已交卷。"),
        "attempt_terminated": ("The invigilator terminated the attempt.", "监考员已终止本次作答。"),
        "submit_too_late": (
            "Submission closed at {closes_at}; the attempt can no longer be submitted.",
            "交卷截止时间为 {closes_at}，已不能交卷。",
        ),
    }


@dataclass(frozen=True)
class SaveDecision:
    """The answer to one save: ``accepted`` means acknowledged (the client drops it from its journal)."""

    accepted: bool
    outcome: SaveOutcome
    kept_newest: SavedAnswer | None  #: what the server holds for the question afterwards
    reasons: tuple[SaveReason, ...] = ()
    answers: Mapping[str, SavedAnswer] = field(default_factory=dict)  #: the whole state afterwards

    @property
    def code(self) -> str:
        """The first reason's code, or the outcome when there is no reason."""
        return self.reasons[0].code if self.reasons else self.outcome.value


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def apply_save(
    current: Mapping[str, SavedAnswer | tuple[int, Any, datetime]],
    incoming: IncomingSave | tuple[str, int, Any],
    now: datetime,
    deadline: datetime,
    attempt_state: AttemptState = AttemptState.IN_PROGRESS,
    tolerance: timedelta = DEFAULT_TOLERANCE,
    question_ids: frozenset[str] | None = None,
) -> SaveDecision:
    """Apply one save to the stored answers, returning a new mapping; the input is never mutated."""
    save = IncomingSave(*incoming)
    answers = {qid: SavedAnswer(*answer) for qid, answer in current.items()}
    where = f"answers[{save.question_id}]"
    base = {"question_id": str(save.question_id), "seq": save.seq}
    refusals: list[SaveReason] = []
    if attempt_state is not AttemptState.IN_PROGRESS:
        refusals.append(SaveReason("attempt_closed", {"state": attempt_state.value}, "attempt_state"))
    closes = deadline + tolerance
    if now > closes:
        params = {"closes_at": _iso(closes), "deadline_at": _iso(deadline)}
        refusals.append(SaveReason("after_deadline", params, "deadline"))
    if not isinstance(save.seq, int) or isinstance(save.seq, bool) or save.seq < 1:
        refusals.append(SaveReason("invalid_seq", base, where))
    if question_ids is not None and save.question_id not in question_ids:
        refusals.append(SaveReason("unknown_question", base, where))
    kept = answers.get(save.question_id)
    if refusals:
        return SaveDecision(False, SaveOutcome.REFUSED, kept, tuple(refusals), answers)
    if kept is not None and kept.seq == save.seq:
        code = "duplicate" if kept.value == save.value else "duplicate_conflict"
        return SaveDecision(True, SaveOutcome.DUPLICATE, kept, (SaveReason(code, base, where),), answers)
    if kept is not None and kept.seq > save.seq:
        reason = SaveReason("stale", base | {"kept_seq": kept.seq}, where)
        return SaveDecision(True, SaveOutcome.STALE, kept, (reason,), answers)
    answers[save.question_id] = SavedAnswer(save.seq, save.value, now)
    return SaveDecision(True, SaveOutcome.STORED, answers[save.question_id], (), answers)


@dataclass(frozen=True)
class JournalReplay:
    """The state after replaying a client's journal, and one decision per entry in the order sent.

    Entries apply in sequence order, so an older entry arriving late counts as stored, then superseded.
    """

    answers: Mapping[str, SavedAnswer]
    decisions: tuple[SaveDecision, ...]


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)


def replay_journal(
    current: Mapping[str, SavedAnswer | tuple[int, Any, datetime]],
    saves: Iterable[IncomingSave | tuple[str, int, Any]],
    now: datetime,
    deadline: datetime,
    attempt_state: AttemptState = AttemptState.IN_PROGRESS,
    tolerance: timedelta = DEFAULT_TOLERANCE,
    question_ids: frozenset[str] | None = None,
) -> JournalReplay:
    """Replay saves sent in any order: the final state is the same as for the saves in sequence order."""
    entries = [IncomingSave(*s) for s in saves]
    # Sequence order, with conflicting duplicates ordered by value, makes the result independent of arrival.
    order = sorted(
        range(len(entries)),
        key=lambda i: (str(entries[i].question_id), _seq_key(entries[i].seq), _canonical(entries[i].value)),
    )
    answers: Mapping[str, SavedAnswer] = {qid: SavedAnswer(*a) for qid, a in current.items()}
    decisions: dict[int, SaveDecision] = {}
    for i in order:
        decision = apply_save(answers, entries[i], now, deadline, attempt_state, tolerance, question_ids)
        decisions[i] = decision
        answers = decision.answers
    # Each acknowledgement reports what the server holds once the whole journal is in.
    final = [
        replace(decisions[i], kept_newest=answers.get(entries[i].question_id), answers=answers)
        for i in range(len(entries))
    ]
    return JournalReplay(answers, tuple(final))


def _seq_key(seq: Any) -> tuple[int, Any]:
    return (0, seq) if isinstance(seq, int) and not isinstance(seq, bool) else (1, str(seq))


def submission_closes(timing: ExamTiming, now: datetime) -> datetime | None:
    """The last moment a submit is accepted: deadline + tolerance, or + grace under GRACE when longer."""
    end = attempt_deadline(timing, now)
    if end is None:
        return None
    extra = timing.policy.save_tolerance
    if timing.expiry is ExpiryPolicy.GRACE:
        extra = max(extra, timing.grace)
    return end + extra


@dataclass(frozen=True)
class SubmitDecision:
    """Whether a submit at ``now`` is accepted, with every reason if not; ``recorded_at`` is server time."""

    allowed: bool
    reasons: tuple[SaveReason, ...]
    recorded_at: datetime | None


def can_submit(timing: ExamTiming, now: datetime) -> SubmitDecision:
    """A started, open attempt may be submitted until ``submission_closes``; never twice, never reopened."""
    reasons: list[SaveReason] = []
    if timing.started_at is None or timing.started_at > now:
        reasons.append(SaveReason("not_started", {}, "started_at"))
    if timing.submitted_at is not None:
        reasons.append(SaveReason("already_submitted", {}, "submitted_at"))
    if timing.terminated_at is not None:
        reasons.append(SaveReason("attempt_terminated", {}, "terminated_at"))
    closes = submission_closes(timing, now)
    if closes is not None and now > closes:
        reasons.append(SaveReason("submit_too_late", {"closes_at": _iso(closes)}, "deadline"))
    return SubmitDecision(not reasons, tuple(reasons), None if reasons else now)


@dataclass(frozen=True)
class ExpiryOutcome:
    """How the attempt ends (or will end) as seen at ``now``; ``final`` once nothing can change it."""

    kind: ExpiryKind
    submitted_at: datetime | None  #: the submit time to record (the deadline for an auto-submit)
    final: bool


def expiry_outcome(timing: ExamTiming, now: datetime) -> ExpiryOutcome:
    """Apply the expiry policy: auto-submit at the deadline, wait out the grace period, or abandon."""
    phase = state(timing, now)
    if phase is AttemptPhase.SUBMITTED:
        return ExpiryOutcome(ExpiryKind.SUBMITTED, timing.submitted_at, True)
    if phase is AttemptPhase.TERMINATED:
        return ExpiryOutcome(ExpiryKind.TERMINATED, None, True)
    if phase in (AttemptPhase.WAITING, AttemptPhase.NOT_STARTED, AttemptPhase.RUNNING, AttemptPhase.PAUSED):
        return ExpiryOutcome(ExpiryKind.OPEN, None, False)
    if timing.started_at is None or timing.started_at > now:
        return ExpiryOutcome(ExpiryKind.ABSENT, None, True)
    end = attempt_deadline(timing, now)
    auto = timing.expiry is ExpiryPolicy.AUTO_SUBMIT
    if phase is AttemptPhase.IN_TOLERANCE:
        if auto:
            return ExpiryOutcome(ExpiryKind.AWAITING_FINALISATION, end, False)
        return ExpiryOutcome(ExpiryKind.AWAITING_SUBMISSION, None, False)
    if phase is AttemptPhase.OVERDUE:
        return ExpiryOutcome(ExpiryKind.AWAITING_SUBMISSION, None, False)
    if auto:
        return ExpiryOutcome(ExpiryKind.AUTO_SUBMITTED, end, True)
    return ExpiryOutcome(ExpiryKind.ABANDONED, None, True)
