"""Staff pages of recusal: my declarations, "why am I blocked?", and supervisors' overrides."""

from __future__ import annotations

import json

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from certify.auth.models import Role as AccountRole
from certify.core.access import roles_required
from certify.core.db import db
from certify.core.errors import Refused
from certify.core.forms import apply_refusal, flash_refusal
from certify.core.i18n import current_locale
from certify.institutions.identity import mask_id, normalise
from certify.institutions.models import Occupation, Person
from certify.recusal import conflicts, operations, queries, rules
from certify.recusal import messages as _messages  # noqa: F401  (registers the problem messages)
from certify.recusal.conflicts import STAFF_ROLES
from certify.recusal.forms_staff import (
    DUTY_LABELS,
    RELATION_LABELS,
    SOURCE_LABELS,
    ApproveForm,
    DeclarationForm,
    OverrideForm,
    RevokeForm,
    WhyForm,
)
from certify.recusal.models import Declaration, OverrideRecord, RelationRecord
from certify.recusal.policy import RelationSource

bp = Blueprint("recusal_staff", __name__, url_prefix="/recusal")

SUPERVISOR = AccountRole.SUPERVISOR


def _me() -> int:
    """The signed-in staff member's person id (an account without a person has nothing to declare or check)."""
    if current_user.person_id is None:
        abort(404)
    return current_user.person_id


def _body_person(number: str | None) -> int | None:
    """The person of the user's body picked ("p:<id>") or named by ID number, if any."""
    if current_user.body_id is None or not (number or "").strip():
        return None
    if number.startswith("p:") and number[2:].isdigit():
        person = db.session.get(Person, int(number[2:]))
        return person.id if person is not None and person.body_id == current_user.body_id else None
    return db.session.execute(
        sa.select(Person.id)
        .where(Person.body_id == current_user.body_id, Person.id_number == normalise(number))
        .order_by(Person.id)
        .limit(1)
    ).scalar()


def _occupation_exists(code: str) -> bool:
    return db.session.execute(sa.select(Occupation.id).where(Occupation.code == code)).first() is not None


# --- my declarations -------------------------------------------------------------------------------------------


def _declarations(person_id: int) -> list[tuple[Declaration, list[RelationRecord]]]:
    rows = (
        db.session.execute(
            sa.select(Declaration)
            .where(Declaration.person_id == person_id)
            .order_by(Declaration.declared_at.desc(), Declaration.id.desc())
        )
        .scalars()
        .all()
    )
    declared = db.session.execute(
        sa.select(RelationRecord).where(
            RelationRecord.person_a_id == person_id, RelationRecord.source == RelationSource.DECLARATION
        )
    ).scalars()
    by_declaration: dict[int, list[RelationRecord]] = {}
    for relation in declared:
        declaration_id = json.loads(relation.evidence or "{}").get("declaration_id")
        by_declaration.setdefault(declaration_id, []).append(relation)
    return [(row, by_declaration.get(row.id, [])) for row in rows]


@bp.route("/declarations", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def declarations():
    me = _me()
    form = DeclarationForm()
    if form.validate_on_submit() and (declared := form.declared(_body_person)) is not None:
        try:
            conflicts.declare(
                me, none_known=form.none_known.data, statement=form.statement.data or "", conflicts=declared
            )
        except Refused as refused:
            db.session.rollback()
            apply_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("Your declaration has been recorded."), "success")
            return redirect(url_for("recusal_staff.declarations"))
    return render_template(
        "recusal/staff/declarations.html",
        form=form,
        declarations=_declarations(me),
        relation_labels=RELATION_LABELS,
    ), (400 if request.method == "POST" else 200)


# --- why am I blocked? -----------------------------------------------------------------------------------------


def _evidence(reason: rules.Reason) -> list[tuple[str, str]]:
    """The reason's source and evidence as (label, value) lines a person can read."""
    params, evidence = reason.params, reason.evidence
    details = evidence.get("details") or {}
    lines = []
    if evidence.get("source"):
        lines.append((_("Source"), str(SOURCE_LABELS.get(RelationSource(evidence["source"]), evidence["source"]))))
    if "relation_ids" in evidence:
        lines.append((_("Period"), params.get("period", "")))
    for key, label in (("class", _("Training class")), ("institution", _("Training institution"))):
        if details.get(key):
            lines.append((label, str(details[key])))
    if details.get("note"):
        lines.append((_("Note"), str(details["note"])))
    if params.get("organisation_label"):
        lines.append((_("Organisation"), str(params["organisation_label"])))
    if params.get("actor_period"):
        lines.append((_("Your employment"), str(params["actor_period"])))
    if params.get("candidate_period"):
        lines.append((_("Candidate's employment"), str(params["candidate_period"])))
    if reason.code == "trains_occupation":
        lines.append((_("Occupation"), str(params["occupation"])))
        lines.append((_("Training duty"), str(params["period"])))
    if params.get("blocks_until"):
        lines.append((_("Recusal applies through"), str(params["blocks_until"])))
    return lines


@bp.get("/why")
@roles_required(*STAFF_ROLES)
def why():
    me = _me()
    asked = bool(request.args)
    form = WhyForm(formdata=request.args if asked else None)
    verdict = None
    if asked and form.validate() and (names := form.resolve(_body_person, _occupation_exists)) is not None:
        facts = queries.facts_for([me, names["candidate"]])
        verdict = rules.decide(
            me,
            names["role"],
            operations.today(),
            candidate=names["candidate"],
            occupation=names["occupation"],
            relations=facts.relations,
            employments=facts.employments,
            training_duties=facts.training_duties,
            overrides=facts.overrides,
            policy=operations.policy(),
        )
    return render_template(
        "recusal/staff/why.html", form=form, verdict=verdict, locale=current_locale(), evidence=_evidence
    )


# --- overrides -------------------------------------------------------------------------------------------------


def _needed(row: OverrideRecord) -> int:
    policy = operations.policy()
    return policy.high_stakes_approvals if row.role in policy.high_stakes_roles else 1


def _status(row: OverrideRecord) -> str:
    if row.revoked_at is not None:
        return "revoked"
    if row.expires_on is not None and operations.today() > row.expires_on:
        return "expired"
    return "active" if len(row.approvals) >= _needed(row) else "pending"


def _own_override(override_id: int) -> OverrideRecord:
    """An override whose conflicted person belongs to the user's body; anything else is a 404."""
    row = db.get_or_404(OverrideRecord, override_id)
    if current_user.body_id is None or row.actor is None or row.actor.body_id != current_user.body_id:
        abort(404)
    return row


@bp.get("/overrides")
@roles_required(AccountRole.ADMIN, SUPERVISOR)
def overrides():
    if current_user.body_id is None:
        abort(404)
    rows = (
        db.session.execute(
            sa.select(OverrideRecord)
            .join(Person, Person.id == OverrideRecord.actor_person_id)
            .where(Person.body_id == current_user.body_id)
            .order_by(OverrideRecord.created_at.desc(), OverrideRecord.id.desc())
        )
        .scalars()
        .all()
    )
    return render_template(
        "recusal/staff/overrides.html",
        overrides=rows,
        needed=_needed,
        status=_status,
        duty_labels=DUTY_LABELS,
        approve_form=ApproveForm(),
        revoke_form=RevokeForm(),
    )


@bp.route("/overrides/new", methods=["GET", "POST"])
@roles_required(SUPERVISOR)
def new_override():
    if current_user.body_id is None:
        abort(404)
    form = OverrideForm()
    people = (
        db.session.execute(sa.select(Person).where(Person.body_id == current_user.body_id).order_by(Person.name))
        .scalars()
        .all()
    )
    form.actor.choices = [SelectChoice("", "—")] + [
        SelectChoice(f"p:{p.id}", f"{p.name} ({mask_id(p.id_number)})") for p in people
    ]
    form.candidate.choices = list(form.actor.choices)
    if form.validate_on_submit() and (names := form.resolve(_body_person, _occupation_exists)) is not None:
        try:
            row = operations.request_override(
                names["actor"],
                names["role"],
                form.reason.data,
                requested_by=current_user.user,
                candidate=names["candidate"],
                occupation=names["occupation"],
                expires_on=form.expires_on.data,
            )
        except Refused as refused:
            db.session.rollback()
            apply_refusal(form, refused)
        else:
            db.session.commit()
            flash(
                _(
                    "Override #%(id)d has been recorded with your approval (%(count)d of %(needed)d).",
                    id=row.id,
                    count=1,
                    needed=_needed(row),
                ),
                "success",
            )
            return redirect(url_for("recusal_staff.overrides"))
    supervisors = len(queries.supervisors_person_ids(current_user.body_id))
    return render_template(
        "recusal/staff/override_form.html",
        form=form,
        supervisors=supervisors,
        scoring_needs=operations.policy().high_stakes_approvals,
    ), (400 if request.method == "POST" else 200)


def _flash_form_errors(form) -> None:
    for errors in form.errors.values():
        for message in errors:
            flash(message, "error")


@bp.post("/overrides/<int:override_id>/approve")
@roles_required(SUPERVISOR)
def approve_override(override_id: int):
    row = _own_override(override_id)
    form = ApproveForm()
    if not form.validate_on_submit():
        _flash_form_errors(form)
        return redirect(url_for("recusal_staff.overrides"))
    try:
        operations.approve_override(row, current_user.user)
    except Refused as refused:
        flash_refusal(refused)
    else:
        db.session.commit()
        flash(_("Your approval of override #%(id)d has been recorded.", id=row.id), "success")
    return redirect(url_for("recusal_staff.overrides"))


@bp.post("/overrides/<int:override_id>/revoke")
@roles_required(SUPERVISOR)
def revoke_override(override_id: int):
    row = _own_override(override_id)
    form = RevokeForm()
    if not form.validate_on_submit():
        _flash_form_errors(form)
        return redirect(url_for("recusal_staff.overrides"))
    try:
        operations.revoke_override(row, form.reason.data or "")
    except Refused as refused:
        flash_refusal(refused)
    else:
        db.session.commit()
        flash(_("Override #%(id)d has been revoked.", id=row.id), "success")
    return redirect(url_for("recusal_staff.overrides"))
