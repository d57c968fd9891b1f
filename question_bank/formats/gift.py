"""GIFT import, following Moodle's qformat_gift (type detection, weights, escapes, missing-word stems)."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

from question_bank.formats._common import Item, ParseResult, decode_text, finish, refuse, too_large
from question_bank.model import (
    FALSE,
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

#: Escapable characters; each is swapped for a private-use placeholder while the structure is parsed.
ESCAPES = "\\~=#{}:"
_PLACEHOLDER = {c: chr(0xE000 + i) for i, c in enumerate(ESCAPES)}
_RESTORE = {v: k for k, v in _PLACEHOLDER.items()}
FORMAT_RE = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
WEIGHT_RE = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
FORMATS = {"html": "html", "markdown": "markdown", "plain": "plain", "moodle": "plain"}
TF_WORDS = {"t": TRUE, "true": TRUE, "f": FALSE, "false": FALSE}
BLANK = "_____"


def _protect(text: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt in _PLACEHOLDER:
                out.append(_PLACEHOLDER[nxt])
                i += 2
                continue
            if nxt == "n":
                out.append("\n")
                i += 2
                continue
        out.append(ch)
        i += 1
    return "".join(out)


def _restore(text: str) -> str:
    return "".join(_RESTORE.get(c, c) for c in text)


def _strip_format(text: str, default: str) -> tuple[str, str]:
    m = FORMAT_RE.match(text)
    if m:
        return text[m.end() :], FORMATS[m.group(1).lower()]
    return text, default


def _clean(text: str) -> str:
    return _restore(text).strip()


def _split_blocks(text: str) -> list[tuple[int, list[str]]]:
    """Blank-line separated blocks with their first line number; comment lines dropped (as Moodle does)."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        if line.strip().startswith("//"):
            continue
        if not line.strip():
            if current:
                blocks.append((start, current))
                current = []
            continue
        if not current:
            start = number
        current.append(line)
    if current:
        blocks.append((start, current))
    return blocks


def parse_gift(data: bytes, partial: bool = False) -> ParseResult:
    """Import GIFT text: each block becomes a question, a reported unsupported construct or a syntax error."""
    if (big := too_large(data, "gift")) is not None:
        return big
    text = decode_text(data)
    if text is None:
        return refuse("gift", Problem("not_decodable"))
    items: list[Item] = []
    category = ""
    for line, lines in _split_blocks(text):
        if lines[0].strip().startswith("$CATEGORY:"):
            # A category switch (as in Moodle) applies to the questions that follow.
            category = lines[0].strip()[len("$CATEGORY:") :].strip()
            lines, line = lines[1:], line + 1
            if not lines:
                continue
        item = _read_block("\n".join(lines).strip(), Location(line=line))
        if item.question is not None and category:
            item.question = replace(item.question, source=SourceRef("gift", category=category))
        items.append(item)
    return finish("gift", items, partial)


def _read_block(block: str, location: Location) -> Item:
    text = _protect(block)
    title = ""
    if text.startswith("::"):
        end = text.find("::", 2)
        if end < 0:
            return Item(location, None, [Problem("syntax_error", {"detail": "unterminated ::title::"})])
        title = _clean(text[2:end])
        text = text[end + 2 :]
    text, fmt = _strip_format(text.lstrip(), "plain")
    start = text.find("{")
    if start < 0:
        if "}" in text:
            return Item(location, None, [Problem("syntax_error", {"detail": "'}' without '{'"})])
        problem = Problem("unsupported_construct", {"construct": "GIFT description"}, severity=WARNING)
        return Item(location, None, [problem])
    end = text.find("}", start)
    if end < 0:
        return Item(location, None, [Problem("syntax_error", {"detail": "'{' without '}'"})])
    before, answers, after = text[:start], text[start + 1 : end], text[end + 1 :]
    # Moodle: text after the answer block makes a missing-word question; the block becomes a blank line.
    stem = _clean(before + BLANK + after) if after.strip() else _clean(before)
    explanation = ""
    if "####" in answers:
        answers, general = answers.split("####", 1)
        explanation = _clean(_strip_format(general, fmt)[0])
    base = Question("essay", stem or " ", title=title, text_format=fmt, explanation=explanation)
    return _by_type(base, answers.strip(), fmt, location)


def _split_answers(answers: str) -> list[str]:
    """Answers start at each '=' or '~' marker (Moodle: replace '=' by '~=' and split on '~')."""
    parts = answers.replace("=", "~=").split("~")
    return [p.strip() for p in parts if p.strip()]


def _weight(answer: str) -> tuple[Decimal | None, str]:
    m = WEIGHT_RE.match(answer)
    if not m:
        return None, answer
    return to_decimal(m.group(1)) / 100, answer[m.end() :]


def _text_and_feedback(answer: str, fmt: str) -> tuple[str, bool]:
    text, _, feedback = answer.partition("#")
    return _clean(_strip_format(text, fmt)[0]), bool(feedback.strip())


def _by_type(base: Question, answers: str, fmt: str, location: Location) -> Item:
    notes: list[Problem] = []
    if not answers:
        return Item(location, base)
    if answers.startswith("#"):
        return _numerical(base, answers[1:], location)
    if "~" in answers or answers.startswith("~"):
        weights: list[Decimal] = []
        options: list[str] = []
        single = "=" in answers
        feedback = False
        for ans in _split_answers(answers):
            if ans.startswith("="):
                weight, ans = Decimal(1), ans[1:]
                explicit, rest = _weight(ans.strip())
                if explicit is not None:
                    weight, ans = explicit, rest
            else:
                explicit, ans = _weight(ans)
                weight = explicit if explicit is not None else Decimal(0)
            text, has_fb = _text_and_feedback(ans, fmt)
            feedback = feedback or has_fb
            options.append(text)
            weights.append(weight)
        qtype = "single_choice" if single else "multiple_choice"
        key, credits = credits_from_weights(qtype, weights)
        if feedback:
            notes.append(_feedback_note())
        return Item(
            location,
            replace(base, qtype=qtype, options=tuple(options), answer=key, option_credits=credits),
            notes,
        )
    if "=" in answers and "->" in answers:
        return Item(location, None, [Problem("unsupported_construct", {"construct": "GIFT matching"})])
    word, _, feedback_text = answers.partition("#")
    if word.strip().lower() in TF_WORDS:
        if feedback_text.strip():
            notes.append(_feedback_note())
        return Item(location, replace(base, qtype="true_false", answer=(TF_WORDS[word.strip().lower()],)), notes)
    if answers.startswith("="):
        accepts: list[Accept] = []
        feedback = False
        for ans in _split_answers(answers):
            weight, ans = _weight(ans[1:].strip() if ans.startswith("=") else ans)
            text, has_fb = _text_and_feedback(ans, fmt)
            feedback = feedback or has_fb
            accepts.append(Accept(text, weight if weight is not None else Decimal(1)))
        if feedback:
            notes.append(_feedback_note())
        return Item(location, replace(base, qtype="fill_in", blanks=(Blank(tuple(accepts)),)), notes)
    return Item(
        location,
        None,
        [Problem("syntax_error", {"detail": f"cannot tell the question type of {{{_clean(answers)[:60]}}}"})],
    )


def _feedback_note() -> Problem:
    return Problem("feedback_not_kept", severity=WARNING)


def _number_accept(text: str, credit: Decimal) -> Accept:
    """'3:2' (value:tolerance), '1..5' (range → midpoint ± half width, as Moodle stores it) or '3'."""
    text = text.strip()
    if ".." in text:
        low, high = (to_decimal(x) for x in text.split("..", 1))
        low, high = min(low, high), max(low, high)
        mid = (low + high) / 2
        return Accept(_num_text(mid), credit, (high - low) / 2)
    if ":" in text:
        value, tol = text.split(":", 1)
        return Accept(_num_text(to_decimal(value)), credit, abs(to_decimal(tol)))
    return Accept(_num_text(to_decimal(text)), credit, Decimal(0))


def _num_text(value: Decimal) -> str:
    return decimal_text(value)


def _numerical(base: Question, body: str, location: Location) -> Item:
    """A numerical question becomes a fill-in blank with numeric alternatives (value ± tolerance)."""
    notes: list[Problem] = []
    accepts: list[Accept] = []
    try:
        parts = _split_answers(body) if ("=" in body or "~" in body) else [body]
        for part in parts:
            wrong = part.startswith("~")
            part = part.lstrip("=~").strip()
            weight, part = _weight(part)
            value, _, feedback = part.partition("#")
            value = _restore(value)
            if feedback.strip():
                notes.append(_feedback_note())
            if wrong or not value.strip():
                continue  # a wrong-answer feedback catch-all earns nothing
            accepts.append(_number_accept(value, weight if weight is not None else Decimal(1)))
    except ValueError:
        detail = f"not a number in {{#{_restore(body).strip()[:60]}}}"
        return Item(location, None, [Problem("syntax_error", {"detail": detail})])
    return Item(location, replace(base, qtype="fill_in", blanks=(Blank(tuple(accepts)),)), notes[:1])
