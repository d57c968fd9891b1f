"""Working days in mainland China and the results deadlines counted in them (publicity, objections, reports).

A day is a working day when it is Monday–Friday and not a public holiday, or when it is a weekend day the
State Council declared a working day (调休上班). The arrangement is published each year, so the calendar knows
which years it covers and every computation that crosses an uncovered year says so.

Counting convention (Civil Code art. 201: the day a period starts is not counted): a window of N working days
that starts on day d covers the first N working days AFTER d, whatever kind of day d is, and ends at the close
of its last day. Publicity posted on Wed 2026-09-30 for 5 working days skips the National Day holiday
(1–7 Oct) and counts Thu 8, Fri 9, Sat 10 (调休上班), Mon 12 and Tue 13 Oct; results may be confirmed
on the 14th.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

_TEMPLATES: dict[str, tuple[str, str]] = {
    "year_missing": (
        "No holiday calendar for {year}: days in {year} are counted Monday–Friday. "
        "Enter the State Council's holiday arrangement for {year}.",
        "缺少{year}年节假日安排：{year}年的日期暂按周一至周五计算工作日，请录入国务院办公厅公布的{year}年放假安排。",
    ),
    "entry_conflict": (
        "{date} is entered both as a holiday and as an adjusted working day.",
        "{date}同时被录入为节假日和调休工作日。",
    ),
    "workday_not_weekend": (
        "{date} is a weekday; only a Saturday or Sunday can be an adjusted working day.",
        "{date}为周一至周五，只有周六、周日才能设为调休工作日。",
    ),
    "entry_outside_year": (
        "{date} does not belong to the year {year} being edited.",
        "{date}不属于正在编辑的{year}年。",
    ),
}


@dataclass(frozen=True)
class CalendarProblem:
    """A gap or inconsistency in the holiday calendar, with where and why."""

    code: str
    where: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, locale: str = "en") -> str:
        """The problem rendered in English ("en") or Simplified Chinese ("zh…")."""
        en, zh = _TEMPLATES[self.code]
        return (zh if str(locale).startswith("zh") else en).format(**self.params)


class DayKind(enum.StrEnum):
    """What a staff-entered calendar row declares a date to be."""

    HOLIDAY = "holiday"
    WORKDAY = "workday"  #: a Saturday or Sunday worked in exchange (调休)


@dataclass(frozen=True)
class CalendarEntry:
    """One row of the editable calendar."""

    day: date
    kind: DayKind
    name: str = ""


@dataclass(frozen=True)
class HolidayCalendar:
    """Public holidays and adjusted working days for the years it covers."""

    holidays: frozenset[date] = frozenset()
    adjusted_workdays: frozenset[date] = frozenset()
    years: frozenset[int] = frozenset()  #: years whose official arrangement is loaded
    sources: tuple[tuple[int, str], ...] = ()  #: (year, where its data came from)

    @classmethod
    def from_entries(
        cls, entries: Iterable[CalendarEntry], years: Iterable[int], source: str = "staff"
    ) -> HolidayCalendar:
        """A calendar from stored rows covering `years` (how the app loads what staff maintain)."""
        rows = list(entries)
        covered = frozenset(years)
        return cls(
            holidays=frozenset(r.day for r in rows if r.kind is DayKind.HOLIDAY),
            adjusted_workdays=frozenset(r.day for r in rows if r.kind is DayKind.WORKDAY),
            years=covered,
            sources=tuple((y, source) for y in sorted(covered)),
        )

    def entries(self) -> list[CalendarEntry]:
        """Every holiday and adjusted working day as rows, sorted by date (for storing and editing)."""
        rows = [CalendarEntry(d, DayKind.HOLIDAY) for d in self.holidays]
        rows += [CalendarEntry(d, DayKind.WORKDAY) for d in self.adjusted_workdays]
        return sorted(rows, key=lambda r: (r.day, r.kind))

    def merged(self, other: HolidayCalendar) -> HolidayCalendar:
        """This calendar with `other`'s years replacing its own (a staff edit wins over the seed)."""
        keep = self.years - other.years
        return HolidayCalendar(
            holidays=frozenset(d for d in self.holidays if d.year not in other.years) | other.holidays,
            adjusted_workdays=frozenset(d for d in self.adjusted_workdays if d.year not in other.years)
            | other.adjusted_workdays,
            years=keep | other.years,
            sources=tuple(sorted([s for s in self.sources if s[0] in keep] + list(other.sources))),
        )

    def covers(self, day: date) -> bool:
        """Whether the official arrangement for the day's year is loaded."""
        return day.year in self.years

    def is_working_day(self, day: date) -> bool:
        """Monday–Friday and not a holiday, or an adjusted working weekend day."""
        if day in self.adjusted_workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start` (`start` itself never counts); `start` for n = 0."""
        if n < 0:
            raise ValueError("n must be ≥ 0")
        day, counted = start, 0
        while counted < n:
            day += timedelta(days=1)
            counted += self.is_working_day(day)
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (0 when end ≤ start)."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count

    def missing_years(self, today: date) -> list[int]:
        """This year and next year where the calendar lacks them (warn staff about the next one early)."""
        return [y for y in (today.year, today.year + 1) if y not in self.years]

    def warnings(self, today: date) -> list[CalendarProblem]:
        """A `year_missing` problem for this year or next year when absent."""
        return [CalendarProblem("year_missing", f"calendar.{y}", {"year": y}) for y in self.missing_years(today)]

    def gaps(self, start: date, end: date) -> list[CalendarProblem]:
        """A `year_missing` problem for every uncovered year between two dates."""
        first, last = sorted((start, end))
        return [
            CalendarProblem("year_missing", f"calendar.{y}", {"year": y})
            for y in range(first.year, last.year + 1)
            if y not in self.years
        ]


def check_entries(entries: Iterable[CalendarEntry], year: int) -> list[CalendarProblem]:
    """Every problem with a staff-edited year: conflicts, weekday 'workdays', dates from another year."""
    rows = list(entries)
    problems: list[CalendarProblem] = []
    kinds: dict[date, set[DayKind]] = {}
    for row in rows:
        kinds.setdefault(row.day, set()).add(row.kind)
        where = f"calendar.{row.day.isoformat()}"
        if row.day.year != year:
            problems.append(CalendarProblem("entry_outside_year", where, {"date": row.day.isoformat(), "year": year}))
        if row.kind is DayKind.WORKDAY and row.day.weekday() < 5:
            problems.append(CalendarProblem("workday_not_weekend", where, {"date": row.day.isoformat()}))
    for day, seen in sorted(kinds.items()):
        if len(seen) > 1:
            problems.append(CalendarProblem("entry_conflict", f"calendar.{day.isoformat()}", {"date": day.isoformat()}))
    return problems


@dataclass(frozen=True)
class ResultsPolicy:
    """Working-day windows of the results stage (DOMAIN.md defaults; configurable per province or body)."""

    publicity_working_days: int = 5
    objection_decision_working_days: int = 3
    objection_resolution_working_days: int = 7
    score_review_working_days: int = 10
    passer_report_working_days: int = 10


@dataclass(frozen=True)
class Deadline:
    """The last day of a window, and any calendar gap that makes it provisional."""

    last_day: date
    problems: tuple[CalendarProblem, ...] = ()

    @property
    def provisional(self) -> bool:
        """True when part of the window lies in a year with no official arrangement loaded."""
        return bool(self.problems)

    def is_over(self, today: date) -> bool:
        """The window has closed (today is after its last day)."""
        return today > self.last_day


def _deadline(calendar: HolidayCalendar, start: date, n: int) -> Deadline:
    last = calendar.add_working_days(start, n)
    return Deadline(last, tuple(calendar.gaps(start, last)))


def publicity_end(
    start: date,
    calendar: HolidayCalendar,
    min_working_days: int | None = None,
    *,
    policy: ResultsPolicy | None = None,
) -> Deadline:
    """Last day of a publicity posted on `start`: the N-th working day after it (N = 5 by default)."""
    policy = policy or ResultsPolicy()
    n = policy.publicity_working_days if min_working_days is None else min_working_days
    return _deadline(calendar, start, n)


def objection_decision_due(received: date, calendar: HolidayCalendar, policy: ResultsPolicy | None = None) -> Deadline:
    """Last day to decide whether to investigate an objection received on `received`."""
    return _deadline(calendar, received, (policy or ResultsPolicy()).objection_decision_working_days)


def objection_resolution_due(
    received: date, calendar: HolidayCalendar, policy: ResultsPolicy | None = None
) -> Deadline:
    """Last day to resolve an objection received on `received`."""
    return _deadline(calendar, received, (policy or ResultsPolicy()).objection_resolution_working_days)


def score_review_deadline(published: date, calendar: HolidayCalendar, policy: ResultsPolicy | None = None) -> Deadline:
    """Last day to request a score review (查分) of results published on `published`."""
    return _deadline(calendar, published, (policy or ResultsPolicy()).score_review_working_days)


def passer_report_due(
    publicity_last_day: date, calendar: HolidayCalendar, policy: ResultsPolicy | None = None
) -> Deadline:
    """Last day to report passers to the province after a publicity ending on `publicity_last_day`."""
    return _deadline(calendar, publicity_last_day, (policy or ResultsPolicy()).passer_report_working_days)
