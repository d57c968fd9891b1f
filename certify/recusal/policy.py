"""Vocabulary and configurable numbers of recusal (回避), staffing and rotation, with DOMAIN.md defaults.

The enums live here (and are re-exported by `rules` and `draw`) because the policies are keyed by them and
the rule modules import the policies: one vocabulary module keeps the imports one-way.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from types import MappingProxyType


class Role(enum.StrEnum):
    """What a person wants to do; each role has its own set of recusal checks."""

    INVIGILATOR = "invigilator"
    ASSESSOR = "assessor"
    MARKER = "marker"
    REVIEW_PANEL = "review_panel"
    APPLICATION_REVIEWER = "application_reviewer"
    BANK_ACCESS = "bank_access"  #: author, reviewer or reader of an occupation's bank, blueprints and papers
    INSPECTOR = "inspector"


class RelationKind(enum.StrEnum):
    """Typed relation between two people; trained/master/teacher are directed (a → b), the rest symmetric."""

    TRAINED = "trained"  #: a trained b
    RELATIVE = "relative"
    MASTER_APPRENTICE = "master_apprentice"  #: a is the master of b
    TEACHER_STUDENT = "teacher_student"  #: a taught b
    OTHER = "other"  #: any other declared or confirmed conflict


DIRECTED_KINDS = frozenset({RelationKind.TRAINED, RelationKind.MASTER_APPRENTICE, RelationKind.TEACHER_STUDENT})


class RelationSource(enum.StrEnum):
    """Where a relation came from (provenance shown next to every reason)."""

    TRAINING_ROSTER = "training_roster"
    DECLARATION = "declaration"
    IMPORT = "import"
    STAFF_ENTRY = "staff_entry"
    DETECTION = "detection"  #: a detected potential conflict an admin confirmed


class Check(enum.StrEnum):
    """One recusal check; relation checks share the value of their RelationKind."""

    TRAINED = "trained"
    RELATIVE = "relative"
    MASTER_APPRENTICE = "master_apprentice"
    TEACHER_STUDENT = "teacher_student"
    OTHER = "other"
    SHARED_EMPLOYER = "shared_employer"
    TRAINS_OCCUPATION = "trains_occupation"  #: 考培分离: trainers of an occupation never touch its bank
    TARGET_EMPLOYER = "target_employer"  #: an inspector never inspects their own employer


class SessionKind(enum.StrEnum):
    """Which part of the assessment a session is; decides the staffing rule."""

    THEORY = "theory"
    PRACTICAL = "practical"
    REVIEW = "review"


class StaffGrade(enum.StrEnum):
    """Qualification of a pool member; senior assessors (高级考评员) may cover every level."""

    INVIGILATOR = "invigilator"
    ASSESSOR = "assessor"
    SENIOR_ASSESSOR = "senior_assessor"


_RELATION_CHECKS = frozenset(
    {Check.TRAINED, Check.RELATIVE, Check.MASTER_APPRENTICE, Check.TEACHER_STUDENT, Check.OTHER}
)
_CANDIDATE_CHECKS = _RELATION_CHECKS | {Check.SHARED_EMPLOYER}


def _default_role_checks() -> Mapping[Role, frozenset[Check]]:
    checks = dict.fromkeys(Role, _CANDIDATE_CHECKS)
    checks[Role.BANK_ACCESS] = frozenset({Check.TRAINS_OCCUPATION})
    checks[Role.INSPECTOR] = _CANDIDATE_CHECKS | {Check.TARGET_EMPLOYER}
    return MappingProxyType(checks)


def add_years(day: date, years: int) -> date:
    """`day` moved by whole calendar years; 29 February lands on 28 February in common years."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class RecusalPolicy:
    """Windows (years after a relation ends; None = forever) and which checks apply to which role."""

    trainer_window_years: int | None = 5
    relative_window_years: int | None = None
    master_apprentice_window_years: int | None = None
    teacher_student_window_years: int | None = None
    other_window_years: int | None = None
    #: a trainer of an occupation stays away from its bank this long after the training duty ends
    training_duty_window_years: int | None = 5
    shared_employer_blocks: bool = True
    #: years an employment still counts after it ended (0 = only while employed, end day inclusive)
    shared_employer_window_years: int | None = 0
    role_checks: Mapping[Role, frozenset[Check]] = field(default_factory=_default_role_checks, hash=False)
    #: scoring roles: an override needs `high_stakes_approvals` distinct approvers
    high_stakes_roles: frozenset[Role] = frozenset({Role.ASSESSOR, Role.MARKER, Role.REVIEW_PANEL})
    high_stakes_approvals: int = 2
    override_approver_roles: frozenset[str] = frozenset({"supervisor"})
    override_reason_min_chars: int = 1

    def window_years(self, kind: RelationKind) -> int | None:
        """Years a relation of `kind` keeps blocking after it ends (None = forever)."""
        return {
            RelationKind.TRAINED: self.trainer_window_years,
            RelationKind.RELATIVE: self.relative_window_years,
            RelationKind.MASTER_APPRENTICE: self.master_apprentice_window_years,
            RelationKind.TEACHER_STUDENT: self.teacher_student_window_years,
            RelationKind.OTHER: self.other_window_years,
        }[kind]

    def checks_for(self, role: Role) -> frozenset[Check]:
        """The checks that apply to `role` (shared employer dropped when the policy does not block it)."""
        checks = self.role_checks.get(role, frozenset())
        if not self.shared_employer_blocks:
            checks = checks - {Check.SHARED_EMPLOYER}
        return checks


def _odd_up(n: int) -> int:
    return n if n % 2 else n + 1


@dataclass(frozen=True)
class StaffingPolicy:
    """Panel sizes: theory 1 invigilator per 15 and ≥ 2 per room; skill 1 per 5, ≥ 3, odd; review ≥ 3, odd."""

    candidates_per_invigilator: int = 15
    invigilators_per_room_min: int = 2
    candidates_per_assessor: int = 5
    assessors_min: int = 3
    assessors_odd: bool = True
    candidates_per_reviewer: int | None = None  #: None = the review panel size does not grow with candidates
    review_panel_min: int = 3
    review_panel_odd: bool = True
    senior_level_ordinals: frozenset[int] = frozenset({5, 6})  #: 技师, 高级技师 need senior assessors
    invigilators_need_card: bool = False

    def panel_size(self, kind: SessionKind, candidates: int) -> int:
        """Smallest panel that satisfies the ratio, minimum and odd rules for `candidates` candidates."""
        if kind is SessionKind.THEORY:
            return max(self.invigilators_per_room_min, math.ceil(candidates / self.candidates_per_invigilator))
        if kind is SessionKind.PRACTICAL:
            size = max(self.assessors_min, math.ceil(candidates / self.candidates_per_assessor))
            return _odd_up(size) if self.assessors_odd else size
        per = self.candidates_per_reviewer
        size = max(self.review_panel_min, math.ceil(candidates / per) if per else 0)
        return _odd_up(size) if self.review_panel_odd else size

    def must_be_odd(self, kind: SessionKind) -> bool:
        """Whether panels of this session kind must have an odd number of members."""
        return {
            SessionKind.THEORY: False,
            SessionKind.PRACTICAL: self.assessors_odd,
            SessionKind.REVIEW: self.review_panel_odd,
        }[kind]

    def required_grades(self, kind: SessionKind, level_ordinal: int) -> frozenset[StaffGrade]:
        """Grades that may sit on a panel of this kind at this level."""
        if kind is SessionKind.THEORY:
            return frozenset(StaffGrade)
        if level_ordinal in self.senior_level_ordinals:
            return frozenset({StaffGrade.SENIOR_ASSESSOR})
        return frozenset({StaffGrade.ASSESSOR, StaffGrade.SENIOR_ASSESSOR})

    def needs_card(self, kind: SessionKind) -> bool:
        """Whether a qualification card valid on the session date is required."""
        return kind is not SessionKind.THEORY or self.invigilators_need_card


@dataclass(frozen=True)
class RotationPolicy:
    """≤ 3 consecutive sessions at one site per person; ≥ 1/3 of a group changes each session."""

    max_consecutive_at_site: int | None = 3
    min_change_fraction: Fraction = Fraction(1, 3)
    #: the domain rule is about assessors; add THEORY to rotate invigilators too
    applies_to: frozenset[SessionKind] = frozenset({SessionKind.PRACTICAL, SessionKind.REVIEW})

    def max_retained(self, panel_size: int) -> int:
        """How many members of one previous group a new panel of `panel_size` may keep."""
        return panel_size - math.ceil(panel_size * self.min_change_fraction)
