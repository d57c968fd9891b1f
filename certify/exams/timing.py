"""Theory-exam timing (理论考试计时), pure: deadline, remaining time, attempt phase, start, late start.

Semantics follow Moodle's quiz (time limit capped by the close date, overdue handling) plus pauses:

- allowance = duration × accommodation multiplier + accommodation extra minutes + every added-time entry.
- deadline = min(started_at + allowance + time paused before the deadline, window_closes).
- The window close is absolute, as Moodle's ``timeclose``: pauses, breaks and added time extend the personal
  deadline but never past it. A pause still open when the window closes does not keep the attempt alive; the
  attempt ends at window close and the expiry policy applies. More time beyond the window means extending the
  session's window first (an administrative act, outside these rules).
- Only what is known at ``now`` counts: a pause counts up to ``now`` (so while paused the deadline moves with
  the clock and the remaining time stands still); a pause that begins, or time added, after the attempt had
  already ended is ignored, so an ended attempt is never reopened.
- Saves are accepted until deadline + tolerance (network latency). Expiry (``certify.exams.saving``):
  AUTO_SUBMIT records the deadline as the submit time; GRACE lets the candidate submit (not answer) until
  deadline + grace, then abandons; ABANDON never counts an attempt not submitted in time.

All datetimes are timezone-aware UTC; ``now`` is always an explicit argument.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_CEILING, Decimal
from typing import Any, ClassVar
from zoneinfo import ZoneInfo


def _locale_index(locale: str) -> int:
    return 1 if str(locale).replace("-", "_").lower().startswith("zh") else 0


def _display(key: str, value: Any, tz: str | None = None) -> Any:
    # Times travel as ISO strings in params (JSON); people read them as minutes in their time zone (else UTC).
    if key.endswith("_at") and isinstance(value, str):
        moment = datetime.fromisoformat(value)
        if tz:
            return moment.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")
        return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return value


@dataclass(frozen=True)
class Reason:
    """A stable code, JSON-serialisable params and where it applies; rendered in "en" or "zh_CN"."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)
    where: str | None = None
    templates: ClassVar[dict[str, tuple[str, str]]] = {}
    #: param → code value → (en, zh_CN) label, for params that carry an enum's code
    labels: ClassVar[dict[str, dict[str, tuple[str, str]]]] = {}

    def message(self, locale: str = "en", tz: str | None = None) -> str:
        """The reason rendered from the bilingual template table (times in `tz`, else in UTC)."""
        index = _locale_index(locale)
        shown = {k: _display(k, v, tz) for k, v in self.params.items()}
        shown |= {k: self.labels[k][v][index] for k, v in self.params.items() if v in self.labels.get(k, {})}
        return self.templates[self.code][index].format(**shown)


class ExpiryPolicy(enum.StrEnum):
    """What happens to an attempt still open at its deadline (Moodle's ``overduehandling``)."""

    AUTO_SUBMIT = "auto_submit"
    GRACE = "grace"
    ABANDON = "abandon"


class AttemptPhase(enum.StrEnum):
    """Where an attempt stands at a moment, computed from timestamps."""

    WAITING = "waiting"  #: the window has not opened yet (候考)
    NOT_STARTED = "not_started"  #: the window is open, Start not pressed
    RUNNING = "running"
    PAUSED = "paused"
    IN_TOLERANCE = "in_tolerance"  #: past the deadline, late saves still accepted
    OVERDUE = "overdue"  #: GRACE policy: past tolerance, may submit but not answer
    EXPIRED = "expired"
    SUBMITTED = "submitted"
    TERMINATED = "terminated"


class PauseKind(enum.StrEnum):
    """Why the clock stopped: an invigilator's pause or an accommodation break."""

    INVIGILATOR = "invigilator"
    BREAK = "break"


@dataclass(frozen=True)
class TimingPolicy:
    """Configurable numbers of theory timing, defaults from DOMAIN.md."""

    save_tolerance: timedelta = timedelta(seconds=60)
    min_duration: timedelta = timedelta(minutes=90)


@dataclass(frozen=True)
class Accommodation:
    """An accommodation profile (考试便利): more time, extra minutes, rest breaks with the clock stopped."""

    time_multiplier: Decimal = Decimal(1)
    extra_minutes: int = 0
    breaks: int = 0  #: how many breaks the candidate may take
    break_minutes: int = 0  #: the longest one break may last


@dataclass(frozen=True)
class AddedTime:
    """Time an invigilator added to one attempt, with the reason on record."""

    minutes: int
    reason: str
    added_by: str
    added_at: datetime


@dataclass(frozen=True)
class Pause:
    """An interval in which the clock stood still; ``end`` is None while it lasts."""

    start: datetime
    end: datetime | None = None
    kind: PauseKind = PauseKind.INVIGILATOR
    reason: str = ""


@dataclass(frozen=True)
class ExamTiming:
    """Everything that decides one candidate's clock in one theory sitting."""

    window_opens: datetime
    window_closes: datetime
    duration: timedelta
    accommodation: Accommodation = field(default_factory=Accommodation)
    added_time: tuple[AddedTime, ...] = ()
    pauses: tuple[Pause, ...] = ()
    started_at: datetime | None = None
    submitted_at: datetime | None = None
    terminated_at: datetime | None = None
    expiry: ExpiryPolicy = ExpiryPolicy.AUTO_SUBMIT
    grace: timedelta = timedelta(0)
    policy: TimingPolicy = field(default_factory=TimingPolicy)


class TimingReason(Reason):
    """A reason or notice about timing, with the field it concerns."""

    templates = {
        "naive_datetime": (
            "{field} must be a timezone-aware UTC time.",
            "{field} 必须是带时区的 UTC 时间。",
        ),
        "window_not_after_open": (
            "The window closes ({closes_at}) no later than it opens ({opens_at}).",
            "考试时段结束时间（{closes_at}）必须晚于开始时间（{opens_at}）。",
        ),
        "duration_too_short": (
            "The exam lasts {minutes} minutes; at least {min_minutes} minutes are required.",
            "考试时长为 {minutes} 分钟，不得少于 {min_minutes} 分钟。",
        ),
        "multiplier_below_one": (
            "The time multiplier {multiplier} is below 1; accommodations only add time.",
            "时间倍数 {multiplier} 小于 1；便利措施只能延长时间。",
        ),
        "negative_minutes": (
            "{field} must not be negative ({minutes}).",
            "{field} 不得为负数（{minutes}）。",
        ),
        "added_time_not_positive": (
            "Added time entry {index} must add at least one minute ({minutes}).",
            "第 {index} 条加时记录至少应加时 1 分钟（当前为 {minutes}）。",
        ),
        "added_time_without_reason": (
            "Added time entry {index} has no reason.",
            "第 {index} 条加时记录未填写原因。",
        ),
        "added_after_end": (
            "Added time entry {index} ({added_at}) came after the attempt had ended; it was not applied.",
            "第 {index} 条加时记录（{added_at}）晚于作答结束时间，未予生效。",
        ),
        "pause_ends_before_start": (
            "Pause {index} ends ({end_at}) before it starts ({start_at}).",
            "第 {index} 次暂停的结束时间（{end_at}）早于开始时间（{start_at}）。",
        ),
        "pause_overlaps": (
            "Pause {index} overlaps pause {other}.",
            "第 {index} 次暂停与第 {other} 次暂停时间重叠。",
        ),
        "pause_before_start": (
            "Pause {index} begins before the attempt started.",
            "第 {index} 次暂停早于开始作答时间。",
        ),
        "several_open_pauses": (
            "{count} pauses are still open; at most one may be.",
            "有 {count} 次暂停尚未结束，同一时间最多只能有一次。",
        ),
        "too_many_breaks": (
            "{count} breaks were taken; the accommodation allows {allowed}.",
            "已休息 {count} 次，便利措施仅允许 {allowed} 次。",
        ),
        "break_too_long": (
            "Break {index} lasted {minutes} minutes; the accommodation allows {allowed} minutes.",
            "第 {index} 次休息持续 {minutes} 分钟，便利措施仅允许 {allowed} 分钟。",
        ),
        "started_outside_window": (
            "The attempt started at {started_at}, outside the window {opens_at} – {closes_at}.",
            "开始作答时间 {started_at} 不在考试时段 {opens_at} – {closes_at} 之内。",
        ),
        "window_not_open": (
            "The exam opens at {opens_at}; it cannot be started yet.",
            "考试将于 {opens_at} 开放，现在还不能开始作答。",
        ),
        "window_closed": (
            "The exam window closed at {closes_at}; it can no longer be started.",
            "考试时段已于 {closes_at} 结束，不能再开始作答。",
        ),
        "already_started": ("The attempt has already started.", "已经开始作答。"),
        "already_submitted": ("The attempt has already been submitted.", "已交卷。"),
        "attempt_terminated": ("The invigilator terminated the attempt.", "监考员已终止本次作答。"),
        "late_start_reduced_time": (
            "The window closes at {closes_at}: if you start now you will only get "
            "{available_minutes} minutes instead of {allowance_minutes}.",
            "考试时段将于 {closes_at} 结束：现在开始作答，您仅有 {available_minutes} 分钟作答时间，"
            "少于规定的 {allowance_minutes} 分钟。",
        ),
    }


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def _minutes(value: timedelta) -> int:
    """Whole minutes, rounded down so a notice never promises more than there is."""
    return max(0, int(value.total_seconds() // 60))


def allowance(timing: ExamTiming, now: datetime) -> timedelta:
    """The candidate's own time: duration × multiplier + extra minutes + time added up to ``now``."""
    _aware(now, "now")
    return _base_allowance(timing) + sum(
        (timedelta(minutes=e.minutes) for e in _applied_added(timing, now)), timedelta(0)
    )


def _base_allowance(timing: ExamTiming) -> timedelta:
    # Whole seconds, rounded up: a multiplier never shorts the candidate by a fraction of a second.
    scaled = (
        Decimal(int(timing.duration.total_seconds())) * Decimal(str(timing.accommodation.time_multiplier))
    ).to_integral_value(rounding=ROUND_CEILING)
    return timedelta(seconds=int(scaled), minutes=timing.accommodation.extra_minutes)


def _events(timing: ExamTiming, now: datetime) -> tuple[datetime, list[AddedTime]]:
    """Walk pauses and added time in time order; return the uncapped deadline and the entries applied."""
    assert timing.started_at is not None
    running = timing.started_at + _base_allowance(timing)
    applied: list[AddedTime] = []
    tolerance = timing.policy.save_tolerance
    events: list[tuple[datetime, int, Any]] = [(p.start, 0, p) for p in timing.pauses]
    events += [(a.added_at, 1, a) for a in timing.added_time]
    paused_until = timing.started_at
    for at, _, event in sorted(events, key=lambda e: (e[0], e[1])):
        if at > now:
            continue
        effective = min(running, timing.window_closes)
        if isinstance(event, Pause):
            if at >= effective:
                continue  # the attempt had ended: a later pause cannot revive it
            end = now if event.end is None else min(event.end, now)
            start = max(event.start, paused_until)
            if end > start:
                running += end - start
                paused_until = end
        else:
            if at > effective + tolerance:
                continue  # time added after the attempt ended never reopens it
            running += timedelta(minutes=event.minutes)
            applied.append(event)
    return running, applied


def _applied_added(timing: ExamTiming, now: datetime) -> list[AddedTime]:
    if timing.started_at is None:
        return [a for a in timing.added_time if a.added_at <= now]
    return _events(timing, now)[1]


def deadline(timing: ExamTiming, now: datetime) -> datetime | None:
    """The personal deadline as known at ``now`` (None before Start); never after the window closes."""
    _aware(now, "now")
    if timing.started_at is None:
        return None
    return min(_events(timing, now)[0], timing.window_closes)


def available_if_started(timing: ExamTiming, now: datetime) -> timedelta:
    """How long a candidate pressing Start at ``now`` would get: the allowance, cut by the window close."""
    _aware(now, "now")
    if now >= timing.window_closes:
        return timedelta(0)
    return min(allowance(timing, now), timing.window_closes - max(now, timing.window_opens))


def state(timing: ExamTiming, now: datetime) -> AttemptPhase:
    """The phase of the attempt at ``now``, computed from timestamps only."""
    _aware(now, "now")
    if timing.submitted_at is not None and timing.submitted_at <= now:
        return AttemptPhase.SUBMITTED
    if timing.terminated_at is not None and timing.terminated_at <= now:
        return AttemptPhase.TERMINATED
    if timing.started_at is None or timing.started_at > now:
        if now < timing.window_opens:
            return AttemptPhase.WAITING
        return AttemptPhase.NOT_STARTED if now < timing.window_closes else AttemptPhase.EXPIRED
    end = deadline(timing, now)
    assert end is not None
    if now < end:
        paused = any(p.start <= now and (p.end is None or now < p.end) for p in timing.pauses)
        return AttemptPhase.PAUSED if paused else AttemptPhase.RUNNING
    if now <= end + timing.policy.save_tolerance:
        return AttemptPhase.IN_TOLERANCE
    if timing.expiry is ExpiryPolicy.GRACE and now <= end + timing.grace:
        return AttemptPhase.OVERDUE
    return AttemptPhase.EXPIRED


def remaining(timing: ExamTiming, now: datetime) -> timedelta:
    """Server-computed time left: until the deadline once started, else what starting now would give."""
    phase = state(timing, now)
    if phase in (AttemptPhase.RUNNING, AttemptPhase.PAUSED):
        end = deadline(timing, now)
        assert end is not None
        return end - now
    if phase is AttemptPhase.NOT_STARTED:
        return available_if_started(timing, now)
    if phase is AttemptPhase.WAITING:
        return min(allowance(timing, now), timing.window_closes - timing.window_opens)
    return timedelta(0)


@dataclass(frozen=True)
class StartDecision:
    """Whether Start may be pressed now, every reason if not, and the late-start notice to show first."""

    allowed: bool
    reasons: tuple[TimingReason, ...]
    available: timedelta  #: what the candidate gets when starting now
    allowance: timedelta  #: the full personal allowance
    notice: TimingReason | None


def late_start_notice(timing: ExamTiming, now: datetime) -> TimingReason | None:
    """The "you will only get N minutes" notice when the window close cuts the allowance, else None."""
    full, available = allowance(timing, now), available_if_started(timing, now)
    if available <= timedelta(0) or available >= full:
        return None
    params = {
        "available_minutes": _minutes(available),
        "allowance_minutes": _minutes(full),
        "closes_at": _iso(timing.window_closes),
    }
    return TimingReason("late_start_reduced_time", params, "window_closes")


def can_start(timing: ExamTiming, now: datetime) -> StartDecision:
    """Start is allowed inside the window, once; a late start gets only what is left of the window."""
    _aware(now, "now")
    reasons: list[TimingReason] = []
    if timing.submitted_at is not None:
        reasons.append(TimingReason("already_submitted", {}, "submitted_at"))
    if timing.terminated_at is not None:
        reasons.append(TimingReason("attempt_terminated", {}, "terminated_at"))
    if timing.started_at is not None:
        reasons.append(TimingReason("already_started", {}, "started_at"))
    if now < timing.window_opens:
        reasons.append(TimingReason("window_not_open", {"opens_at": _iso(timing.window_opens)}, "window_opens"))
    if now >= timing.window_closes:
        reasons.append(TimingReason("window_closed", {"closes_at": _iso(timing.window_closes)}, "window_closes"))
    notice = None if reasons else late_start_notice(timing, now)
    return StartDecision(not reasons, tuple(reasons), available_if_started(timing, now), allowance(timing, now), notice)
