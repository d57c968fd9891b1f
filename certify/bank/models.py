"""The question bank as stored: element tables, questions with immutable versions and their reviews, imports,
blueprints, assembled papers, and item statistics with the review queue they feed.

Content lives in `QuestionVersion.content` as the canonical JSON of `question_bank.model.Question`; the columns
beside it (type, point, difficulty, points) are copies for querying. A version's content never changes once
written (a mapper event refuses it); only its lifecycle state moves.
"""

from __future__ import annotations

import enum
import json
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from certify.core.db import db
from certify.core.types import UTCDateTime, enum_column
from question_bank.model import Question


class BankPledge(db.Model):
    """A signed confidentiality pledge (保密承诺) of one user for one occupation's bank: no pledge, no content."""

    __tablename__ = "bank_pledges"
    __table_args__ = (sa.UniqueConstraint("user_id", "occupation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    occupation_id: Mapped[int] = mapped_column(sa.ForeignKey("occupations.id"))
    #: the name the user typed as their signature
    signed_name: Mapped[str] = mapped_column(sa.String(100))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ip: Mapped[str | None] = mapped_column(sa.String(64))

    occupation = relationship("Occupation")


class ElementTableRecord(db.Model):
    """The assessment-element table (鉴定要素细目表) of one occupation in one body's bank."""

    __tablename__ = "element_tables"
    __table_args__ = (sa.UniqueConstraint("body_id", "occupation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id"), index=True)
    occupation_id: Mapped[int] = mapped_column(sa.ForeignKey("occupations.id"))
    #: bumped on every replacement, shown on exports so two printouts can be told apart
    revision: Mapped[int] = mapped_column(default=1)
    source_filename: Mapped[str | None] = mapped_column(sa.String(255))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    occupation = relationship("Occupation")
    nodes: Mapped[list[ElementNode]] = relationship(
        back_populates="table", cascade="all, delete-orphan", order_by="ElementNode.position"
    )


class ElementNodeKind(enum.StrEnum):
    """A range (鉴定范围, lettered) or an assessment point (鉴定点, 3-digit number)."""

    RANGE = "range"
    POINT = "point"


class ElementNode(db.Model):
    """One row of an element table: a range with weights per level, or a point with its importance."""

    __tablename__ = "element_nodes"
    __table_args__ = (sa.UniqueConstraint("table_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    table_id: Mapped[int] = mapped_column(sa.ForeignKey("element_tables.id", ondelete="CASCADE"), index=True)
    #: path code: "A-B" for a range, "A-B-007" for a point
    code: Mapped[str] = mapped_column(sa.String(60))
    kind: Mapped[ElementNodeKind] = mapped_column(enum_column(ElementNodeKind))
    name: Mapped[str] = mapped_column(sa.String(300))
    #: X, Y or Z for points; None for ranges
    importance: Mapped[str | None] = mapped_column(sa.String(1))
    #: JSON {"level ordinal": weight %} for ranges; "{}" for points
    weights: Mapped[str] = mapped_column(sa.Text, default="{}")
    position: Mapped[int] = mapped_column(default=0)

    table: Mapped[ElementTableRecord] = relationship(back_populates="nodes")

    def weight_map(self) -> dict[int, float]:
        """Weights keyed by level ordinal."""
        return {int(level): float(weight) for level, weight in json.loads(self.weights or "{}").items()}


class BankQuestion(db.Model):
    """A question's identity in one body's bank for an occupation and level; its content is in its versions."""

    __tablename__ = "bank_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id"), index=True)
    occupation_id: Mapped[int] = mapped_column(sa.ForeignKey("occupations.id"), index=True)
    level_ordinal: Mapped[int] = mapped_column(sa.ForeignKey("levels.ordinal"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    occupation = relationship("Occupation")
    versions: Mapped[list[QuestionVersion]] = relationship(
        back_populates="question", order_by="QuestionVersion.number", foreign_keys="QuestionVersion.question_id"
    )

    @property
    def latest(self) -> QuestionVersion:
        """The newest version (the one being edited or reviewed, or the live one)."""
        return self.versions[-1]

    @property
    def live(self) -> QuestionVersion | None:
        """The version papers may use now (active or pretest), if any."""
        return next((v for v in reversed(self.versions) if v.state in LIVE_STATES), None)


class VersionState(enum.StrEnum):
    """A version's lifecycle: draft → in review → active (or pretest) → retired; superseded when replaced."""

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    ACTIVE = "active"
    PRETEST = "pretest"  #: delivered on papers, unscored, until its statistics justify activation
    RETIRED = "retired"
    SUPERSEDED = "superseded"  #: a draft or review replaced by a newer edit before it went live


LIVE_STATES = frozenset({VersionState.ACTIVE, VersionState.PRETEST})
OPEN_STATES = frozenset({VersionState.DRAFT, VersionState.IN_REVIEW})


class QuestionVersion(db.Model):
    """One immutable version of a question's content and its lifecycle state."""

    __tablename__ = "question_versions"
    __table_args__ = (sa.UniqueConstraint("question_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("bank_questions.id"), index=True)
    number: Mapped[int]
    state: Mapped[VersionState] = mapped_column(enum_column(VersionState), default=VersionState.DRAFT, index=True)
    #: canonical JSON of question_bank.model.Question.to_dict(with_source=False)
    content: Mapped[str] = mapped_column(sa.Text)
    #: sha256 of `content`: equal content, equal hash (duplicate detection on import)
    content_hash: Mapped[str] = mapped_column(sa.String(64), index=True)
    qtype: Mapped[str] = mapped_column(sa.String(30))
    point_code: Mapped[str | None] = mapped_column(sa.String(60), index=True)
    difficulty: Mapped[int | None]
    points: Mapped[Decimal] = mapped_column(sa.Numeric(8, 2))
    #: JSON of question_bank.model.SourceRef when imported
    source: Mapped[str | None] = mapped_column(sa.Text)
    import_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bank_imports.id"))
    #: what changed and why (an edit's note)
    note: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    retired_reason: Mapped[str | None] = mapped_column(sa.Text)

    question: Mapped[BankQuestion] = relationship(back_populates="versions", foreign_keys=[question_id])
    created_by = relationship("User", foreign_keys=[created_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    reviews: Mapped[list[QuestionReview]] = relationship(back_populates="version", order_by="QuestionReview.id")
    assets: Mapped[list[QuestionVersionAsset]] = relationship(back_populates="version")

    def to_question(self) -> Question:
        """The content as a question_bank Question."""
        return Question.from_dict(json.loads(self.content))

    def content_dict(self) -> dict[str, Any]:
        """The content as its canonical dict."""
        return json.loads(self.content)


#: Columns of a version that are its content; once written they never change.
IMMUTABLE_VERSION_COLUMNS = (
    "question_id",
    "number",
    "content",
    "content_hash",
    "qtype",
    "point_code",
    "difficulty",
    "points",
    "source",
    "import_id",
    "created_at",
    "created_by_id",
)


class ImmutableVersion(RuntimeError):
    """Raised when code tries to change a written version's content (a bug, never a user error)."""


@event.listens_for(QuestionVersion, "before_update")
def _refuse_content_change(mapper, connection, target: QuestionVersion) -> None:
    state = sa.inspect(target)
    changed = [name for name in IMMUTABLE_VERSION_COLUMNS if state.attrs[name].history.has_changes()]
    if changed:
        raise ImmutableVersion(f"question version {target.id} is immutable; tried to change {', '.join(changed)}")


class ReviewDecision(enum.StrEnum):
    """A reviewer's decision on a version in review (or on a pretest version)."""

    APPROVE = "approve"
    APPROVE_PRETEST = "approve_pretest"
    RETURN = "return"
    PROMOTE = "promote"  #: pretest → active after its statistics
    RETIRE = "retire"


class QuestionReview(db.Model):
    """One review decision: who decided what on which version, and why (four eyes: never the author)."""

    __tablename__ = "question_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("question_versions.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    decision: Mapped[ReviewDecision] = mapped_column(enum_column(ReviewDecision))
    comment: Mapped[str | None] = mapped_column(sa.Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime())

    version: Mapped[QuestionVersion] = relationship(back_populates="reviews")
    reviewer = relationship("User")


class QuestionAsset(db.Model):
    """An image (or other file) used by questions, stored once per body by its hash."""

    __tablename__ = "question_assets"
    __table_args__ = (sa.UniqueConstraint("body_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id"), index=True)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    media_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int]
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class QuestionVersionAsset(db.Model):
    """Which asset a version's image name refers to (Question.images holds the names)."""

    __tablename__ = "question_version_assets"

    version_id: Mapped[int] = mapped_column(sa.ForeignKey("question_versions.id"), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    asset_id: Mapped[int] = mapped_column(sa.ForeignKey("question_assets.id"))

    version: Mapped[QuestionVersion] = relationship(back_populates="assets")
    asset: Mapped[QuestionAsset] = relationship()


class BankImport(db.Model):
    """One import of a question file (web or command line) with its full report."""

    __tablename__ = "bank_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id"), index=True)
    occupation_id: Mapped[int] = mapped_column(sa.ForeignKey("occupations.id"))
    level_ordinal: Mapped[int] = mapped_column(sa.ForeignKey("levels.ordinal"))
    filename: Mapped[str] = mapped_column(sa.String(255))
    format: Mapped[str] = mapped_column(sa.String(20))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int]
    partial: Mapped[bool] = mapped_column(default=False)
    items_found: Mapped[int] = mapped_column(default=0)
    items_imported: Mapped[int] = mapped_column(default=0)
    #: JSON of question_bank.report.ImportReport.to_dict()
    report: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    occupation = relationship("Occupation")
    created_by = relationship("User")


class BlueprintState(enum.StrEnum):
    """A blueprint is usable only once its feasibility check passed and it was approved."""

    DRAFT = "draft"
    APPROVED = "approved"
    RETIRED = "retired"


class BlueprintRecord(db.Model):
    """A 组卷方案 for an occupation and level: the spec of question_bank.blueprint.Blueprint as JSON."""

    __tablename__ = "blueprints"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("bodies.id"), index=True)
    occupation_id: Mapped[int] = mapped_column(sa.ForeignKey("occupations.id"))
    level_ordinal: Mapped[int] = mapped_column(sa.ForeignKey("levels.ordinal"))
    name: Mapped[str] = mapped_column(sa.String(200))
    #: JSON: weights, types, difficulty_band, forms, exposure_cap, exclude_last_sessions, max_form_overlap, …
    spec: Mapped[str] = mapped_column(sa.Text)
    state: Mapped[BlueprintState] = mapped_column(enum_column(BlueprintState), default=BlueprintState.DRAFT)
    #: JSON of the last FeasibilityReport.to_json() and when it ran
    feasibility: Mapped[str | None] = mapped_column(sa.Text)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    occupation = relationship("Occupation")
    runs: Mapped[list[AssemblyRun]] = relationship(back_populates="blueprint", order_by="AssemblyRun.id")

    def spec_dict(self) -> dict[str, Any]:
        """The spec as a dict."""
        return json.loads(self.spec)


class AssemblyRun(db.Model):
    """One assembly: the forms made from a blueprint with a seed (kept for audit and replay)."""

    __tablename__ = "assembly_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    blueprint_id: Mapped[int] = mapped_column(sa.ForeignKey("blueprints.id"), index=True)
    seed: Mapped[str] = mapped_column(sa.String(100))
    #: the blueprint spec as it was when assembled (the blueprint may change later)
    spec: Mapped[str] = mapped_column(sa.Text)
    #: exposure window (e.g. "2026-12"): the cap counts the candidates of all papers of one window
    window: Mapped[str] = mapped_column(sa.String(40))
    #: candidates expected in the window for this run's papers; 0 = no exposure cap applies
    candidates: Mapped[int] = mapped_column(default=0)
    #: the session this run was used for ("items used in the last N sessions"); None until used
    session_label: Mapped[str | None] = mapped_column(sa.String(200))
    session_on: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    blueprint: Mapped[BlueprintRecord] = relationship(back_populates="runs")
    papers: Mapped[list[PaperRecord]] = relationship(back_populates="run", order_by="PaperRecord.id")


class PaperRecord(db.Model):
    """One assembled form (A, B, …) pinning exact question versions."""

    __tablename__ = "papers"
    __table_args__ = (sa.UniqueConstraint("run_id", "form"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("assembly_runs.id"), index=True)
    form: Mapped[str] = mapped_column(sa.String(8))
    seed: Mapped[str] = mapped_column(sa.String(100))
    total_points: Mapped[Decimal] = mapped_column(sa.Numeric(8, 2))
    mean_difficulty: Mapped[float]
    #: candidates this form serves (counts toward each item's exposure)
    candidates: Mapped[int] = mapped_column(default=0)

    run: Mapped[AssemblyRun] = relationship(back_populates="papers")
    items: Mapped[list[PaperItem]] = relationship(back_populates="paper", order_by="PaperItem.position")


class PaperItem(db.Model):
    """A question on a paper at a position, pinned to the exact version; pretest items carry no points."""

    __tablename__ = "paper_items"

    paper_id: Mapped[int] = mapped_column(sa.ForeignKey("papers.id"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("bank_questions.id"), index=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("question_versions.id"), index=True)
    type_key: Mapped[str] = mapped_column(sa.String(30))
    points: Mapped[Decimal] = mapped_column(sa.Numeric(8, 2))
    cell: Mapped[str] = mapped_column(sa.String(60))
    point_code: Mapped[str] = mapped_column(sa.String(60))
    difficulty: Mapped[float]
    scored: Mapped[bool] = mapped_column(default=True)

    paper: Mapped[PaperRecord] = relationship(back_populates="items")
    version: Mapped[QuestionVersion] = relationship()


class SessionStatistics(db.Model):
    """Test statistics of one sitting of a paper (from its marks), the source of its items' statistics."""

    __tablename__ = "session_statistics"

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(sa.ForeignKey("papers.id"), index=True)
    label: Mapped[str] = mapped_column(sa.String(200))
    attempts: Mapped[int]
    #: JSON of question_bank.statistics TestStats
    test: Mapped[str] = mapped_column(sa.Text)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    computed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    paper: Mapped[PaperRecord] = relationship()
    items: Mapped[list[ItemStatistic]] = relationship(back_populates="session", order_by="ItemStatistic.position")


class ItemStatistic(db.Model):
    """One item's statistics in one session (Moodle's measures plus point-biserial and 27 % groups)."""

    __tablename__ = "item_statistics"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("session_statistics.id"), index=True)
    position: Mapped[int]
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("bank_questions.id"), index=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("question_versions.id"), index=True)
    facility: Mapped[float | None]
    discrimination_index: Mapped[float | None]
    point_biserial: Mapped[float | None]
    #: JSON of the full ItemStats (every measure) and the distractor report
    measures: Mapped[str] = mapped_column(sa.Text)

    session: Mapped[SessionStatistics] = relationship(back_populates="items")
    version: Mapped[QuestionVersion] = relationship()


class FlagState(enum.StrEnum):
    """A review-queue entry is open until a reviewer resolves it."""

    OPEN = "open"
    RESOLVED = "resolved"


class ItemFlag(db.Model):
    """An item sent to the review queue by its statistics (too easy, too hard, not discriminating, …)."""

    __tablename__ = "item_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("bank_questions.id"), index=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("question_versions.id"))
    statistic_id: Mapped[int] = mapped_column(sa.ForeignKey("item_statistics.id"))
    #: JSON list of question_bank.item_review flags ({"code", "where", "params"})
    flags: Mapped[str] = mapped_column(sa.Text)
    state: Mapped[FlagState] = mapped_column(enum_column(FlagState), default=FlagState.OPEN, index=True)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: kept / edited / retired, with the reviewer's note
    resolution: Mapped[str | None] = mapped_column(sa.String(20))
    note: Mapped[str | None] = mapped_column(sa.Text)

    question: Mapped[BankQuestion] = relationship()
    statistic: Mapped[ItemStatistic] = relationship()
