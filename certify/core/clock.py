"""The one clock: UTC, timezone-aware. Tests move it with `frozen()`; rules take `now=` explicitly instead."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

_frozen: datetime | None = None


def now_utc() -> datetime:
    """The current time in UTC (aware)."""
    return _frozen if _frozen is not None else datetime.now(UTC)


@contextlib.contextmanager
def frozen(at: datetime) -> Iterator[None]:
    """Pin now_utc() to `at` inside the block (tests and replays)."""
    global _frozen
    if at.tzinfo is None:
        raise ValueError("frozen() needs a timezone-aware datetime")
    previous, _frozen = _frozen, at.astimezone(UTC)
    try:
        yield
    finally:
        _frozen = previous


def local_date(at: datetime, timezone: str = "Asia/Shanghai") -> date:
    """The calendar date of an instant in a time zone (rules about days use the body's local date)."""
    return at.astimezone(ZoneInfo(timezone)).date()
