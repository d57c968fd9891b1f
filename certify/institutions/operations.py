"""State changes of bodies, sites, rooms, occupations and filings: check, change, audit, flush."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from certify.core.clock import local_date, now_utc
from certify.core.db import db
from certify.core.errors import Problem, Refused
from certify.institutions import rules
from certify.institutions.models import (
    Body,
    BodyOccupation,
    BodyType,
    Occupation,
    OccupationDirection,
    Room,
    Site,
)
from certify.supervision import audit


def _snapshot(obj, fields: tuple[str, ...]) -> dict:
    return {name: getattr(obj, name) for name in fields}


BODY_FIELDS = ("body_type", "code", "province_code", "name", "name_en", "timezone")
SITE_FIELDS = ("serial", "name", "address", "active")
ROOM_FIELDS = ("name", "seats")
OCCUPATION_FIELDS = ("code", "name_zh", "name_en", "standard_version")


def create_body(body_type: BodyType, code: str, province_code: str, name: str, name_en: str | None = None) -> Body:
    """Register a certification body as filed."""
    body = Body(body_type=BodyType(body_type), created_at=now_utc())
    _apply_body(
        body,
        {
            "body_type": BodyType(body_type),
            "code": code,
            "province_code": province_code,
            "name": name,
            "name_en": name_en,
            "timezone": "Asia/Shanghai",
        },
    )
    audit.record("institutions.body_created", object_type="body", object_id=body.id, after=_snapshot(body, BODY_FIELDS))
    return body


def update_body(body: Body, values: dict) -> None:
    """Change a body's filed details."""
    before = _snapshot(body, BODY_FIELDS)
    _apply_body(body, {**before, **values})
    after = _snapshot(body, BODY_FIELDS)
    if after != before:
        audit.record("institutions.body_updated", object_type="body", object_id=body.id, before=before, after=after)


def _apply_body(body: Body, values: dict) -> None:
    problems = rules.body_problems(values["code"], values["province_code"])
    clash = db.session.execute(
        sa.select(Body.id).where(
            Body.province_code == values["province_code"], Body.name == values["name"], Body.id != body.id
        )
    ).first()
    if clash:
        problems.append(Problem("body_name_taken", "name"))
    if problems:
        raise Refused(problems)
    for name in BODY_FIELDS:
        setattr(body, name, values[name])
    db.session.add(body)
    db.session.flush()


def save_site(body: Body, site: Site | None, values: dict) -> Site:
    """Create (site=None) or change a site of `body`."""
    problems = rules.site_serial_problems(values["serial"])
    clash = db.session.execute(
        sa.select(Site.id).where(
            Site.body_id == body.id, Site.serial == values["serial"], Site.id != (site.id if site else -1)
        )
    ).first()
    if clash:
        problems.append(Problem("site_serial_taken", "serial", {"serial": values["serial"]}))
    if problems:
        raise Refused(problems)
    creating = site is None
    site = site or Site(body_id=body.id)
    before = None if creating else _snapshot(site, SITE_FIELDS)
    for name in SITE_FIELDS:
        setattr(site, name, values[name])
    db.session.add(site)
    db.session.flush()
    after = _snapshot(site, SITE_FIELDS)
    if before != after:
        audit.record(
            "institutions.site_created" if creating else "institutions.site_updated",
            object_type="site",
            object_id=site.id,
            before=before,
            after=after,
        )
    return site


def save_room(site: Site, room: Room | None, values: dict) -> Room:
    """Create (room=None) or change a room of `site`."""
    problems = []
    if values["seats"] is None or values["seats"] < 1:
        problems.append(Problem("seats_positive", "seats"))
    clash = db.session.execute(
        sa.select(Room.id).where(
            Room.site_id == site.id, Room.name == values["name"], Room.id != (room.id if room else -1)
        )
    ).first()
    if clash:
        problems.append(Problem("room_name_taken", "name", {"name": values["name"]}))
    if problems:
        raise Refused(problems)
    creating = room is None
    room = room or Room(site_id=site.id)
    before = None if creating else _snapshot(room, ROOM_FIELDS)
    for name in ROOM_FIELDS:
        setattr(room, name, values[name])
    db.session.add(room)
    db.session.flush()
    after = _snapshot(room, ROOM_FIELDS)
    if before != after:
        audit.record(
            "institutions.room_created" if creating else "institutions.room_updated",
            object_type="room",
            object_id=room.id,
            before=before,
            after={**after, "site_id": site.id},
        )
    return room


def save_occupation(occupation: Occupation | None, values: dict) -> Occupation:
    """Create (None) or change an occupation of the catalogue."""
    problems = rules.occupation_code_problems(values["code"])
    clash = db.session.execute(
        sa.select(Occupation.id).where(
            Occupation.code == values["code"], Occupation.id != (occupation.id if occupation else -1)
        )
    ).first()
    if clash:
        problems.append(Problem("occupation_code_taken", "code", {"code": values["code"]}))
    if problems:
        raise Refused(problems)
    creating = occupation is None
    occupation = occupation or Occupation(created_at=now_utc())
    before = None if creating else _snapshot(occupation, OCCUPATION_FIELDS)
    for name in OCCUPATION_FIELDS:
        setattr(occupation, name, values[name])
    db.session.add(occupation)
    db.session.flush()
    after = _snapshot(occupation, OCCUPATION_FIELDS)
    if before != after:
        audit.record(
            "institutions.occupation_created" if creating else "institutions.occupation_updated",
            object_type="occupation",
            object_id=occupation.id,
            before=before,
            after=after,
        )
    return occupation


def add_direction(occupation: Occupation, name_zh: str, name_en: str | None) -> OccupationDirection:
    """Add a direction (职业方向) to an occupation."""
    name_zh = name_zh.strip()
    exists = db.session.execute(
        sa.select(OccupationDirection.id).where(
            OccupationDirection.occupation_id == occupation.id, OccupationDirection.name_zh == name_zh
        )
    ).first()
    if exists:
        raise Refused("direction_taken", field="name_zh", name=name_zh)
    position = len(occupation.directions)
    direction = OccupationDirection(
        occupation_id=occupation.id, name_zh=name_zh, name_en=name_en or None, position=position
    )
    db.session.add(direction)
    db.session.flush()
    audit.record(
        "institutions.direction_added",
        object_type="occupation",
        object_id=occupation.id,
        after={"direction": name_zh, "name_en": name_en},
    )
    return direction


def file_occupation(body: Body, occupation: Occupation, filed_on: date, reference: str | None) -> BodyOccupation:
    """Record the body's filing for an occupation."""
    if db.session.get(BodyOccupation, (body.id, occupation.id)) is not None:
        raise Refused("already_filed", field="occupation_id")
    if filed_on > local_date(now_utc()):
        raise Refused("filed_in_future", field="filed_on")
    filing = BodyOccupation(
        body_id=body.id, occupation_id=occupation.id, filed_on=filed_on, reference=reference or None
    )
    db.session.add(filing)
    db.session.flush()
    audit.record(
        "institutions.occupation_filed",
        object_type="body",
        object_id=body.id,
        after={"occupation": occupation.code, "filed_on": filed_on, "reference": reference},
    )
    return filing
