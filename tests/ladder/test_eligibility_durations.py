"""Duration arithmetic: inclusive dates, merged overlaps, calendar months, shortfalls as people read them."""

from __future__ import annotations

from datetime import date

import pytest

from certify.ladder.eligibility_durations import (
    Duration,
    add_months,
    age_on,
    comparison_params,
    merge_periods,
    period_length,
    total_length,
    work_span,
)
from certify.ladder.eligibility_messages import format_duration


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2024, 3, 15), -3) == date(2023, 12, 15)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2020, 3, 1), date(2024, 2, 29), Duration(48, 0)),  # inclusive: the last day completes 4 years
        (date(2020, 3, 1), date(2024, 2, 28), Duration(47, 28)),  # one day before
        (date(2021, 1, 1), date(2021, 1, 1), Duration(0, 1)),  # a single day counts
        (date(2021, 1, 1), date(2021, 1, 31), Duration(1, 0)),
        (date(2021, 1, 1), date(2021, 1, 30), Duration(0, 30)),  # 30 days of January is not a month
        (date(2021, 2, 1), date(2021, 2, 28), Duration(1, 0)),
        (date(2021, 5, 2), date(2021, 5, 1), Duration(0, 0)),
    ],
)
def test_period_length_is_inclusive_and_calendar_based(start: date, end: date, expected: Duration) -> None:
    assert period_length(start, end) == expected


def test_overlapping_and_touching_periods_merge() -> None:
    periods = [
        (date(2018, 1, 1), date(2019, 12, 31)),
        (date(2019, 6, 1), date(2020, 6, 30)),  # overlaps the first
        (date(2020, 7, 1), date(2020, 12, 31)),  # touches the second
        (date(2022, 1, 1), date(2022, 1, 31)),
    ]
    assert merge_periods(reversed(periods)) == [
        (date(2018, 1, 1), date(2020, 12, 31)),
        (date(2022, 1, 1), date(2022, 1, 31)),
    ]


def test_parallel_jobs_count_once() -> None:
    now = date(2024, 6, 30)
    one_job = [(date(2020, 7, 1), now)]
    two_jobs = [(date(2020, 7, 1), now), (date(2021, 1, 1), date(2022, 12, 31))]
    assert total_length(one_job, now) == total_length(two_jobs, now) == Duration(48, 0)


def test_ongoing_work_reaches_its_anniversary_on_the_day_before() -> None:
    start = date(2020, 3, 1)
    needed = Duration.of(4)
    assert work_span([(start, date(2024, 2, 29))], date(2024, 2, 29)).meets(needed)
    assert not work_span([(start, date(2024, 2, 28))], date(2024, 2, 28)).meets(needed)


def test_work_after_now_does_not_count() -> None:
    now = date(2024, 1, 1)
    assert total_length([(date(2023, 1, 2), date(2030, 1, 1))], now) == Duration(12, 0)
    assert total_length([(date(2025, 1, 1), date(2026, 1, 1))], now) == Duration()


def test_shortfall_adds_up_with_what_someone_has() -> None:
    # Working since 2021-11-01; on 2024-05-31 that is 2 years 7 months; 4 years are needed.
    now = date(2024, 5, 31)
    params = comparison_params(Duration.of(4), work_span([(date(2021, 11, 1), now)], now), now)
    assert params["needed"] == {"years": 4, "months": 0, "days": 0}
    assert params["has"] == {"years": 2, "months": 7, "days": 0}
    assert params["shortfall"] == {"years": 1, "months": 5, "days": 0}
    assert format_duration(params["has"], "en") == "2 years 7 months"
    assert format_duration(params["shortfall"], "zh_CN") == "1年5个月"


def test_partial_month_shortfall_rounds_up_and_keeps_exact_days() -> None:
    now = date(2024, 5, 20)
    params = comparison_params(Duration.of(4), work_span([(date(2021, 11, 1), now)], now), now)
    assert params["has"] == {"years": 2, "months": 6, "days": 0}
    assert params["has_exact"] == {"years": 2, "months": 6, "days": 20}
    assert params["shortfall"] == {"years": 1, "months": 6, "days": 0}
    assert params["shortfall_exact"] == {"years": 1, "months": 5, "days": 11}


def test_shortfall_under_a_month_is_in_days() -> None:
    now = date(2024, 2, 20)
    params = comparison_params(Duration.of(4), work_span([(date(2020, 3, 1), now)], now), now)
    assert params["shortfall"] == {"years": 0, "months": 0, "days": 9}
    assert format_duration(params["shortfall"], "en") == "9 days"
    assert format_duration(params["shortfall"], "zh_CN") == "9天"


def test_nothing_worked_is_short_by_the_whole_requirement() -> None:
    now = date(2024, 2, 20)
    params = comparison_params(Duration.of(1), work_span([], now), now)
    assert params["has"] == {"years": 0, "months": 0, "days": 0}
    assert params["shortfall"] == {"years": 1, "months": 0, "days": 0}
    assert format_duration(params["has"], "zh_CN") == "0个月"


@pytest.mark.parametrize(
    ("birth", "today", "age"),
    [
        (date(2008, 6, 15), date(2024, 6, 14), 15),
        (date(2008, 6, 15), date(2024, 6, 15), 16),
        (date(2008, 2, 29), date(2024, 2, 28), 15),
        (date(2008, 2, 29), date(2025, 2, 28), 17),  # a 29 Feb birthday comes round on 28 Feb in common years
    ],
)
def test_age_on(birth: date, today: date, age: int) -> None:
    assert age_on(birth, today) == age
