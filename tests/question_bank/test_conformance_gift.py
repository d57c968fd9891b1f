"""GIFT conformance: third-party GIFT files import as their expected parse trees say (Moodle semantics)."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from question_bank.formats import parse
from question_bank.model import LETTERS, Question

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "conformance"
GIFT = CORPUS / "gift"
MOODLE_GIFT = CORPUS / "gift_moodle"


def _corpus(folder: Path) -> Path:
    if not folder.is_dir():
        pytest.skip(f"conformance corpus not found at {folder}")
    return folder


def _norm(text: str) -> str:
    """Whitespace-insensitive text; the PEG tree writes 'equals _____ .' where Moodle glues '_____.'."""
    return re.sub(r"_____ (?=[.?!])", "_____", " ".join(text.split()))


def _credit(choice: dict[str, Any]) -> Decimal:
    """Moodle's credit for a choice: weight/100 when a weight is written, else 1 for '=' and 0 for '~'."""
    if choice["weight"] is not None:
        return Decimal(str(choice["weight"])) / 100
    return Decimal(1) if choice["isCorrect"] else Decimal(0)


def _numbers(spec: dict[str, Any]) -> tuple[Decimal, Decimal]:
    """(value, tolerance) of a numerical answer; ranges as Moodle stores them (midpoint ± half width)."""
    if spec["type"] == "high-low":
        high, low = Decimal(str(spec["numberHigh"])), Decimal(str(spec["numberLow"]))
        return (high + low) / 2, (high - low) / 2
    return Decimal(str(spec["number"])), Decimal(str(spec.get("range", 0)))


def _check(expected: dict[str, Any], q: Question) -> None:
    assert _norm(q.stem) == _norm(expected["stem"]["text"])
    assert q.title == (expected["title"] or "")
    fmt = {"moodle": "plain"}.get(expected["stem"]["format"], expected["stem"]["format"])
    assert q.text_format == fmt
    feedback = expected.get("globalFeedback")
    assert _norm(q.explanation) == _norm(feedback["text"] if feedback else "")
    kind = expected["type"]
    if kind == "TF":
        assert q.qtype == "true_false"
        assert q.answer == ("true" if expected["isTrue"] else "false",)
    elif kind == "Essay":
        assert q.qtype == "essay"
    elif kind == "MC":
        credits = [_credit(c) for c in expected["choices"]]
        single = any(c["isCorrect"] for c in expected["choices"])
        assert q.qtype == ("single_choice" if single else "multiple_choice")
        assert [_norm(o) for o in q.options] == [_norm(c["text"]["text"]) for c in expected["choices"]]
        if single:
            key = tuple(LETTERS[i] for i, c in enumerate(credits) if c == max(credits))
        else:
            key = tuple(LETTERS[i] for i, c in enumerate(credits) if c > 0)
        assert q.answer == key
    elif kind == "Short":
        assert q.qtype == "fill_in" and len(q.blanks) == 1
        got = [(_norm(a.text), a.credit) for a in q.blanks[0].accepts]
        assert got == [(_norm(c["text"]["text"]), _credit(c)) for c in expected["choices"]]
    elif kind == "Numerical":
        assert q.qtype == "fill_in" and len(q.blanks) == 1
        choices = expected["choices"]
        specs = [(choices, Decimal(1))] if isinstance(choices, dict) else [(c["text"], _credit(c)) for c in choices]
        got = [(Decimal(a.text), a.tolerance, a.credit) for a in q.blanks[0].accepts]
        assert got == [(*_numbers(spec), credit) for spec, credit in specs]
    else:  # pragma: no cover - every kind in the corpus is handled above
        raise AssertionError(kind)


def _pairs() -> list[str]:
    if not GIFT.is_dir():
        return ["corpus-missing"]
    return sorted(p.stem for p in GIFT.glob("*.gift"))


@pytest.mark.parametrize("name", _pairs())
def test_gift_file_imports_as_its_expected_tree_says(name: str) -> None:
    folder = _corpus(GIFT)
    expected = json.loads((folder / f"{name}.json").read_text("utf-8"))
    result = parse((folder / f"{name}.gift").read_bytes(), format="gift", partial=True)
    questions = iter(result.questions)
    unsupported = [p for p in result.report.problems if p.code == "unsupported_construct"]
    for item in expected:
        if item["type"] == "Category":
            continue
        if item["type"] in ("Matching", "Description"):
            construct = "GIFT matching" if item["type"] == "Matching" else "GIFT description"
            assert any(p.params["construct"] == construct for p in unsupported), result.report.messages()
            continue
        _check(item, next(questions))
    assert next(questions, None) is None
    assert "syntax_error" not in result.report.codes()


def test_matching_is_refused_by_default_with_its_name_and_line() -> None:
    folder = _corpus(GIFT)
    result = parse((folder / "totara_moodle_match.gift").read_bytes(), format="gift")
    assert result.questions == []
    [problem] = [p for p in result.report.errors if p.code == "unsupported_construct"]
    assert problem.params == {"construct": "GIFT matching"}
    assert problem.location is not None and problem.location.line == 4
    assert "GIFT matching" in problem.message("zh_CN")


def test_two_feedback_true_false_follows_moodle_and_keeps_the_answer() -> None:
    folder = _corpus(GIFT)
    result = parse((folder / "TFTwoFeedback.gift").read_bytes(), format="gift")
    assert [q.answer for q in result.questions] == [("false",), ("true",), ("true",)]
    # Feedback texts are not part of our model: that is said, not silently dropped.
    assert result.report.codes().count("feedback_not_kept") == 3


def test_weighted_wrong_option_earns_credit_as_in_moodle() -> None:
    folder = _corpus(MOODLE_GIFT)
    result = parse((folder / "questions.gift.txt").read_bytes(), format="gift", partial=True)
    shortanswer = next(q for q in result.questions if q.title == "Shortanswer")
    from question_bank.types import score

    assert score(shortanswer, "cat").points == Decimal("0.5")
    assert score(shortanswer, "Frog").points == 1
    assert score(shortanswer, "dog").points == 0


def test_moodle_questions_gift_accounts_for_all_nine_questions() -> None:
    folder = _corpus(MOODLE_GIFT)
    result = parse((folder / "questions.gift.txt").read_bytes(), format="gift", partial=True)
    # Moodle imports 9; we import the 8 our model can hold and name the matching question as unsupported.
    assert result.report.items_found == 9
    assert len(result.questions) == 8
    assert [p.params for p in result.report.errors] == [{"construct": "GIFT matching"}]
    by_title = {q.title: q for q in result.questions}
    assert by_title["Q5"].stem == 'What is a number from 1 to 5? _____";'
    assert by_title["Q1"].stem == '42 is the Absolute Answer to everything._____";'
    assert by_title["Q1"].answer == ("false",)
    assert by_title["Q1"].explanation == "This is, of course, a Hitchiker's Guide to the Galaxy reference."
    assert by_title["colours"].qtype == "multiple_choice" and by_title["colours"].answer == ("A", "C")
    assert [q.answer for q in result.questions if q.title == "2-08 TSL"] == [("true",), ("true",)]
    # Default mode refuses the whole file because of the matching question.
    refused = parse((folder / "questions.gift.txt").read_bytes(), format="gift")
    assert refused.questions == [] and not refused.report.ok


def test_moodle_gift_in_category_keeps_escaped_characters() -> None:
    folder = _corpus(MOODLE_GIFT)
    result = parse((folder / "questions_in_category.gift.txt").read_bytes(), format="gift", partial=True)
    assert [q.title for q in result.questions] == ["Greeting", "Moodle user", "Moodle acronym"]
    assert {q.source.category for q in result.questions if q.source} == {"$course$/Default for New Features"}
    greeting = result.questions[0]
    assert 'href="http://demo.moodle.net/file.php/5/media/bonjour.mp3"' in greeting.stem
    assert greeting.stem.endswith("What language is being spoken?")
    assert greeting.answer == ("B",) and greeting.text_format == "html"
    assert result.questions[2].answer == ("true",)
    assert 'style="font-style: italic;"' in result.questions[2].stem
