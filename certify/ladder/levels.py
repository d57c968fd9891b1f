"""The eight-level ladder (新八级工) as reference data: ordinals, keys, grade digits, bilingual names."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class HowObtained(enum.StrEnum):
    """How a level is obtained: certified by assessment or appointed (评聘) by an employer-type body."""

    CERTIFICATION = "certification"
    APPOINTMENT = "appointment"


_CHINESE_DIGITS = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五"}


@dataclass(frozen=True)
class Level:
    """One rung of the ladder; `ordinal` 1–8 is how the product names it everywhere."""

    ordinal: int
    key: str
    name_zh: str
    name_en: str
    grade_digit: int | None  #: national grade 5…1, only where the national rules print it
    obtained_by: HowObtained
    needs_review: bool = False  #: comprehensive review (综合评审) is part of the assessment

    @property
    def grade_zh(self) -> str | None:
        """The national grade as printed, e.g. "二级"."""
        return f"{_CHINESE_DIGITS[self.grade_digit]}级" if self.grade_digit else None

    @property
    def national_label_zh(self) -> str:
        """ "二级/技师" where a grade digit exists, else the plain name."""
        return f"{self.grade_zh}/{self.name_zh}" if self.grade_digit else self.name_zh

    @property
    def national_label_en(self) -> str:
        """ "Grade 2 / Technician" where a grade digit exists, else the plain name."""
        return f"Grade {self.grade_digit} / {self.name_en}" if self.grade_digit else self.name_en

    def label(self, locale: str) -> str:
        """The national label in a locale ("zh…" → Chinese, anything else → English)."""
        return self.national_label_zh if str(locale).startswith("zh") else self.national_label_en


LADDER: tuple[Level, ...] = (
    Level(1, "apprentice", "学徒工", "Apprentice", None, HowObtained.APPOINTMENT),
    Level(2, "junior_worker", "初级工", "Junior worker", 5, HowObtained.CERTIFICATION),
    Level(3, "intermediate_worker", "中级工", "Intermediate worker", 4, HowObtained.CERTIFICATION),
    Level(4, "senior_worker", "高级工", "Senior worker", 3, HowObtained.CERTIFICATION),
    Level(5, "technician", "技师", "Technician", 2, HowObtained.CERTIFICATION, needs_review=True),
    Level(6, "senior_technician", "高级技师", "Senior technician", 1, HowObtained.CERTIFICATION, needs_review=True),
    Level(7, "special_grade_technician", "特级技师", "Special-grade technician", None, HowObtained.APPOINTMENT),
    Level(8, "chief_technician", "首席技师", "Chief technician", None, HowObtained.APPOINTMENT),
)

BY_ORDINAL: dict[int, Level] = {level.ordinal: level for level in LADDER}
BY_KEY: dict[str, Level] = {level.key: level for level in LADDER}
BY_GRADE_DIGIT: dict[int, Level] = {level.grade_digit: level for level in LADDER if level.grade_digit}


class UnknownLevel(ValueError):
    """Raised when a text names no level of the ladder."""


def parse_level(text: str | int) -> Level:
    """A level from its ordinal 1–8 (as int or text) or its English key; anything else raises UnknownLevel."""
    if isinstance(text, int) and not isinstance(text, bool):
        if text in BY_ORDINAL:
            return BY_ORDINAL[text]
        raise UnknownLevel(f"no level with ordinal {text} (use 1–8)")
    cleaned = str(text).strip().lower()
    if cleaned.isdigit() and int(cleaned) in BY_ORDINAL:
        return BY_ORDINAL[int(cleaned)]
    if cleaned in BY_KEY:
        return BY_KEY[cleaned]
    raise UnknownLevel(f"unknown level {text!r}: use an ordinal 1–8 or one of {', '.join(BY_KEY)}")


def level_from_grade_digit(digit: int) -> Level:
    """The level printed as national grade `digit` (5…1), e.g. in a certificate number."""
    try:
        return BY_GRADE_DIGIT[digit]
    except KeyError:
        raise UnknownLevel(f"no level has national grade digit {digit} (digits run 5…1)") from None
