"""Training classes and rosters, employments and staff qualifications: the facts recusal decides on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from certify.core.clock import now_utc
from certify.core.db import db
from certify.core.errors import Problem, Refused, describe
from certify.institutions.models import Body, Occupation, Organisation, OrganisationKind
from certify.recusal.models import (
    ClassRole,
    EmploymentRecord,
    StaffQualification,
    TrainingClass,
    TrainingClassMember,
)
from certify.recusal.operations import add_relation, lock_people
from certify.recusal.policy import RelationKind, RelationSource, StaffGrade
from certify.supervision import audit


def save_class(
    body: Body,
    institution: Organisation,
    name: str,
    occupation: Occupation,
    level: int,
    starts_on: date,
    ends_on: date,
    *,
    trainers: list[int],
    trainees: list[int],
    source: RelationSource = RelationSource.STAFF_ENTRY,
) -> TrainingClass:
    """Record a training class with its trainers and trainees; each trainer→trainee pair becomes a relation."""
    problems = []
    name = " ".join((name or "").split())
    if ends_on < starts_on:
        problems.append(Problem("relation_ends_before_start", "ends_on"))
    if not trainers:
        problems.append(Problem("class_needs_trainer", "trainers"))
    if not trainees:
        problems.append(Problem("class_needs_trainee", "trainees"))
    if set(trainers) & set(trainees):
        problems.append(Problem("class_trainer_is_trainee", "trainees"))
    clash = db.session.execute(
        sa.select(TrainingClass.id).where(TrainingClass.organisation_id == institution.id, TrainingClass.name == name)
    ).first()
    if clash:
        problems.append(Problem("class_name_taken", "name", {"name": name}))
    if problems:
        raise Refused(problems)
    lock_people([*trainers, *trainees])
    cls = TrainingClass(
        body_id=body.id,
        organisation_id=institution.id,
        name=name,
        occupation_id=occupation.id,
        level_ordinal=level,
        starts_on=starts_on,
        ends_on=ends_on,
        source=RelationSource(source),
        created_at=now_utc(),
    )
    db.session.add(cls)
    db.session.flush()
    for person in trainers:
        db.session.add(TrainingClassMember(class_id=cls.id, person_id=person, role=ClassRole.TRAINER))
    for person in trainees:
        db.session.add(TrainingClassMember(class_id=cls.id, person_id=person, role=ClassRole.TRAINEE))
    db.session.flush()
    audit.record(
        "recusal.class_saved",
        object_type="training_class",
        object_id=cls.id,
        after={
            "institution": institution.name,
            "name": name,
            "occupation": occupation.code,
            "level": level,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "trainers": sorted(trainers),
            "trainees": sorted(trainees),
            "source": RelationSource(source),
        },
    )
    evidence = {
        "class_id": cls.id,
        "class": name,
        "course": name,
        "institution": institution.name,
        "occupation": occupation.code,
    }
    for trainer in trainers:
        for trainee in trainees:
            add_relation(
                RelationKind.TRAINED,
                trainer,
                trainee,
                starts_on=starts_on,
                ends_on=ends_on,
                source=RelationSource.TRAINING_ROSTER,
                evidence=evidence,
            )
    return cls


def record_employment(
    person: int,
    organisation_id: int,
    starts_on: date | None,
    ends_on: date | None,
    source: RelationSource = RelationSource.STAFF_ENTRY,
) -> EmploymentRecord:
    """Record that a person worked for an organisation over a period."""
    if starts_on and ends_on and ends_on < starts_on:
        raise Refused("relation_ends_before_start", field="ends_on")
    lock_people([person])
    row = EmploymentRecord(
        person_id=person,
        organisation_id=organisation_id,
        starts_on=starts_on,
        ends_on=ends_on,
        source=RelationSource(source),
        created_at=now_utc(),
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        "recusal.employment_recorded",
        object_type="employment",
        object_id=row.id,
        after={
            "person": person,
            "organisation": organisation_id,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "source": RelationSource(source),
        },
    )
    return row


def set_qualification(person: int, grade: StaffGrade, card_number: str, valid_until: date) -> StaffQualification:
    """Record (or renew) an assessor's or invigilator's qualification card."""
    row = db.session.get(StaffQualification, person)
    before = None if row is None else {"grade": row.grade, "card": row.card_number, "valid_until": row.valid_until}
    row = row or StaffQualification(person_id=person)
    row.grade, row.card_number, row.valid_until = StaffGrade(grade), card_number.strip(), valid_until
    db.session.add(row)
    db.session.flush()
    audit.record(
        "recusal.qualification_set",
        object_type="person",
        object_id=person,
        before=before,
        after={"grade": row.grade, "card": row.card_number, "valid_until": valid_until},
    )
    return row


def institution_named(name: str) -> Organisation:
    """The training institution with this name, created when new."""
    from certify.institutions.people import organisation_named

    return organisation_named(name, OrganisationKind.TRAINING_INSTITUTION)


@dataclass(frozen=True)
class ImportProblem:
    """A roster problem found against the database (unknown occupation, clashing name, existing class)."""

    row: int | None
    column: str | None
    code: str
    params: dict

    def message(self, locale: str) -> str:
        return describe(self.code, self.params)


class RosterRejected(Exception):
    """Nothing was imported: every problem of the file, each with its row and column."""

    def __init__(self, problems):
        self.problems = tuple(problems)
        super().__init__(f"{len(self.problems)} problem(s)")


@dataclass(frozen=True)
class RosterImport:
    classes: int
    people_created: int
    relations: int


def _roster_person(body: Body, entry, created: list) -> tuple[int | None, ImportProblem | None]:
    from certify.institutions.models import IdType, Person
    from certify.institutions.people import register_person

    person = db.session.execute(
        sa.select(Person).where(Person.id_type == IdType(entry.id_type), Person.id_number == entry.id_number)
    ).scalar_one_or_none()
    if person is not None:
        if person.name != entry.name:
            return None, ImportProblem(
                entry.row, "name", "roster_name_mismatch", {"name": entry.name, "registered": person.name}
            )
        return person.id, None
    person = register_person(body, {"name": entry.name, "id_type": entry.id_type, "id_number": entry.id_number})
    created.append(person.id)
    return person.id, None


def import_roster(body: Body, data: bytes, filename: str) -> RosterImport:
    """Import a training roster: every class, its people and relations — or nothing, with every problem."""
    from certify.recusal import roster
    from certify.recusal.operations import today

    parsed = roster.parse_roster(data, filename, today())
    if not parsed.ok:
        raise RosterRejected(parsed.problems)
    problems: list = []
    occupations = {o.code: o for o in db.session.execute(sa.select(Occupation)).scalars()}
    for cls in parsed.classes:
        first = cls.rows[0] if cls.rows else None
        if cls.occupation_code not in occupations:
            problems.append(
                ImportProblem(first, "occupation_code", "occupation_not_found", {"code": cls.occupation_code})
            )
        institution = db.session.execute(sa.select(Organisation).where(Organisation.name == cls.institution)).scalar()
        if (
            institution is not None
            and db.session.execute(
                sa.select(TrainingClass.id).where(
                    TrainingClass.organisation_id == institution.id, TrainingClass.name == cls.name
                )
            ).first()
        ):
            problems.append(ImportProblem(first, "class", "class_name_taken", {"name": cls.name}))
    if problems:
        raise RosterRejected(problems)
    created: list[int] = []
    relations = 0
    for cls in parsed.classes:
        ids: dict[str, list[int]] = {"trainers": [], "trainees": []}
        for side in ids:
            for entry in getattr(cls, side):
                person_id, problem = _roster_person(body, entry, created)
                if problem is not None:
                    problems.append(problem)
                else:
                    ids[side].append(person_id)
        if problems:
            continue
        save_class(
            body,
            institution_named(cls.institution),
            cls.name,
            occupations[cls.occupation_code],
            cls.level_ordinal,
            cls.starts_on,
            cls.ends_on,
            trainers=ids["trainers"],
            trainees=ids["trainees"],
            source=RelationSource.TRAINING_ROSTER,
        )
        relations += len(ids["trainers"]) * len(ids["trainees"])
    if problems:
        raise RosterRejected(problems)
    audit.record(
        "recusal.roster_imported",
        object_type="body",
        object_id=body.id,
        after={
            "file": filename[:200],
            "classes": len(parsed.classes),
            "people_created": len(created),
            "relations": relations,
        },
    )
    return RosterImport(len(parsed.classes), len(created), relations)
