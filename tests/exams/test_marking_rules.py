"""Marking rules without a database: scoring a stored response, reading a mark, reconciling marks, the theory
score and the blind script code."""

from __future__ import annotations

from decimal import Decimal

import pytest

from certify.exams import marking_rules as rules
from certify.exams.marking_rules import AnswerStatus
from question_bank.model import Accept, Blank, Question

D = Decimal
TRUE_FALSE = Question("true_false", "?", answer=("true",))
SINGLE = Question("single_choice", "?", options=("a", "b", "c", "d"), answer=("A",), points=2)
MULTIPLE = Question("multiple_choice", "?", options=("a", "b", "c", "d"), answer=("A", "B", "C"))
FILL = Question("fill_in", "?", blanks=(Blank((Accept("氯化亚铜"), Accept("CuCl"))), Blank.of("3")))


@pytest.mark.parametrize(
    ("question", "response", "points"),
    [
        (TRUE_FALSE, "true", D(10)),
        (TRUE_FALSE, True, D(10)),
        (TRUE_FALSE, "false", D(0)),
        (TRUE_FALSE, "maybe", D(0)),
        (SINGLE, ["A"], D(10)),
        (SINGLE, "A", D(10)),
        (SINGLE, ["B"], D(0)),
        (SINGLE, ["A", "B"], D(0)),
        (MULTIPLE, ["C", "A", "B"], D(10)),
        (MULTIPLE, "ABC", D(10)),
        (MULTIPLE, ["A", "B"], D(0)),  # all or nothing: a correct subset earns nothing
        (MULTIPLE, ["A", "B", "C", "D"], D(0)),
        (FILL, ["CuCl", "3"], D(10)),  # an alternative answer of the first blank
        (FILL, ["cucl", "３"], D(10)),  # case and full width are ignored
        (FILL, ["氯化亚铜", ""], D(5)),  # one blank of two
        (FILL, ["铜", "4"], D(0)),
    ],
)
def test_each_type_scores_scaled_to_the_item_points(question, response, points):
    assert rules.item_points(question, response, D(10)) == points


@pytest.mark.parametrize("response", [None, "", [], [""], {"A": 1}, 7, [None], [[1]], True])
def test_unanswered_or_malformed_responses_score_nothing_and_never_fail(response):
    for question in (SINGLE, MULTIPLE, FILL):
        assert rules.item_points(question, response, D(10)) == D(0)


def test_a_fraction_is_kept_to_the_cent():
    three = Question("fill_in", "?", blanks=(Blank.of("a"), Blank.of("b"), Blank.of("c")))
    assert rules.item_points(three, ["a", "b", "x"], D(20)) == D("13.33")


@pytest.mark.parametrize(
    ("raw", "value", "code"),
    [
        ("7", D("7.00"), None),
        ("7.5", D("7.50"), None),
        ("７，５", D("7.50"), None),  # full width and a decimal comma
        (" 0 ", D("0.00"), None),
        ("15", D("15.00"), None),
        ("", None, "marking_points_required"),
        ("seven", None, "marking_points_invalid"),
        ("nan", None, "marking_points_invalid"),
        ("15.5", None, "marking_points_range"),
        ("-1", None, "marking_points_range"),
        ("7.25", None, "marking_points_step"),
    ],
)
def test_a_mark_is_a_half_point_from_zero_to_the_item_points(raw, value, code):
    parsed, problems = rules.parse_mark(raw, D(15))
    assert parsed == value
    assert [p.code for p in problems] == ([code] if code else [])
    assert all(p.field == "points" for p in problems)


def test_marks_within_the_threshold_agree_on_their_mean():
    outcome = rules.reconcile([D(8), D("10.5")], None, D(3))
    assert outcome.status is AnswerStatus.AGREED and outcome.final == D("9.25")


def test_marks_further_apart_than_the_threshold_wait_for_the_adjudicator_whose_mark_decides():
    waiting = rules.reconcile([D(4), D("7.5")], None, D(3))
    assert waiting.status is AnswerStatus.AWAITING_ADJUDICATION and waiting.final is None
    decided = rules.reconcile([D(4), D("7.5")], D(6), D(3))
    assert decided.status is AnswerStatus.ADJUDICATED and decided.final == D(6)


def test_exactly_the_threshold_apart_still_agrees():
    assert rules.reconcile([D(4), D(7)], None, D(3)).status is AnswerStatus.AGREED


def test_a_missing_mark_or_a_single_marker_is_not_final_and_a_blank_answer_is_zero():
    assert rules.reconcile([D(4), None], None, D(3)).status is AnswerStatus.AWAITING_MARKS
    assert rules.reconcile([D(4)], None, D(3)).status is AnswerStatus.AWAITING_MARKS
    blank = rules.reconcile([], None, D(3), blank=True)
    assert blank.status is AnswerStatus.BLANK and blank.final == 0


@pytest.mark.parametrize(
    ("earned", "maximum", "score"),
    [
        (D("59.75"), D(100), D("60.0")),
        (D("59.74"), D(100), D("59.5")),
        (D("87.25"), D(100), D("87.5")),
        (D(70), D(70), D("100.0")),
        (D(35), D(70), D("50.0")),
        (D(0), D(100), D("0.0")),
    ],
)
def test_the_theory_score_is_on_a_hundred_in_half_points_rounded_half_up(earned, maximum, score):
    assert rules.theory_score(earned, maximum) == score


def test_the_script_code_is_stable_short_and_unguessable_without_the_secret():
    code = rules.script_code("secret", 17)
    assert code == rules.script_code("secret", 17)
    assert len(code) == 9 and code[4] == "-"
    assert code != rules.script_code("secret", 18)
    assert code != rules.script_code("another secret", 17)
    assert "17" not in code


def test_choice_cells_for_the_statistics_name_the_options_chosen():
    assert rules.choice_cell("multiple_choice", ["C", "A"], 4) == "AC"
    assert rules.choice_cell("single_choice", ["E"], 4) is None
    assert rules.choice_cell("true_false", "false", 2) == "F"
    assert rules.choice_cell("fill_in", ["x"], 0) is None


def test_a_reason_is_required_and_bounded():
    assert rules.check_reason("  ")[1][0].code == "marking_reason_required"
    assert rules.check_reason("x" * 2001)[1][0].code == "marking_text_too_long"
    assert rules.check_reason(" key fixed ") == ("key fixed", [])
