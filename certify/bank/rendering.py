"""Showing question content safely: plain text escaped, imported HTML cleaned by an allow-list (nh3).

Moodle writes image references as `@@PLUGINFILE@@/name`; with the version's name → URL map they point at the
bank's asset route (which checks access and audits each download).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from html import unescape
from urllib.parse import unquote

import nh3
from markupsafe import Markup, escape

#: tags an imported stem or option may keep (Moodle and QTI bodies use these for emphasis, lists, tables, images)
ALLOWED_TAGS = {
    "p", "br", "b", "strong", "i", "em", "u", "sub", "sup", "span", "div", "ul", "ol", "li",
    "table", "thead", "tbody", "tr", "th", "td", "img", "pre", "code", "blockquote", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"img": {"src", "alt", "width", "height"}, "td": {"colspan", "rowspan"}, "th": {"colspan"}}
_PLUGINFILE = re.compile(r"@@PLUGINFILE@@/([^\"'<>\s?#]+)")


def _map_pluginfile(text: str, assets: Mapping[str, str]) -> str:
    def replace(match: re.Match) -> str:
        name = unquote(match.group(1))
        return assets.get(name) or assets.get(name.rsplit("/", 1)[-1]) or match.group(0)

    return _PLUGINFILE.sub(replace, text)


def question_html(text: str | None, text_format: str = "plain", assets: Mapping[str, str] | None = None) -> Markup:
    """Markup for a stem, option, explanation or marking scheme in its text format.

    `assets` maps image names to URLs, so that `@@PLUGINFILE@@/name` references in HTML show the stored image.
    """
    if not text:
        return Markup("")
    if text_format == "html":
        if assets:
            text = _map_pluginfile(text, assets)
        cleaned = nh3.clean(text, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes={"https", "data"})
        return Markup(cleaned)
    return Markup("<br>").join(escape(line) for line in text.splitlines())


def plain_text(text: str | None, text_format: str = "plain") -> str:
    """Text without markup (for excerpts and diffs)."""
    if not text:
        return ""
    if text_format == "html":
        text = unescape(nh3.clean(text, tags=set()))
    return text


def excerpt(text: str | None, text_format: str = "plain", limit: int = 80) -> str:
    """The first words of a stem, on one line."""
    flat = " ".join(plain_text(text, text_format).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def version_lines(question) -> list[str]:
    """A question as labelled text lines, so that two versions can be compared line by line."""
    from flask_babel import gettext as _

    from .question_forms import QTYPE_LABELS

    def line(label: str, value: object) -> str:
        return _("%(label)s: %(value)s", label=label, value=value)

    def block(label: str, text: str) -> list[str]:
        lines = plain_text(text, question.text_format).splitlines() or [""]
        return [line(label, lines[0])] + [f"    {rest}" for rest in lines[1:]]

    out = [line(_("Question type"), QTYPE_LABELS.get(question.qtype, question.qtype))]
    out += block(_("Question text"), question.stem)
    for i, option in enumerate(question.options):
        out += block(_("Option %(letter)s", letter=chr(65 + i)), option)
    out.append(line(_("Answer"), ", ".join(question.answer)))
    for n, blank in enumerate(question.blanks, start=1):
        out.append(line(_("Blank %(number)s", number=n), " | ".join(a.text for a in blank.accepts)))
    out.append(line(_("Points"), question.points))
    out.append(line(_("Difficulty"), question.difficulty or ""))
    out.append(line(_("Assessment point"), question.point_code or ""))
    out += block(_("Marking scheme"), question.marking_scheme)
    out += block(_("Answer explanation"), question.explanation)
    out.append(line(_("Images"), ", ".join(question.images)))
    return out


def version_diff(bank_question, compare: int | None, to: int | None) -> dict | None:
    """A unified diff of version `compare` against version `to` (default: the latest)."""
    from flask_babel import gettext

    if compare is None:
        return None
    by_number = {v.number: v for v in bank_question.versions}
    old, new = by_number.get(compare), by_number.get(to or bank_question.latest.number)
    if old is None or new is None:
        return {"missing": True, "old": compare, "new": to}
    lines = list(
        difflib.unified_diff(
            version_lines(old.to_question()),
            version_lines(new.to_question()),
            fromfile=gettext("Version %(number)s", number=old.number),
            tofile=gettext("Version %(number)s", number=new.number),
            lineterm="",
        )
    )
    return {"missing": False, "old": old.number, "new": new.number, "lines": lines}
