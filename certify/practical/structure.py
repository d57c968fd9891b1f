"""Content-structure table (考核内容结构表) of a skill test and the seeded task draw, pure.

A candidate sits every required area plus one elective area; the weights of what a candidate sits add up to
100 % and the minutes stay within the policy's bounds. Problems are reported as ``RubricProblem``.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from certify.practical.rubrics import RubricProblem, format_points


class AssessmentMode(enum.StrEnum):
    """How an area of the skill test is taken."""

    PRACTICAL = "practical"
    WRITTEN = "written"


@dataclass(frozen=True)
class ContentArea:
    """One row of the content-structure table: required or elective, weight %, minutes, mode."""

    code: str
    name: str
    required: bool
    weight: Decimal
    minutes: int
    mode: AssessmentMode = AssessmentMode.PRACTICAL


@dataclass(frozen=True)
class StructurePolicy:
    """Configurable bounds of a skill test; DOMAIN.md: 60–120 minutes per standard."""

    min_minutes: int = 60
    max_minutes: int = 120


@dataclass(frozen=True)
class ContentStructure:
    """The content-structure table: a candidate sits every required area plus one elective area."""

    areas: tuple[ContentArea, ...]

    def sittings(self) -> list[tuple[ContentArea, ...]]:
        """Every combination a candidate may sit: the required areas plus each elective (or none if none)."""
        required = tuple(a for a in self.areas if a.required)
        electives = [a for a in self.areas if not a.required]
        return [(*required, e) for e in electives] if electives else [required]


def validate_structure(structure: ContentStructure, policy: StructurePolicy | None = None) -> list[RubricProblem]:
    """Every problem with a content-structure table; weights sum to 100 over what a candidate sits."""
    policy = policy or StructurePolicy()
    if not structure.areas:
        return [RubricProblem("no_areas", {}, "areas")]
    problems: list[RubricProblem] = []
    seen: set[str] = set()
    for i, area in enumerate(structure.areas):
        where = f"areas[{i}]"
        if area.code in seen:
            problems.append(RubricProblem("duplicate_area", {"area": area.code}, where))
        seen.add(area.code)
        if area.weight <= 0:
            problems.append(
                RubricProblem(
                    "area_weight_not_positive",
                    {"area": area.code, "weight": format_points(area.weight)},
                    where,
                )
            )
        if area.minutes <= 0:
            problems.append(
                RubricProblem("area_minutes_not_positive", {"area": area.code, "minutes": area.minutes}, where)
            )
    for sitting in structure.sittings():
        names = "+".join(a.code for a in sitting)
        total = sum((a.weight for a in sitting), Decimal(0))
        if total != 100:
            problems.append(RubricProblem("weights_not_100", {"areas": names, "total": format_points(total)}, "areas"))
        minutes = sum(a.minutes for a in sitting)
        if not policy.min_minutes <= minutes <= policy.max_minutes:
            params = {
                "areas": names,
                "minutes": minutes,
                "min_minutes": policy.min_minutes,
                "max_minutes": policy.max_minutes,
            }
            problems.append(RubricProblem("minutes_out_of_range", params, "areas"))
    return problems


@dataclass(frozen=True)
class DrawnTask:
    """A task drawn for one candidate, with its area's weight, minutes and mode."""

    area: str
    task: str
    weight: Decimal
    minutes: int
    mode: AssessmentMode


@dataclass(frozen=True)
class TaskDraw:
    """The tasks one candidate sits, reproducible from the recorded seed."""

    seed: str
    elective: str | None
    tasks: tuple[DrawnTask, ...]
    problems: tuple[RubricProblem, ...] = ()

    @property
    def weights(self) -> dict[str, Decimal]:
        """Area code → weight %, the weights of the skill score."""
        return {t.area: t.weight for t in self.tasks}


def draw_tasks(structure: ContentStructure, tasks_by_area: Mapping[str, Sequence[str]], seed: int | str) -> TaskDraw:
    """Draw a task for every required area and for one random elective area, reproducibly from ``seed``."""
    # A string seed is hashed with SHA-512 by random.Random, so the draw is the same on every machine and run.
    rnd = random.Random(str(seed))
    electives = sorted((a for a in structure.areas if not a.required), key=lambda a: a.code)
    elective = rnd.choice(electives) if electives else None
    problems: list[RubricProblem] = []
    drawn: list[DrawnTask] = []
    for i, area in enumerate(structure.areas):
        if not (area.required or area is elective):
            continue
        pool = sorted(set(tasks_by_area.get(area.code, ())))
        if not pool:
            problems.append(RubricProblem("area_without_tasks", {"area": area.code}, f"areas[{i}]"))
            continue
        drawn.append(DrawnTask(area.code, rnd.choice(pool), area.weight, area.minutes, area.mode))
    return TaskDraw(str(seed), elective.code if elective else None, tuple(drawn), tuple(problems))
