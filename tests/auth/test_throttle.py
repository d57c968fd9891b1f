"""Login throttling: backoff per key, capped per account so that nobody can lock a candidate out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from certify.auth.models import Role
from certify.auth.throttle import Counter, ThrottlePolicy, after_failure, retry_after
from certify.core.clock import frozen
from tests.factories import login, make_user

T0 = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
WINDOW = timedelta(hours=1)


def test_backoff_doubles_after_the_free_failures_and_stops_at_the_cap():
    policy = ThrottlePolicy(free_failures=5, first_delay=1, cap=30)
    delays = [policy.delay_after(n).total_seconds() for n in range(1, 13)]
    assert delays == [0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 30, 30]


def test_a_quiet_window_forgets_old_failures():
    policy = ThrottlePolicy(1, 1, 60)
    counter = Counter(failures=9, last_failure_at=T0, blocked_until=T0 + timedelta(seconds=60))
    fresh = after_failure(counter, policy, T0 + WINDOW + timedelta(seconds=1), WINDOW)
    assert fresh.failures == 1 and fresh.blocked_until is None
    assert retry_after(counter, T0 + timedelta(seconds=10)) == 50


def test_repeated_failures_are_throttled_with_retry_after(app):
    make_user("alice", Role.CANDIDATE)
    client = app.test_client()
    with frozen(T0):
        statuses = [login(client, "alice", "wrong-password").status_code for _ in range(6)]
        assert statuses == [401] * 6
        throttled = login(client, "alice", "wrong-password", lang="en")
        assert throttled.status_code == 429
        assert int(throttled.headers["Retry-After"]) >= 1
        assert "Too many failed attempts" in throttled.get_data(as_text=True)
        # Even the right password waits: the attacker learns nothing during the delay.
        assert login(client, "alice").status_code == 429
    with frozen(T0 + timedelta(minutes=20)):
        assert login(client, "alice").status_code == 302


def test_an_attacker_cannot_lock_out_a_candidate_on_a_browser_that_signed_in_before(app):
    make_user("alice", Role.CANDIDATE)
    candidate, attacker = app.test_client(), app.test_client()
    with frozen(T0):
        assert login(candidate, "alice").status_code == 302
        from tests.factories import post_form

        post_form(candidate, "/logout")
        for _ in range(40):
            login(attacker, "alice", "guess", environ_base={"REMOTE_ADDR": "203.0.113.9"})
        assert login(attacker, "alice", "guess", environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 429
        # Same account, trusted device (its cookie), another address: not affected by the attacker's failures.
        assert login(candidate, "alice", environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code == 302


def test_a_new_computer_waits_seconds_not_hours_while_an_attack_is_going_on(app):
    make_user("alice", Role.CANDIDATE)
    attacker = app.test_client()
    with frozen(T0):
        for i in range(60):
            login(attacker, "alice", "guess", environ_base={"REMOTE_ADDR": f"203.0.113.{i % 50 + 1}"})
    exam_room = app.test_client()
    with frozen(T0 + timedelta(seconds=31)):
        assert login(exam_room, "alice", environ_base={"REMOTE_ADDR": "198.51.100.20"}).status_code == 302
