"""The ladder as a reference table, so that reports and joins can name levels in SQL too."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from certify.core.db import db


class LevelRow(db.Model):
    """One level of the eight-level ladder (rows inserted by the migration that creates the table)."""

    __tablename__ = "levels"

    #: ladder ordinal 1–8, the product's name for a level everywhere
    ordinal: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    key: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(sa.String(20))
    name_en: Mapped[str] = mapped_column(sa.String(40))
    #: national grade digit 5…1, only for the five certified levels
    grade_digit: Mapped[int | None]
    #: "certification" or "appointment"
    obtained_by: Mapped[str] = mapped_column(sa.String(20))
