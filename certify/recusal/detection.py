"""Automatic detection of potential conflicts, each with its evidence, for an admin to confirm or dismiss.

Every proposal has a stable `key` built only from identities (rule, organisation or roster, people,
occupation), never from dates or names, so a re-detection recognises a pinned decision: a dismissed
proposal stays dismissed (`filter_pinned`).
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from certify.recusal.policy import RecusalPolicy, RelationKind, RelationSource, add_years
from certify.recusal.rules import Employment, Relation, TrainingDuty
from certify.recusal.texts import DETECTION_MESSAGES, render

# Two-character surnames, so 欧阳明 and 欧阳华 share 欧阳 rather than 欧.
_COMPOUND_SURNAMES_TEXT = (
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 令狐 端木 轩辕 独孤 "
    "南宫 西门 百里 呼延 澹台 公冶 太史 申屠 闻人 万俟 钟离 赫连 东郭 第五 司空 左丘 拓跋"
)
COMPOUND_SURNAMES = frozenset(_COMPOUND_SURNAMES_TEXT.split())


class DetectionKind(enum.StrEnum):
    """The rule that proposed a potential conflict."""

    SAME_EMPLOYER = "same_employer"
    SAME_SURNAME_SAME_EMPLOYER = "same_surname_same_employer"
    SAME_TRAINING_CLASS = "same_training_class"
    TRAINER_ON_ROSTER = "trainer_on_roster"
    AUTHOR_TRAINS_OCCUPATION = "author_trains_occupation"
    INSTITUTION_LEVEL = "institution_level"


class Decision(enum.StrEnum):
    """An admin's pinned decision on a proposal."""

    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


_SYMMETRIC = frozenset(
    {DetectionKind.SAME_EMPLOYER, DetectionKind.SAME_SURNAME_SAME_EMPLOYER, DetectionKind.SAME_TRAINING_CLASS}
)

#: which relation a confirmed proposal becomes (None: it is reported, not a relation between two people)
SUGGESTED_RELATION: Mapping[DetectionKind, RelationKind | None] = {
    DetectionKind.SAME_EMPLOYER: RelationKind.OTHER,
    DetectionKind.SAME_SURNAME_SAME_EMPLOYER: RelationKind.RELATIVE,
    DetectionKind.SAME_TRAINING_CLASS: RelationKind.OTHER,
    DetectionKind.TRAINER_ON_ROSTER: RelationKind.TRAINED,
    DetectionKind.AUTHOR_TRAINS_OCCUPATION: None,
    DetectionKind.INSTITUTION_LEVEL: None,
}


@dataclass(frozen=True)
class PersonFacts:
    """What detection needs about a person; `surname` defaults to the surname of a Chinese `name`."""

    id: int
    name: str = ""
    surname: str = ""

    @property
    def family_name(self) -> str:
        """The explicit surname, else the one read from the name."""
        return self.surname or surname_of(self.name)


@dataclass(frozen=True)
class TrainingRoster:
    """A training class (培训班): its trainers and trainees over a period."""

    id: int
    occupation_code: str
    course: str
    trainers: tuple[int, ...]
    trainees: tuple[int, ...]
    start: date | None
    end: date | None


@dataclass(frozen=True)
class BankRole:
    """A person's role on an occupation's bank: "author" (命题) or "reviewer" (审题)."""

    person: int
    occupation_code: str
    role: str


@dataclass(frozen=True)
class PotentialConflict:
    """A proposed conflict: `a` is the staff side (trainer, author), `b` the candidate side or None."""

    key: str
    kind: DetectionKind
    a: int
    b: int | None
    evidence: Mapping[str, Any] = field(default_factory=dict, hash=False)
    occupation: str | None = None
    organisation: int | None = None

    @property
    def suggested_relation(self) -> RelationKind | None:
        """The relation kind a confirmation records."""
        return SUGGESTED_RELATION[self.kind]

    def message(self, locale: str = "en") -> str:
        """The proposal with its evidence in English ("en") or Simplified Chinese ("zh_CN")."""
        return render(DETECTION_MESSAGES, self.kind.value, self.evidence, locale)

    def to_relation(self, relation_id: int) -> Relation | None:
        """The relation recorded when an admin confirms this proposal (None for reported-only kinds)."""
        kind = self.suggested_relation
        if kind is None or self.b is None:
            return None
        start, end = self.evidence.get("starts_on"), self.evidence.get("ends_on")
        return Relation(
            relation_id,
            kind,
            self.a,
            self.b,
            date.fromisoformat(start) if start else None,
            date.fromisoformat(end) if end else None,
            RelationSource.DETECTION,
            {**self.evidence, "detection_key": self.key},
        )


def surname_of(name: str) -> str:
    """Surname of a Chinese name (compound surnames such as 欧阳 recognised); "" for an empty name."""
    name = name.strip()
    return name[:2] if name[:2] in COMPOUND_SURNAMES else name[:1]


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _period(start: date | None, end: date | None) -> str:
    return f"{_iso(start) or '…'} – {_iso(end) or '…'}"


def _overlap(a_start, a_end, b_start, b_end) -> tuple[date | None, date | None] | None:
    start = max((d for d in (a_start, b_start) if d), default=None)
    end = min((d for d in (a_end, b_end) if d), default=None)
    return None if start and end and start > end else (start, end)


def _recent(end: date | None, years: int | None, today: date | None) -> bool:
    return today is None or end is None or years is None or add_years(end, years) >= today


def _label(people: Mapping[int, PersonFacts], person: int) -> str:
    facts = people.get(person)
    return facts.name if facts and facts.name else f"#{person}"


def detect(
    *,
    staff: Collection[int],
    candidates: Collection[int],
    people: Iterable[PersonFacts] = (),
    rosters: Iterable[TrainingRoster] = (),
    employments: Iterable[Employment] = (),
    bank_roles: Iterable[BankRole] = (),
    training_duties: Iterable[TrainingDuty] = (),
    body_candidates: Mapping[int, Collection[int]] | None = None,
    relations: Iterable[Relation] = (),
    today: date | None = None,
    policy: RecusalPolicy | None = None,
) -> list[PotentialConflict]:
    """Every potential conflict between staff and candidates (plus author/trainer and body-level ones).

    With `today`, training facts whose recusal window ended before today are left out.
    """
    policy = policy or RecusalPolicy()
    staff_set, cand_set = set(staff), set(candidates)
    persons = {p.id: p for p in people}
    known = {(r.kind, frozenset((r.a, r.b))) for r in relations}
    found: dict[str, PotentialConflict] = {}

    def propose(kind: DetectionKind, scope: object, a: int, b: int | None, evidence: dict[str, Any], **extra) -> None:
        suggested = SUGGESTED_RELATION[kind]
        if b is not None and (a == b or (suggested and (suggested, frozenset((a, b))) in known)):
            return
        # symmetric rules get one key per unordered pair, so a person on both sides is proposed once
        people_part = sorted((a, b)) if kind in _SYMMETRIC and b is not None else [a] if b is None else [a, b]
        key = ":".join([kind.value, str(scope), *map(str, people_part)])
        labels = {"a": a, "a_label": _label(persons, a)}
        if b is not None:
            labels |= {"b": b, "b_label": _label(persons, b)}
        found.setdefault(key, PotentialConflict(key, kind, a, b, {**labels, **evidence}, **extra))

    by_org: dict[int, list[Employment]] = defaultdict(list)
    for job in sorted(employments, key=lambda e: (e.organisation, e.person, e.start or date.min)):
        by_org[job.organisation].append(job)
    for org, jobs in by_org.items():
        for mine in (j for j in jobs if j.person in staff_set):
            for theirs in (j for j in jobs if j.person in cand_set and j.person != mine.person):
                both = _overlap(mine.start, mine.end, theirs.start, theirs.end)
                if both is None:
                    continue
                evidence = {
                    "organisation": org,
                    "organisation_label": mine.organisation_name or f"#{org}",
                    "a_period": _period(mine.start, mine.end),
                    "b_period": _period(theirs.start, theirs.end),
                    "starts_on": _iso(both[0]),
                    "ends_on": _iso(both[1]),
                }
                propose(DetectionKind.SAME_EMPLOYER, org, mine.person, theirs.person, evidence, organisation=org)
                a_facts, b_facts = persons.get(mine.person), persons.get(theirs.person)
                surname = a_facts.family_name if a_facts else ""
                if surname and b_facts and b_facts.family_name == surname:
                    kind = DetectionKind.SAME_SURNAME_SAME_EMPLOYER
                    evidence = {**evidence, "surname": surname}
                    propose(kind, org, mine.person, theirs.person, evidence, organisation=org)

    roster_list = sorted(rosters, key=lambda r: r.id)
    for roster in roster_list:
        base = {
            "roster": roster.id,
            "course": roster.course,
            "occupation": roster.occupation_code,
            "period": _period(roster.start, roster.end),
            "starts_on": _iso(roster.start),
            "ends_on": _iso(roster.end),
        }
        trainees = sorted(set(roster.trainees))
        for a in sorted(set(roster.trainees) & staff_set):
            for b in (t for t in trainees if t in cand_set):
                propose(DetectionKind.SAME_TRAINING_CLASS, roster.id, a, b, base)
        if not _recent(roster.end, policy.trainer_window_years, today):
            continue
        for a in sorted(set(roster.trainers) & staff_set):
            for b in (t for t in trainees if t in cand_set):
                propose(DetectionKind.TRAINER_ON_ROSTER, roster.id, a, b, base)

    trains: dict[tuple[int, str], list[str]] = defaultdict(list)
    for duty in training_duties:
        if _recent(duty.end, policy.training_duty_window_years, today):
            trains[duty.trainer, duty.occupation_code].append(_period(duty.start, duty.end))
    for roster in roster_list:
        if _recent(roster.end, policy.training_duty_window_years, today):
            for trainer in set(roster.trainers):
                trains[trainer, roster.occupation_code].append(f"{roster.course} (#{roster.id})")
    for role in sorted(bank_roles, key=lambda r: (r.person, r.occupation_code, r.role)):
        periods = trains.get((role.person, role.occupation_code))
        if periods:
            evidence = {
                "occupation": role.occupation_code,
                "bank_role": role.role,
                "training": sorted(periods),
            }
            kind = DetectionKind.AUTHOR_TRAINS_OCCUPATION
            propose(kind, role.occupation_code, role.person, None, evidence, occupation=role.occupation_code)

    for body, certified in sorted((body_candidates or {}).items()):
        certified_set = set(certified)
        body_jobs = by_org.get(body, [])
        for roster in roster_list:
            if not _recent(roster.end, policy.trainer_window_years, today):
                continue
            for trainer in sorted(set(roster.trainers)):
                jobs = [j for j in body_jobs if j.person == trainer]
                if not any(_overlap(j.start, j.end, roster.start, roster.end) for j in jobs):
                    continue
                for trainee in sorted(set(roster.trainees) & certified_set):
                    evidence = {
                        "organisation": body,
                        "organisation_label": jobs[0].organisation_name or f"#{body}",
                        "roster": roster.id,
                        "course": roster.course,
                        "period": _period(roster.start, roster.end),
                    }
                    propose(DetectionKind.INSTITUTION_LEVEL, body, trainer, trainee, evidence, organisation=body)
    return [found[key] for key in sorted(found)]


def filter_pinned(
    proposals: Iterable[PotentialConflict], decisions: Mapping[str, Decision] | Collection[str]
) -> list[PotentialConflict]:
    """Proposals no admin has decided yet: confirmed and dismissed keys are never proposed again."""
    decided = set(decisions)
    return [p for p in proposals if p.key not in decided]
