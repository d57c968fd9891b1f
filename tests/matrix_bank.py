"""Bank objects for the access matrix, written directly (the matrix is about who may reach them, not how they
were made): a question in review with an image, an import record, a blueprint with a run and a paper, a
sitting's statistics with a flag, and the pledges of the demo author and reviewer."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import sqlalchemy as sa
from PIL import Image

from certify.auth.models import User
from certify.bank import blueprints_ops, elements_ops, lifecycle, questions_ops, statistics_ops
from certify.bank.models import (
    AssemblyRun,
    BankImport,
    BankPledge,
    BlueprintRecord,
    ItemFlag,
    PaperItem,
    PaperRecord,
)
from certify.core.clock import now_utc
from certify.core.db import db
from certify.institutions.models import Body, Occupation
from question_bank.marks_matrix import MarksMatrix
from question_bank.model import Question
from tests.bank.world import make_element_table

LEVEL = 4


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, "PNG")
    return out.getvalue()


def bank_world(body: Body) -> dict:
    """The ids the bank routes take."""
    now = now_utc()
    occupation = db.session.execute(sa.select(Occupation).where(Occupation.code == "4-13-03-02")).scalar_one()
    users = {u.username: u for u in db.session.execute(sa.select(User)).scalars()}
    author, reviewer, admin = users["author"], users["reviewer"], users["admin"]
    table = elements_ops.table_of(make_element_table(body, occupation))
    for user in (author, reviewer):
        db.session.add(
            BankPledge(user_id=user.id, occupation_id=occupation.id, signed_name=user.display_name, signed_at=now)
        )
    db.session.flush()
    question = Question(
        "single_choice", "示例题干", options=("甲", "乙"), answer=("A",), difficulty=3, point_code="A-A-001",
        images=("figure.png",),
    )  # fmt: skip
    bank_question = questions_ops.create_question(
        body, occupation, LEVEL, question, author, images={"figure.png": _png()}
    )
    version = bank_question.latest
    lifecycle.submit_version(version, author)
    asset = version.assets[0].asset
    record = BankImport(
        body_id=body.id, occupation_id=occupation.id, level_ordinal=LEVEL, filename="q.csv", format="csv",
        sha256="0" * 64, size=1, report=json.dumps({"format": "csv", "problems": []}), created_at=now,
        created_by_id=author.id,
    )  # fmt: skip
    spec = blueprints_ops.default_spec(table, LEVEL)
    blueprint = BlueprintRecord(
        body_id=body.id, occupation_id=occupation.id, level_ordinal=LEVEL, name="示例方案", spec=json.dumps(spec),
        created_at=now, updated_at=now, created_by_id=admin.id,
    )  # fmt: skip
    db.session.add_all([record, blueprint])
    db.session.flush()
    run = AssemblyRun(blueprint_id=blueprint.id, seed="1", spec=blueprint.spec, window="w", created_at=now)
    db.session.add(run)
    db.session.flush()
    paper = PaperRecord(run_id=run.id, form="A", seed="1", total_points=Decimal(100), mean_difficulty=3.0)
    db.session.add(paper)
    db.session.flush()
    db.session.add(
        PaperItem(
            paper_id=paper.id, position=1, question_id=bank_question.id, version_id=version.id,
            type_key="single_choice", points=Decimal(100), cell="A-A", point_code="A-A-001", difficulty=3.0,
        )
    )  # fmt: skip
    matrix = MarksMatrix(items=("1",), rows=((100.0,), (100.0,), (100.0,)), max_marks=(100.0,))
    sitting = statistics_ops.record_session_statistics(paper, "示例场次", matrix)
    flag = db.session.execute(sa.select(ItemFlag)).scalar_one()
    return {
        "question": bank_question.id,
        "version": version.id,
        "asset": asset.id,
        "bank_import": record.id,
        "blueprint": blueprint.id,
        "run": run.id,
        "paper": paper.id,
        "sitting": sitting.id,
        "flag": flag.id,
    }
