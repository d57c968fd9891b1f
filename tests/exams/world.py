"""A small theory-exam world shared by the exam tests, written directly as rows (each test exercises the operation
it is about, not the ones that built its world).

A body filed for 文物修复师 (from the bank world), six approved questions of every kind on forms A and B
(100 points, two of them hand-marked), a site with two rooms, two invigilators per room who declared no
conflict, markers, a supervisor, and a session open now (window ±2 h, 90 minutes) with candidates enrolled,
seated and ticketed. Nobody is checked in or started unless asked.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from certify.auth.models import Role, User
from certify.bank import lifecycle, questions_ops
from certify.bank.models import AssemblyRun, BlueprintRecord, PaperItem, PaperRecord
from certify.core.clock import now_utc
from certify.core.db import db
from certify.exams.models import (
    ExamAttempt,
    ExamSession,
    ExpiryPolicy,
    RoomInvigilator,
    SessionRoom,
)
from certify.institutions import operations
from certify.institutions.models import Room, Site
from certify.recusal.models import Declaration
from question_bank.model import Accept, Blank, Question
from tests.bank.world import LEVEL, BankWorld, bank_world
from tests.factories import make_user

#: (question, points) of form A in order; form B has the same items, reversed
QUESTIONS = (
    (Question("true_false", "文物修复应遵循最小干预原则。", answer=("true",), difficulty=2, point_code="A-A-001"), 10),
    (
        Question(
            "single_choice", "陶瓷器清洗首选：", options=("去离子水", "盐酸", "漂白剂", "汽油"), answer=("A",),
            difficulty=3, point_code="A-B-001",
        ),
        20,
    ),
    (
        Question(
            "multiple_choice", "修复档案应记录：", options=("病害", "材料", "工艺", "修复者籍贯"),
            answer=("A", "B", "C"), difficulty=3, point_code="B-A-001",
        ),
        20,
    ),
    (
        Question(
            "fill_in", "青铜器有害锈的主要成分是____。", blanks=(Blank((Accept("氯化亚铜"), Accept("CuCl"))),),
            difficulty=3, point_code="B-A-002",
        ),
        20,
    ),
    (Question("short_answer", "简述文物修复档案的主要内容。", marking_scheme="病害、材料、工艺、照片。", difficulty=3,
              point_code="B-B-001"), 15),
    (Question("essay", "论述可逆性原则在陶瓷修复中的应用。", marking_scheme="可逆材料、记录、再处理。", difficulty=4,
              point_code="B-B-002"), 15),
)  # fmt: skip

#: a full-marks response per position of form A (hand-marked ones get text)
FULL_MARKS = {1: "true", 2: ["A"], 3: ["A", "B", "C"], 4: ["氯化亚铜"], 5: "病害、材料、工艺与照片。", 6: "可逆材料……"}


@dataclass
class ExamWorld:
    bank: BankWorld
    site: Site
    rooms: list[Room]
    session: ExamSession
    session_rooms: list[SessionRoom]
    papers: dict[str, PaperRecord]
    invigilators: list[User]  #: two per room: [0], [1] in room 1; [2], [3] in room 2
    markers: list[User]  #: three assessors
    leader: User  #: a senior assessor (group leader / third marker)
    supervisor: User
    candidates: list[User]
    attempts: list[ExamAttempt] = field(default_factory=list)

    @property
    def body(self):
        return self.bank.body

    @property
    def admin(self) -> User:
        return self.bank.admin


def _paper(run: AssemblyRun, form: str, versions: list) -> PaperRecord:
    paper = PaperRecord(run_id=run.id, form=form, seed="w", total_points=Decimal(100), mean_difficulty=3.0)
    db.session.add(paper)
    db.session.flush()
    order = list(range(len(versions))) if form == "A" else list(reversed(range(len(versions))))
    for position, index in enumerate(order, start=1):
        version, points = versions[index]
        db.session.add(
            PaperItem(
                paper_id=paper.id, position=position, question_id=version.question_id, version_id=version.id,
                type_key=version.qtype, points=Decimal(points), cell=version.point_code.rsplit("-", 1)[0],
                point_code=version.point_code, difficulty=float(version.difficulty),
            )
        )  # fmt: skip
    db.session.flush()
    return paper


def declare_none(user: User, session: ExamSession | None = None) -> None:
    """A general "no conflicts known" declaration (or one for the session), as assignments require."""
    db.session.add(
        Declaration(
            person_id=user.person_id,
            declared_at=now_utc(),
            none_known=True,
            context_type="exam_session" if session else None,
            context_id=session.id if session else None,
        )
    )
    db.session.flush()


def exam_world(
    candidates: int = 3,
    *,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    duration_minutes: int = 90,
    expiry: ExpiryPolicy = ExpiryPolicy.AUTO_SUBMIT,
) -> ExamWorld:
    """Build the world and commit it; candidates alternate forms A/B and fill room 1 before room 2 (5 seats)."""
    bank = bank_world()
    now = now_utc().replace(microsecond=0)
    body, occupation = bank.body, bank.occupation
    versions = []
    for question, points in QUESTIONS:
        bank_question = questions_ops.create_question(body, occupation, LEVEL, question, bank.author)
        version = bank_question.latest
        lifecycle.submit_version(version, bank.author)
        lifecycle.approve_version(version, bank.reviewer)
        versions.append((version, points))
    blueprint = BlueprintRecord(
        body_id=body.id, occupation_id=occupation.id, level_ordinal=LEVEL, name="理论知识组卷方案", spec="{}",
        created_at=now, updated_at=now, created_by_id=bank.admin.id,
    )  # fmt: skip
    db.session.add(blueprint)
    db.session.flush()
    run = AssemblyRun(blueprint_id=blueprint.id, seed="w", spec="{}", window="w", created_at=now)
    db.session.add(run)
    db.session.flush()
    papers = {form: _paper(run, form, versions) for form in ("A", "B")}
    site = operations.save_site(
        body, None, {"serial": "000001", "name": "示例考点", "address": "北京市示例路 1 号", "active": True}
    )
    rooms = [operations.save_room(site, None, {"name": f"第{n}考场", "seats": 5}) for n in (1, 2)]
    session = ExamSession(
        body_id=body.id, name="文物修复师高级工理论知识考试", occupation_id=occupation.id, level_ordinal=LEVEL,
        blueprint_id=blueprint.id, site_id=site.id, opens_at=opens_at or now - timedelta(hours=2),
        closes_at=closes_at or now + timedelta(hours=2), duration_minutes=duration_minutes, expiry_policy=expiry,
        run_id=run.id, papers_generated_at=now, created_at=now, created_by_id=bank.admin.id,
    )  # fmt: skip
    db.session.add(session)
    db.session.flush()
    session_rooms = []
    for room in rooms:
        session_room = SessionRoom(session_id=session.id, room_id=room.id, room_code=secrets.token_hex(3).upper())
        db.session.add(session_room)
        session_rooms.append(session_room)
    db.session.commit()
    invigilators = [make_user(f"invig{n}", Role.INVIGILATOR, body=body) for n in range(1, 5)]
    markers = [make_user(f"marker{n}", Role.ASSESSOR, body=body) for n in range(1, 4)]
    leader = make_user("leader", Role.SENIOR_ASSESSOR, Role.ASSESSOR, body=body)
    supervisor = make_user("supervisor1", Role.SUPERVISOR, body=body)
    people = [make_user(f"cand{n}", Role.CANDIDATE, body=body) for n in range(1, candidates + 1)]
    for user in [*invigilators, *markers, leader]:
        declare_none(user)
    for index, user in enumerate(invigilators):
        db.session.add(
            RoomInvigilator(session_room_id=session_rooms[index // 2].id, person_id=user.person_id, assigned_at=now)
        )
    world = ExamWorld(
        bank, site, rooms, session, session_rooms, papers, invigilators, markers, leader, supervisor, people
    )
    for index, user in enumerate(people):
        room_index, seat = divmod(index, 5)
        attempt = ExamAttempt(
            session_id=session.id, candidate_person_id=user.person_id, session_room_id=session_rooms[room_index].id,
            seat=seat + 1, ticket_number=f"2026{session.id:04d}{index + 1:04d}", paper_id=papers["AB"[index % 2]].id,
            candidate_seed=str(1000 + index),
        )  # fmt: skip
        db.session.add(attempt)
        world.attempts.append(attempt)
    db.session.commit()
    return world
