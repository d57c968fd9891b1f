"""Helpers of the session, enrolment, paper and ticket tests: a world whose blueprint really assembles (the bank
world with one question of each type on every point), a site of two 3-seat rooms, invigilators who declared no
conflict, candidates with approved applications, and an upcoming session made by `create_session`."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import timedelta

from PIL import Image

from certify.applications.models import Application, ApplicationState
from certify.auth.models import Role, User
from certify.bank.models import BlueprintRecord
from certify.core.clock import now_utc
from certify.core.db import db
from certify.exams import sessions_ops
from certify.exams.models import ExamSession
from certify.institutions import operations
from certify.institutions.models import PersonPhoto, Room, Site
from tests.bank.test_blueprints_support import audit_entries, make_blueprint, make_questions, texts
from tests.bank.world import LEVEL, BankWorld, bank_world
from tests.exams.world import declare_none
from tests.factories import make_user

__all__ = ["audit_entries", "texts"]


@dataclass
class SessionsWorld:
    bank: BankWorld
    blueprint: BlueprintRecord
    site: Site
    rooms: list[Room]  #: two rooms of 3 seats
    invigilators: list[User]  #: four, each with a general declaration
    supervisor: User
    candidates: list[User]
    applications: list[Application]
    session: ExamSession | None = None
    extra: dict = field(default_factory=dict)

    @property
    def body(self):
        return self.bank.body

    @property
    def admin(self) -> User:
        return self.bank.admin


def approve_application(user: User, world_bank: BankWorld, level: int = LEVEL) -> Application:
    """An approved application of `user` for the bank world's occupation at `level` (written as a row)."""
    now = now_utc()
    app = Application(
        body_id=world_bank.body.id,
        candidate_person_id=user.person_id,
        occupation_id=world_bank.occupation.id,
        level_ordinal=level,
        state=ApplicationState.APPROVED,
        created_at=now,
        updated_at=now,
        decided_at=now,
    )
    db.session.add(app)
    db.session.commit()
    return app


def session_values(world: SessionsWorld, **changes) -> dict:
    """Valid values of a session two days ahead (window 3 h, 90 minutes), both rooms."""
    opens = (now_utc() + timedelta(days=2)).replace(second=0, microsecond=0)
    values = {
        "name": "2026年文物修复师高级工理论知识考试",
        "occupation_id": world.bank.occupation.id,
        "level_ordinal": LEVEL,
        "blueprint_id": world.blueprint.id,
        "site_id": world.site.id,
        "room_ids": [room.id for room in world.rooms],
        "opens_at": opens,
        "closes_at": opens + timedelta(hours=3),
        "duration_minutes": 90,
        "expiry_policy": "auto_submit",
        "grace_minutes": None,
        "candidates_per_invigilator": 15,
        "min_invigilators_per_room": 2,
    }
    return {**values, **changes}


def sessions_world(candidates: int = 4, *, session: bool = True, seats: int = 3) -> SessionsWorld:
    """Build and commit the world (and, by default, an upcoming session of both rooms)."""
    bank = bank_world()
    make_questions(bank)
    blueprint = make_blueprint(bank)
    site = operations.save_site(
        bank.body, None, {"serial": "000001", "name": "示例考点", "address": "北京市示例路 1 号", "active": True}
    )
    rooms = [operations.save_room(site, None, {"name": f"第{n}考场", "seats": seats}) for n in (1, 2)]
    db.session.commit()
    invigilators = [make_user(f"sinv{n}", Role.INVIGILATOR, body=bank.body) for n in range(1, 5)]
    for user in invigilators:
        declare_none(user)
    db.session.commit()
    supervisor = make_user("ssup", Role.SUPERVISOR, body=bank.body)
    people = [make_user(f"scand{n}", Role.CANDIDATE, body=bank.body) for n in range(1, candidates + 1)]
    applications = [approve_application(user, bank) for user in people]
    world = SessionsWorld(bank, blueprint, site, rooms, invigilators, supervisor, people, applications)
    if session:
        world.session = sessions_ops.create_session(bank.body, session_values(world), bank.admin)
        db.session.commit()
    return world


def add_photo(user: User) -> bytes:
    """Give a person a (plain) certificate photo; returns its bytes."""
    buffer = io.BytesIO()
    Image.new("RGB", (295, 413), (240, 240, 250)).save(buffer, format="PNG")
    data = buffer.getvalue()
    db.session.add(
        PersonPhoto(
            person_id=user.person_id,
            content_type="image/png",
            data=data,
            width=295,
            height=413,
            sha256="0" * 64,
            uploaded_at=now_utc(),
        )
    )
    db.session.commit()
    return data


def staff_rooms(world: SessionsWorld) -> None:
    """Two invigilators in each room (through the operation), committed."""
    from certify.exams import room_staff_ops

    for index, user in enumerate(world.invigilators):
        room_staff_ops.assign_invigilator(world.session.rooms[index // 2], user.person_id, world.admin)
    db.session.commit()
