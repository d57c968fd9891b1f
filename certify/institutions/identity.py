"""Identity document checks (pure): the resident ID number (GB 11643, ISO 7064 MOD 11-2) and other ID types."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from certify.institutions.models import IdType

#: province-level administrative division codes (first two digits of a resident ID)
PROVINCE_CODES = frozenset(
    {
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
        "83",
    }
)
_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_CHECK_CHARS = "10X98765432"
MAX_AGE_YEARS = 120

_PATTERNS = {
    # Chinese passports: E/G + 8 characters; foreign passports vary, so 5–20 letters and digits.
    IdType.PASSPORT: re.compile(r"[A-Z0-9]{5,20}"),
    # 港澳居民来往内地通行证: H (Hong Kong) or M (Macao) + 8 digits (+ 2-digit issue count on older cards).
    IdType.HK_MACAO_PERMIT: re.compile(r"[HM]\d{8}(\d{2})?"),
    # 台湾居民来往大陆通行证: 8 digits (10 on older cards).
    IdType.TAIWAN_PERMIT: re.compile(r"\d{8}(\d{2})?"),
    # 外国人永久居留身份证: 3 letters + 12 digits (2017 card); the 2023 card has 18 characters like a resident ID.
    IdType.FOREIGN_PERMANENT_RESIDENT: re.compile(r"[A-Z]{3}\d{12}|9\d{16}[\dX]"),
}


@dataclass(frozen=True)
class IdProblem:
    """One failed check: a stable code and the numbers that explain it."""

    code: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class IdCheck:
    """The normalised number, the birth date it encodes (resident IDs) and every failed check."""

    number: str
    birth_date: date | None
    problems: tuple[IdProblem, ...]

    @property
    def valid(self) -> bool:
        return not self.problems


def normalise(number: str) -> str:
    """Upper-case, without spaces, and with full-width characters folded to ASCII."""
    folded = "".join(chr(ord(ch) - 0xFEE0) if "\uff01" <= ch <= "\uff5e" else ch for ch in number or "")
    return re.sub(r"\s+", "", folded).upper()


def mod11_2_check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def check_resident_id(number: str, today: date) -> IdCheck:
    """Every check of an 18-character resident ID: length, digits, region, birth date, check digit."""
    number = normalise(number)
    problems: list[IdProblem] = []
    if len(number) != 18:
        return IdCheck(number, None, (IdProblem("id_wrong_length", {"expected": 18, "actual": len(number)}),))
    body, last = number[:17], number[17]
    if not body.isdigit():
        problems.append(IdProblem("id_not_digits", {"positions": "1–17"}))
    if not (last.isdigit() or last == "X"):
        problems.append(IdProblem("id_bad_last_char", {"char": last}))
    if problems:
        return IdCheck(number, None, tuple(problems))
    if number[:2] not in PROVINCE_CODES:
        problems.append(IdProblem("id_bad_region", {"region": number[:2]}))
    birth = None
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        problems.append(IdProblem("id_bad_birth_date", {"digits": number[6:14]}))
    if birth is not None:
        oldest = date(today.year - MAX_AGE_YEARS, 1, 1)
        if birth > today or birth < oldest:
            problems.append(IdProblem("id_implausible_birth_date", {"birth_date": birth.isoformat()}))
    expected = mod11_2_check_char(body)
    if expected != last:
        problems.append(IdProblem("id_bad_check_digit", {"expected": expected, "actual": last}))
    return IdCheck(number, birth if not problems else None, tuple(problems))


def check_id(id_type: IdType | str, number: str, today: date) -> IdCheck:
    """Validate a document number of any supported type."""
    id_type = IdType(id_type)
    if id_type is IdType.RESIDENT_ID:
        return check_resident_id(number, today)
    number = normalise(number)
    if not number:
        return IdCheck(number, None, (IdProblem("id_missing"),))
    if not _PATTERNS[id_type].fullmatch(number):
        return IdCheck(number, None, (IdProblem("id_bad_format", {"id_type": id_type.value}),))
    if id_type is IdType.FOREIGN_PERMANENT_RESIDENT and len(number) == 18:
        expected = mod11_2_check_char(number[:17])
        if expected != number[17]:
            return IdCheck(
                number, None, (IdProblem("id_bad_check_digit", {"expected": expected, "actual": number[17]}),)
            )
    return IdCheck(number, None, ())


def mask_id(number: str) -> str:
    """Only the last 4 characters visible, as the public may see it."""
    return "*" * max(len(number) - 4, 0) + number[-4:]
