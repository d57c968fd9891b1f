"""Moodle XML import (multichoice, truefalse, shortanswer, numerical, essay, cloze), Moodle's grade rules."""

from __future__ import annotations

import base64
import binascii
from dataclasses import replace
from decimal import Decimal
from xml.etree.ElementTree import Element

from question_bank.formats._common import Item, ParseResult, finish, parse_xml, refuse, too_large
from question_bank.formats.cloze import read_cloze
from question_bank.model import (
    FALSE,
    HAND_MARKED,
    TRUE,
    Accept,
    Blank,
    Question,
    SourceRef,
    credits_from_weights,
    decimal_text,
    to_decimal,
)
from question_bank.report import WARNING, Location, Problem

FORMATS = {"html": "html", "plain_text": "plain", "moodle_auto_format": "plain", "markdown": "markdown"}
#: Moodle's question_bank::fraction_options_full(), as fractions; any other grade is an import error.
ALLOWED_GRADES = [
    Decimal(x)
    for x in (
        "1", "0.9", "0.8333333", "0.8", "0.75", "0.7", "0.6666667", "0.6", "0.5", "0.4", "0.3333333", "0.3",
        "0.25", "0.2", "0.1666667", "0.1428571", "0.125", "0.1111111", "0.1", "0.05", "0",
    )
]  # fmt: skip
GRADE_TOLERANCE = Decimal("0.0000001")
#: Tags our export writes so that fields Moodle lacks survive a round trip.
TAG_DIFFICULTY, TAG_POINT, TAG_QTYPE = "difficulty:", "point:", "qtype:"
SUPPORTED = {"multichoice", "truefalse", "shortanswer", "numerical", "essay", "cloze"}


def _text(el: Element | None, path: str = "text") -> str:
    if el is None:
        return ""
    node = el.find(path)
    return (node.text or "") if node is not None else ""


def _grade_ok(fraction: Decimal) -> bool:
    return any(abs(abs(fraction) - g) <= GRADE_TOLERANCE for g in ALLOWED_GRADES)


def parse_moodle_xml(data: bytes, partial: bool = False) -> ParseResult:
    """Import a Moodle XML <quiz>: every question is built and checked; categories set the source path."""
    if (big := too_large(data, "moodle_xml")) is not None:
        return big
    root, problem = parse_xml(data)
    if root is None:
        return refuse("moodle_xml", problem or Problem("xml_not_well_formed", {"detail": "?"}))
    if root.tag != "quiz":
        return refuse("moodle_xml", Problem("xml_wrong_root", {"expected": "quiz", "found": str(root.tag)}))
    items: list[Item] = []
    files: dict[str, bytes] = {}
    category = ""
    for number, qel in enumerate(root.findall("question"), start=1):
        qtype = qel.get("type", "")
        if qtype == "category":
            category = _text(qel.find("category")).strip()
            continue
        name = _text(qel.find("name")).strip()
        location = Location(item=f"#{number} {name}".strip())
        if qtype not in SUPPORTED:
            severity = WARNING if qtype == "description" else "error"
            problem = Problem("unsupported_construct", {"construct": f"Moodle {qtype}"}, severity=severity)
            items.append(Item(location, None, [problem]))
            continue
        item = _read_question(qel, qtype, location, files)
        if item.question is not None:
            ident = (qel.findtext("idnumber") or "").strip()
            src = SourceRef("moodle_xml", location.describe(), ident, category)
            item.question = replace(item.question, title=name, source=src)
        items.append(item)
    result = finish("moodle_xml", items, partial)
    result.files = files if result.questions else {}
    return result


def _files(el: Element | None, files: dict[str, bytes], problems: list[Problem]) -> list[str]:
    names: list[str] = []
    if el is None:
        return names
    for f in el.findall("file"):
        name = f.get("name") or ""
        try:
            files[name] = base64.b64decode((f.text or "").strip(), validate=False)
            names.append(name)
        except (binascii.Error, ValueError):
            problems.append(Problem("invalid_answer", {"value": name}, field="images"))
    return names


def _read_question(qel: Element, qtype: str, location: Location, files: dict[str, bytes]) -> Item:
    problems: list[Problem] = []
    qt = qel.find("questiontext")
    fmt = FORMATS.get(qt.get("format", "html") if qt is not None else "html", "html")
    stem = _text(qt).strip()
    images = _files(qt, files, problems)
    legacy = qel.findtext("image")
    if legacy and legacy.strip():
        name = legacy.strip()
        images.append(name)
        b64 = qel.findtext("image_base64")
        if b64:
            try:
                files[name] = base64.b64decode("".join(b64.split()))
            except (binascii.Error, ValueError):
                problems.append(Problem("invalid_answer", {"value": name}, field="images"))
    explanation = _text(qel.find("generalfeedback")).strip()
    try:
        points = to_decimal(qel.findtext("defaultgrade") or "1")
    except ValueError:
        problems.append(Problem("invalid_points", {"value": qel.findtext("defaultgrade")}, field="points"))
        points = Decimal(1)
    tags = [(t.findtext("text") or "").strip() for t in qel.findall("tags/tag")]
    difficulty, point_code, own_qtype = None, None, None
    for tag in tags:
        if tag.startswith(TAG_DIFFICULTY) and tag[len(TAG_DIFFICULTY) :].isdigit():
            difficulty = int(tag[len(TAG_DIFFICULTY) :])
        elif tag.startswith(TAG_POINT):
            point_code = tag[len(TAG_POINT) :]
        elif tag.startswith(TAG_QTYPE):
            own_qtype = tag[len(TAG_QTYPE) :]
    base = Question(
        "essay",
        stem,
        points=points,
        difficulty=difficulty,
        point_code=point_code,
        explanation=explanation,
        images=tuple(images),
        text_format=fmt,
    )
    answers = qel.findall("answer")
    if qtype in ("multichoice", "truefalse", "shortanswer", "numerical") and any(
        (_text(a, "feedback/text") or "").strip() for a in answers
    ):
        problems.append(Problem("feedback_not_kept", severity=WARNING))
    fractions: list[Decimal] = []
    for a in answers:
        try:
            fraction = to_decimal(a.get("fraction", "0")) / 100
        except ValueError:
            problems.append(Problem("invalid_grade", {"value": a.get("fraction")}, field="answer"))
            fraction = Decimal(0)
        if qtype != "numerical" and not _grade_ok(fraction):
            problems.append(Problem("invalid_grade", {"value": a.get("fraction")}, field="answer"))
        fractions.append(fraction)
    if qtype == "multichoice":
        single = (qel.findtext("single") or "true").strip().lower() in ("true", "1")
        kind = "single_choice" if single else "multiple_choice"
        key, credits = credits_from_weights(kind, fractions)
        options = tuple(_text(a).strip() for a in answers)
        for a in answers:
            base_images = _files(a, files, problems)
            images.extend(base_images)
        question = replace(base, qtype=kind, options=options, answer=key, option_credits=credits, images=tuple(images))
    elif qtype == "truefalse":
        right = [(_text(a).strip().lower()) for a, f in zip(answers, fractions, strict=True) if f == 1]
        value = right[0] if right and right[0] in (TRUE, FALSE) else ""
        if not value:
            problems.append(Problem("missing_answer", field="answer"))
        question = replace(base, qtype="true_false", answer=(value,) if value else ())
    elif qtype == "shortanswer":
        usecase = (qel.findtext("usecase") or "0").strip() == "1"
        accepts = tuple(Accept(_text(a).strip(), f) for a, f in zip(answers, fractions, strict=True))
        question = replace(base, qtype="fill_in", blanks=(Blank(accepts, ignore_case=not usecase),))
    elif qtype == "numerical":
        accepts_n: list[Accept] = []
        for a, f in zip(answers, fractions, strict=True):
            text = _text(a).strip()
            if text == "*":
                continue
            try:
                accepts_n.append(
                    Accept(decimal_text(to_decimal(text)), f, abs(to_decimal(a.findtext("tolerance") or 0)))
                )
            except ValueError:
                problems.append(Problem("invalid_answer", {"value": text}, field="answer"))
        question = replace(base, qtype="fill_in", blanks=(Blank(tuple(accepts_n)),))
    elif qtype == "cloze":
        cloze_stem, blanks, cloze_problems = read_cloze(stem)
        problems.extend(cloze_problems)
        if cloze_problems:
            # The sub-question problems say it all; checking the half-built question would only repeat them.
            return Item(location, None, problems)
        question = replace(base, qtype="fill_in", stem=cloze_stem, blanks=blanks)
    else:
        scheme = _text(qel.find("graderinfo")).strip()
        kind = own_qtype if own_qtype in HAND_MARKED else "essay"
        question = replace(base, qtype=kind, marking_scheme=scheme)
    return Item(location, question, problems)
