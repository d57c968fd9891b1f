"""QTI conformance: third-party items import with the key and points they state; malformed ones refused."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from question_bank.formats import parse
from question_bank.model import LETTERS
from question_bank.types import score

QTI = Path(__file__).resolve().parents[3] / "shared" / "conformance" / "qti"
#: Items whose key is not stated in a way our single-key model can hold, each refused with a reason.
REFUSED = {
    "items_2.2__choice_multiple_chocolade.xml": "unsupported_construct",
    "no_assessment_xml__choice.xml": "missing_answer",
}


def _folder() -> Path:
    if not QTI.is_dir():
        pytest.skip(f"conformance corpus not found at {QTI}")
    return QTI


def _names(prefix: str = "") -> list[str]:
    if not QTI.is_dir():
        return ["corpus-missing"]
    return sorted(p.name for p in QTI.glob("*.xml") if p.name.startswith(prefix) != (prefix == "!"))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _stated(root: ET.Element) -> dict[str, object]:
    """What the XML itself states: interaction kind, choice ids, correct values, MAXSCORE."""
    els = list(root.iter())
    kind = next(_local(e.tag) for e in els if _local(e.tag).endswith("Interaction"))
    ids = [e.get("identifier") for e in els if _local(e.tag) == "simpleChoice"]
    correct = [(v.text or "").strip() for e in els if _local(e.tag) == "correctResponse" for v in e]
    maxscore = None
    for e in els:
        if _local(e.tag) == "outcomeDeclaration" and e.get("identifier") == "MAXSCORE":
            maxscore = Decimal(next(v for v in e.iter() if _local(v.tag) == "value").text or "0")
    return {"kind": kind, "ids": ids, "correct": correct, "maxscore": maxscore}


@pytest.mark.parametrize("name", [n for n in _names() if not n.startswith("malformed_")])
def test_item_imports_with_the_key_and_points_it_states(name: str) -> None:
    data = (_folder() / name).read_bytes()
    result = parse(data, filename=name)
    assert result.report.format == "qti"
    if name in REFUSED:
        assert result.questions == []
        assert REFUSED[name] in result.report.codes()
        return
    assert result.report.ok, result.report.messages()
    [q] = result.questions
    stated = _stated(ET.fromstring(data))
    if stated["maxscore"] is not None:
        assert q.points == stated["maxscore"]
    if stated["kind"] == "choiceInteraction":
        ids = stated["ids"]
        if q.qtype == "true_false":
            assert len(ids) == 2 and len(stated["correct"]) == 1
            # The first choice is the "true" one in every corpus item.
            assert q.answer == (("true",) if ids.index(stated["correct"][0]) == 0 else ("false",))
        else:
            assert len(q.options) == len(ids)
            assert set(q.answer) == {LETTERS[ids.index(v)] for v in stated["correct"]}
            full = score(q, "".join(q.answer))
            assert full.correct and full.points == q.points
    elif stated["kind"] == "textEntryInteraction":
        assert q.qtype == "fill_in"
        for value in stated["correct"]:
            assert any(float(a.text) == float(value) if a.tolerance is not None else a.text == value
                       for b in q.blanks for a in b.accepts)  # fmt: skip
    else:
        assert q.qtype == "essay" and score(q, "text").needs_marking


@pytest.mark.parametrize(
    ("name", "answer"),
    [
        ("items_2.2__choice_true_false.xml", "true"),
        ("items_2.2__Example01-modalFeedback.xml", "true"),
        ("test_qti_2.2__true-false__true-false.xml", "true"),
        ("tests__interactionmix_saxony_v3__Choicetruefalse_176040516.xml", "true"),
    ],
)
def test_two_option_true_false_choices_become_true_false(name: str, answer: str) -> None:
    [q] = parse((_folder() / name).read_bytes(), filename=name).questions
    assert q.qtype == "true_false" and q.answer == (answer,)


def test_multiple_response_with_three_keys_and_max_score_three() -> None:
    name = "tests__interactionmix_saxony_v3__Choicemultiple_871212949.xml"
    [q] = parse((_folder() / name).read_bytes(), filename=name).questions
    assert q.qtype == "multiple_choice" and len(q.answer) == 3 and q.points == 3
    assert score(q, q.answer[:2]).points == 0  # all-or-nothing by default


def test_text_entry_mapping_gives_partial_credit() -> None:
    name = "test_qti_2.1__Items__Item_VE_IP_04__qtiv2p1_EntryTest_VE_IP_04.xml"
    [q] = parse((_folder() / name).read_bytes(), filename=name).questions
    assert q.stem.endswith("Type your answer here: _____")
    assert score(q, ["Lake Michigan"]).points == 1
    assert score(q, ["Michigan"]).points == Decimal("0.5")
    assert score(q, ["Lake Erie"]).points == 0


def test_numeric_text_entries_and_mapped_subset_points() -> None:
    name = "tests__interactionmix_saxony_v3__TextEntrynumeric_2040297025.xml"
    [q] = parse((_folder() / name).read_bytes(), filename=name).questions
    assert len(q.blanks) == 2 and q.points == 2
    assert score(q, ["4", "2.0"]).points == 2 and score(q, ["4", "3"]).points == 1
    name = "tests__interactionmix_saxony_v3__TextEntrysubset_806481421.xml"
    [q] = parse((_folder() / name).read_bytes(), filename=name).questions
    assert len(q.blanks) == 3 and q.points == 3
    assert score(q, ["dresden", "Leipzig", "Chemnitz"]).points == 3


def test_alternative_correct_sets_are_named_not_guessed() -> None:
    name = "items_2.2__choice_multiple_chocolade.xml"
    result = parse((_folder() / name).read_bytes(), filename=name)
    constructs = [p.params.get("construct") for p in result.report.errors if p.code == "unsupported_construct"]
    assert constructs == ["QTI alternative correct responses"]


def test_rubric_block_becomes_the_marking_scheme() -> None:
    name = "items_2.1__extended_text_rubric.xml"
    [q] = parse((_folder() / name).read_bytes(), filename=name).questions
    assert q.qtype == "essay" and "Scoring Guidelines" in q.marking_scheme
    assert "Scoring Guidelines" not in q.stem and "postcard" in q.stem


@pytest.mark.parametrize("name", [n for n in _names() if n.startswith("malformed_")])
def test_malformed_files_are_refused_with_a_parse_error(name: str) -> None:
    result = parse((_folder() / name).read_bytes(), filename=name, partial=True)
    assert result.questions == [] and not result.report.ok
    [problem] = result.report.errors
    assert problem.code == "xml_not_well_formed"
    assert "line" in problem.params["detail"]


def test_package_of_corpus_items_reports_each_refused_item_and_keeps_the_rest_in_partial_mode() -> None:
    folder = _folder()
    names = [n for n in _names() if not n.startswith("malformed_")]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for n in names:
            zf.write(folder / n, f"items/{n}")
    data = buf.getvalue()
    assert parse(data, filename="pkg.zip").questions == []
    result = parse(data, filename="pkg.zip", partial=True)
    assert len(result.questions) == len(names) - len(REFUSED)
    refused_items = {p.location.item for p in result.report.errors if p.location}
    assert refused_items == {f"items/{n}" for n in REFUSED}
