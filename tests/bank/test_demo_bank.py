"""The demo bank as a new user meets it: each role finds working data behind the documented pages."""

from __future__ import annotations

import sqlalchemy as sa

from certify.bank.models import BankQuestion, BlueprintRecord, BlueprintState, ItemFlag, PaperRecord, QuestionVersion
from certify.core.db import db
from tests.factories import login


def _seeded(cli):
    result = cli.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output


def test_the_demo_bank_holds_a_usable_bank_blueprint_papers_and_a_review_queue(cli, app):
    _seeded(cli)
    states = dict(
        db.session.execute(sa.select(QuestionVersion.state, sa.func.count()).group_by(QuestionVersion.state)).all()
    )
    assert states["active"] >= 250 and states["in_review"] == 3 and states["pretest"] == 2 and states["draft"] == 1
    # the bank's own blueprint and run come first (the exam sessions of the demo add theirs later)
    blueprint = db.session.execute(sa.select(BlueprintRecord).order_by(BlueprintRecord.id)).scalars().first()
    assert blueprint.state == BlueprintState.APPROVED
    papers = sorted(blueprint.runs[0].papers, key=lambda p: p.form)
    assert [p.form for p in papers] == ["A", "B"] and all(p.total_points == 100 for p in papers)
    assert db.session.execute(sa.select(sa.func.count()).select_from(ItemFlag)).scalar_one() >= 1


def test_each_bank_role_sees_the_demo_through_the_pages(cli, app):
    _seeded(cli)
    question = db.session.execute(sa.select(BankQuestion.id).order_by(BankQuestion.id)).scalars().first()
    paper = db.session.execute(sa.select(PaperRecord.id).order_by(PaperRecord.id)).scalars().first()

    reviewer = app.test_client()
    login(reviewer, "reviewer", "certify-demo")
    queue = reviewer.get("/bank/review", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert queue.count("/review") >= 3
    shown = reviewer.get(f"/bank/questions/{question}").get_data(as_text=True)
    assert "最小干预原则" in shown

    author = app.test_client()
    login(author, "author", "certify-demo")
    returned = db.session.execute(
        sa.select(QuestionVersion.question_id).where(QuestionVersion.state == "draft")
    ).scalar_one()
    listed = author.get("/bank/questions?occupation=4-13-03-02&level=4&state=draft").get_data(as_text=True)
    assert f"/bank/questions/{returned}" in listed
    assert "干扰项过于明显" in author.get(f"/bank/questions/{returned}").get_data(as_text=True)
    assert author.get(f"/bank/papers/{paper}/content").status_code == 200

    admin = app.test_client()
    login(admin, "admin", "certify-demo")
    assert "4-13-03-02" in admin.get("/bank/elements").get_data(as_text=True)
    assert admin.get(f"/bank/papers/{paper}").status_code == 200
    assert admin.get(f"/bank/questions/{question}").status_code == 403  # structure yes, content no
    flags = admin.get("/bank/flags").get_data(as_text=True)
    assert "/statistics" in flags

    trainer = app.test_client()
    login(trainer, "trainer", "certify-demo")
    assert trainer.get("/bank").status_code == 403
