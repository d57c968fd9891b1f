"""Read-side loaders of the question pages: element points, counts by state, question lists, the review queue."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from certify.core.db import db

from .models import (
    BankQuestion,
    ElementNode,
    ElementNodeKind,
    ElementTableRecord,
    QuestionAsset,
    QuestionVersion,
    QuestionVersionAsset,
    VersionState,
)

PAGE_SIZE = 50


def element_table(body_id: int, occupation_id: int) -> ElementTableRecord | None:
    """The body's element table for an occupation, if imported."""
    return db.session.execute(
        sa.select(ElementTableRecord).where(
            ElementTableRecord.body_id == body_id, ElementTableRecord.occupation_id == occupation_id
        )
    ).scalar_one_or_none()


def element_points(body_id: int, occupation_id: int) -> dict[str, ElementNode] | None:
    """The points of the body's element table by code, in table order; None when there is no table."""
    table = element_table(body_id, occupation_id)
    if table is None:
        return None
    rows = db.session.execute(
        sa.select(ElementNode)
        .where(ElementNode.table_id == table.id, ElementNode.kind == ElementNodeKind.POINT)
        .order_by(ElementNode.position)
    ).scalars()
    return {node.code: node for node in rows}


def table_levels(body_id: int, occupation_id: int) -> set[int]:
    """The levels the element table weights (ranges carry weights per level)."""
    table = element_table(body_id, occupation_id)
    levels: set[int] = set()
    if table is not None:
        for node in table.nodes:
            levels |= {level for level, weight in node.weight_map().items() if weight}
    return levels


def _latest_numbers() -> sa.Subquery:
    return (
        sa.select(QuestionVersion.question_id, sa.func.max(QuestionVersion.number).label("number"))
        .group_by(QuestionVersion.question_id)
        .subquery()
    )


def _latest_join(stmt: sa.Select) -> sa.Select:
    latest = _latest_numbers()
    return (
        stmt.select_from(BankQuestion)
        .join(latest, latest.c.question_id == BankQuestion.id)
        .join(
            QuestionVersion,
            sa.and_(QuestionVersion.question_id == BankQuestion.id, QuestionVersion.number == latest.c.number),
        )
    )


@dataclass
class LevelCounts:
    """How many questions of one occupation and level stand in each state (of their latest version)."""

    occupation_id: int
    level: int
    by_state: dict[VersionState, int]
    live: int

    @property
    def total(self) -> int:
        """Every question of the level."""
        return sum(self.by_state.values())


def counts_by_state(body_id: int) -> dict[tuple[int, int], LevelCounts]:
    """Per (occupation id, level): questions by their latest version's state, and how many have a live version."""
    out: dict[tuple[int, int], LevelCounts] = {}
    stmt = _latest_join(
        sa.select(BankQuestion.occupation_id, BankQuestion.level_ordinal, QuestionVersion.state, sa.func.count())
    ).where(BankQuestion.body_id == body_id)
    stmt = stmt.group_by(BankQuestion.occupation_id, BankQuestion.level_ordinal, QuestionVersion.state)
    for occupation_id, level, state, count in db.session.execute(stmt):
        entry = out.setdefault((occupation_id, level), LevelCounts(occupation_id, level, {}, 0))
        entry.by_state[VersionState(state)] = count
    live_stmt = (
        sa.select(BankQuestion.occupation_id, BankQuestion.level_ordinal, sa.func.count(sa.distinct(BankQuestion.id)))
        .join(QuestionVersion, QuestionVersion.question_id == BankQuestion.id)
        .where(
            BankQuestion.body_id == body_id,
            QuestionVersion.state.in_([VersionState.ACTIVE, VersionState.PRETEST]),
        )
        .group_by(BankQuestion.occupation_id, BankQuestion.level_ordinal)
    )
    for occupation_id, level, count in db.session.execute(live_stmt):
        entry = out.setdefault((occupation_id, level), LevelCounts(occupation_id, level, {}, 0))
        entry.live = count
    return out


@dataclass
class QuestionFilter:
    """The list page's filters (all optional except the occupation)."""

    occupation_id: int
    level: int | None = None
    state: VersionState | None = None
    qtype: str | None = None
    point: str | None = None
    text: str | None = None


def questions_page(body_id: int, flt: QuestionFilter, page: int = 1) -> tuple[list[QuestionVersion], int]:
    """One page of questions (as their latest versions, newest question first) and the total matching."""
    stmt = _latest_join(sa.select(QuestionVersion)).where(
        BankQuestion.body_id == body_id, BankQuestion.occupation_id == flt.occupation_id
    )
    if flt.level is not None:
        stmt = stmt.where(BankQuestion.level_ordinal == flt.level)
    if flt.state is not None:
        stmt = stmt.where(QuestionVersion.state == flt.state)
    if flt.qtype:
        stmt = stmt.where(QuestionVersion.qtype == flt.qtype)
    if flt.point:
        stmt = stmt.where(
            sa.or_(
                QuestionVersion.point_code == flt.point,
                QuestionVersion.point_code.startswith(flt.point + "-", autoescape=True),
            )
        )
    offset = (max(page, 1) - 1) * PAGE_SIZE
    if flt.text:
        # The database narrows by the stored JSON; the words a user reads decide (not the JSON's keys or quotes).
        needle = flt.text.lower()
        stmt = stmt.where(sa.func.lower(QuestionVersion.content).contains(needle, autoescape=True))
        found = [v for v in db.session.execute(stmt.order_by(BankQuestion.id.desc())).scalars() if needle in _words(v)]
        return found[offset : offset + PAGE_SIZE], len(found)
    total = db.session.execute(sa.select(sa.func.count()).select_from(stmt.subquery())).scalar_one()
    rows = db.session.execute(stmt.order_by(BankQuestion.id.desc()).limit(PAGE_SIZE).offset(offset)).scalars()
    return list(rows), total


def _words(version: QuestionVersion) -> str:
    """The searchable text of a version: stem, options, accepted answers, explanation, marking scheme."""
    content = version.content_dict()
    accepts = [a.get("text", "") for blank in content.get("blanks", []) for a in blank.get("accepts", [])]
    parts = [content.get("stem", ""), *content.get("options", []), *accepts]
    parts += [content.get("explanation", ""), content.get("marking_scheme", ""), content.get("point_code") or ""]
    return "\n".join(parts).lower()


def review_queue(body_id: int, user_id: int) -> list[QuestionVersion]:
    """Versions in review in the body's bank that the user did not write, oldest submission first."""
    stmt = (
        sa.select(QuestionVersion)
        .join(BankQuestion, BankQuestion.id == QuestionVersion.question_id)
        .where(
            BankQuestion.body_id == body_id,
            QuestionVersion.state == VersionState.IN_REVIEW,
            sa.or_(QuestionVersion.created_by_id.is_(None), QuestionVersion.created_by_id != user_id),
        )
        .order_by(QuestionVersion.submitted_at, QuestionVersion.id)
    )
    return list(db.session.execute(stmt).scalars())


def asset_occupation_ids(asset: QuestionAsset) -> list[int]:
    """The occupations whose questions use an asset (to gate its download), lowest id first."""
    stmt = (
        sa.select(BankQuestion.occupation_id)
        .join(QuestionVersion, QuestionVersion.question_id == BankQuestion.id)
        .join(QuestionVersionAsset, QuestionVersionAsset.version_id == QuestionVersion.id)
        .where(QuestionVersionAsset.asset_id == asset.id, BankQuestion.body_id == asset.body_id)
        .distinct()
        .order_by(BankQuestion.occupation_id)
    )
    return list(db.session.execute(stmt).scalars())
