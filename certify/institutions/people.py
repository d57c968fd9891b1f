"""State changes of people: register, edit, photo, employer; with an optional login account."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from flask import current_app

from certify.auth import operations as auth_ops
from certify.auth.models import Role
from certify.core.clock import now_utc
from certify.core.db import db
from certify.core.errors import Problem, Refused
from certify.institutions import identity, rules
from certify.institutions.models import Body, IdType, Organisation, OrganisationKind, Person, PersonPhoto
from certify.supervision import audit

PERSON_FIELDS = ("name", "id_type", "id_number", "birth_date", "phone", "employer_id")


def organisation_named(name: str, kind: OrganisationKind = OrganisationKind.EMPLOYER) -> Organisation:
    """The organisation with this exact name, created when new."""
    name = " ".join(name.split())
    org = db.session.execute(sa.select(Organisation).where(Organisation.name == name)).scalar_one_or_none()
    if org is None:
        org = Organisation(name=name, kind=kind)
        db.session.add(org)
        db.session.flush()
        audit.record(
            "institutions.organisation_created",
            object_type="organisation",
            object_id=org.id,
            after={"name": name, "kind": kind},
        )
    return org


def _person_values(values: dict, person_id: int | None) -> tuple[dict, list[Problem]]:
    problems: list[Problem] = []
    checked = identity.check_id(values["id_type"], values["id_number"], now_utc().date())
    problems += [Problem(p.code, "id_number", p.params) for p in checked.problems]
    if checked.valid:
        clash = db.session.execute(
            sa.select(Person.id).where(
                Person.id_type == IdType(values["id_type"]),
                Person.id_number == checked.number,
                Person.id != (person_id or -1),
            )
        ).first()
        if clash:
            problems.append(Problem("id_taken", "id_number"))
    clean = {
        "name": " ".join(values["name"].split()),
        "id_type": IdType(values["id_type"]),
        "id_number": checked.number,
        "birth_date": checked.birth_date,
        "phone": (values.get("phone") or "").strip() or None,
    }
    return clean, problems


def _photo(data: bytes | None) -> tuple[rules.CheckedPhoto | None, list[Problem]]:
    if not data:
        return None, []
    return rules.check_photo(
        data, max_bytes=current_app.config["PHOTO_MAX_BYTES"], min_size=current_app.config["PHOTO_MIN_SIZE"]
    )


def _store_photo(person: Person, data: bytes, checked: rules.CheckedPhoto) -> None:
    digest = hashlib.sha256(data).hexdigest()
    photo = person.photo or PersonPhoto(person_id=person.id)
    photo.content_type, photo.data, photo.width, photo.height = (
        checked.content_type,
        data,
        checked.width,
        checked.height,
    )
    photo.sha256, photo.uploaded_at = digest, now_utc()
    db.session.add(photo)
    audit.record(
        "institutions.photo_set",
        object_type="person",
        object_id=person.id,
        after={"sha256": digest, "width": checked.width, "height": checked.height},
    )


def register_person(
    body: Body | None,
    values: dict,
    *,
    photo: bytes | None = None,
    account: dict | None = None,
    by=None,
) -> Person:
    """Register a person (and, when `account` is given, their login with roles); every problem at once."""
    clean, problems = _person_values(values, None)
    checked_photo, photo_problems = _photo(photo)
    problems += photo_problems
    if account is not None:
        problems += _account_problems(account)
        problems += auth_ops.role_problems(None, set(account.get("roles") or ()), by=by)
    if problems:
        raise Refused(problems)
    employer = organisation_named(values["employer"]) if (values.get("employer") or "").strip() else None
    person = Person(
        **clean,
        employer_id=employer.id if employer else None,
        body_id=body.id if body else None,
        created_at=now_utc(),
    )
    db.session.add(person)
    db.session.flush()
    audit.record(
        "institutions.person_registered",
        object_type="person",
        object_id=person.id,
        after={**{k: getattr(person, k) for k in PERSON_FIELDS}, "body_id": person.body_id},
    )
    if checked_photo is not None:
        _store_photo(person, photo, checked_photo)
    if account is not None:
        staff = bool(set(account["roles"]) - {Role.CANDIDATE, Role.REGULATOR})
        auth_ops.create_user(
            account["username"],
            account["password"],
            clean["name"],
            set(account["roles"]),
            body_id=body.id if (body and staff) else None,
            person_id=person.id,
        )
    db.session.flush()
    return person


def _account_problems(account: dict) -> list[Problem]:
    import re

    from certify.auth.passwords import password_problems

    problems = []
    username = (account.get("username") or "").strip().lower()
    if not re.fullmatch(r"[a-z0-9._-]{3,64}", username):
        problems.append(Problem("username_invalid", "username"))
    else:
        from certify.auth.models import User

        if db.session.execute(sa.select(User.id).where(User.username == username)).first():
            problems.append(Problem("username_taken", "username", {"username": username}))
    problems += [Problem(code, "password") for code in password_problems(account.get("password") or "", username)]
    if not account.get("roles"):
        problems.append(Problem("roles_missing", "roles"))
    return problems


def create_account(person: Person, username: str, password: str, roles: set[Role], *, by=None):
    """Give an already registered person a login account."""
    if person.account is not None:
        raise Refused("account_exists", field="username")
    problems = _account_problems({"username": username, "password": password, "roles": roles})
    problems += auth_ops.role_problems(None, set(roles), by=by)
    if problems:
        raise Refused(problems)
    staff = bool(set(roles) - {Role.CANDIDATE, Role.REGULATOR})
    return auth_ops.create_user(
        username, password, person.name, set(roles), body_id=person.body_id if staff else None, person_id=person.id
    )


def update_person(person: Person, values: dict, *, photo: bytes | None = None) -> None:
    """Change a person's details (and photo when a new one is uploaded)."""
    clean, problems = _person_values(values, person.id)
    checked_photo, photo_problems = _photo(photo)
    problems += photo_problems
    if problems:
        raise Refused(problems)
    employer = organisation_named(values["employer"]) if (values.get("employer") or "").strip() else None
    clean["employer_id"] = employer.id if employer else None
    before = {k: getattr(person, k) for k in PERSON_FIELDS}
    for key, value in clean.items():
        setattr(person, key, value)
    db.session.flush()
    after = {k: getattr(person, k) for k in PERSON_FIELDS}
    if after != before:
        audit.record(
            "institutions.person_updated",
            object_type="person",
            object_id=person.id,
            before=before,
            after=after,
        )
    if checked_photo is not None:
        _store_photo(person, photo, checked_photo)
    db.session.flush()
