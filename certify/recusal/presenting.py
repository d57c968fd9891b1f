"""Turning recusal records into what a page shows, in the user's language."""

from __future__ import annotations

import json

from flask_babel import lazy_gettext as _l

from certify.core.i18n import current_locale
from certify.recusal import detection
from certify.recusal.forms import RELATION_LABELS
from certify.recusal.models import ConflictStatus, PotentialConflictRecord, RelationRecord
from certify.recusal.policy import RelationSource, Role, StaffGrade

SOURCE_LABELS = {
    RelationSource.TRAINING_ROSTER: _l("training roster"),
    RelationSource.DECLARATION: _l("declaration"),
    RelationSource.IMPORT: _l("import"),
    RelationSource.STAFF_ENTRY: _l("staff entry"),
    RelationSource.DETECTION: _l("confirmed detection"),
}


CONFLICT_STATUS_LABELS = {
    ConflictStatus.OPEN: _l("open"),
    ConflictStatus.CONFIRMED: _l("confirmed"),
    ConflictStatus.DISMISSED: _l("dismissed"),
}
ROLE_LABELS = {
    Role.INVIGILATOR: _l("invigilator"),
    Role.ASSESSOR: _l("assessor"),
    Role.MARKER: _l("marker"),
    Role.REVIEW_PANEL: _l("review panel member"),
    Role.APPLICATION_REVIEWER: _l("application reviewer"),
    Role.BANK_ACCESS: _l("question bank access"),
    Role.INSPECTOR: _l("inspector"),
}
GRADE_LABELS = {
    StaffGrade.INVIGILATOR: _l("invigilator"),
    StaffGrade.ASSESSOR: _l("assessor"),
    StaffGrade.SENIOR_ASSESSOR: _l("senior assessor"),
}


def register_filters(bp) -> None:
    """Template filters for recusal vocabulary, registered app-wide by the recusal blueprint."""
    bp.app_template_filter("source_label")(source_label)
    bp.app_template_filter("conflict_status_label")(lambda s: str(CONFLICT_STATUS_LABELS[ConflictStatus(s)]))
    bp.app_template_filter("recusal_role_label")(lambda r: str(ROLE_LABELS[Role(r)]))
    bp.app_template_filter("staff_grade_label")(lambda g: str(GRADE_LABELS[StaffGrade(g)]))


def source_label(source: RelationSource | str) -> str:
    return str(SOURCE_LABELS.get(RelationSource(source), source))


def period(start, end) -> str:
    if start is None and end is None:
        return "—"
    return f"{start.isoformat() if start else '…'} – {end.isoformat() if end else '…'}"


def evidence_summary(evidence: dict) -> str:
    """The human part of a relation's evidence: class, institution, note, declaration."""
    parts = [str(evidence[key]) for key in ("class", "institution", "note") if evidence.get(key)]
    if evidence.get("declaration_id"):
        parts.append(f"#{evidence['declaration_id']}")
    return " · ".join(parts)


def relation_rows(rows: list[RelationRecord]) -> list[dict]:
    return [
        {
            "row": row,
            "kind": RELATION_LABELS.get(row.kind, row.kind),
            "a": row.person_a,
            "b": row.person_b,
            "period": period(row.starts_on, row.ends_on),
            "source": source_label(row.source),
            "evidence": evidence_summary(json.loads(row.evidence or "{}")),
        }
        for row in rows
    ]


def conflict_text(row: PotentialConflictRecord) -> str:
    """The proposal with its evidence, as detection words it, in the user's language."""
    proposal = detection.PotentialConflict(
        row.key, detection.DetectionKind(row.kind), row.person_a_id, row.person_b_id, json.loads(row.evidence)
    )
    return proposal.message(current_locale())
