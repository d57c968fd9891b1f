"""Rules of theory sessions (考场编排), pure: status from the window, staffing need, seats, forms, tickets, seeds.

Nothing here reads the database, the request or the clock: the operations load the facts and pass `now`.
"""

from __future__ import annotations

import enum
import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, Decimal

#: room codes are typed by candidates from a board: no 0/O/Q, 1/I/L, 2/Z, 5/S, 8/B, 6/G or U/V look-alikes
ROOM_CODE_ALPHABET = "ACDEFHJKMNPRTWXY34679"
ROOM_CODE_LENGTH = 6


class SessionStatus(enum.StrEnum):
    """Where a session stands, computed from its window when read (never stored)."""

    UPCOMING = "upcoming"
    OPEN = "open"
    FINISHED = "finished"


def session_status(opens_at: datetime, closes_at: datetime, now: datetime) -> SessionStatus:
    """Upcoming before the window opens, open inside it, finished once it closed."""
    if now < opens_at:
        return SessionStatus.UPCOMING
    if now < closes_at:
        return SessionStatus.OPEN
    return SessionStatus.FINISHED


def invigilators_needed(candidates: int, per_invigilator: int, min_per_room: int) -> int:
    """A room with candidates needs max(min per room, ceil(candidates / per invigilator)); an empty room none."""
    if candidates <= 0:
        return 0
    return max(min_per_room, math.ceil(candidates / max(per_invigilator, 1)))


@dataclass(frozen=True)
class RoomStaffing:
    """One room's staffing against the session's rule."""

    room: str
    candidates: int
    invigilators: int
    needed: int

    @property
    def short(self) -> int:
        return max(0, self.needed - self.invigilators)


@dataclass(frozen=True)
class RoomSeats:
    """A room's capacity and the seats already taken, in the order rooms are filled."""

    key: int
    capacity: int
    taken: frozenset[int] = frozenset()

    def free(self) -> list[int]:
        return [seat for seat in range(1, self.capacity + 1) if seat not in self.taken]


@dataclass(frozen=True)
class SeatPlan:
    """Seats for the candidates in order, as (room key, seat); `missing` > 0 when the rooms are too small."""

    seats: list[tuple[int, int]] = field(default_factory=list)
    free: int = 0
    missing: int = 0


def allocate_seats(rooms: Sequence[RoomSeats], count: int) -> SeatPlan:
    """Fill room by room, lowest free seat first; when fewer seats are free than needed, say how many are missing."""
    free = [(room.key, seat) for room in rooms for seat in room.free()]
    if count > len(free):
        return SeatPlan([], len(free), count - len(free))
    return SeatPlan(free[:count], len(free), 0)


def form_for_seat(seat: int, forms: Sequence[str]) -> str:
    """The form of a seat: forms alternate along the seat numbers, so neighbouring seats never share one."""
    if not forms:
        raise ValueError("no forms to choose from")
    return forms[(seat - 1) % len(forms)]


def ticket_number(year: int, session_id: int, sequence: int) -> str:
    """准考证号: year of the sitting, session number, sequence within the session (e.g. 202600070012)."""
    return f"{year:04d}{session_id:04d}{sequence:04d}"


def ticket_sequence(number: str, prefix: str) -> int | None:
    """The sequence part of a ticket number with the given prefix (None for another prefix)."""
    rest = number[len(prefix) :] if number.startswith(prefix) else ""
    return int(rest) if rest.isdigit() else None


def candidate_seed(run_seed: str, ticket: str) -> str:
    """A candidate's personal question/option order seed, derived from the run's seed and the ticket number
    so that the same run and ticket replay the same order."""
    return hashlib.sha256(f"{run_seed}|{ticket}".encode()).hexdigest()[:32]


def exposure_window(opens_local: datetime) -> str:
    """The assembly exposure window of a sitting: its local year and month, e.g. "2026-12"."""
    return opens_local.strftime("%Y-%m")


class CheckInWindow(enum.StrEnum):
    """Whether check-in and start authorisation may happen now."""

    TOO_EARLY = "too_early"
    OPEN = "open"
    CLOSED = "closed"


def check_in_opens_at(opens_at: datetime, lead_minutes: int) -> datetime:
    """The earliest moment candidates may check in and invigilators may authorise a start."""
    return opens_at - timedelta(minutes=max(0, lead_minutes))


def check_in_window(opens_at: datetime, closes_at: datetime, lead_minutes: int, now: datetime) -> CheckInWindow:
    """Too early before `lead_minutes` ahead of the window, closed once the window closed, open between."""
    if now < check_in_opens_at(opens_at, lead_minutes):
        return CheckInWindow.TOO_EARLY
    if now >= closes_at:
        return CheckInWindow.CLOSED
    return CheckInWindow.OPEN


@dataclass(frozen=True)
class TimeAllowance:
    """A candidate's time before added time: the accommodation's full figure and what the window leaves of it."""

    full_seconds: int
    window_seconds: int

    @property
    def seconds(self) -> int:
        """What the candidate can really get: the window close caps the accommodation."""
        return min(self.full_seconds, self.window_seconds)

    @property
    def capped(self) -> bool:
        return self.full_seconds > self.window_seconds


def time_allowance(duration_minutes: int, multiplier, extra_minutes: int, window_seconds: int) -> TimeAllowance:
    """Duration × multiplier (whole seconds rounded up, as the clock does) + extra minutes, against the window."""
    scaled = (Decimal(duration_minutes * 60) * Decimal(str(multiplier))).to_integral_value(rounding=ROUND_CEILING)
    return TimeAllowance(int(scaled) + extra_minutes * 60, max(0, int(window_seconds)))


def minutes_text(seconds: int) -> str:
    """Seconds as minutes for people: whole minutes plainly, else one decimal rounded up (7350 s → "122.5")."""
    minutes = (Decimal(seconds) / 60).quantize(Decimal("0.1"), rounding=ROUND_CEILING)
    return f"{minutes:f}".removesuffix(".0")
