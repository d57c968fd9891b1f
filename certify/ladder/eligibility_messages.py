"""Bilingual rendering shared by the ladder rules: the `Reason` base; durations, levels, vocabulary as text.

Every reason object of the ladder (profile problems, rule-set problems, check results, fast-track and
appointment reasons) carries a stable `code`, a JSON-serialisable `params` dict and renders itself through a
template table of its own module. Params are stored raw (ordinals, ISO dates, duration dicts) and are turned
into words only when rendered, so the same params serve the JSON output and both languages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from certify.ladder.levels import BY_ORDINAL

#: locale → index in a (en, zh_CN) template pair.
EN, ZH = 0, 1

#: Closed vocabularies rendered in words: param name → value → (en, zh_CN).
VOCABULARY: dict[str, dict[str, tuple[str, str]]] = {
    "school_type": {
        "junior_secondary": ("junior secondary school", "初中"),
        "senior_secondary": ("senior secondary school", "普通高中"),
        "secondary_vocational": ("secondary vocational school", "中等职业学校"),
        "technical_school": ("technical school", "技工学校"),
        "senior_technical_school": ("senior technical school", "高级技工学校"),
        "technician_college": ("technician college", "技师学院"),
        "vocational_college": ("vocational college (associate degree)", "大专（高职）"),
        "bachelor": ("bachelor's degree programme", "本科"),
        "master": ("master's programme", "硕士研究生"),
        "doctorate": ("doctoral programme", "博士研究生"),
    },
    "relevance": {
        "same": ("the same major", "本专业"),
        "related": ("a related major", "相关专业"),
        "unrelated": ("an unrelated major", "非相关专业"),
    },
    "grade": {
        "junior": ("junior professional title", "初级职称"),
        "intermediate": ("intermediate professional title", "中级职称"),
        "senior": ("senior professional title", "高级职称"),
    },
    "participant_type": {
        "employee": ("employee", "职工"),
        "student": ("student", "学生"),
    },
    "competition_class": {
        "national": ("national competition", "国家级竞赛"),
        "national_industry": ("national industry competition", "全国行业竞赛"),
        "provincial_class_1": ("provincial class I competition", "省级一类竞赛"),
        "provincial_class_2": ("provincial class II competition", "省级二类竞赛"),
        "municipal": ("municipal competition", "市级竞赛"),
    },
    "award_class": {
        "municipal": ("municipal-level award", "市级"),
        "provincial": ("provincial or ministerial award", "省部级"),
        "national": ("national award", "国家级"),
    },
    "tier": {
        "void_subject": ("that subject voided", "该科目成绩无效"),
        "treated_as_cheating": ("treated as cheating", "按作弊处理"),
        "void_sitting_year_bar": (
            "sitting voided and barred for the rest of the year",
            "当次考试成绩无效并当年不得报考",
        ),
        "multi_year_ban": ("barred for several years", "多年内不得报考"),
    },
    "body_type": {
        "S": ("third-party body (S)", "社会培训评价组织（S类）"),
        "Y": ("employer-type body (Y)", "用人单位（Y类）"),
    },
}


# Params named differently that draw on the same words.
VOCABULARY["min_class"] = VOCABULARY["competition_class"]


#: Problems shared by every JSON reader of the ladder (profile, rule sets, relaxations, tables).
JSON_TEMPLATES: dict[str, tuple[str, str]] = {
    "not_an_object": ("{path}: must be an object.", "{path}：应为对象。"),
    "not_a_list": ("{path}: must be a list.", "{path}：应为列表。"),
    "unknown_field": ("{path}: unknown field.", "{path}：无法识别的字段。"),
    "required": ("{path}: is required.", "{path}：为必填项。"),
    "not_a_string": ("{path}: must be non-empty text.", "{path}：应为非空文本。"),
    "not_a_bool": ("{path}: must be true or false.", "{path}：应为true或false。"),
    "not_an_integer": ("{path}: must be a whole number.", "{path}：应为整数。"),
    "not_a_count": ("{path}: “{value}” must be a whole number ≥ 0.", "{path}：“{value}”应为不小于0的整数。"),
    "not_in_choices": (
        "{path}: “{value}” is not one of {choices}.",
        "{path}：“{value}”不在可选值{choices}之内。",
    ),
}


def locale_index(locale: str) -> int:
    """0 for English, 1 for any Chinese locale ("zh", "zh_CN", "zh-Hans")."""
    return ZH if str(locale).lower().startswith("zh") else EN


def format_duration(value: dict[str, int], locale: str, *, with_days: bool = True) -> str:
    """A {years, months, days} dict in words: "2 years 7 months" / "2年7个月"; zero is "0 months"/"0个月"."""
    years, months, days = value.get("years", 0), value.get("months", 0), value.get("days", 0)
    zh = locale_index(locale) == ZH
    parts: list[str] = []
    if years:
        parts.append(f"{years}年" if zh else f"{years} year{'s' if years != 1 else ''}")
    if months:
        parts.append(f"{months}个月" if zh else f"{months} month{'s' if months != 1 else ''}")
    if days and with_days:
        parts.append(f"{days}天" if zh else f"{days} day{'s' if days != 1 else ''}")
    if not parts:
        return "0个月" if zh else "0 months"
    return "".join(parts) if zh else " ".join(parts)


def _is_duration(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"years", "months", "days"}


def _word(name: str, value: Any, idx: int) -> Any:
    """One param in words for display; names ending in level/levels are ladder ordinals."""
    vocab = VOCABULARY.get(name.removesuffix("s")) or VOCABULARY.get(name)
    if isinstance(value, list):
        # Lists in reasons are alternatives: "a, b or c" / "a、b或c".
        words = [str(_word(name, item, idx)) for item in value]
        if len(words) < 2:
            return "".join(words)
        head = ("、" if idx == ZH else ", ").join(words[:-1])
        return f"{head}或{words[-1]}" if idx == ZH else f"{head} or {words[-1]}"
    if _is_duration(value):
        return format_duration(value, "zh_CN" if idx == ZH else "en")
    if vocab and isinstance(value, str) and value in vocab:
        return vocab[value][idx]
    if name.endswith(("level", "levels")) and isinstance(value, int) and value in BY_ORDINAL:
        level = BY_ORDINAL[value]
        return level.national_label_zh if idx == ZH else level.national_label_en
    if isinstance(value, dict) and {"en", "zh_CN"} <= set(value):
        return value["zh_CN" if idx == ZH else "en"]
    return value


def render(templates: dict[str, tuple[str, str]], code: str, params: dict[str, Any], locale: str) -> str:
    """Render `code` from an (en, zh_CN) template table with params turned into words for the locale."""
    idx = locale_index(locale)
    words = {name: _word(name, value, idx) for name, value in params.items()}
    return templates[code][idx].format(**words)


@dataclass(frozen=True)
class Reason:
    """A coded, bilingual reason; subclasses point `TEMPLATES` at their module's table."""

    TEMPLATES: ClassVar[dict[str, tuple[str, str]]] = {}

    code: str
    params: dict[str, Any] = field(default_factory=dict)
    path: str = ""  #: where: a JSON path (`work_history[2].start`), a check id or a field name

    def message(self, locale: str = "en") -> str:
        """The reason in English ("en") or Simplified Chinese ("zh_CN")."""
        return render(self.TEMPLATES, self.code, self.params, locale)

    def to_json(self, locale: str = "en") -> dict[str, Any]:
        """The reason as a JSON-ready dict with its rendered message."""
        return {"code": self.code, "path": self.path, "params": self.params, "message": self.message(locale)}
