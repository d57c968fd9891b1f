"""Every reason code of the ladder rules has an English and a Chinese template that render with params."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

import certify.ladder as ladder_pkg
from certify.ladder.appointments import AppointmentReason
from certify.ladder.eligibility import VerdictProblem
from certify.ladder.eligibility_checks import CheckResult
from certify.ladder.eligibility_exceptional import ExceptionalReason
from certify.ladder.eligibility_messages import VOCABULARY, Reason, format_duration, render
from certify.ladder.eligibility_relaxations import RelaxationNotice
from certify.ladder.eligibility_rulesets import RuleSetProblem
from certify.ladder.fasttrack import FastTrackReason
from certify.ladder.profile import ProfileProblem

REASON_CLASSES: list[type[Reason]] = [
    ProfileProblem,
    CheckResult,
    RuleSetProblem,
    RelaxationNotice,
    VerdictProblem,
    ExceptionalReason,
    FastTrackReason,
    AppointmentReason,
]
CJK = re.compile(r"[\u4e00-\u9fff]")
DURATIONS = {"needed", "has", "shortfall", "service", "min_service", "reduce", "relief"}


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _sample(name: str) -> object:
    if name in DURATIONS:
        return {"years": 2, "months": 7, "days": 0}
    if name.endswith("levels"):
        return [1, 7, 8]
    if name.endswith("level"):
        return 5
    key = name.removesuffix("s")
    if key in VOCABULARY:
        value = next(iter(VOCABULARY[key]))
        return [value] if name.endswith("s") else value
    if name in VOCABULARY:
        return next(iter(VOCABULARY[name]))
    if name == "detail":
        return {"en": "bad", "zh_CN": "错误"}
    return "X1"


CASES = [(cls, code) for cls in REASON_CLASSES for code in cls.TEMPLATES]


@pytest.mark.parametrize(("cls", "code"), CASES, ids=[f"{c.__name__}.{code}" for c, code in CASES])
def test_both_languages_exist_and_render(cls: type[Reason], code: str) -> None:
    en, zh = cls.TEMPLATES[code]
    assert en.strip() and zh.strip()
    assert CJK.search(zh), "the Chinese template must be Chinese"
    assert _placeholders(en) == _placeholders(zh)
    params = {name: _sample(name) for name in _placeholders(en)}
    reason = cls(code=code, params=params)
    rendered_en, rendered_zh = reason.message("en"), reason.message("zh_CN")
    assert "{" not in rendered_en and "{" not in rendered_zh
    assert reason.message("zh") == rendered_zh
    assert reason.to_json("en")["message"] == rendered_en


def _codes_used_in_source() -> dict[str, set[str]]:
    """Codes passed literally where reasons are built, per source file."""
    patterns = [
        r"\badd\(\s*\"([a-z_]+)\"",
        r"_result\(\s*(?:True|False|passed)\s*,\s*\"([a-z_]+)\"",
        r"(?:Reason|Notice|(?<!Data)Problem)\(\s*\"([a-z_]+)\"",
        r"DataProblem\(\s*[^,]+,\s*\"([a-z_]+)\"",
        r"code = \"([a-z_]+)\"(?: if .* else \"([a-z_]+)\")?",
    ]
    found: dict[str, set[str]] = {}
    for path in Path(ladder_pkg.__file__).parent.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        codes = {c for p in patterns for m in re.findall(p, text) for c in (m if isinstance(m, tuple) else (m,)) if c}
        if codes:
            found[path.name] = codes
    return found


def test_every_code_built_in_the_source_has_templates() -> None:
    known = {code for cls in REASON_CLASSES for code in cls.TEMPLATES}
    used = _codes_used_in_source()
    assert used, "the scan found no code at all"
    missing = {name: codes - known for name, codes in used.items() if codes - known}
    assert missing == {}


def test_lists_render_as_alternatives() -> None:
    templates = {"x": ("{school_types}", "{school_types}")}
    params = {"school_types": ["technical_school", "technician_college", "bachelor"]}
    assert render(templates, "x", params, "en") == "technical school, technician college or bachelor's degree programme"
    assert render(templates, "x", params, "zh_CN") == "技工学校、技师学院或本科"


def test_durations_read_naturally() -> None:
    assert format_duration({"years": 1, "months": 0, "days": 0}, "en") == "1 year"
    assert format_duration({"years": 0, "months": 1, "days": 1}, "en") == "1 month 1 day"
    assert format_duration({"years": 3, "months": 11, "days": 0}, "zh_CN") == "3年11个月"
