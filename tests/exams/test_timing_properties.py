"""Hypothesis properties of the timing rules: the window caps, added time and pauses never shorten."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from certify.exams.timing import Accommodation, AddedTime, ExamTiming, Pause, deadline, remaining

OPENS = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)

minutes = st.integers(min_value=0, max_value=400)
added_entries = st.lists(
    st.builds(lambda m, t: AddedTime(m, "reason", "inv", OPENS + timedelta(minutes=t)), st.integers(1, 60), minutes),
    max_size=4,
)
pauses = st.lists(
    st.builds(
        lambda s, length, still_open: Pause(
            OPENS + timedelta(minutes=s), None if still_open else OPENS + timedelta(minutes=s + length)
        ),
        minutes,
        st.integers(0, 60),
        st.booleans(),
    ),
    max_size=4,
)


@st.composite
def timings(draw: st.DrawFn) -> ExamTiming:
    window = draw(st.integers(30, 300))
    start = draw(st.integers(0, window - 1))
    return ExamTiming(
        window_opens=OPENS,
        window_closes=OPENS + timedelta(minutes=window),
        duration=timedelta(minutes=draw(st.integers(1, 180))),
        accommodation=Accommodation(
            time_multiplier=Decimal(draw(st.sampled_from(["1", "1.25", "1.5", "2"]))),
            extra_minutes=draw(st.integers(0, 60)),
        ),
        added_time=tuple(draw(added_entries)),
        pauses=tuple(draw(pauses)),
        started_at=OPENS + timedelta(minutes=start),
    )


nows = minutes.map(lambda m: OPENS + timedelta(minutes=m))


@given(timings(), nows)
def test_deadline_never_after_window_close(t: ExamTiming, now: datetime) -> None:
    end = deadline(t, now)
    assert end is not None and end <= t.window_closes


@given(timings(), nows, st.integers(1, 120), minutes)
def test_more_added_time_never_shortens(t: ExamTiming, now: datetime, extra: int, when: int) -> None:
    more = replace(t, added_time=(*t.added_time, AddedTime(extra, "r", "inv", OPENS + timedelta(minutes=when))))
    assert deadline(more, now) >= deadline(t, now)  # type: ignore[operator]
    assert remaining(more, now) >= remaining(t, now)


@given(timings(), nows, minutes, st.integers(0, 60))
def test_pausing_never_shortens(t: ExamTiming, now: datetime, start: int, length: int) -> None:
    pause = Pause(OPENS + timedelta(minutes=start), OPENS + timedelta(minutes=start + length))
    paused = replace(t, pauses=(*t.pauses, pause))
    assert deadline(paused, now) >= deadline(t, now)  # type: ignore[operator]
    assert remaining(paused, now) >= remaining(t, now)


@given(timings(), nows, nows)
def test_deadline_as_known_later_is_never_earlier(t: ExamTiming, a: datetime, b: datetime) -> None:
    early, late = sorted((a, b))
    assert deadline(t, late) >= deadline(t, early)  # type: ignore[operator]
