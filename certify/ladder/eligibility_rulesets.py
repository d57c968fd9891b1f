"""Eligibility rule sets as data: per level ordinal, options (ANY one qualifies), each an AND of checks.

JSON shape (what `load_ruleset` reads, `ruleset_to_json` writes and the staff edit form round-trips)::

    {
      "id": "template_2018",
      "name": {"zh_CN": "2018年版国家职业技能标准申报条件", "en": "2018 standard template"},
      "standard_version": "2018",
      "occupations": ["4-13-03-02"],              # occupation codes this set is the default for
      "levels": {                                 # ladder ordinals 2–6 as keys
        "2": [
          {"id": "L5-1", "label": {"zh_CN": "…", "en": "…"},
           "checks": [{"kind": "work_years", "years": 1}]}
        ]
      }
    }

Check kinds and their fields are in `eligibility_checks.CHECK_KINDS`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from certify.ladder.eligibility_checks import CHECK_KINDS, Check
from certify.ladder.eligibility_messages import JSON_TEMPLATES, Reason
from certify.ladder.profile import CERTIFIED_ORDINALS

LOCALES = ("zh_CN", "en")

_TEMPLATES: dict[str, tuple[str, str]] = JSON_TEMPLATES | {
    "level_not_certified": (
        "{path}: {level} is not a level certified by assessment (use ordinals 2–6).",
        "{path}：{level}不属于考核认定的等级（应为序号2–6）。",
    ),
    "no_levels": ("{path}: the rule set defines no level.", "{path}：规则集未定义任何等级。"),
    "no_options": ("{path}: a level needs at least one option.", "{path}：每个等级至少需要一个申报条件。"),
    "no_checks": (
        "{path}: an option needs at least one check.",
        "{path}：每个申报条件至少需要一项审核要求。",
    ),
    "duplicate_option_id": (
        "{path}: option id “{value}” is used twice in this level.",
        "{path}：同一等级内申报条件编号“{value}”重复。",
    ),
    "unknown_check_kind": (
        "{path}: unknown check kind “{value}” (use {choices}).",
        "{path}：未知的审核类型“{value}”（可选{choices}）。",
    ),
    "invalid_json": ("The rule set is not valid JSON: {detail}", "规则集不是有效的JSON：{detail}"),
}


@dataclass(frozen=True)
class RuleSetProblem(Reason):
    """One thing wrong with rule-set data, with its path (e.g. `levels.4[1].checks[0].years`)."""

    TEMPLATES = _TEMPLATES


@dataclass(frozen=True)
class Option:
    """One way to qualify for a level: every check must pass."""

    id: str
    label: dict[str, str]  #: locale → text, both "zh_CN" and "en"
    checks: tuple[Check, ...]

    def label_in(self, locale: str) -> str:
        """The label in a locale (Chinese for any zh…)."""
        return self.label["zh_CN" if str(locale).lower().startswith("zh") else "en"]


@dataclass(frozen=True)
class RuleSet:
    """The eligibility conditions of one occupation standard (version), per level ordinal."""

    id: str
    name: dict[str, str]
    standard_version: str
    levels: dict[int, tuple[Option, ...]]
    occupations: tuple[str, ...] = ()

    def options_for(self, level: int) -> tuple[Option, ...]:
        """The options of a level; empty when the set does not cover it."""
        return self.levels.get(level, ())


class _Collector:
    def __init__(self) -> None:
        self.problems: list[RuleSetProblem] = []

    def add(self, code: str, path: str, **params: Any) -> None:
        self.problems.append(RuleSetProblem(code, {"path": path or "(rule set)", **params}, path))

    def text(self, data: dict[str, Any], key: str, path: str) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            self.add("not_a_string" if value is not None else "required", _join(path, key))
            return ""
        return value.strip()

    def label(self, data: dict[str, Any], key: str, path: str) -> dict[str, str]:
        value = data.get(key)
        where = _join(path, key)
        if not isinstance(value, dict):
            self.add("required" if value is None else "not_an_object", where)
            return {}
        for extra in sorted(set(value) - set(LOCALES)):
            self.add("unknown_field", f"{where}.{extra}")
        return {locale: self.text(value, locale, where) for locale in LOCALES}


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _check(c: _Collector, raw: Any, path: str) -> Check | None:
    if not isinstance(raw, dict):
        c.add("not_an_object", path)
        return None
    kind = raw.get("kind")
    cls = CHECK_KINDS.get(kind) if isinstance(kind, str) else None
    if cls is None:
        c.add("unknown_check_kind", f"{path}.kind", value=str(kind), choices=sorted(CHECK_KINDS))
        return None
    for extra in sorted(set(raw) - {"kind", *cls.fields}):
        c.add("unknown_field", f"{path}.{extra}")
    check, problems = cls.from_data(raw)
    for problem in problems:
        c.add(problem.code, f"{path}.{problem.field}", **problem.params)
    return check if not problems else None


def check_from_data(raw: Any, path: str) -> tuple[Check | None, list[RuleSetProblem]]:
    """One check from its data (any registered kind), with every problem; for other rule tables too."""
    c = _Collector()
    check = _check(c, raw, path)
    return check, c.problems


def _option(c: _Collector, raw: Any, path: str) -> Option | None:
    if not isinstance(raw, dict):
        c.add("not_an_object", path)
        return None
    for extra in sorted(set(raw) - {"id", "label", "checks"}):
        c.add("unknown_field", f"{path}.{extra}")
    option_id = c.text(raw, "id", path)
    label = c.label(raw, "label", path)
    checks_raw = raw.get("checks")
    if not isinstance(checks_raw, list):
        c.add("not_a_list" if checks_raw is not None else "required", f"{path}.checks")
        checks_raw = []
    elif not checks_raw:
        c.add("no_checks", f"{path}.checks")
    checks = [_check(c, item, f"{path}.checks[{i}]") for i, item in enumerate(checks_raw)]
    return Option(option_id, label, tuple(ch for ch in checks if ch is not None))


def _level_key(c: _Collector, key: str, path: str) -> int | None:
    if not key.isdigit() or int(key) not in CERTIFIED_ORDINALS:
        c.add("level_not_certified", path, level=int(key) if key.isdigit() else key)
        return None
    return int(key)


def load_ruleset(data: Any) -> tuple[RuleSet | None, list[RuleSetProblem]]:
    """Read and validate a rule set from parsed JSON (or JSON text); None and every problem when invalid."""
    c = _Collector()
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except ValueError as exc:
            c.add("invalid_json", "", detail=str(exc))
            return None, c.problems
    if not isinstance(data, dict):
        c.add("not_an_object", "")
        return None, c.problems
    for extra in sorted(set(data) - {"id", "name", "standard_version", "occupations", "levels"}):
        c.add("unknown_field", extra)
    ruleset_id = c.text(data, "id", "")
    name = c.label(data, "name", "")
    version = c.text(data, "standard_version", "")
    occupations = data.get("occupations", [])
    if not isinstance(occupations, list) or not all(isinstance(o, str) and o for o in occupations):
        c.add("not_a_list", "occupations")
        occupations = []
    levels_raw = data.get("levels")
    levels: dict[int, tuple[Option, ...]] = {}
    if not isinstance(levels_raw, dict):
        c.add("required" if levels_raw is None else "not_an_object", "levels")
    elif not levels_raw:
        c.add("no_levels", "levels")
    else:
        for key, options_raw in levels_raw.items():
            path = f"levels.{key}"
            ordinal = _level_key(c, str(key), path)
            if not isinstance(options_raw, list) or not options_raw:
                c.add("no_options" if isinstance(options_raw, list) else "not_a_list", path)
                continue
            options = [_option(c, raw, f"{path}[{i}]") for i, raw in enumerate(options_raw)]
            seen: set[str] = set()
            for i, option in enumerate(options):
                if option and option.id in seen:
                    c.add("duplicate_option_id", f"{path}[{i}].id", value=option.id)
                seen.add(option.id if option else "")
            if ordinal is not None:
                levels[ordinal] = tuple(o for o in options if o is not None)
    if c.problems:
        return None, c.problems
    return RuleSet(ruleset_id, name, version, dict(sorted(levels.items())), tuple(occupations)), []


def ruleset_to_json(ruleset: RuleSet) -> dict[str, Any]:
    """The rule set as JSON data, in the shape `load_ruleset` reads."""
    return {
        "id": ruleset.id,
        "name": dict(ruleset.name),
        "standard_version": ruleset.standard_version,
        "occupations": list(ruleset.occupations),
        "levels": {
            str(level): [
                {"id": o.id, "label": dict(o.label), "checks": [ch.to_data() for ch in o.checks]} for o in options
            ]
            for level, options in ruleset.levels.items()
        },
    }


#: The rule sets shipped with certify (file stem = rule-set id).
BUNDLED_RULESETS = ("template_2018", "template_new", "cultural_relics_restorer")
#: The rule set used for an occupation that no rule set names.
DEFAULT_RULESET = "template_new"


def read_bundled(name: str) -> Any:
    """The parsed JSON of a data file shipped in `certify/ladder/rulesets/`."""
    text = resources.files("certify.ladder").joinpath("rulesets", f"{name}.json").read_text(encoding="utf-8")
    return json.loads(text)


def load_bundled_rulesets() -> dict[str, RuleSet]:
    """Every shipped rule set by id; a broken shipped file is a programming error and raises."""
    loaded: dict[str, RuleSet] = {}
    for name in BUNDLED_RULESETS:
        ruleset, problems = load_ruleset(read_bundled(name))
        if ruleset is None:
            raise ValueError(f"shipped rule set {name} is invalid: {[p.message('en') for p in problems]}")
        loaded[ruleset.id] = ruleset
    return loaded


def ruleset_for_occupation(code: str, rulesets: dict[str, RuleSet], default: str = DEFAULT_RULESET) -> RuleSet:
    """The rule set that names the occupation code, else the default template."""
    for ruleset in rulesets.values():
        if code in ruleset.occupations:
            return ruleset
    return rulesets[default]
