"""Working days with Chinese holidays and 调休, seeded from packages, and the results deadlines."""

from __future__ import annotations

import re
import string
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certify.results.calendar import (
    _TEMPLATES,
    CalendarEntry,
    DayKind,
    HolidayCalendar,
    ResultsPolicy,
    check_entries,
    objection_decision_due,
    objection_resolution_due,
    passer_report_due,
    publicity_end,
    score_review_deadline,
)
from certify.results.holidays_data import (
    from_chinese_calendar,
    from_holidays_package,
    seed_calendar,
    seed_for,
)

CAL = seed_calendar([2025, 2026])
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 1, 2), False),  # New Year, Friday off
        (date(2026, 1, 4), True),  # Sunday worked in exchange
        (date(2026, 2, 14), True),  # Saturday before the Spring Festival, worked
        (date(2026, 2, 16), False),  # 除夕
        (date(2026, 2, 23), False),  # Monday, last day of the 9-day Spring Festival break
        (date(2026, 2, 24), True),
        (date(2026, 2, 28), True),  # Saturday worked
        (date(2026, 5, 5), False),
        (date(2026, 5, 9), True),
        (date(2026, 9, 20), True),  # Sunday worked before National Day
        (date(2026, 9, 25), False),  # Mid-Autumn Festival
        (date(2026, 10, 7), False),
        (date(2026, 10, 8), True),
        (date(2026, 10, 10), True),  # Saturday worked after National Day
        (date(2026, 10, 11), False),
        (date(2026, 11, 20), True),
        (date(2026, 11, 21), False),
    ],
)
def test_2026_arrangement(day: date, working: bool) -> None:
    assert CAL.is_working_day(day) is working


def test_both_packages_agree_on_every_day_they_share() -> None:
    for year in (2024, 2025, 2026):
        a, b = from_holidays_package(year), from_chinese_calendar(year)
        assert a is not None and b is not None, year
        one = HolidayCalendar(a.holidays, a.workdays, frozenset({year}))
        two = HolidayCalendar(b.holidays, b.workdays, frozenset({year}))
        day = date(year, 1, 1)
        while day.year == year:
            assert one.is_working_day(day) == two.is_working_day(day), day
            day += timedelta(days=1)


def test_seed_falls_back_to_the_second_package_and_reports_its_source() -> None:
    calendar = seed_calendar([2026], sources=(lambda _year: None, from_chinese_calendar))
    assert calendar.years == {2026}
    assert calendar.sources[0][1].startswith("chinesecalendar")
    assert calendar.is_working_day(date(2026, 10, 10))


def test_years_no_package_has_are_left_out_and_warned_about() -> None:
    calendar = seed_calendar([2026, 2099])
    assert calendar.years == {2026}
    assert calendar.missing_years(date(2098, 6, 1)) == [2098, 2099]
    warnings = HolidayCalendar.from_entries([], [2098]).warnings(date(2098, 6, 1))
    assert [w.params["year"] for w in warnings] == [2099]
    assert "2099年" in warnings[0].message("zh_CN")


def test_seed_for_today_covers_this_year_and_warns_when_next_year_is_absent() -> None:
    today = date(2026, 11, 21)
    calendar = seed_for(today)
    assert 2026 in calendar.years
    # Whatever the installed packages know, a missing next year is never silent.
    assert (2027 in calendar.years) == (calendar.warnings(today) == [])


def test_publicity_across_national_day_with_adjusted_saturday() -> None:
    # Posted Wed 30 Sep: Thu 8, Fri 9, Sat 10 (调休), Mon 12, Tue 13 Oct.
    deadline = publicity_end(date(2026, 9, 30), CAL)
    assert deadline.last_day == date(2026, 10, 13)
    assert not deadline.provisional
    assert not deadline.is_over(date(2026, 10, 13))
    assert deadline.is_over(date(2026, 10, 14))


def test_publicity_posted_on_an_adjusted_sunday_does_not_count_that_day() -> None:
    # Posted Sun 20 Sep (a working day itself): Mon 21 – Thu 24, Mid-Autumn Fri 25 off, then Mon 28.
    assert publicity_end(date(2026, 9, 20), CAL).last_day == date(2026, 9, 28)


def test_publicity_across_spring_festival_with_adjusted_saturdays() -> None:
    # Posted Fri 13 Feb: Sat 14 (调休), break 15–23, Tue 24 – Fri 27.
    assert publicity_end(date(2026, 2, 13), CAL).last_day == date(2026, 2, 27)
    assert CAL.working_days_between(date(2026, 2, 13), date(2026, 2, 27)) == 5


def test_publicity_length_is_configurable() -> None:
    assert publicity_end(date(2026, 9, 30), CAL, 7).last_day == date(2026, 10, 15)
    policy = ResultsPolicy(publicity_working_days=1)
    assert publicity_end(date(2026, 9, 30), CAL, policy=policy).last_day == date(2026, 10, 8)


def test_objection_score_review_and_report_deadlines() -> None:
    received = date(2026, 9, 29)  # Tuesday
    assert objection_decision_due(received, CAL).last_day == date(2026, 10, 9)  # 30 Sep, 8, 9 Oct
    assert objection_resolution_due(received, CAL).last_day == date(2026, 10, 14)
    assert score_review_deadline(date(2026, 9, 30), CAL).last_day == date(2026, 10, 20)
    assert passer_report_due(date(2026, 10, 13), CAL).last_day == date(2026, 10, 27)


def test_deadline_reaching_into_an_unknown_year_is_provisional() -> None:
    deadline = publicity_end(date(2026, 12, 29), CAL)
    assert deadline.last_day == date(2027, 1, 5)  # 30, 31 Dec, then 2027 counted Monday–Friday: 1, 4, 5 Jan
    assert deadline.provisional
    assert [p.params["year"] for p in deadline.problems] == [2027]


@given(st.dates(date(2025, 1, 1), date(2026, 11, 30)), st.integers(0, 30))
def test_counting_back_gives_the_same_number_of_working_days(start: date, n: int) -> None:
    end = CAL.add_working_days(start, n)
    assert CAL.working_days_between(start, end) == n
    assert n == 0 or CAL.is_working_day(end)


def test_zero_and_negative_counts() -> None:
    assert CAL.add_working_days(date(2026, 10, 1), 0) == date(2026, 10, 1)
    assert CAL.working_days_between(date(2026, 10, 9), date(2026, 10, 1)) == 0
    with pytest.raises(ValueError):
        CAL.add_working_days(date(2026, 10, 1), -1)


def test_staff_rows_round_trip_and_replace_the_seeded_year() -> None:
    rows = CAL.entries()
    assert HolidayCalendar.from_entries(rows, [2025, 2026]).is_working_day(date(2026, 10, 10))
    # Staff add an extra holiday to 2026: their year replaces the seed's, other years stay.
    edited = [r for r in rows if r.day.year == 2026] + [CalendarEntry(date(2026, 11, 20), DayKind.HOLIDAY, "特别假日")]
    merged = CAL.merged(HolidayCalendar.from_entries(edited, [2026]))
    assert not merged.is_working_day(date(2026, 11, 20))
    assert merged.is_working_day(date(2026, 10, 10))
    assert not merged.is_working_day(date(2025, 10, 1))
    assert dict(merged.sources) == {2025: CAL.sources[0][1], 2026: "staff"}


def test_check_entries_lists_every_problem() -> None:
    rows = [
        CalendarEntry(date(2027, 2, 6), DayKind.HOLIDAY),
        CalendarEntry(date(2027, 2, 6), DayKind.WORKDAY),
        CalendarEntry(date(2027, 2, 8), DayKind.WORKDAY),
        CalendarEntry(date(2026, 12, 31), DayKind.HOLIDAY),
    ]
    problems = check_entries(rows, 2027)
    assert sorted((p.code, p.where) for p in problems) == [
        ("entry_conflict", "calendar.2027-02-06"),
        ("entry_outside_year", "calendar.2026-12-31"),
        ("workday_not_weekend", "calendar.2027-02-08"),
    ]
    for problem in problems:
        assert CJK.search(problem.message("zh_CN")) and problem.message("en")
    # The seeded year itself is consistent.
    assert check_entries([r for r in CAL.entries() if r.day.year == 2026], 2026) == []


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_problem_code_has_both_languages_and_renders() -> None:
    for code, (en, zh) in _TEMPLATES.items():
        assert CJK.search(zh) and not CJK.search(en), code
        assert _fields(zh) == _fields(en), code
        params = dict.fromkeys(_fields(en), "2027")
        assert en.format(**params) and zh.format(**params)
