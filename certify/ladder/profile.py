"""The applicant profile that eligibility is computed from, and its JSON form (for the CLI and the web form).

JSON schema of a profile file (every date is ISO `YYYY-MM-DD`; unknown keys are reported, not ignored)::

    {
      "birth_date": "1990-05-01",                     # needed by age checks
      "work_history": [                               # any order; overlaps are merged
        {"employer": "某某博物馆", "start": "2012-07-01", "end": null,   # end null = still working there
         "job": "文物修复", "relevant": true,           # relevant: same or related occupation (default true)
         "grassroots": false, "remote": false}         # service at grassroots level / in a remote area
      ],
      "education": [
        {"school_type": "technical_school",           # junior_secondary, senior_secondary,
                                                      # secondary_vocational, technical_school,
                                                      # senior_technical_school, technician_college,
                                                      # vocational_college (大专), bachelor, master, doctorate
         "major": "文物保护技术", "relevance": "same",  # same / related / unrelated
         "graduated_on": "2012-06-30",                # or null with "final_year": true (应届在读)
         "final_year": false}
      ],
      "certificates": [                               # prior skill certificates
        {"level": 3, "issued_on": "2016-12-20",        # level = ladder ordinal 2–6; may be left out when
         "number": "S000011000001163000123"}           # the number (22-char or legacy 16-digit) names it
      ],
      "titles": [{"grade": "junior", "obtained_on": "2018-09-01", "name": "助理馆员"}],
                                                      # grade: junior / intermediate / senior
      "apprenticeship_completed_on": null,
      "first_secretary": {"start": "2021-03-01", "end": null, "excellent": true}   # village first secretary
    }

`profile_from_json` returns the profile and every problem found, each with a path such as
`work_history[2].start`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from typing import Any

from certify.certificates.numbers import CertificateNumber, LegacyNumber, NumberProblem, parse_number
from certify.ladder.eligibility_messages import JSON_TEMPLATES, Reason
from certify.ladder.levels import BY_GRADE_DIGIT

#: Ladder ordinals a prior (certified) skill certificate can carry: 初级工 … 高级技师.
CERTIFIED_ORDINALS = (2, 3, 4, 5, 6)


class SchoolType(enum.StrEnum):
    """School types as eligibility rules name them, lowest first."""

    JUNIOR_SECONDARY = "junior_secondary"
    SENIOR_SECONDARY = "senior_secondary"
    SECONDARY_VOCATIONAL = "secondary_vocational"
    TECHNICAL_SCHOOL = "technical_school"
    SENIOR_TECHNICAL_SCHOOL = "senior_technical_school"
    TECHNICIAN_COLLEGE = "technician_college"
    VOCATIONAL_COLLEGE = "vocational_college"
    BACHELOR = "bachelor"
    MASTER = "master"
    DOCTORATE = "doctorate"


class Relevance(enum.StrEnum):
    """How a major relates to the occupation."""

    SAME = "same"
    RELATED = "related"
    UNRELATED = "unrelated"


class TitleGrade(enum.StrEnum):
    """Professional title (职称) grade; senior covers 副高 and 正高."""

    JUNIOR = "junior"
    INTERMEDIATE = "intermediate"
    SENIOR = "senior"


@dataclass(frozen=True)
class WorkEntry:
    """One job in the work history; `end` None means still working there."""

    employer: str
    start: date
    end: date | None = None
    job: str = ""
    relevant: bool = True  #: same or related occupation, so it counts towards work years
    grassroots: bool = False
    remote: bool = False

    def period(self, now: date) -> tuple[date, date]:
        """The inclusive period worked up to `now` (an ongoing job runs to `now`)."""
        return self.start, min(self.end or now, now)


@dataclass(frozen=True)
class EducationEntry:
    """A school attended: graduated on a date, or in the final year (应届毕业生)."""

    school_type: SchoolType
    major: str
    relevance: Relevance
    graduated_on: date | None = None
    final_year: bool = False


@dataclass(frozen=True)
class PriorCertificate:
    """A skill certificate already held (level = ladder ordinal)."""

    level: int
    issued_on: date
    number: str = ""


@dataclass(frozen=True)
class Title:
    """A professional title (职称)."""

    grade: TitleGrade
    obtained_on: date
    name: str = ""


@dataclass(frozen=True)
class FirstSecretaryService:
    """Service as a first secretary stationed in a village (驻村第一书记)."""

    start: date
    end: date | None = None
    excellent: bool = False  #: reviews rated excellent (考核优秀)


@dataclass(frozen=True)
class Profile:
    """Everything eligibility rules read about an applicant."""

    birth_date: date | None = None
    work_history: tuple[WorkEntry, ...] = ()
    education: tuple[EducationEntry, ...] = ()
    certificates: tuple[PriorCertificate, ...] = ()
    titles: tuple[Title, ...] = ()
    apprenticeship_completed_on: date | None = None
    first_secretary: FirstSecretaryService | None = None


_TEMPLATES: dict[str, tuple[str, str]] = JSON_TEMPLATES | {
    "not_a_date": (
        "{path}: “{value}” is not a date (use YYYY-MM-DD).",
        "{path}：“{value}”不是有效日期（格式为YYYY-MM-DD）。",
    ),
    "end_before_start": (
        "{path}: the end date {end} is before the start date {start}.",
        "{path}：结束日期{end}早于开始日期{start}。",
    ),
    "graduation_missing": (
        "{path}: give the graduation date, or mark the entry as final year.",
        "{path}：请填写毕业日期，或注明为应届毕业生。",
    ),
    "level_not_certified": (
        "{path}: {level} is not a certified skill level (use 2–6).",
        "{path}：{level}不是经认定取得的技能等级（应为2–6）。",
    ),
    "level_or_number_required": (
        "{path}: give the level or a certificate number that names it.",
        "{path}：请填写等级，或填写能识别等级的证书编号。",
    ),
    "certificate_number_invalid": (
        "{path}: wrong certificate number. {detail}",
        "{path}：证书编号有误。{detail}",
    ),
    "certificate_level_mismatch": (
        "{path}: the number names {number_level} but the entry says {level}.",
        "{path}：证书编号显示的等级为{number_level}，与填写的{level}不一致。",
    ),
    "certificate_year_mismatch": (
        "{path}: the number was issued in {number_year} but the issue date is in {year}.",
        "{path}：证书编号中的核发年份为{number_year}年，与发证日期所在的{year}年不一致。",
    ),
}


@dataclass(frozen=True)
class ProfileProblem(Reason):
    """One thing wrong with a profile file, with its JSON path."""

    TEMPLATES = _TEMPLATES


def level_from_certificate_number(number: str) -> tuple[int | None, list[NumberProblem]]:
    """The ladder ordinal named by a 22-character or legacy 16-digit number, or None and every problem."""
    parsed, problems = parse_number(number)
    if parsed is None:
        return None, list(problems)
    return _number_level(parsed), []


def _number_level(parsed: CertificateNumber | LegacyNumber) -> int | None:
    """Legacy numbers carry the grade at position 11, 22-character ones at position 16."""
    if isinstance(parsed, LegacyNumber):
        level = BY_GRADE_DIGIT.get(parsed.grade_digit)
        return level.ordinal if level else None
    return parsed.level_ordinal


class _Reader:
    """Collects problems while reading typed values out of JSON."""

    def __init__(self) -> None:
        self.problems: list[ProfileProblem] = []

    def add(self, code: str, path: str, **params: Any) -> None:
        self.problems.append(ProfileProblem(code, {"path": path or "(profile)", **params}, path))

    def obj(self, value: Any, path: str, allowed: set[str]) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.add("not_an_object", path)
            return None
        for key in sorted(set(value) - allowed):
            self.add("unknown_field", f"{path}.{key}" if path else key)
        return value

    def items(self, data: dict[str, Any], key: str) -> list[tuple[str, Any]]:
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.add("not_a_list", key)
            return []
        return [(f"{key}[{i}]", item) for i, item in enumerate(value)]

    def date(self, data: dict[str, Any], key: str, path: str, *, required: bool = False) -> date | None:
        value = data.get(key)
        where = f"{path}.{key}" if path else key
        if value is None:
            if required:
                self.add("required", where)
            return None
        try:
            # Only the plain YYYY-MM-DD form: fromisoformat alone would also take "20200101".
            if isinstance(value, str) and len(value) == 10:
                return date.fromisoformat(value)
        except ValueError:
            pass
        self.add("not_a_date", where, value=str(value))
        return None

    def text(self, data: dict[str, Any], key: str, path: str, *, required: bool = False) -> str:
        value = data.get(key)
        if value is None or (required and isinstance(value, str) and not value.strip()):
            if required:
                self.add("required", f"{path}.{key}")
            return ""
        if not isinstance(value, str):
            self.add("not_a_string", f"{path}.{key}")
            return ""
        return value.strip()

    def flag(self, data: dict[str, Any], key: str, path: str, default: bool = False) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.add("not_a_bool", f"{path}.{key}")
            return default
        return value

    def choice(self, data: dict[str, Any], key: str, path: str, enum_cls: type[enum.StrEnum]) -> Any:
        value = data.get(key)
        if value is None:
            self.add("required", f"{path}.{key}")
            return None
        try:
            return enum_cls(value)
        except ValueError:
            self.add("not_in_choices", f"{path}.{key}", value=str(value), choices=[m.value for m in enum_cls])
            return None


def _work(r: _Reader, path: str, raw: Any) -> WorkEntry | None:
    keys = {"employer", "start", "end", "job", "relevant", "grassroots", "remote"}
    item = r.obj(raw, path, keys)
    if item is None:
        return None
    employer = r.text(item, "employer", path, required=True)
    start, end = r.date(item, "start", path, required=True), r.date(item, "end", path)
    job = r.text(item, "job", path)
    flags = [r.flag(item, key, path, key == "relevant") for key in ("relevant", "grassroots", "remote")]
    if start and end and end < start:
        r.add("end_before_start", f"{path}.end", start=start.isoformat(), end=end.isoformat())
        return None
    if not (employer and start):
        return None
    return WorkEntry(employer, start, end, job, *flags)


def _education(r: _Reader, path: str, raw: Any) -> EducationEntry | None:
    item = r.obj(raw, path, {"school_type", "major", "relevance", "graduated_on", "final_year"})
    if item is None:
        return None
    school_type = r.choice(item, "school_type", path, SchoolType)
    major = r.text(item, "major", path)
    relevance = r.choice(item, "relevance", path, Relevance)
    graduated_on = r.date(item, "graduated_on", path)
    final_year = r.flag(item, "final_year", path)
    if graduated_on is None and not final_year and "graduated_on" not in item:
        r.add("graduation_missing", f"{path}.graduated_on")
    if school_type is None or relevance is None:
        return None
    return EducationEntry(school_type, major, relevance, graduated_on, final_year)


def _certificate(r: _Reader, path: str, raw: Any) -> PriorCertificate | None:
    item = r.obj(raw, path, {"level", "issued_on", "number"})
    if item is None:
        return None
    issued_on = r.date(item, "issued_on", path, required=True)
    number = r.text(item, "number", path)
    level = item.get("level")
    if level is not None and (not isinstance(level, int) or isinstance(level, bool)):
        r.add("not_an_integer", f"{path}.level")
        level = None
    elif level is not None and level not in CERTIFIED_ORDINALS:
        r.add("level_not_certified", f"{path}.level", level=level)
        level = None
    number_level: int | None = None
    if number:
        parsed, problems = parse_number(number)
        for problem in problems:
            detail = {"en": problem.message("en"), "zh_CN": problem.message("zh_CN")}
            r.add("certificate_number_invalid", f"{path}.number", detail=detail, number_code=problem.code)
        if parsed is not None:
            number_level = _number_level(parsed)
            if issued_on and parsed.year != issued_on.year:
                mismatch = {"number_year": parsed.year, "year": issued_on.year}
                r.add("certificate_year_mismatch", f"{path}.number", **mismatch)
    if level is not None and number_level is not None and level != number_level:
        r.add("certificate_level_mismatch", f"{path}.level", number_level=number_level, level=level)
    level = level if level is not None else number_level
    if level is None and "level" not in item and not number:
        r.add("level_or_number_required", f"{path}.level")
    if level is None or issued_on is None:
        return None
    return PriorCertificate(level, issued_on, number)


def _title(r: _Reader, path: str, raw: Any) -> Title | None:
    item = r.obj(raw, path, {"grade", "obtained_on", "name"})
    if item is None:
        return None
    grade = r.choice(item, "grade", path, TitleGrade)
    obtained_on = r.date(item, "obtained_on", path, required=True)
    name = r.text(item, "name", path)
    return Title(grade, obtained_on, name) if grade and obtained_on else None


def _first_secretary(r: _Reader, raw: Any) -> FirstSecretaryService | None:
    if raw is None:
        return None
    item = r.obj(raw, "first_secretary", {"start", "end", "excellent"})
    if item is None:
        return None
    start = r.date(item, "start", "first_secretary", required=True)
    end = r.date(item, "end", "first_secretary")
    excellent = r.flag(item, "excellent", "first_secretary")
    if start and end and end < start:
        r.add("end_before_start", "first_secretary.end", start=start.isoformat(), end=end.isoformat())
        return None
    return FirstSecretaryService(start, end, excellent) if start else None


_TOP_LEVEL = {
    "birth_date",
    "work_history",
    "education",
    "certificates",
    "titles",
    "apprenticeship_completed_on",
    "first_secretary",
}


def profile_from_json(data: Any) -> tuple[Profile | None, list[ProfileProblem]]:
    """Read a profile from parsed JSON; None and every problem (with its path) when anything is wrong."""
    r = _Reader()
    top = r.obj(data, "", _TOP_LEVEL)
    if top is None:
        return None, r.problems
    birth_date = r.date(top, "birth_date", "")
    work = [_work(r, p, raw) for p, raw in r.items(top, "work_history")]
    education = [_education(r, p, raw) for p, raw in r.items(top, "education")]
    certificates = [_certificate(r, p, raw) for p, raw in r.items(top, "certificates")]
    titles = [_title(r, p, raw) for p, raw in r.items(top, "titles")]
    apprenticeship = r.date(top, "apprenticeship_completed_on", "")
    secretary = _first_secretary(r, top.get("first_secretary"))
    if r.problems:
        return None, r.problems
    profile = Profile(
        birth_date=birth_date,
        work_history=tuple(w for w in work if w),
        education=tuple(e for e in education if e),
        certificates=tuple(c for c in certificates if c),
        titles=tuple(t for t in titles if t),
        apprenticeship_completed_on=apprenticeship,
        first_secretary=secretary,
    )
    return profile, []
