"""The pass rule (each required part ≥ 60 on its own, never averaged) and masking for public lists."""

from __future__ import annotations

import re
import string
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certify.results.rules import (
    _TEMPLATES,
    PassPolicy,
    decide_result,
    mask_id,
    mask_name,
    required_parts,
)

CJK = re.compile(r"[\u4e00-\u9fff]")
scores = st.decimals(min_value=0, max_value=100, places=1)


def test_required_parts_by_level() -> None:
    assert [required_parts(o) for o in range(1, 9)] == [
        (),
        ("theory", "skill"),
        ("theory", "skill"),
        ("theory", "skill"),
        ("theory", "skill", "review"),
        ("theory", "skill", "review"),
        (),
        (),
    ]


def test_exactly_60_passes_and_59_9_fails() -> None:
    assert decide_result(3, {"theory": Decimal(60), "skill": Decimal(60)}).passed
    decision = decide_result(3, {"theory": Decimal("59.9"), "skill": Decimal(100)})
    assert not decision.passed
    assert decision.failing_parts == ("theory",)


def test_parts_are_never_averaged() -> None:
    # Mean 75, but the skill part fails on its own.
    decision = decide_result(4, {"theory": 95, "skill": 55})
    assert (decision.passed, decision.failing_parts) == (False, ("skill",))
    assert decision.reasons[0].message("zh_CN") == "技能考核成绩55分，低于合格线60分。"


def test_technician_needs_the_review_as_well() -> None:
    decision = decide_result(5, {"theory": 80, "skill": 80})
    assert not decision.passed
    assert decision.missing_parts == ("review",)
    assert not decision.complete
    assert decide_result(6, {"theory": 80, "skill": 80, "review": 60}).passed


def test_every_missing_and_failing_part_is_reported_at_once() -> None:
    decision = decide_result(6, {"theory": 40, "skill": None})
    assert decision.missing_parts == ("skill", "review")
    assert decision.failing_parts == ("theory",)
    assert [r.where for r in decision.reasons] == ["parts.theory", "parts.skill", "parts.review"]


@given(theory=scores, skill=scores, review=scores, ordinal=st.integers(2, 6))
def test_pass_iff_every_required_part_reaches_the_mark(theory, skill, review, ordinal) -> None:
    parts = {"theory": theory, "skill": skill, "review": review}
    needed = required_parts(ordinal)
    decision = decide_result(ordinal, {k: v for k, v in parts.items() if k in needed})
    assert decision.passed == all(parts[p] >= 60 for p in needed)
    assert set(decision.failing_parts) == {p for p in needed if parts[p] < 60}


def test_pass_mark_is_configurable() -> None:
    assert not decide_result(2, {"theory": 65, "skill": 70}, pass_mark=70).passed
    assert decide_result(2, {"theory": 50, "skill": 50}, policy=PassPolicy(pass_mark=Decimal(50))).passed


def test_corrupt_or_out_of_range_scores_never_pass() -> None:
    decision = decide_result(2, {"theory": 101, "skill": "abc"})
    assert not decision.passed
    assert decision.missing_parts == ("theory", "skill")
    assert {r.code for r in decision.reasons} == {"score_out_of_range"}
    assert not decide_result(2, {"theory": -1, "skill": 80}).passed
    assert not decide_result(2, {"theory": float("nan"), "skill": 80}).passed


def test_scores_of_parts_a_level_does_not_assess_are_ignored_and_said_so() -> None:
    decision = decide_result(2, {"theory": 70, "skill": 70, "review": 10})
    assert decision.passed
    assert [r.code for r in decision.reasons] == ["part_not_required"]


def test_direct_recognition_passes_without_scores() -> None:
    decision = decide_result(5, {}, direct_recognition=True)
    assert decision.passed and decision.by_recognition
    assert decision.missing_parts == ()


@pytest.mark.parametrize("ordinal", [1, 7, 8])
def test_appointed_levels_are_not_decided_by_scores(ordinal: int) -> None:
    decision = decide_result(ordinal, {"theory": 100, "skill": 100})
    assert not decision.passed
    assert [r.code for r in decision.reasons] == ["level_not_assessed"]
    assert "评聘" in decision.reasons[0].message("zh_CN")


def test_reasons_render_in_both_languages() -> None:
    decision = decide_result(5, {"theory": 30, "skill": "x", "extra": 1})
    codes = {r.code for r in decision.reasons} | {r.code for r in decide_result(8, {}).reasons}
    assert codes == set(_TEMPLATES)
    for reason in [*decision.reasons, *decide_result(8, {}).reasons]:
        assert CJK.search(reason.message("zh_CN"))
        assert not CJK.search(reason.message("en"))


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_reason_code_has_both_languages() -> None:
    for code, (en, zh) in _TEMPLATES.items():
        assert CJK.search(zh) and not CJK.search(en), code
        params = dict.fromkeys(_fields(en) | _fields(zh), "X")
        assert en.format(**params) and zh.format(**params)


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三丰", "张*丰"),
        ("张三", "张*"),
        ("欧阳娜娜", "欧**娜"),
        ("阿卜杜·热合曼", "阿*****曼"),
        (" 王 五 ", "王*"),
        ("李", "李"),
        ("John Smith", "J*** Smith"),
        ("Mary Jane Watson", "M*** J*** Watson"),
        ("Madonna", "M******"),
        ("", ""),
    ],
)
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("110101199003071234", "**************1234"),
        ("11010119900307123X", "**************123X"),
        ("1101 0119 9003 0712 34", "**************1234"),
        ("E1234567", "****4567"),
        ("123", "***"),
    ],
)
def test_mask_id_shows_only_the_last_four(number: str, masked: str) -> None:
    assert mask_id(number) == masked
