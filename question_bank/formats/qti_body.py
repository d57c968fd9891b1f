"""Turn a QTI itemBody into stem, options and blanks: plain text when plain, else namespace-free HTML."""

from __future__ import annotations

import copy
import html
import re
from dataclasses import dataclass
from xml.etree.ElementTree import Element, tostring

from question_bank.formats._common import local

BLOCKS = {
    "p",
    "div",
    "prompt",
    "blockquote",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "pre",
    "table",
}
#: Elements that carry no formatting worth keeping, so a body made only of them is plain text.
PLAIN_OK = {"itemBody", "p", "div", "prompt", "br", "span", "simpleChoice", "choiceInteraction",
            "extendedTextInteraction", "textEntryInteraction"}  # fmt: skip
BLANK = "_____"
_BREAK = "\x00"


@dataclass
class BodyParts:
    """What an itemBody holds, split into the fields of a Question."""

    stem: str
    options: tuple[str, ...]
    option_ids: tuple[str, ...]
    blank_ids: tuple[str, ...]
    explanation: str
    marking_scheme: str
    images: tuple[str, ...]
    text_format: str


def interactions(root: Element) -> list[str]:
    """Local names of every interaction in the item body, in document order."""
    return [local(e.tag) for e in root.iter() if local(e.tag).endswith("Interaction")]


def _strip_ns(el: Element) -> Element:
    el = copy.deepcopy(el)
    for e in el.iter():
        e.tag = local(e.tag)
        for key in list(e.attrib):
            if "}" in key:
                del e.attrib[key]
    return el


def _plain(el: Element) -> str:
    out: list[str] = [el.text or ""]
    for child in el:
        name = child.tag
        if name == "br":
            out.append(_BREAK)
        elif name in BLOCKS:
            out.extend((_BREAK, _plain(child), _BREAK))
        else:
            out.append(_plain(child))
        out.append(child.tail or "")
    return "".join(out)


def plain_text(el: Element) -> str:
    """Text of an element, one line per block, whitespace inside a line collapsed."""
    # Only ASCII whitespace is layout; the ideographic space in "（　）" is content.
    lines = (re.sub(r"[ \t\r\n\f\v]+", " ", seg).strip(" ") for seg in _plain(el).split(_BREAK))
    return "\n".join(line for line in lines if line)


def inner_html(el: Element) -> str:
    """The element's content serialised as HTML without namespaces, trimmed."""
    parts = [html.escape(el.text or "", quote=False)]
    parts += [tostring(child, encoding="unicode", method="html") for child in el]
    return re.sub(r"\s+\n", "\n", "".join(parts)).strip()


def _is_plain(el: Element) -> bool:
    return all(e.tag in PLAIN_OK for e in el.iter() if e is not el)


def body_parts(root: Element) -> BodyParts:
    """Split the item body: interactions become options or blanks, rubric blocks scheme/explanation."""
    body_el = next((e for e in root if local(e.tag) == "itemBody"), None)
    body = _strip_ns(body_el) if body_el is not None else Element("itemBody")
    images = tuple(
        str(e.get("src") or e.get("data"))
        for e in body.iter()
        if e.tag in ("img", "object") and (e.get("src") or e.get("data"))
    )
    scheme, explanation = "", ""
    options: list[Element] = []
    option_ids: list[str] = []
    blank_ids: list[str] = []
    for parent in list(body.iter()):
        for child in list(parent):
            if child.tag == "rubricBlock":
                text = plain_text(child) if _is_plain(child) else inner_html(child)
                if child.get("view", "") == "tutor":
                    explanation = text
                else:
                    scheme = text
                _remove(parent, child)
            elif child.tag in ("modalFeedback", "feedbackInline", "feedbackBlock"):
                _remove(parent, child)
            elif child.tag == "textEntryInteraction":
                blank_ids.append(child.get("responseIdentifier", ""))
                _replace_with_text(parent, child, BLANK)
            elif child.tag == "choiceInteraction":
                for choice in [c for c in child if c.tag == "simpleChoice"]:
                    options.append(choice)
                    option_ids.append(choice.get("identifier", ""))
                    child.remove(choice)
    for e in body.iter():
        if e.tag in ("choiceInteraction", "extendedTextInteraction"):
            e.tag = "div"
            e.attrib.clear()
        elif e.tag == "prompt":
            e.tag = "p"
    pieces = [body, *options]
    is_html = not all(_is_plain(p) for p in pieces)
    stem = inner_html(body) if is_html else plain_text(body)
    option_texts = tuple(inner_html(o) if is_html else plain_text(o) for o in options)
    return BodyParts(
        stem=stem,
        options=option_texts,
        option_ids=tuple(option_ids),
        blank_ids=tuple(blank_ids),
        explanation=explanation,
        marking_scheme=scheme,
        images=images,
        text_format="html" if is_html else "plain",
    )


def _remove(parent: Element, child: Element) -> None:
    _replace_with_text(parent, child, "")


def _replace_with_text(parent: Element, child: Element, text: str) -> None:
    """Remove child, keeping text + its tail in the flow of the parent."""
    index = list(parent).index(child)
    insert = text + (child.tail or "")
    if index == 0:
        parent.text = (parent.text or "") + insert
    else:
        prev = parent[index - 1]
        prev.tail = (prev.tail or "") + insert
    parent.remove(child)
