"""Moodle XML export: every type written so that our own importer (and Moodle) reads it back."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from xml.etree.ElementTree import Comment, Element, SubElement, tostring

from question_bank.formats.cloze import write_cloze
from question_bank.formats.moodle_xml import TAG_DIFFICULTY, TAG_POINT, TAG_QTYPE
from question_bank.model import FALSE, TRUE, Question, decimal_text, default_credits

FORMAT_NAMES = {"html": "html", "plain": "plain_text", "markdown": "markdown"}


def _text(parent: Element, tag: str, text: str, fmt: str | None = None) -> Element:
    el = SubElement(parent, tag)
    if fmt is not None:
        el.set("format", fmt)
    SubElement(el, "text").text = text
    return el


def _percent(credit: Decimal) -> str:
    # Moodle writes 7 significant decimals for thirds etc.; keep exact values short.
    value = credit * 100
    return decimal_text(value) if value == value.quantize(Decimal("0.00001")) else f"{value:.5f}"


def _question(q: Question, number: int) -> Element:
    fmt = FORMAT_NAMES.get(q.text_format, "html")
    kinds = {
        "true_false": "truefalse",
        "single_choice": "multichoice",
        "multiple_choice": "multichoice",
        "fill_in": "shortanswer" if len(q.blanks) == 1 else "cloze",
    }
    kind = kinds.get(q.qtype, "essay")
    el = Element("question", type=kind)
    _text(el, "name", q.title or " ".join(q.stem.split())[:60] or f"Q{number}")
    stem = write_cloze(q.stem, q.blanks) if kind == "cloze" else q.stem
    _text(el, "questiontext", stem, fmt)
    _text(el, "generalfeedback", q.explanation, fmt)
    SubElement(el, "defaultgrade").text = decimal_text(q.points)
    SubElement(el, "penalty").text = "0"
    SubElement(el, "hidden").text = "0"
    if q.qtype == "true_false":
        for value in (TRUE, FALSE):
            answer = SubElement(el, "answer", fraction="100" if q.answer == (value,) else "0", format="plain_text")
            SubElement(answer, "text").text = value
    elif kind == "multichoice":
        SubElement(el, "single").text = "true" if q.qtype == "single_choice" else "false"
        SubElement(el, "shuffleanswers").text = "false"
        SubElement(el, "answernumbering").text = "ABCD"
        credits = q.option_credits or default_credits(q.qtype, len(q.options), q.answer)
        for text, credit in zip(q.options, credits, strict=False):
            _text(el, "answer", text, fmt).set("fraction", _percent(credit))
    elif kind == "shortanswer":
        blank = q.blanks[0]
        numeric = all(a.tolerance is not None for a in blank.accepts) and blank.accepts
        if numeric:
            el.set("type", "numerical")
            for a in blank.accepts:
                answer = _text(el, "answer", a.text, "plain_text")
                answer.set("fraction", _percent(a.credit))
                SubElement(answer, "tolerance").text = decimal_text(a.tolerance or Decimal(0))
        else:
            SubElement(el, "usecase").text = "0" if blank.ignore_case else "1"
            for a in blank.accepts:
                _text(el, "answer", a.text, "plain_text").set("fraction", _percent(a.credit))
    elif kind == "essay":
        SubElement(el, "responseformat").text = "editor"
        _text(el, "graderinfo", q.marking_scheme, fmt)
    tags = []
    if q.difficulty is not None:
        tags.append(f"{TAG_DIFFICULTY}{q.difficulty}")
    if q.point_code:
        tags.append(f"{TAG_POINT}{q.point_code}")
    if kind == "essay" and q.qtype != "essay":
        tags.append(f"{TAG_QTYPE}{q.qtype}")
    if tags:
        tags_el = SubElement(el, "tags")
        for tag in tags:
            SubElement(SubElement(tags_el, "tag"), "text").text = tag
    return el


def export_moodle_xml(questions: Sequence[Question], watermark: str | None = None) -> bytes:
    """A Moodle XML <quiz> of the questions; the watermark goes in an XML comment."""
    quiz = Element("quiz")
    if watermark:
        quiz.append(Comment(" " + watermark.replace("--", "- -") + " "))
    for number, q in enumerate(questions, start=1):
        quiz.append(_question(q, number))
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(quiz, encoding="unicode").encode("utf-8")
