"""Certification bodies, their sites and rooms, occupations and filings, organisations and people."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from certify.core.db import db
from certify.core.types import UTCDateTime, enum_column


class BodyType(enum.StrEnum):
    """S: third-party certification body; Y: employer (用人单位) body."""

    THIRD_PARTY = "S"
    EMPLOYER = "Y"


class IdType(enum.StrEnum):
    """Identity documents a person may register with."""

    RESIDENT_ID = "resident_id"
    PASSPORT = "passport"
    HK_MACAO_PERMIT = "hk_macao_permit"
    TAIWAN_PERMIT = "taiwan_permit"
    FOREIGN_PERMANENT_RESIDENT = "foreign_permanent_resident"


class OrganisationKind(enum.StrEnum):
    """What an organisation is to the platform."""

    EMPLOYER = "employer"
    TRAINING_INSTITUTION = "training_institution"
    OTHER = "other"


class Body(db.Model):
    """A certification body (评价机构) as filed."""

    __tablename__ = "bodies"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_type: Mapped[BodyType] = mapped_column(enum_column(BodyType, 1))
    #: 4-digit body code; "0000" when filed with a province
    code: Mapped[str] = mapped_column(sa.String(4))
    #: 2-digit province code (e.g. "11" Beijing)
    province_code: Mapped[str] = mapped_column(sa.String(2))
    #: the name exactly as filed; printed on certificates
    name: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str | None] = mapped_column(sa.String(200))
    timezone: Mapped[str] = mapped_column(sa.String(60), default="Asia/Shanghai")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    sites: Mapped[list[Site]] = relationship(back_populates="body", order_by="Site.serial")
    filings: Mapped[list[BodyOccupation]] = relationship(back_populates="body")

    __table_args__ = (sa.UniqueConstraint("province_code", "name"),)


class Site(db.Model):
    """An assessment site (考点) of a body."""

    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id"), index=True)
    #: 6-digit site serial printed in certificate numbers
    serial: Mapped[str] = mapped_column(sa.String(6))
    name: Mapped[str] = mapped_column(sa.String(200))
    address: Mapped[str] = mapped_column(sa.String(300))
    active: Mapped[bool] = mapped_column(default=True)

    body: Mapped[Body] = relationship(back_populates="sites")
    rooms: Mapped[list[Room]] = relationship(back_populates="site", order_by="Room.name")

    __table_args__ = (sa.UniqueConstraint("body_id", "serial"),)


class Room(db.Model):
    """An exam or practical room at a site."""

    __tablename__ = "rooms"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    seats: Mapped[int]

    site: Mapped[Site] = relationship(back_populates="rooms")

    __table_args__ = (
        sa.UniqueConstraint("site_id", "name"),
        sa.CheckConstraint("seats > 0", name="seats_positive"),
    )


class Occupation(db.Model):
    """An occupation of the national catalogue (职业分类大典) with its standard version."""

    __tablename__ = "occupations"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: national occupation code, e.g. "4-13-03-02"
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name_zh: Mapped[str] = mapped_column(sa.String(100))
    name_en: Mapped[str | None] = mapped_column(sa.String(150))
    #: edition of the national occupational skill standard, e.g. "2023"
    standard_version: Mapped[str] = mapped_column(sa.String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    directions: Mapped[list[OccupationDirection]] = relationship(
        back_populates="occupation", order_by="OccupationDirection.position"
    )


class OccupationDirection(db.Model):
    """A direction (职业方向) of an occupation, e.g. 陶瓷 for 文物修复师."""

    __tablename__ = "occupation_directions"

    id: Mapped[int] = mapped_column(primary_key=True)
    occupation_id: Mapped[int] = mapped_column(sa.ForeignKey("occupations.id"), index=True)
    name_zh: Mapped[str] = mapped_column(sa.String(100))
    name_en: Mapped[str | None] = mapped_column(sa.String(150))
    position: Mapped[int] = mapped_column(default=0)

    occupation: Mapped[Occupation] = relationship(back_populates="directions")

    __table_args__ = (sa.UniqueConstraint("occupation_id", "name_zh"),)


class BodyOccupation(db.Model):
    """A body's filing (备案) for an occupation: it may certify only what it is filed for."""

    __tablename__ = "body_occupations"

    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id"), primary_key=True)
    occupation_id: Mapped[int] = mapped_column(sa.ForeignKey("occupations.id"), primary_key=True)
    filed_on: Mapped[date]
    #: the filing document's reference number
    reference: Mapped[str | None] = mapped_column(sa.String(100))

    body: Mapped[Body] = relationship(back_populates="filings")
    occupation: Mapped[Occupation] = relationship()


class Organisation(db.Model):
    """An employer, training institution or other organisation people belong to."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(enum_column(OrganisationKind))


class Person(db.Model):
    """A human being known to the platform: staff member or candidate."""

    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    id_type: Mapped[IdType] = mapped_column(enum_column(IdType))
    #: normalised (upper-case, no spaces) document number
    id_number: Mapped[str] = mapped_column(sa.String(32))
    birth_date: Mapped[date | None]
    phone: Mapped[str | None] = mapped_column(sa.String(30))
    employer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    #: the body that registered this person (scopes what its staff see)
    body_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bodies.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    employer: Mapped[Organisation | None] = relationship()
    photo: Mapped[PersonPhoto | None] = relationship(back_populates="person", uselist=False)
    account = relationship("User", foreign_keys="User.person_id", uselist=False, viewonly=True)

    __table_args__ = (sa.UniqueConstraint("id_type", "id_number"),)


class PersonPhoto(db.Model):
    """A person's certificate photo, checked by content at upload."""

    __tablename__ = "person_photos"

    person_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True)
    content_type: Mapped[str] = mapped_column(sa.String(40))
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
    width: Mapped[int]
    height: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    person: Mapped[Person] = relationship(back_populates="photo")
