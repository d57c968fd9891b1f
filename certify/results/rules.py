"""The pass rule (every required part ≥ pass mark on its own, never averaged) and masking for public lists."""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from certify.ladder.levels import BY_ORDINAL, HowObtained


class Part(enum.StrEnum):
    """An assessment part scored out of 100."""

    THEORY = "theory"  #: 理论知识考试
    SKILL = "skill"  #: 技能考核
    REVIEW = "review"  #: 综合评审 (技师 and 高级技师 only)


@dataclass(frozen=True)
class PassPolicy:
    """The pass rule's numbers (DOMAIN.md defaults)."""

    pass_mark: Decimal = Decimal(60)
    max_score: Decimal = Decimal(100)


_PART_ZH = {"theory": "理论知识考试", "skill": "技能考核", "review": "综合评审"}
_PART_EN = {"theory": "Theory exam", "skill": "Skill assessment", "review": "Comprehensive review"}

_TEMPLATES: dict[str, tuple[str, str]] = {
    "level_not_assessed": (
        "Level {level} is appointed by an employer, not certified by assessment.",
        "{level_zh}由用人单位评聘，不通过考核认定。",
    ),
    "part_missing": ("{part_en} has no score yet.", "{part_zh}尚无成绩。"),
    "part_below_pass_mark": (
        "{part_en} scored {score}, below the pass mark of {pass_mark}.",
        "{part_zh}成绩{score}分，低于合格线{pass_mark}分。",
    ),
    "score_out_of_range": (
        "{part_en} score “{score}” is not a number from 0 to {max_score}.",
        "{part_zh}成绩“{score}”不是0–{max_score}之间的有效分数。",
    ),
    "part_not_required": (
        "{part_en} is not assessed at this level; its score is ignored.",
        "该等级不考核{part_zh}，此项成绩不计入结果。",
    ),
}


@dataclass(frozen=True)
class ResultReason:
    """One reason behind a result decision."""

    code: str
    where: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, locale: str = "en") -> str:
        """The reason rendered in English ("en") or Simplified Chinese ("zh…")."""
        en, zh = _TEMPLATES[self.code]
        return (zh if str(locale).startswith("zh") else en).format(**self.params)


@dataclass(frozen=True)
class ResultDecision:
    """Whether a candidate passed, and every part that is missing or failing."""

    passed: bool
    required_parts: tuple[str, ...]
    missing_parts: tuple[str, ...] = ()
    failing_parts: tuple[str, ...] = ()
    reasons: tuple[ResultReason, ...] = ()
    by_recognition: bool = False  #: passed by direct recognition (竞赛直接认定), without scores

    @property
    def complete(self) -> bool:
        """Every required part has a usable score (the decision will not change by waiting)."""
        return not self.missing_parts


def required_parts(level_ordinal: int) -> tuple[str, ...]:
    """The parts a level is assessed on: theory and skill, plus comprehensive review for 技师 and 高级技师."""
    level = BY_ORDINAL[level_ordinal]
    if level.obtained_by is not HowObtained.CERTIFICATION:
        return ()
    parts = (Part.THEORY, Part.SKILL, Part.REVIEW) if level.needs_review else (Part.THEORY, Part.SKILL)
    return tuple(p.value for p in parts)


def _as_decimal(value: object) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def decide_result(
    level_ordinal: int,
    parts: Mapping[str, Decimal | int | float | None],
    pass_mark: Decimal | int | None = None,
    *,
    direct_recognition: bool = False,
    policy: PassPolicy | None = None,
) -> ResultDecision:
    """PASS when every required part scores ≥ the pass mark on its own; parts are never averaged."""
    policy = policy or PassPolicy()
    mark = Decimal(pass_mark) if pass_mark is not None else policy.pass_mark
    level = BY_ORDINAL[level_ordinal]
    needed = required_parts(level_ordinal)
    if direct_recognition:
        return ResultDecision(True, needed, by_recognition=True)
    if not needed:
        reason = ResultReason(
            "level_not_assessed",
            "level",
            {"level": level.name_en, "level_zh": level.name_zh, "ordinal": level_ordinal},
        )
        return ResultDecision(False, needed, reasons=(reason,))
    missing: list[str] = []
    failing: list[str] = []
    reasons: list[ResultReason] = []
    for part in needed:
        names = {"part": part, "part_zh": _PART_ZH[part], "part_en": _PART_EN[part]}
        raw = parts.get(part)
        score = None if raw is None else _as_decimal(raw)
        if raw is None:
            missing.append(part)
            reasons.append(ResultReason("part_missing", f"parts.{part}", names))
        elif score is None or not 0 <= score <= policy.max_score:
            # A corrupt score cannot count as a pass; it must be corrected, so it is reported as missing.
            missing.append(part)
            params = {**names, "score": str(raw), "max_score": str(policy.max_score)}
            reasons.append(ResultReason("score_out_of_range", f"parts.{part}", params))
        elif score < mark:
            failing.append(part)
            params = {**names, "score": str(score), "pass_mark": str(mark)}
            reasons.append(ResultReason("part_below_pass_mark", f"parts.{part}", params))
    for extra in sorted(set(parts) - set(needed)):
        reasons.append(
            ResultReason(
                "part_not_required",
                f"parts.{extra}",
                {"part": extra, "part_zh": _PART_ZH.get(extra, extra), "part_en": _PART_EN.get(extra, extra)},
            )
        )
    passed = not missing and not failing
    return ResultDecision(passed, needed, tuple(missing), tuple(failing), tuple(reasons))


def _is_cjk(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def mask_name(name: str) -> str:
    """A name for public lists: "张三丰" → "张*丰", "张三" → "张*", "John Smith" → "J*** Smith"."""
    text = " ".join(name.split())
    if not text:
        return ""
    if any(_is_cjk(ch) for ch in text):
        compact = text.replace(" ", "")
        if len(compact) <= 2:
            return compact[0] + "*" * (len(compact) - 1)
        return compact[0] + "*" * (len(compact) - 2) + compact[-1]
    words = text.split(" ")
    if len(words) == 1:
        return text[0] + "*" * (len(text) - 1)
    # Like the Chinese mask, the family name stays readable: here it comes last, the others keep an initial.
    return " ".join([*(w[0] + "*" * (len(w) - 1) for w in words[:-1]), words[-1]])


def mask_id(number: str, visible: int = 4) -> str:
    """An ID number showing only its last `visible` characters: "**************1234"."""
    text = "".join(str(number).split())
    if len(text) <= visible:
        return "*" * len(text)
    return "*" * (len(text) - visible) + text[-visible:]
