"""Assembling papers from an approved blueprint: the live bank, exclusions, exposure, pretest items, storage.

The bank: the newest ACTIVE version of each question of the blueprint's body, occupation and level that has a
point code and a difficulty, as `BankItem(id=str(version.id), point_code, type_key=qtype, difficulty,
option_ids=its option letters, key=its answer letters)`.

Exclusions ("items used in the last N sessions"): the questions on the papers of the last N assembly runs of the
same body, occupation and level that were used in a session (`AssemblyRun.session_on` set, by `mark_run_used`),
newest session first, N = the blueprint's `exclude_last_sessions`. Questions, not versions: a question edited
since it was used stays excluded.

Exposure ("no item on more than cap of a window's candidates"): a run names its `window` (e.g. "2026-12") and
the `candidates` it serves; each of its F forms serves ceil(candidates / F) of them (`PaperRecord.candidates`).
For this run, `ExposureState.counts` holds per item the candidates of the earlier papers of the same window,
body, occupation and level that carried its question (scored or pretest); `window_candidates` is the candidates
of those earlier papers plus this run's; the cap is the blueprint's `exposure_cap`. A run of 0 candidates
applies no cap (nothing is known about who will sit it).

Pretest: `pretest_count` PRETEST versions of the same occupation and level are appended to each form unscored
(points 0), drawn deterministically from the seed, never on a point (or question) already on the form.
"""

from __future__ import annotations

import math
import random
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from certify.auth.models import User
from certify.core.clock import now_utc
from certify.core.db import db
from certify.core.errors import Problem, Refused
from certify.supervision import audit
from question_bank.assembly import FORM_NAMES, AssemblyResult, assemble
from question_bank.blueprint import Blueprint
from question_bank.eligibility import BankItem, ExposureState, eligible_items
from question_bank.model import CHOICE_TYPES, LETTERS
from question_bank.paper import Paper, PaperQuestion
from question_bank.path_codes import cell_of

from . import messages_blueprints as _messages  # noqa: F401  (registers the codes)
from .blueprints_ops import blueprint_of
from .messages_blueprints import rule_problem
from .models import (
    AssemblyRun,
    BankQuestion,
    BlueprintRecord,
    BlueprintState,
    PaperItem,
    PaperRecord,
    QuestionVersion,
    VersionState,
)

MAX_FORMS = len(FORM_NAMES)
_ITEM_COLUMNS = ("position", "question_id", "version_id", "cell", "point_code", "difficulty", "scored")


@dataclass(frozen=True)
class LiveBank:
    """The bank's items for a blueprint and the versions behind them (item id = version id as text)."""

    items: list[BankItem]
    versions: dict[str, QuestionVersion]

    def question_of(self, item_id: str) -> int:
        """The question id of an item."""
        return self.versions[item_id].question_id


def options_and_key(version: QuestionVersion) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A version's option letters and its key (letters for choices, true/false as written, else none)."""
    content = version.content_dict()
    letters = tuple(LETTERS[i] for i in range(min(len(content.get("options") or []), len(LETTERS))))
    answer = tuple(str(a) for a in content.get("answer") or [])
    if version.qtype in CHOICE_TYPES:
        return letters, tuple(sorted(a for a in answer if a in letters))
    if version.qtype == "true_false":
        return letters, answer
    return letters, ()


def _same_bank(record: BlueprintRecord) -> list[Any]:
    return [
        BlueprintRecord.body_id == record.body_id,
        BlueprintRecord.occupation_id == record.occupation_id,
        BlueprintRecord.level_ordinal == record.level_ordinal,
    ]


def _newest_versions(record: BlueprintRecord, state: VersionState) -> list[QuestionVersion]:
    rows = db.session.execute(
        sa.select(QuestionVersion)
        .join(BankQuestion, QuestionVersion.question_id == BankQuestion.id)
        .where(
            BankQuestion.body_id == record.body_id,
            BankQuestion.occupation_id == record.occupation_id,
            BankQuestion.level_ordinal == record.level_ordinal,
            QuestionVersion.state == state,
            QuestionVersion.point_code.is_not(None),
        )
        .order_by(QuestionVersion.id)
    ).scalars()
    newest = {version.question_id: version for version in rows}
    return sorted(newest.values(), key=lambda v: v.id)


def live_bank(record: BlueprintRecord) -> LiveBank:
    """The ACTIVE items a blueprint may draw from, in version-id order."""
    items, versions = [], {}
    for version in _newest_versions(record, VersionState.ACTIVE):
        if version.difficulty is None:
            continue
        option_ids, key = options_and_key(version)
        item = BankItem(str(version.id), version.point_code, version.qtype, float(version.difficulty), option_ids, key)
        items.append(item)
        versions[item.id] = version
    return LiveBank(items, versions)


def used_questions(record: BlueprintRecord, last: int) -> set[int]:
    """Question ids on the papers of the last `last` runs of the same bank that were used in a session."""
    if last <= 0:
        return set()
    runs = (
        sa.select(AssemblyRun.id)
        .join(BlueprintRecord, AssemblyRun.blueprint_id == BlueprintRecord.id)
        .where(*_same_bank(record), AssemblyRun.session_on.is_not(None))
        .order_by(AssemblyRun.session_on.desc(), AssemblyRun.id.desc())
        .limit(last)
    )
    run_ids = list(db.session.execute(runs).scalars())
    if not run_ids:
        return set()
    return set(
        db.session.execute(
            sa.select(PaperItem.question_id)
            .join(PaperRecord, PaperItem.paper_id == PaperRecord.id)
            .where(PaperRecord.run_id.in_(run_ids))
        ).scalars()
    )


def excluded_item_ids(record: BlueprintRecord, live: LiveBank, last: int) -> set[str]:
    """Items whose question was used in the last `last` sessions."""
    used = used_questions(record, last)
    return {item.id for item in live.items if live.question_of(item.id) in used}


def exposure_state(
    record: BlueprintRecord, live: LiveBank, window: str | None, candidates: int, forms: int
) -> ExposureState | None:
    """The exposure of the window's earlier papers, for a run of `candidates` over `forms` forms (None: no cap)."""
    if not window or candidates <= 0 or forms <= 0:
        return None
    earlier = (
        sa.select(PaperRecord.id, PaperRecord.candidates)
        .join(AssemblyRun, PaperRecord.run_id == AssemblyRun.id)
        .join(BlueprintRecord, AssemblyRun.blueprint_id == BlueprintRecord.id)
        .where(*_same_bank(record), AssemblyRun.window == window)
    )
    papers = {row.id: row.candidates for row in db.session.execute(earlier)}
    seen: dict[int, int] = {}
    if papers:
        pairs = db.session.execute(
            sa.select(PaperItem.paper_id, PaperItem.question_id).where(PaperItem.paper_id.in_(list(papers)))
        )
        for paper_id, question_id in set(pairs):
            seen[question_id] = seen.get(question_id, 0) + papers[paper_id]
    counts = {item.id: seen[live.question_of(item.id)] for item in live.items if live.question_of(item.id) in seen}
    return ExposureState(counts, sum(papers.values()) + candidates, math.ceil(candidates / forms))


@dataclass
class Assembly:
    """Assembled forms, not (yet) stored: the result, the versions behind it and each form's pretest picks."""

    blueprint: BlueprintRecord
    seed: str
    window: str
    candidates: int
    result: AssemblyResult
    versions: dict[str, QuestionVersion]
    pretests: dict[str, list[QuestionVersion]] = field(default_factory=dict)

    def rows(self, paper: Paper) -> list[dict[str, Any]]:
        """A form's questions in canonical order, then its pretest questions (unscored, 0 points)."""
        rows = []
        for question in paper.questions:
            version = self.versions[question.item_id]
            rows.append(_row(len(rows) + 1, version, question.type_key, question.points, question.cell, True))
            rows[-1]["key"] = list(question.key)
        weights = self.blueprint.spec_dict()["weights"]
        for version in self.pretests.get(paper.form, []):
            cell = cell_of(version.point_code, weights) or version.point_code.rpartition("-")[0]
            rows.append(_row(len(rows) + 1, version, version.qtype, 0.0, cell, False))
            rows[-1]["key"] = list(options_and_key(version)[1])
        return rows


def _row(position: int, version: QuestionVersion, type_key: str, points: float, cell: str, scored: bool) -> dict:
    return {
        "position": position,
        "question_id": version.question_id,
        "version_id": version.id,
        "type": type_key,
        "points": points,
        "cell": cell,
        "point_code": version.point_code,
        "difficulty": float(version.difficulty or 0),
        "scored": scored,
    }


def _argument_problems(seed: str, forms: int, window: str, candidates: int, save: bool) -> list[Problem]:
    problems = []
    if not seed or len(seed) > 100:
        problems.append(Problem("bank_assembly_seed", "seed"))
    low = 2 if save else 1
    if not isinstance(forms, int) or not low <= forms <= MAX_FORMS:
        problems.append(Problem("bank_assembly_forms", "forms", {"low": low, "high": MAX_FORMS}))
    if (save and not window) or len(window or "") > 40:
        problems.append(Problem("bank_assembly_window", "window"))
    if not isinstance(candidates, int) or candidates < 0:
        problems.append(Problem("bank_assembly_candidates", "candidates"))
    return problems


def _held_back(pure: Blueprint, live: LiveBank, exposure: ExposureState | None, excluded: set[str]) -> list[Problem]:
    eligibility = eligible_items(pure, live.items, exposure, excluded)
    problems = []
    for cell in pure.weights:
        recent, exposed = eligibility.excluded_recent.get(cell, 0), eligibility.excluded_exposure.get(cell, 0)
        if recent or exposed:
            params = {"cell": cell, "recent": recent, "exposure": exposed}
            problems.append(Problem("bank_assembly_held_back", None, params))
    return problems


def _pretests(
    record: BlueprintRecord, result: AssemblyResult, versions: dict[str, QuestionVersion], seed: str, count: int
) -> tuple[dict[str, list[QuestionVersion]], list[Problem]]:
    if count <= 0:
        return {}, []
    pool = _newest_versions(record, VersionState.PRETEST)
    picks: dict[str, list[QuestionVersion]] = {}
    problems = []
    for paper in result.papers:
        points = {q.point_code for q in paper.questions}
        questions = {versions[q.item_id].question_id for q in paper.questions}
        choices = [v for v in pool if v.point_code not in points and v.question_id not in questions]
        random.Random(f"{seed}|pretest|{paper.form}").shuffle(choices)
        chosen: list[QuestionVersion] = []
        for version in choices:
            if len(chosen) == count:
                break
            if version.point_code not in points:
                chosen.append(version)
                points.add(version.point_code)
        if len(chosen) < count:
            params = {"form": paper.form, "needed": count, "available": len(chosen), "short_by": count - len(chosen)}
            problems.append(Problem("bank_pretest_short", None, params))
        picks[paper.form] = chosen
    return picks, problems


def assemble_papers(
    blueprint: BlueprintRecord,
    seed: str,
    forms: int,
    window: str,
    candidates: int,
    user: User | None,
    save: bool = True,
    allow_draft: bool = False,
) -> AssemblyRun | Assembly:
    """Assemble `forms` parallel forms deterministically for `seed`; store them (save) or return them.

    Only an approved blueprint (a draft only for inspection: `allow_draft` without `save`). When a constraint
    cannot be met, refuses with every problem (which constraint, by how much) and stores nothing.
    """
    seed, window = str(seed or "").strip(), str(window or "").strip()
    problems = _argument_problems(seed, forms, window, candidates, save)
    if blueprint.state == BlueprintState.RETIRED:
        problems.append(Problem("bank_blueprint_retired"))
    elif blueprint.state != BlueprintState.APPROVED and (save or not allow_draft):
        problems.append(Problem("bank_blueprint_not_approved", None, {"state": blueprint.state.value}))
    if problems:
        raise Refused(problems)
    spec = blueprint.spec_dict()
    pure = blueprint_of(blueprint, spec)
    live = live_bank(blueprint)
    excluded = excluded_item_ids(blueprint, live, pure.exclude_last_sessions)
    exposure = exposure_state(blueprint, live, window, candidates, forms)
    result = assemble(pure, live.items, seed, forms, exposure, excluded)
    if not result.ok:
        found: list[Problem] = [rule_problem(p, None) for p in result.problems]
        raise Refused(found + _held_back(pure, live, exposure, excluded))
    pretests, short = _pretests(blueprint, result, live.versions, seed, int(spec.get("pretest_count") or 0))
    if short:
        raise Refused(short)
    for picks in pretests.values():
        live.versions.update({str(v.id): v for v in picks})
    assembly = Assembly(blueprint, seed, window, candidates, result, live.versions, pretests)
    return store_assembly(assembly, user) if save else assembly


def store_assembly(assembly: Assembly, user: User | None) -> AssemblyRun:
    """Store assembled forms as a run with its papers (approved blueprint, ≥ 2 forms, a window) and audit it."""
    problems = _argument_problems(
        assembly.seed, len(assembly.result.papers), assembly.window, assembly.candidates, True
    )
    if assembly.blueprint.state != BlueprintState.APPROVED:
        problems.append(Problem("bank_blueprint_not_approved", None, {"state": assembly.blueprint.state.value}))
    if problems:
        raise Refused(problems)
    now = now_utc()
    run = AssemblyRun(
        blueprint_id=assembly.blueprint.id,
        seed=assembly.seed,
        spec=assembly.blueprint.spec,
        window=assembly.window,
        candidates=assembly.candidates,
        created_at=now,
        created_by_id=user.id if user else None,
    )
    db.session.add(run)
    per_form = math.ceil(assembly.candidates / len(assembly.result.papers)) if assembly.candidates else 0
    forms: dict[str, list[int]] = {}
    for paper in assembly.result.papers:
        record = PaperRecord(
            form=paper.form,
            seed=paper.seed,
            total_points=Decimal(str(round(paper.total_points, 2))),
            mean_difficulty=round(paper.mean_difficulty, 6),
            candidates=per_form,
        )
        run.papers.append(record)
        for row in assembly.rows(paper):
            columns = {key: row[key] for key in _ITEM_COLUMNS}
            record.items.append(PaperItem(type_key=row["type"], points=Decimal(str(row["points"])), **columns))
        forms[paper.form] = [row["version_id"] for row in assembly.rows(paper)]
    db.session.flush()
    after = {
        "blueprint": assembly.blueprint.id,
        "seed": assembly.seed,
        "window": assembly.window,
        "candidates": assembly.candidates,
        "forms": forms,
    }
    audit.record("bank.papers_assembled", object_type="assembly_run", object_id=run.id, after=after)
    return run


def mark_run_used(run: AssemblyRun, session_label: str, session_on: datetime) -> AssemblyRun:
    """Record the session a run's papers were used for (its questions then count as recently used)."""
    label = (session_label or "").strip()
    if not label or len(label) > 200:
        raise Refused("bank_run_label", field="session_label")
    if run.session_label:
        raise Refused("bank_run_used", label=run.session_label)
    run.session_label, run.session_on = label, session_on
    db.session.flush()
    after = {"session": label, "on": session_on}
    audit.record("bank.run_used", object_type="assembly_run", object_id=run.id, after=after)
    return run


def paper_from_record(paper: PaperRecord, scored_only: bool = False) -> Paper:
    """A stored form as question_bank's Paper (pretest items included unless `scored_only`), for replaying
    per-candidate personalisation."""
    questions = []
    for item in paper.items:
        if scored_only and not item.scored:
            continue
        option_ids, key = options_and_key(item.version)
        facts = (item.type_key, float(item.points), item.cell, item.point_code, float(item.difficulty))
        questions.append(PaperQuestion(str(item.version_id), *facts, option_ids, key))
    blueprint = paper.run.blueprint
    return Paper(paper.form, paper.seed, blueprint.occupation.code, blueprint.level_ordinal, tuple(questions))


def shared_between(papers: Collection[PaperRecord]) -> list[tuple[str, str, int]]:
    """Questions every pair of forms shares, as (form, form, count)."""
    ids = {p.form: {i.question_id for i in p.items} for p in papers}
    forms = sorted(ids)
    return [(a, b, len(ids[a] & ids[b])) for n, a in enumerate(forms) for b in forms[n + 1 :]]


def points_per_cell(paper: PaperRecord) -> dict[str, float]:
    """A form's scored points per cell."""
    totals: dict[str, float] = {}
    for item in paper.items:
        if item.scored:
            totals[item.cell] = totals.get(item.cell, 0.0) + float(item.points)
    return dict(sorted(totals.items()))
