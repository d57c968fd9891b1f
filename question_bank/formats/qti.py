"""QTI 2.1/2.2 import: single assessmentItem XML or an IMS content package (ZIP with imsmanifest.xml)."""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import replace
from decimal import Decimal
from xml.etree.ElementTree import Element

from question_bank.formats._common import (
    MAX_BYTES,
    Item,
    ParseResult,
    finish,
    local,
    parse_xml,
    refuse,
    too_large,
)
from question_bank.formats.qti_body import body_parts, interactions
from question_bank.model import (
    FALSE,
    HAND_MARKED,
    LETTERS,
    TRUE,
    Accept,
    Blank,
    Question,
    SourceRef,
    to_decimal,
)
from question_bank.report import Location, Problem

SUPPORTED = {"choiceInteraction", "textEntryInteraction", "extendedTextInteraction"}
TF_WORDS = {
    TRUE: {"true", "richtig", "wahr", "yes", "对", "正确", "是", "√"},
    FALSE: {"false", "falsch", "no", "错", "错误", "否", "×"},
}
MAX_MEMBERS = 2000


def _find(el: Element, name: str) -> list[Element]:
    return [e for e in el.iter() if local(e.tag) == name]


def _first(el: Element, name: str) -> Element | None:
    found = _find(el, name)
    return found[0] if found else None


def _default_value(root: Element, identifier: str) -> Decimal | None:
    for od in _find(root, "outcomeDeclaration"):
        if od.get("identifier") == identifier:
            value = _first(od, "value")
            if value is not None and (value.text or "").strip():
                try:
                    return to_decimal(value.text or "")
                except ValueError:
                    return None
            normal = od.get("normalMaximum")
            if identifier == "SCORE" and normal:
                try:
                    return to_decimal(normal)
                except ValueError:
                    return None
    return None


def _declaration(root: Element, identifier: str | None) -> Element | None:
    for rd in _find(root, "responseDeclaration"):
        if rd.get("identifier") == identifier:
            return rd
    return None


def _values(el: Element | None) -> list[str]:
    cr = _first(el, "correctResponse") if el is not None else None
    return [(v.text or "").strip() for v in _find(cr, "value")] if cr is not None else []


def _mapping(el: Element | None) -> list[tuple[str, Decimal, bool]]:
    out: list[tuple[str, Decimal, bool]] = []
    mp = _first(el, "mapping") if el is not None else None
    for entry in _find(mp, "mapEntry") if mp is not None else []:
        try:
            value = to_decimal(entry.get("mappedValue", "0"))
        except ValueError:
            value = Decimal(0)
        out.append((entry.get("mapKey", ""), value, entry.get("caseSensitive", "true").lower() != "false"))
    return out


def _rule_keys(root: Element, identifier: str | None) -> list[list[str]]:
    """Correct sets stated only in custom response processing: <match><variable/><baseValue/></match>."""
    sets: list[list[str]] = []
    for match in _find(root, "match"):
        children = list(match)
        if not any(local(c.tag) == "variable" and c.get("identifier") == identifier for c in children):
            continue
        values = [
            (b.text or "").strip()
            for c in children
            if local(c.tag) != "variable"
            for b in c.iter()
            if local(b.tag) == "baseValue"
        ]
        if values:
            sets.append(values)
    return sets


def read_item(root: Element, location: Location) -> Item:
    """One assessmentItem → a question, or the reasons it cannot be one."""
    kinds = interactions(root)
    unsupported = sorted({k for k in kinds if k not in SUPPORTED})
    if not kinds:
        return Item(location, None, [Problem("unsupported_construct", {"construct": "QTI item without interaction"})])
    if unsupported:
        problems = [Problem("unsupported_construct", {"construct": f"QTI {k}"}) for k in unsupported]
        return Item(location, None, problems)
    if len(set(kinds)) > 1 or (kinds[0] != "textEntryInteraction" and len(kinds) > 1):
        return Item(location, None, [Problem("unsupported_construct", {"construct": "QTI composite item"})])
    parts = body_parts(root)
    label = {k: v for k, _, v in (p.partition(":") for p in (root.get("label") or "").split(";")) if v}
    base = Question(
        "essay",
        parts.stem,
        explanation=parts.explanation,
        images=parts.images,
        text_format=parts.text_format,
        title=root.get("title", ""),
        difficulty=int(label["difficulty"]) if label.get("difficulty", "").isdigit() else None,
        point_code=label.get("point") or None,
        source=SourceRef("qti", location.describe(), root.get("identifier", "")),
    )
    problems: list[Problem] = []
    kind = kinds[0]
    maxscore = _default_value(root, "MAXSCORE")
    if kind == "choiceInteraction":
        question = _choice(root, base, parts.option_ids, parts.options, problems)
    elif kind == "textEntryInteraction":
        blanks: list[Blank] = []
        total = Decimal(0)
        for ident in parts.blank_ids:
            blank, best = _blank(_declaration(root, ident))
            blanks.append(blank)
            total += best
        question = replace(base, qtype="fill_in", blanks=tuple(blanks))
        if maxscore is None and total > 0:
            maxscore = total
    else:
        own = label.get("qtype")
        question = replace(base, qtype=own if own in HAND_MARKED else "essay", marking_scheme=parts.marking_scheme)
    points = maxscore if maxscore is not None else _default_value(root, "SCORE") or Decimal(1)
    return Item(location, replace(question, points=points), problems)


def _choice(
    root: Element, base: Question, ids: tuple[str, ...], options: tuple[str, ...], problems: list[Problem]
) -> Question:
    interaction = _first(root, "choiceInteraction")
    ident = interaction.get("responseIdentifier") if interaction is not None else None
    decl = _declaration(root, ident)
    max_choices = interaction.get("maxChoices", "1") if interaction is not None else "1"
    multiple = (decl is not None and decl.get("cardinality") == "multiple") or max_choices != "1"
    keys = _values(decl)
    if not keys:
        keys = [k for k, v, _ in _mapping(decl) if v > 0]
    if not keys:
        sets = _rule_keys(root, ident)
        if len(sets) > 1:
            problems.append(Problem("unsupported_construct", {"construct": "QTI alternative correct responses"}))
        elif sets:
            keys = sets[0]
    letters = []
    for k in keys:
        if k in ids:
            letters.append(LETTERS[ids.index(k)])
        else:
            problems.append(Problem("answer_not_in_options", {"value": k}, field="answer"))
    answer = tuple(sorted(set(letters), key=LETTERS.index))
    if not multiple and len(options) == 2:
        words = [o.strip().lower() for o in options]
        truth = [
            next((t for t, ws in TF_WORDS.items() if w in ws or i.lower() in ws), None)
            for w, i in zip(words, ids, strict=True)
        ]
        if set(truth) == {TRUE, FALSE} and len(answer) == 1:
            return replace(base, qtype="true_false", answer=(truth[LETTERS.index(answer[0])] or "",))
    qtype = "multiple_choice" if multiple else "single_choice"
    return replace(base, qtype=qtype, options=options, answer=answer)


def _blank(decl: Element | None) -> tuple[Blank, Decimal]:
    """A text entry's answers: correctResponse at full credit, mapping entries relative to the best."""
    numeric = decl is not None and decl.get("baseType") in ("float", "integer")
    mapping = _mapping(decl)
    best = max((v for _, v, _ in mapping), default=Decimal(0))
    accepts: list[Accept] = []
    seen: set[str] = set()
    case_sensitive = bool(mapping) and all(cs for _, _, cs in mapping)
    tol = Decimal(0) if numeric else None
    for value in _values(decl):
        if value not in seen:
            seen.add(value)
            accepts.append(Accept(value, Decimal(1), tol))
    for key, value, _ in mapping:
        if key not in seen and value > 0:
            seen.add(key)
            accepts.append(Accept(key, value / best if best else Decimal(1), tol))
    return Blank(tuple(accepts), ignore_case=not case_sensitive), (best if mapping else Decimal(1))


def _item_from_xml(data: bytes, where: str) -> Item:
    location = Location(item=where)
    root, problem = parse_xml(data)
    if root is None:
        return Item(location, None, [problem or Problem("xml_not_well_formed", {"detail": "?"})])
    name = local(root.tag)
    if name == "questestinterop":
        return Item(location, None, [Problem("unsupported_construct", {"construct": "QTI 1.2"})])
    if name != "assessmentItem" or "imsqti_v2p" not in str(root.tag):
        return Item(location, None, [Problem("xml_wrong_root", {"expected": "assessmentItem", "found": name})])
    return read_item(root, location)


def parse_qti(data: bytes, partial: bool = False, filename: str | None = None) -> ParseResult:
    """Import a QTI item file or content package."""
    if (big := too_large(data, "qti")) is not None:
        return big
    if data.startswith(b"PK"):
        return _parse_package(data, partial)
    item = _item_from_xml(data, filename or "item.xml")
    if item.question is None and any(p.code in ("xml_not_well_formed", "xml_forbidden") for p in item.problems):
        return refuse("qti", *item.problems)
    return finish("qti", [item], partial)


def _parse_package(data: bytes, partial: bool) -> ParseResult:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS or sum(i.file_size for i in infos) > MAX_BYTES * 5:
            return refuse("qti", Problem("zip_too_large", {"limit": MAX_BYTES * 5}))
        names = {i.filename for i in infos}
        hrefs: list[str] = []
        if "imsmanifest.xml" in names:
            manifest, problem = parse_xml(zf.read("imsmanifest.xml"))
            if manifest is None:
                return refuse("qti", (problem or Problem("zip_invalid")).at(Location(item="imsmanifest.xml")))
            for res in _find(manifest, "resource"):
                if res.get("type", "").startswith("imsqti_item") and res.get("href"):
                    hrefs.append(res.get("href", ""))
        else:
            hrefs = sorted(n for n in names if n.lower().endswith(".xml"))
        items: list[Item] = []
        files: dict[str, bytes] = {}
        for href in hrefs:
            if href not in names:
                items.append(Item(Location(item=href), None, [Problem("zip_missing_file", {"path": href})]))
                continue
            items.append(_item_from_xml(zf.read(href), href))
        for name in names:
            if not name.lower().endswith(".xml") and not name.endswith("/"):
                files[name] = zf.read(name)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        EOFError,
        OSError,
        ValueError,
        NotImplementedError,
    ):
        return refuse("qti", Problem("zip_invalid"))
    result = finish("qti", items, partial)
    result.files = files if result.questions else {}
    return result
