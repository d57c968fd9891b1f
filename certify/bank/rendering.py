"""Showing question content safely: plain text escaped, imported HTML cleaned by an allow-list (nh3)."""

from __future__ import annotations

import nh3
from markupsafe import Markup, escape

#: tags an imported stem or option may keep (Moodle and QTI bodies use these for emphasis, lists, tables, images)
ALLOWED_TAGS = {
    "p", "br", "b", "strong", "i", "em", "u", "sub", "sup", "span", "div", "ul", "ol", "li",
    "table", "thead", "tbody", "tr", "th", "td", "img", "pre", "code", "blockquote", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"img": {"src", "alt", "width", "height"}, "td": {"colspan", "rowspan"}, "th": {"colspan"}}


def question_html(text: str | None, text_format: str = "plain") -> Markup:
    """Markup for a stem, option, explanation or marking scheme in its text format."""
    if not text:
        return Markup("")
    if text_format == "html":
        cleaned = nh3.clean(text, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes={"https", "data"})
        return Markup(cleaned)
    return Markup("<br>").join(escape(line) for line in text.splitlines())
