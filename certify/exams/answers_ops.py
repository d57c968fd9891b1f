"""Saving the candidate's answers: a batch of journal entries {position, seq, value, flagged}, replayed under the
attempt's row lock with the rules of `certify.exams.saving` (the newest sequence number per question wins,
duplicates and stale entries are acknowledged, nothing after deadline + tolerance or after close).

The lock makes concurrent saves of one attempt (a heartbeat racing a save, two tabs) queue, so the newer answer
is never lost to a read-then-write race; saves of different attempts never wait for each other. Saves write no
audit entry (the audit chain is serialised; a full room saving every few seconds would queue on it).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from certify.core.db import db, lock_for_update
from certify.core.errors import Problem, Refused
from certify.exams import clocks
from certify.exams.messages_take import MAX_SAVES, MAX_SEQ, STATE_LABELS, from_reason
from certify.exams.models import AttemptAnswer, ExamAttempt
from certify.exams.presenting import ShownPaper, ValueProblem, to_canonical
from certify.exams.queries_attempts import is_over, paper_of, stored_answers
from certify.exams.saving import IncomingSave, SavedAnswer, SaveOutcome, replay_journal
from certify.exams.timing import deadline

_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
_ENTRY_FIELDS = {"position", "seq", "value", "flagged"}


class BadPayload(Refused):
    """The request itself is wrong (a field's type, an unknown question, a value that fits no answer)."""


def check_client_token(token: Any, field: str = "client_token") -> str:
    """The page's identifier as sent, or BadPayload naming the field."""
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        raise BadPayload([Problem("exam_client_token_invalid", field, {"field": field})])
    return token


@dataclass(frozen=True)
class Entry:
    """One journal entry, checked: the value already in the version's option ids."""

    position: int
    seq: int
    value: Any
    flagged: bool


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _entry(raw: Any, index: int, paper: ShownPaper) -> tuple[Entry | None, list[Problem]]:
    where = f"saves[{index}]"
    if not isinstance(raw, dict):
        return None, [Problem("exam_api_not_object", where, {"field": where})]
    unknown = [f"{where}.{str(k)[:40]}" for k in sorted(set(raw) - _ENTRY_FIELDS)]
    problems = [Problem("exam_api_field_unknown", name, {"field": name}) for name in unknown]
    for key in ("position", "seq"):
        name = f"{where}.{key}"
        if key not in raw:
            problems.append(Problem("exam_api_field_required", name, {"field": name}))
        elif not _whole(raw[key]):
            problems.append(Problem("exam_api_not_integer", name, {"field": name}))
        elif key == "seq" and not 1 <= raw[key] <= MAX_SEQ:
            problems.append(Problem("exam_api_out_of_range", name, {"field": name, "low": 1, "high": MAX_SEQ}))
    flagged = raw.get("flagged", False)
    if not isinstance(flagged, bool):
        problems.append(Problem("exam_api_not_boolean", f"{where}.flagged", {"field": f"{where}.flagged"}))
    position = raw.get("position")
    question = paper.by_position.get(position) if _whole(position) else None
    if _whole(position) and question is None:
        name = f"{where}.position"
        problems.append(Problem("exam_api_unknown_position", name, {"field": name, "position": position}))
    value = None
    if question is not None:
        try:
            value = to_canonical(question, raw.get("value"))
        except ValueProblem as bad:
            name = f"{where}.value"
            problems.append(Problem(bad.code, name, {"field": name, **bad.params}))
    if problems:
        return None, problems
    return Entry(position, raw["seq"], value, flagged), []


def parse_saves(saves: Any, paper: ShownPaper) -> list[Entry]:
    """Check every entry of a save request against the paper; BadPayload lists every problem at once."""
    if not isinstance(saves, list):
        raise BadPayload([Problem("exam_api_not_list", "saves", {"field": "saves"})])
    if len(saves) > MAX_SAVES:
        raise BadPayload(
            [Problem("exam_api_too_many", "saves", {"field": "saves", "max": MAX_SAVES, "count": len(saves)})]
        )
    entries, problems = [], []
    for index, raw in enumerate(saves):
        entry, found = _entry(raw, index, paper)
        problems += found
        if entry is not None:
            entries.append(entry)
    if problems:
        raise BadPayload(problems)
    return entries


@dataclass(frozen=True)
class EntryDecision:
    """What the server did with one entry: accepted (drop it from the journal) or refused, and why."""

    position: int
    seq: int
    accepted: bool
    outcome: SaveOutcome
    kept_seq: int | None  #: the sequence number the server holds for the question afterwards
    code: str
    problem: Problem | None = None  #: why, when there is something to say (duplicate, stale, refused)

    @property
    def message(self) -> str | None:
        """The reason in the user's language (rendered when shown, so operations run outside requests too)."""
        return None if self.problem is None else self.problem.message()


@dataclass(frozen=True)
class SaveResult:
    """Every entry's decision, and the problems that refused the whole batch (none when saves were taken)."""

    decisions: tuple[EntryDecision, ...]
    problems: tuple[Problem, ...] = ()

    @property
    def accepted(self) -> bool:
        return not self.problems


def lock_attempt(attempt: ExamAttempt) -> ExamAttempt:
    """Lock the attempt's row and reload it, so checks see what other writers committed."""
    db.session.execute(lock_for_update(sa.select(ExamAttempt.id).where(ExamAttempt.id == attempt.id)))
    db.session.expire(attempt)
    return attempt


def _refused(entries: list[Entry], problems: list[Problem]) -> SaveResult:
    decisions = tuple(
        EntryDecision(e.position, e.seq, False, SaveOutcome.REFUSED, None, problems[0].code, problems[0])
        for e in entries
    )
    return SaveResult(decisions, tuple(problems))


def save_answers(attempt: ExamAttempt, client_token: Any, saves: Any, now: datetime) -> SaveResult:
    """Replay a batch of journal entries (an empty batch is a heartbeat); BadPayload for a malformed batch."""
    token = check_client_token(client_token)
    paper = paper_of(attempt)
    if paper is None:
        raise Refused("exam_no_paper")
    entries = parse_saves(saves, paper)
    lock_attempt(attempt)
    if attempt.client_token is not None and attempt.client_token != token:
        return _refused(entries, [Problem("exam_page_taken_over", "client_token")])
    if attempt.started_at is None:
        return _refused(entries, [Problem("exam_not_started", None)])
    if is_over(attempt, now):
        clocks.close_if_over(attempt, now, "save")
    if attempt.closed:
        return _refused(entries, [Problem("exam_attempt_closed", None, {"state": STATE_LABELS[attempt.state]})])
    attempt.client_seen_at = now
    timing = clocks.timing_for(attempt)
    rows = stored_answers(attempt.id)
    current = {str(p): SavedAnswer(r.seq, (json.loads(r.value), r.flagged), r.saved_at) for p, r in rows.items()}
    replay = replay_journal(
        current,
        [IncomingSave(str(e.position), e.seq, (e.value, e.flagged)) for e in entries],
        now,
        deadline(timing, now),
        attempt.state,
        timing.policy.save_tolerance,
        frozenset(str(p) for p in paper.positions),
    )
    stored = False
    for key, answer in replay.answers.items():
        before = current.get(key)
        if before is not None and before.seq == answer.seq:
            continue
        value, flagged = answer.value
        row = rows.get(int(key))
        if row is None:
            row = AttemptAnswer(attempt_id=attempt.id, position=int(key))
            db.session.add(row)
        row.seq, row.value, row.flagged, row.saved_at = answer.seq, json.dumps(value, ensure_ascii=False), flagged, now
        stored = True
    if stored:
        attempt.last_saved_at = now
    db.session.flush()
    decisions, problems = [], []
    for entry, decision in zip(entries, replay.decisions, strict=True):
        kept = decision.kept_newest.seq if decision.kept_newest else None
        why = from_reason(decision.reasons[0]) if decision.reasons else None
        decisions.append(
            EntryDecision(entry.position, entry.seq, decision.accepted, decision.outcome, kept, decision.code, why)
        )
        if not decision.accepted and decision.reasons and decision.reasons[0].code not in {p.code for p in problems}:
            problems.append(from_reason(decision.reasons[0]))
    return SaveResult(tuple(decisions), tuple(problems))
