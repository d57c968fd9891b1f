"""Accounts, roles, server-side login sessions and login throttling counters."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from certify.core.db import db
from certify.core.types import UTCDateTime, enum_column


class Role(enum.StrEnum):
    """What a user does on the platform (a user may hold several)."""

    ADMIN = "admin"
    AUTHOR = "author"
    REVIEWER = "reviewer"
    TRAINER = "trainer"
    INVIGILATOR = "invigilator"
    ASSESSOR = "assessor"
    SENIOR_ASSESSOR = "senior_assessor"
    SUPERVISOR = "supervisor"
    CANDIDATE = "candidate"
    REGULATOR = "regulator"


class User(db.Model):
    """A login account, optionally tied to a person and to the certification body it works for."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: lower-case login name
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    display_name: Mapped[str] = mapped_column(sa.String(120))
    #: "zh_CN" or "en"; None = follow the browser
    locale: Mapped[str | None] = mapped_column(sa.String(10))
    active: Mapped[bool] = mapped_column(default=True)
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("persons.id"), unique=True)
    #: the body a staff member works for; None for candidates, regulators and platform operators
    body_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bodies.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    person = relationship("Person", foreign_keys=[person_id])
    body = relationship("Body")
    role_grants: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(grant.role for grant in self.role_grants)

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))


class UserRole(db.Model):
    """One role held by one user."""

    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[Role] = mapped_column(enum_column(Role), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_grants")


class LoginSession(db.Model):
    """A server-side login session: the browser holds a random token, this row says whether it still counts."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the token held in the signed session cookie (a stolen database does not yield live tokens)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: "logout", "disabled", "password_changed", …
    end_reason: Mapped[str | None] = mapped_column(sa.String(40))
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    user_agent: Mapped[str | None] = mapped_column(sa.String(255))

    user: Mapped[User] = relationship()


class LoginThrottle(db.Model):
    """Failed-login counter for one key (an IP, an account, an account from one IP, a trusted device)."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime())
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
