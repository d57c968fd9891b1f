"""Every problem code of the assessment modules has English and Chinese templates that render."""

from __future__ import annotations

import string

import pytest

from question_bank import assembly, blueprint, elements, feasibility, item_review, statistics
from question_bank.problems import Problem

PROBLEM_CLASSES = [
    elements.ElementProblem,
    statistics.StatsProblem,
    item_review.ReviewFlag,
    blueprint.BlueprintProblem,
    feasibility.FeasibilityProblem,
    assembly.AssemblyProblem,
]


def _sample_params(template: str) -> dict[str, object]:
    names = {field for _, field, _, _ in string.Formatter().parse(template) if field}
    return {name.split("!")[0]: 12.5 for name in names if name != "where"}


@pytest.mark.parametrize("cls", PROBLEM_CLASSES, ids=lambda cls: cls.__name__)
def test_every_code_has_both_languages_and_renders(cls: type[Problem]) -> None:
    assert cls.TEMPLATES
    for code, templates in cls.TEMPLATES.items():
        assert set(templates) == {"en", "zh_CN"}, code
        assert code == code.lower() and " " not in code
        en_fields = {f for _, f, _, _ in string.Formatter().parse(templates["en"]) if f}
        zh_fields = {f for _, f, _, _ in string.Formatter().parse(templates["zh_CN"]) if f}
        assert {f.split("!")[0] for f in en_fields} == {f.split("!")[0] for f in zh_fields}, code
        problem = cls(code, "A-B", _sample_params(templates["en"]))
        english, chinese = problem.message("en"), problem.message("zh_CN")
        assert "{" not in english and "{" not in chinese
        assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese), code
        assert problem.message("zh") == chinese
        assert problem.to_json()["code"] == code
