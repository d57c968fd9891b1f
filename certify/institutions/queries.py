"""Read-side loaders for people and accounts."""

from __future__ import annotations

import sqlalchemy as sa

from certify.auth.models import Role, User, UserRole
from certify.institutions.models import Person


def people_of_body(body_id: int, *, search: str = "", role: str = "", limit: int = 200) -> sa.Select:
    """People registered by a body, optionally filtered by a name/ID fragment and a role."""
    stmt = sa.select(Person).where(Person.body_id == body_id).order_by(Person.name)
    if search:
        like = f"%{search.strip()}%"
        stmt = stmt.where(sa.or_(Person.name.ilike(like), Person.id_number.ilike(like)))
    if role in {r.value for r in Role}:
        stmt = stmt.join(User, User.person_id == Person.id).join(UserRole).where(UserRole.role == Role(role))
    return stmt.limit(limit)


def account_of(person_id: int) -> sa.Select:
    return sa.select(User).where(User.person_id == person_id)
