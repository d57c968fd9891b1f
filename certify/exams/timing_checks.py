"""Validation of theory-exam timing inputs (理论考试计时校验), pure: every problem at once, with its field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from certify.exams.timing import ExamTiming, PauseKind, TimingReason, _events, _iso, _minutes


def validate_timing(timing: ExamTiming) -> list[TimingReason]:
    """Every problem with the timing inputs at once, each with the field it concerns."""
    problems: list[TimingReason] = []
    stamps = {"window_opens": timing.window_opens, "window_closes": timing.window_closes}
    stamps |= {k: v for k in ("started_at", "submitted_at", "terminated_at") if (v := getattr(timing, k))}
    stamps |= {f"added_time[{i}].added_at": a.added_at for i, a in enumerate(timing.added_time)}
    for i, p in enumerate(timing.pauses):
        stamps |= {f"pauses[{i}].start": p.start} | ({f"pauses[{i}].end": p.end} if p.end else {})
    naive = [k for k, v in stamps.items() if v.tzinfo is None or v.utcoffset() is None]
    problems += [TimingReason("naive_datetime", {"field": k}, k) for k in naive]
    if naive:
        return problems  # comparing naive with aware times would only raise
    opens, closes = _iso(timing.window_opens), _iso(timing.window_closes)
    if timing.window_closes <= timing.window_opens:
        problems.append(
            TimingReason("window_not_after_open", {"opens_at": opens, "closes_at": closes}, "window_closes")
        )
    if timing.duration < timing.policy.min_duration:
        params = {"minutes": _minutes(timing.duration), "min_minutes": _minutes(timing.policy.min_duration)}
        problems.append(TimingReason("duration_too_short", params, "duration"))
    acc = timing.accommodation
    if acc.time_multiplier < 1:
        params = {"multiplier": str(acc.time_multiplier)}
        problems.append(TimingReason("multiplier_below_one", params, "accommodation.time_multiplier"))
    for name in ("extra_minutes", "breaks", "break_minutes"):
        if getattr(acc, name) < 0:
            where = f"accommodation.{name}"
            problems.append(TimingReason("negative_minutes", {"field": where, "minutes": getattr(acc, name)}, where))
    started = timing.started_at
    if started is not None and not timing.window_opens <= started < timing.window_closes:
        params = {"started_at": _iso(started), "opens_at": opens, "closes_at": closes}
        problems.append(TimingReason("started_outside_window", params, "started_at"))
    for i, entry in enumerate(timing.added_time):
        where = f"added_time[{i}]"
        if entry.minutes <= 0:
            problems.append(TimingReason("added_time_not_positive", {"index": i + 1, "minutes": entry.minutes}, where))
        if not entry.reason.strip():
            problems.append(TimingReason("added_time_without_reason", {"index": i + 1}, where))
    if started is not None:
        now = max([*stamps.values(), timing.window_closes])
        applied = {id(a) for a in _events(timing, now)[1]}
        for i, entry in enumerate(timing.added_time):
            if entry.minutes > 0 and id(entry) not in applied:
                params = {"index": i + 1, "added_at": _iso(entry.added_at)}
                problems.append(TimingReason("added_after_end", params, f"added_time[{i}]"))
    problems += _pause_problems(timing)
    return problems


def _pause_problems(timing: ExamTiming) -> list[TimingReason]:
    problems: list[TimingReason] = []
    far = datetime.max.replace(tzinfo=UTC)
    for i, p in enumerate(timing.pauses):
        where = f"pauses[{i}]"
        if p.end is not None and p.end < p.start:
            params = {"index": i + 1, "start_at": _iso(p.start), "end_at": _iso(p.end)}
            problems.append(TimingReason("pause_ends_before_start", params, where))
        if timing.started_at is not None and p.start < timing.started_at:
            problems.append(TimingReason("pause_before_start", {"index": i + 1}, where))
        for j in range(i):
            q = timing.pauses[j]
            if p.start < (q.end or far) and q.start < (p.end or far):
                problems.append(TimingReason("pause_overlaps", {"index": i + 1, "other": j + 1}, where))
    still_open = sum(p.end is None for p in timing.pauses)
    if still_open > 1:
        problems.append(TimingReason("several_open_pauses", {"count": still_open}, "pauses"))
    breaks = [(i, p) for i, p in enumerate(timing.pauses) if p.kind is PauseKind.BREAK]
    allowed = timing.accommodation.breaks
    if len(breaks) > allowed:
        problems.append(TimingReason("too_many_breaks", {"count": len(breaks), "allowed": allowed}, "pauses"))
    limit = timedelta(minutes=timing.accommodation.break_minutes)
    for i, p in breaks:
        if p.end is not None and p.end - p.start > limit:
            params = {"index": i + 1, "minutes": _minutes(p.end - p.start), "allowed": _minutes(limit)}
            problems.append(TimingReason("break_too_long", params, f"pauses[{i}]"))
    return problems
