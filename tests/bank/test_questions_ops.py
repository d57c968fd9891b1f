"""Writing questions: version 1 on creation, a new immutable version on every edit, every problem at once."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from PIL import Image

from certify.bank import questions_ops
from certify.bank.models import ImmutableVersion, QuestionAsset, QuestionVersion, VersionState
from certify.core.db import db
from certify.core.errors import Refused
from certify.supervision.models import AuditEntry
from question_bank.model import Blank, Question
from tests.bank.world import LEVEL, bank_world


def choice(**changes) -> Question:
    """A valid single-choice question of the world's table."""
    fields = {
        "qtype": "single_choice",
        "stem": "修复陶瓷器时首选的粘接剂是？",
        "options": ("环氧树脂", "502 胶", "白乳胶", "石膏"),
        "answer": ("A",),
        "points": 2,
        "difficulty": 3,
        "point_code": "B-A-001",
        "explanation": "环氧树脂强度高、可逆处理成熟。",
    }
    return Question(**{**fields, **changes})


def png(color: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), color).save(buffer, format="PNG")
    return buffer.getvalue()


def messages(app, refused: Refused) -> str:
    """The refusal as an English-speaking user reads it."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        return " ".join(refused.messages())


def problems_of(refused: Refused) -> dict[str | None, list[str]]:
    out: dict[str | None, list[str]] = {}
    for problem in refused.problems:
        out.setdefault(problem.field, []).append(problem.code)
    return out


def test_an_edit_adds_a_version_and_leaves_the_old_one_as_it_was(app):
    w = bank_world()
    bank_question = questions_ops.create_question(w.body, w.occupation, LEVEL, choice(), w.author, note="first")
    db.session.commit()
    first = bank_question.latest
    first_content, first_hash = first.content, first.content_hash
    assert (first.number, first.state, first.qtype, first.point_code) == (
        1,
        VersionState.DRAFT,
        "single_choice",
        "B-A-001",
    )

    second = questions_ops.edit_question(
        bank_question, choice(stem="修复陶瓷器时最常用的粘接剂是？"), w.author, "wording"
    )
    db.session.commit()

    db.session.expire_all()
    versions = (
        db.session.execute(
            sa.select(QuestionVersion)
            .where(QuestionVersion.question_id == bank_question.id)
            .order_by(QuestionVersion.number)
        )
        .scalars()
        .all()
    )
    assert [(v.number, v.state) for v in versions] == [(1, VersionState.SUPERSEDED), (2, VersionState.DRAFT)]
    assert versions[0].content == first_content and versions[0].content_hash == first_hash
    assert versions[0].to_question().stem == "修复陶瓷器时首选的粘接剂是？"
    assert second.to_question().stem == "修复陶瓷器时最常用的粘接剂是？" and second.note == "wording"
    assert second.content_hash != first_hash


def test_a_written_version_cannot_be_changed(app):
    w = bank_world()
    bank_question = questions_ops.create_question(w.body, w.occupation, LEVEL, choice(), w.author)
    db.session.commit()
    bank_question.latest.content = bank_question.latest.content.replace("环氧树脂", "胶水")
    with pytest.raises(ImmutableVersion):
        db.session.flush()
    db.session.rollback()


def test_an_edit_that_changes_nothing_is_refused(app):
    w = bank_world()
    bank_question = questions_ops.create_question(w.body, w.occupation, LEVEL, choice(), w.author)
    db.session.commit()
    with pytest.raises(Refused) as refused:
        questions_ops.edit_question(bank_question, choice(), w.author, "again")
    assert [p.code for p in refused.value.problems] == ["bank_content_unchanged"]
    assert "version 1" in messages(app, refused.value)
    db.session.rollback()
    assert len(bank_question.versions) == 1


def test_every_problem_is_reported_at_its_field_and_nothing_is_saved(app):
    w = bank_world()
    bad = choice(stem="  ", answer=("E",), difficulty=9, point_code="A-A-099", points=0)
    with pytest.raises(Refused) as refused:
        questions_ops.create_question(w.body, w.occupation, LEVEL, bad, w.author)
    found = problems_of(refused.value)
    assert found["stem"] == ["empty_stem"]
    assert found["answer"] == ["answer_not_in_options"]
    assert found["difficulty"] == ["invalid_difficulty"]
    assert found["points"] == ["invalid_points"]
    assert found["point_code"] == ["bank_point_unknown"]
    text = messages(app, refused.value)
    assert "A-A-099" in text and "Difficulty 9" in text
    db.session.rollback()
    assert db.session.execute(sa.select(sa.func.count()).select_from(QuestionVersion)).scalar_one() == 0


def test_a_point_of_another_occupation_without_a_table_is_refused(app):
    w = bank_world()
    with pytest.raises(Refused) as refused:
        questions_ops.create_question(w.body, w.other_occupation, LEVEL, choice(), w.author)
    assert problems_of(refused.value) == {"point_code": ["bank_no_element_table"]}


def test_every_type_is_stored_with_its_columns(app):
    w = bank_world()
    questions = [
        Question(qtype="true_false", stem="文物修复应遵循最小干预原则。", answer=("true",), difficulty=1),
        choice(qtype="multiple_choice", answer=("A", "C")),
        Question(
            qtype="fill_in",
            stem="常用的清洗溶剂有____和____。",
            blanks=(Blank.of("乙醇", "酒精"), Blank.of("丙酮", ignore_case=False)),
            points=4,
        ),
        Question(qtype="case", stem="分析以下案例……", marking_scheme="要点一 5 分；要点二 5 分。", points=10),
    ]
    for q in questions:
        bank_question = questions_ops.create_question(w.body, w.occupation, LEVEL, q, w.author)
        version = bank_question.latest
        assert version.to_question() == q
        assert (version.qtype, version.points, version.difficulty) == (q.qtype, q.points, q.difficulty)
    db.session.commit()


def test_images_are_checked_by_content_and_stored_once(app):
    w = bank_world()
    with pytest.raises(Refused) as refused:
        questions_ops.create_question(
            w.body, w.occupation, LEVEL, choice(images=("notes.png",)), w.author, images={"notes.png": b"%PDF-1.4"}
        )
    assert problems_of(refused.value) == {"image": ["bank_image_type"]}
    assert "notes.png" in messages(app, refused.value)
    db.session.rollback()

    picture = png()
    first = questions_ops.create_question(
        w.body, w.occupation, LEVEL, choice(images=("a.png",)), w.author, images={"a.png": picture}
    )
    second = questions_ops.create_question(
        w.body, w.occupation, LEVEL, choice(stem="另一题", images=("b.png",)), w.author, images={"b.png": picture}
    )
    db.session.commit()
    assets = db.session.execute(sa.select(QuestionAsset)).scalars().all()
    assert len(assets) == 1 and assets[0].media_type == "image/png"
    assert first.latest.assets[0].asset_id == second.latest.assets[0].asset_id == assets[0].id

    # an edit that keeps the image links the same file without uploading it again
    edited = questions_ops.edit_question(first, choice(stem="改过的题干", images=("a.png",)), w.author, "stem")
    assert [(link.name, link.asset_id) for link in edited.assets] == [("a.png", assets[0].id)]
    # a new file under the same name is a change even when the text is the same
    replaced = questions_ops.edit_question(
        first, choice(stem="改过的题干", images=("a.png",)), w.author, "picture", images={"a.png": png("blue")}
    )
    assert replaced.number == 3 and replaced.assets[0].asset_id != assets[0].id
    db.session.commit()


def test_every_write_is_audited_and_the_trainer_is_kept_out(app):
    from certify.recusal.operations import RecusalBlocked

    w = bank_world()
    bank_question = questions_ops.create_question(w.body, w.occupation, LEVEL, choice(), w.author)
    db.session.commit()
    entry = db.session.execute(sa.select(AuditEntry).where(AuditEntry.action == "bank.question_created")).scalar_one()
    assert entry.object_id == str(bank_question.id) and '"version":1' in entry.after

    with pytest.raises(RecusalBlocked):
        questions_ops.edit_question(bank_question, choice(stem="别的题干"), w.trainer_author, "x")
    db.session.commit()  # the blocked attempt stays on record; nothing else was written
    assert len(bank_question.versions) == 1
    blocked = db.session.execute(sa.select(AuditEntry).where(AuditEntry.action == "recusal.blocked")).scalars().all()
    assert len(blocked) == 1


def test_points_fit_the_stored_precision(app):
    w = bank_world()
    for points in ("0.333", "5000"):
        with pytest.raises(Refused) as refused:
            questions_ops.create_question(w.body, w.occupation, LEVEL, choice(points=points), w.author)
        assert problems_of(refused.value) == {"points": ["bank_points_range"]}
        db.session.rollback()
    assert questions_ops.create_question(w.body, w.occupation, LEVEL, choice(points="0.25"), w.author).latest.points
