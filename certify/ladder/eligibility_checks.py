"""Check kinds of eligibility options, as a registry: one class per kind that reads its data and evaluates.

Every check returns a `CheckResult` (passed or not) with a stable code and params; duration checks carry
`needed`, `has` and `shortfall` as {years, months, days} (see `eligibility_durations` for the convention).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

from certify.ladder.eligibility_durations import (
    Duration,
    add_years,
    age_on,
    clip_periods,
    comparison_params,
    work_span,
)
from certify.ladder.eligibility_messages import Reason
from certify.ladder.profile import CERTIFIED_ORDINALS, Profile, Relevance, SchoolType, TitleGrade

_WORK = "本职业或相关职业工作"
CHECK_TEMPLATES: dict[str, tuple[str, str]] = {
    "work_years_met": (
        "Has {has} of work in the occupation or a related one (needs {needed}).",
        f"已累计从事{_WORK}{{has}}（要求{{needed}}）。",
    ),
    "work_years_short": (
        "Needs {needed} of work in the occupation or a related one; you have {has}, short by {shortfall}.",
        f"需累计从事{_WORK}满{{needed}}；您已有{{has}}，还差{{shortfall}}。",
    ),
    "prior_level_held": ("Holds a {level} certificate.", "已取得{level}证书。"),
    "prior_level_missing": (
        "Needs a {level} certificate of this or a related occupation; none is on file.",
        "需取得本职业或相关职业{level}证书；未提供该证书。",
    ),
    "prior_level_years_met": (
        "Has {has} of work since the {level} certificate (needs {needed}).",
        f"取得{{level}}证书后已累计从事{_WORK}{{has}}（要求{{needed}}）。",
    ),
    "prior_level_years_short": (
        "Needs {needed} of work after obtaining the {level} certificate; you have {has}, short by {shortfall}.",
        f"需取得{{level}}证书后累计从事{_WORK}满{{needed}}；您已有{{has}}，还差{{shortfall}}。",
    ),
    "education_met": (
        "Education qualifies: {school_type} in {relevance}.",
        "学历符合：{school_type}，{relevance}。",
    ),
    "education_missing": (
        "Needs a diploma of {school_types} in {relevances} (final-year students count); none qualifies.",
        "需具有{school_types}{relevances}毕业证书（含尚未取得毕业证书的在校应届毕业生）；您的学历均不符合。",
    ),
    "education_missing_graduated": (
        "Needs a diploma of {school_types} in {relevances}, already awarded; none qualifies.",
        "需已取得{school_types}{relevances}毕业证书；您的学历均不符合。",
    ),
    "title_met": (
        "Holds a {grade} with {has} of work since (needs {needed}).",
        f"取得{{grade}}后已累计从事{_WORK}{{has}}（要求{{needed}}）。",
    ),
    "title_missing": (
        "Needs a {grade} (or higher); none is on file.",
        "需取得{grade}（或更高级别职称）；未提供。",
    ),
    "title_years_short": (
        "Needs {needed} of work after obtaining a {grade}; you have {has}, short by {shortfall}.",
        f"需取得{{grade}}后累计从事{_WORK}满{{needed}}；您已有{{has}}，还差{{shortfall}}。",
    ),
    "age_met": ("Is {age} years old (needs at least {min_age}).", "年龄{age}周岁（要求年满{min_age}周岁）。"),
    "age_too_young": (
        "Must be at least {min_age} years old; you are {age} and reach {min_age} on {reached_on}.",
        "须年满{min_age}周岁；您现年{age}周岁，将于{reached_on}满{min_age}周岁。",
    ),
    "birth_date_missing": (
        "Must be at least {min_age} years old; no birth date is on file.",
        "须年满{min_age}周岁；未提供出生日期。",
    ),
    "apprenticeship_met": ("Apprenticeship completed on {completed_on}.", "已于{completed_on}学徒期满。"),
    "apprenticeship_missing": (
        "Needs a completed apprenticeship in this or a related occupation.",
        "需本职业或相关职业学徒期满。",
    ),
}


@dataclass(frozen=True)
class CheckResult(Reason):
    """The outcome of one check: passed or not, with what was needed, what the applicant has and the gap."""

    TEMPLATES = CHECK_TEMPLATES

    passed: bool = False
    kind: str = ""


@dataclass(frozen=True)
class CheckContext:
    """What a check needs besides the profile: the date and any relief (months off, per check kind)."""

    now: date
    relief_months: dict[str, int] = field(default_factory=dict)

    def needed(self, kind: str, years: int, months: int = 0) -> tuple[Duration, int]:
        """The requirement after relief, never below zero, and the months of relief actually used."""
        required = years * 12 + months
        relief = min(self.relief_months.get(kind, 0), required)
        return Duration(required - relief, 0), relief


@dataclass(frozen=True)
class DataProblem:
    """A problem in check data: the field (relative to the check) and a code with params."""

    field: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)


def _int(data: dict[str, Any], key: str, problems: list[DataProblem], *, default: int | None = None) -> int:
    value = data.get(key, default)
    if value is None:
        problems.append(DataProblem(key, "required"))
        return 0
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        problems.append(DataProblem(key, "not_a_count", {"value": str(value)}))
        return 0
    return value


def _choices(data: dict[str, Any], key: str, allowed: list[str], problems: list[DataProblem]) -> list[str]:
    value = data.get(key)
    if not isinstance(value, list) or not value:
        problems.append(DataProblem(key, "required"))
        return []
    bad = [str(v) for v in value if v not in allowed]
    if bad:
        problems.append(DataProblem(key, "not_in_choices", {"value": ", ".join(bad), "choices": allowed}))
    return [v for v in value if v in allowed]


class Check:
    """Base of the check kinds; `fields` lists the data keys a kind accepts besides `kind`."""

    kind: ClassVar[str] = ""
    fields: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> tuple[Check, list[DataProblem]]:
        """Build the check from its data, with every problem in that data."""
        raise NotImplementedError

    def to_data(self) -> dict[str, Any]:
        """The check as data (what `from_data` reads)."""
        raise NotImplementedError

    def evaluate(self, profile: Profile, ctx: CheckContext) -> CheckResult:
        """Whether the profile passes, with params for the message."""
        raise NotImplementedError

    def _result(self, passed: bool, code: str, **params: Any) -> CheckResult:
        return CheckResult(code=code, params=params, passed=passed, kind=self.kind)


CHECK_KINDS: dict[str, type[Check]] = {}


def register(cls: type[Check]) -> type[Check]:
    """Add a check kind to the registry (used as a class decorator)."""
    CHECK_KINDS[cls.kind] = cls
    return cls


def _relevant_periods(profile: Profile, now: date) -> list[tuple[date, date]]:
    return [entry.period(now) for entry in profile.work_history if entry.relevant]


def _work_after(profile: Profile, since: date, now: date) -> list[tuple[date, date]]:
    return clip_periods(_relevant_periods(profile, now), since, now)


def _duration_check(
    check: Check,
    ctx: CheckContext,
    periods: list[tuple[date, date]],
    years: int,
    codes: tuple[str, str],
    **extra,
) -> CheckResult:
    """Compare worked periods with `years` (after relief); shared by the three duration kinds."""
    needed, relief = ctx.needed(check.kind, years)
    span = work_span(periods, ctx.now)
    params = comparison_params(needed, span, ctx.now) | extra
    if relief:
        params["relief"] = Duration(relief, 0).as_dict()
    passed = span.meets(needed)
    return check._result(passed, codes[0] if passed else codes[1], **params)


@register
@dataclass(frozen=True)
class WorkYears(Check):
    """Cumulative years of relevant work (overlaps merged, inclusive)."""

    kind: ClassVar[str] = "work_years"
    fields: ClassVar[tuple[str, ...]] = ("years",)
    years: int = 0

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> tuple[Check, list[DataProblem]]:
        problems: list[DataProblem] = []
        return cls(_int(data, "years", problems)), problems

    def to_data(self) -> dict[str, Any]:
        return {"kind": self.kind, "years": self.years}

    def evaluate(self, profile: Profile, ctx: CheckContext) -> CheckResult:
        periods = _relevant_periods(profile, ctx.now)
        return _duration_check(self, ctx, periods, self.years, ("work_years_met", "work_years_short"))


@register
@dataclass(frozen=True)
class PriorLevelYears(Check):
    """Holds a `level` (or higher) certificate and has worked `years` since it was issued (0 = just held)."""

    kind: ClassVar[str] = "prior_level_years"
    fields: ClassVar[tuple[str, ...]] = ("level", "years")
    level: int = 2
    years: int = 0

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> tuple[Check, list[DataProblem]]:
        problems: list[DataProblem] = []
        level = _int(data, "level", problems)
        if level and level not in CERTIFIED_ORDINALS:
            problems.append(DataProblem("level", "level_not_certified", {"level": level}))
        return cls(level, _int(data, "years", problems, default=0)), problems

    def to_data(self) -> dict[str, Any]:
        return {"kind": self.kind, "level": self.level, "years": self.years}

    def evaluate(self, profile: Profile, ctx: CheckContext) -> CheckResult:
        held = [c for c in profile.certificates if c.level >= self.level and c.issued_on <= ctx.now]
        if not held:
            return self._result(False, "prior_level_missing", level=self.level)
        if self.years == 0:
            return self._result(True, "prior_level_held", level=self.level)
        # The earliest qualifying certificate leaves the most work after it.
        since = min(c.issued_on for c in held)
        periods = _work_after(profile, since, ctx.now)
        codes = ("prior_level_years_met", "prior_level_years_short")
        return _duration_check(self, ctx, periods, self.years, codes, level=self.level, since=since.isoformat())


@register
@dataclass(frozen=True)
class Education(Check):
    """A diploma of a school in `school_types`, major in `relevances`; final-year students if allowed."""

    kind: ClassVar[str] = "education"
    fields: ClassVar[tuple[str, ...]] = ("school_types", "relevances", "allow_final_year")
    school_types: tuple[str, ...] = ()
    relevances: tuple[str, ...] = ("same", "related")
    allow_final_year: bool = True

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> tuple[Check, list[DataProblem]]:
        problems: list[DataProblem] = []
        types = _choices(data, "school_types", [s.value for s in SchoolType], problems)
        relevances = _choices(data, "relevances", [r.value for r in Relevance], problems)
        final_year = data.get("allow_final_year", True)
        if not isinstance(final_year, bool):
            problems.append(DataProblem("allow_final_year", "not_a_bool"))
            final_year = True
        return cls(tuple(types), tuple(relevances), final_year), problems

    def to_data(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "school_types": list(self.school_types),
            "relevances": list(self.relevances),
            "allow_final_year": self.allow_final_year,
        }

    def evaluate(self, profile: Profile, ctx: CheckContext) -> CheckResult:
        for entry in profile.education:
            if entry.school_type not in self.school_types or entry.relevance not in self.relevances:
                continue
            graduated = entry.graduated_on is not None and entry.graduated_on <= ctx.now
            if graduated or (self.allow_final_year and (entry.final_year or entry.graduated_on is not None)):
                return self._result(
                    True,
                    "education_met",
                    school_type=entry.school_type.value,
                    relevance=entry.relevance.value,
                )
        code = "education_missing" if self.allow_final_year else "education_missing_graduated"
        return self._result(False, code, school_types=list(self.school_types), relevances=list(self.relevances))


@register
@dataclass(frozen=True)
class TitleYears(Check):
    """Holds a professional title of `grade` (or higher) and has worked `years` since obtaining it."""

    kind: ClassVar[str] = "title_years"
    fields: ClassVar[tuple[str, ...]] = ("grade", "years")
    grade: str = "junior"
    years: int = 0

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> tuple[Check, list[DataProblem]]:
        problems: list[DataProblem] = []
        grade = data.get("grade")
        grades = [g.value for g in TitleGrade]
        if grade not in grades:
            problems.append(DataProblem("grade", "not_in_choices", {"value": str(grade), "choices": grades}))
            grade = "junior"
        return cls(grade, _int(data, "years", problems, default=0)), problems

    def to_data(self) -> dict[str, Any]:
        return {"kind": self.kind, "grade": self.grade, "years": self.years}

    def evaluate(self, profile: Profile, ctx: CheckContext) -> CheckResult:
        order = [g.value for g in TitleGrade]
        held = [
            t for t in profile.titles if order.index(t.grade) >= order.index(self.grade) and t.obtained_on <= ctx.now
        ]
        if not held:
            return self._result(False, "title_missing", grade=self.grade)
        since = min(t.obtained_on for t in held)
        periods = _work_after(profile, since, ctx.now)
        codes = ("title_met", "title_years_short")
        return _duration_check(self, ctx, periods, self.years, codes, grade=self.grade, since=since.isoformat())


@register
@dataclass(frozen=True)
class Age(Check):
    """At least `min_age` full years old on the evaluation date."""

    kind: ClassVar[str] = "age"
    fields: ClassVar[tuple[str, ...]] = ("min_age",)
    min_age: int = 16

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> tuple[Check, list[DataProblem]]:
        problems: list[DataProblem] = []
        return cls(_int(data, "min_age", problems, default=16)), problems

    def to_data(self) -> dict[str, Any]:
        return {"kind": self.kind, "min_age": self.min_age}

    def evaluate(self, profile: Profile, ctx: CheckContext) -> CheckResult:
        if profile.birth_date is None:
            return self._result(False, "birth_date_missing", min_age=self.min_age)
        age = age_on(profile.birth_date, ctx.now)
        if age >= self.min_age:
            return self._result(True, "age_met", age=age, min_age=self.min_age)
        reached = add_years(profile.birth_date, self.min_age)
        return self._result(False, "age_too_young", age=age, min_age=self.min_age, reached_on=reached.isoformat())


@register
@dataclass(frozen=True)
class Apprenticeship(Check):
    """An apprenticeship completed on or before the evaluation date."""

    kind: ClassVar[str] = "apprenticeship"

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> tuple[Check, list[DataProblem]]:
        return cls(), []

    def to_data(self) -> dict[str, Any]:
        return {"kind": self.kind}

    def evaluate(self, profile: Profile, ctx: CheckContext) -> CheckResult:
        done = profile.apprenticeship_completed_on
        if done is not None and done <= ctx.now:
            return self._result(True, "apprenticeship_met", completed_on=done.isoformat())
        return self._result(False, "apprenticeship_missing")


#: Check kinds whose requirement is a duration, so relaxations may shorten it.
DURATION_KINDS = ("work_years", "prior_level_years", "title_years")
