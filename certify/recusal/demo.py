"""The recusal part of the demo world: a training class, an employment, qualifications, a dismissed conflict."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from certify.auth.models import User
from certify.core.db import db
from certify.institutions.models import Body, Occupation, OrganisationKind, Person
from certify.institutions.people import organisation_named
from certify.recusal import conflicts, training
from certify.recusal.models import (
    ConflictStatus,
    Declaration,
    EmploymentRecord,
    PotentialConflictRecord,
    StaffQualification,
    TrainingClass,
)
from certify.recusal.operations import today
from certify.recusal.policy import RelationSource, StaffGrade

CLASS_NAME = "2026年文物修复师（陶瓷）中级工培训班"
CARDS = {
    "invigilator": (StaffGrade.INVIGILATOR, "JK-2024-0101"),
    "invigilator2": (StaffGrade.INVIGILATOR, "JK-2025-0102"),
    "assessor1": (StaffGrade.ASSESSOR, "KP-2023-1101"),
    "assessor2": (StaffGrade.ASSESSOR, "KP-2023-1102"),
    "assessor3": (StaffGrade.ASSESSOR, "KP-2024-1103"),
    "senior_assessor": (StaffGrade.SENIOR_ASSESSOR, "GKP-2022-0007"),
}


def _person(username: str) -> Person:
    user = db.session.execute(sa.select(User).where(User.username == username)).scalar_one()
    return db.session.get(Person, user.person_id)


def seed_recusal_demo(body: Body, admin: User) -> None:
    """Add the recusal demo facts once (later runs find them and change nothing)."""
    day = today()
    trainer, c1, c2, c3 = (_person(u) for u in ("trainer", "candidate1", "candidate2", "candidate3"))
    restorer = db.session.execute(sa.select(Occupation).where(Occupation.code == "4-13-03-02")).scalar_one()
    if not db.session.execute(sa.select(TrainingClass.id).where(TrainingClass.name == CLASS_NAME)).first():
        school = organisation_named("北京示例文物修复培训学校", OrganisationKind.TRAINING_INSTITUTION)
        ended = day - timedelta(days=91)
        training.save_class(
            body,
            school,
            CLASS_NAME,
            restorer,
            3,
            ended - timedelta(days=120),
            ended,
            trainers=[trainer.id],
            trainees=[c1.id, c2.id],
            source=RelationSource.TRAINING_ROSTER,
        )
    assessor1 = _person("assessor1")
    if not db.session.execute(sa.select(EmploymentRecord.id).where(EmploymentRecord.person_id == assessor1.id)).first():
        training.record_employment(assessor1.id, c3.employer_id, date(2019, 3, 1), None, RelationSource.IMPORT)
    for username, (grade, card) in CARDS.items():
        person = _person(username)
        if db.session.get(StaffQualification, person.id) is None:
            training.set_qualification(person.id, grade, card, date(day.year + 2, 12, 31))
        if not db.session.execute(sa.select(Declaration.id).where(Declaration.person_id == person.id)).first():
            conflicts.declare(person.id, none_known=True, statement="")
    if not db.session.execute(
        sa.select(PotentialConflictRecord.id).where(PotentialConflictRecord.body_id == body.id)
    ).first():
        conflicts.run_detection(body)
        author = _person("author")
        row = (
            db.session.execute(
                sa.select(PotentialConflictRecord).where(
                    PotentialConflictRecord.body_id == body.id,
                    PotentialConflictRecord.kind == "same_employer",
                    PotentialConflictRecord.person_a_id == author.id,
                    PotentialConflictRecord.status == ConflictStatus.OPEN,
                )
            )
            .scalars()
            .first()
        )
        if row is not None:
            conflicts.decide_potential(
                row, False, "命题人员在馆内研究部，考生在修复部，无工作往来；经核实不构成利害关系。", admin
            )
