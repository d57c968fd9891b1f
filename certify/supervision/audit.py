"""The audit service every domain calls: append an entry in the caller's transaction; verify the chain."""

from __future__ import annotations

import contextvars
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from certify.core.clock import now_utc
from certify.core.db import db
from certify.supervision.models import AuditEntry

GENESIS_HASH = "0" * 64
#: PostgreSQL advisory lock that serialises appends so that two transactions never chain onto the same entry
_CHAIN_LOCK_ID = 7_304_215_000


@dataclass(frozen=True)
class Actor:
    """Who is acting: a user id (or None) and a label that survives renames."""

    user_id: int | None
    label: str
    request_id: str | None = None
    ip: str | None = None


SYSTEM = Actor(None, "system")
_current_actor: contextvars.ContextVar[Actor] = contextvars.ContextVar("certify_actor", default=SYSTEM)


def set_actor(actor: Actor) -> contextvars.Token:
    """Declare who acts for the rest of this request, command or job."""
    return _current_actor.set(actor)


def reset_actor(token: contextvars.Token) -> None:
    """Forget the actor set by set_actor."""
    _current_actor.reset(token)


def current_actor() -> Actor:
    """The actor set for this request/command, or the system."""
    return _current_actor.get()


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    if hasattr(value, "value"):
        return value.value
    raise TypeError(f"cannot audit a {type(value).__name__}")


def canonical_json(value: Any) -> str | None:
    """Deterministic JSON (sorted keys, no spaces, UTF-8 kept) used both for storage and for hashing."""
    if value is None:
        return None
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_default)


def entry_hash(entry: AuditEntry) -> str:
    """SHA-256 over the previous hash and every field of the entry."""
    fields = [
        entry.seq,
        entry.at.isoformat(timespec="microseconds"),
        entry.actor_id,
        entry.actor_label,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.before,
        entry.after,
        entry.reason,
        entry.request_id,
        entry.ip,
        entry.prev_hash,
    ]
    payload = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record(
    action: str,
    *,
    object_type: str | None = None,
    object_id: Any = None,
    before: Any = None,
    after: Any = None,
    reason: str | None = None,
    actor: Actor | None = None,
) -> AuditEntry:
    """Append an audit entry in the current transaction (flushed, never committed here)."""
    actor = actor or current_actor()
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(_CHAIN_LOCK_ID)))
    last = session.execute(sa.select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)).first()
    entry = AuditEntry(
        seq=(last.seq + 1) if last else 1,
        at=now_utc(),
        actor_id=actor.user_id,
        actor_label=actor.label[:120],
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        before=canonical_json(before),
        after=canonical_json(after),
        reason=reason,
        request_id=actor.request_id,
        ip=actor.ip,
        prev_hash=last.hash if last else GENESIS_HASH,
    )
    entry.hash = entry_hash(entry)
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class ChainReport:
    """The outcome of verifying the chain: how many entries were checked and the first broken one, if any."""

    checked: int
    broken_seq: int | None = None
    broken_id: int | None = None
    problem: str | None = None

    @property
    def intact(self) -> bool:
        return self.broken_seq is None


def _entries_in_order(batch: int = 2000) -> Iterator[AuditEntry]:
    last_seq = 0
    while True:
        rows = (
            db.session.execute(
                sa.select(AuditEntry).where(AuditEntry.seq > last_seq).order_by(AuditEntry.seq).limit(batch)
            )
            .scalars()
            .all()
        )
        if not rows:
            return
        yield from rows
        last_seq = rows[-1].seq
        db.session.expunge_all()


def verify_chain() -> ChainReport:
    """Walk the chain in order and name the first entry whose hash, link or position does not hold."""
    expected_prev, expected_seq, checked = GENESIS_HASH, 1, 0
    for entry in _entries_in_order():
        if entry.seq != expected_seq:
            return ChainReport(checked, entry.seq, entry.id, f"expected entry {expected_seq}, found {entry.seq}")
        if entry.prev_hash != expected_prev:
            return ChainReport(checked, entry.seq, entry.id, "link to the previous entry does not match")
        if entry_hash(entry) != entry.hash:
            return ChainReport(checked, entry.seq, entry.id, "content does not match its hash (modified)")
        expected_prev, expected_seq, checked = entry.hash, expected_seq + 1, checked + 1
    return ChainReport(checked)


def entries_for(object_type: str, object_id: Any) -> list[AuditEntry]:
    """Audit entries about one object, oldest first."""
    return list(
        db.session.execute(
            sa.select(AuditEntry)
            .where(AuditEntry.object_type == object_type, AuditEntry.object_id == str(object_id))
            .order_by(AuditEntry.seq)
        ).scalars()
    )
