"""Question model, type registry (validation and scoring) and the bilingual problem messages."""

from __future__ import annotations

import json
import re
import string
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from question_bank.model import QTYPES, Accept, Blank, Question, SourceRef
from question_bank.report import MESSAGES, ImportReport, Location, Problem
from question_bank.types import (
    QUESTION_TYPES,
    ScoringPolicy,
    normalise,
    score,
    validate,
)

MC = Question("multiple_choice", "选出正确项", options=("甲", "乙", "丙", "丁"), answer=("A", "C"), points=4)


def test_registry_has_one_class_per_fixed_type_key() -> None:
    assert tuple(QUESTION_TYPES) == QTYPES
    assert {k for k, t in QUESTION_TYPES.items() if t.hand_marked} == {
        "short_answer",
        "calculation",
        "essay",
        "case",
    }


def test_dict_form_round_trips_and_is_json() -> None:
    q = Question(
        "fill_in",
        "铜和_____",
        blanks=(Blank((Accept("锡"), Accept("Sn", "0.5"), Accept("3.14", 1, "0.01")), ignore_case=False),),
        points=Decimal("2.5"),
        difficulty=2,
        point_code="A-B-001",
        images=("a.png",),
        source=SourceRef("csv", "row 2"),
    )
    data = json.loads(json.dumps(q.to_dict()))
    assert data["points"] == "2.5" and data["source"] == {"format": "csv", "location": "row 2"}
    back = Question.from_dict(data)
    assert back == q and back.source == q.source
    assert Question.from_dict(q.to_dict(with_source=False)).source is None


def test_equality_ignores_source_and_title_but_not_content() -> None:
    a = Question("essay", "x", title="one", source=SourceRef("gift"))
    assert a == Question("essay", "x", title="two") and a != Question("essay", "y")


def test_validation_collects_every_problem_at_once() -> None:
    q = Question(
        "single_choice",
        " ",
        options=("只有一个",),
        answer=("A", "E"),
        points=0,
        difficulty=9,
        point_code="x1",
    )
    codes = sorted(p.code for p in validate(q))
    assert codes == sorted(
        [
            "empty_stem",
            "invalid_points",
            "invalid_difficulty",
            "invalid_point_code",
            "too_few_options",
            "answer_not_in_options",
            "single_answer_required",
        ]
    )


@pytest.mark.parametrize("code", ["A-B-C-007", "A-B-001", "A-B-C-D-E-F-123"])
def test_point_codes_as_in_the_element_table_are_valid(code: str) -> None:
    assert validate(Question("essay", "x", point_code=code, marking_scheme="y")) == []


@pytest.mark.parametrize("code", ["A-007", "A-B-07", "a-b-007", "A-B-C-D-E-F-G-001", "A_B_007"])
def test_malformed_point_codes_are_rejected(code: str) -> None:
    assert [p.code for p in validate(Question("essay", "x", point_code=code, marking_scheme="y"))] == [
        "invalid_point_code"
    ]


def test_multiple_choice_needs_two_keys_and_hand_marked_warns_without_scheme() -> None:
    assert [p.code for p in validate(Question("multiple_choice", "x", options=("a", "b"), answer=("A",)))] == [
        "multiple_answer_required"
    ]
    [warning] = validate(Question("case", "案例"))
    assert warning.code == "missing_marking_scheme" and warning.severity == "warning"


def test_true_false_scoring() -> None:
    q = Question("true_false", "x", answer=("false",), points=2)
    assert score(q, "false").points == 2 and score(q, False).correct
    assert score(q, "true").points == 0 and score(q, True).correct is False


def test_multiple_choice_is_all_or_nothing_by_default() -> None:
    assert score(MC, "CA").points == 4
    assert score(MC, ["A", "C"]).correct
    assert score(MC, "A").points == 0
    assert score(MC, "ACD").points == 0


def test_multiple_choice_partial_policies() -> None:
    half = ScoringPolicy(multiple_choice="partial")
    assert score(MC, "A", half).points == 2
    assert score(MC, "AB", half).points == 0  # a wrong option earns nothing
    assert score(MC, "A", ScoringPolicy("partial", Decimal("0.25"))).points == 1
    assert score(MC, "C", ScoringPolicy("per_option")).points == 2
    weighted = ScoringPolicy("weighted")
    assert score(MC, "A", weighted).points == 2
    assert score(MC, "AB", weighted).points == 0  # -100 % for a wrong pick, floored at 0


def test_weighted_policy_uses_imported_option_credits() -> None:
    q = Question("single_choice", "x", options=("a", "b"), answer=("A",), option_credits=(1, "0.5"))
    assert score(q, "B").points == 0
    assert score(q, "B", ScoringPolicy("weighted")).points == Decimal("0.5")


def test_fill_in_alternatives_width_and_case() -> None:
    q = Question("fill_in", "_____；_____", blanks=(Blank.of("北京", "北京市"), Blank.of("ABC")), points=4)
    assert score(q, ["北京市", "abc"]).points == 4
    assert score(q, ["北京", "ＡＢＣ"]).points == 4  # full-width letters match
    assert score(q, ["  北京 ", "x"]).points == 2
    strict = Question("fill_in", "_____", blanks=(Blank.of("ABC", ignore_case=False, ignore_width=False),))
    assert score(strict, ["abc"]).points == 0 and score(strict, ["ＡＢＣ"]).points == 0
    assert score(strict, ["ABC"]).points == 1


def test_fill_in_numeric_tolerance_credit_and_wildcard() -> None:
    q = Question("fill_in", "x", blanks=(Blank((Accept("3.14", 1, "0.01"), Accept("3", "0.5", "0"))),), points=2)
    assert score(q, ["3.145"]).points == 2
    assert score(q, ["3"]).points == 1
    assert score(q, ["pi"]).points == 0
    wild = Question("fill_in", "x", blanks=(Blank((Accept("Frog"), Accept("*", 0))),))
    assert score(wild, ["cat"]).points == 0 and score(wild, ["frog"]).points == 1


def test_hand_marked_needs_marking() -> None:
    s = score(Question("calculation", "x", points=10, marking_scheme="y"), "42")
    assert s.needs_marking and s.correct is None and s.max_points == 10


@given(st.text(alphabet=string.ascii_letters + "ＡＢＣａｂｃ０１２ 　", max_size=20))
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once


def test_every_message_code_has_both_languages_and_renders_with_its_params() -> None:
    for code, (en, zh) in MESSAGES.items():
        assert en and zh, code
        names = set(re.findall(r"{(\w+)}", en))
        assert names == set(re.findall(r"{(\w+)}", zh)), code
        params = dict.fromkeys(names, "7")
        problem = Problem(code, params, location=Location(row=3, column="答案"))
        assert "{" not in problem.message("en") and "{" not in problem.message("zh_CN")
        assert problem.message("zh_CN").startswith("第 3 行，“答案”列：")
        assert re.search(r"[\u4e00-\u9fff]", problem.message("zh_CN")), code


def test_every_problem_code_used_in_the_package_has_a_message() -> None:
    from pathlib import Path

    import question_bank

    root = Path(question_bank.__file__).parent
    mine = [root / "model.py", root / "types.py", *(root / "formats").glob("*.py")]
    used = {m for path in mine for m in re.findall(r'Problem\(\s*"(\w+)"', path.read_text("utf-8"))}
    assert used and used <= set(MESSAGES), used - set(MESSAGES)


def test_report_counts_ok_and_json() -> None:
    report = ImportReport("csv", [Problem("empty_stem", location=Location(row=2)), Problem("x", severity="warning")])
    assert not report.ok and len(report.errors) == 1 and len(report.warnings) == 1
    assert json.loads(json.dumps(report.to_dict()))["problems"][0]["location"] == {"row": 2}
    assert ImportReport("csv", [Problem("feedback_not_kept", severity="warning")]).ok
