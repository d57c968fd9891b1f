"""QTI 2.1 export as an IMS content package (ZIP with imsmanifest.xml and one item file per question)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from xml.etree.ElementTree import Comment, Element, SubElement, tostring

from question_bank.formats._common import local, parse_xml
from question_bank.model import FALSE, LETTERS, TRUE, Question, decimal_text

NS = "http://www.imsglobal.org/xsd/imsqti_v2p1"
CP_NS = "http://www.imsglobal.org/xsd/imscp_v1p1"
MATCH_CORRECT = "http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"
MAP_RESPONSE = "http://www.imsglobal.org/question/qti_v2p1/rptemplates/map_response"
TF_TEXT = {TRUE: "正确", FALSE: "错误"}


def _q(tag: str) -> str:
    # Elements stay unqualified and the root carries xmlns: ElementTree cannot write a default namespace
    # together with unqualified attributes.
    return tag


def _add_text(parent: Element, text: str, fmt: str) -> None:
    """Put text into parent: plain text as one <p> per line, HTML parsed into elements when it is XHTML."""
    if fmt == "html":
        root, _ = parse_xml(f'<div xmlns="{NS}">{text}</div>'.encode())
        if root is not None:
            for el in root.iter():
                el.tag = local(el.tag)
            parent.text = (parent.text or "") + (root.text or "")
            parent.extend(list(root))
            return
    for line in text.split("\n"):
        SubElement(parent, _q("p")).text = line


def _add_inline(parent: Element, text: str, fmt: str) -> None:
    if fmt == "html":
        _add_text(parent, text, fmt)
    else:
        parent.text = text


def _outcomes(item: Element, q: Question) -> None:
    SubElement(item, _q("outcomeDeclaration"), identifier="SCORE", cardinality="single", baseType="float")
    maxscore = SubElement(item, _q("outcomeDeclaration"), identifier="MAXSCORE", cardinality="single", baseType="float")
    SubElement(SubElement(maxscore, _q("defaultValue")), _q("value")).text = decimal_text(q.points)


def _correct(decl: Element, values: Sequence[str]) -> None:
    cr = SubElement(decl, _q("correctResponse"))
    for v in values:
        SubElement(cr, _q("value")).text = v


def item_xml(q: Question, identifier: str, watermark: str | None = None) -> bytes:
    """One assessmentItem for a question."""
    label = []
    if q.difficulty is not None:
        label.append(f"difficulty:{q.difficulty}")
    if q.point_code:
        label.append(f"point:{q.point_code}")
    if q.hand_marked:
        label.append(f"qtype:{q.qtype}")
    title = q.title or " ".join(q.stem.split())[:60] or identifier
    item = Element(
        _q("assessmentItem"),
        xmlns=NS,
        identifier=identifier,
        title=title,
        adaptive="false",
        timeDependent="false",
    )
    if label:
        item.set("label", ";".join(label))
    if watermark:
        item.append(Comment(" " + watermark.replace("--", "- -") + " "))
    body = Element(_q("itemBody"))
    template = MATCH_CORRECT
    if q.qtype in ("true_false", "single_choice", "multiple_choice"):
        multiple = q.qtype == "multiple_choice"
        decl = SubElement(
            item,
            _q("responseDeclaration"),
            identifier="RESPONSE",
            cardinality="multiple" if multiple else "single",
            baseType="identifier",
        )
        _correct(decl, list(q.answer))
        _outcomes(item, q)
        _add_text(body, q.stem, q.text_format)
        choice = SubElement(
            body,
            _q("choiceInteraction"),
            responseIdentifier="RESPONSE",
            shuffle="false",
            maxChoices="0" if multiple else "1",
        )
        if q.qtype == "true_false":
            for value in (TRUE, FALSE):
                SubElement(choice, _q("simpleChoice"), identifier=value).text = TF_TEXT[value]
        else:
            for i, text in enumerate(q.options):
                _add_inline(SubElement(choice, _q("simpleChoice"), identifier=LETTERS[i]), text, q.text_format)
    elif q.qtype == "fill_in":
        template = MAP_RESPONSE
        for n, blank in enumerate(q.blanks, start=1):
            numeric = bool(blank.accepts) and all(a.tolerance is not None for a in blank.accepts)
            decl = SubElement(
                item,
                _q("responseDeclaration"),
                identifier=f"RESPONSE_{n}",
                cardinality="single",
                baseType="float" if numeric else "string",
            )
            _correct(decl, [a.text for a in blank.accepts if a.credit == 1][:1])
            mapping = SubElement(decl, _q("mapping"), defaultValue="0")
            for a in blank.accepts:
                SubElement(
                    mapping,
                    _q("mapEntry"),
                    mapKey=a.text,
                    mappedValue=decimal_text(a.credit),
                    caseSensitive="false" if blank.ignore_case else "true",
                )
        _outcomes(item, q)
        _blanks_body(body, q)
    else:
        template = ""
        SubElement(item, _q("responseDeclaration"), identifier="RESPONSE", cardinality="single", baseType="string")
        _outcomes(item, q)
        _add_text(body, q.stem, q.text_format)
        SubElement(body, _q("extendedTextInteraction"), responseIdentifier="RESPONSE")
        if q.marking_scheme:
            _add_text(SubElement(body, _q("rubricBlock"), view="scorer"), q.marking_scheme, q.text_format)
    if q.explanation:
        _add_text(SubElement(body, _q("rubricBlock"), view="tutor"), q.explanation, q.text_format)
    item.append(body)
    if template:
        SubElement(item, _q("responseProcessing"), template=template)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(item, encoding="unicode").encode("utf-8")


def _blanks_body(body: Element, q: Question) -> None:
    """Plain stems get an interaction at each _____; blanks without a place are appended."""
    n = 0
    for line in q.stem.split("\n"):
        p = SubElement(body, _q("p"))
        pieces = re.split(r"_{3,}", line)
        p.text = pieces[0]
        for piece in pieces[1:]:
            n += 1
            el = SubElement(p, _q("textEntryInteraction"), responseIdentifier=f"RESPONSE_{n}")
            el.tail = piece
    while n < len(q.blanks):
        n += 1
        SubElement(SubElement(body, _q("p")), _q("textEntryInteraction"), responseIdentifier=f"RESPONSE_{n}")


def export_qti21(questions: Sequence[Question], watermark: str | None = None) -> bytes:
    """A QTI 2.1 content package; the watermark goes in an XML comment of the manifest and every item."""
    manifest = Element("manifest", xmlns=CP_NS, identifier="certify-export")
    if watermark:
        manifest.append(Comment(" " + watermark.replace("--", "- -") + " "))
    SubElement(manifest, "organizations")
    resources = SubElement(manifest, "resources")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, q in enumerate(questions, start=1):
            identifier = f"Q{n:04d}"
            href = f"items/{identifier}.xml"
            res = SubElement(
                resources,
                "resource",
                identifier=identifier,
                type="imsqti_item_xmlv2p1",
                href=href,
            )
            SubElement(res, "file", href=href)
            zf.writestr(href, item_xml(q, identifier, watermark))
        body = tostring(manifest, encoding="unicode")
        zf.writestr("imsmanifest.xml", '<?xml version="1.0" encoding="UTF-8"?>\n' + body)
    return buf.getvalue()
