"""Work-duration arithmetic for eligibility: inclusive dates, merged overlaps, calendar months.

Convention (stated once, used everywhere):

* A period runs from `start` to `end` INCLUSIVE: someone who worked 2020-03-01 … 2024-02-29 has worked exactly
  4 years, and an ongoing job (end None) counts up to and including `now`.
* Overlapping or touching periods are merged first, so parallel jobs never count twice.
* The days of the merged periods (cut at `now`) are added up and laid end to end so that they finish on `now`;
  that single span is measured in calendar months (clamped at month ends: 31 Jan + 1 month = 28/29 Feb) plus
  the remaining days. Work still going on is therefore measured exactly as the calendar says; a period that
  ended earlier is measured by its number of days against the calendar just before `now` (so a month may
  differ by a day from its own calendar). Anchoring at `now` is what makes the rule safe: adding a period
  can only lengthen the span, and the order in which periods are entered never matters.
* A requirement of N years is N × 12 calendar months; it is met when the span reaches it.
* The shortfall is the calendar time from the day after `now` to the day the requirement would be met by
  working on. Shown to people, what someone *has* is floored to whole months and a shortfall is rounded up
  to whole months ("needs 4 years; has 2 years 7 months; short 1 year 5 months"); under one month the
  shortfall is shown in days. Exact values stay in the params.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any


def add_months(day: date, months: int) -> date:
    """`day` moved by `months` calendar months, clamped to the last day of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def add_years(day: date, years: int) -> date:
    """`day` moved by whole years (29 Feb → 28 Feb in a common year)."""
    return add_months(day, 12 * years)


@dataclass(frozen=True, order=True)
class Duration:
    """Whole calendar months plus remaining days (days < 31), ordered months first."""

    months: int = 0
    days: int = 0

    @classmethod
    def of(cls, years: int = 0, months: int = 0) -> Duration:
        """A whole-month duration from years and months (requirements are stated this way)."""
        return cls(years * 12 + months, 0)

    @property
    def is_zero(self) -> bool:
        """True when nothing at all."""
        return self.months == 0 and self.days == 0

    def as_dict(self) -> dict[str, int]:
        """{years, months, days}: the exact value for params."""
        return {"years": self.months // 12, "months": self.months % 12, "days": self.days}

    def floor_dict(self) -> dict[str, int]:
        """{years, months, days=0}: what someone has, shown without days."""
        return {"years": self.months // 12, "months": self.months % 12, "days": 0}

    def shortfall_dict(self) -> dict[str, int]:
        """A shortfall for display: whole months rounded up, or days when under a month."""
        if self.months == 0:
            return {"years": 0, "months": 0, "days": self.days}
        months = self.months + (1 if self.days else 0)
        return {"years": months // 12, "months": months % 12, "days": 0}


def period_length(start: date, end: date) -> Duration:
    """Calendar months and days of the inclusive period start … end (empty if end < start)."""
    stop = end + timedelta(days=1)
    if stop <= start:
        return Duration()
    months = (stop.year - start.year) * 12 + stop.month - start.month
    # A month counts only once its anniversary is reached (with clamping for short months).
    while months > 0 and add_months(start, months) > stop:
        months -= 1
    return Duration(months, (stop - add_months(start, months)).days)


def merge_periods(periods: Iterable[tuple[date, date]]) -> list[tuple[date, date]]:
    """Inclusive periods merged where they overlap or touch, sorted by start; empty ones dropped."""
    merged: list[tuple[date, date]] = []
    for start, end in sorted(p for p in periods if p[1] >= p[0]):
        if merged and start <= merged[-1][1] + timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def clip_periods(periods: Iterable[tuple[date, date]], since: date, until: date) -> list[tuple[date, date]]:
    """Periods cut to since … until inclusive; parts outside are dropped."""
    clipped = ((max(s, since), min(e, until)) for s, e in periods)
    return [(s, e) for s, e in clipped if e >= s]


@dataclass(frozen=True)
class WorkSpan:
    """Merged work laid end to end, finishing on `now` (see the module docstring)."""

    days: int
    start: date | None  #: the virtual first day; None when nothing was worked
    last_day: date | None

    @property
    def length(self) -> Duration:
        """The span in calendar months and days."""
        if self.start is None or self.last_day is None:
            return Duration()
        return period_length(self.start, self.last_day)

    def meets(self, needed: Duration) -> bool:
        """True when the span reaches `needed` (whole months, as requirements are stated)."""
        return self.length >= needed

    def shortfall(self, needed: Duration, now: date) -> Duration:
        """Calendar time still to work from the day after `now` until `needed` is reached."""
        if self.meets(needed):
            return Duration()
        start = self.start if self.start is not None else now + timedelta(days=1)
        target = add_months(start, needed.months) - timedelta(days=1)
        return period_length(now + timedelta(days=1), target)


def work_span(periods: Iterable[tuple[date, date]], now: date) -> WorkSpan:
    """The span of inclusive periods, cut at `now`, with overlaps merged, laid out to finish on `now`."""
    merged = merge_periods(clip_periods(periods, date.min, now))
    if not merged:
        return WorkSpan(0, None, None)
    days = sum((end - start).days + 1 for start, end in merged)
    return WorkSpan(days, now - timedelta(days=days - 1), now)


def total_length(periods: Iterable[tuple[date, date]], now: date) -> Duration:
    """Total of inclusive periods up to `now` with overlaps merged, in calendar months and days."""
    return work_span(periods, now).length


def age_on(birth_date: date, today: date) -> int:
    """Whole years of age on `today` (a 29 Feb birthday comes of age on 28 Feb in common years)."""
    years = today.year - birth_date.year
    return years if add_years(birth_date, years) <= today else years - 1


def comparison_params(needed: Duration, span: WorkSpan, now: date) -> dict[str, Any]:
    """The params of a duration check: needed, has (floored), shortfall (rounded up), and exact values."""
    has = span.length
    short = span.shortfall(needed, now)
    return {
        "needed": needed.floor_dict(),
        "has": has.floor_dict(),
        "shortfall": short.shortfall_dict(),
        "has_exact": has.as_dict(),
        "shortfall_exact": short.as_dict(),
    }
