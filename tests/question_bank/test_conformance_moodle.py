"""Moodle XML and Aiken conformance: counts, contents and per-item errors as Moodle's own tests state."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from question_bank.formats import parse
from question_bank.types import score

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "conformance"


def _file(folder: str, name: str) -> bytes:
    path = CORPUS / folder / name
    if not path.is_file():
        pytest.skip(f"conformance corpus not found at {CORPUS / folder}")
    return path.read_bytes()


def test_category_with_description_gives_one_true_false() -> None:
    result = parse(_file("moodle_xml", "category_with_description.xml"), filename="x.xml")
    assert result.report.ok
    [q] = result.questions
    assert q.qtype == "true_false" and q.answer == ("true",)
    assert q.source is not None and q.source.category == "$module$/Alpha"


def test_html_entities_in_idnumbers_come_out_decoded() -> None:
    result = parse(_file("moodle_xml", "html_chars_in_idnumbers.xml"), filename="x.xml")
    [q] = result.questions
    assert q.source is not None and q.source.identifier == "T & F"


def test_multichoice_greeting_with_embedded_media() -> None:
    result = parse(_file("moodle_xml", "multichoice.xml"), filename="x.xml")
    assert result.report.ok and result.report.items_imported == 1
    [q] = result.questions
    assert q.qtype == "single_choice" and q.title == "Greeting"
    assert q.answer == ("B",) and len(q.options) == 4 and "French" in q.options[1]
    assert q.text_format == "html"
    assert set(q.images) == {
        "bonjour.mp3",
        "flag-uk.jpg",
        "flag-france.jpg",
        "flag-german.jpg",
        "flag-denmark.jpg",
    }
    assert result.files["flag-france.jpg"].startswith(b"\xff\xd8")  # a real JPEG
    assert result.files["bonjour.mp3"].startswith(b"ID3")
    assert "feedback_not_kept" in result.report.codes()


def test_nested_categories_give_four_true_false_and_one_essay() -> None:
    result = parse(_file("moodle_xml", "nested_categories_with_questions.xml"), filename="x.xml")
    assert result.report.ok
    assert sorted(q.qtype for q in result.questions) == ["essay"] + ["true_false"] * 4
    categories = {q.source.category for q in result.questions if q.source}
    assert categories == {
        "$module$/Iota",
        "$module$/Iota/Kappa",
        "$module$/Iota/Kappa/Lambda",
        "$module$/Iota/Mu",
    }


def test_old_image_tag_file_imports_the_multichoice_and_names_the_cloze_choice_blanks() -> None:
    result = parse(_file("moodle_xml", "sample_questions_with_old_image_tag.xml"), filename="x.xml", partial=True)
    # Moodle imports 2; a cloze made of multiple-choice blanks does not fit our fill-in model and is named.
    assert result.report.items_found == 2
    [q] = result.questions
    assert q.qtype == "single_choice" and q.images == ("moodle.png",)
    assert result.files["moodle.png"].startswith(b"\x89PNG")
    constructs = {p.params.get("construct") for p in result.report.errors}
    assert constructs == {"cloze multiple-choice blank"}


def test_broken_cloze_questions_each_get_a_clear_error_and_nothing_is_imported() -> None:
    result = parse(_file("moodle_xml", "broken_cloze_questions.xml"), filename="x.xml")
    assert result.questions == [] and not result.report.ok
    assert result.report.items_found == 5 and result.report.items_valid == 0
    by_item: dict[str, list[str]] = {}
    for p in result.report.errors:
        assert p.location is not None and p.location.item
        by_item.setdefault(p.location.item, []).append(p.code)
    assert len(by_item) == 5
    assert by_item["#1 Multianswer question without subquestions"] == ["cloze_no_blanks"]
    assert by_item["#2 Multichoice subquestion without choices"] == ["too_few_options"]
    assert by_item["#3 Multichoice subquestion with only one choice"] == ["too_few_options"]
    assert by_item["#4 Multichoice subquestion with no completely correct answer"] == ["missing_answer"]
    assert by_item["#5 Numerical subquestion with buggy answer"] == ["invalid_answer"]
    # Partial mode cannot rescue any of them either.
    assert parse(_file("moodle_xml", "broken_cloze_questions.xml"), filename="x.xml", partial=True).questions == []


def test_invalid_grade_33_is_reported_and_the_question_refused() -> None:
    result = parse(_file("moodle_xml", "error_invalid_grades.xml"), filename="x.xml")
    assert result.questions == []
    [problem] = result.report.errors
    assert problem.code == "invalid_grade" and problem.params == {"value": "33"}
    assert "x > 1 & x < 2" in (problem.location.item if problem.location else "")
    assert "33%" in problem.message("en") and "33%" in problem.message("zh_CN")


AIKEN_ERRORS = [
    ("aiken_too_few_answers", 3),
    ("aiken_not_started", 5),
    ("aiken_not_started", 7),
    ("aiken_not_completed", 18),
]


def test_aiken_errors_are_reported_per_item_with_lines_and_nothing_imported_by_default() -> None:
    result = parse(_file("aiken", "aiken_errors.txt"), filename="aiken_errors.txt")
    assert result.report.format == "aiken"
    assert result.questions == []
    got = [(p.code, p.location.line if p.location else None) for p in result.report.errors]
    assert got == AIKEN_ERRORS
    assert result.report.errors[0].message("en") == "line 3: Question must have at least 2 answers."


def test_aiken_partial_import_yields_the_three_good_questions() -> None:
    result = parse(_file("aiken", "aiken_errors.txt"), filename="aiken_errors.txt", partial=True)
    assert [q.stem for q in result.questions] == [
        "A good question",
        "A second good question",
        "A third good question with HTML chars such as > < &",
    ]
    good, second, third = result.questions
    assert good.options[good.option_index("A") or 0] == "Correct" and good.answer == ("A",)
    assert second.options == ("Incorrect (No space)", "Correct (No space)") and second.answer == ("B",)
    # Stored as plain text; Moodle's HTML-escaped "&lt; &gt; &amp;" renders as exactly this.
    assert third.options[0] == "Correct (< > &)" and third.text_format == "plain"
    assert score(third, "A").points == Decimal(1)
    assert result.report.items_imported == 3
    assert [p.code for p in result.report.errors] == [code for code, _ in AIKEN_ERRORS]
