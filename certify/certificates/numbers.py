"""Certificate numbers: compose, parse and validate the 22-character, special-grade and legacy formats.

Three formats are recognised (DOMAIN.md, "Results, publicity, certificates", and the MOHRSS coding rules):

* Standard (职业技能等级证书, 22 characters), positions 1-based::

      1      body type: S (third-party body, 社会培训评价组织) or Y (employer, 用人单位)
      2–5    body code (0001–9999 if filed with the ministry; 0000 if filed with a province)
      6–7    province-level code of the body/site (GB/T 2260 first two digits)
      8–13   site serial, assigned by the provincial HRSS department
      14–15  issue year, last two digits
      16     level digit 5…1 (五级/初级工 … 一级/高级技师)
      17–22  serial 000001–999999, gapless per body, site, year and level

* Special grade (特级技师, 22 characters): 2 upper-case letters + 20 digits. The published rule names the same
  seven parts (body category, body code, province, site serial, year, level code, serial) but the letter pairs
  are assigned by the ministry. ASSUMPTION: the two letters are the body-category code (any A–Z pair is
  accepted), the digits are laid out as the standard number with a 1-digit level code (any digit) and a
  5-digit serial (00001–99999): 4 + 2 + 6 + 2 + 1 + 5 = 20.

* Legacy (职业资格证书, 16 digits, issued before the 2019 reform)::

      1–2    issue year, last two digits
      3–4    province or ministry/industry code from the old MOLSS code table (not GB/T 2260, so not checked)
      5–6    city code
      7      body kind 0–4 (0 guidance centre, 1 national station, 2 local station, 3 industry station,
             4 workers' assessment committee / in-enterprise)
      8–10   body serial
      11     grade 1–5 (五级 … 一级)
      12–16  serial 00001–99999, per body, year and grade

Parsing normalises surrounding blanks, inner blanks/hyphens and letter case, then checks every segment and
reports every faulty segment at once.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date

from certify.certificates.numbers_codes import BODY_TYPES, PROVINCES, SEGMENTS, NumberProblem
from certify.ladder.levels import BY_GRADE_DIGIT, BY_ORDINAL

STANDARD_LENGTH = 22
LEGACY_LENGTH = 16
MAX_SERIAL = 999_999
MAX_SPECIAL_SERIAL = 99_999


class NumberFormat(enum.StrEnum):
    """Which certificate-number scheme a text follows."""

    STANDARD = "standard"
    SPECIAL_GRADE = "special_grade"
    LEGACY = "legacy"


@dataclass(frozen=True)
class NumberPolicy:
    """Configurable checks on numbers; defaults follow the 2019 reform."""

    first_year: int = 2019  #: the 22-character scheme started with the 2019 reform


@dataclass(frozen=True)
class CertificateNumber:
    """A parsed standard (22-character) or special-grade number."""

    text: str
    format: NumberFormat
    body_type: str  #: "S"/"Y", or the two category letters of a special-grade number
    body_code: str
    province_code: str
    site_serial: str
    year: int  #: four-digit issue year
    level_digit: int  #: 5…1 for standard numbers; the raw level code for special-grade numbers
    serial: int

    @property
    def scope(self) -> tuple[str, str, str, str, int, int]:
        """The key within which serials are gapless: body, province, site, year, level."""
        return (
            self.body_type,
            self.body_code,
            self.province_code,
            self.site_serial,
            self.year,
            self.level_digit,
        )

    @property
    def level_ordinal(self) -> int | None:
        """The ladder ordinal named by the level digit (standard numbers only)."""
        if self.format is not NumberFormat.STANDARD:
            return None
        level = BY_GRADE_DIGIT.get(self.level_digit)
        return level.ordinal if level else None


@dataclass(frozen=True)
class LegacyNumber:
    """A parsed legacy 16-digit 职业资格证书 number."""

    text: str
    year: int  #: four-digit issue year (19xx for 94–99, else 20xx)
    region_code: str
    city_code: str
    body_kind: int
    body_serial: str
    grade_digit: int
    serial: int
    format: NumberFormat = NumberFormat.LEGACY


class NumberCompositionError(ValueError):
    """compose_number was given parts that do not make a valid number; carries every problem."""

    def __init__(self, problems: list[NumberProblem]) -> None:
        super().__init__("; ".join(p.message("en") for p in problems))
        self.problems = problems


class SerialExhausted(ValueError):
    """The serial range of one scope is used up."""


def normalise_number(text: str) -> str:
    """Upper-case, with blanks and hyphens removed (how staff often type numbers)."""
    return re.sub(r"[\s\-]", "", str(text)).upper()


def _segment(
    problems: list[NumberProblem], text: str, key: str, start: int, width: int, *, offset: int = 0
) -> str | None:
    """Digits at 1-based `start`; records a problem naming the segment when they are not all digits."""
    value = text[start - 1 : start - 1 + width]
    if len(value) == width and value.isascii() and value.isdigit():
        return value
    zh, en = SEGMENTS[key]
    params = {"start": start, "end": start + width - 1, "width": width, "value": value}
    problems.append(NumberProblem("segment_not_digits", key, {**params, "segment_zh": zh, "segment_en": en}))
    return None


def _check_year(problems: list[NumberProblem], yy: str, policy: NumberPolicy, today: date | None) -> None:
    year = 2000 + int(yy)
    if year < policy.first_year:
        problems.append(NumberProblem("year_before_scheme", "year", {"value": yy, "first_year": policy.first_year}))
    if today is not None and year > today.year:
        problems.append(NumberProblem("year_in_future", "year", {"value": yy, "current_year": today.year}))


def _check_province(problems: list[NumberProblem], code: str | None, start: int) -> None:
    if code is not None and code not in PROVINCES:
        params = {"start": start, "end": start + 1, "value": code}
        problems.append(NumberProblem("province_code_unknown", "province_code", params))


def _parse_modern(
    text: str, special: bool, policy: NumberPolicy, today: date | None
) -> tuple[CertificateNumber | None, list[NumberProblem]]:
    problems: list[NumberProblem] = []
    if special:
        letters = text[:2]
        if not (len(letters) == 2 and letters.isascii() and letters.isalpha()):
            problems.append(NumberProblem("category_letters_invalid", "category_letters", {"value": letters}))
        shift = 1
    else:
        letters = text[:1]
        if letters not in BODY_TYPES:
            problems.append(NumberProblem("body_type_invalid", "body_type", {"value": letters}))
        shift = 0
    body_code = _segment(problems, text, "body_code", 2 + shift, 4)
    province = _segment(problems, text, "province_code", 6 + shift, 2)
    _check_province(problems, province, 6 + shift)
    site = _segment(problems, text, "site_serial", 8 + shift, 6)
    yy = _segment(problems, text, "year", 14 + shift, 2)
    if yy is not None:
        _check_year(problems, yy, policy, today)
    level = _segment(problems, text, "level_digit", 16 + shift, 1)
    if level is not None and not special and not 1 <= int(level) <= 5:
        problems.append(NumberProblem("level_digit_invalid", "level_digit", {"start": 16, "value": level}))
    serial_width = 5 if special else 6
    serial = _segment(problems, text, "serial", 17 + shift, serial_width)
    if serial is not None and int(serial) == 0:
        params = {"start": 17 + shift, "end": 16 + shift + serial_width, "value": serial}
        problems.append(NumberProblem("serial_zero", "serial", params))
    if problems:
        return None, problems
    assert body_code and province and site and yy and level and serial  # all checked above
    number = CertificateNumber(
        text=text,
        format=NumberFormat.SPECIAL_GRADE if special else NumberFormat.STANDARD,
        body_type=letters,
        body_code=body_code,
        province_code=province,
        site_serial=site,
        year=2000 + int(yy),
        level_digit=int(level),
        serial=int(serial),
    )
    return number, []


def _parse_legacy(text: str) -> tuple[LegacyNumber | None, list[NumberProblem]]:
    problems: list[NumberProblem] = []
    yy = _segment(problems, text, "year", 1, 2)
    region = _segment(problems, text, "legacy_region", 3, 2)
    city = _segment(problems, text, "legacy_city", 5, 2)
    kind = _segment(problems, text, "legacy_body_kind", 7, 1)
    if kind is not None and int(kind) > 4:
        problems.append(NumberProblem("legacy_body_kind_invalid", "legacy_body_kind", {"value": kind}))
    body_serial = _segment(problems, text, "legacy_body_serial", 8, 3)
    grade = _segment(problems, text, "level_digit", 11, 1)
    if grade is not None and not 1 <= int(grade) <= 5:
        problems.append(NumberProblem("level_digit_invalid", "level_digit", {"start": 11, "value": grade}))
    serial = _segment(problems, text, "serial", 12, 5)
    if serial is not None and int(serial) == 0:
        problems.append(NumberProblem("serial_zero", "serial", {"start": 12, "end": 16, "value": serial}))
    if problems:
        return None, problems
    assert yy and region and city and kind and body_serial and grade and serial
    # Legacy certificates date from the 1990s on; 94–99 are read as 19xx.
    year = (1900 if int(yy) >= 94 else 2000) + int(yy)
    legacy = LegacyNumber(text, year, region, city, int(kind), body_serial, int(grade), int(serial))
    return legacy, []


def parse_number(
    text: str, *, today: date | None = None, policy: NumberPolicy | None = None
) -> tuple[CertificateNumber | LegacyNumber | None, list[NumberProblem]]:
    """Parse any certificate number; on failure return None and every problem, each naming its segment."""
    policy = policy or NumberPolicy()
    cleaned = normalise_number(text)
    if not cleaned:
        return None, [NumberProblem("number_empty", "number")]
    if len(cleaned) == LEGACY_LENGTH and cleaned.isascii() and cleaned.isdigit():
        return _parse_legacy(cleaned)
    if len(cleaned) != STANDARD_LENGTH:
        expected = f"{STANDARD_LENGTH}" if not cleaned.isdigit() else f"{STANDARD_LENGTH}/{LEGACY_LENGTH}"
        return None, [NumberProblem("number_wrong_length", "number", {"length": len(cleaned), "expected": expected})]
    # Two leading non-digits mean the special-grade layout (even when one of them is not a letter).
    special = not cleaned[0].isdigit() and not cleaned[1].isdigit()
    return _parse_modern(cleaned, special, policy, today)


def validate_number(text: str, *, today: date | None = None, policy: NumberPolicy | None = None) -> list[NumberProblem]:
    """Every problem with a certificate number; empty when it is well-formed."""
    return parse_number(text, today=today, policy=policy)[1]


def _field(problems: list[NumberProblem], key: str, value: str | int, width: int, start: int) -> str:
    text = f"{value:0{width}d}" if isinstance(value, int) and not isinstance(value, bool) else str(value)
    if len(text) != width or not (text.isascii() and text.isdigit()):
        zh, en = SEGMENTS[key]
        params = {"start": start, "end": start + width - 1, "width": width, "value": text}
        problems.append(NumberProblem("segment_not_digits", key, {**params, "segment_zh": zh, "segment_en": en}))
    return text


def compose_number(
    body_type: str,
    body_code: str | int,
    province_code: str | int,
    site_serial: str | int,
    year: int,
    level_ordinal: int,
    serial: int,
    *,
    policy: NumberPolicy | None = None,
) -> str:
    """The 22-character number for these parts; raises NumberCompositionError listing every bad part."""
    policy = policy or NumberPolicy()
    problems: list[NumberProblem] = []
    if body_type not in BODY_TYPES:
        problems.append(NumberProblem("body_type_invalid", "body_type", {"value": body_type}))
    body = _field(problems, "body_code", body_code, 4, 2)
    province = _field(problems, "province_code", province_code, 2, 6)
    if not any(p.where == "province_code" for p in problems):
        _check_province(problems, province, 6)
    site = _field(problems, "site_serial", site_serial, 6, 8)
    yy = _field(problems, "year", year % 100 if year >= 100 else year, 2, 14)
    if not any(p.where == "year" for p in problems):
        _check_year(problems, yy, policy, None)
    level = BY_ORDINAL.get(level_ordinal)
    digit = level.grade_digit if level else None
    if digit is None:
        problems.append(NumberProblem("level_digit_invalid", "level_digit", {"start": 16, "value": level_ordinal}))
    if not 1 <= serial <= MAX_SERIAL:
        params = {"start": 17, "end": 22, "value": serial, "maximum": MAX_SERIAL}
        problems.append(NumberProblem("serial_out_of_range", "serial", params))
    if problems:
        raise NumberCompositionError(problems)
    return f"{body_type}{body}{province}{site}{yy}{digit}{serial:06d}"


def next_serial(last_serial: int | None, *, maximum: int = MAX_SERIAL) -> int:
    """The serial after `last_serial` (1 for the first) in one scope; raises SerialExhausted past `maximum`.

    The caller reads `last_serial` as MAX(serial) for the scope (body, site, year, level) inside the same
    transaction that inserts the certificate, under a unique constraint on (scope…, serial). A concurrent
    insert of the same serial fails on the constraint and the caller retries with a fresh MAX; because the
    serial is only taken when the certificate row commits, a rolled-back issue leaves no gap.
    """
    following = 1 if last_serial is None else last_serial + 1
    if following < 1 or following > maximum:
        raise SerialExhausted(f"serial {following} is outside 1…{maximum}")
    return following


def serial_gaps(serials: list[int] | set[int]) -> list[int]:
    """Serials missing between 1 and the highest one used (an audit check that a scope is gapless)."""
    used = set(serials)
    return [s for s in range(1, max(used, default=0) + 1) if s not in used]
