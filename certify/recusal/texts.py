"""Bilingual (en / zh_CN) texts of the recusal engine: vocabulary labels and every message template.

One table per module (reasons, detections, draw failures) so a test can prove each code has both languages.
"""

from __future__ import annotations

from collections.abc import Mapping

from certify.ladder.levels import LADDER

# Localised names of the vocabulary, used when a message param holds an enum value (params["role"] →
# "{role_label}"). Kept next to the enums so every module renders them the same way.
LABELS: dict[str, dict[str, dict[str, str]]] = {
    "role": {
        "invigilator": {"en": "invigilator", "zh_CN": "监考人员"},
        "assessor": {"en": "assessor", "zh_CN": "考评员"},
        "marker": {"en": "marker", "zh_CN": "阅卷人员"},
        "review_panel": {"en": "review panel member", "zh_CN": "综合评审专家"},
        "application_reviewer": {"en": "application reviewer", "zh_CN": "申报审核人员"},
        "bank_access": {
            "en": "question bank author, reviewer or reader",
            "zh_CN": "命题、审题及题库查阅人员",
        },
        "inspector": {"en": "inspector", "zh_CN": "督导检查人员"},
    },
    "kind": {
        "trained": {"en": "trainer–trainee", "zh_CN": "培训关系"},
        "relative": {"en": "relative", "zh_CN": "亲属关系"},
        "master_apprentice": {"en": "master–apprentice", "zh_CN": "师徒关系"},
        "teacher_student": {"en": "teacher–student", "zh_CN": "师生关系"},
        "other": {"en": "other conflict of interest", "zh_CN": "其他利益冲突"},
    },
    "source": {
        "training_roster": {"en": "training roster", "zh_CN": "培训花名册"},
        "declaration": {"en": "declaration", "zh_CN": "本人申报"},
        "import": {"en": "import", "zh_CN": "批量导入"},
        "staff_entry": {"en": "staff entry", "zh_CN": "工作人员录入"},
        "detection": {"en": "confirmed detection", "zh_CN": "自动检测并经确认"},
    },
    "staff": {
        "invigilator": {"en": "invigilators", "en_one": "invigilator", "zh_CN": "监考人员"},
        "assessor": {"en": "assessors", "en_one": "assessor", "zh_CN": "考评员"},
        "senior_assessor": {"en": "senior assessors", "en_one": "senior assessor", "zh_CN": "高级考评员"},
    },
    "grade": {
        "invigilator": {"en": "invigilator", "zh_CN": "监考人员"},
        "assessor": {"en": "assessor", "zh_CN": "考评员"},
        "senior_assessor": {"en": "senior assessor", "zh_CN": "高级考评员"},
    },
    "unit": {
        "theory": {"en": "Room", "zh_CN": "考场"},
        "practical": {"en": "Panel", "zh_CN": "考评组"},
        "review": {"en": "Review panel", "zh_CN": "评审组"},
    },
    # short names of reason codes, for lists such as "must recuse from candidate #7 (relative, same employer)"
    "codes": {
        "acting_on_self": {"en": "own candidacy", "zh_CN": "本人应试"},
        "trained_candidate": {"en": "trained the candidate", "zh_CN": "曾培训该考生"},
        "trained_by_candidate": {"en": "trained by the candidate", "zh_CN": "曾受该考生培训"},
        "relative_of_candidate": {"en": "relative", "zh_CN": "亲属关系"},
        "master_of_candidate": {"en": "master", "zh_CN": "师徒关系（师傅）"},
        "apprentice_of_candidate": {"en": "apprentice", "zh_CN": "师徒关系（徒弟）"},
        "teacher_of_candidate": {"en": "teacher", "zh_CN": "师生关系（老师）"},
        "student_of_candidate": {"en": "student", "zh_CN": "师生关系（学生）"},
        "declared_conflict": {"en": "declared conflict", "zh_CN": "其他利益冲突"},
        "shared_employer": {"en": "same employer", "zh_CN": "同一工作单位"},
        "trains_occupation": {"en": "trains the occupation", "zh_CN": "担任该职业培训教师"},
        "employed_by_target": {"en": "employed by the inspected body", "zh_CN": "任职于被检查单位"},
        "declared": {"en": "recorded conflict", "zh_CN": "已登记的回避情形"},
        "may_act": {"en": "recusal rules", "zh_CN": "回避规则不允许"},
    },
    "level": {str(lv.ordinal): {"en": lv.national_label_en, "zh_CN": lv.national_label_zh} for lv in LADDER},
    "session_kind": {
        "theory": {"en": "theory exam", "zh_CN": "理论知识考试"},
        "practical": {"en": "skill assessment", "zh_CN": "技能考核"},
        "review": {"en": "comprehensive review", "zh_CN": "综合评审"},
    },
    "bank_role": {
        "author": {"en": "question author", "zh_CN": "命题人员"},
        "reviewer": {"en": "question reviewer", "zh_CN": "审题人员"},
        "reader": {"en": "question bank reader", "zh_CN": "题库查阅人员"},
    },
}


class _Values(dict):
    """Template values; an unknown vocabulary value renders its `<key>_label` as the raw value."""

    def __missing__(self, key: str) -> object:
        if key.endswith("_label") and key[: -len("_label")] in self:
            return self[key[: -len("_label")]]
        raise KeyError(key)


def normalise_locale(locale: str) -> str:
    """ "zh_CN" for any Chinese locale spelling (zh, zh-CN, zh_Hans…), else "en"."""
    return "zh_CN" if str(locale).lower().startswith("zh") else "en"


def render(templates: Mapping[str, Mapping[str, str]], code: str, params: Mapping[str, object], locale: str) -> str:
    """Fill the `code` template of `locale` with params, adding `<key>_label` for vocabulary values.

    English labels with an `en_one` form use it when the message counts exactly one (`short_by` == 1).
    """
    loc = normalise_locale(locale)
    form = "en_one" if loc == "en" and params.get("short_by") == 1 else loc
    values = _Values()
    for key, value in params.items():
        if isinstance(value, list | tuple):
            names = LABELS.get(key, {})
            items = [names[str(v)][loc] if str(v) in names else str(v) for v in value]
            value = ("、" if loc == "zh_CN" else ", ").join(items) or "—"
        elif value is None:
            value = "—"
        values[key] = value
        label = LABELS.get(key, {}).get(str(value))
        if label is not None:
            values[f"{key}_label"] = label.get(form, label[loc])
    return templates[code][loc].format_map(values)


_SRC_EN = "; source: {source_label})."
_SRC_ZH = "；来源：{source_label}）。"
#: Bilingual templates of the recusal engine's reasons (rules.decide, rules.validate_override).
REASON_MESSAGES: dict[str, dict[str, str]] = {
    "acting_on_self": {
        "en": "Cannot act as {role_label} on their own candidacy.",
        "zh_CN": "不得以{role_label}身份处理本人的考试或申报。",
    },
    "trained_candidate": {
        "en": "Trained this candidate (course: {course}; {period}" + _SRC_EN,
        "zh_CN": "曾培训该考生（培训项目：{course}；{period}" + _SRC_ZH,
    },
    "trained_by_candidate": {
        "en": "Was trained by this candidate (course: {course}; {period}" + _SRC_EN,
        "zh_CN": "曾接受该考生的培训（培训项目：{course}；{period}" + _SRC_ZH,
    },
    "relative_of_candidate": {
        "en": "Is a relative of this candidate ({period}" + _SRC_EN,
        "zh_CN": "与该考生存在亲属关系（{period}" + _SRC_ZH,
    },
    "master_of_candidate": {
        "en": "Is this candidate's master (master–apprentice; {period}" + _SRC_EN,
        "zh_CN": "系该考生的师傅（师徒关系；{period}" + _SRC_ZH,
    },
    "apprentice_of_candidate": {
        "en": "Is this candidate's apprentice (master–apprentice; {period}" + _SRC_EN,
        "zh_CN": "系该考生的徒弟（师徒关系；{period}" + _SRC_ZH,
    },
    "teacher_of_candidate": {
        "en": "Taught this candidate (teacher–student; {period}" + _SRC_EN,
        "zh_CN": "曾任该考生的老师（师生关系；{period}" + _SRC_ZH,
    },
    "student_of_candidate": {
        "en": "Was taught by this candidate (teacher–student; {period}" + _SRC_EN,
        "zh_CN": "曾是该考生的学生（师生关系；{period}" + _SRC_ZH,
    },
    "declared_conflict": {
        "en": "Has a declared conflict of interest with this candidate ({note}; {period}" + _SRC_EN,
        "zh_CN": "与该考生存在已申报的其他利益冲突（{note}；{period}" + _SRC_ZH,
    },
    "clause_ongoing": {"en": " The relation is current.", "zh_CN": "该关系目前仍存续。"},
    "clause_forever": {"en": " It requires recusal with no time limit.", "zh_CN": "该关系须长期回避。"},
    "clause_until": {
        "en": " Recusal applies through {blocks_until}.",
        "zh_CN": "回避期至{blocks_until}（含当日）。",
    },
    "shared_employer": {
        "en": "Works for the same employer as this candidate, {organisation_label} "
        "(own employment {actor_period}; candidate's {candidate_period}).",
        "zh_CN": "与该考生同在{organisation_label}工作（本人任职{actor_period}；考生任职{candidate_period}）。",
    },
    "trains_occupation": {
        "en": "Trains occupation {occupation} ({period}): under the separation of training and examination a "
        "trainer may not read or edit its question bank, blueprints or papers.",
        "zh_CN": "担任职业{occupation}的培训教师（{period}），按考培分离要求不得查阅或编辑该职业的题库、"
        "组卷方案和试卷。",
    },
    "employed_by_target": {
        "en": "Is employed by the organisation under inspection, {organisation_label} ({actor_period}).",
        "zh_CN": "本人任职于被检查单位{organisation_label}（任职{actor_period}），须回避。",
    },
    "override_reason_missing": {
        "en": "Override #{override_id}: a reason is mandatory.",
        "zh_CN": "回避例外审批#{override_id}：必须填写理由。",
    },
    "override_approvals_short": {
        "en": "Override #{override_id}: needs {needed} valid approver(s) (supervisors not involved in the "
        "conflict), has {valid}.",
        "zh_CN": "回避例外审批#{override_id}：需{needed}名有效审批人（与该回避情形无关的质量督导员），现有{valid}名。",
    },
    "override_self_approval": {
        "en": "Override #{override_id}: person #{approver} cannot approve an exception to their own conflict.",
        "zh_CN": "回避例外审批#{override_id}：当事人#{approver}不得审批本人的回避例外。",
    },
    "override_approver_conflicted": {
        "en": "Override #{override_id}: approver #{approver} is party to the conflict and cannot approve.",
        "zh_CN": "回避例外审批#{override_id}：审批人#{approver}本身涉及该回避情形，不得审批。",
    },
    "override_approver_not_supervisor": {
        "en": "Override #{override_id}: approver #{approver} does not hold a supervisor role.",
        "zh_CN": "回避例外审批#{override_id}：审批人#{approver}不具备质量督导员身份。",
    },
    "override_duplicate_approver": {
        "en": "Override #{override_id}: approver #{approver} signed more than once; counted once.",
        "zh_CN": "回避例外审批#{override_id}：审批人#{approver}重复签批，只计一次。",
    },
    "override_expired": {
        "en": "Override #{override_id} expired on {expires_on}.",
        "zh_CN": "回避例外审批#{override_id}已于{expires_on}失效。",
    },
    "override_not_covering": {
        "en": "Override #{override_id} does not cover {count} of the recusal reasons ({codes}).",
        "zh_CN": "回避例外审批#{override_id}未涵盖其中{count}项回避情形（{codes}）。",
    },
}


#: Texts of detection.detect proposals (keyed by DetectionKind value; params are the proposal's evidence).
DETECTION_MESSAGES: dict[str, dict[str, str]] = {
    "same_employer": {
        "en": "{a_label} and {b_label} have both worked for {organisation_label} ({a_period}; {b_period}).",
        "zh_CN": "{a_label}与{b_label}曾同在{organisation_label}工作（{a_period}；{b_period}）。",
    },
    "same_surname_same_employer": {
        "en": "{a_label} and {b_label} share the surname {surname} and the employer {organisation_label}: "
        "they may be relatives, please verify.",
        "zh_CN": "{a_label}与{b_label}同姓（{surname}）且同在{organisation_label}工作，可能存在亲属关系，请核实。",
    },
    "same_training_class": {
        "en": "{a_label} and {b_label} were trainees in the same class “{course}” ({occupation}, {period}).",
        "zh_CN": "{a_label}与{b_label}曾是同一培训班“{course}”的学员（职业{occupation}，{period}）。",
    },
    "trainer_on_roster": {
        "en": "{a_label} is a trainer of the class “{course}” ({occupation}, {period}) where {b_label} is a trainee.",
        "zh_CN": "{a_label}是{b_label}所在培训班“{course}”的培训教师（职业{occupation}，{period}）。",
    },
    "author_trains_occupation": {
        "en": "{a_label} is a {bank_role_label} of occupation {occupation} and also trains it ({training}), "
        "which breaches the separation of training and examination.",
        "zh_CN": "{a_label}是职业{occupation}的{bank_role_label}，同时担任该职业的培训教师（{training}），"
        "违反考培分离要求。",
    },
    "institution_level": {
        "en": "{a_label}, on the staff of certification body {organisation_label}, trained its candidate "
        "{b_label} (class “{course}”, {period}): training and examination are not separated at body level.",
        "zh_CN": "评价机构{organisation_label}的在职人员{a_label}曾培训本机构考生{b_label}"
        "（培训班“{course}”，{period}），机构层面未实现考培分离。",
    },
}

# every per-group shortfall also says how many pool members each rule ruled out
_OUT_EN = (
    "; ruled out: {out_grade} by grade, {out_card} by card, {out_consecutive} by rotation, "
    "{out_conflict} by conflicts)."
)
_OUT_ZH = (
    "；已排除：等级不符{out_grade}名，资格证无效{out_card}名，连续工作超限{out_consecutive}名，"
    "须回避{out_conflict}名）。"
)
_SHORT_EN = " ({needed} needed, {available} eligible" + _OUT_EN
_SHORT_ZH = "（需{needed}名，符合条件的{available}名" + _OUT_ZH

#: Texts of draw.draw_panels / validate_panel failures and notes.
DRAW_MESSAGES: dict[str, dict[str, str]] = {
    "no_candidates": {"en": "There are no candidates to staff.", "zh_CN": "本场次没有需要安排的考生。"},
    "pool_short": {
        "en": "{unit_label} {group}: the pool is too small; needs {short_by} more {staff_label}" + _SHORT_EN,
        "zh_CN": "{unit_label}{group}：人员库人数不足，还需{short_by}名{staff_label}" + _SHORT_ZH,
    },
    "grade_short": {
        "en": "{unit_label} {group}: needs {short_by} more {staff_label} ({level_label} requires that grade;"
        " {needed} needed, {available} eligible" + _OUT_EN,
        "zh_CN": "{unit_label}{group}：还需{short_by}名{staff_label}（{level_label}须由{staff_label}考评；"
        "需{needed}名，符合条件的{available}名" + _OUT_ZH,
    },
    "card_short": {
        "en": "{unit_label} {group}: needs {short_by} more {staff_label} with a qualification card valid on "
        "{date}" + _SHORT_EN,
        "zh_CN": "{unit_label}{group}：还需{short_by}名资格证在{date}仍有效的{staff_label}" + _SHORT_ZH,
    },
    "consecutive_short": {
        "en": "{unit_label} {group}: needs {short_by} more {staff_label} who have not already worked "
        "{max_consecutive} consecutive sessions at this site" + _SHORT_EN,
        "zh_CN": "{unit_label}{group}：还需{short_by}名未在本考点连续工作满{max_consecutive}场的{staff_label}"
        + _SHORT_ZH,
    },
    "conflict_short": {
        "en": "{unit_label} {group}: needs {short_by} more {staff_label} without conflicts of interest with "
        "its candidates" + _SHORT_EN,
        "zh_CN": "{unit_label}{group}：还需{short_by}名与本组考生无回避情形的{staff_label}" + _SHORT_ZH,
    },
    "pool_shared_short": {
        "en": "{unit_label} {groups}: together they need {needed} different {staff_label} but only "
        "{available} eligible people can serve them (one person sits on one panel); {short_by} more needed.",
        "zh_CN": "{unit_label}{groups}共需{needed}名不同的{staff_label}，可安排的符合条件人员仅{available}名"
        "（每人只能参加一个组），还差{short_by}名。",
    },
    "rotation_change_short": {
        "en": "{unit_label} {groups}: at least {fraction} of each panel must change from the previous "
        "session; needs {short_by} more {staff_label} who were not in the previous groups.",
        "zh_CN": "{unit_label}{groups}：每组成员须较上一场次至少更换{fraction}，还需{short_by}名"
        "未在上一场次同组工作的{staff_label}。",
    },
    "panel_group_unknown": {
        "en": "{unit_label} {group} does not exist in this session.",
        "zh_CN": "本场次不存在{unit_label}{group}。",
    },
    "group_without_panel": {
        "en": "{unit_label} {group} has no panel.",
        "zh_CN": "{unit_label}{group}尚未安排人员。",
    },
    "panel_candidates_mismatch": {
        "en": "{unit_label} {group}: candidates differ from the session plan (missing: {missing}; "
        "not in this group: {extra}).",
        "zh_CN": "{unit_label}{group}的考生名单与场次安排不一致（缺少：{missing}；不属于本组：{extra}）。",
    },
    "panel_too_small": {
        "en": "{unit_label} {group} has {actual} {staff_label}; at least {needed} are required ({short_by} short).",
        "zh_CN": "{unit_label}{group}现有{staff_label}{actual}名，至少需{needed}名（还差{short_by}名）。",
    },
    "panel_not_odd": {
        "en": "{unit_label} {group} has {actual} members; the number must be odd.",
        "zh_CN": "{unit_label}{group}现有{actual}人，人数须为单数。",
    },
    "member_duplicate": {
        "en": "{unit_label} {group}: #{member} is listed more than once.",
        "zh_CN": "{unit_label}{group}：#{member}被重复列入。",
    },
    "member_not_in_pool": {
        "en": "#{member} is not in the staff pool of this session.",
        "zh_CN": "#{member}不在本场次的人员库中。",
    },
    "member_grade": {
        "en": "#{member} is a {grade_label}; {unit_label} {group} needs {staff_label}.",
        "zh_CN": "#{member}为{grade_label}，{unit_label}{group}须由{staff_label}担任。",
    },
    "member_card": {
        "en": "#{member}'s qualification card is not valid on {date} (valid until {valid_until}).",
        "zh_CN": "#{member}的资格证在{date}不在有效期内（有效期至{valid_until}）。",
    },
    "member_consecutive": {
        "en": "#{member} has already worked {count} consecutive sessions at this site (limit {max_consecutive}).",
        "zh_CN": "#{member}已在本考点连续工作{count}场（上限为{max_consecutive}场）。",
    },
    "member_conflict": {
        "en": "#{member} must recuse from candidate #{candidate} ({codes}).",
        "zh_CN": "#{member}须回避考生#{candidate}（{codes}）。",
    },
    "leader_not_member": {
        "en": "{unit_label} {group}: the group leader #{leader} is not a member.",
        "zh_CN": "{unit_label}{group}的组长#{leader}不是本组成员。",
    },
    "rotation_too_few_changed": {
        "en": "{unit_label} {group} keeps {retained} members of one previous group; at most {max_retained} "
        "may stay (at least {fraction} must change).",
        "zh_CN": "{unit_label}{group}保留了上一场次同组成员{retained}名，最多只能保留{max_retained}名"
        "（须至少更换{fraction}）。",
    },
    "member_in_two_panels": {
        "en": "#{member} is on more than one panel ({groups}).",
        "zh_CN": "#{member}被同时安排在多个组（{groups}）。",
    },
    "group_staffing": {
        "en": "{unit_label} {group}: {candidates} candidates, {needed} {staff_label} needed, {available} eligible.",
        "zh_CN": "{unit_label}{group}：考生{candidates}名，需{staff_label}{needed}名，符合条件的{available}名。",
    },
    "drawn": {
        "en": "Drawn with seed {seed} ({algorithm}); the same seed and inputs replay the same panels.",
        "zh_CN": "以随机种子{seed}抽取（算法：{algorithm}），相同种子和输入可复现同一结果。",
    },
}
