"""A paper as assembled, its final check, and per-candidate shuffling of questions and options."""

from __future__ import annotations

import math
import random
from collections.abc import Iterable
from dataclasses import dataclass

from question_bank.blueprint import Blueprint, active_types
from question_bank.eligibility import to_units

#: Types whose options are shuffled per candidate (true/false keeps 对/错 in place).
SHUFFLED_OPTION_TYPES = frozenset({"single_choice", "multiple_choice"})
DISPLAY_LABELS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True)
class PaperQuestion:
    """One question as placed on a paper (points from the blueprint's type spec)."""

    item_id: str
    type_key: str
    points: float
    cell: str
    point_code: str
    difficulty: float
    option_ids: tuple[str, ...] = ()
    key: tuple[str, ...] = ()


@dataclass(frozen=True)
class Paper:
    """One form of a paper, in canonical order: type sections as in the blueprint, then by point code."""

    form: str
    seed: str  #: the assembly seed, stored for audit
    occupation_code: str
    level: int
    questions: tuple[PaperQuestion, ...]

    @property
    def total_points(self) -> float:
        """Sum of the question points."""
        return math.fsum(q.points for q in self.questions)

    @property
    def mean_difficulty(self) -> float:
        """Points-weighted mean difficulty."""
        total = self.total_points
        return math.fsum(q.points * q.difficulty for q in self.questions) / total if total else 0.0

    def item_ids(self) -> set[str]:
        """The items on this form."""
        return {q.item_id for q in self.questions}


def check_paper(paper: Paper, blueprint: Blueprint) -> list[str]:
    """Every way a paper breaks its blueprint (weights, type counts, points, band), as short English notes."""
    notes: list[str] = []
    by_cell: dict[str, int] = {}
    for question in paper.questions:
        by_cell[question.cell] = by_cell.get(question.cell, 0) + (to_units(question.points) or 0)
    for cell, weight in blueprint.weights.items():
        if by_cell.get(cell, 0) != to_units(weight):
            notes.append(f"range {cell} has {by_cell.get(cell, 0) / 100} points, weight {weight}")
    for spec in active_types(blueprint):
        count = sum(1 for q in paper.questions if q.type_key == spec.type_key)
        if count != spec.count:
            notes.append(f"{spec.type_key}: {count} questions, blueprint {spec.count}")
    points = [q.point_code for q in paper.questions]
    if len(set(points)) != len(points):
        notes.append("an assessment point is used twice")
    if len({q.item_id for q in paper.questions}) != len(paper.questions):
        notes.append("an item is used twice")
    low, high = blueprint.difficulty_band
    if not low - 1e-9 <= paper.mean_difficulty <= high + 1e-9:
        notes.append(f"mean difficulty {paper.mean_difficulty:.4f} outside {low}–{high}")
    return notes


@dataclass(frozen=True)
class PersonalQuestion:
    """A question as one candidate sees it: display number, option order, and the key in display labels."""

    number: int
    item_id: str
    type_key: str
    points: float
    options: tuple[str, ...]  #: canonical option ids in display order
    labels: tuple[str, ...]  #: display labels, parallel to `options`
    key: tuple[str, ...]  #: display labels of the correct options, sorted

    def to_canonical(self, answer: Iterable[str]) -> tuple[str, ...]:
        """A candidate's answer in display labels → canonical option ids (sorted); unknown labels raise."""
        mapping = dict(zip(self.labels, self.options, strict=True))
        return tuple(sorted(mapping[label] for label in answer))

    def to_display(self, canonical: Iterable[str]) -> tuple[str, ...]:
        """Canonical option ids → the labels this candidate saw (sorted)."""
        mapping = dict(zip(self.options, self.labels, strict=True))
        return tuple(sorted(mapping[option] for option in canonical))


@dataclass(frozen=True)
class PersonalPaper:
    """One candidate's view of a form; reproducible from (paper seed, form, candidate seed)."""

    form: str
    paper_seed: str
    candidate_seed: str
    questions: tuple[PersonalQuestion, ...]


def personalise(
    paper: Paper,
    candidate_seed: int | str,
    shuffle_types: frozenset[str] = SHUFFLED_OPTION_TYPES,
    within_sections: bool = True,
) -> PersonalPaper:
    """Shuffle question order (within type sections by default) and choice options for one candidate."""
    rng = random.Random(f"{paper.seed}|{paper.form}|{candidate_seed}")
    questions = list(paper.questions)
    if within_sections:
        sections: dict[str, list[PaperQuestion]] = {}
        for question in questions:
            sections.setdefault(question.type_key, []).append(question)
        questions = []
        for section in sections.values():
            rng.shuffle(section)
            questions += section
    else:
        rng.shuffle(questions)
    result = []
    for number, question in enumerate(questions, start=1):
        options = list(question.option_ids)
        if question.type_key in shuffle_types:
            rng.shuffle(options)
        labels = tuple(DISPLAY_LABELS[i] if i < len(DISPLAY_LABELS) else str(i + 1) for i in range(len(options)))
        mapping = dict(zip(options, labels, strict=True))
        key = tuple(sorted(mapping.get(option, option) for option in question.key))
        result.append(
            PersonalQuestion(number, question.item_id, question.type_key, question.points, tuple(options), labels, key)
        )
    return PersonalPaper(paper.form, paper.seed, str(candidate_seed), tuple(result))
