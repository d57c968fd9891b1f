"""Bilingual (en / zh_CN) texts of the training-roster parser: column names and every problem template."""

from __future__ import annotations

from collections.abc import Mapping

#: canonical column → its name in each locale (the Chinese one is the template's header)
COLUMN_LABELS: dict[str, dict[str, str]] = {
    "institution": {"en": "Institution", "zh_CN": "培训机构"},
    "class": {"en": "Class", "zh_CN": "班级名称"},
    "occupation_code": {"en": "Occupation code", "zh_CN": "职业编码"},
    "level": {"en": "Level", "zh_CN": "等级"},
    "start": {"en": "Start date", "zh_CN": "开始日期"},
    "end": {"en": "End date", "zh_CN": "结束日期"},
    "role": {"en": "Role", "zh_CN": "身份"},
    "name": {"en": "Name", "zh_CN": "姓名"},
    "id_type": {"en": "ID type", "zh_CN": "证件类型"},
    "id_number": {"en": "ID number", "zh_CN": "证件号码"},
}
ROLE_LABELS: dict[str, dict[str, str]] = {
    "trainer": {"en": "trainer", "zh_CN": "培训教师"},
    "trainee": {"en": "trainee", "zh_CN": "学员"},
}
ID_TYPE_LABELS: dict[str, dict[str, str]] = {
    "resident_id": {"en": "resident ID card", "zh_CN": "居民身份证"},
    "passport": {"en": "passport", "zh_CN": "护照"},
    "hk_macao_permit": {
        "en": "Mainland Travel Permit for Hong Kong and Macao Residents",
        "zh_CN": "港澳居民来往内地通行证",
    },
    "taiwan_permit": {"en": "Mainland Travel Permit for Taiwan Residents", "zh_CN": "台湾居民来往大陆通行证"},
    "foreign_permanent_resident": {"en": "foreign permanent resident ID card", "zh_CN": "外国人永久居留身份证"},
}
_LEVELS_EN = "an ordinal 1–8, a key such as senior_worker, or a name such as 高级工, 三级 or 三级/高级工"
_LEVELS_ZH = "1–8 的等级序号、英文代码（如 senior_worker）或等级名称（如 高级工、三级、三级/高级工）"

#: code → {"en": template, "zh_CN": template}; params fill {placeholders}, plus {column_label} and {role_label}
ROSTER_MESSAGES: dict[str, dict[str, str]] = {
    "file_empty": {"en": "The file is empty.", "zh_CN": "文件为空。"},
    "file_too_large": {
        "en": "The file is too large (more than {max_mb} MB); split the roster into several files.",
        "zh_CN": "文件过大（超过 {max_mb} MB），请将花名册拆分为多个文件后分别导入。",
    },
    "xls_not_supported": {
        "en": "Old Excel 97–2003 (.xls) files are not supported; save the roster as .xlsx or CSV.",
        "zh_CN": "不支持 Excel 97–2003（.xls）格式，请另存为 .xlsx 或 CSV 文件后导入。",
    },
    "xlsx_unreadable": {
        "en": "The file cannot be read as an Excel (.xlsx) workbook; it may be damaged.",
        "zh_CN": "无法作为 Excel（.xlsx）工作簿读取，文件可能已损坏。",
    },
    "encoding_unknown": {
        "en": "The CSV file is neither UTF-8 nor GBK text; save it again as “CSV UTF-8”.",
        "zh_CN": "CSV 文件既不是 UTF-8 也不是 GBK 编码的文本，请重新另存为“CSV UTF-8”格式。",
    },
    "csv_unreadable": {
        "en": "The CSV file cannot be read ({detail}).",
        "zh_CN": "CSV 文件无法读取（{detail}）。",
    },
    "no_header": {
        "en": "No header row found: the first row must name the columns, e.g. 培训机构, 班级名称, 姓名.",
        "zh_CN": "未找到表头行：首行应为列名，如“培训机构”“班级名称”“姓名”等。",
    },
    "missing_column": {
        "en": "The required column “{header}” is missing.",
        "zh_CN": "缺少必填列“{header}”。",
    },
    "duplicate_column": {
        "en": "The column “{header}” appears more than once; keep only one.",
        "zh_CN": "“{header}”列重复出现，请只保留一列。",
    },
    "no_rows": {
        "en": "The roster has a header but no people.",
        "zh_CN": "花名册只有表头，没有人员信息。",
    },
    "too_many_rows": {
        "en": "The roster has more than {max_rows} rows; split it into several files.",
        "zh_CN": "花名册超过 {max_rows} 行，请拆分为多个文件后分别导入。",
    },
    "value_missing": {
        "en": "{column_label} is required.",
        "zh_CN": "“{column_label}”为必填项。",
    },
    "bad_occupation_code": {
        "en": "“{value}” is not an occupation code; it looks like 4-13-03-02 (optionally with a 2-digit suffix).",
        "zh_CN": "“{value}”不是有效的职业编码，格式应如 4-13-03-02（可带两位后缀）。",
    },
    "unknown_level": {
        "en": "“{value}” is not a level: use " + _LEVELS_EN + ".",
        "zh_CN": "“{value}”不是有效的等级，请填写" + _LEVELS_ZH + "。",
    },
    "bad_date": {
        "en": "“{value}” is not a date: use 2026-03-01, 2026/03/01 or 2026年3月1日.",
        "zh_CN": "“{value}”不是有效日期，请按 2026-03-01、2026/03/01 或 2026年3月1日 的格式填写。",
    },
    "end_before_start": {
        "en": "The end date {end} is before the start date {start}.",
        "zh_CN": "结束日期 {end} 早于开始日期 {start}。",
    },
    "unknown_role": {
        "en": "“{value}” is not a role: use 培训教师 (trainer) or 学员 (trainee).",
        "zh_CN": "“{value}”不是有效身份，请填写“培训教师”或“学员”。",
    },
    "unknown_id_type": {
        "en": "“{value}” is not a supported ID type: use 居民身份证, 护照, 港澳居民来往内地通行证, "
        "台湾居民来往大陆通行证 or 外国人永久居留身份证.",
        "zh_CN": "“{value}”不是支持的证件类型，请填写居民身份证、护照、港澳居民来往内地通行证、"
        "台湾居民来往大陆通行证或外国人永久居留身份证。",
    },
    "id_number_stored_as_number": {
        "en": "Excel stored the ID number as a number ({value}) and lost its last digits; "
        "format the column as text and type the numbers again.",
        "zh_CN": "证件号码被 Excel 存成了数值（{value}），末几位已丢失，请将该列设为文本格式后重新录入。",
    },
    "id_wrong_length": {
        "en": "A resident ID number has {expected} characters; this one has {actual}.",
        "zh_CN": "居民身份证号码应为 {expected} 位，此号码为 {actual} 位。",
    },
    "id_not_digits": {
        "en": "Characters {positions} of a resident ID number must all be digits.",
        "zh_CN": "居民身份证号码第 {positions} 位必须全部是数字。",
    },
    "id_bad_last_char": {
        "en": "The last character of a resident ID number must be a digit or X, not {char}.",
        "zh_CN": "居民身份证号码最后一位应为数字或 X，不能是“{char}”。",
    },
    "id_bad_region": {
        "en": "The ID number starts with {region}, which is not a province code.",
        "zh_CN": "证件号码前两位 {region} 不是有效的省级行政区划代码。",
    },
    "id_bad_birth_date": {
        "en": "Characters 7–14 ({digits}) are not a valid birth date.",
        "zh_CN": "证件号码第 7–14 位（{digits}）不是有效的出生日期。",
    },
    "id_implausible_birth_date": {
        "en": "The birth date {birth_date} in the ID number is not plausible.",
        "zh_CN": "证件号码中的出生日期 {birth_date} 不合理。",
    },
    "id_bad_check_digit": {
        "en": "The check digit is wrong: it should be {expected}, not {actual}.",
        "zh_CN": "校验码错误：应为 {expected}，实际为 {actual}。",
    },
    "id_missing": {"en": "Enter the document number.", "zh_CN": "请填写证件号码。"},
    "id_bad_format": {
        "en": "This is not a valid {id_type_label} number.",
        "zh_CN": "该号码不符合{id_type_label}的号码格式。",
    },
    "class_value_differs": {
        "en": "“{value}” differs from “{expected}” given for class {class_name} ({institution}) in row {first_row}; "
        "every row of a class must agree.",
        "zh_CN": "“{value}”与第 {first_row} 行为班级“{class_name}”（{institution}）填写的“{expected}”不一致，"
        "同一班级各行须保持一致。",
    },
    "class_without_trainer": {
        "en": "Class {class_name} ({institution}) has no trainer.",
        "zh_CN": "班级“{class_name}”（{institution}）没有培训教师。",
    },
    "class_without_trainee": {
        "en": "Class {class_name} ({institution}) has no trainee.",
        "zh_CN": "班级“{class_name}”（{institution}）没有学员。",
    },
    "duplicate_person": {
        "en": "This person is already listed as {role_label} of this class in row {first_row}.",
        "zh_CN": "此人已在第 {first_row} 行登记为本班{role_label}，请勿重复填写。",
    },
    "trainer_and_trainee": {
        "en": "This person is both trainer and trainee of class {class_name} ({institution}); see row {other_row}.",
        "zh_CN": "此人在班级“{class_name}”（{institution}）中既是培训教师又是学员，见第 {other_row} 行。",
    },
    "id_name_conflict": {
        "en": "The same ID number is listed as {other_name} in row {other_row} but as {name} here.",
        "zh_CN": "同一证件号码在第 {other_row} 行登记的姓名为“{other_name}”，此处为“{name}”。",
    },
}


def render_roster_message(code: str, params: Mapping[str, object], locale: str) -> str:
    """Fill the `code` template in `locale` ("zh…" → Chinese, else English), with localised vocabulary labels."""
    loc = "zh_CN" if str(locale).lower().startswith("zh") else "en"
    values = dict(params)
    for key, labels in (("column", COLUMN_LABELS), ("role", ROLE_LABELS), ("id_type", ID_TYPE_LABELS)):
        if key in values:
            label = labels.get(str(values[key]))
            values[f"{key}_label"] = label[loc] if label else values[key]
    return ROSTER_MESSAGES[code][loc].format_map(values)
