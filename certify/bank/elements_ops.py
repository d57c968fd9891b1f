"""Element tables in a body's bank: the pure table from its rows, replacement from XLSX (all or nothing), export,
and the bank-size check against the points held by active questions."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from certify.auth.models import User
from certify.core.clock import now_utc
from certify.core.db import db, lock_for_update
from certify.core.errors import Problem, Refused
from certify.institutions.models import Body, BodyOccupation, Occupation
from certify.ladder.levels import LADDER, HowObtained, Level
from certify.supervision import audit
from question_bank.elements import (
    PREMIUM_BANK,
    BankSizePolicy,
    ElementProblem,
    ElementTable,
    Importance,
    build_element_table,
    cell_of,
    check_bank_size,
    validate_element_table,
)
from question_bank.elements_xlsx import (
    MAX_BYTES,
    element_template_xlsx,
    read_element_table_xlsx,
    write_element_table_xlsx,
)
from question_bank.report import Problem as SheetProblem

from . import messages_elements as _messages  # noqa: F401  (registers the codes)
from .access import body_occupations
from .models import BankQuestion, ElementNode, ElementNodeKind, ElementTableRecord, QuestionVersion, VersionState

#: the certified levels, the ones an element table carries weights for (junior worker … senior technician)
WEIGHTED_LEVELS: tuple[Level, ...] = tuple(lvl for lvl in LADDER if lvl.obtained_by is HowObtained.CERTIFICATION)
#: states in which a question still needs its point to exist
POINT_HOLDING_STATES = (VersionState.DRAFT, VersionState.IN_REVIEW, VersionState.ACTIVE, VersionState.PRETEST)
UPLOAD_LIMIT = MAX_BYTES


class ElementTableRejected(Refused):
    """The file was refused and nothing changed; `sheet_problems` holds every problem with its row and column."""

    def __init__(self, problems: Sequence[SheetProblem]):
        self.sheet_problems = tuple(problems)
        super().__init__("element_table_invalid", count=len(self.sheet_problems))


def level_headers() -> dict[int, str]:
    """Level ordinal → the weight column's header in files we write (the Chinese level name)."""
    return {level.ordinal: level.name_zh for level in WEIGHTED_LEVELS}


def level_aliases() -> dict[str, int]:
    """Every header accepted for a level's weight column: Chinese and English names and national labels."""
    aliases: dict[str, int] = {}
    for level in WEIGHTED_LEVELS:
        for name in (level.name_zh, level.name_en, level.national_label_zh, level.national_label_en, level.key):
            aliases[name] = level.ordinal
    return aliases


def filed_occupation(body_id: int | None, code: str) -> Occupation | None:
    """The occupation with `code` when the body is filed for it, else None."""
    if body_id is None:
        return None
    return db.session.execute(
        sa.select(Occupation)
        .join(BodyOccupation, BodyOccupation.occupation_id == Occupation.id)
        .where(BodyOccupation.body_id == body_id, Occupation.code == code)
    ).scalar_one_or_none()


def table_record(body_id: int, occupation: Occupation) -> ElementTableRecord | None:
    """The stored table of the body's bank for the occupation, if any."""
    return db.session.execute(
        sa.select(ElementTableRecord).where(
            ElementTableRecord.body_id == body_id, ElementTableRecord.occupation_id == occupation.id
        )
    ).scalar_one_or_none()


def table_of(record: ElementTableRecord) -> ElementTable:
    """The pure table held by a record's rows."""
    ranges: dict[str, tuple[str, dict[int, float]]] = {}
    points: dict[str, tuple[str, str]] = {}
    for node in record.nodes:
        if node.kind is ElementNodeKind.RANGE:
            ranges[node.code] = (node.name, node.weight_map())
        else:
            points[node.code] = (node.name, node.importance or Importance.X)
    return build_element_table(record.occupation.code, ranges, points)


def element_table(body_id: int, occupation: Occupation) -> ElementTable | None:
    """The body's element table for the occupation as a pure `ElementTable`, or None when it has none."""
    record = table_record(body_id, occupation)
    return table_of(record) if record is not None else None


def codes_in_use(body_id: int, occupation: Occupation) -> dict[str, int]:
    """Point code → how many questions have a draft, in-review, active or pretest version on it."""
    rows = db.session.execute(
        sa.select(QuestionVersion.point_code, sa.func.count(sa.distinct(BankQuestion.id)))
        .join(BankQuestion, BankQuestion.id == QuestionVersion.question_id)
        .where(
            BankQuestion.body_id == body_id,
            BankQuestion.occupation_id == occupation.id,
            QuestionVersion.state.in_(POINT_HOLDING_STATES),
            QuestionVersion.point_code.is_not(None),
        )
        .group_by(QuestionVersion.point_code)
    )
    return {code: int(count) for code, count in rows}


def _counts(record: ElementTableRecord) -> dict[str, object]:
    kinds = [node.kind for node in record.nodes]
    return {
        "revision": record.revision,
        "ranges": kinds.count(ElementNodeKind.RANGE),
        "points": kinds.count(ElementNodeKind.POINT),
        "source_filename": record.source_filename,
    }


def _nodes(table: ElementTable) -> list[ElementNode]:
    def plain(weight: float) -> float | int:
        return int(weight) if float(weight).is_integer() else float(weight)

    nodes: list[ElementNode] = []
    for code, node, _ in table.iter_ranges():
        weights = json.dumps({str(level): plain(w) for level, w in sorted(node.weights.items())})
        nodes.append(ElementNode(code=code, kind=ElementNodeKind.RANGE, name=node.name, weights=weights))
        for point in node.points:
            nodes.append(
                ElementNode(
                    code=f"{code}-{point.number:03d}",
                    kind=ElementNodeKind.POINT,
                    name=point.name,
                    importance=str(point.importance),
                    weights="{}",
                )
            )
    for position, node in enumerate(nodes):
        node.position = position
    return nodes


def replace_element_table(
    body: Body, occupation: Occupation, data: bytes, filename: str, user: User
) -> ElementTableRecord:
    """Replace the body's element table for the occupation with an uploaded XLSX; refuse with every problem.

    Refused (nothing changed) when the file has any problem (ElementTableRejected, with rows and columns) or when
    questions still on a point the new table drops (one problem per point, naming how many questions).
    """
    if filed_occupation(body.id, occupation.code) is None:
        raise Refused("element_occupation_not_filed", code=occupation.code)
    if not data:
        raise Refused("element_file_missing", field="file")
    if len(data) > UPLOAD_LIMIT:
        raise Refused("element_file_too_large", field="file", limit=UPLOAD_LIMIT // (1024 * 1024))
    table, problems = read_element_table_xlsx(data, occupation.code, level_aliases())
    if problems or table is None:
        raise ElementTableRejected(problems)
    kept = {code for code, _, _ in table.iter_ranges()} | {code for code, _, _ in table.iter_points()}
    current = table_record(body.id, occupation)
    existing = {node.code for node in current.nodes} if current is not None else set()
    in_use = codes_in_use(body.id, occupation)
    dropped = {code: count for code, count in in_use.items() if code in existing and code not in kept}
    if dropped:
        raise Refused(
            [
                Problem("element_points_in_use", None, {"code": code, "count": count})
                for code, count in sorted(dropped.items())
            ]
        )
    record = db.session.execute(
        lock_for_update(
            sa.select(ElementTableRecord).where(
                ElementTableRecord.body_id == body.id, ElementTableRecord.occupation_id == occupation.id
            )
        )
    ).scalar_one_or_none()
    before = _counts(record) if record is not None else None
    if record is None:
        record = ElementTableRecord(body_id=body.id, occupation_id=occupation.id, revision=1, occupation=occupation)
        db.session.add(record)
    else:
        record.nodes.clear()
        db.session.flush()  # the old rows go before the new ones arrive (codes are unique per table)
        record.revision += 1
    record.nodes.extend(_nodes(table))
    record.source_filename = (filename or "")[:255] or None
    record.updated_at = now_utc()
    record.updated_by_id = user.id
    db.session.flush()
    after = {**_counts(record), "occupation": occupation.code, "sha256": hashlib.sha256(data).hexdigest()}
    audit.record(
        "bank.element_table_replaced", object_type="element_table", object_id=record.id, before=before, after=after
    )
    return record


def export_element_table(body_id: int, occupation: Occupation, user: User) -> bytes | None:
    """The body's table for the occupation as XLSX, stamped with its revision and who exported it when."""
    record = table_record(body_id, occupation)
    if record is None:
        return None
    stamp = now_utc().strftime("%Y-%m-%d %H:%M UTC")
    who = f"{user.display_name} ({user.username})"
    mark = f"{occupation.code} · 鉴定要素细目表 rev. {record.revision} · {who} · {stamp}"
    return write_element_table_xlsx(table_of(record), level_headers(), watermark=mark)


def blank_template() -> bytes:
    """The blank element-table template with an example (weights for every certified level)."""
    return element_template_xlsx(level_headers())


@dataclass(frozen=True)
class BankSizeCell:
    """One weighted range of a level: its weight, the points the bank must hold, the points it holds."""

    code: str
    name: str
    weight: float
    needed: float
    held: float
    shortfall: float
    ok: bool


@dataclass(frozen=True)
class BankSizeReport:
    """The bank-size rule for one level: per cell and in total (≥ 200 or, premium, ≥ 300 points)."""

    level: int
    premium: bool
    policy: BankSizePolicy
    cells: tuple[BankSizeCell, ...]
    total_held: float
    total_shortfall: float
    total_ok: bool
    #: points held on codes outside every weighted range of the level (they count for nothing here)
    outside: float
    problems: tuple[ElementProblem, ...]

    @property
    def ok(self) -> bool:
        """True when every cell and the total meet the rule."""
        return not self.problems


def points_held(body_id: int, occupation: Occupation, level: int) -> dict[str, float]:
    """Point code → the points (分值) of the active versions on it, for one occupation and level."""
    rows = db.session.execute(
        sa.select(QuestionVersion.point_code, sa.func.sum(QuestionVersion.points))
        .join(BankQuestion, BankQuestion.id == QuestionVersion.question_id)
        .where(
            BankQuestion.body_id == body_id,
            BankQuestion.occupation_id == occupation.id,
            BankQuestion.level_ordinal == level,
            QuestionVersion.state == VersionState.ACTIVE,
            QuestionVersion.point_code.is_not(None),
        )
        .group_by(QuestionVersion.point_code)
    )
    return {code: float(total or 0) for code, total in rows}


def bank_size(body_id: int, occupation: Occupation, level: int, premium: bool) -> BankSizeReport | None:
    """The bank-size check of a level against the body's element table (None when there is no table)."""
    record = table_record(body_id, occupation)
    if record is None:
        return None
    table = table_of(record)
    policy = PREMIUM_BANK if premium else BankSizePolicy()
    held_by_code = points_held(body_id, occupation, level)
    problems = tuple(check_bank_size(table, level, held_by_code, policy))
    weights = table.cells(level)
    held = dict.fromkeys(weights, 0.0)
    outside = 0.0
    for code, points in held_by_code.items():
        cell = cell_of(code, weights)
        if cell is None:
            outside += points
        else:
            held[cell] += points
    short = {p.where for p in problems if p.code == "bank_range_too_small"}
    names = {node.code: node.name for node in record.nodes}
    cells = tuple(
        BankSizeCell(
            code=code,
            name=names.get(code, ""),
            weight=weight,
            needed=policy.multiple * weight,
            held=held[code],
            shortfall=max(0.0, policy.multiple * weight - held[code]),
            ok=code not in short,
        )
        for code, weight in weights.items()
    )
    total = sum(held.values())
    return BankSizeReport(
        level=level,
        premium=premium,
        policy=policy,
        cells=cells,
        total_held=total,
        total_shortfall=max(0.0, policy.minimum_total - total),
        total_ok=not any(p.code == "bank_level_too_small" for p in problems),
        outside=outside,
        problems=problems,
    )


@dataclass(frozen=True)
class TableSummary:
    """One occupation of the body on the element-table index: its table's revision, size, totals and validity."""

    occupation: Occupation
    record: ElementTableRecord | None
    updated_by: User | None
    ranges: int
    points: int
    #: level ordinal → sum of the level's weight table (only levels the table weights)
    totals: dict[int, float]
    problems: tuple[ElementProblem, ...]

    @property
    def valid(self) -> bool:
        """True when a table exists and validates."""
        return self.record is not None and not self.problems


def summaries(body_id: int) -> list[TableSummary]:
    """Every occupation the body is filed for, with its element table's summary."""
    records = {
        record.occupation_id: record
        for record in db.session.execute(sa.select(ElementTableRecord).where(ElementTableRecord.body_id == body_id))
        .scalars()
        .all()
    }
    result: list[TableSummary] = []
    for occupation in body_occupations(body_id):
        record = records.get(occupation.id)
        if record is None:
            result.append(TableSummary(occupation, None, None, 0, 0, {}, ()))
            continue
        table = table_of(record)
        totals = {level: sum(table.cells(level).values()) for level in table.levels()}
        updated_by = db.session.get(User, record.updated_by_id) if record.updated_by_id else None
        result.append(
            TableSummary(
                occupation,
                record,
                updated_by,
                ranges=sum(1 for _ in table.iter_ranges()),
                points=sum(1 for _ in table.iter_points()),
                totals=totals,
                problems=tuple(validate_element_table(table)),
            )
        )
    return result
