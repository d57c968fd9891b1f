"""Seed the holiday calendar from maintained packages: `holidays` first, `chinesecalendar` as the fallback.

A year is seeded only when a package carries the State Council's official arrangement for it, including the
adjusted working days (调休): `holidays` computes statutory dates for any year but records the arrangement
(its table of substituted days) only once it is published, and `chinesecalendar` raises for years it lacks.
Years neither package knows are reported as missing so staff enter them; nothing is guessed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from importlib import metadata

from certify.results.calendar import HolidayCalendar


@dataclass(frozen=True)
class YearData:
    """One year's arrangement as found in a package."""

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]
    source: str


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"


def _substituted_workdays(table: dict, year: int) -> frozenset[date] | None:
    """Weekend working days of `year` from the `holidays` substitution table; None when the year is absent."""
    if year not in table:
        return None
    found: set[date] = set()
    # An entry of the following year may move a working day into this one (e.g. 29 Dec for New Year).
    for listed_year in (year, year + 1):
        entries = table.get(listed_year, ())
        if entries and not isinstance(entries[0], tuple):
            entries = (entries,)
        for entry in entries:
            # (month, day, from_month, from_day[, from_year]): a day off worked on the "from" date.
            if len(entry) >= 4 and all(isinstance(part, int) for part in entry[2:]):
                from_year = entry[4] if len(entry) > 4 else listed_year
                worked = date(from_year, entry[2], entry[3])
                if worked.year == year:
                    found.add(worked)
    return frozenset(found)


def from_holidays_package(year: int) -> YearData | None:
    """The year from the `holidays` package, when it records the official arrangement."""
    try:
        import holidays
        from holidays.countries.china import ChinaStaticHolidays

        workdays = _substituted_workdays(ChinaStaticHolidays.special_public_holidays, year)
        if workdays is None:
            return None
        days = frozenset(holidays.country_holidays("CN", years=year).keys())
    except (ImportError, AttributeError, TypeError, ValueError):
        # A changed package layout must not break the app: the year is then reported as missing.
        return None
    return YearData(year, days, workdays, f"holidays {_version('holidays')}")


def from_chinese_calendar(year: int) -> YearData | None:
    """The year from the `chinesecalendar` package, when it covers it."""
    try:
        from chinese_calendar import constants
    except ImportError:
        return None
    days = frozenset(d for d in constants.holidays if d.year == year)
    workdays = frozenset(d for d in constants.workdays if d.year == year)
    if not days:
        return None
    return YearData(year, days, workdays, f"chinesecalendar {_version('chinesecalendar')}")


Source = Callable[[int], YearData | None]
SOURCES: tuple[Source, ...] = (from_holidays_package, from_chinese_calendar)


def seed_calendar(years: Iterable[int], sources: Iterable[Source] = SOURCES) -> HolidayCalendar:
    """A calendar for `years` from the first package that has each year; `calendar.years` tells which did."""
    holidays: set[date] = set()
    workdays: set[date] = set()
    covered: list[tuple[int, str]] = []
    for year in sorted(set(years)):
        data = next((found for source in sources if (found := source(year)) is not None), None)
        if data is None:
            continue
        holidays |= data.holidays
        workdays |= data.workdays
        covered.append((year, data.source))
    return HolidayCalendar(
        holidays=frozenset(holidays),
        adjusted_workdays=frozenset(workdays),
        years=frozenset(y for y, _ in covered),
        sources=tuple(covered),
    )


def seed_for(today: date) -> HolidayCalendar:
    """The calendar for this year and next year, as the app seeds it; see `HolidayCalendar.warnings`."""
    return seed_calendar((today.year, today.year + 1))
