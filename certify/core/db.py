"""The database: Flask-SQLAlchemy with a naming convention, SQLite tuned for concurrent writers.

SQLite: WAL, a generous busy timeout, and BEGIN IMMEDIATE for every transaction that may write, so that two
writers queue on the lock instead of failing with "database is locked" when one upgrades a read to a write.
Requests with safe methods (GET/HEAD/OPTIONS) begin DEFERRED: they never write (a rule the tests keep), and
readers then do not queue behind writers.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLITE_BUSY_TIMEOUT_MS = 15_000


class Base(DeclarativeBase):
    """Declarative base for every model."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

#: "IMMEDIATE" (may write: the default for commands, jobs and unsafe requests) or "DEFERRED" (read-only request).
_sqlite_begin = contextvars.ContextVar("certify_sqlite_begin", default="IMMEDIATE")


def set_read_only_request(read_only: bool) -> contextvars.Token:
    """Mark the current request as read-only (SQLite then begins DEFERRED transactions)."""
    return _sqlite_begin.set("DEFERRED" if read_only else "IMMEDIATE")


def reset_request_mode(token: contextvars.Token) -> None:
    """Undo set_read_only_request at the end of a request."""
    _sqlite_begin.reset(token)


@contextlib.contextmanager
def writing() -> Iterator[None]:
    """Inside a read-only request, take the write lock from the start (for the rare GET that must audit)."""
    token = _sqlite_begin.set("IMMEDIATE")
    try:
        yield
    finally:
        _sqlite_begin.reset(token)


@event.listens_for(Engine, "connect")
def _tune_sqlite(dbapi_connection, connection_record) -> None:
    if type(dbapi_connection).__module__.split(".")[0] not in ("sqlite3", "pysqlite2"):
        return
    # Let SQLAlchemy's "begin" hook below issue BEGIN itself instead of pysqlite's implicit, deferred one.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


@event.listens_for(Engine, "begin")
def _begin_sqlite(conn) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"BEGIN {_sqlite_begin.get()}")


def lock_for_update(stmt: sa.Select) -> sa.Select:
    """SELECT … FOR UPDATE on PostgreSQL; on SQLite the BEGIN IMMEDIATE write lock already serialises writers."""
    return stmt.with_for_update()


def dialect_name() -> str:
    """ "sqlite" or "postgresql"."""
    return db.session.get_bind().dialect.name
