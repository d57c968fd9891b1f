"""After a sitting: item statistics per paper item, the review flags they raise, and resolving those flags.

`record_session_statistics` is the entry point the exam engine calls with one row of marks per attempt and one
column per scored paper item; `record_session_results_file` does the same from an uploaded marks file (e.g. a
paper-based sitting). Thresholds come from the app config (CERTIFY_ITEM_FLAG_*), defaults as in DOMAIN.md.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from certify.auth.models import Role, User
from certify.core.clock import now_utc
from certify.core.db import db, lock_for_update
from certify.core.errors import Problem, Refused
from certify.supervision import audit
from question_bank.item_review import FlagPolicy, review_flags
from question_bank.marks_matrix import MarksMatrix, MarksMatrixError, read_marks_matrix
from question_bank.statistics import StatsResult, item_statistics

from . import messages_stats as _messages  # noqa: F401  (registers the codes)
from .models import (
    FlagState,
    ItemFlag,
    ItemStatistic,
    PaperItem,
    PaperRecord,
    QuestionVersion,
    SessionStatistics,
    VersionState,
)
from .statistics_rules import (
    capped,
    check_label,
    check_marks,
    choice_spec,
    distractor_reports,
    flag_json,
    parse_responses,
    report_json,
    stored_flags,
)

#: FlagPolicy field → (config key, default)
POLICY_SETTINGS: dict[str, tuple[str, float]] = {
    "facility_high": ("CERTIFY_ITEM_FLAG_FACILITY_HIGH", 0.9),
    "facility_low": ("CERTIFY_ITEM_FLAG_FACILITY_LOW", 0.2),
    "discrimination_min": ("CERTIFY_ITEM_FLAG_DISCRIMINATION_MIN", 0.1),
    "distractor_margin": ("CERTIFY_ITEM_FLAG_DISTRACTOR_MARGIN", 0.0),
}
NOTE_MAX = 2000
RESOLUTIONS = ("keep", "edit", "retire")
UPLOAD_MAX_BYTES = 5 * 1024 * 1024
ROWS_MAX = 100_000


def flag_policy() -> FlagPolicy:
    """The review thresholds from the app config (CERTIFY_ITEM_FLAG_*), with the DOMAIN defaults."""
    values: dict[str, float] = {}
    for name, (key, default) in POLICY_SETTINGS.items():
        raw = current_app.config.get(key, default)
        try:
            value = float(default if raw in (None, "") else raw)
        except (TypeError, ValueError):
            raise RuntimeError(f"{key}={raw!r} is not a number") from None
        if not math.isfinite(value):
            raise RuntimeError(f"{key}={raw!r} is not a finite number")
        values[name] = value
    if values["facility_low"] >= values["facility_high"]:
        raise RuntimeError("CERTIFY_ITEM_FLAG_FACILITY_LOW must be below CERTIFY_ITEM_FLAG_FACILITY_HIGH")
    return FlagPolicy(**values)


def scored_items(paper: PaperRecord) -> list[PaperItem]:
    """The paper's scored items in position order: the columns of its marks."""
    return sorted((item for item in paper.items if item.scored), key=lambda item: item.position)


def record_session_statistics(
    paper: PaperRecord,
    label: str,
    matrix: MarksMatrix,
    responses: list[list[str | None]] | None = None,
    user: User | None = None,
    policy: FlagPolicy | None = None,
    *,
    source: dict[str, Any] | None = None,
) -> SessionStatistics:
    """Store a sitting's test and item statistics and send flagged items to the review queue.

    `matrix`: one row per attempt, one column per scored paper item in position order (maxima: the items'
    points). `responses`: the chosen option letters per attempt and item, for distractor analysis.
    """
    items = scored_items(paper)
    columns = [(item.position, float(item.points)) for item in items]
    where = (source or {}).get("file_label") or _l("Marks")
    problems = check_label(label) + check_marks(paper.form, columns, matrix, where)
    specs = [choice_spec(item.version.to_question()) for item in items] if responses is not None else []
    choices: list[list] | None = None
    if responses is not None and not problems:
        answers_where = (source or {}).get("responses_label") or _l("Responses")
        if len(responses) != len(matrix.rows):
            params = {"file": answers_where, "found": len(responses), "expected": len(matrix.rows)}
            problems.append(Problem("bank_stats_responses_rows", "responses", params))
        else:
            numbers = (source or {}).get("responses_rows") or range(1, len(responses) + 1)
            numbered = list(zip(numbers, responses, strict=True))
            choices, more = parse_responses(specs, numbered, answers_where, "responses")
            problems += more
    if problems:
        raise Refused(capped(problems))
    policy = policy or flag_policy()
    names = [str(item.question_id) for item in items]
    maxima = [float(item.points) for item in items]
    rows = [[float(mark) for mark in row] for row in matrix.rows]
    result = item_statistics(MarksMatrix(tuple(names), tuple(map(tuple, rows)), tuple(maxima)), maxima)
    reports = distractor_reports(specs, names, rows, choices) if choices is not None else {}
    now = now_utc()
    session = SessionStatistics(
        paper_id=paper.id,
        label=label.strip(),
        attempts=len(rows),
        test=json.dumps(asdict(result.test)),
        computed_at=now,
        computed_by_id=user.id if user else None,
    )
    db.session.add(session)
    flagged: list[int] = []
    for index, (item, stats) in enumerate(zip(items, result.items, strict=True)):
        measures = {**asdict(stats), "distractors": report_json(reports.get(index))}
        statistic = ItemStatistic(
            position=item.position,
            question_id=item.question_id,
            version_id=item.version_id,
            facility=stats.facility,
            discrimination_index=stats.discrimination_index,
            point_biserial=stats.point_biserial,
            measures=json.dumps(measures),
        )
        session.items.append(statistic)
        one = StatsResult((stats,), result.test)
        flags = review_flags(one, policy, [reports[index]] if index in reports else [])
        if flags:
            flagged.append(item.question_id)
            db.session.add(
                ItemFlag(
                    question_id=item.question_id,
                    version_id=item.version_id,
                    statistic=statistic,
                    flags=flag_json(flags),
                    state=FlagState.OPEN,
                    raised_at=now,
                )
            )
    db.session.flush()
    details = {k: v for k, v in (source or {}).items() if k in ("marks_file", "marks_sha256", "responses_file")}
    audit.record(
        "bank.session_statistics_recorded",
        object_type="session_statistics",
        object_id=session.id,
        after={
            "paper": paper.id,
            "form": paper.form,
            "label": session.label,
            "attempts": session.attempts,
            "items": len(items),
            "distractor_analysis": choices is not None,
            "flagged_questions": flagged,
            "policy": asdict(policy),
            **details,
        },
    )
    return session


def resolve_flag(flag: ItemFlag, user: User, resolution: str, note: str | None) -> list[ItemFlag]:
    """A reviewer's decision on a flagged question: keep, edit or retire it; resolves all its open flags.

    "retire" retires the flagged version through the bank's lifecycle. Returns the flags resolved.
    """
    text = (note or "").strip()
    problems: list[Problem] = []
    if not user.has_role(Role.REVIEWER):
        raise Refused("bank_flag_reviewer_only")
    # Lock the question's open flags first: two reviewers deciding at once must not both resolve them.
    open_flags = (
        db.session.execute(
            lock_for_update(
                sa.select(ItemFlag)
                .where(ItemFlag.question_id == flag.question_id, ItemFlag.state == FlagState.OPEN)
                .order_by(ItemFlag.id)
            ).execution_options(populate_existing=True)
        )
        .scalars()
        .all()
    )
    if flag not in open_flags:
        raise Refused("bank_flag_not_open")
    if resolution not in RESOLUTIONS:
        problems.append(Problem("bank_flag_resolution_invalid", "resolution"))
    if not text:
        problems.append(Problem("bank_flag_note_required", "note"))
    elif len(text) > NOTE_MAX:
        problems.append(Problem("bank_flag_note_too_long", "note", {"max": NOTE_MAX, "length": len(text)}))
    if problems:
        raise Refused(problems)
    if resolution == "retire" and flag.statistic.version.state != VersionState.RETIRED:
        from certify.bank.lifecycle import retire_version  # written alongside; imported late on purpose

        retire_version(flag.statistic.version, user, text)
    now = now_utc()
    resolved = []
    for entry in open_flags:
        entry.state = FlagState.RESOLVED
        entry.resolved_at, entry.resolved_by_id = now, user.id
        entry.resolution, entry.note = resolution, text
        resolved.append(entry)
    db.session.flush()
    audit.record(
        "bank.flag_resolved",
        object_type="question",
        object_id=flag.question_id,
        after={
            "resolution": resolution,
            "note": text,
            "flags": [entry.id for entry in resolved],
            "version": flag.version_id,
        },
    )
    return resolved


def _read_rows(data: bytes | None, filename: str, where: Any, field: str) -> list[tuple[int, tuple]]:
    """Non-blank rows of an uploaded CSV/XLSX (untrusted bytes: a refusal naming the file, never a crash)."""
    from certify.recusal.roster_files import read_table

    if not data:
        raise Refused("bank_stats_file_required" if field == "marks" else "bank_stats_file_empty", field, file=where)
    limits = {"max_file_bytes": UPLOAD_MAX_BYTES, "max_unzipped_bytes": 8 * UPLOAD_MAX_BYTES, "max_rows": ROWS_MAX}
    table = read_table(data, filename or "", **limits)
    if table.error:
        raise Refused(f"bank_stats_{table.error}", field, file=where, **table.params)
    return table.rows


def _as_csv(rows: Sequence[tuple[int, tuple]]) -> str:
    """The rows as CSV text, without the empty columns a spreadsheet may carry on the right."""
    filled = [i for _number, cells in rows for i, cell in enumerate(cells) if cell is not None and str(cell).strip()]
    width = max(filled, default=-1) + 1
    out = io.StringIO()
    writer = csv.writer(out)
    for _number, cells in rows:
        writer.writerow(["" if cell is None else cell for cell in cells[:width]])
    return out.getvalue()


def _matrix(text: str, paper: PaperRecord, items: Sequence[PaperItem], where: Any) -> MarksMatrix:
    """The marks of an uploaded file, every bad cell (line and item) and a wrong column count refused at once."""
    try:
        return read_marks_matrix(text, [float(item.points) for item in items])
    except MarksMatrixError as error:
        locale = _locale()
        problems = [
            # one maximum per expected column: a count mismatch means the file has the wrong number of columns
            Problem(
                "bank_stats_column_count",
                "marks",
                {"file": where, "found": p.params["expected"], "expected": len(items), "form": paper.form},
            )
            if p.code == "max_marks_count"
            else Problem("bank_stats_file_problem", "marks", {"file": where, "detail": p.message(locale)})
            for p in error.problems
        ]
        raise Refused(capped(problems)) from None


def record_session_results_file(
    paper: PaperRecord,
    label: str,
    data: bytes | None,
    responses_data: bytes | None,
    user: User | None,
    *,
    marks_filename: str = "",
    responses_filename: str = "",
    policy: FlagPolicy | None = None,
) -> SessionStatistics:
    """Record a sitting from an uploaded marks file (CSV/XLSX; Moodle's `slots.N.mark` layout accepted) and an
    optional responses file (same rows and columns, cells = the chosen option letters; a header is optional)."""
    where = _l("Marks file %(name)s", name=marks_filename or "")
    items = scored_items(paper)
    problems = check_label(label)
    matrix = None
    try:
        matrix = _matrix(_as_csv(_read_rows(data, marks_filename, where, "marks")), paper, items, where)
    except Refused as refused:
        problems += refused.problems
    source: dict[str, Any] = {
        "file_label": where,
        "marks_file": marks_filename,
        "marks_sha256": hashlib.sha256(data or b"").hexdigest(),
    }
    responses = None
    if responses_data is not None:
        answers_where = _l("Responses file %(name)s", name=responses_filename or "")
        try:
            answer_rows = _read_rows(responses_data, responses_filename, answers_where, "responses")
        except Refused as refused:
            problems += refused.problems
            answer_rows = []
        if matrix is not None and len(answer_rows) == len(matrix.rows) + 1:
            answer_rows = answer_rows[1:]  # a header row
        responses = [list(cells) for _number, cells in answer_rows]
        source |= {
            "responses_label": answers_where,
            "responses_rows": [number for number, _cells in answer_rows],
            "responses_file": responses_filename,
        }
    if problems or matrix is None:
        raise Refused(capped(problems))
    return record_session_statistics(paper, label, matrix, responses, user, policy, source=source)


def _locale() -> str:
    from certify.core.i18n import current_locale

    try:
        return current_locale()
    except RuntimeError:  # outside a request (a command or a job)
        return "en"


def item_history(question_id: int) -> list[dict[str, Any]]:
    """The question's statistics per sitting, oldest first: date, label, paper, version, n, measures, flags."""
    rows = db.session.execute(
        sa.select(ItemStatistic, SessionStatistics, PaperRecord, QuestionVersion)
        .join(SessionStatistics, ItemStatistic.session_id == SessionStatistics.id)
        .join(PaperRecord, SessionStatistics.paper_id == PaperRecord.id)
        .join(QuestionVersion, ItemStatistic.version_id == QuestionVersion.id)
        .where(ItemStatistic.question_id == question_id)
        .order_by(SessionStatistics.computed_at, SessionStatistics.id)
    ).all()
    flags: dict[int, list[ItemFlag]] = {}
    if rows:
        found = db.session.execute(
            sa.select(ItemFlag).where(ItemFlag.statistic_id.in_([row[0].id for row in rows])).order_by(ItemFlag.id)
        ).scalars()
        for flag in found:
            flags.setdefault(flag.statistic_id, []).append(flag)
    return [
        {
            "session": session,
            "date": session.computed_at,
            "label": session.label,
            "paper": paper,
            "version": version.number,
            "position": statistic.position,
            "n": session.attempts,
            "facility": statistic.facility,
            "discrimination": statistic.discrimination_index,
            "point_biserial": statistic.point_biserial,
            "measures": json.loads(statistic.measures),
            "flags": [reason for flag in flags.get(statistic.id, []) for reason in stored_flags(flag.flags)],
            "flag_rows": flags.get(statistic.id, []),
        }
        for statistic, session, paper, version in rows
    ]
