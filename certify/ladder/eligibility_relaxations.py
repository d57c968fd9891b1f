"""Relaxations (放宽条件) and bans as data: who gets years off a requirement, who may not apply until when.

Relaxation JSON (`rulesets/relaxations.json`, one list, provinces edit the numbers)::

    {"relaxations": [
      {"id": "grassroots_remote", "kind": "grassroots_service", "min_service_years": 10, "reduce_years": 1,
       "applies_to": ["work_years", "prior_level_years", "title_years"]},
      {"id": "first_secretary", "kind": "first_secretary", "min_service_years": 2, "require_excellent": true,
       "reduce_years": 1, "applies_to": ["work_years", "prior_level_years", "title_years"]}
    ]}

Relaxations do not stack: of those a profile qualifies for, the one with the largest reduction applies (the
first listed on a tie). A reduction never takes a requirement below zero.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from certify.ladder.eligibility_checks import DURATION_KINDS
from certify.ladder.eligibility_durations import Duration, period_length, work_span
from certify.ladder.eligibility_messages import JSON_TEMPLATES, Reason
from certify.ladder.profile import Profile

RELAXATION_KINDS = ("grassroots_service", "first_secretary")

_TEMPLATES: dict[str, tuple[str, str]] = JSON_TEMPLATES | {
    "relaxation_grassroots_service": (
        "{service} of service at grassroots level or in remote areas (at least {min_service}): "
        "work-year requirements are {reduce} shorter.",
        "在基层或艰苦边远地区服务{service}（满{min_service}）：工作年限要求放宽{reduce}。",
    ),
    "relaxation_first_secretary": (
        "{service} as a village first secretary with excellent reviews (at least {min_service}): "
        "may apply {reduce} early.",
        "担任驻村第一书记{service}且考核优秀（满{min_service}）：可提前{reduce}申报。",
    ),
    "banned_until": (
        "On the ban list ({tier}: {reason}) until {until}; may apply again from {may_apply_from}.",
        "已被列入禁止报考名单（{tier}：{reason}），期限至{until}；自{may_apply_from}起方可再次申报。",
    ),
    "duplicate_id": ("{path}: id “{value}” is used twice.", "{path}：编号“{value}”重复。"),
}


class SanctionTier(enum.StrEnum):
    """The sanction tiers of DOMAIN.md "Integrity", mildest first."""

    VOID_SUBJECT = "void_subject"
    TREATED_AS_CHEATING = "treated_as_cheating"
    VOID_SITTING_YEAR_BAR = "void_sitting_year_bar"
    MULTI_YEAR_BAN = "multi_year_ban"


@dataclass(frozen=True)
class RelaxationNotice(Reason):
    """A relaxation that applied, or a problem in relaxation data, or a ban that blocks the application."""

    TEMPLATES = _TEMPLATES


@dataclass(frozen=True)
class Ban:
    """An entry of the ban list for one person; the end date is the last day of the ban."""

    ends_on: date
    reason: str
    tier: SanctionTier
    starts_on: date | None = None

    def active_on(self, day: date) -> bool:
        """True while the ban runs (start and end inclusive)."""
        return (self.starts_on is None or self.starts_on <= day) and day <= self.ends_on


def ban_notice(bans: tuple[Ban, ...] | list[Ban], now: date) -> RelaxationNotice | None:
    """The ban that blocks an application on `now` (the one ending last), or None."""
    active = [b for b in bans if b.active_on(now)]
    if not active:
        return None
    ban = max(active, key=lambda b: b.ends_on)
    params = {
        "until": ban.ends_on.isoformat(),
        "may_apply_from": (ban.ends_on + timedelta(days=1)).isoformat(),
        "reason": ban.reason,
        "tier": ban.tier.value,
    }
    return RelaxationNotice("banned_until", params, "ban")


@dataclass(frozen=True)
class Relaxation:
    """A configurable relaxation: who qualifies (kind + minimum service) and how many years come off what."""

    id: str
    kind: str
    min_service_years: int
    reduce_years: int
    applies_to: tuple[str, ...] = DURATION_KINDS
    require_excellent: bool = True  #: first_secretary only: reviews must be rated excellent

    def service(self, profile: Profile, now: date) -> Duration | None:
        """The qualifying service, or None when the profile does not qualify."""
        if self.kind == "grassroots_service":
            periods = [e.period(now) for e in profile.work_history if e.grassroots or e.remote]
            length = work_span(periods, now).length
        else:
            secretary = profile.first_secretary
            if secretary is None or (self.require_excellent and not secretary.excellent):
                return None
            length = period_length(secretary.start, min(secretary.end or now, now))
        return length if length >= Duration.of(self.min_service_years) else None

    def notice(self, service: Duration) -> RelaxationNotice:
        """How the relaxation shows in a verdict."""
        params = {
            "id": self.id,
            "service": service.floor_dict(),
            "min_service": Duration.of(self.min_service_years).as_dict(),
            "reduce": Duration.of(self.reduce_years).as_dict(),
            "applies_to": list(self.applies_to),
        }
        return RelaxationNotice(f"relaxation_{self.kind}", params, self.id)


def choose_relaxation(
    relaxations: tuple[Relaxation, ...] | list[Relaxation], profile: Profile, now: date
) -> tuple[Relaxation, Duration] | None:
    """The qualifying relaxation with the largest reduction (first on a tie) and the service earning it."""
    best: tuple[Relaxation, Duration] | None = None
    for relaxation in relaxations:
        service = relaxation.service(profile, now)
        if service is not None and (best is None or relaxation.reduce_years > best[0].reduce_years):
            best = (relaxation, service)
    return best


def _count(c: list[RelaxationNotice], item: dict[str, Any], key: str, path: str, default: int | None = None) -> int:
    value = item.get(key, default)
    if value is None:
        c.append(RelaxationNotice("required", {"path": f"{path}.{key}"}, f"{path}.{key}"))
        return 0
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        c.append(RelaxationNotice("not_a_count", {"path": f"{path}.{key}", "value": str(value)}, f"{path}.{key}"))
        return 0
    return value


def _relaxation(c: list[RelaxationNotice], raw: Any, path: str) -> Relaxation | None:
    def add(code: str, where: str, **params: Any) -> None:
        c.append(RelaxationNotice(code, {"path": where, **params}, where))

    if not isinstance(raw, dict):
        add("not_an_object", path)
        return None
    fields = {"id", "kind", "min_service_years", "reduce_years", "applies_to", "require_excellent"}
    for extra in sorted(set(raw) - fields):
        add("unknown_field", f"{path}.{extra}")
    rid, kind = raw.get("id"), raw.get("kind")
    if not isinstance(rid, str) or not rid:
        add("required", f"{path}.id")
    if kind not in RELAXATION_KINDS:
        add("not_in_choices", f"{path}.kind", value=str(kind), choices=list(RELAXATION_KINDS))
    applies_to = raw.get("applies_to", list(DURATION_KINDS))
    if not isinstance(applies_to, list) or any(k not in DURATION_KINDS for k in applies_to):
        add("not_in_choices", f"{path}.applies_to", value=str(applies_to), choices=list(DURATION_KINDS))
        applies_to = []
    excellent = raw.get("require_excellent", True)
    if not isinstance(excellent, bool):
        add("not_a_bool", f"{path}.require_excellent")
    min_years = _count(c, raw, "min_service_years", path)
    reduce = _count(c, raw, "reduce_years", path)
    return Relaxation(str(rid), str(kind), min_years, reduce, tuple(applies_to), bool(excellent))


def load_relaxations(data: Any) -> tuple[list[Relaxation] | None, list[RelaxationNotice]]:
    """Read and validate relaxation rules; None and every problem when anything is wrong."""
    problems: list[RelaxationNotice] = []
    items = data.get("relaxations") if isinstance(data, dict) else None
    if not isinstance(items, list):
        problems.append(RelaxationNotice("not_a_list", {"path": "relaxations"}, "relaxations"))
        return None, problems
    loaded = [_relaxation(problems, raw, f"relaxations[{i}]") for i, raw in enumerate(items)]
    seen: set[str] = set()
    for i, relaxation in enumerate(loaded):
        if relaxation and relaxation.id in seen:
            where = f"relaxations[{i}].id"
            problems.append(RelaxationNotice("duplicate_id", {"path": where, "value": relaxation.id}, where))
        seen.add(relaxation.id if relaxation else "")
    if problems:
        return None, problems
    return [r for r in loaded if r is not None], []
