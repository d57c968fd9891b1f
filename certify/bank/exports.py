"""Exporting an occupation's questions at one level as a file (XLSX template, Moodle XML, QTI 2.1 package).

An export is content leaving the bank: it passes `access.require_content` (audited as `bank.questions_exported`
with the format, the count and the question ids) and the file carries a watermark naming who exported it, when,
and the number of that audit entry, so a leaked copy leads back to its record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import sqlalchemy as sa

from certify.auth.models import User
from certify.core.clock import now_utc
from certify.core.db import db
from certify.core.errors import Refused
from certify.institutions.models import Body, Occupation
from certify.supervision.models import AuditEntry
from question_bank.formats import export_moodle_xml, export_qti21, export_xlsx
from question_bank.model import Question

from . import access
from . import messages_imports as _messages  # noqa: F401  (registers the codes)
from .imports import certified_level, normalise_format, require_filed
from .models import BankQuestion, QuestionVersion, VersionState

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: format key → (exporter, media type, file extension)
EXPORT_FORMATS: dict[str, tuple[Callable[[Sequence[Question], str | None], bytes], str, str]] = {
    "xlsx": (export_xlsx, XLSX_TYPE, "xlsx"),
    "moodle_xml": (export_moodle_xml, "application/xml", "xml"),
    "qti": (export_qti21, "application/zip", "zip"),
}
#: states an export may select; active by default
EXPORTABLE_STATES = (
    VersionState.ACTIVE,
    VersionState.DRAFT,
    VersionState.IN_REVIEW,
    VersionState.PRETEST,
    VersionState.RETIRED,
)
AUDIT_ACTION = "questions_exported"


def versions_to_export(
    body: Body, occupation: Occupation, level_ordinal: int, states: Iterable[VersionState]
) -> list[QuestionVersion]:
    """Per question of the occupation and level, its newest version in one of `states`, by question number."""
    wanted = set(states)
    rows = db.session.execute(
        sa.select(QuestionVersion)
        .join(BankQuestion, BankQuestion.id == QuestionVersion.question_id)
        .where(
            BankQuestion.body_id == body.id,
            BankQuestion.occupation_id == occupation.id,
            BankQuestion.level_ordinal == level_ordinal,
            QuestionVersion.state.in_(wanted),
        )
        .order_by(QuestionVersion.question_id, QuestionVersion.number)
    ).scalars()
    newest: dict[int, QuestionVersion] = {}
    for version in rows:
        newest[version.question_id] = version
    return [newest[qid] for qid in sorted(newest)]


def _states(states: Iterable[VersionState | str]) -> list[VersionState]:
    chosen: list[VersionState] = []
    for state in states:
        try:
            value = VersionState(state)
        except ValueError:
            raise Refused("bank_export_states_required", field="states") from None
        if value not in EXPORTABLE_STATES:
            raise Refused("bank_export_states_required", field="states")
        if value not in chosen:
            chosen.append(value)
    if not chosen:
        raise Refused("bank_export_states_required", field="states")
    return chosen


def export_questions(
    body: Body,
    occupation: Occupation,
    level: int | str,
    states: Iterable[VersionState | str],
    fmt: str,
    user: User,
) -> tuple[str, str, bytes]:
    """The export file as (file name, media type, bytes), audited and watermarked; refused naming the field."""
    key = normalise_format(fmt)
    if key not in EXPORT_FORMATS:
        raise Refused("bank_export_format_unknown", field="format", value=fmt)
    require_filed(body, occupation)
    ladder_level = certified_level(level)
    chosen = _states(states)
    versions = versions_to_export(body, occupation, ladder_level.ordinal, chosen)
    if not versions:
        raise Refused("bank_export_empty", field="states", occupation=occupation.code)
    access.require_content(
        user,
        occupation,
        AUDIT_ACTION,
        object_type="occupation",
        object_id=occupation.id,
        details={
            "format": key,
            "count": len(versions),
            "question_ids": [v.question_id for v in versions],
            "version_ids": [v.id for v in versions],
            "level": ladder_level.ordinal,
            "states": [s.value for s in chosen],
        },
    )
    exporter, media_type, extension = EXPORT_FORMATS[key]
    mark = access.watermark(user, _last_audit_seq())
    data = exporter([v.to_question() for v in versions], mark)
    stamp = now_utc().strftime("%Y%m%d-%H%M")
    filename = f"questions-{occupation.code}-L{ladder_level.ordinal}-{stamp}.{extension}"
    return filename, media_type, data


def _last_audit_seq() -> int | None:
    """The entry just written: the audit chain is locked by this transaction until it commits."""
    return (
        db.session.execute(
            sa.select(AuditEntry.seq).where(AuditEntry.action == f"bank.{AUDIT_ACTION}").order_by(AuditEntry.seq.desc())
        )
        .scalars()
        .first()
    )
