"""Password hashing with argon2id; parameters come from the app config so they can be raised over time."""

from __future__ import annotations

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


def password_problems(password: str, username: str = "") -> list[str]:
    """Codes of the password rules `password` breaks."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append("password_too_short")
    if username and password.strip().lower() == username.strip().lower():
        problems.append("password_is_username")
    return problems
