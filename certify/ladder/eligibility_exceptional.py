"""Beyond normal conditions (破格): achievement evidence replaces the conditions (not the assessment).

Routes are data (local thresholds), e.g. 12 years of work + a municipal award → 技师, 15 years + a provincial
(or ministerial) award → 高级技师. Solving a major technical problem counts where a route accepts it. An
expert panel of at least 3 members, an odd number, must approve by majority. Every failing route and every
panel problem is reported at once.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from certify.ladder.eligibility_durations import Duration, comparison_params, work_span
from certify.ladder.eligibility_messages import Reason
from certify.ladder.profile import Profile


class AwardClass(enum.StrEnum):
    """Level of an award, lowest first; "provincial" covers provincial and ministerial awards."""

    MUNICIPAL = "municipal"
    PROVINCIAL = "provincial"
    NATIONAL = "national"

    @property
    def standing(self) -> int:
        """Higher is more senior."""
        return list(AwardClass).index(self)


@dataclass(frozen=True)
class Achievement:
    """Evidence: an award of some class, or a major technical problem solved (award_class None)."""

    obtained_on: date
    award_class: AwardClass | None = None
    major_technical_problem: bool = False
    description: str = ""


@dataclass(frozen=True)
class ExceptionalRoute:
    """A local threshold: years of relevant work plus an award of at least a class → the target level."""

    id: str
    target_ordinal: int
    min_work_years: int
    min_award_class: AwardClass
    accepts_major_problem: bool = True


@dataclass(frozen=True)
class Panel:
    """The expert panel that reviewed the evidence."""

    members: int
    approvals: int


@dataclass(frozen=True)
class PanelPolicy:
    """Panel size rule (DOMAIN.md: ≥ 3 and odd)."""

    min_members: int = 3
    odd: bool = True


DEFAULT_ROUTES: tuple[ExceptionalRoute, ...] = (
    ExceptionalRoute("municipal_award_12_years", 5, 12, AwardClass.MUNICIPAL),
    ExceptionalRoute("provincial_award_15_years", 6, 15, AwardClass.PROVINCIAL),
)

_TEMPLATES: dict[str, tuple[str, str]] = {
    "route_met": (
        "Route {route}: {has} of work and a qualifying achievement qualify for {level}.",
        "破格条件{route}：已累计从事本职业或相关职业工作{has}并具有相应业绩，可破格申报{level}。",
    ),
    "work_years_short": (
        "Route {route}: needs {needed} of work; you have {has}, short by {shortfall}.",
        "破格条件{route}：需累计从事本职业或相关职业工作满{needed}；您已有{has}，还差{shortfall}。",
    ),
    "achievement_missing": (
        "Route {route}: needs a {award_class} or higher, or a major technical problem solved.",
        "破格条件{route}：需获得{award_class}及以上奖励，或解决过重大技术难题。",
    ),
    "award_missing": (
        "Route {route}: needs a {award_class} or higher.",
        "破格条件{route}：需获得{award_class}及以上奖励。",
    ),
    "no_route": (
        "No exceptional route leads to {level}.",
        "{level}没有可适用的破格申报条件。",
    ),
    "panel_too_small": (
        "The expert panel has {members} members; at least {min_members} are required.",
        "专家评审组共{members}人，不得少于{min_members}人。",
    ),
    "panel_even": (
        "The expert panel has {members} members; it must be an odd number.",
        "专家评审组共{members}人，人数应为单数。",
    ),
    "panel_no_majority": (
        "Only {approvals} of {members} panel members approved; a majority is required.",
        "专家评审组{members}人中仅{approvals}人同意，未达到多数。",
    ),
}


@dataclass(frozen=True)
class ExceptionalReason(Reason):
    """Why an exceptional (破格) application may or may not go ahead."""

    TEMPLATES = _TEMPLATES


@dataclass(frozen=True)
class ExceptionalDecision:
    """Eligible under a route (and the panel approved), with every reason."""

    eligible: bool
    route_id: str | None
    reasons: tuple[ExceptionalReason, ...]


def panel_problems(panel: Panel, policy: PanelPolicy | None = None) -> list[ExceptionalReason]:
    """Everything wrong with a panel's size and vote."""
    policy = policy or PanelPolicy()
    problems: list[ExceptionalReason] = []
    if panel.members < policy.min_members:
        problems.append(ExceptionalReason("panel_too_small", {"members": panel.members, **vars(policy)}, "panel"))
    if policy.odd and panel.members % 2 == 0:
        problems.append(ExceptionalReason("panel_even", {"members": panel.members}, "panel"))
    if panel.approvals * 2 <= panel.members:
        params = {"members": panel.members, "approvals": panel.approvals}
        problems.append(ExceptionalReason("panel_no_majority", params, "panel"))
    return problems


def exceptional_talent(
    profile: Profile,
    achievements: tuple[Achievement, ...] | list[Achievement],
    target_ordinal: int,
    panel: Panel,
    now: date,
    routes: tuple[ExceptionalRoute, ...] | list[ExceptionalRoute] = DEFAULT_ROUTES,
    policy: PanelPolicy | None = None,
) -> ExceptionalDecision:
    """Whether achievement evidence lets a person skip the conditions for `target_ordinal` on `now`."""
    reasons: list[ExceptionalReason] = panel_problems(panel, policy)
    panel_ok = not reasons
    candidates = [r for r in routes if r.target_ordinal == target_ordinal]
    if not candidates:
        reasons.append(ExceptionalReason("no_route", {"level": target_ordinal}, "level"))
    periods = [e.period(now) for e in profile.work_history if e.relevant]
    span = work_span(periods, now)
    met: str | None = None
    for route in candidates:
        needed = Duration.of(route.min_work_years)
        passed = True
        if not span.meets(needed):
            params = {"route": route.id} | comparison_params(needed, span, now)
            reasons.append(ExceptionalReason("work_years_short", params, route.id))
            passed = False
        qualifying = [
            a
            for a in achievements
            if a.obtained_on <= now
            and (
                (a.award_class is not None and a.award_class.standing >= route.min_award_class.standing)
                or (route.accepts_major_problem and a.major_technical_problem)
            )
        ]
        if not qualifying:
            code = "achievement_missing" if route.accepts_major_problem else "award_missing"
            params = {"route": route.id, "award_class": route.min_award_class.value}
            reasons.append(ExceptionalReason(code, params, route.id))
            passed = False
        if passed and met is None:
            met = route.id
            has = {"route": route.id, "has": span.length.floor_dict(), "level": target_ordinal}
            reasons.insert(0, ExceptionalReason("route_met", has, route.id))
    return ExceptionalDecision(met is not None and panel_ok, met, tuple(reasons))
