"""Helpers of the element-table tests: XLSX files built with openpyxl, questions written straight into the bank."""

from __future__ import annotations

import hashlib
import io
import json
from decimal import Decimal

import sqlalchemy as sa
from openpyxl import Workbook

from certify.auth.models import User
from certify.bank.models import BankQuestion, ElementTableRecord, QuestionVersion, VersionState
from certify.core.clock import now_utc
from certify.core.db import db
from certify.supervision.models import AuditEntry
from tests.bank.world import LEVEL

HEADER = ["代码", "名称", "重要程度", "高级工", "技师"]


def sheet(rows: list[list[object]], header: list[str] = HEADER) -> bytes:
    """An XLSX workbook with the header and rows on its first sheet."""
    workbook = Workbook()
    workbook.active.append(header)
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def valid_rows(*, drop: str | None = None) -> list[list[object]]:
    """A valid table for levels 4 and 5: A-A, A-B, B-A, B-B with five points each (17 X, 2 Y, 1 Z)."""
    weights = {"A": (20, 30), "A-A": (10, 10), "A-B": (10, 20), "B": (80, 70), "B-A": (30, 30), "B-B": (50, 40)}
    importance = {"A-B-004": "Y", "A-B-005": "Y", "B-B-005": "Z"}
    rows: list[list[object]] = []
    for code, (senior, technician) in weights.items():
        rows.append([code, f"范围{code}", None, senior, technician])
        if "-" in code:
            for n in range(1, 6):
                point = f"{code}-{n:03d}"
                if point != drop:
                    rows.append([point, f"要点{point}", importance.get(point, "X"), None, None])
    return rows


def add_question(world, point_code: str, state: VersionState, points: float = 1, level: int = LEVEL) -> BankQuestion:
    """A question with one version on `point_code` in `state`, written directly (as if authored and reviewed)."""
    question = BankQuestion(
        body_id=world.body.id,
        occupation_id=world.occupation.id,
        level_ordinal=level,
        created_at=now_utc(),
        created_by_id=world.author.id,
    )
    db.session.add(question)
    db.session.flush()
    content = json.dumps({"stem": f"题 {question.id}", "point_code": point_code}, ensure_ascii=False)
    db.session.add(
        QuestionVersion(
            question_id=question.id,
            number=1,
            state=state,
            content=content,
            content_hash=hashlib.sha256(content.encode()).hexdigest(),
            qtype="true_false",
            point_code=point_code,
            difficulty=3,
            points=Decimal(str(points)),
            created_at=now_utc(),
            created_by_id=world.author.id,
        )
    )
    db.session.commit()
    return question


def stored_table(world) -> ElementTableRecord:
    """The world's element-table record as the database holds it now."""
    db.session.expire_all()
    return db.session.execute(
        sa.select(ElementTableRecord).where(
            ElementTableRecord.body_id == world.body.id, ElementTableRecord.occupation_id == world.occupation.id
        )
    ).scalar_one()


def replaced_entries() -> list[AuditEntry]:
    """Audit entries of element-table replacements, oldest first."""
    return list(
        db.session.execute(
            sa.select(AuditEntry).where(AuditEntry.action == "bank.element_table_replaced").order_by(AuditEntry.seq)
        ).scalars()
    )


def user_named(username: str) -> User:
    return db.session.execute(sa.select(User).where(User.username == username)).scalar_one()
