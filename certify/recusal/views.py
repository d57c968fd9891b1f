"""Admin pages of recusal: relations, the potential-conflict queue, a person's conflict sheet."""

from __future__ import annotations

import json

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from certify.auth.models import Role
from certify.core.access import roles_required
from certify.core.db import db
from certify.core.errors import Refused
from certify.core.forms import apply_refusal, flash_form_errors, flash_refusal
from certify.institutions.identity import mask_id
from certify.institutions.models import Person
from certify.institutions.people import organisation_named
from certify.recusal import conflicts, operations, training
from certify.recusal import messages as _messages  # noqa: F401  (registers the problem messages)
from certify.recusal.forms import RELATION_LABELS, EmploymentForm, ReasonForm, RelationForm
from certify.recusal.models import (
    ConflictStatus,
    Declaration,
    OverrideRecord,
    PotentialConflictRecord,
    RecusalCheck,
    RelationRecord,
    TrainingClass,
    TrainingClassMember,
)
from certify.recusal.policy import RelationKind, RelationSource
from certify.recusal.presenting import conflict_text, register_filters, relation_rows, source_label

bp = Blueprint("recusal", __name__, url_prefix="/recusal")
register_filters(bp)
STAFF_VIEW = (Role.ADMIN, Role.SUPERVISOR)


def body_people() -> list[Person]:
    if current_user.body_id is None:
        abort(404)
    return (
        db.session.execute(sa.select(Person).where(Person.body_id == current_user.body_id).order_by(Person.name))
        .scalars()
        .all()
    )


def person_choices(people: list[Person]) -> list[SelectChoice]:
    return [SelectChoice(str(p.id), f"{p.name} ({mask_id(p.id_number)})") for p in people]


def _relation_form(people: list[Person]) -> RelationForm:
    form = RelationForm()
    form.person_a.choices = form.person_b.choices = person_choices(people)
    return form


@bp.get("/relations")
@roles_required(*STAFF_VIEW)
def relations():
    people = body_people()
    ids = [p.id for p in people]
    kind, source = request.args.get("kind", "")[:40], request.args.get("source", "")[:40]
    search = request.args.get("q", "").strip()[:100]
    stmt = (
        sa.select(RelationRecord)
        .where(sa.or_(RelationRecord.person_a_id.in_(ids), RelationRecord.person_b_id.in_(ids)))
        .order_by(RelationRecord.id.desc())
    )
    if kind in {k.value for k in RelationKind}:
        stmt = stmt.where(RelationRecord.kind == RelationKind(kind))
    if source in {s.value for s in RelationSource}:
        stmt = stmt.where(RelationRecord.source == RelationSource(source))
    if search:
        matching = [p.id for p in people if search in p.name or search.upper() in p.id_number]
        stmt = stmt.where(sa.or_(RelationRecord.person_a_id.in_(matching), RelationRecord.person_b_id.in_(matching)))
    rows = db.session.execute(stmt.limit(500)).scalars().all()
    return render_template(
        "recusal/relations.html",
        rows=relation_rows(rows),
        form=_relation_form(people),
        kind=kind,
        source=source,
        search=search,
        kinds=RELATION_LABELS,
        sources=list(RelationSource),
        withdraw_form=ReasonForm(),
    )


@bp.post("/relations")
@roles_required(Role.ADMIN)
def add_relation():
    people = body_people()
    form = _relation_form(people)
    if form.validate_on_submit():
        try:
            operations.add_relation(
                form.kind.data,
                form.person_a.data,
                form.person_b.data,
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                source=RelationSource.STAFF_ENTRY,
                evidence={"note": form.note.data} if form.note.data else {},
                created_by=current_user.id,
            )
        except Refused as refused:
            db.session.rollback()
            apply_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("The relation has been recorded."), "success")
            return redirect(url_for("recusal.relations"))
    ids = [p.id for p in people]
    rows = (
        db.session.execute(
            sa.select(RelationRecord)
            .where(sa.or_(RelationRecord.person_a_id.in_(ids), RelationRecord.person_b_id.in_(ids)))
            .order_by(RelationRecord.id.desc())
            .limit(500)
        )
        .scalars()
        .all()
    )
    return render_template(
        "recusal/relations.html",
        rows=relation_rows(rows),
        form=form,
        kind="",
        source="",
        search="",
        kinds=RELATION_LABELS,
        sources=list(RelationSource),
        withdraw_form=ReasonForm(),
    ), 400


@bp.post("/relations/<int:relation_id>/withdraw")
@roles_required(Role.ADMIN)
def withdraw_relation(relation_id: int):
    row = db.get_or_404(RelationRecord, relation_id)
    ids = {p.id for p in body_people()}
    if row.person_a_id not in ids and row.person_b_id not in ids:
        abort(404)
    form = ReasonForm()
    if form.validate_on_submit():
        operations.withdraw_relation(row, form.reason.data)
        db.session.commit()
        flash(_("The relation has been withdrawn; it stays on record."), "success")
    else:
        flash(_("Give a reason."), "error")
    return redirect(url_for("recusal.relations"))


@bp.get("/conflicts")
@roles_required(*STAFF_VIEW)
def conflict_queue():
    body_people()
    status = request.args.get("status", "open")
    stmt = sa.select(PotentialConflictRecord).where(PotentialConflictRecord.body_id == current_user.body_id)
    if status in {s.value for s in ConflictStatus}:
        stmt = stmt.where(PotentialConflictRecord.status == ConflictStatus(status))
    rows = db.session.execute(stmt.order_by(PotentialConflictRecord.id).limit(500)).scalars().all()
    return render_template(
        "recusal/conflicts.html",
        rows=[(r, conflict_text(r)) for r in rows],
        status=status,
        statuses=list(ConflictStatus),
        decide_form=ReasonForm(),
    )


@bp.post("/conflicts/detect")
@roles_required(Role.ADMIN)
def detect():
    body_people()
    run = conflicts.run_detection(current_user.body)
    db.session.commit()
    flash(
        _(
            "Detection finished: %(new)d new, %(refreshed)d still open, %(pinned)d already decided.",
            new=run.new,
            refreshed=run.refreshed,
            pinned=run.pinned,
        ),
        "success",
    )
    return redirect(url_for("recusal.conflict_queue"))


@bp.post("/conflicts/<int:conflict_id>/<any(confirm, dismiss):decision>")
@roles_required(Role.ADMIN)
def decide(conflict_id: int, decision: str):
    row = db.get_or_404(PotentialConflictRecord, conflict_id)
    if row.body_id != current_user.body_id:
        abort(404)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Give a reason."), "error")
        return redirect(url_for("recusal.conflict_queue"))
    try:
        conflicts.decide_potential(row, decision == "confirm", form.reason.data, current_user.user)
    except Refused as refused:
        flash_refusal(refused)
    else:
        db.session.commit()
        flash(_("The decision is recorded and pinned."), "success")
    return redirect(url_for("recusal.conflict_queue"))


def _body_person(person_id: int) -> Person:
    person = db.get_or_404(Person, person_id)
    if current_user.body_id is None or person.body_id != current_user.body_id:
        abort(404)
    return person


@bp.post("/people/<int:person_id>/employments")
@roles_required(Role.ADMIN)
def add_employment(person_id: int):
    person = _body_person(person_id)
    form = EmploymentForm()
    if form.validate_on_submit():
        try:
            organisation = organisation_named(form.organisation.data)
            training.record_employment(person.id, organisation.id, form.starts_on.data, form.ends_on.data)
        except Refused as refused:
            flash_refusal(refused)
        else:
            db.session.commit()
            flash(_("The employment has been recorded."), "success")
    else:
        flash_form_errors(form)
    return redirect(url_for("recusal.person_sheet", person_id=person.id))


@bp.get("/people/<int:person_id>")
@roles_required(*STAFF_VIEW)
def person_sheet(person_id: int):
    person = _body_person(person_id)
    rels = (
        db.session.execute(
            sa.select(RelationRecord)
            .where(sa.or_(RelationRecord.person_a_id == person.id, RelationRecord.person_b_id == person.id))
            .order_by(RelationRecord.id)
        )
        .scalars()
        .all()
    )
    classes = db.session.execute(
        sa.select(TrainingClass, TrainingClassMember.role)
        .join(TrainingClassMember)
        .where(TrainingClassMember.person_id == person.id)
        .order_by(TrainingClass.starts_on)
    ).all()
    declarations = (
        db.session.execute(
            sa.select(Declaration).where(Declaration.person_id == person.id).order_by(Declaration.declared_at.desc())
        )
        .scalars()
        .all()
    )
    overrides = (
        db.session.execute(sa.select(OverrideRecord).where(OverrideRecord.actor_person_id == person.id)).scalars().all()
    )
    checks = (
        db.session.execute(
            sa.select(RecusalCheck)
            .where(sa.or_(RecusalCheck.actor_person_id == person.id, RecusalCheck.candidate_person_id == person.id))
            .order_by(RecusalCheck.id.desc())
            .limit(50)
        )
        .scalars()
        .all()
    )
    from certify.recusal.queries import employments_of

    return render_template(
        "recusal/person.html",
        person=person,
        relations=relation_rows(rels),
        classes=classes,
        employments=employments_of([person.id]),
        declarations=declarations,
        overrides=overrides,
        checks=[(c, json.loads(c.verdict)) for c in checks],
        employment_form=EmploymentForm(),
        source_label=source_label,
        mask_id=mask_id,
    )
