"""Recording a sitting's statistics: Moodle's figures per paper item, flags into the review queue, refusals."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

import pytest
import sqlalchemy as sa

from certify.bank.models import (
    AssemblyRun,
    BankQuestion,
    BlueprintRecord,
    FlagState,
    ItemFlag,
    ItemStatistic,
    PaperItem,
    PaperRecord,
    QuestionVersion,
    SessionStatistics,
    VersionState,
)
from certify.bank.statistics_ops import flag_policy, item_history, record_session_statistics
from certify.core.clock import now_utc
from certify.core.db import db
from certify.core.errors import Refused
from certify.supervision.models import AuditEntry
from question_bank.item_review import FlagPolicy
from question_bank.marks_matrix import MarksMatrix
from question_bank.model import Question
from question_bank.statistics import item_statistics
from tests.bank.world import LEVEL, bank_world

#: (name, type, points); the name says what the item is for: E too easy, H too hard, N not discriminating,
#: G a good two-point hand-marked item, D a choice item whose distractor C draws the top group, A1–A3 anchors
ITEMS = [
    ("E", "true_false", 1),
    ("H", "single_choice", 1),
    ("N", "single_choice", 1),
    ("G", "short_answer", 2),
    ("D", "single_choice", 1),
    ("A1", "single_choice", 1),
    ("A2", "single_choice", 1),
    ("A3", "single_choice", 1),
]
NAMES = [name for name, _type, _points in ITEMS]
POINTS = [points for _name, _type, points in ITEMS]
#: what each of twelve candidates (strongest first) answered to D; the key is A
D_ANSWERS = ["A", "C", "C", "A", "A", "A", "A", "A", "B", "B", "D", "A"]


def _marks(rank: int) -> list[int]:
    d = int(D_ANSWERS[rank - 1] == "A")
    good = 2 if rank <= 4 else 1 if rank <= 8 else 0
    return [1, int(rank == 1), int(rank >= 7), good, d, int(rank <= 9), int(rank <= 6), int(rank <= 4)]


MARKS = [_marks(rank) for rank in range(1, 13)]


def responses() -> list[list[str | None]]:
    """Chosen letters per attempt: the key A when the mark is full, else B; D as in D_ANSWERS; 对 for E."""
    rows = []
    for marks, d in zip(MARKS, D_ANSWERS, strict=True):
        row: list[str | None] = []
        for (name, qtype, _points), mark in zip(ITEMS, marks, strict=True):
            if name == "D":
                row.append(d)
            elif qtype == "true_false":
                row.append("对")
            elif qtype == "short_answer":
                row.append(None)
            else:
                row.append("A" if mark else "B")
        rows.append(row)
    return rows


def matrix(rows=MARKS, names=NAMES) -> MarksMatrix:
    return MarksMatrix(tuple(names), tuple(tuple(float(m) for m in row) for row in rows), tuple(map(float, POINTS)))


@dataclass
class PaperWorld:
    world: object
    paper: PaperRecord
    questions: dict[str, BankQuestion]
    pretest: BankQuestion


def _question(world, occupation, name: str, qtype: str, points: int, number: int):
    now = now_utc()
    question = BankQuestion(body_id=world.body.id, occupation_id=occupation.id, level_ordinal=LEVEL, created_at=now)
    db.session.add(question)
    db.session.flush()
    content = Question(
        qtype=qtype,
        stem=f"题目 {name}",
        options=("甲", "乙", "丙", "丁") if qtype == "single_choice" else (),
        answer=("A",) if qtype == "single_choice" else ("true",) if qtype == "true_false" else (),
        marking_scheme="要点" if qtype == "short_answer" else "",
        points=Decimal(points),
        point_code=f"A-A-{number:03d}",
    ).to_dict(with_source=False)
    text = json.dumps(content, ensure_ascii=False, sort_keys=True)
    version = QuestionVersion(
        question_id=question.id,
        number=1,
        state=VersionState.ACTIVE,
        content=text,
        content_hash=hashlib.sha256(text.encode()).hexdigest(),
        qtype=qtype,
        point_code=f"A-A-{number:03d}",
        difficulty=3,
        points=Decimal(points),
        created_at=now,
    )
    db.session.add(version)
    db.session.flush()
    return question, version


def make_paper(world=None, form: str = "A", occupation=None) -> PaperWorld:
    """A paper of the world's occupation: the eight ITEMS scored in order, then one unscored pretest item."""
    world = world or bank_world()
    occupation = occupation or world.occupation
    now = now_utc()
    blueprint = BlueprintRecord(
        body_id=world.body.id,
        occupation_id=occupation.id,
        level_ordinal=LEVEL,
        name="高级工理论方案",
        spec="{}",
        created_at=now,
        updated_at=now,
    )
    db.session.add(blueprint)
    db.session.flush()
    run = AssemblyRun(blueprint_id=blueprint.id, seed="s1", spec="{}", window="2026-06", created_at=now)
    db.session.add(run)
    db.session.flush()
    paper = PaperRecord(run_id=run.id, form=form, seed="s1", total_points=Decimal(9), mean_difficulty=3.0)
    db.session.add(paper)
    db.session.flush()
    questions = {}
    specs = [*ITEMS, ("P", "single_choice", 1)]
    for position, (name, qtype, points) in enumerate(specs, start=1):
        question, version = _question(world, occupation, name, qtype, points, position)
        questions[name] = question
        db.session.add(
            PaperItem(
                paper_id=paper.id,
                position=position,
                question_id=question.id,
                version_id=version.id,
                type_key=qtype,
                points=Decimal(points if name != "P" else 0),
                cell="A-A",
                point_code=version.point_code,
                difficulty=3.0,
                scored=name != "P",
            )
        )
    db.session.commit()
    return PaperWorld(world, db.session.get(PaperRecord, paper.id), questions, questions.pop("P"))


def _flags(pw: PaperWorld) -> dict[str, set[str]]:
    """Flag codes per item name."""
    by_question = {q.id: name for name, q in pw.questions.items()}
    out: dict[str, set[str]] = {}
    for flag in db.session.execute(sa.select(ItemFlag)).scalars():
        out.setdefault(by_question[flag.question_id], set()).update(f["code"] for f in json.loads(flag.flags))
    return out


def test_the_figures_are_moodles_and_the_flags_reach_the_queue(app):
    pw = make_paper()
    session = record_session_statistics(pw.paper, " 2026-06 理论 ", matrix(), user=pw.world.reviewer)
    db.session.commit()
    expected = item_statistics(matrix(), POINTS)
    stored = db.session.get(SessionStatistics, session.id)
    assert stored.label == "2026-06 理论" and stored.attempts == 12
    assert json.loads(stored.test)["cic"] == pytest.approx(expected.test.cic)
    assert [s.position for s in stored.items] == list(range(1, 9))  # the pretest item is not a column
    for statistic, figures in zip(stored.items, expected.items, strict=True):
        assert statistic.facility == pytest.approx(figures.facility)
        assert statistic.discrimination_index == pytest.approx(figures.discrimination_index)
        assert statistic.point_biserial == pytest.approx(figures.point_biserial)
        measures = json.loads(statistic.measures)
        assert measures["upper_lower_discrimination"] == pytest.approx(figures.upper_lower_discrimination)
        assert measures["distractors"] is None
    good = next(s for s in stored.items if s.question_id == pw.questions["G"].id)
    assert good.facility == pytest.approx(0.5)  # (4 × 2 + 4 × 1) / (12 × 2)
    assert _flags(pw) == {"E": {"too_easy"}, "H": {"too_hard"}, "N": {"low_discrimination"}}
    flags = db.session.execute(sa.select(ItemFlag)).scalars().all()
    assert {f.state for f in flags} == {FlagState.OPEN}
    entry = db.session.execute(
        sa.select(AuditEntry).where(AuditEntry.action == "bank.session_statistics_recorded")
    ).scalar_one()
    assert json.loads(entry.after)["attempts"] == 12 and entry.object_id == str(session.id)


def test_responses_add_the_distractor_analysis(app):
    pw = make_paper()
    session = record_session_statistics(pw.paper, "2026-06", matrix(), responses(), pw.world.reviewer)
    db.session.commit()
    flags = _flags(pw)
    assert "negative_distractor" in flags["D"]
    stored = {s.question_id: json.loads(s.measures) for s in db.session.get(SessionStatistics, session.id).items}
    options = {o["option"]: o for o in stored[pw.questions["D"].id]["distractors"]["options"]}
    # the top three by total are candidates 1, 4 and 3 (a tie with 2 goes to the later row); 3 chose C
    assert options["C"]["upper_count"] == 1 and options["C"]["lower_count"] == 0 and not options["C"]["is_key"]
    assert stored[pw.questions["G"].id]["distractors"] is None  # hand-marked: no options


def test_thresholds_come_from_the_config(app):
    pw = make_paper()
    app.config["CERTIFY_ITEM_FLAG_FACILITY_HIGH"] = 0.7
    app.config["CERTIFY_ITEM_FLAG_DISCRIMINATION_MIN"] = "0.5"
    assert flag_policy() == FlagPolicy(facility_high=0.7, facility_low=0.2, discrimination_min=0.5)
    record_session_statistics(pw.paper, "2026-06", matrix())
    db.session.commit()
    flags = _flags(pw)
    assert "too_easy" in flags["A1"]  # facility 0.75
    assert "low_discrimination" in flags["D"]  # item–rest 0.185
    assert "G" not in flags


def test_every_problem_is_refused_and_nothing_is_stored(app):
    pw = make_paper()
    bad = [row[:] for row in MARKS]
    bad[2][3] = 3  # above G's two points
    bad[4][0] = -1
    with app.test_request_context(headers={"Accept-Language": "en"}), pytest.raises(Refused) as refused:
        record_session_statistics(pw.paper, "", matrix(bad))
    codes = [p.code for p in refused.value.problems]
    assert codes.count("bank_stats_mark_out_of_range") == 2 and "bank_stats_label_required" in codes
    with app.test_request_context(headers={"Accept-Language": "en"}):
        messages = refused.value.messages()
    assert any("attempt 3, item 4" in m and "between 0 and 2" in m for m in messages), messages
    with pytest.raises(Refused) as refused:
        record_session_statistics(pw.paper, "x", matrix([row[:7] for row in MARKS], NAMES[:7]))
    assert [p.code for p in refused.value.problems] == ["bank_stats_column_count"]
    assert refused.value.problems[0].params["expected"] == 8
    with pytest.raises(Refused) as refused:
        record_session_statistics(pw.paper, "x", matrix(MARKS[:1]))
    assert [p.code for p in refused.value.problems] == ["bank_stats_too_few_attempts"]
    bad_answers = responses()
    bad_answers[0][4] = "E"
    with pytest.raises(Refused) as refused:
        record_session_statistics(pw.paper, "x", matrix(), bad_answers)
    assert refused.value.problems[0].params | {"file": None} == {
        "file": None,
        "row": 1,
        "column": 5,
        "value": "E",
        "options": "A/B/C/D",
    }
    db.session.rollback()
    assert db.session.execute(sa.select(sa.func.count(SessionStatistics.id))).scalar_one() == 0
    assert db.session.execute(sa.select(sa.func.count(ItemFlag.id))).scalar_one() == 0


def test_the_history_lists_sittings_in_order(app):
    pw = make_paper()
    first = record_session_statistics(pw.paper, "2026-03", matrix())
    db.session.commit()
    second = record_session_statistics(pw.paper, "2026-06", matrix(MARKS + MARKS[:4]))
    db.session.commit()
    history = item_history(pw.questions["E"].id)
    assert [h["label"] for h in history] == ["2026-03", "2026-06"]
    assert [h["session"].id for h in history] == [first.id, second.id]
    assert history[0]["n"] == 12 and history[1]["n"] == 16 and history[0]["version"] == 1
    assert [f.code for f in history[0]["flags"]] == ["too_easy"]
    assert db.session.execute(sa.select(sa.func.count(ItemStatistic.id))).scalar_one() == 16


def test_thresholds_can_be_set_in_the_environment_and_bad_ones_are_named(monkeypatch):
    from flask import Flask

    from certify.config import build_config

    monkeypatch.setenv("CERTIFY_ITEM_FLAG_FACILITY_LOW", "0.3")
    monkeypatch.setenv("CERTIFY_ITEM_FLAG_DISTRACTOR_MARGIN", "0.05")
    bare = Flask(__name__)
    bare.config.update(build_config({"CERTIFY_ENV": "testing"}))
    with bare.app_context():
        assert flag_policy() == FlagPolicy(facility_low=0.3, distractor_margin=0.05)
        bare.config["CERTIFY_ITEM_FLAG_FACILITY_HIGH"] = "high"
        with pytest.raises(RuntimeError, match="CERTIFY_ITEM_FLAG_FACILITY_HIGH"):
            flag_policy()
