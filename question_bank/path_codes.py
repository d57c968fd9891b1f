"""Path codes of the element table: "A-B-C-007" = range letters from the top, then a 3-digit point."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PathCode:
    """A parsed path code: range letters from the top and the point number (None for a range code)."""

    ranges: tuple[str, ...]
    point: int | None = None

    def __str__(self) -> str:
        return format_path_code(self.ranges, self.point)


LETTER = re.compile(r"^[A-Z]$")
NUMBER = re.compile(r"^\d{3}$")


def parse_path_code(text: str) -> PathCode:
    """Parse "A-B-C-007" (a point) or "A-B" (a range); raises ValueError saying what is wrong."""
    parts = [part.strip() for part in str(text).strip().upper().split("-")]
    if not parts or parts == [""]:
        raise ValueError("empty path code")
    point: int | None = None
    if NUMBER.match(parts[-1]):
        point = int(parts.pop())
        if point == 0:
            raise ValueError(f"{text!r}: point numbers start at 001")
    bad = [part for part in parts if not LETTER.match(part)]
    if bad or not parts:
        raise ValueError(f"{text!r}: range codes must be single letters A–Z separated by '-', then a 3-digit point")
    return PathCode(tuple(parts), point)


def format_path_code(ranges: tuple[str, ...] | list[str], point: int | None = None) -> str:
    """Format range letters and an optional point number as "A-B-007"."""
    code = "-".join(ranges)
    return f"{code}-{point:03d}" if point is not None else code


def cell_of(point_code: str, cells: Mapping[str, Any]) -> str | None:
    """The cell (weighted range path) that contains a point or range path code, if any."""
    parts = point_code.split("-")
    for end in range(len(parts), 0, -1):
        prefix = "-".join(parts[:end])
        if prefix in cells:
            return prefix
    return None
