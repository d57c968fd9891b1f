"""Blueprints (组卷方案): save (a used blueprint is copied, never edited), check feasibility, approve (four eyes),
retire. Each loads, checks, mutates, writes its audit entry and flushes; the caller commits.

The spec JSON of a blueprint holds:
- `weights` {cell path code: %}: the weight table of the level (prefilled from the element table);
- `types` [{type_key, count, points}]: the question types with count > 0, in the order papers present them;
- `difficulty_band` [low, high] on the 1–5 scale, as the points-weighted mean of a form;
- `forms` (≥ 2 parallel forms), `exposure_cap` (0–1 of a window's candidates), `exclude_last_sessions` (N),
  `max_form_overlap` (0–1 of a form's questions that may reappear on another form);
- `pretest_count`: unscored pretest questions added to each form (default 0);
- `multiple_choice_credit`: "all_or_nothing" (default) or "partial", for the exam engine.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from certify.auth.models import User
from certify.core.clock import now_utc
from certify.core.db import db
from certify.core.errors import Problem, Refused
from certify.institutions.models import Body, Occupation
from certify.supervision import audit
from question_bank.blueprint import QUESTION_TYPES, Blueprint, TypeSpec, validate_blueprint
from question_bank.elements import ElementTable
from question_bank.feasibility import FeasibilityReport, feasibility
from question_bank.problems import Problem as RuleProblem

from . import messages_blueprints as _messages  # noqa: F401  (registers the codes)
from .access import body_occupations
from .elements_ops import element_table
from .messages_blueprints import rule_problem
from .models import BlueprintRecord, BlueprintState

CREDIT_MODES = ("all_or_nothing", "partial")
#: what a new blueprint starts from besides the level's weights: 15 questions, 100 points
DEFAULT_SPEC: dict[str, Any] = {
    "types": [
        {"type_key": "true_false", "count": 4, "points": 5.0},
        {"type_key": "single_choice", "count": 6, "points": 5.0},
        {"type_key": "multiple_choice", "count": 5, "points": 10.0},
    ],
    "difficulty_band": [2.5, 3.5],
    "forms": 2,
    "exposure_cap": 0.5,
    "exclude_last_sessions": 0,
    "max_form_overlap": 0.2,
    "pretest_count": 0,
    "multiple_choice_credit": "all_or_nothing",
}
_CELL_CODES = {"bad_weight", "weight_not_composable", "weight_differs_from_table"}
_TYPE_CODES = {"unknown_type", "duplicate_type", "bad_type_spec"}


def element_table_for(body_id: int, occupation: Occupation) -> ElementTable | None:
    """The body's element table of an occupation as question_bank's ElementTable (None when absent or broken)."""
    try:
        return element_table(body_id, occupation)
    except ValueError:  # rows that no longer form a table: treated as no table, the element pages say why
        return None


def default_spec(table: ElementTable | None, level: int) -> dict[str, Any]:
    """A new blueprint's spec: the level's weights from the element table and the house defaults."""
    weights = table.cells(level) if table is not None else {}
    return {"weights": weights, **json.loads(json.dumps(DEFAULT_SPEC))}


def _number(raw: dict, key: str, problems: list[Problem], field: str | None = None, whole: bool = False) -> Any:
    value = raw.get(key)
    try:
        if whole:
            if isinstance(value, bool) or value is None or int(value) != float(value) or int(value) < 0:
                raise ValueError(value)
            return int(value)
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(value)
        return number
    except (TypeError, ValueError):
        code = "bank_blueprint_whole_number" if whole else "bank_blueprint_number"
        problems.append(Problem(code, field or key, {"label": key}))
        return None


def parse_spec(raw: Any) -> tuple[dict[str, Any], list[Problem]]:
    """A spec normalised from a form or JSON (types with count 0 dropped), and every value that is not a number."""
    raw = raw if isinstance(raw, dict) else {}
    problems: list[Problem] = []
    weights = {}
    raw_weights = raw.get("weights") if isinstance(raw.get("weights"), dict) else {}
    for cell, value in raw_weights.items():
        weights[str(cell)] = _number({str(cell): value}, str(cell), problems, f"weight:{cell}")
    types = []
    for entry in raw.get("types") or []:
        entry = entry if isinstance(entry, dict) else {}
        key = str(entry.get("type_key") or "")
        count = _number(entry, "count", problems, f"type:{key}", whole=True)
        if not count:
            continue
        if entry.get("points") in (None, ""):
            problems.append(Problem("bank_blueprint_type_points", f"type:{key}", {"type": key}))
            continue
        types.append({"type_key": key, "count": count, "points": _number(entry, "points", problems, f"type:{key}")})
    band = raw.get("difficulty_band") if isinstance(raw.get("difficulty_band"), list | tuple) else [None, None]
    band = [*band, None, None][:2]
    spec = {
        "weights": weights,
        "types": types,
        "difficulty_band": [
            _number({"difficulty_low": band[0]}, "difficulty_low", problems),
            _number({"difficulty_high": band[1]}, "difficulty_high", problems),
        ],
        "forms": _number(raw, "forms", problems, whole=True),
        "exposure_cap": _number(raw, "exposure_cap", problems),
        "exclude_last_sessions": _number(raw, "exclude_last_sessions", problems, whole=True),
        "max_form_overlap": _number(raw, "max_form_overlap", problems),
        "pretest_count": _number({"pretest_count": raw.get("pretest_count", 0)}, "pretest_count", problems, whole=True),
        "multiple_choice_credit": raw.get("multiple_choice_credit") or "all_or_nothing",
    }
    if spec["multiple_choice_credit"] not in CREDIT_MODES:
        params = {"value": str(spec["multiple_choice_credit"])[:40]}
        problems.append(Problem("bank_blueprint_credit", "multiple_choice_credit", params))
    return spec, problems


def pure_blueprint(occupation_code: str, level: int, spec: dict[str, Any]) -> Blueprint:
    """question_bank's Blueprint for a (normalised) spec."""
    return Blueprint(
        occupation_code=occupation_code,
        level=int(level),
        weights={cell: float(weight) for cell, weight in spec["weights"].items()},
        types=tuple(TypeSpec(t["type_key"], int(t["count"]), float(t["points"])) for t in spec["types"]),
        difficulty_band=(float(spec["difficulty_band"][0]), float(spec["difficulty_band"][1])),
        forms=int(spec["forms"]),
        exposure_cap=float(spec["exposure_cap"]),
        exclude_last_sessions=int(spec["exclude_last_sessions"]),
        max_form_overlap=float(spec["max_form_overlap"]),
    )


def blueprint_of(record: BlueprintRecord, spec: dict[str, Any] | None = None) -> Blueprint:
    """The stored blueprint (or a run's spec snapshot) as question_bank's Blueprint."""
    return pure_blueprint(record.occupation.code, record.level_ordinal, spec or record.spec_dict())


def field_of(problem: RuleProblem) -> str:
    """The form field a blueprint problem belongs to: `weight:CELL`, `type:KEY` or the spec key."""
    if problem.code in _CELL_CODES:
        return f"weight:{problem.where}"
    if problem.code in _TYPE_CODES:
        return f"type:{problem.where}"
    return problem.where


def _filed(body_id: int, occupation: Occupation) -> bool:
    return any(filed.id == occupation.id for filed in body_occupations(body_id))


def save_blueprint(
    body: Body,
    occupation: Occupation,
    level: int,
    name: str,
    spec: Any,
    user: User | None,
    blueprint: BlueprintRecord | None = None,
) -> BlueprintRecord:
    """Create a blueprint, or edit one (back to DRAFT); refuse with every problem of the spec.

    A blueprint that already has assembly runs is never changed: the edit becomes a new draft blueprint, which is
    returned (so `result is not blueprint` tells the caller it was copied).
    """
    if blueprint is not None:
        if blueprint.state == BlueprintState.RETIRED:
            raise Refused("bank_blueprint_retired")
        occupation, level = blueprint.occupation, blueprint.level_ordinal
    problems: list[Problem] = []
    name = (name or "").strip()
    if not name or len(name) > 200:
        problems.append(Problem("bank_blueprint_name", "name"))
    if not _filed(body.id, occupation):
        problems.append(Problem("bank_blueprint_occupation", None, {"occupation": occupation.code}))
    spec, spec_problems = parse_spec(spec)
    problems += spec_problems
    table = element_table_for(body.id, occupation)
    if table is None:
        problems.append(Problem("bank_blueprint_no_table", None, {"occupation": occupation.code}))
    elif not table.cells(int(level)):
        problems.append(Problem("bank_blueprint_no_weights", None, {"occupation": occupation.code, "level": level}))
        table = None
    if not spec_problems:
        found = validate_blueprint(pure_blueprint(occupation.code, level, spec), table)
        problems += [rule_problem(p, field_of(p)) for p in found]
    if problems:
        raise Refused(problems)
    now = now_utc()
    before = None
    copied_from = blueprint.id if blueprint is not None and blueprint.runs else None
    if blueprint is None or copied_from is not None:
        record = BlueprintRecord(
            body_id=body.id,
            occupation_id=occupation.id,
            level_ordinal=int(level),
            created_at=now,
            created_by_id=user.id if user else None,
        )
        record.occupation = occupation
        db.session.add(record)
    else:
        record = blueprint
        before = {"name": record.name, "state": record.state, "spec": record.spec_dict()}
    record.name, record.spec, record.state = name, json.dumps(spec, ensure_ascii=False), BlueprintState.DRAFT
    record.feasibility = record.checked_at = record.approved_at = record.approved_by_id = None
    record.updated_at = now
    db.session.flush()
    after = {"name": name, "occupation": occupation.code, "level": int(level), "spec": spec, "copied_from": copied_from}
    audit.record("bank.blueprint_saved", object_type="blueprint", object_id=record.id, before=before, after=after)
    return record


@dataclass(frozen=True)
class Evaluation:
    """A blueprint measured against the live bank: the report and every problem (table drift included)."""

    report: FeasibilityReport
    problems: tuple[RuleProblem, ...]
    bank_items: int
    excluded_questions: int
    window: str | None = None
    candidates: int = 0

    @property
    def ok(self) -> bool:
        """Whether the blueprint can be used now."""
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        """The report as stored on the blueprint."""
        return {
            **self.report.to_json(),
            "ok": self.ok,
            "problems": [problem.to_json() for problem in self.problems],
            "bank_items": self.bank_items,
            "excluded_questions": self.excluded_questions,
            "window": self.window,
            "candidates": self.candidates,
        }


def evaluate(record: BlueprintRecord, window: str | None = None, candidates: int = 0) -> Evaluation:
    """Feasibility of a blueprint with the live bank, recent-session exclusions and (given a window) exposure.

    Reads only: the feasibility page shows it live; `check_feasibility` stores it.
    """
    from certify.bank import assembly_ops

    pure = blueprint_of(record)
    live = assembly_ops.live_bank(record)
    excluded = assembly_ops.excluded_item_ids(record, live, pure.exclude_last_sessions)
    exposure = assembly_ops.exposure_state(record, live, window, candidates, pure.forms) if window else None
    report = feasibility(pure, live.items, exposure, excluded)
    problems = list(report.problems)
    table = element_table_for(record.body_id, record.occupation)
    drift = validate_blueprint(pure, table) if table is not None else []
    known = [p.to_json() for p in problems]
    problems += [p for p in drift if p.to_json() not in known]
    return Evaluation(report, tuple(problems), len(live.items), len(excluded), window, candidates)


def check_feasibility(record: BlueprintRecord) -> Evaluation:
    """Run the feasibility check with the live bank and store its report on the blueprint."""
    if record.state == BlueprintState.RETIRED:
        raise Refused("bank_blueprint_retired")
    evaluation = evaluate(record)
    record.feasibility = json.dumps(evaluation.to_json(), ensure_ascii=False)
    record.checked_at = now_utc()
    db.session.flush()
    after = {
        "ok": evaluation.ok,
        "problems": [p.code for p in evaluation.problems],
        "bank_items": evaluation.bank_items,
    }
    audit.record("bank.blueprint_checked", object_type="blueprint", object_id=record.id, after=after)
    return evaluation


def approve_blueprint(record: BlueprintRecord, user: User) -> Evaluation:
    """Approve a draft after a fresh feasibility check; never by its author; refused with every problem."""
    if record.state == BlueprintState.RETIRED:
        raise Refused("bank_blueprint_retired")
    if record.state != BlueprintState.DRAFT:
        raise Refused("bank_blueprint_state", state=record.state.value)
    if record.created_by_id is not None and record.created_by_id == user.id:
        raise Refused("bank_blueprint_own")
    evaluation = check_feasibility(record)
    if not evaluation.ok:
        raise Refused([rule_problem(p) for p in evaluation.problems])
    record.state = BlueprintState.APPROVED
    record.approved_at, record.approved_by_id = now_utc(), user.id
    db.session.flush()
    audit.record(
        "bank.blueprint_approved",
        object_type="blueprint",
        object_id=record.id,
        before={"state": BlueprintState.DRAFT},
        after={"state": record.state, "approved_by": user.username},
    )
    return evaluation


def retire_blueprint(record: BlueprintRecord, user: User | None) -> BlueprintRecord:
    """Retire a blueprint: no more papers from it (its runs and papers stay on record)."""
    if record.state == BlueprintState.RETIRED:
        raise Refused("bank_blueprint_retired")
    before = {"state": record.state}
    record.state = BlueprintState.RETIRED
    record.updated_at = now_utc()
    db.session.flush()
    after = {"state": record.state, "by": user.username if user else None}
    audit.record("bank.blueprint_retired", object_type="blueprint", object_id=record.id, before=before, after=after)
    return record


def stored_report(record: BlueprintRecord) -> dict[str, Any] | None:
    """The last stored feasibility report, if the blueprint was checked."""
    return json.loads(record.feasibility) if record.feasibility else None


def body_blueprints(body_id: int) -> list[BlueprintRecord]:
    """The body's blueprints, newest first."""
    return list(
        db.session.execute(
            sa.select(BlueprintRecord).where(BlueprintRecord.body_id == body_id).order_by(BlueprintRecord.id.desc())
        ).scalars()
    )


__all__ = ["QUESTION_TYPES", "approve_blueprint", "check_feasibility", "evaluate", "retire_blueprint", "save_blueprint"]
