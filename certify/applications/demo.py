"""The applications part of the demo world: applications in every state a new user should meet, a competition with
a recognition before its panel, and a ban. Built through the real operations (so everything is audited) and
idempotent: each fact is looked for first, and a second run changes nothing.

Dates are relative to today so that the demo stays fresh (work histories are long enough on any later day).
"""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import sqlalchemy as sa
from PIL import Image, ImageDraw

from certify.applications import bans_ops, fasttrack_ops, operations
from certify.applications.models import (
    Application,
    ApplicationRoute,
    Ban,
    Competition,
    EvidenceKind,
    Recognition,
)
from certify.auth.models import User
from certify.core.db import db
from certify.core.demo import demo_id_number
from certify.institutions import people
from certify.institutions.models import Body, Occupation, OccupationDirection, Person
from certify.ladder.eligibility_durations import add_months, add_years
from certify.ladder.eligibility_relaxations import SanctionTier
from certify.ladder.fasttrack import CompetitionClass, ParticipantType
from certify.recusal.operations import today
from certify.supervision import audit

RESTORER = "4-13-03-02"
COMPETITION = "2026年全国文物修复职业技能竞赛"
EVENT = "陶瓷修复"
BAN_REASON = "伪造工作年限证明（申报材料造假）"
#: name, birth date, sequence serial (odd = male), employer — fictional people who have no login
COMPETITOR = ("周小文", date(1998, 4, 18), 211, "天津示例博物馆")
BANNED = ("钱立伟", date(1986, 8, 9), 223, "河北示例古建工程公司")
EMPLOYER_SIGNATORY = {
    "北京示例文物保护中心": "刘主任",
    "首都示例博物馆": "马馆长",
    "北京示例古建修缮公司": "高经理",
    "天津示例博物馆": "杨副馆长",
}
#: the 破格 achievement evidence, in the shape fasttrack_ops.achievement_items / _achievement read
ACHIEVEMENTS = [
    {
        "award_class": "municipal",
        "obtained_on": "2023-11-20",
        "description": "天津市文物修复技术创新奖（宋代瓷器残片拼接与补配工艺）",
        "employer_endorsement": "天津示例博物馆推荐",
    },
    {
        "major_technical_problem": True,
        "obtained_on": "2025-06-10",
        "description": "出土彩绘陶器颜料层加固",
        "problem_solved": "解决出土彩绘陶器颜料层起翘、粉化的加固难题，成果在馆内推广",
    },
]


def evidence_image(seed: int, kind: str = "card") -> bytes:
    """A small placeholder scan (an ID card or a certificate outline, no real data) as PNG."""
    wide = kind == "card"
    size = (428, 270) if wide else (420, 300)
    img = Image.new("RGB", size, (244, 240, 230) if wide else (250, 246, 236))
    draw = ImageDraw.Draw(img)
    accent = (60 + seed * 23 % 120, 90, 140)
    draw.rounded_rectangle((6, 6, size[0] - 6, size[1] - 6), radius=14, outline=accent, width=4)
    if wide:
        draw.rectangle((300, 50, 400, 180), fill=(214, 222, 232))
        draw.ellipse((325, 70, 375, 120), fill=accent)
        for row in range(5):
            draw.rectangle((30, 50 + row * 30, 260 - row * 20, 62 + row * 30), fill=(150, 150, 150))
        draw.rectangle((30, 215, 400, 230), fill=(120, 120, 120))
    else:
        draw.rectangle((120, 30, 300, 50), fill=(170, 40, 40))
        for row in range(6):
            draw.rectangle((50, 90 + row * 25, 370 - row * 15, 100 + row * 25), fill=(150, 150, 150))
        draw.ellipse((280, 210, 360, 290), outline=(190, 30, 30), width=5)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def _user(username: str) -> User:
    return db.session.execute(sa.select(User).where(User.username == username)).scalar_one()


def _person(username: str) -> Person:
    return db.session.get(Person, _user(username).person_id)


def _restorer() -> Occupation:
    return db.session.execute(sa.select(Occupation).where(Occupation.code == RESTORER)).scalar_one()


def _ceramics(occupation: Occupation) -> OccupationDirection:
    return next(d for d in occupation.directions if d.name_zh == "陶瓷")


def _work(employer: str, start: date, job: str = "陶瓷修复") -> dict:
    return {
        "employer": employer,
        "start": start.isoformat(),
        "end": None,
        "job": job,
        "relevant": True,
        "grassroots": False,
        "remote": False,
    }


def _has_application(person: Person, body: Body) -> bool:
    stmt = sa.select(Application.id).where(Application.candidate_person_id == person.id, Application.body_id == body.id)
    return db.session.execute(stmt.limit(1)).first() is not None


def _prepared(
    body: Body,
    username: str,
    level: int,
    profile: dict,
    *,
    route: ApplicationRoute = ApplicationRoute.STANDARD,
    evidence: tuple[tuple[EvidenceKind, str, bytes], ...] = (),
    pledged: bool = True,
) -> Application | None:
    """A draft of the candidate's with its profile, evidence and pledges (None when the candidate already has one)."""
    user, person = _user(username), _person(username)
    if _has_application(person, body):
        return None
    occupation = _restorer()
    app = operations.create_application(
        person, body.id, occupation.id, _ceramics(occupation).id, level, route, user_id=user.id
    )
    operations.save_profile(app, profile, user_id=user.id)
    for kind, filename, data in evidence:
        operations.add_evidence(app, kind, [(filename, data)], user_id=user.id)
    if pledged:
        employer = profile["work_history"][0]["employer"]
        operations.pledge(
            app,
            candidate=True,
            employer=True,
            employer_name=employer,
            signatory=EMPLOYER_SIGNATORY[employer],
            ip="127.0.0.1",
            user_id=user.id,
        )
    return app


def _id_card(seed: int) -> tuple[EvidenceKind, str, bytes]:
    return EvidenceKind.ID_DOCUMENT, "身份证人像面.png", evidence_image(seed)


def _applications(body: Body, admin: User, day: date) -> None:
    approved = _prepared(
        body,
        "candidate1",
        4,
        {
            "work_history": [_work("北京示例文物保护中心", date(2012, 3, 1))],
            "education": [
                {
                    "school_type": "vocational_college",
                    "major": "文物修复与保护",
                    "relevance": "same",
                    "graduated_on": "2011-06-30",
                    "final_year": False,
                }
            ],
            "certificates": [{"level": 3, "issued_on": "2017-12-20"}],
        },
        evidence=(_id_card(1),),
    )
    if approved is not None:
        operations.submit(approved, user_id=_user("candidate1").id)
        operations.approve(approved, admin)

    returned = _prepared(
        body,
        "candidate2",
        3,
        {"work_history": [_work("首都示例博物馆", date(2018, 7, 1), "陶瓷器修复助理")]},
        evidence=(
            _id_card(2),
            (EvidenceKind.SOCIAL_INSURANCE, "社保缴费记录.png", evidence_image(3, "certificate")),
        ),
    )
    if returned is not None:
        operations.submit(returned, user_id=_user("candidate2").id)
        problems = [
            ("社保缴费证明", "社保缴费证明不清晰，请重新上传"),
            ("工作经历", "工作经历起止日期与社保记录不符"),
        ]
        operations.return_for_correction(returned, admin, problems, day + timedelta(days=7))

    waiting = _prepared(
        body,
        "candidate3",
        3,
        {
            "work_history": [_work("北京示例古建修缮公司", date(2016, 9, 1), "古建彩画及陶瓷构件修复")],
            "education": [
                {
                    "school_type": "technical_school",
                    "major": "古建筑修缮",
                    "relevance": "related",
                    "graduated_on": "2016-07-01",
                    "final_year": False,
                }
            ],
        },
        evidence=(_id_card(4),),
    )
    if waiting is not None:
        operations.submit(waiting, user_id=_user("candidate3").id)

    # A draft: 4 years of work where 5 are needed, no evidence and no pledge yet (the live verdict says so).
    _prepared(
        body,
        "candidate4",
        3,
        {"work_history": [_work("北京示例文物保护中心", add_years(day, -4), "陶瓷修复学员")]},
        pledged=False,
    )

    exceptional = _prepared(
        body,
        "candidate5",
        5,
        {"work_history": [_work("天津示例博物馆", date(2010, 8, 1), "陶瓷器修复")]},
        route=ApplicationRoute.EXCEPTIONAL,
        evidence=(
            _id_card(5),
            (EvidenceKind.ACHIEVEMENT, "天津市文物修复技术创新奖证书.png", evidence_image(6, "certificate")),
        ),
    )
    if exceptional is not None:
        _set_achievements(exceptional, ACHIEVEMENTS)
        operations.submit(exceptional, user_id=_user("candidate5").id)


def _set_achievements(app: Application, items: list[dict]) -> None:
    """Record the 破格 achievement evidence on a draft. No operation writes this column yet (the candidate pages
    upload achievement files only), so the demo writes it here, audited like every other change."""
    before = json.loads(app.achievements) if app.achievements else None
    app.achievements = audit.canonical_json(items)
    db.session.flush()
    audit.record(
        "applications.achievements_saved",
        object_type="application",
        object_id=app.id,
        before={"achievements": before},
        after={"achievements": items},
    )


def _registered(body: Body, spec: tuple[str, date, int, str]) -> Person:
    name, birth, serial, employer = spec
    number = demo_id_number(birth, serial)
    person = db.session.execute(sa.select(Person).where(Person.id_number == number)).scalar_one_or_none()
    if person is None:
        person = people.register_person(
            body, {"name": name, "id_type": "resident_id", "id_number": number, "phone": "", "employer": employer}
        )
    return person


def _competition(body: Body, day: date) -> None:
    competition = db.session.execute(
        sa.select(Competition).where(Competition.body_id == body.id, Competition.name == COMPETITION)
    ).scalar_one_or_none()
    if competition is None:
        competition = fasttrack_ops.create_competition(
            body,
            {
                "name": COMPETITION,
                "competition_class": CompetitionClass.NATIONAL,
                "organiser": "示例文物行业协会",
                "held_on": day - timedelta(days=45),
                "document_ref": "文博竞〔2026〕12号",
            },
        )
    event = next((e for e in competition.events if e.name == EVENT), None)
    if event is None:
        event = fasttrack_ops.add_event(competition, EVENT, _restorer().id)
    competitor = _registered(body, COMPETITOR)
    for person, rank in ((_person("candidate4"), 3), (competitor, 9)):
        if not any(r.person_id == person.id for r in event.results):
            fasttrack_ops.add_result(event, person.id_number, rank, ParticipantType.EMPLOYEE)
            db.session.refresh(event)
    third = next(r for r in event.results if r.rank == 3)
    if not db.session.execute(sa.select(Recognition.id).where(Recognition.result_id == third.id)).first():
        fasttrack_ops.propose_recognition(third, body)


def _ban(body: Body, admin: User, day: date) -> None:
    person = _registered(body, BANNED)
    if db.session.execute(sa.select(Ban.id).where(Ban.person_id == person.id)).first():
        return
    starts = add_months(day, -3)
    bans_ops.add_ban(
        body,
        person.id_number,
        starts_on=starts,
        ends_on=add_years(starts, 3),
        permanent=False,
        tier=SanctionTier.MULTI_YEAR_BAN,
        reason=BAN_REASON,
        today=day,
        by_id=admin.id,
    )


def seed_applications_demo(body: Body, admin_user: User) -> None:
    """Add the applications, fast-track and ban demo facts once (later runs find them and change nothing)."""
    day = today()
    _applications(body, admin_user, day)
    _competition(body, day)
    _ban(body, admin_user, day)
    db.session.flush()
