"""Password hashing with argon2id; parameters come from the app config so they can be raised over time."""

from __future__ import annotations

import itertools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app

MIN_PASSWORD_LENGTH = 10
#: a hash of a random password, verified when the account does not exist so timing does not reveal it
_DUMMY_HASH_CACHE: dict[tuple, str] = {}


def hasher() -> PasswordHasher:
    """The argon2id hasher configured for this app."""
    cfg = current_app.config
    return PasswordHasher(
        time_cost=cfg["ARGON2_TIME_COST"],
        memory_cost=cfg["ARGON2_MEMORY_COST"],
        parallelism=cfg["ARGON2_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    """An argon2id hash of `password`."""
    return hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when `password` matches; spends the same time when there is no stored hash."""
    ph = hasher()
    if stored_hash is None:
        key = (ph.time_cost, ph.memory_cost, ph.parallelism)
        if key not in _DUMMY_HASH_CACHE:
            _DUMMY_HASH_CACHE[key] = ph.hash("certify-dummy-password")
        stored_hash, password = _DUMMY_HASH_CACHE[key], password + "\x00"
    try:
        return ph.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the stored hash was made with other parameters than the configured ones."""
    return hasher().check_needs_rehash(stored_hash)


#: passwords attackers try first (beyond length): NIST SP 800-63B asks to refuse known-weak values
COMMON_PASSWORDS = frozenset(
    {
        "1234567890",
        "0123456789",
        "12345678910",
        "9876543210",
        "1111111111",
        "0000000000",
        "1234512345",
        "qwertyuiop",
        "1q2w3e4r5t",
        "qwerty12345",
        "password123",
        "password1234",
        "passw0rd123",
        "abc1234567",
        "a123456789",
        "iloveyou123",
        "woaini1314",
        "woaini520",
        "5201314520",
        "aaaaaaaaaa",
        "abcdefghij",
        "administrator",
        "admin123456",
        "certify123",
        "1qaz2wsx3edc",
        "zxcvbnm123",
    }
)


def _trivial(password: str) -> bool:
    """One repeated character, or a straight run such as 0123456789 / abcdefghij (either direction)."""
    lowered = password.lower()
    if len(set(lowered)) <= 2:
        return True
    steps = {ord(b) - ord(a) for a, b in itertools.pairwise(lowered)}
    return steps in ({1}, {-1})


def password_problems(password: str, username: str = "", current_hash: str | None = None) -> list[str]:
    """Codes of the password rules `password` breaks (length, known-weak values, name, reuse)."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append("password_too_short")
    if password.lower() in COMMON_PASSWORDS or _trivial(password):
        problems.append("password_too_common")
    if username and username.strip().lower() in password.strip().lower():
        problems.append("password_is_username")
    if current_hash and verify_password(current_hash, password):
        problems.append("password_unchanged")
    return problems
