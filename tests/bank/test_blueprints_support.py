"""Helpers shared by the blueprint, assembly and `bank assemble` tests: bank questions made directly as rows, and
a blueprint that fits the bank world's element table (four ranges of 20/20/30/30 %, ten points each)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

import sqlalchemy as sa

from certify.bank import blueprints_ops
from certify.bank.models import BankQuestion, BlueprintRecord, QuestionVersion, VersionState
from certify.core.clock import now_utc
from certify.core.db import db
from question_bank.model import Question
from tests.bank.world import LEVEL, BankWorld, point_codes

#: 15 questions and 100 points per form: 4 true/false × 5, 6 single choice × 5, 5 multiple choice × 10
SPEC = {
    "weights": {"A-A": 20, "A-B": 20, "B-A": 30, "B-B": 30},
    "types": [
        {"type_key": "true_false", "count": 4, "points": 5},
        {"type_key": "single_choice", "count": 6, "points": 5},
        {"type_key": "multiple_choice", "count": 5, "points": 10},
    ],
    "difficulty_band": [2, 4],
    "forms": 2,
    "exposure_cap": 0.5,
    "exclude_last_sessions": 0,
    "max_form_overlap": 0.2,
    "pretest_count": 0,
    "multiple_choice_credit": "all_or_nothing",
}
ALL_TYPES = ("true_false", "single_choice", "multiple_choice")


def _question(qtype: str, point: str, difficulty: int, n: int) -> Question:
    if qtype == "true_false":
        return Question(qtype, f"判断题 {point} #{n}", answer=("true",), point_code=point, difficulty=difficulty)
    options = tuple(f"选项{letter} {point} #{n}" for letter in "ABCD")
    answer = ("A", "C") if qtype == "multiple_choice" else ("B",)
    return Question(qtype, f"选择题 {point} #{n}", options, answer, point_code=point, difficulty=difficulty)


def make_questions(
    world: BankWorld,
    points: Iterable[str] | None = None,
    types: Iterable[str] = ALL_TYPES,
    per_type: int = 1,
    state: VersionState = VersionState.ACTIVE,
    difficulties: tuple[int, ...] = (1, 2, 3, 4, 5),
) -> list[QuestionVersion]:
    """`per_type` questions of each type on each point (default: every point of the world's table), committed."""
    made = []
    n = 0
    for point in points if points is not None else point_codes():
        for qtype in types:
            for _ in range(per_type):
                difficulty = difficulties[n % len(difficulties)]
                n += 1
                content = json.dumps(
                    _question(qtype, point, difficulty, n).to_dict(with_source=False), ensure_ascii=False
                )
                question = BankQuestion(
                    body_id=world.body.id,
                    occupation_id=world.occupation.id,
                    level_ordinal=LEVEL,
                    created_at=now_utc(),
                    created_by_id=world.author.id,
                )
                version = QuestionVersion(
                    number=1,
                    state=state,
                    content=content,
                    content_hash=hashlib.sha256(content.encode()).hexdigest(),
                    qtype=qtype,
                    point_code=point,
                    difficulty=difficulty,
                    points=1,
                    created_at=now_utc(),
                    created_by_id=world.author.id,
                )
                question.versions.append(version)
                db.session.add(question)
                made.append(version)
    db.session.commit()
    return made


def make_blueprint(world: BankWorld, approve: bool = True, **changes) -> BlueprintRecord:
    """A blueprint written by the author (and approved by the reviewer), committed."""
    spec = {**json.loads(json.dumps(SPEC)), **changes}
    record = blueprints_ops.save_blueprint(world.body, world.occupation, LEVEL, "高级工理论A/B卷", spec, world.author)
    if approve:
        blueprints_ops.approve_blueprint(record, world.reviewer)
    db.session.commit()
    return record


def count_rows(model) -> int:
    """How many rows a table holds."""
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def audit_entries(action: str) -> list:
    """Audit entries of an action, oldest first."""
    from certify.supervision.models import AuditEntry

    return list(
        db.session.execute(sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)).scalars()
    )


def texts(refused, locale: str = "en") -> str:
    """Every message of a refusal in `locale`, joined (outside a request, as the command line renders them)."""
    from flask_babel import force_locale

    with force_locale(locale):
        return " | ".join(refused.messages())


def english_client(app):
    """A test client whose browser asks for English (pages default to Chinese)."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
