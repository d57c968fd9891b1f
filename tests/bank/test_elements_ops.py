"""Element-table operations: the pure table from stored rows, all-or-nothing replacement, export, bank size."""

from __future__ import annotations

import hashlib
import json

import pytest

from certify.bank import elements_ops as ops
from certify.bank.models import ElementNodeKind, VersionState
from certify.core.db import db
from certify.core.errors import Refused
from question_bank.elements_xlsx import read_element_table_xlsx
from tests.bank.elements_helpers import add_question, replaced_entries, sheet, stored_table, valid_rows
from tests.bank.world import LEVEL, bank_world, point_codes


@pytest.fixture
def world(app):
    return bank_world()


def test_the_stored_rows_make_the_pure_table(world):
    table = ops.element_table(world.body.id, world.occupation)
    assert table is not None and table.occupation_code == world.occupation.code
    assert sorted(code for code, _, _ in table.iter_points()) == sorted(point_codes())
    assert table.cells(LEVEL) == {"A-A": 20, "A-B": 20, "B-A": 30, "B-B": 30}
    assert ops.element_table(world.body.id, world.other_occupation) is None


def test_replacing_bumps_the_revision_replaces_the_rows_and_is_audited(world):
    data = sheet(valid_rows())
    record = ops.replace_element_table(world.body, world.occupation, data, "细目表.xlsx", world.admin)
    db.session.commit()
    stored = stored_table(world)
    assert stored.id == record.id and stored.revision == 2
    assert stored.source_filename == "细目表.xlsx" and stored.updated_by_id == world.admin.id
    kinds = [node.kind for node in stored.nodes]
    assert kinds.count(ElementNodeKind.RANGE) == 6 and kinds.count(ElementNodeKind.POINT) == 20
    assert [node.code for node in stored.nodes][:3] == ["A", "A-A", "A-A-001"]
    (entry,) = replaced_entries()
    before, after = json.loads(entry.before), json.loads(entry.after)
    assert before["revision"] == 1 and before["ranges"] == 6 and before["points"] == 40
    assert after["revision"] == 2 and after["ranges"] == 6 and after["points"] == 20
    assert after["sha256"] == hashlib.sha256(data).hexdigest()
    assert entry.object_type == "element_table" and entry.object_id == str(record.id)


def test_a_first_table_starts_at_revision_1(world):
    record = ops.replace_element_table(world.body, world.other_occupation, sheet(valid_rows()), "t.xlsx", world.admin)
    db.session.commit()
    assert record.revision == 1
    assert json.loads(replaced_entries()[0].after)["revision"] == 1 and replaced_entries()[0].before is None


def test_a_bad_file_is_refused_with_every_problem_and_changes_nothing(world):
    rows = valid_rows()
    rows[0][3] = "abc"
    rows[2][2] = None
    with pytest.raises(ops.ElementTableRejected) as refused:
        ops.replace_element_table(world.body, world.occupation, sheet(rows), "bad.xlsx", world.admin)
    db.session.rollback()
    problems = refused.value.sheet_problems
    assert [(p.code, p.location.row) for p in problems] == [("weight_not_number", 2), ("importance_missing", 4)]
    assert stored_table(world).revision == 1 and len(stored_table(world).nodes) == 46
    assert replaced_entries() == []


def test_dropping_points_that_questions_still_use_is_refused_naming_them(world):
    # world points are A-A-001…010 etc.; the new table has only 001…005 under each range
    add_question(world, "A-A-007", VersionState.DRAFT)
    add_question(world, "A-A-007", VersionState.ACTIVE)
    add_question(world, "B-B-009", VersionState.IN_REVIEW)
    add_question(world, "B-A-010", VersionState.RETIRED)  # retired questions do not hold their point
    add_question(world, "A-A-001", VersionState.ACTIVE)  # kept by the new table
    add_question(world, "C-A-001", VersionState.DRAFT)  # not in the old table either: nothing is dropped
    with pytest.raises(Refused) as refused:
        ops.replace_element_table(world.body, world.occupation, sheet(valid_rows()), "new.xlsx", world.admin)
    db.session.rollback()
    assert [(p.code, p.params) for p in refused.value.problems] == [
        ("element_points_in_use", {"code": "A-A-007", "count": 2}),
        ("element_points_in_use", {"code": "B-B-009", "count": 1}),
    ]
    assert stored_table(world).revision == 1 and replaced_entries() == []


def test_a_body_not_filed_for_the_occupation_is_refused(world):
    with pytest.raises(Refused) as refused:
        ops.replace_element_table(world.body, _unfiled(), sheet(valid_rows()), "t.xlsx", world.admin)
    assert refused.value.problems[0].code == "element_occupation_not_filed"


def _unfiled():
    from certify.institutions import operations

    return operations.save_occupation(
        None, {"code": "6-01-01-01", "name_zh": "未备案职业", "name_en": None, "standard_version": "2023"}
    )


def test_the_export_reads_back_as_the_stored_table(world):
    data = ops.export_element_table(world.body.id, world.occupation, world.author)
    table, problems = read_element_table_xlsx(data, world.occupation.code, ops.level_aliases())
    assert table == ops.element_table(world.body.id, world.occupation)
    assert [p.code for p in problems] == ["importance_z_too_high"]  # the world's table has 10 % Z
    assert ops.export_element_table(world.body.id, world.other_occupation, world.author) is None


def test_bank_size_numbers_per_cell_and_in_total(world):
    # cells at level 4: A-A 20, A-B 20, B-A 30, B-B 30 → needed 40, 40, 60, 60 (premium 60, 60, 90, 90)
    for _ in range(9):
        add_question(world, "A-A-001", VersionState.ACTIVE, points=5)  # A-A holds 45
    add_question(world, "A-B-002", VersionState.ACTIVE, points=10)  # A-B holds 10
    add_question(world, "A-B-003", VersionState.DRAFT, points=50)  # drafts do not count
    add_question(world, "B-A-001", VersionState.ACTIVE, points=2, level=5)  # another level does not count
    add_question(world, "B-B", VersionState.ACTIVE, points=61)  # a question on the range itself counts
    report = ops.bank_size(world.body.id, world.occupation, LEVEL, premium=False)
    cells = {c.code: (c.weight, c.needed, c.held, c.shortfall, c.ok) for c in report.cells}
    assert cells == {
        "A-A": (20, 40, 45, 0, True),
        "A-B": (20, 40, 10, 30, False),
        "B-A": (30, 60, 0, 60, False),
        "B-B": (30, 60, 61, 0, True),
    }
    assert (report.total_held, report.total_shortfall, report.total_ok) == (116, 84, False)
    assert [p.code for p in report.problems] == ["bank_range_too_small", "bank_range_too_small", "bank_level_too_small"]
    premium = ops.bank_size(world.body.id, world.occupation, LEVEL, premium=True)
    assert [(c.code, c.needed, c.shortfall) for c in premium.cells] == [
        ("A-A", 60, 15),
        ("A-B", 60, 50),
        ("B-A", 90, 90),
        ("B-B", 90, 29),
    ]
    assert premium.total_shortfall == 184 and premium.policy.minimum_total == 300


def test_bank_size_of_an_occupation_without_a_table_is_none(world):
    assert ops.bank_size(world.body.id, world.other_occupation, LEVEL, premium=False) is None


def test_level_columns_cover_the_certified_levels_only():
    assert ops.level_headers() == {2: "初级工", 3: "中级工", 4: "高级工", 5: "技师", 6: "高级技师"}
    aliases = ops.level_aliases()
    assert aliases["Senior worker"] == 4 and aliases["三级/高级工"] == 4 and "学徒工" not in aliases
