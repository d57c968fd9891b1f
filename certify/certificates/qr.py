"""The certificate's verification QR code: URL, version budget and a printable PNG (error correction Q)."""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass

import qrcode
from qrcode.constants import ERROR_CORRECT_Q

MM_PER_INCH = 25.4


@dataclass(frozen=True)
class QrPolicy:
    """How the QR code is sized and bounded; defaults from the certificate layout rules."""

    max_url_length: int = 330  #: keeps the symbol at version ≤ 13 at level Q with a short host
    max_version: int = 13
    border_modules: int = 4  #: the quiet zone the QR standard asks for
    min_size_mm: float = 30.0  #: printed width of the symbol itself, quiet zone excluded
    dpi: int = 300


_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST = re.compile(rf"(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})*(?::\d{{1,5}})?")
_TOKEN = re.compile(r"[A-Z2-7]+")


class QrError(ValueError):
    """The URL cannot be made into a compliant QR code."""


def verify_url(host: str, token: str, *, policy: QrPolicy | None = None) -> str:
    """`https://<host>/c/<token>`; raises QrError for a bad host or token, or a URL over the length budget."""
    policy = policy or QrPolicy()
    if not _HOST.fullmatch(host):
        raise QrError(f"{host!r} is not a bare host name (no scheme, path or spaces)")
    if not _TOKEN.fullmatch(token):
        raise QrError("the token must be upper-case Base32 without padding")
    url = f"https://{host.lower()}/c/{token}"
    if len(url) > policy.max_url_length:
        raise QrError(f"the URL has {len(url)} characters; at most {policy.max_url_length} fit the QR budget")
    return url


def _build(url: str, policy: QrPolicy) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_Q, border=policy.border_modules)
    # qrcode splits the data into segments, so the upper-case Base32 token is packed in alphanumeric mode.
    code.add_data(url)
    code.make(fit=True)
    return code


def qr_matrix_version(url: str, *, policy: QrPolicy | None = None) -> int:
    """The smallest QR version (1–40) that holds `url` at error correction Q."""
    return _build(url, policy or QrPolicy()).version


def modules_across(version: int) -> int:
    """Modules along one side of a symbol of this version, quiet zone excluded."""
    return 17 + 4 * version


def box_size_for_print(version: int, *, policy: QrPolicy | None = None) -> int:
    """Pixels per module so the symbol prints at least `min_size_mm` wide at `dpi`."""
    policy = policy or QrPolicy()
    pixels = policy.min_size_mm / MM_PER_INCH * policy.dpi
    return max(1, math.ceil(pixels / modules_across(version)))


def make_qr_png(url: str, *, box_size: int | None = None, policy: QrPolicy | None = None) -> bytes:
    """A PNG of the QR code (level Q, 4-module quiet zone) with DPI metadata so it prints ≥ 30 mm wide."""
    policy = policy or QrPolicy()
    code = _build(url, policy)
    if code.version > policy.max_version:
        raise QrError(f"the URL needs QR version {code.version}; at most {policy.max_version} is allowed")
    code.box_size = box_size or box_size_for_print(code.version, policy=policy)
    image = code.make_image(fill_color="black", back_color="white")
    buffer = io.BytesIO()
    image.get_image().save(buffer, format="PNG", dpi=(policy.dpi, policy.dpi))
    return buffer.getvalue()


def printed_size_mm(version: int, box_size: int, dpi: int) -> float:
    """Printed width of the symbol (quiet zone excluded) in millimetres."""
    return modules_across(version) * box_size / dpi * MM_PER_INCH
