"""Messages for blueprints, feasibility and assembly, and the bridge that carries question_bank's bilingual
problems through `Refused` to forms, flashes and the command line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from certify.core.errors import Problem, register_messages
from question_bank.assembly import AssemblyProblem
from question_bank.blueprint import BlueprintProblem
from question_bank.elements import ElementProblem
from question_bank.feasibility import FeasibilityProblem
from question_bank.problems import Problem as RuleProblem

register_messages(
    {
        "bank_blueprint_name": _l("Give the blueprint a name (at most 200 characters)."),
        "bank_blueprint_occupation": _l("This body is not filed for occupation %(occupation)s."),
        "bank_blueprint_no_table": _l(
            "Occupation %(occupation)s has no assessment-element table yet; import it before writing a blueprint."
        ),
        "bank_blueprint_no_weights": _l(
            "The assessment-element table of %(occupation)s has no weights for level %(level)s."
        ),
        "bank_blueprint_number": _l("%(label)s: enter a number."),
        "bank_blueprint_whole_number": _l("%(label)s: enter a whole number of 0 or more."),
        "bank_blueprint_type_points": _l("%(type)s: enter the points of each question."),
        "bank_blueprint_credit": _l("Multiple-choice credit must be all-or-nothing or partial, not %(value)s."),
        "bank_blueprint_retired": _l("This blueprint is retired; it can no longer be changed or used."),
        "bank_blueprint_state": _l("Only a draft blueprint can be approved; this one is %(state)s."),
        "bank_blueprint_own": _l("You wrote this blueprint, so someone else must approve it (four eyes)."),
        "bank_blueprint_not_approved": _l(
            "Papers are assembled only from an approved blueprint; this one is %(state)s."
        ),
        "bank_assembly_seed": _l("Enter a seed of 1 to 100 characters."),
        "bank_assembly_forms": _l("Assemble between %(low)s and %(high)s forms."),
        "bank_assembly_window": _l("Enter the exposure window (1 to 40 characters, e.g. 2026-12)."),
        "bank_assembly_candidates": _l("Enter the expected candidates as a whole number of 0 or more."),
        "bank_assembly_held_back": _l(
            "Range %(cell)s: %(recent)s eligible questions were held back by recent use and %(exposure)s by the "
            "exposure cap."
        ),
        "bank_pretest_short": _l(
            "Form %(form)s: %(needed)s pretest questions are wanted on points not already on the form, only "
            "%(available)s exist; short by %(short_by)s."
        ),
        "bank_run_label": _l("Name the session the papers were used for (1 to 200 characters)."),
        "bank_run_used": _l("These papers are already recorded as used for %(label)s."),
        "bank_candidate_seed": _l("The candidate seed must be 1 to 100 characters."),
    }
)

#: question_bank's problem classes, to rebuild stored problems (their codes do not collide)
RULE_CLASSES: tuple[type[RuleProblem], ...] = (BlueprintProblem, FeasibilityProblem, ElementProblem, AssemblyProblem)


@dataclass(frozen=True)
class BankRuleProblem(Problem):
    """A problem from question_bank (bilingual) carried in a `Refused`, shown in the request's language."""

    rule: RuleProblem | None = None

    def message(self) -> str:
        if self.rule is None:
            return super().message()
        from certify.core.i18n import current_locale

        return self.rule.message(current_locale())


def rule_problem(problem: RuleProblem, field: str | None = None) -> BankRuleProblem:
    """Wrap a question_bank problem for `Refused`, on `field` (default: where the problem says it is)."""
    return BankRuleProblem(problem.code, field if field is not None else problem.where, dict(problem.params), problem)


def stored_problem(data: dict[str, Any]) -> RuleProblem:
    """A problem rebuilt from its `to_json()` form (as stored in a feasibility report)."""
    for cls in RULE_CLASSES:
        if data.get("code") in cls.TEMPLATES:
            return cls(data["code"], data.get("where", ""), dict(data.get("params") or {}))
    return _Unknown("unknown", data.get("where", ""), {"text": data.get("message", data.get("code", ""))})


class _Unknown(RuleProblem):
    TEMPLATES = {"unknown": {"en": "{text}", "zh_CN": "{text}"}}


def problem_text(problem: Problem, locale: str) -> str:
    """A refusal's problem in `locale` ("en"/"zh_CN"), for the command line (no request)."""
    if isinstance(problem, BankRuleProblem) and problem.rule is not None:
        return problem.rule.message(locale)
    from flask_babel import force_locale

    with force_locale(locale):
        return problem.message()
