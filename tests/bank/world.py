"""A small bank world shared by the bank tests: a body filed for 文物修复师, its element table, bank staff with
signed pledges, an author who also trains the occupation (so recusal must keep them out), and helpers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from certify.auth.models import Role, User
from certify.bank.access import sign_pledge
from certify.bank.models import ElementNode, ElementNodeKind, ElementTableRecord
from certify.core.clock import now_utc
from certify.core.db import db
from certify.institutions import operations
from certify.institutions.models import Body, Occupation
from certify.recusal import training
from tests.factories import make_body, make_user

OCCUPATION = "4-13-03-02"
OTHER_OCCUPATION = "4-13-03-03"
#: level ordinal of 高级工 (senior worker) on the ladder
LEVEL = 4

#: range path → (name, {level: weight}); ten points per weighted range, X except the last (Z: 10 %, over the 5 %
#: limit on purpose, so the table-validation pages have something to report)
RANGES = {
    "A": ("基础知识", {}),
    "A-A": ("文物保护法规", {LEVEL: 20}),
    "A-B": ("材料学基础", {LEVEL: 20}),
    "B": ("专业知识", {}),
    "B-A": ("陶瓷修复工艺", {LEVEL: 30}),
    "B-B": ("修复档案", {LEVEL: 30}),
}
POINTS_PER_RANGE = 10


@dataclass
class BankWorld:
    body: Body
    occupation: Occupation
    other_occupation: Occupation
    admin: User
    author: User
    reviewer: User
    trainer_author: User  #: holds the author role but trains the occupation: recusal keeps them out
    outsider: User  #: an author of another body


def point_codes() -> list[str]:
    """Every point code of the world's element table."""
    return [f"{code}-{n:03d}" for code, (_, w) in RANGES.items() if w for n in range(1, POINTS_PER_RANGE + 1)]


def make_element_table(body: Body, occupation: Occupation) -> ElementTableRecord:
    """A valid element table: two top ranges, four weighted sub-ranges, ten points each (X, last one Z)."""
    table = ElementTableRecord(body_id=body.id, occupation_id=occupation.id, updated_at=now_utc())
    position = 0
    for code, (name, weights) in RANGES.items():
        table.nodes.append(
            ElementNode(
                code=code, kind=ElementNodeKind.RANGE, name=name, weights=json.dumps(weights), position=position
            )
        )
        position += 1
        if not weights:
            continue
        for n in range(1, POINTS_PER_RANGE + 1):
            table.nodes.append(
                ElementNode(
                    code=f"{code}-{n:03d}",
                    kind=ElementNodeKind.POINT,
                    name=f"{name}要点{n}",
                    importance="Z" if n == POINTS_PER_RANGE else "X",
                    position=position,
                )
            )
            position += 1
    db.session.add(table)
    db.session.flush()
    return table


def _occupation(code: str, name: str) -> Occupation:
    return operations.save_occupation(
        None, {"code": code, "name_zh": name, "name_en": None, "standard_version": "2023"}
    )


def bank_world() -> BankWorld:
    """Build the world and commit it."""
    body = make_body()
    occupation = _occupation(OCCUPATION, "文物修复师")
    other = _occupation(OTHER_OCCUPATION, "文物鉴定师")
    for occ in (occupation, other):
        operations.file_occupation(body, occ, date(2025, 1, 1), None)
    db.session.commit()
    admin = make_user("bankadmin", Role.ADMIN, body=body)
    author = make_user("author1", Role.AUTHOR, body=body)
    reviewer = make_user("reviewer1", Role.REVIEWER, body=body)
    trainer_author = make_user("trainauthor", Role.AUTHOR, Role.TRAINER, body=body)
    trainee = make_user("trainee1", Role.CANDIDATE, body=body)
    outsider = make_user("outsider", Role.AUTHOR, body=make_body("另一评价机构"))
    training.save_class(
        body,
        training.institution_named("示例培训学校"),
        "文物修复师高级工培训班",
        occupation,
        LEVEL,
        date(2026, 3, 1),
        date(2026, 6, 30),
        trainers=[trainer_author.person_id],
        trainees=[trainee.person_id],
    )
    make_element_table(body, occupation)
    for user in (author, reviewer, trainer_author):
        for occ in (occupation, other):
            sign_pledge(user, occ, user.display_name, None)
    db.session.commit()
    return BankWorld(body, occupation, other, admin, author, reviewer, trainer_author, outsider)
