"""The demo world: one body, its sites and occupations, and a login per role (idempotent)."""

from __future__ import annotations

import io
from datetime import date

import sqlalchemy as sa
from flask import current_app
from PIL import Image, ImageDraw

from certify.auth.models import Role, User
from certify.core.db import db
from certify.institutions import operations, people
from certify.institutions.identity import mod11_2_check_char
from certify.institutions.models import Body, BodyOccupation, BodyType, Occupation, Site

BODY_NAME = "北京文博职业技能等级评价中心"
RESTORER_DIRECTIONS = [
    ("陶瓷", "Ceramics"),
    ("金属", "Metal"),
    ("纸张书画", "Paper, painting and calligraphy"),
    ("木作", "Woodwork"),
    ("泥瓦作", "Masonry and tiling"),
    ("壁画彩塑", "Murals and painted sculpture"),
    ("纺织品", "Textiles"),
    ("石质", "Stone"),
    ("漆器", "Lacquerware"),
    ("玉器", "Jade"),
    ("竹木牙角", "Bamboo, wood, ivory and horn"),
    ("古籍", "Ancient books"),
    ("玻璃器", "Glass"),
]

#: username, display name, roles, birth date, gender digit (odd = male), employer
DEMO_PEOPLE = [
    ("admin", "王建国", {Role.ADMIN}, date(1975, 3, 12), 1, None),
    ("author", "李文博", {Role.AUTHOR}, date(1970, 6, 2), 3, "首都示例博物馆"),
    ("reviewer", "赵雅琴", {Role.REVIEWER}, date(1968, 11, 20), 2, "首都示例博物馆"),
    ("trainer", "陈师傅", {Role.TRAINER}, date(1965, 1, 8), 5, "北京示例文物修复培训学校"),
    ("invigilator", "刘监考", {Role.INVIGILATOR}, date(1982, 9, 30), 7, None),
    ("assessor1", "孙考评", {Role.ASSESSOR}, date(1972, 4, 15), 9, "北京示例古建修缮公司"),
    ("assessor2", "周考评", {Role.ASSESSOR}, date(1978, 7, 21), 1, "天津示例博物馆"),
    ("assessor3", "吴考评", {Role.ASSESSOR}, date(1980, 2, 5), 4, "河北示例文物研究所"),
    (
        "senior_assessor",
        "郑高评",
        {Role.SENIOR_ASSESSOR, Role.ASSESSOR},
        date(1963, 12, 1),
        3,
        "中国示例文物研究院",
    ),
    ("supervisor", "冯督导", {Role.SUPERVISOR}, date(1970, 5, 18), 6, None),
    ("regulator", "何监管", {Role.REGULATOR}, date(1974, 8, 8), 5, None),
    ("candidate1", "张三丰", {Role.CANDIDATE}, date(1990, 5, 4), 7, "北京示例文物保护中心"),
    ("candidate2", "李小红", {Role.CANDIDATE}, date(1994, 10, 16), 2, "首都示例博物馆"),
    ("candidate3", "王五", {Role.CANDIDATE}, date(1988, 1, 27), 9, "北京示例古建修缮公司"),
    ("candidate4", "欧阳明月", {Role.CANDIDATE}, date(1996, 3, 3), 4, "北京示例文物保护中心"),
    ("candidate5", "陈静", {Role.CANDIDATE}, date(1985, 12, 24), 8, "天津示例博物馆"),
    # a theory room needs two invigilators (DOMAIN.md staffing)
    ("invigilator2", "马监考", {Role.INVIGILATOR}, date(1986, 4, 9), 3, None),
]


def demo_id_number(birth: date, serial: int) -> str:
    """A well-formed (fictional) Beijing resident ID number for a demo person."""
    first17 = f"110101{birth:%Y%m%d}{serial:03d}"
    return first17 + mod11_2_check_char(first17)


def demo_photo(seed: int) -> bytes:
    """A plain light-background portrait placeholder of certificate size (no real face)."""
    img = Image.new("RGB", (330, 450), (236, 242, 248))
    draw = ImageDraw.Draw(img)
    shade = (90 + seed * 13 % 80, 100, 120)
    draw.ellipse((110, 90, 220, 220), fill=shade)
    draw.rounded_rectangle((70, 240, 260, 450), radius=60, fill=shade)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def _body() -> Body:
    body = db.session.execute(sa.select(Body).where(Body.name == BODY_NAME)).scalar_one_or_none()
    if body is None:
        body = operations.create_body(
            BodyType.THIRD_PARTY,
            "0000",
            "11",
            BODY_NAME,
            "Beijing Cultural Heritage Skills Assessment Centre",
        )
    return body


def _sites(body: Body) -> None:
    existing = {s.serial for s in db.session.execute(sa.select(Site).where(Site.body_id == body.id)).scalars()}
    plan = [
        (
            "000001",
            "东城考点",
            "北京市东城区景山前街示例路 1 号",
            [("理论考场一", 30), ("理论考场二", 30), ("实操室", 12)],
        ),
        ("000002", "西城考点", "北京市西城区文博示例街 8 号", [("理论考场", 40), ("修复实训室", 10)]),
    ]
    for serial, name, address, rooms in plan:
        if serial in existing:
            continue
        site = operations.save_site(body, None, {"serial": serial, "name": name, "address": address, "active": True})
        for room_name, seats in rooms:
            operations.save_room(site, None, {"name": room_name, "seats": seats})


def _occupations(body: Body) -> None:
    plan = [
        ("4-13-03-02", "文物修复师", "Cultural relics restorer", "2023", RESTORER_DIRECTIONS),
        ("4-13-03-03", "考古探掘工", "Archaeological excavation worker", "2019", []),
    ]
    for code, name_zh, name_en, version, directions in plan:
        occupation = db.session.execute(sa.select(Occupation).where(Occupation.code == code)).scalar_one_or_none()
        if occupation is None:
            occupation = operations.save_occupation(
                None, {"code": code, "name_zh": name_zh, "name_en": name_en, "standard_version": version}
            )
            for dir_zh, dir_en in directions:
                operations.add_direction(occupation, dir_zh, dir_en)
        if db.session.get(BodyOccupation, (body.id, occupation.id)) is None:
            operations.file_occupation(body, occupation, date(2024, 3, 1), f"京人社评备〔2024〕{occupation.id:03d}号")


def _people(body: Body, password: str) -> None:
    for index, (username, name, roles, birth, gender, employer) in enumerate(DEMO_PEOPLE):
        if db.session.execute(sa.select(User.id).where(User.username == username)).first():
            continue
        serial = 100 + index * 2 + (gender % 2)  # the 17th digit's parity is the gender
        people.register_person(
            body,
            {
                "name": name,
                "id_type": "resident_id",
                "id_number": demo_id_number(birth, serial),
                "phone": f"1380000{index:04d}",
                "employer": employer or "",
            },
            photo=demo_photo(index) if Role.CANDIDATE in roles else None,
            account={"username": username, "password": password, "roles": roles},
        )


def seed_application_world() -> None:
    """Applications, a competition with a proposed recognition and a ban, on top of the demo world (idempotent)."""
    from certify.applications.demo import seed_applications_demo

    body = _body()
    admin = db.session.execute(sa.select(User).where(User.username == "admin")).scalar_one()
    seed_applications_demo(body, admin)
    db.session.flush()


def seed_bank_world() -> None:
    """The question bank (element table, reviewed questions, a blueprint, papers, statistics), once."""
    from certify.bank.demo import seed_bank_demo

    body = _body()
    admin = db.session.execute(sa.select(User).where(User.username == "admin")).scalar_one()
    seed_bank_demo(body, admin)
    db.session.flush()


def seed_exam_world() -> None:
    """Theory sessions: one open now with candidates checked in, one finished, marked and locked."""
    from certify.exams.demo import seed_exams_demo

    body = _body()
    admin = db.session.execute(sa.select(User).where(User.username == "admin")).scalar_one()
    seed_exams_demo(body, admin)
    db.session.flush()


def seed_demo_world() -> None:
    """Build (or complete) the demo world; running it again changes nothing."""
    password = current_app.config["DEMO_PASSWORD"]
    body = _body()
    _sites(body)
    _occupations(body)
    _people(body, password)
    db.session.flush()
    from certify.recusal.demo import seed_recusal_demo

    admin = db.session.execute(sa.select(User).where(User.username == "admin")).scalar_one()
    seed_recusal_demo(body, admin)
    db.session.flush()
