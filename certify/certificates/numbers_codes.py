"""Reference codes and the bilingual problem type for certificate numbers (see numbers.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Province-level administrative division codes (GB/T 2260, first two digits) with their names.
PROVINCES: dict[str, tuple[str, str]] = {
    "11": ("北京市", "Beijing"),
    "12": ("天津市", "Tianjin"),
    "13": ("河北省", "Hebei"),
    "14": ("山西省", "Shanxi"),
    "15": ("内蒙古自治区", "Inner Mongolia"),
    "21": ("辽宁省", "Liaoning"),
    "22": ("吉林省", "Jilin"),
    "23": ("黑龙江省", "Heilongjiang"),
    "31": ("上海市", "Shanghai"),
    "32": ("江苏省", "Jiangsu"),
    "33": ("浙江省", "Zhejiang"),
    "34": ("安徽省", "Anhui"),
    "35": ("福建省", "Fujian"),
    "36": ("江西省", "Jiangxi"),
    "37": ("山东省", "Shandong"),
    "41": ("河南省", "Henan"),
    "42": ("湖北省", "Hubei"),
    "43": ("湖南省", "Hunan"),
    "44": ("广东省", "Guangdong"),
    "45": ("广西壮族自治区", "Guangxi"),
    "46": ("海南省", "Hainan"),
    "50": ("重庆市", "Chongqing"),
    "51": ("四川省", "Sichuan"),
    "52": ("贵州省", "Guizhou"),
    "53": ("云南省", "Yunnan"),
    "54": ("西藏自治区", "Tibet"),
    "61": ("陕西省", "Shaanxi"),
    "62": ("甘肃省", "Gansu"),
    "63": ("青海省", "Qinghai"),
    "64": ("宁夏回族自治区", "Ningxia"),
    "65": ("新疆维吾尔自治区", "Xinjiang"),
    "71": ("台湾省", "Taiwan"),
    "81": ("香港特别行政区", "Hong Kong"),
    "82": ("澳门特别行政区", "Macao"),
}

BODY_TYPES: dict[str, tuple[str, str]] = {
    "S": ("社会培训评价组织", "third-party body"),
    "Y": ("用人单位", "employer"),
}

#: segment key → (zh name, en name), used in messages and as `where`.
SEGMENTS: dict[str, tuple[str, str]] = {
    "number": ("证书编号", "certificate number"),
    "body_type": ("评价机构类别代码", "body type letter"),
    "category_letters": ("评价机构类别代码", "body category letters"),
    "body_code": ("评价机构代码", "body code"),
    "province_code": ("省级代码", "province code"),
    "site_serial": ("评价机构（站点）序列码", "site serial"),
    "year": ("证书核发年份代码", "issue year"),
    "level_digit": ("职业技能等级代码", "level digit"),
    "serial": ("证书序列码", "serial"),
    "legacy_region": ("省（部门）代码", "province or industry code"),
    "legacy_city": ("地市级代码", "city code"),
    "legacy_body_kind": ("机构识别代码", "body kind"),
    "legacy_body_serial": ("鉴定机构序列号", "body serial"),
}

_TEMPLATES: dict[str, tuple[str, str]] = {
    "number_empty": ("Enter a certificate number.", "请输入证书编号。"),
    "number_wrong_length": (
        "A certificate number has {expected} characters; this one has {length}.",
        "证书编号应为{expected}位，当前为{length}位。",
    ),
    "segment_not_digits": (
        "Positions {start}–{end} ({segment_en}) must be {width} digits, not “{value}”.",
        "第{start}–{end}位（{segment_zh}）应为{width}位数字，当前为“{value}”。",
    ),
    "body_type_invalid": (
        "Position 1 (body type) must be S (third-party body) or Y (employer), not “{value}”.",
        "第1位（评价机构类别代码）应为S（社会培训评价组织）或Y（用人单位），当前为“{value}”。",
    ),
    "category_letters_invalid": (
        "Positions 1–2 (body category) of a special-grade number must be two letters A–Z, not “{value}”.",
        "特级技师证书编号第1–2位（评价机构类别代码）应为两个大写英文字母，当前为“{value}”。",
    ),
    "province_code_unknown": (
        "Positions {start}–{end}: “{value}” is not a Chinese province-level code.",
        "第{start}–{end}位：“{value}”不是有效的省级行政区划代码。",
    ),
    "year_before_scheme": (
        "Issue year 20{value} is before {first_year}, when this numbering scheme began.",
        "核发年份20{value}早于本编码规则启用的{first_year}年。",
    ),
    "year_in_future": (
        "Issue year 20{value} lies in the future (this year is {current_year}).",
        "核发年份20{value}晚于当前年份{current_year}年。",
    ),
    "level_digit_invalid": (
        "Position {start} (level digit) must be 1–5 (grade 1 … grade 5), not “{value}”.",
        "第{start}位（职业技能等级代码）应为1–5，当前为“{value}”。",
    ),
    "serial_zero": (
        "Positions {start}–{end} (serial) start at 1; “{value}” is not a valid serial.",
        "第{start}–{end}位（证书序列码）从1开始编号，“{value}”无效。",
    ),
    "serial_out_of_range": (
        "Positions {start}–{end} (serial) hold 1–{maximum}; {value} is outside that range.",
        "第{start}–{end}位（证书序列码）取值为1–{maximum}，{value}超出范围。",
    ),
    "legacy_body_kind_invalid": (
        "Position 7 (body kind) of a legacy number must be 0–4, not “{value}”.",
        "旧版证书编号第7位（机构识别代码）应为0–4，当前为“{value}”。",
    ),
}


@dataclass(frozen=True)
class NumberProblem:
    """One thing wrong with a certificate number: which segment and why."""

    code: str
    where: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, locale: str = "en") -> str:
        """The problem rendered in English ("en") or Simplified Chinese ("zh…")."""
        en, zh = _TEMPLATES[self.code]
        return (zh if str(locale).startswith("zh") else en).format(**self.params)
