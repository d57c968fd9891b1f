"""Moodle embedded-answers (cloze) codes such as {1:SHORTANSWER:=Paris~%50%Lyon}: read, check and write."""

from __future__ import annotations

import re
from decimal import Decimal

from question_bank.model import Accept, Blank, decimal_text, to_decimal
from question_bank.report import Problem

CODE_RE = re.compile(r"\{(\d*):([A-Z_]+)(?::((?:\\.|[^\\}])*))?\}")
SHORT = {"SHORTANSWER", "SA", "MW"}
SHORT_CASE = {"SHORTANSWER_C", "SAC", "MWC"}
NUMERICAL = {"NUMERICAL", "NM"}
CHOICE = {
    "MULTICHOICE", "MC", "MULTICHOICE_V", "MCV", "MULTICHOICE_H", "MCH", "MULTIRESPONSE", "MR",
    "MULTIRESPONSE_H", "MRH", "MULTICHOICE_S", "MCS", "MULTICHOICE_VS", "MCVS", "MULTICHOICE_HS", "MCHS",
    "MULTIRESPONSE_S", "MRS", "MULTIRESPONSE_HS", "MRHS",
}  # fmt: skip
BLANK = "_____"
_SPECIAL = '\\}#~/"='


def _split_unescaped(text: str, sep: str) -> list[str]:
    parts, current, i = [], [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            current.append(text[i : i + 2])
            i += 2
            continue
        if text[i] == sep:
            parts.append("".join(current))
            current = []
        else:
            current.append(text[i])
        i += 1
    parts.append("".join(current))
    return parts


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _answers(body: str) -> list[tuple[Decimal, str]]:
    """(fraction, text) per answer; '=' means 100 %, '%n%' n %, nothing 0 %."""
    out: list[tuple[Decimal, str]] = []
    for raw in _split_unescaped(body, "~"):
        raw = raw.strip()
        if not raw:
            continue
        fraction = Decimal(0)
        if raw.startswith("="):
            fraction, raw = Decimal(1), raw[1:]
        else:
            m = re.match(r"^%(-?\d+(?:\.\d+)?)%", raw)
            if m:
                fraction, raw = to_decimal(m.group(1)) / 100, raw[m.end() :]
        text = _split_unescaped(raw, "#")[0]
        out.append((fraction, _unescape(text).strip()))
    return out


def read_cloze(text: str) -> tuple[str, tuple[Blank, ...], list[Problem]]:
    """The stem with each code replaced by a blank line, the blanks, and every problem of every code."""
    problems: list[Problem] = []
    blanks: list[Blank] = []
    codes = list(CODE_RE.finditer(text))
    if not codes:
        return text, (), [Problem("cloze_no_blanks", field="stem")]
    for n, m in enumerate(codes, start=1):
        kind, body = m.group(2), m.group(3) or ""
        answers = _answers(body)
        field = f"blank {n}"
        if kind in CHOICE:
            # A broken sub-question is reported as broken; a sound one as unsupported by our model.
            if len(answers) < 2:
                count = {"count": len(answers), "minimum": 2}
                problems.append(Problem("too_few_options", count, field=field))
            elif not any(f == 1 for f, _ in answers):
                problems.append(Problem("missing_answer", {"blank": n}, field=field))
            else:
                construct = {"construct": "cloze multiple-choice blank"}
                problems.append(Problem("unsupported_construct", construct))
            continue
        if kind not in SHORT | SHORT_CASE | NUMERICAL:
            problems.append(Problem("unsupported_construct", {"construct": f"cloze {kind}"}))
            continue
        if not answers:
            problems.append(Problem("missing_answer", {"blank": n}, field=field))
        accepts: list[Accept] = []
        for fraction, ans in answers:
            if kind in NUMERICAL:
                if ans == "*" and fraction == 0:
                    continue
                value, _, tol = ans.partition(":")
                try:
                    accepts.append(Accept(decimal_text(to_decimal(value)), fraction, abs(to_decimal(tol or 0))))
                except ValueError:
                    problems.append(Problem("invalid_answer", {"value": ans}, field=field))
            else:
                accepts.append(Accept(ans, fraction))
        blanks.append(Blank(tuple(accepts), ignore_case=kind not in SHORT_CASE))
    stem = CODE_RE.sub(BLANK, text)
    return stem, tuple(blanks), problems


def _escape(text: str) -> str:
    return "".join("\\" + c if c in _SPECIAL else c for c in text)


def write_code(number: int, blank: Blank) -> str:
    """One cloze code for a blank (NUMERICAL when its answers carry a tolerance)."""
    numeric = blank.accepts and all(a.tolerance is not None for a in blank.accepts)
    kind = "NUMERICAL" if numeric else ("SHORTANSWER" if blank.ignore_case else "SHORTANSWER_C")
    parts = []
    for a in blank.accepts:
        text = f"{a.text}:{decimal_text(a.tolerance)}" if numeric and a.tolerance else _escape(a.text)
        prefix = "=" if a.credit == 1 else f"%{decimal_text(a.credit * 100)}%"
        parts.append(prefix + text)
    return "{" + f"{number}:{kind}:" + "~".join(parts) + "}"


def write_cloze(stem: str, blanks: tuple[Blank, ...]) -> str:
    """The stem with its blank lines (_____) replaced by codes; codes without a place are appended."""
    pieces = re.split(r"_{3,}", stem)
    out = [pieces[0]]
    for i, piece in enumerate(pieces[1:]):
        out.append(write_code(1, blanks[i]) if i < len(blanks) else BLANK)
        out.append(piece)
    for blank in blanks[len(pieces) - 1 :]:
        out.append(" " + write_code(1, blank))
    return "".join(out)
