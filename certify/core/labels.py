"""Translated names of the enums users see."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

from certify.auth.models import Role
from certify.institutions.models import BodyType, IdType, OrganisationKind

ROLE_LABELS = {
    Role.ADMIN: _l("Body administrator"),
    Role.AUTHOR: _l("Question author"),
    Role.REVIEWER: _l("Question reviewer"),
    Role.TRAINER: _l("Trainer"),
    Role.INVIGILATOR: _l("Invigilator"),
    Role.ASSESSOR: _l("Assessor"),
    Role.SENIOR_ASSESSOR: _l("Senior assessor"),
    Role.SUPERVISOR: _l("Supervisor"),
    Role.CANDIDATE: _l("Candidate"),
    Role.REGULATOR: _l("Regulator"),
}

ENUM_LABELS: dict[enum.Enum, object] = {
    **ROLE_LABELS,
    BodyType.THIRD_PARTY: _l("Third-party body (S)"),
    BodyType.EMPLOYER: _l("Employer body (Y)"),
    IdType.RESIDENT_ID: _l("Resident ID card"),
    IdType.PASSPORT: _l("Passport"),
    IdType.HK_MACAO_PERMIT: _l("Hong Kong/Macao travel permit"),
    IdType.TAIWAN_PERMIT: _l("Taiwan travel permit"),
    IdType.FOREIGN_PERMANENT_RESIDENT: _l("Foreign permanent resident ID"),
    OrganisationKind.EMPLOYER: _l("Employer"),
    OrganisationKind.TRAINING_INSTITUTION: _l("Training institution"),
    OrganisationKind.OTHER: _l("Other organisation"),
}


def enum_label(value: enum.Enum | None) -> str:
    """The translated name of an enum member."""
    if value is None:
        return ""
    return str(ENUM_LABELS.get(value, value.value))


def role_label(role: Role | str) -> str:
    """The translated name of a role."""
    return str(ROLE_LABELS[Role(role)])


def choices(enum_cls: type[enum.Enum]) -> list[SelectChoice]:
    """Options for a select field, labels translated when rendered."""
    return [SelectChoice(member.value, ENUM_LABELS.get(member, member.value)) for member in enum_cls]
