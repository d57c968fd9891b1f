"""Eligibility rule sets as staff edit them: the shipped sets, overridden by a stored copy (RuleSetRecord).

The applications engineer calls `ruleset_for(occupation_code)`: the stored copy when staff saved one, else the
shipped file. A stored copy is validated by `load_ruleset` before it is saved, so it always loads; should one
still fail (a schema change in a later release), the shipped version is used rather than answering 500.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from certify.applications.messages_admin4 import InLanguage
from certify.applications.models import RuleSetRecord
from certify.core.clock import now_utc
from certify.core.db import db
from certify.core.errors import Problem, Refused
from certify.ladder.eligibility_rulesets import (
    BUNDLED_RULESETS,
    RuleSet,
    load_ruleset,
    read_bundled,
    ruleset_for_occupation,
    ruleset_to_json,
)
from certify.supervision import audit

#: editable rule sets: the shipped ones (file stem = rule-set id)
KEYS = BUNDLED_RULESETS


def _stored(key: str) -> RuleSetRecord | None:
    return db.session.execute(sa.select(RuleSetRecord).where(RuleSetRecord.key == key)).scalar_one_or_none()


def shipped_data(key: str) -> dict[str, Any]:
    """The shipped JSON of a rule set."""
    return read_bundled(key)


def current_data(key: str) -> tuple[dict[str, Any], RuleSetRecord | None]:
    """The JSON in force for a rule set (stored copy, else shipped) and the stored record, if any."""
    record = _stored(key)
    if record is not None:
        ruleset, _problems = load_ruleset(record.data)
        if ruleset is not None:
            return ruleset_to_json(ruleset), record
    return shipped_data(key), record


def current_rulesets() -> dict[str, RuleSet]:
    """Every rule set in force, by id."""
    loaded: dict[str, RuleSet] = {}
    for key in KEYS:
        ruleset, _problems = load_ruleset(current_data(key)[0])
        if ruleset is None:  # a broken shipped file is a programming error
            raise ValueError(f"rule set {key} does not load")
        loaded[key] = ruleset
    return loaded


def ruleset_for(occupation_code: str) -> RuleSet:
    """The rule set in force for an occupation: the one naming it (stored copy or shipped), else the default."""
    return ruleset_for_occupation(occupation_code, current_rulesets())


def _problems(key: str, text: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        params = {"line": exc.lineno, "column": exc.colno, "detail": exc.msg}
        return None, [Problem("admin4_ruleset_syntax", "text", params)]
    # load_ruleset reads text as JSON itself: a JSON string literal must not be decoded a second time
    ruleset, problems = load_ruleset(None if isinstance(data, str) else data)
    found = [Problem("admin4_ruleset_problem", "text", {"detail": InLanguage(p), "path": p.path}) for p in problems]
    if isinstance(data, dict) and isinstance(data.get("id"), str) and data["id"] != key:
        found.append(Problem("admin4_ruleset_id_changed", "text", {"key": key, "found": data["id"], "path": "id"}))
    if ruleset is not None:
        others = {k: rs for k, rs in current_rulesets().items() if k != key}
        for code in ruleset.occupations:
            for other_key, other in others.items():
                if code in other.occupations:
                    params = {"code": code, "other": other_key, "path": "occupations"}
                    found.append(Problem("admin4_ruleset_occupation_claimed", "text", params))
    return (ruleset_to_json(ruleset) if ruleset is not None else None), found


def save_ruleset(key: str, text: str, *, by_id: int | None) -> RuleSetRecord:
    """Validate JSON text and store it as the rule set in force; every problem (with its path) and nothing saved."""
    data, problems = _problems(key, text)
    if problems or data is None:
        raise Refused(problems)
    before, record = current_data(key)
    if record is None:
        record = RuleSetRecord(key=key)
        db.session.add(record)
    record.data = audit.canonical_json(data)
    record.updated_at, record.updated_by_id = now_utc(), by_id
    db.session.flush()
    audit.record("applications.ruleset_saved", object_type="ruleset", object_id=key, before=before, after=data)
    return record


def reset_ruleset(key: str) -> None:
    """Drop the stored copy so the shipped version is in force again."""
    record = _stored(key)
    if record is None:
        raise Refused("admin4_ruleset_not_changed", field=None)
    before = json.loads(record.data)
    db.session.delete(record)
    db.session.flush()
    audit.record(
        "applications.ruleset_reset", object_type="ruleset", object_id=key, before=before, after=shipped_data(key)
    )
