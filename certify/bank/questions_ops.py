"""Writing questions: a new question is version 1; an edit is always a new version, never a change to an old one.

Every write checks content access (role, pledge, recusal) through `access.require_content`, which also writes the
audit entry. Operations flush; the caller commits.
"""

from __future__ import annotations

import hashlib
import io
import json
import warnings
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from PIL import Image

from certify.auth.models import User
from certify.core.clock import now_utc
from certify.core.db import db
from certify.core.errors import Problem, Refused
from certify.institutions.models import Body, Occupation
from certify.ladder.levels import BY_ORDINAL
from question_bank.model import Question, SourceRef
from question_bank.report import ERROR
from question_bank.types import POINT_CODE_RE, validate

from . import access
from . import messages_questions as _messages  # noqa: F401  (registers the codes)
from .messages_questions import content_problem
from .models import (
    OPEN_STATES,
    BankQuestion,
    QuestionAsset,
    QuestionVersion,
    QuestionVersionAsset,
    VersionState,
)
from .queries import element_points

#: image formats a question may carry, as Pillow names them → media type
IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
#: the most one question may be worth (the column holds 8 digits, 2 after the point)
MAX_POINTS = 1000
#: the upload limit of the question form
MAX_IMAGE_BYTES = 2 * 1024 * 1024


def canonical_content(question: Question) -> str:
    """The canonical JSON stored as a version's content (equal questions, equal text)."""
    return json.dumps(question.to_dict(with_source=False), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def sha256_text(text: str) -> str:
    """Hex sha256 of a text's UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_question(body_id: int, occupation: Occupation, question: Question) -> list[Problem]:
    """Every problem of a question for this bank: its type's validation, plus the point in the element table."""
    problems: list[Problem] = [content_problem(p, question.qtype) for p in validate(question) if p.severity == ERROR]
    if abs(question.points) > MAX_POINTS or question.points != question.points.quantize(Decimal("0.01")):
        problems.append(Problem("bank_points_range", "points", {"limit": MAX_POINTS, "value": question.points}))
    code = question.point_code
    if code and POINT_CODE_RE.match(code):
        points = element_points(body_id, occupation.id)
        params = {"occupation": occupation.code, "code": code}
        if points is None:
            problems.append(Problem("bank_no_element_table", "point_code", params))
        elif code not in points:
            problems.append(Problem("bank_point_unknown", "point_code", params))
    return problems


def image_media_type(data: bytes) -> str | None:
    """The media type of an image judged by its content (PNG, JPEG, GIF, WebP), None for anything else."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                kind = img.format
                img.verify()
    except Exception:  # Pillow raises many kinds for broken or hostile files; all mean "not an image we take"
        return None
    return IMAGE_TYPES.get(kind or "")


def image_problems(files: dict[str, bytes], max_bytes: int | None = None) -> list[Problem]:
    """Every file that is not an acceptable image (or too large), named."""
    problems: list[Problem] = []
    for name, data in files.items():
        if max_bytes is not None and len(data) > max_bytes:
            limit = max_bytes // (1024 * 1024)
            problems.append(Problem("bank_image_too_large", "image", {"name": name, "limit": limit}))
        elif image_media_type(data) is None:
            problems.append(Problem("bank_image_type", "image", {"name": name}))
    return problems


def _source_text(source: Any) -> str | None:
    if source is None:
        return None
    if isinstance(source, SourceRef):
        source = source.to_dict()
    if isinstance(source, dict):
        return json.dumps(source, ensure_ascii=False, sort_keys=True)
    return str(source)


def new_version_row(
    bank_question: BankQuestion,
    number: int,
    question: Question,
    user: User | None,
    source: Any = None,
    import_id: int | None = None,
    state: VersionState = VersionState.DRAFT,
    note: str | None = None,
) -> QuestionVersion:
    """Add version `number` of a question with the content and its query columns (no checks, no audit)."""
    content = canonical_content(question)
    now = now_utc()
    version = QuestionVersion(
        question_id=bank_question.id,
        number=number,
        state=state,
        content=content,
        content_hash=sha256_text(content),
        qtype=question.qtype,
        point_code=question.point_code or None,
        difficulty=question.difficulty,
        points=question.points,
        source=_source_text(source if source is not None else question.source),
        import_id=import_id,
        note=note or None,
        created_at=now,
        created_by_id=user.id if user is not None else None,
        submitted_at=now if state == VersionState.IN_REVIEW else None,
    )
    bank_question.versions.append(version)
    db.session.add(version)
    db.session.flush()
    return version


def attach_assets(version: QuestionVersion, body_id: int, files: dict[str, bytes]) -> list[QuestionVersionAsset]:
    """Link images to a version by name, storing each distinct file once per body; refuses non-images by name."""
    problems = image_problems(files)
    if problems:
        raise Refused(problems)
    links: list[QuestionVersionAsset] = []
    for name, data in files.items():
        asset = store_asset(body_id, data)
        link = QuestionVersionAsset(version_id=version.id, name=name, asset_id=asset.id)
        version.assets.append(link)
        db.session.add(link)
        links.append(link)
    db.session.flush()
    return links


def store_asset(body_id: int, data: bytes) -> QuestionAsset:
    """The body's asset with these bytes, created when new (the caller checked it is an image)."""
    digest = hashlib.sha256(data).hexdigest()
    asset = db.session.execute(
        sa.select(QuestionAsset).where(QuestionAsset.body_id == body_id, QuestionAsset.sha256 == digest)
    ).scalar_one_or_none()
    if asset is None:
        asset = QuestionAsset(
            body_id=body_id,
            sha256=digest,
            media_type=image_media_type(data) or "application/octet-stream",
            size=len(data),
            data=data,
            created_at=now_utc(),
        )
        db.session.add(asset)
        db.session.flush()
    return asset


def _require_filed(body: Body, occupation: Occupation) -> None:
    if occupation.id not in {o.id for o in access.body_occupations(body.id)}:
        raise Refused("bank_occupation_not_filed", occupation=occupation.code)


def create_question(
    body: Body,
    occupation: Occupation,
    level_ordinal: int,
    question: Question,
    user: User,
    note: str = "",
    images: dict[str, bytes] | None = None,
) -> BankQuestion:
    """A new question in the body's bank with version 1 as a draft; refuses with every problem at once.

    The access check runs after the flush (it needs the new id): on RecusalBlocked the caller rolls back.
    """
    files = dict(images or {})
    _require_filed(body, occupation)
    problems = check_question(body.id, occupation, question) + image_problems(files)
    if level_ordinal not in BY_ORDINAL:
        problems.append(Problem("bank_level_unknown", "level", {"value": level_ordinal}))
    problems += [Problem("bank_image_missing", "image", {"name": n}) for n in question.images if n not in files]
    if problems:
        raise Refused(problems)
    bank_question = BankQuestion(
        body_id=body.id,
        occupation_id=occupation.id,
        level_ordinal=level_ordinal,
        created_at=now_utc(),
        created_by_id=user.id,
    )
    db.session.add(bank_question)
    db.session.flush()
    version = new_version_row(bank_question, 1, question, user, note=note)
    attach_assets(version, body.id, {n: files[n] for n in question.images})
    access.require_content(
        user,
        occupation,
        "question_created",
        object_type="question",
        object_id=bank_question.id,
        details={"version": 1, "level": level_ordinal, "content_hash": version.content_hash},
    )
    return bank_question


def edit_question(
    bank_question: BankQuestion,
    question: Question,
    user: User,
    note: str = "",
    images: dict[str, bytes] | None = None,
) -> QuestionVersion:
    """A new draft version with the edited content; open drafts and reviews of the question become superseded.

    Images the question names keep their current file unless `images` brings a new one.
    """
    occupation = bank_question.occupation
    latest = bank_question.latest
    access.require_content(
        user,
        occupation,
        "question_edited",
        object_type="question",
        object_id=bank_question.id,
        details={"from_version": latest.number, "content_hash": sha256_text(canonical_content(question))},
    )
    files = dict(images or {})
    kept = {link.name: link.asset for link in latest.assets}
    new_files = {
        name: data
        for name, data in files.items()
        if name not in kept or kept[name].sha256 != hashlib.sha256(data).hexdigest()
    }
    if canonical_content(question) == latest.content and not new_files:
        raise Refused("bank_content_unchanged", number=latest.number)
    problems = check_question(bank_question.body_id, occupation, question) + image_problems(files)
    problems += [
        Problem("bank_image_missing", "image", {"name": n}) for n in question.images if n not in files and n not in kept
    ]
    if problems:
        raise Refused(problems)
    for version in bank_question.versions:
        if version.state in OPEN_STATES:
            version.state = VersionState.SUPERSEDED
    version = new_version_row(bank_question, latest.number + 1, question, user, note=note)
    attach_assets(version, bank_question.body_id, {n: files[n] for n in question.images if n in files})
    for name in question.images:
        if name not in files:
            link = QuestionVersionAsset(version_id=version.id, name=name, asset_id=kept[name].id)
            version.assets.append(link)
            db.session.add(link)
    db.session.flush()
    return version
