"""Login throttling rules (pure): exponential backoff per key, capped, forgotten after a quiet window.

Keys: the client IP; the account from that IP; the account from anywhere (a low cap, so that an attacker can
delay a candidate by seconds, never lock them out); and a trusted device (a browser that signed in to this account
before carries a signed cookie and is counted apart from everybody else, as OWASP's device-cookie scheme does).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ThrottlePolicy:
    """Free failures before backoff, the first delay and its cap (seconds)."""

    free_failures: int
    first_delay: int
    cap: int

    def delay_after(self, failures: int) -> timedelta:
        """Delay imposed after the `failures`-th consecutive failure."""
        over = failures - self.free_failures
        if over <= 0:
            return timedelta(0)
        return timedelta(seconds=min(self.first_delay * 2 ** min(over - 1, 30), self.cap))


@dataclass(frozen=True)
class Counter:
    """The stored state of one key."""

    failures: int
    last_failure_at: datetime
    blocked_until: datetime | None


def effective_failures(counter: Counter | None, now: datetime, window: timedelta) -> int:
    """Failures that still count: a key quiet for longer than `window` starts again from zero."""
    if counter is None or now - counter.last_failure_at > window:
        return 0
    return counter.failures


def retry_after(counter: Counter | None, now: datetime) -> int:
    """Seconds until this key may try again (0 = now)."""
    if counter is None or counter.blocked_until is None or counter.blocked_until <= now:
        return 0
    return max(1, int((counter.blocked_until - now).total_seconds() + 0.999))


def after_failure(counter: Counter | None, policy: ThrottlePolicy, now: datetime, window: timedelta) -> Counter:
    """The key's state after one more failure."""
    failures = effective_failures(counter, now, window) + 1
    delay = policy.delay_after(failures)
    return Counter(failures, now, now + delay if delay else None)
