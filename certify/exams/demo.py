"""The theory-exam part of the demo world, built through the same operations the pages use.

- A session open now (东城考点 · 理论考场一): `candidate1` (approved application) and `candidate2`, `candidate3`
  (imported roster) are checked in by `invigilator`, and the room's Start is authorised: they can start at once.
- A finished session a week ago with eight candidates, replayed on a frozen clock: answers saved through the
  exam engine, six submitted, two auto-submitted by the sweep at their deadline (one had extra time), written
  answers marked blind by `assessor2` and `assessor3`, one pair adjudicated by `senior_assessor`, signed and
  locked — so its item statistics reach the bank.

Running it again changes nothing, except that a new open session is made once the last one has closed.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from certify.auth.models import User
from certify.bank import blueprints_ops, lifecycle, questions_ops
from certify.bank.demo import BLUEPRINT_SPEC, SENIOR
from certify.bank.models import BlueprintRecord, BlueprintState
from certify.core.clock import frozen, now_utc
from certify.core.db import db
from certify.exams import (
    answers_ops,
    attempts_ops,
    enrolment_ops,
    invigilate_ops,
    marking_ops,
    papers_ops,
    room_staff_ops,
    sessions_ops,
    sweep,
)
from certify.exams.models import ExamAttempt, ExamSession, MarkerRole
from certify.exams.presenting import shown_paper, to_display
from certify.exams.queries_marking import board, marker_of
from certify.institutions import people
from certify.institutions.models import Body, Occupation, Person, Room, Site
from question_bank.model import Question

OPEN_NAME = "文物修复师高级工理论知识考试（演示·考试进行中）"
FINISHED_NAME = "文物修复师高级工理论知识考试（演示·已结束）"
HAND_BLUEPRINT = "文物修复师高级工理论知识组卷方案（含主观题）"
TZ = ZoneInfo("Asia/Shanghai")

#: written questions added for the finished session's blueprint (the bank demo has one of each kind only)
EXTRA_QUESTIONS = (
    Question("short_answer", "简述陶瓷器碎片预排与拼接顺序确定的要点。", points=Decimal(10), difficulty=3,
             point_code="B-B-B-002",
             marking_scheme="按器形与纹饰预排（3分）；由底至口、由大到小（3分）；预留最后一片的退出空间（2分）；编号记录（2分）。"),
    Question("calculation", "修复档案照片按 300 dpi 打印为 15 cm × 10 cm，需要多少像素（长 × 宽）？",
             points=Decimal(10), difficulty=3, point_code="B-C-A-002",
             marking_scheme="15 cm ≈ 5.91 in → 1772 px（4分）；10 cm ≈ 3.94 in → 1181 px（4分）；结果表述（2分）。"),
    Question("multiple_choice", "病害调查记录中，裂隙应记录：",
             options=("位置", "长度与走向", "是否贯穿", "修复者姓名"), answer=("A", "B", "C"),
             points=Decimal(3), difficulty=3, point_code="B-A-B-002"),
)  # fmt: skip

#: the finished session's candidates besides candidate4: name, birth year, employer (none shares an assessor's)
EXTRA_CANDIDATES = (
    ("刘雨桐", 1991, "北京示例文物保护中心"),
    ("高志远", 1987, "首都示例博物馆"),
    ("孙慧敏", 1993, "北京示例文物保护中心"),
    ("马骁", 1989, "北京示例考古研究所"),
    ("黄晓燕", 1992, "首都示例博物馆"),
    ("周立群", 1985, "北京示例考古研究所"),
    ("何嘉怡", 1995, "北京示例文物保护中心"),
)


def _user(username: str) -> User:
    return db.session.execute(sa.select(User).where(User.username == username)).scalar_one()


def _session_named(body: Body, name: str) -> ExamSession | None:
    stmt = sa.select(ExamSession).where(ExamSession.body_id == body.id, ExamSession.name.like(f"%{name}"))
    return db.session.execute(stmt.order_by(ExamSession.id.desc())).scalars().first()


def _rooms(body: Body, count: int) -> list[Room]:
    site = db.session.execute(sa.select(Site).where(Site.body_id == body.id, Site.serial == "000001")).scalar_one()
    return [r for r in site.rooms if r.name.startswith("理论考场")][:count]


def _values(name: str, blueprint: BlueprintRecord, rooms: list[Room], opens: datetime, closes: datetime):
    values = sessions_ops.session_defaults()
    values.update(
        name=name, occupation_id=blueprint.occupation_id, level_ordinal=blueprint.level_ordinal,
        blueprint_id=blueprint.id, site_id=rooms[0].site_id, room_ids=[r.id for r in rooms],
        opens_at=opens, closes_at=closes, duration_minutes=90,
    )  # fmt: skip
    return values


def _roster(persons: list[Person]) -> bytes:
    lines = ["证件号码,姓名", *(f"{p.id_number},{p.name}" for p in persons)]
    return ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")


def _staff_rooms(session: ExamSession, admin: User) -> None:
    for session_room in session.rooms:
        for username in ("invigilator", "invigilator2"):
            room_staff_ops.assign_invigilator(session_room, _user(username).person_id, admin)


def seed_exams_demo(body: Body, admin: User) -> None:
    """Both demo sessions, each once (a new open session only when the previous one has closed)."""
    blueprint = (
        db.session.execute(
            sa.select(BlueprintRecord)
            .where(BlueprintRecord.body_id == body.id, BlueprintRecord.state == BlueprintState.APPROVED)
            .order_by(BlueprintRecord.id)
        )
        .scalars()
        .first()
    )
    if blueprint is None:
        return  # no bank demo, no exams
    if _session_named(body, FINISHED_NAME) is None:
        _finished_session(body, admin)
    latest = _session_named(body, OPEN_NAME)
    if latest is None or latest.closes_at <= now_utc() + timedelta(hours=1):
        _open_session(body, admin, blueprint)


def _open_session(body: Body, admin: User, blueprint: BlueprintRecord) -> None:
    now = now_utc().replace(second=0, microsecond=0)
    day = now.astimezone(TZ).date()
    name = f"{day:%Y年%m月%d日} {OPEN_NAME}"
    with frozen(now - timedelta(days=1)):
        values = _values(name, blueprint, _rooms(body, 1), now - timedelta(minutes=30), now + timedelta(hours=8))
        session = sessions_ops.create_session(body, values, admin)
        approved = enrolment_ops.approved_applications(session)
        if approved:
            enrolment_ops.enrol_from_applications(session, [a.id for a in approved], admin)
        others = [_user(n).person for n in ("candidate1", "candidate2", "candidate3")]
        enrolled = {a.candidate_person_id for a in session.attempts}
        roster = [p for p in others if p.id not in enrolled]
        if roster:
            enrolment_ops.import_roster(session, _roster(roster), "考生名单.csv", admin)
        _staff_rooms(session, admin)
        papers_ops.generate_papers(session, admin, seed=f"demo-{day:%Y%m%d}")
    invigilator = _user("invigilator")
    for attempt in session.attempts:
        invigilate_ops.check_in(attempt, invigilator)
    invigilate_ops.authorise_room_start(session.rooms[0], invigilator)
    db.session.flush()


def _hand_blueprint(body: Body, occupation: Occupation, admin: User) -> BlueprintRecord:
    author, reviewer = _user("author"), _user("reviewer")
    for question in EXTRA_QUESTIONS:
        version = questions_ops.create_question(body, occupation, SENIOR, question, author, note="演示题库").latest
        lifecycle.submit_version(version, author)
        lifecycle.approve_version(version, reviewer)
    base = (
        db.session.execute(
            sa.select(BlueprintRecord).where(BlueprintRecord.body_id == body.id).order_by(BlueprintRecord.id)
        )
        .scalars()
        .first()
    )
    spec = {**BLUEPRINT_SPEC, "weights": base.spec_dict()["weights"]}
    spec["types"] = [
        {"type_key": "true_false", "count": 20, "points": 1},
        {"type_key": "single_choice", "count": 30, "points": 1},
        {"type_key": "multiple_choice", "count": 10, "points": 3},
        {"type_key": "short_answer", "count": 1, "points": 10},
        {"type_key": "calculation", "count": 1, "points": 10},
    ]
    blueprint = blueprints_ops.save_blueprint(body, occupation, SENIOR, HAND_BLUEPRINT, spec, admin)
    blueprints_ops.check_feasibility(blueprint)
    blueprints_ops.approve_blueprint(blueprint, reviewer)
    return blueprint


def _extra_people(body: Body) -> list[Person]:
    from certify.core.demo import demo_id_number, demo_photo

    found = []
    for index, (name, year, employer) in enumerate(EXTRA_CANDIDATES):
        number = demo_id_number(datetime(year, 1 + index, 10 + index).date(), 301 + 2 * index)
        person = db.session.execute(sa.select(Person).where(Person.id_number == number)).scalar_one_or_none()
        if person is None:
            values = {"name": name, "id_type": "resident_id", "id_number": number, "phone": "", "employer": employer}
            person = people.register_person(body, values, photo=demo_photo(20 + index))
        found.append(person)
    return found


def _canonical_answer(question: Question, rng: random.Random, strong: bool):
    """A simulated candidate's answer in the version's own option ids: right more often when strong."""
    right = rng.random() < (0.85 if strong else 0.6)
    kind = question.qtype
    if kind == "true_false":
        truth = question.answer[0]
        return truth if right else ("false" if truth == "true" else "true")
    if kind in ("single_choice", "multiple_choice"):
        letters = [chr(65 + i) for i in range(len(question.options))]
        if right:
            return list(question.answer)
        return [rng.choice([x for x in letters if x not in question.answer] or letters)]
    if kind == "fill_in":
        return [b.accepts[0].text if right else "不清楚" for b in question.blanks]
    return "（演示答卷）" + question.marking_scheme[: 40 if strong else 15]


def _sit(attempt: ExamAttempt, rng: random.Random, start: datetime, strong: bool) -> None:
    token = f"demo-{attempt.id:06d}-page"
    with frozen(start):
        attempts_ops.start_attempt(attempt, token, start)
    shown = shown_paper(attempt.paper, attempt.candidate_seed)
    versions = {item.position: item.version.to_question() for item in attempt.paper.items}
    saves = [
        {"position": q.position, "seq": 1, "value": to_display(q, _canonical_answer(versions[q.position], rng, strong))}
        for q in shown.questions
    ]
    at = start + timedelta(minutes=rng.randint(40, 70))
    with frozen(at):
        answers_ops.save_answers(attempt, token, saves, at)


def _finished_session(body: Body, admin: User) -> None:
    occupation = db.session.execute(sa.select(Occupation).where(Occupation.code == "4-13-03-02")).scalar_one()
    day = now_utc().astimezone(TZ).date() - timedelta(days=7)
    opens = datetime.combine(day, time(9, 0), TZ).astimezone(now_utc().tzinfo)
    with frozen(opens - timedelta(days=3)):
        blueprint = _hand_blueprint(body, occupation, admin)
        name = f"{day:%Y年%m月%d日} {FINISHED_NAME}"
        session = sessions_ops.create_session(
            body, _values(name, blueprint, _rooms(body, 1), opens, opens + timedelta(hours=2)), admin
        )
        enrolment_ops.import_roster(
            session, _roster([_user("candidate4").person, *_extra_people(body)]), "名单.csv", admin
        )
        _staff_rooms(session, admin)
        papers_ops.generate_papers(session, admin, seed=f"demo-{day:%Y%m%d}")
    invigilator, rng = _user("invigilator"), random.Random(2026)
    with frozen(opens + timedelta(minutes=5)):
        for attempt in session.attempts:
            invigilate_ops.check_in(attempt, invigilator)
        invigilate_ops.authorise_room_start(session.rooms[0], invigilator)
    attempts = list(session.attempts)
    for index, attempt in enumerate(attempts):
        _sit(attempt, rng, opens + timedelta(minutes=10, seconds=20 * index), strong=index % 3 != 2)
    with frozen(opens + timedelta(minutes=40)):
        invigilate_ops.add_time(attempts[-1], 10, "电脑故障，更换座位用时十分钟", invigilator)
    for attempt in attempts[:-2]:
        at = opens + timedelta(minutes=rng.randint(75, 95))
        with frozen(at):
            attempts_ops.submit_attempt(attempt, f"demo-{attempt.id:06d}-page", at)
    # The last two never pressed Submit: the sweep closes them at their deadline.
    with frozen(opens + timedelta(hours=2, minutes=5)):
        sweep.sweep_expired(now_utc())
    _mark(session, admin, opens + timedelta(days=1))


def _mark(session: ExamSession, admin: User, when: datetime) -> None:
    markers = [_user("assessor2"), _user("assessor3")]
    leader = _user("senior_assessor")
    with frozen(when):
        for user in markers:
            marking_ops.assign_marker(session, user.person_id, MarkerRole.MARKER, admin)
        marking_ops.assign_marker(session, leader.person_id, MarkerRole.ADJUDICATOR, admin)
        rng, diverged = random.Random(7), False
        work = board(session)
        for number, user in enumerate(markers):
            for item in work.queue(marker_of(session.id, user.person_id)):
                top = float(item.item.points)
                points = round(top * rng.uniform(0.5, 0.9) * 2) / 2
                if number == 1 and not diverged:
                    points, diverged = max(0.0, points - 5), True  # one pair diverges: the leader decides
                marking_ops.record_mark(item.attempt, item.item.position, user.person_id, points, "", user)
        for user in markers:
            marking_ops.sign_marks(session, user.person_id, user)
        for item in board(session).queue(marker_of(session.id, leader.person_id)):
            marking_ops.record_mark(
                item.attempt,
                item.item.position,
                leader.person_id,
                round(float(item.item.points) * 1.2) / 2,
                "两评分差距较大，复核评分要点后给分。",
                leader,
            )
        marking_ops.sign_marks(session, leader.person_id, leader)
        marking_ops.lock_scores(session, admin)
    db.session.flush()
