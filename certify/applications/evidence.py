"""Evidence files checked by their content, never by their name (pure: bytes in, a result with every problem out).

A piece of evidence is up to 3 pages uploaded as JPEG/PNG images (one file per page), or a single PDF for any
number of pages. Images are sniffed and fully decoded by Pillow; a PDF must carry the `%PDF-` header and at least
one page.

Counting PDF pages without a PDF library (pypdf is not installed): the page tree's root carries the total in
`/Count`, so the page count is the largest `/Count` of any `/Type /Pages` object; files whose page tree cannot be
found that way fall back to counting distinct `/Type /Page` objects (by object number, so an incremental update
that rewrites a page is not counted twice). Compressed object streams (PDF 1.5+) are inflated for the search, with
a cap on the inflated size so that a small file cannot expand into gigabytes. The count is stored with the file
and shown to reviewers; a "PDF" in which no page is found is refused.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from PIL import Image, UnidentifiedImageError

from certify.core.errors import Problem

MAX_BYTES = 10 * 1024 * 1024
MAX_IMAGE_PAGES = 3
IMAGE_FORMATS = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png")}
PDF = ("application/pdf", ".pdf")
#: inflate at most this much per stream and in total while looking for pages
_INFLATE_STREAM_CAP = 8 * 1024 * 1024
_INFLATE_TOTAL_CAP = 64 * 1024 * 1024

_OBJECT = re.compile(rb"(\d+)\s+\d+\s+obj\b(.*?)\bendobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.S)
_PAGES_TYPE = re.compile(rb"/Type\s*/Pages\b")
_PAGE_TYPE = re.compile(rb"/Type\s*/Page(?![A-Za-z0-9])")
_COUNT = re.compile(rb"/Count\s+(\d+)")


@dataclass(frozen=True)
class CheckedFile:
    """One accepted file of a piece of evidence."""

    filename: str
    content_type: str
    pages: int
    size: int
    sha256: str
    data: bytes


def clean_filename(name: str | None, extension: str | None = None) -> str:
    """The base name of an uploaded file (any client path dropped, control characters removed), with the
    extension that matches its content."""
    raw = name or ""
    base = PureWindowsPath(PurePosixPath(raw).name).name
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip() or "evidence"
    if extension:
        stem = base.rsplit(".", 1)[0] if "." in base.lstrip(".") else base
        base = (stem or "evidence")[:150] + extension
    return base[:200]


def _image_format(data: bytes) -> str | None:
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.verify()
        with Image.open(io.BytesIO(data)) as img:
            fmt = img.format
            img.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    return fmt if fmt in IMAGE_FORMATS else None


def _inflated_streams(data: bytes) -> list[bytes]:
    out: list[bytes] = []
    total = 0
    for match in _STREAM.finditer(data):
        if total >= _INFLATE_TOTAL_CAP:
            break
        try:
            chunk = zlib.decompressobj().decompress(match.group(1), _INFLATE_STREAM_CAP)
        except zlib.error:
            continue
        total += len(chunk)
        out.append(chunk)
    return out


def pdf_page_count(data: bytes) -> int:
    """The number of pages of a PDF (0 when no page tree or page object can be found)."""
    texts = [data, *_inflated_streams(data)]
    counts = [
        int(m.group(1))
        for text in texts
        for body in _object_bodies(text)
        if _PAGES_TYPE.search(body)
        for m in _COUNT.finditer(body)
    ]
    if counts:
        return max(counts)
    pages: set[bytes] = set()
    loose = 0
    for text in texts:
        numbered = False
        for match in _OBJECT.finditer(text):
            numbered = True
            if _PAGE_TYPE.search(match.group(2)):
                pages.add(match.group(1))
        if not numbered:  # an inflated object stream holds objects without "obj" headers
            loose += len(_PAGE_TYPE.findall(text))
    return len(pages) + loose


def _object_bodies(text: bytes) -> list[bytes]:
    bodies = [m.group(2) for m in _OBJECT.finditer(text)]
    return bodies or [text]


def _is_pdf(data: bytes) -> bool:
    # The header may follow a little junk (the specification tolerates it within the first 1024 bytes).
    return b"%PDF-" in data[:1024]


def check_piece(
    files: list[tuple[str | None, bytes]], *, max_bytes: int = MAX_BYTES, field: str = "files"
) -> tuple[list[CheckedFile] | None, list[Problem]]:
    """Check the files of one piece of evidence; every problem at once (naming the file and the rule)."""
    files = [(name, data) for name, data in files if name or data]
    if not files:
        return None, [Problem("apply_evidence_none", field)]
    problems: list[Problem] = []
    checked: list[CheckedFile] = []
    max_mb = max_bytes // (1024 * 1024)
    for name, data in files:
        shown = clean_filename(name)
        if not data:
            problems.append(Problem("apply_evidence_empty", field, {"file": shown}))
            continue
        if len(data) > max_bytes:
            problems.append(Problem("apply_evidence_too_large", field, {"file": shown, "max_mb": max_mb}))
            continue
        fmt = _image_format(data)
        if fmt is not None:
            content_type, extension = IMAGE_FORMATS[fmt]
            pages = 1
        elif _is_pdf(data):
            content_type, extension = PDF
            pages = pdf_page_count(data)
            if pages < 1:
                problems.append(Problem("apply_evidence_pdf_unreadable", field, {"file": shown}))
                continue
        else:
            problems.append(Problem("apply_evidence_not_allowed", field, {"file": shown}))
            continue
        digest = hashlib.sha256(data).hexdigest()
        checked.append(CheckedFile(clean_filename(name, extension), content_type, pages, len(data), digest, data))
    pdfs = [c for c in checked if c.content_type == PDF[0]]
    if pdfs and len(files) > 1:
        problems.append(Problem("apply_evidence_pdf_alone", field))
    elif len(files) > MAX_IMAGE_PAGES:
        problems.append(Problem("apply_evidence_too_many_images", field, {"count": len(files), "max": MAX_IMAGE_PAGES}))
    return (None if problems else checked), problems
