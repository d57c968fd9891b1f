"""Theory timing rules: deadline, late start, window close, accommodations, pauses, added time, phases."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from certify.exams.timing import (
    Accommodation,
    AddedTime,
    AttemptPhase,
    ExamTiming,
    ExpiryPolicy,
    Pause,
    PauseKind,
    TimingReason,
    allowance,
    can_start,
    deadline,
    late_start_notice,
    remaining,
    state,
)
from certify.exams.timing_checks import validate_timing

OPENS = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)  # 09:00 Beijing
CLOSES = OPENS + timedelta(hours=4)
MIN = timedelta(minutes=1)


def timing(**overrides: object) -> ExamTiming:
    base: dict[str, object] = {
        "window_opens": OPENS,
        "window_closes": CLOSES,
        "duration": timedelta(minutes=90),
    }
    return ExamTiming(**(base | overrides))  # type: ignore[arg-type]


def at(minutes: float) -> datetime:
    return OPENS + timedelta(minutes=minutes)


def test_deadline_is_start_plus_duration() -> None:
    t = timing(started_at=at(10))
    assert deadline(t, at(20)) == at(100)
    assert remaining(t, at(20)) == timedelta(minutes=80)
    assert state(t, at(20)) is AttemptPhase.RUNNING


def test_no_deadline_before_start() -> None:
    assert deadline(timing(), at(5)) is None


def test_accommodation_multiplies_then_adds_extra_minutes() -> None:
    acc = Accommodation(time_multiplier=Decimal("1.25"), extra_minutes=10)
    t = timing(started_at=at(0), accommodation=acc)
    # 90 × 1.25 = 112.5 minutes, + 10 = 122.5 minutes
    assert deadline(t, at(1)) == at(122.5)
    assert allowance(t, at(1)) == timedelta(minutes=122.5)


def test_multiplier_may_be_given_as_a_float_and_never_shorts_a_second() -> None:
    t = timing(started_at=at(0), duration=timedelta(seconds=5401), accommodation=Accommodation(time_multiplier=1.5))  # type: ignore[arg-type]
    assert deadline(t, at(1)) == at(0) + timedelta(seconds=8102)  # 8101.5 rounded up


def test_late_start_gets_only_what_is_left_of_the_window() -> None:
    t = timing(started_at=at(200))
    assert deadline(t, at(201)) == CLOSES
    assert remaining(t, at(201)) == timedelta(minutes=39)


def test_window_close_caps_accommodation_and_added_time() -> None:
    added = (AddedTime(60, "power cut", "inv-1", at(50)),)
    t = timing(started_at=at(100), accommodation=Accommodation(time_multiplier=Decimal(2)), added_time=added)
    assert deadline(t, at(150)) == CLOSES


def test_added_time_extends_and_counts_only_once_added() -> None:
    added = (AddedTime(15, "screen froze", "inv-1", at(30)),)
    t = timing(started_at=at(0), added_time=added)
    assert deadline(t, at(29)) == at(90)
    assert deadline(t, at(31)) == at(105)


def test_added_time_after_the_attempt_ended_never_reopens_it() -> None:
    added = (AddedTime(15, "too late", "inv-1", at(95)),)
    t = timing(started_at=at(0), added_time=added)
    assert deadline(t, at(96)) == at(90)
    assert state(t, at(96)) is AttemptPhase.EXPIRED
    assert [p.code for p in validate_timing(t)] == ["added_after_end"]


def test_added_time_within_tolerance_is_applied() -> None:
    added = (AddedTime(10, "network outage", "inv-1", at(90.5)),)
    t = timing(started_at=at(0), added_time=added)
    assert deadline(t, at(91)) == at(100)
    assert state(t, at(91)) is AttemptPhase.RUNNING


def test_pause_stops_the_clock() -> None:
    t = timing(started_at=at(0), pauses=(Pause(at(30), at(40)),))
    assert deadline(t, at(50)) == at(100)


def test_open_pause_freezes_remaining_time() -> None:
    t = timing(started_at=at(0), pauses=(Pause(at(30)),))
    assert state(t, at(35)) is AttemptPhase.PAUSED
    assert remaining(t, at(35)) == remaining(t, at(70)) == timedelta(minutes=60)


def test_pause_open_at_window_close_ends_the_attempt_at_window_close() -> None:
    t = timing(started_at=at(150), pauses=(Pause(at(200)),))
    assert state(t, at(239)) is AttemptPhase.PAUSED
    assert deadline(t, at(260)) == CLOSES
    assert state(t, CLOSES + timedelta(minutes=2)) is AttemptPhase.EXPIRED


def test_pause_after_the_deadline_is_ignored() -> None:
    t = timing(started_at=at(0), pauses=(Pause(at(95), at(100)),))
    assert deadline(t, at(101)) == at(90)


def test_overlapping_pauses_count_once_and_are_reported() -> None:
    t = timing(started_at=at(0), pauses=(Pause(at(10), at(20)), Pause(at(15), at(25))))
    assert deadline(t, at(30)) == at(105)
    assert [(p.code, p.where) for p in validate_timing(t)] == [("pause_overlaps", "pauses[1]")]


@pytest.mark.parametrize(
    ("now", "phase"),
    [
        (-1, AttemptPhase.WAITING),
        (1, AttemptPhase.NOT_STARTED),
        (50, AttemptPhase.RUNNING),
        (100.5, AttemptPhase.IN_TOLERANCE),
        (101, AttemptPhase.IN_TOLERANCE),
        (101.1, AttemptPhase.EXPIRED),
    ],
)
def test_phases_along_the_clock(now: float, phase: AttemptPhase) -> None:
    t = timing(started_at=at(10))
    if now < 10:
        t = timing()
    assert state(t, at(now)) is phase


def test_grace_policy_has_an_overdue_phase() -> None:
    t = timing(started_at=at(0), expiry=ExpiryPolicy.GRACE, grace=timedelta(minutes=10))
    assert state(t, at(90.5)) is AttemptPhase.IN_TOLERANCE
    assert state(t, at(95)) is AttemptPhase.OVERDUE
    assert state(t, at(100.5)) is AttemptPhase.EXPIRED


def test_submitted_and_terminated_phases() -> None:
    assert state(timing(started_at=at(0), submitted_at=at(40)), at(41)) is AttemptPhase.SUBMITTED
    assert state(timing(started_at=at(0), terminated_at=at(40)), at(41)) is AttemptPhase.TERMINATED


def test_never_started_after_window_close_is_expired() -> None:
    assert state(timing(), CLOSES) is AttemptPhase.EXPIRED
    assert remaining(timing(), CLOSES) == timedelta(0)


def test_can_start_on_time_has_no_notice() -> None:
    decision = can_start(timing(), at(5))
    assert decision.allowed and decision.reasons == () and decision.notice is None
    assert decision.available == timedelta(minutes=90)


def test_late_start_notice_before_start() -> None:
    decision = can_start(timing(), at(200))
    assert decision.allowed
    assert decision.available == timedelta(minutes=40)
    notice = decision.notice
    assert notice is not None and notice.code == "late_start_reduced_time"
    assert notice.params == {
        "available_minutes": 40,
        "allowance_minutes": 90,
        "closes_at": CLOSES.isoformat(),
    }
    assert "only get 40 minutes instead of 90" in notice.message("en")
    assert "2026-06-01 05:00 UTC" in notice.message("en")
    assert "您仅有 40 分钟作答时间，少于规定的 90 分钟" in notice.message("zh_CN")


def test_late_start_notice_counts_accommodation() -> None:
    t = timing(accommodation=Accommodation(extra_minutes=30))
    notice = late_start_notice(t, at(130))
    assert notice is not None and notice.params["allowance_minutes"] == 120
    assert notice.params["available_minutes"] == 110


def test_can_start_collects_every_reason() -> None:
    t = timing(started_at=at(0), submitted_at=at(50))
    codes = [r.code for r in can_start(t, CLOSES + MIN).reasons]
    assert codes == ["already_submitted", "already_started", "window_closed"]


def test_cannot_start_before_window_opens() -> None:
    decision = can_start(timing(), at(-5))
    assert not decision.allowed
    assert [r.code for r in decision.reasons] == ["window_not_open"]
    assert decision.available == timedelta(minutes=90)


def test_naive_now_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        deadline(timing(started_at=at(0)), datetime(2026, 6, 1, 2, 0))


def test_other_timezones_compare_correctly() -> None:
    beijing = timezone(timedelta(hours=8))
    t = timing(started_at=at(0))
    assert deadline(t, datetime(2026, 6, 1, 9, 30, tzinfo=beijing)) == at(90)


def test_validate_collects_every_problem_with_where() -> None:
    t = ExamTiming(
        window_opens=CLOSES,
        window_closes=OPENS,
        duration=timedelta(minutes=60),
        accommodation=Accommodation(time_multiplier=Decimal("0.8"), extra_minutes=-5, breaks=1, break_minutes=10),
        added_time=(AddedTime(0, " ", "inv", OPENS),),
        pauses=(
            Pause(OPENS + MIN, OPENS, kind=PauseKind.BREAK),
            Pause(OPENS + 3 * MIN, OPENS + 20 * MIN, kind=PauseKind.BREAK),
            Pause(OPENS + 30 * MIN),
            Pause(OPENS + 40 * MIN),
        ),
    )
    found = {(p.code, p.where) for p in validate_timing(t)}
    assert found == {
        ("window_not_after_open", "window_closes"),
        ("duration_too_short", "duration"),
        ("multiplier_below_one", "accommodation.time_multiplier"),
        ("negative_minutes", "accommodation.extra_minutes"),
        ("added_time_not_positive", "added_time[0]"),
        ("added_time_without_reason", "added_time[0]"),
        ("pause_ends_before_start", "pauses[0]"),
        ("pause_overlaps", "pauses[3]"),
        ("several_open_pauses", "pauses"),
        ("too_many_breaks", "pauses"),
        ("break_too_long", "pauses[1]"),
    }


def test_validate_reports_naive_datetimes_and_start_outside_window() -> None:
    naive = timing(window_opens=datetime(2026, 6, 1, 1, 0))
    assert [(p.code, p.where) for p in validate_timing(naive)] == [("naive_datetime", "window_opens")]
    early = timing(started_at=at(-1), pauses=(Pause(at(-2), at(-1)),))
    assert {p.code for p in validate_timing(early)} == {"started_outside_window", "pause_before_start"}


def test_valid_timing_has_no_problems() -> None:
    t = timing(
        started_at=at(0),
        accommodation=Accommodation(Decimal("1.5"), 10, breaks=2, break_minutes=15),
        added_time=(AddedTime(5, "late paper", "inv-1", at(20)),),
        pauses=(Pause(at(30), at(40), PauseKind.BREAK), Pause(at(50))),
    )
    assert validate_timing(t) == []


def test_every_code_has_both_templates_and_renders() -> None:
    sample = {
        "field": "started_at",
        "closes_at": CLOSES.isoformat(),
        "opens_at": OPENS.isoformat(),
        "started_at": OPENS.isoformat(),
        "added_at": OPENS.isoformat(),
        "start_at": OPENS.isoformat(),
        "end_at": OPENS.isoformat(),
        "minutes": 5,
        "min_minutes": 90,
        "multiplier": "0.8",
        "index": 1,
        "other": 2,
        "count": 2,
        "allowed": 1,
        "available_minutes": 30,
        "allowance_minutes": 90,
    }
    for code, (en, zh) in TimingReason.templates.items():
        assert en.strip() and zh.strip()
        reason = TimingReason(code, sample)
        assert reason.message("en") != reason.message("zh_CN")
        assert "{" not in reason.message("en") + reason.message("zh_CN")
        json.dumps(reason.params)


def test_real_reasons_render_in_both_languages() -> None:
    t = timing(window_opens=CLOSES, window_closes=OPENS, duration=timedelta(minutes=30))
    for problem in validate_timing(t):
        json.dumps(problem.params)
        assert problem.message("en") and problem.message("zh_CN")
    assert "考试时长为 30 分钟，不得少于 90 分钟" in validate_timing(t)[1].message("zh_CN")


def test_times_in_reasons_are_shown_in_the_readers_time_zone_when_given():
    from certify.exams.timing import TimingReason

    reason = TimingReason("window_not_open", {"opens_at": "2026-11-23T01:00:00+00:00"})
    assert "2026-11-23 09:00" in reason.message("zh_CN", "Asia/Shanghai")
    assert "UTC" not in reason.message("en", "Asia/Shanghai")
    assert "2026-11-23 01:00 UTC" in reason.message("en")
