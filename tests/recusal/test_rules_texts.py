"""Every message code and vocabulary label exists in English and Chinese and renders with its params."""

from __future__ import annotations

import re
import string

import pytest

from certify.recusal.detection import DetectionKind
from certify.recusal.policy import RelationKind, RelationSource, Role, SessionKind, StaffGrade
from certify.recusal.texts import DETECTION_MESSAGES, DRAW_MESSAGES, LABELS, REASON_MESSAGES, render

TABLES = {"reasons": REASON_MESSAGES, "detection": DETECTION_MESSAGES, "draw": DRAW_MESSAGES}
CJK = re.compile(r"[\u4e00-\u9fff]")
SAMPLE = {
    "role": "assessor",
    "kind": "trained",
    "source": "training_roster",
    "staff": "senior_assessor",
    "grade": "assessor",
    "unit": "practical",
    "level": 5,
    "bank_role": "author",
    "codes": ["relative_of_candidate", "shared_employer"],
    "groups": ["A", "B"],
    "missing": [101],
    "extra": [],
}


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def params_for(template: str) -> dict[str, object]:
    wanted = {f.removesuffix("_label") for f in fields(template)}
    return {name: SAMPLE.get(name, f"<{name}>") for name in wanted}


@pytest.mark.parametrize(("table", "code"), [(name, code) for name, table in TABLES.items() for code in table])
def test_every_code_has_both_languages_with_the_same_params(table: str, code: str) -> None:
    texts = TABLES[table][code]
    assert set(texts) == {"en", "zh_CN"}
    assert fields(texts["en"]) == fields(texts["zh_CN"])
    assert CJK.search(texts["zh_CN"]) and not CJK.search(texts["en"].replace("“", ""))
    params = params_for(texts["en"])
    for locale in ("en", "zh_CN"):
        text = render(TABLES[table], code, params, locale)
        assert "{" not in text and "}" not in text


def test_vocabulary_labels_are_complete() -> None:
    enums = {
        "role": Role,
        "kind": RelationKind,
        "source": RelationSource,
        "grade": StaffGrade,
        "staff": StaffGrade,
        "unit": SessionKind,
        "session_kind": SessionKind,
    }
    for key, enum in enums.items():
        assert set(LABELS[key]) == {member.value for member in enum}, key
    assert LABELS["level"]["5"] == {"en": "Grade 2 / Technician", "zh_CN": "二级/技师"}
    for table in LABELS.values():
        for label in table.values():
            assert set(label) - {"en_one"} == {"en", "zh_CN"} and CJK.search(label["zh_CN"])


def test_every_detection_kind_has_a_text() -> None:
    assert set(DETECTION_MESSAGES) == {k.value for k in DetectionKind}


def test_lists_and_vocabulary_render_in_the_locale() -> None:
    params = {"member": 3, "candidate": 7, "codes": ["relative_of_candidate", "shared_employer"]}
    assert render(DRAW_MESSAGES, "member_conflict", params, "zh_CN") == "#3须回避考生#7（亲属关系、同一工作单位）。"
    assert render(DRAW_MESSAGES, "member_conflict", params, "en") == (
        "#3 must recuse from candidate #7 (relative, same employer)."
    )
    assert render(DRAW_MESSAGES, "member_conflict", params, "zh-CN") == render(
        DRAW_MESSAGES, "member_conflict", params, "zh_Hans"
    )


def test_english_counts_one_in_the_singular() -> None:
    params = {"unit": "practical", "group": "1", "staff": "senior_assessor", "needed": 3, "available": 2}
    params |= {"out_grade": 0, "out_card": 0, "out_consecutive": 0, "out_conflict": 1}
    one = render(DRAW_MESSAGES, "conflict_short", params | {"short_by": 1}, "en")
    two = render(DRAW_MESSAGES, "conflict_short", params | {"short_by": 2}, "en")
    assert "needs 1 more senior assessor without" in one and "needs 2 more senior assessors without" in two
    assert "还需1名与本组考生无回避情形的高级考评员" in render(
        DRAW_MESSAGES, "conflict_short", params | {"short_by": 1}, "zh_CN"
    )
