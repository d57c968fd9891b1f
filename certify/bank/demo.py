"""The demo question bank: 文物修复师's element table, ~300 reviewed questions at 高级工, a few in every other
state, an approved blueprint with an assembled pair of forms, and one sitting's statistics feeding the review
queue. Everything goes through the real operations, so the audit log and recusal checks look as in production.
"""

from __future__ import annotations

import math
import random

import sqlalchemy as sa

from certify.auth.models import User
from certify.bank import access, assembly_ops, blueprints_ops, elements_ops, lifecycle, questions_ops, statistics_ops
from certify.bank.demo_content import POINTS, RANGES, SENIOR, SHOWCASE, generated_questions
from certify.bank.models import ElementTableRecord, PaperRecord
from certify.core.db import db
from certify.institutions.models import Body, Occupation
from question_bank.elements import build_element_table
from question_bank.elements_xlsx import write_element_table_xlsx
from question_bank.marks_matrix import MarksMatrix

OCCUPATION = "4-13-03-02"
WINDOW = "2026-12"
SEED = "2026-12-高级工-演示"
BLUEPRINT_SPEC = {
    "types": [
        {"type_key": "true_false", "count": 20, "points": 1},
        {"type_key": "single_choice", "count": 50, "points": 1},
        {"type_key": "multiple_choice", "count": 10, "points": 3},
    ],
    "difficulty_band": [2.5, 3.5],
    "forms": 2,
    "exposure_cap": 0.6,
    "exclude_last_sessions": 0,
    "max_form_overlap": 0.2,
    "pretest_count": 0,
    "multiple_choice_credit": "all_or_nothing",
}


def _user(username: str) -> User:
    return db.session.execute(sa.select(User).where(User.username == username)).scalar_one()


def _table_xlsx() -> bytes:
    ranges = {code: (name, weights) for code, (name, weights) in RANGES.items()}
    points = {
        f"{cell}-{n:03d}": (name, "Y" if n == len(names) else "X")
        for cell, names in POINTS.items()
        for n, name in enumerate(names, start=1)
    }
    table = build_element_table(OCCUPATION, ranges, points)
    return write_element_table_xlsx(table, elements_ops.level_headers())


def _questions(body: Body, occupation: Occupation, author: User, reviewer: User) -> None:
    """Showcase and filler questions: most approved, some waiting in review, one returned, two in pretest."""
    questions = SHOWCASE + generated_questions()
    versions = []
    for question in questions:
        bank_question = questions_ops.create_question(body, occupation, SENIOR, question, author, note="演示题库")
        versions.append(bank_question.latest)
    waiting, returned, pretest = versions[-3:], versions[-4], versions[-6:-4]
    for version in versions:
        lifecycle.submit_version(version, author)
        if version in waiting:
            continue
        if version is returned:
            lifecycle.return_version(version, reviewer, "干扰项过于明显，请改写选项C和D后再提交。")
        else:
            lifecycle.approve_version(version, reviewer, pretest=version in pretest)


def _simulated_marks(paper: PaperRecord, attempts: int = 40) -> MarksMatrix:
    """Marks of a plausible sitting (a Rasch-like model from each item's difficulty); item 1 made trivially easy."""
    rng = random.Random(f"{SEED}|{paper.form}")
    scored = [item for item in paper.items if item.scored]
    rows = []
    for _ in range(attempts):
        ability = rng.gauss(0.4, 1.0)
        row = []
        for position, item in enumerate(scored):
            chance = 1.0 if position == 0 else 1 / (1 + math.exp(-(ability - (item.difficulty - 3.0))))
            row.append(float(item.points) if rng.random() < chance else 0.0)
        rows.append(tuple(row))
    return MarksMatrix(
        items=tuple(str(item.position) for item in scored),
        rows=tuple(rows),
        max_marks=tuple(float(item.points) for item in scored),
    )


def seed_bank_demo(body: Body, admin: User) -> None:
    """Build the demo bank once (a body that already has the table is left alone)."""
    occupation = db.session.execute(sa.select(Occupation).where(Occupation.code == OCCUPATION)).scalar_one()
    exists = db.session.execute(
        sa.select(ElementTableRecord.id).where(
            ElementTableRecord.body_id == body.id, ElementTableRecord.occupation_id == occupation.id
        )
    ).first()
    if exists:
        return
    author, reviewer = _user("author"), _user("reviewer")
    elements_ops.replace_element_table(body, occupation, _table_xlsx(), "文物修复师-鉴定要素细目表.xlsx", admin)
    for user in (author, reviewer):
        access.sign_pledge(user, occupation, user.display_name, None)
    _questions(body, occupation, author, reviewer)
    blueprint = blueprints_ops.save_blueprint(
        body, occupation, SENIOR, "文物修复师高级工理论知识组卷方案（2026）", _spec(body, occupation), admin
    )
    blueprints_ops.check_feasibility(blueprint)
    blueprints_ops.approve_blueprint(blueprint, reviewer)
    run = assembly_ops.assemble_papers(blueprint, SEED, 2, WINDOW, 40, admin)
    paper = run.papers[0]
    statistics_ops.record_session_statistics(
        paper, "2026年12月文物修复师高级工理论知识考试（演示）", _simulated_marks(paper), user=reviewer
    )
    db.session.flush()


def _spec(body: Body, occupation: Occupation) -> dict:
    table = elements_ops.element_table(body.id, occupation)
    return {**BLUEPRINT_SPEC, "weights": table.cells(SENIOR)}
