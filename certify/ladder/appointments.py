"""Appointments (评聘): 学徒工, 特级技师 and 首席技师 are appointed, only by employer-type bodies.

A third-party (S) body can never create them. Prerequisites are data: per appointed ordinal a list of checks
of the eligibility registry (`eligibility_checks.CHECK_KINDS`), all of which must pass. JSON shape::

    {"1": [{"kind": "age", "min_age": 16}],
     "7": [{"kind": "prior_level_years", "level": 6, "years": 5}],
     "8": [{"kind": "prior_level_years", "level": 6, "years": 8}]}

The default numbers for 特级技师 and 首席技师 are placeholders for local policy (DOMAIN.md gives none):
holds 高级技师 and has worked 5 (特级技师) or 8 (首席技师) years since.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from certify.ladder.eligibility_checks import Check, CheckContext, CheckResult
from certify.ladder.eligibility_messages import Reason
from certify.ladder.eligibility_rulesets import check_from_data
from certify.ladder.levels import BY_ORDINAL, HowObtained
from certify.ladder.profile import Profile

#: Ordinals obtained by appointment: 学徒工, 特级技师, 首席技师.
APPOINTED_ORDINALS = tuple(
    level.ordinal for level in BY_ORDINAL.values() if level.obtained_by is HowObtained.APPOINTMENT
)
#: Body types allowed to appoint: employer-type (Y) only.
APPOINTING_BODY_TYPES = ("Y",)

DEFAULT_PREREQUISITES_DATA: dict[str, list[dict[str, Any]]] = {
    "1": [{"kind": "age", "min_age": 16}],
    "7": [{"kind": "prior_level_years", "level": 6, "years": 5}],
    "8": [{"kind": "prior_level_years", "level": 6, "years": 8}],
}

_TEMPLATES: dict[str, tuple[str, str]] = {
    "appointment_allowed": (
        "This {body_type} may appoint {level}: every prerequisite is met.",
        "本机构（{body_type}）可评聘{level}：各项条件均已满足。",
    ),
    "body_not_employer": (
        "Only an employer-type (Y) body may appoint {level}; this is a {body_type}.",
        "{level}只能由用人单位（Y类）评价机构评聘；本机构为{body_type}。",
    ),
    "unknown_body_type": (
        "“{value}” is not a body type (use S or Y).",
        "“{value}”不是有效的评价机构类别（应为S或Y）。",
    ),
    "level_not_appointed": (
        "{level} is obtained by certification, not by appointment (appointed: {appointed_levels}).",
        "{level}通过技能等级认定取得，不属于评聘等级（评聘等级为{appointed_levels}）。",
    ),
    "not_an_object": ("{path}: must be an object.", "{path}：应为对象。"),
    "not_a_list": ("{path}: must be a list of checks.", "{path}：应为审核要求列表。"),
}


@dataclass(frozen=True)
class AppointmentReason(Reason):
    """Why an appointment may or may not be made."""

    TEMPLATES = _TEMPLATES


@dataclass(frozen=True)
class AppointmentDecision:
    """Allowed or not, with every reason (body/level problems first, then each prerequisite check)."""

    allowed: bool
    reasons: tuple[AppointmentReason, ...]
    checks: tuple[CheckResult, ...]

    @property
    def failing(self) -> tuple[Reason, ...]:
        """Every reason that blocks the appointment."""
        return (
            *(r for r in self.reasons if r.code != "appointment_allowed"),
            *(c for c in self.checks if not c.passed),
        )


def load_prerequisites(data: Any) -> tuple[dict[int, tuple[Check, ...]] | None, list[Reason]]:
    """Read and validate prerequisites; None and every problem when anything is wrong."""
    problems: list[Reason] = []
    if not isinstance(data, dict):
        return None, [AppointmentReason("not_an_object", {"path": "(prerequisites)"})]
    loaded: dict[int, tuple[Check, ...]] = {}
    for key, raw in data.items():
        if not str(key).isdigit() or int(key) not in APPOINTED_ORDINALS:
            params = {
                "level": int(key) if str(key).isdigit() else str(key),
                "appointed_levels": list(APPOINTED_ORDINALS),
            }
            problems.append(AppointmentReason("level_not_appointed", params, str(key)))
            continue
        if not isinstance(raw, list):
            problems.append(AppointmentReason("not_a_list", {"path": str(key)}, str(key)))
            continue
        checks = []
        for i, item in enumerate(raw):
            check, check_problems = check_from_data(item, f"{key}[{i}]")
            problems.extend(check_problems)
            checks.append(check)
        loaded[int(key)] = tuple(c for c in checks if c is not None)
    if problems:
        return None, problems
    return loaded, []


def default_prerequisites() -> dict[int, tuple[Check, ...]]:
    """The default prerequisites (see the module docstring)."""
    loaded, problems = load_prerequisites(DEFAULT_PREREQUISITES_DATA)
    if loaded is None:
        raise ValueError(f"default prerequisites are invalid: {[p.message('en') for p in problems]}")
    return loaded


def may_appoint(
    body_type: str,
    level: int,
    person: Profile,
    now: date,
    prerequisites: dict[int, tuple[Check, ...]] | None = None,
) -> AppointmentDecision:
    """Whether a body of `body_type` may appoint `person` to `level` on `now`, with every reason."""
    prerequisites = default_prerequisites() if prerequisites is None else prerequisites
    reasons: list[AppointmentReason] = []
    body = str(body_type).strip().upper()
    if body not in ("S", "Y"):
        reasons.append(AppointmentReason("unknown_body_type", {"value": str(body_type)}, "body_type"))
    elif body not in APPOINTING_BODY_TYPES:
        reasons.append(AppointmentReason("body_not_employer", {"level": level, "body_type": body}, "body_type"))
    checks: tuple[CheckResult, ...] = ()
    if level not in APPOINTED_ORDINALS:
        params = {"level": level, "appointed_levels": list(APPOINTED_ORDINALS)}
        reasons.append(AppointmentReason("level_not_appointed", params, "level"))
    else:
        ctx = CheckContext(now)
        checks = tuple(check.evaluate(person, ctx) for check in prerequisites.get(level, ()))
    allowed = not reasons and all(c.passed for c in checks)
    if allowed:
        reasons.append(AppointmentReason("appointment_allowed", {"level": level, "body_type": body}))
    return AppointmentDecision(allowed, tuple(reasons), checks)
