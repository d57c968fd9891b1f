"""The eligibility engine (申报条件): a profile against a rule set for one level, on an explicit date.

Pure: no database, no clock. The web form (live verdict before submitting) and the CLI
(`flask --app wsgi ladder eligibility PROFILE.json --occupation CODE --level N [--at DATE]`) both call
`evaluate` and render `Verdict.to_json()`. The pieces live in:

* `eligibility_durations`: inclusive, overlap-merged, calendar-month work durations (convention stated there);
* `eligibility_checks`: the registry of check kinds (work_years, prior_level_years, education, title_years,
  age, apprenticeship);
* `eligibility_rulesets`: rule sets as JSON (`rulesets/*.json`), loading with validation, bundled sets;
* `eligibility_relaxations`: relaxations and the ban list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from certify.ladder.eligibility_checks import CHECK_KINDS, CheckContext, CheckResult
from certify.ladder.eligibility_messages import Reason
from certify.ladder.eligibility_relaxations import (
    Ban,
    Relaxation,
    RelaxationNotice,
    SanctionTier,
    ban_notice,
    choose_relaxation,
    load_relaxations,
)
from certify.ladder.eligibility_rulesets import (
    Option,
    RuleSet,
    RuleSetProblem,
    load_bundled_rulesets,
    load_ruleset,
    read_bundled,
    ruleset_for_occupation,
    ruleset_to_json,
)
from certify.ladder.levels import BY_ORDINAL
from certify.ladder.profile import Profile

__all__ = [
    "CHECK_KINDS",
    "Ban",
    "CheckResult",
    "OptionResult",
    "Relaxation",
    "RuleSet",
    "RuleSetProblem",
    "SanctionTier",
    "Verdict",
    "bundled_relaxations",
    "evaluate",
    "load_bundled_rulesets",
    "load_relaxations",
    "load_ruleset",
    "ruleset_for_occupation",
    "ruleset_to_json",
]

_TEMPLATES: dict[str, tuple[str, str]] = {
    "level_not_covered": (
        "The rule set {ruleset} has no application conditions for {level}.",
        "规则集{ruleset}未规定{level}的申报条件。",
    ),
}


@dataclass(frozen=True)
class VerdictProblem(Reason):
    """A problem with the question itself (e.g. a level the rule set does not cover)."""

    TEMPLATES = _TEMPLATES


@dataclass(frozen=True)
class OptionResult:
    """One option of the standard: passed when every check passed."""

    option: Option
    passed: bool
    checks: tuple[CheckResult, ...]

    @property
    def failing(self) -> tuple[CheckResult, ...]:
        """The checks that did not pass."""
        return tuple(c for c in self.checks if not c.passed)

    def to_json(self, locale: str) -> dict[str, Any]:
        """The option with every check, rendered."""
        return {
            "id": self.option.id,
            "label": self.option.label_in(locale),
            "passed": self.passed,
            "checks": [_check_json(c, locale) for c in self.checks],
        }


def _check_json(check: CheckResult, locale: str) -> dict[str, Any]:
    return {"kind": check.kind, "code": check.code, "passed": check.passed, "params": check.params} | {
        "message": check.message(locale)
    }


@dataclass(frozen=True)
class Verdict:
    """Whether a profile may apply for a level on a date, why, and why not."""

    eligible: bool
    ruleset_id: str
    level: int
    at: date
    satisfied_option: OptionResult | None
    options: tuple[OptionResult, ...]
    relaxations_applied: tuple[RelaxationNotice, ...] = ()
    ban: RelaxationNotice | None = None
    problems: tuple[VerdictProblem, ...] = field(default_factory=tuple)

    def to_json(self, locale: str = "zh_CN") -> dict[str, Any]:
        """The CLI/API shape: eligible, the satisfied option, every failing check with its shortfall."""
        level = BY_ORDINAL.get(self.level)
        satisfied = self.satisfied_option
        return {
            "eligible": self.eligible,
            "ruleset": self.ruleset_id,
            "level": {"ordinal": self.level, "label": level.label(locale) if level else str(self.level)},
            "at": self.at.isoformat(),
            "satisfied_option": (
                {"id": satisfied.option.id, "label": satisfied.option.label_in(locale)} if satisfied else None
            ),
            "failing_checks": [
                {"option": o.option.id} | _check_json(c, locale) for o in self.options for c in o.failing
            ],
            "options": [o.to_json(locale) for o in self.options],
            "relaxations_applied": [r.to_json(locale) for r in self.relaxations_applied],
            "ban": self.ban.to_json(locale) if self.ban else None,
            "problems": [p.to_json(locale) for p in self.problems],
        }


def bundled_relaxations() -> list[Relaxation]:
    """The shipped relaxation rules (`rulesets/relaxations.json`); broken shipped data raises."""
    relaxations, problems = load_relaxations(read_bundled("relaxations"))
    if relaxations is None:
        raise ValueError(f"shipped relaxations are invalid: {[p.message('en') for p in problems]}")
    return relaxations


def evaluate(
    profile: Profile,
    ruleset: RuleSet,
    level_ordinal: int,
    now: date,
    relaxations: tuple[Relaxation, ...] | list[Relaxation] = (),
    bans: tuple[Ban, ...] | list[Ban] = (),
) -> Verdict:
    """Evaluate every option of the level on `now`; eligible when one option passes and no ban is active."""
    options = ruleset.options_for(level_ordinal)
    problems: list[VerdictProblem] = []
    if not options:
        params = {"ruleset": ruleset.id, "level": level_ordinal}
        problems.append(VerdictProblem("level_not_covered", params, "level"))
    chosen = choose_relaxation(relaxations, profile, now)
    relief: dict[str, int] = {}
    applied: list[RelaxationNotice] = []
    if chosen is not None:
        relaxation, service = chosen
        relief = dict.fromkeys(relaxation.applies_to, relaxation.reduce_years * 12)
        # Shown only where the level has a requirement the relaxation actually shortens.
        if any(check.kind in relief for option in options for check in option.checks):
            applied.append(relaxation.notice(service))
    ctx = CheckContext(now, relief if applied else {})
    results = []
    for option in options:
        checks = tuple(check.evaluate(profile, ctx) for check in option.checks)
        results.append(OptionResult(option, all(c.passed for c in checks), checks))
    satisfied = next((r for r in results if r.passed), None)
    ban = ban_notice(bans, now)
    return Verdict(
        eligible=satisfied is not None and ban is None and not problems,
        ruleset_id=ruleset.id,
        level=level_ordinal,
        at=now,
        satisfied_option=satisfied,
        options=tuple(results),
        relaxations_applied=tuple(applied),
        ban=ban,
        problems=tuple(problems),
    )
