"""Candidate self-registration: a person of the chosen body with a candidate account — or nothing, and every reason.

Builds on people.register_person (identity, duplicate ID, username and password rules) and adds what a public
form needs on top: a body chosen from the list, a mainland mobile number, and a photo meeting the certificate
photo rule (photo_rules). Problems of both layers are reported together.
"""

from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa
from flask import current_app

from certify.auth.models import Role
from certify.core.db import db
from certify.core.errors import Problem, Refused
from certify.institutions import people, photo_rules, rules
from certify.institutions.models import Body, Person
from certify.supervision import audit

#: a mainland China mobile number: 11 digits starting 13–19
MOBILE = re.compile(r"1[3-9]\d{9}")
_MOBILE_NOISE = re.compile(r"[\s\-()]")
#: codes of people.register_person that a self-registering visitor needs worded for them
_SELF_SERVICE_CODES = {"id_taken": "register_id_taken"}


def normalise_mobile(text: str | None) -> str:
    """Digits only: full-width folded, spaces/hyphens/brackets dropped, a +86 / 0086 / 86 prefix removed."""
    number = _MOBILE_NOISE.sub("", unicodedata.normalize("NFKC", text or ""))
    for prefix in ("+86", "0086", "86"):
        if number.startswith(prefix) and len(number) == len(prefix) + 11:
            return number[len(prefix) :]
    return number


def mobile_problems(text: str | None, field: str = "phone", **where) -> tuple[str, list[Problem]]:
    """The normalised number and, when it is missing or not a mainland mobile number, the problem."""
    number = normalise_mobile(text)
    if not number:
        return number, [Problem("register_phone_required", field, dict(where))]
    if not MOBILE.fullmatch(number):
        return number, [Problem("register_phone_format", field, {"value": (text or "").strip()[:40], **where})]
    return number, []


def photo_rule() -> photo_rules.PhotoRule:
    """The configured rule: PHOTO_MIN_SIZE for the pixel size, CERTIFICATE_PHOTO_RULE for any other number."""
    min_width, min_height = current_app.config["PHOTO_MIN_SIZE"]
    overrides = dict(current_app.config.get("CERTIFICATE_PHOTO_RULE") or {})
    return photo_rules.PhotoRule(**{"min_width": min_width, "min_height": min_height, **overrides})


def photo_problems(data: bytes | None, field: str = "photo") -> list[Problem]:
    """A required photo: a real JPEG/PNG within the byte limit, then the certificate photo rule."""
    if not data:
        return [Problem("register_photo_required", field)]
    _, basic = rules.check_photo(
        data,
        max_bytes=current_app.config["PHOTO_MAX_BYTES"],
        min_size=current_app.config["PHOTO_MIN_SIZE"],
        field=field,
    )
    # Size and orientation are re-measured by the certificate rule, with numbers; only format and bytes stay.
    basic = [p for p in basic if p.code in {"photo_not_image", "photo_too_large"}]
    return basic or photo_rules.check_photo_bytes(data, photo_rule(), field)


def registrable_bodies() -> list[Body]:
    """The bodies a visitor may register with, by name."""
    return list(db.session.execute(sa.select(Body).order_by(Body.name)).scalars())


def _required(values: dict, fields: tuple[str, ...]) -> list[Problem]:
    return [Problem("register_value_required", name) for name in fields if not (values.get(name) or "").strip()]


def register_candidate(body_id: int | None, values: dict, photo: bytes | None) -> Person:
    """Register a visitor as a person of the body with a CANDIDATE account; every problem at once, else nothing.

    `values`: name, id_type, id_number, phone, employer (optional), username, password, password_confirm.
    """
    body = db.session.get(Body, body_id) if body_id else None
    problems: list[Problem] = [] if body is not None else [Problem("register_body_unknown", "body_id")]
    problems += _required(values, ("name", "username"))
    phone, phone_found = mobile_problems(values.get("phone"))
    problems += phone_found
    photo_found = photo_problems(photo)
    problems += photo_found
    if values.get("password") and values.get("password") != values.get("password_confirm"):
        problems.append(Problem("register_password_mismatch", "password_confirm"))
    person_values = {
        "name": values.get("name") or "",
        "id_type": values["id_type"],
        "id_number": values.get("id_number") or "",
        "phone": phone,
        "employer": values.get("employer") or "",
    }
    account = {"username": values.get("username") or "", "password": values.get("password") or ""}
    # register_person writes as soon as its own checks pass: a savepoint undoes it when ours did not.
    savepoint = db.session.begin_nested()
    try:
        person = people.register_person(
            body,
            person_values,
            photo=None if photo_found else photo,
            account={**account, "roles": {Role.CANDIDATE}},
        )
    except Refused as refused:
        savepoint.rollback()
        found = [_for_visitor(p) for p in refused.problems if not _repeats(p, problems)]
        raise Refused([*problems, *found]) from None
    except sa.exc.IntegrityError:
        # Someone registered the same document number or username between the checks and the insert.
        savepoint.rollback()
        raise Refused([*problems, Problem("register_conflict", None)]) from None
    if problems:
        savepoint.rollback()
        raise Refused(problems)
    savepoint.commit()
    audit.record(
        "institutions.candidate_self_registered",
        object_type="person",
        object_id=person.id,
        after={"body_id": body.id, "username": account["username"].strip().lower()},
    )
    return person


def _for_visitor(problem: Problem) -> Problem:
    code = _SELF_SERVICE_CODES.get(problem.code)
    return Problem(code, problem.field, problem.params) if code else problem


def _repeats(problem: Problem, found: list[Problem]) -> bool:
    """A missing username is already reported as required; don't add "invalid" on top."""
    return problem.code == "username_invalid" and any(
        p.field == "username" and p.code == "register_value_required" for p in found
    )
