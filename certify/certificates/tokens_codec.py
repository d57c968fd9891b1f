"""The signed claims of a certificate QR token and their compact CBOR map (integer keys, packed fields).

Wire layout of the payload map (version 1)::

    0  version            uint
    1  certificate number bstr, packed (see `pack_number`), or tstr for any other shape
    2  holder name        tstr when plain ASCII, else bstr in GB 18030 (2 bytes per Chinese character, not 3)
    3  last 4 of the ID   tstr
    4  occupation code    tstr
    5  level ordinal      uint 1–8
    6  issue date         uint, days since 1970-01-01
    7  issuer             uint (the issuing body's id in this registry; the number names its body code)
    8  status index       uint (the certificate's slot in the body's status list)

No photo, no full ID number, no birth date: the token is printed in public on the certificate.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

TOKEN_VERSION = 1
SUPPORTED_VERSIONS = frozenset({TOKEN_VERSION})
EPOCH = date(1970, 1, 1)

K_VERSION, K_NUMBER, K_NAME, K_ID4, K_OCCUPATION, K_LEVEL, K_ISSUED, K_ISSUER, K_STATUS = range(9)

_STANDARD = re.compile(r"[SY]\d{21}")
_SPECIAL = re.compile(r"[A-Z]{2}\d{20}")
_ID_TAIL = re.compile(r"[0-9A-Z]{4}")
_STANDARD_SPAN = 2 * 10**21  # S/Y × 21 digits; special-grade values start above it


@dataclass(frozen=True)
class CertificateClaims:
    """What a QR token asserts about one certificate."""

    number: str
    holder_name: str
    id_last4: str
    occupation_code: str
    level_ordinal: int
    issue_date: date
    issuer: int  #: the issuing body's registry id (an integer keeps the token short)
    status_index: int
    version: int = TOKEN_VERSION


class ClaimsError(ValueError):
    """Claims that cannot be encoded; `fields` names each faulty one."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


def pack_number(number: str) -> bytes | str:
    """A standard or special-grade number as a big-endian integer (9–10 bytes, not 22); else the text."""
    if _STANDARD.fullmatch(number):
        value = "SY".index(number[0]) * 10**21 + int(number[1:])
    elif _SPECIAL.fullmatch(number):
        letters = (ord(number[0]) - 65) * 26 + (ord(number[1]) - 65)
        value = _STANDARD_SPAN + letters * 10**20 + int(number[2:])
    else:
        return number
    return value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")


def unpack_number(packed: bytes | str) -> str:
    """The number text back from `pack_number`; raises ValueError on a value no number packs to."""
    if isinstance(packed, str):
        return packed
    if not isinstance(packed, bytes):
        raise TypeError("a packed number is bytes or text")
    value = int.from_bytes(packed, "big")
    if value < _STANDARD_SPAN:
        return "SY"[value // 10**21] + f"{value % 10**21:021d}"
    letters, digits = divmod(value - _STANDARD_SPAN, 10**20)
    if letters >= 26 * 26:
        raise ValueError("packed number out of range")
    return chr(65 + letters // 26) + chr(65 + letters % 26) + f"{digits:020d}"


def _pack_name(name: str) -> bytes | str:
    return name if name.isascii() else name.encode("gb18030")


def check_claims(claims: CertificateClaims) -> dict[str, str]:
    """Every field of the claims that cannot go into a token, with why (empty when all is well)."""
    bad: dict[str, str] = {}
    if not claims.number:
        bad["number"] = "empty"
    if not claims.holder_name.strip():
        bad["holder_name"] = "empty"
    if not _ID_TAIL.fullmatch(claims.id_last4):
        bad["id_last4"] = "must be exactly 4 characters 0-9/A-Z"
    if not claims.occupation_code:
        bad["occupation_code"] = "empty"
    if not 1 <= claims.level_ordinal <= 8:
        bad["level_ordinal"] = "must be 1–8"
    if claims.issue_date < EPOCH:
        bad["issue_date"] = "before 1970"
    if claims.issuer < 0:
        bad["issuer"] = "must be ≥ 0"
    if claims.status_index < 0:
        bad["status_index"] = "must be ≥ 0"
    if claims.version not in SUPPORTED_VERSIONS:
        bad["version"] = f"unsupported version {claims.version}"
    return bad


def encode_claims(claims: CertificateClaims) -> dict[int, Any]:
    """The integer-keyed CBOR map for the claims; raises ClaimsError listing every faulty field."""
    bad = check_claims(claims)
    if bad:
        raise ClaimsError(bad)
    return {
        K_VERSION: claims.version,
        K_NUMBER: pack_number(claims.number),
        K_NAME: _pack_name(claims.holder_name),
        K_ID4: claims.id_last4,
        K_OCCUPATION: claims.occupation_code,
        K_LEVEL: claims.level_ordinal,
        K_ISSUED: (claims.issue_date - EPOCH).days,
        K_ISSUER: claims.issuer,
        K_STATUS: claims.status_index,
    }


def _is_uint(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def decode_claims(payload: object) -> tuple[CertificateClaims | None, dict[str, str]]:
    """Claims from a decoded version-1 payload map, or None and every faulty field with a detail code."""
    if not isinstance(payload, Mapping):
        return None, {"payload": "not_map"}
    bad: dict[str, str] = {}
    values: dict[str, Any] = {}
    try:
        values["number"] = unpack_number(payload.get(K_NUMBER))  # type: ignore[arg-type]
    except (ValueError, TypeError, IndexError):
        bad["number"] = "not_number"
    name = payload.get(K_NAME)
    if isinstance(name, bytes):
        try:
            name = name.decode("gb18030")
        except UnicodeDecodeError:
            bad["holder_name"] = "not_gb18030"
    if isinstance(name, str) and name:
        values["holder_name"] = name
    else:
        bad.setdefault("holder_name", "not_text")
    for key, field_name in ((K_ID4, "id_last4"), (K_OCCUPATION, "occupation_code")):
        text = payload.get(key)
        if isinstance(text, str):
            values[field_name] = text
        else:
            bad[field_name] = "not_text"
    level = payload.get(K_LEVEL)
    if _is_uint(level) and 1 <= level <= 8:  # type: ignore[operator]
        values["level_ordinal"] = level
    else:
        bad["level_ordinal"] = "not_level"
    days = payload.get(K_ISSUED)
    if _is_uint(days) and days < 2_932_897:  # type: ignore[operator]  # date.max - EPOCH
        values["issue_date"] = EPOCH + timedelta(days=days)  # type: ignore[arg-type]
    else:
        bad["issue_date"] = "not_day_count"
    for key, field_name in ((K_ISSUER, "issuer"), (K_STATUS, "status_index")):
        number = payload.get(key)
        if _is_uint(number):
            values[field_name] = number
        else:
            bad[field_name] = "not_uint"
    if bad:
        return None, bad
    return CertificateClaims(version=payload[K_VERSION], **values), {}
