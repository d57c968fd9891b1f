"""Assembly of papers from an approved blueprint: stored with their seed, exact weights, deterministic, exposure
cap across runs of a window, exclusion of recently used questions, pretest items, and refusals that store nothing."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime

import pytest

from certify.bank import assembly_ops
from certify.bank.blueprints_ops import blueprint_of
from certify.bank.models import AssemblyRun, PaperItem, PaperRecord, VersionState
from certify.core.db import db
from certify.core.errors import Refused
from question_bank.paper import check_paper
from tests.bank.test_blueprints_support import audit_entries, count_rows, make_blueprint, make_questions, texts
from tests.bank.world import bank_world, point_codes


@pytest.fixture
def world(app):
    world = bank_world()
    make_questions(world)  # one question of each type on each of the 40 points
    return world


def _scored(run: AssemblyRun) -> dict[str, list[int]]:
    return {p.form: [i.version_id for i in p.items if i.scored] for p in run.papers}


def test_papers_are_stored_with_their_seed_and_match_the_weights_exactly(world):
    record = make_blueprint(world)
    run = assembly_ops.assemble_papers(record, "seed-1", 2, "2026-12", 40, world.admin)
    db.session.commit()
    assert run.seed == "seed-1" and run.window == "2026-12" and run.candidates == 40
    assert json.loads(run.spec) == record.spec_dict()
    assert [p.form for p in run.papers] == ["A", "B"]
    pure = blueprint_of(record)
    for paper in run.papers:
        assert paper.seed == "seed-1" and paper.candidates == 20
        assert float(paper.total_points) == 100
        assert check_paper(assembly_ops.paper_from_record(paper), pure) == []
        assert assembly_ops.points_per_cell(paper) == {"A-A": 20, "A-B": 20, "B-A": 30, "B-B": 30}
        assert len({item.point_code for item in paper.items}) == len(paper.items) == 15
        assert [item.position for item in paper.items] == list(range(1, 16))
        assert 2 <= paper.mean_difficulty <= 4
    entry = audit_entries("bank.papers_assembled")[-1]
    after = json.loads(entry.after)
    assert entry.object_id == str(run.id) and after["seed"] == "seed-1"
    assert after["forms"] == _scored(run)


def test_the_same_seed_gives_the_same_papers_and_another_seed_others(world):
    record = make_blueprint(world)
    first = assembly_ops.assemble_papers(record, "same", 2, "w", 0, None, save=False)
    again = assembly_ops.assemble_papers(record, "same", 2, "w", 0, None, save=False)
    other = assembly_ops.assemble_papers(record, "other", 2, "w", 0, None, save=False)
    rows = [first.rows(p) for p in first.result.papers]
    assert rows == [again.rows(p) for p in again.result.papers]
    assert rows != [other.rows(p) for p in other.result.papers]
    assert count_rows(AssemblyRun) == 0  # inspection stores nothing


def test_the_exposure_cap_holds_across_two_runs_of_one_window(world):
    record = make_blueprint(world, forms=4, exposure_cap=0.25, max_form_overlap=0.2)
    first = assembly_ops.assemble_papers(record, "run-1", 4, "2026-12", 40, world.admin)  # 10 candidates a form
    second = assembly_ops.assemble_papers(record, "run-2", 2, "2026-12", 40, world.admin)  # 20 candidates a form
    db.session.commit()
    assert [p.candidates for p in first.papers] == [10] * 4 and [p.candidates for p in second.papers] == [20] * 2
    seen: Counter[int] = Counter()
    for run in (first, second):
        for paper in run.papers:
            for item in paper.items:
                seen[item.question_id] += paper.candidates
    assert max(seen.values()) <= 0.25 * (40 + 40)
    # a question of the first run (10) on a second-run form (20) would reach 30 > 20: none is reused
    first_questions = {i.question_id for p in first.papers for i in p.items}
    assert not first_questions & {i.question_id for p in second.papers for i in p.items}
    # other windows do not count: the same seed in a fresh window may reuse them
    exposure = assembly_ops.exposure_state(record, assembly_ops.live_bank(record), "2027-01", 40, 2)
    assert exposure.counts == {} and exposure.window_candidates == 40 and exposure.candidates_per_paper == 20


def test_an_exposure_cap_below_one_form_share_is_refused_naming_it_and_nothing_is_stored(world):
    record = make_blueprint(world, exposure_cap=0.3)
    with pytest.raises(Refused) as refused:
        assembly_ops.assemble_papers(record, "s", 2, "2026-12", 100, world.admin)
    db.session.rollback()
    messages = texts(refused.value)
    assert "held back" in messages and "exposure cap" in messages
    assert "Range A-A" in messages and "short by" in messages
    assert count_rows(AssemblyRun) == count_rows(PaperRecord) == count_rows(PaperItem) == 0
    assert audit_entries("bank.papers_assembled") == []
    # with no expected candidates there is no cap to respect
    assert assembly_ops.assemble_papers(record, "s", 2, "2026-12", 0, None, save=False).result.ok


def test_questions_of_the_last_n_sessions_are_excluded(world):
    record = make_blueprint(world, exclude_last_sessions=1)
    older = assembly_ops.assemble_papers(record, "older", 2, "2026-06", 0, world.admin)
    assembly_ops.mark_run_used(older, "2026年6月理论考试", datetime(2026, 6, 1, tzinfo=UTC))
    newer = assembly_ops.assemble_papers(record, "newer", 2, "2026-09", 0, world.admin)
    assembly_ops.mark_run_used(newer, "2026年9月理论考试", datetime(2026, 9, 1, tzinfo=UTC))
    db.session.commit()
    newer_questions = {i.question_id for p in newer.papers for i in p.items}
    older_questions = {i.question_id for p in older.papers for i in p.items}
    assert assembly_ops.used_questions(record, 1) == newer_questions
    assert assembly_ops.used_questions(record, 2) == newer_questions | older_questions
    third = assembly_ops.assemble_papers(record, "third", 2, "2026-12", 0, world.admin)
    third_questions = {i.question_id for p in third.papers for i in p.items}
    assert not third_questions & newer_questions
    assert json.loads(audit_entries("bank.run_used")[-1].after)["session"] == "2026年9月理论考试"


def test_a_run_is_marked_used_once(world):
    record = make_blueprint(world)
    run = assembly_ops.assemble_papers(record, "s", 2, "w", 0, world.admin)
    assembly_ops.mark_run_used(run, "第一场", datetime(2026, 6, 1, tzinfo=UTC))
    with pytest.raises(Refused) as refused:
        assembly_ops.mark_run_used(run, "第二场", datetime(2026, 7, 1, tzinfo=UTC))
    assert "第一场" in texts(refused.value)
    with pytest.raises(Refused):
        assembly_ops.mark_run_used(run, "  ", datetime(2026, 7, 1, tzinfo=UTC))


def test_pretest_questions_are_appended_unscored_on_points_not_on_the_form(world):
    make_questions(world, types=("single_choice",), state=VersionState.PRETEST)
    record = make_blueprint(world, pretest_count=3)
    run = assembly_ops.assemble_papers(record, "pre", 2, "w", 0, world.admin)
    again = assembly_ops.assemble_papers(record, "pre", 2, "w", 0, None, save=False)
    for paper in run.papers:
        scored = [i for i in paper.items if i.scored]
        pretest = [i for i in paper.items if not i.scored]
        assert len(scored) == 15 and len(pretest) == 3
        assert [i.position for i in pretest] == [16, 17, 18]
        assert all(float(i.points) == 0 and i.version.state == VersionState.PRETEST for i in pretest)
        assert not {i.point_code for i in pretest} & {i.point_code for i in scored}
        assert float(paper.total_points) == 100
        replay = [row["version_id"] for row in again.rows(next(p for p in again.result.papers if p.form == paper.form))]
        assert replay == [i.version_id for i in paper.items]


def test_too_few_pretest_questions_are_refused_with_the_numbers(world):
    make_questions(world, points=point_codes()[:1], types=("single_choice",), state=VersionState.PRETEST)
    record = make_blueprint(world, pretest_count=2)
    with pytest.raises(Refused) as refused:
        assembly_ops.assemble_papers(record, "pre", 2, "w", 0, world.admin)
    assert count_rows(AssemblyRun) == 0
    text = texts(refused.value)
    assert "Form A" in text and "short by" in text


def test_only_approved_blueprints_are_assembled_and_drafts_only_inspected(world):
    draft = make_blueprint(world, approve=False)
    with pytest.raises(Refused) as refused:
        assembly_ops.assemble_papers(draft, "s", 2, "w", 0, world.admin)
    assert refused.value.problems[0].code == "bank_blueprint_not_approved"
    with pytest.raises(Refused):
        assembly_ops.assemble_papers(draft, "s", 2, "w", 0, world.admin, allow_draft=True)
    inspected = assembly_ops.assemble_papers(draft, "s", 2, "w", 0, None, save=False, allow_draft=True)
    assert inspected.result.ok
    with pytest.raises(Refused):
        assembly_ops.store_assembly(inspected, None)
    assert count_rows(AssemblyRun) == 0


def test_bad_arguments_are_refused_each_on_its_field(world):
    record = make_blueprint(world)
    with pytest.raises(Refused) as refused:
        assembly_ops.assemble_papers(record, "", 1, "", -1, world.admin)
    assert {p.field for p in refused.value.problems} == {"seed", "forms", "window", "candidates"}
