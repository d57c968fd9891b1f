"""Aiken: single-choice questions as plain text, read line by line the way Moodle's qformat_aiken does."""

from __future__ import annotations

import re

from question_bank.formats._common import Item, ParseResult, decode_text, finish, refuse, too_large
from question_bank.model import LETTERS, Question
from question_bank.report import Location, Problem

OPTION_RE = re.compile(r"^([A-Z])[).][ \t]?")
ANSWER_RE = re.compile(r"^ANSWER:")


class _Open:
    """A question being read: its first line number, stem and options."""

    def __init__(self, line: int, stem: str) -> None:
        self.line = line
        self.stem = stem
        self.options: list[str] = []


def parse_aiken(data: bytes, partial: bool = False) -> ParseResult:
    """Import Aiken text; each broken block is reported with its line, good ones kept for partial mode."""
    if (big := too_large(data, "aiken")) is not None:
        return big
    text = decode_text(data)
    if text is None:
        return refuse("aiken", Problem("not_decodable"))
    items: list[Item] = []
    current: _Open | None = None
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        # Moodle skips anything shorter than two characters, blank lines included.
        if len(line) < 2:
            continue
        if OPTION_RE.match(line):
            if current is None:
                items.append(Item(Location(line=number), None, [Problem("aiken_not_started")]))
                continue
            current.options.append(line[2:].strip())
        elif ANSWER_RE.match(line):
            if current is None:
                items.append(Item(Location(line=number), None, [Problem("aiken_not_started")]))
                continue
            items.append(_close(current, line, number))
            current = None
        else:
            if current is not None:
                items.append(
                    Item(
                        Location(line=number),
                        None,
                        [Problem("aiken_not_completed", {"stem": current.stem[:80]})],
                    )
                )
            current = _Open(number, line)
    if current is not None:
        # Moodle drops an unfinished last question silently; we report it.
        items.append(Item(Location(line=len(lines)), None, [Problem("aiken_not_completed", {"stem": current.stem})]))
    return finish("aiken", items, partial)


def _close(current: _Open, line: str, number: int) -> Item:
    location = Location(line=number)
    if len(current.options) < 2:
        return Item(location, None, [Problem("aiken_too_few_answers", {"stem": current.stem[:80]})])
    letter = line.split(":", 1)[1].strip()[:1]
    if letter not in LETTERS[: len(current.options)]:
        problem = Problem("answer_not_in_options", {"value": letter or "?"}, field="answer")
        return Item(location, None, [problem])
    question = Question(
        qtype="single_choice",
        stem=current.stem,
        options=tuple(current.options),
        answer=(letter,),
        title=current.stem[:80],
    )
    return Item(location, question)


def _one_line(text: str) -> str:
    # Aiken is line-based; fold only ASCII layout whitespace (the ideographic space in （　） is content).
    return re.sub(r"[ \t\r\n]+", " ", text).strip(" ")


def export_aiken(questions: list[Question]) -> bytes:
    """Single-choice questions as Aiken text (other types cannot be written in Aiken and are skipped)."""
    blocks = []
    for q in questions:
        if q.qtype != "single_choice":
            continue
        lines = [_one_line(q.stem)]
        lines += [f"{LETTERS[i]}) {_one_line(opt)}" for i, opt in enumerate(q.options)]
        lines.append(f"ANSWER: {q.answer[0]}")
        blocks.append("\n".join(lines))
    return ("\n\n".join(blocks) + "\n").encode("utf-8")
