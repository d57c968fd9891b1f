"""The draw screen: random, recused, rotated panels with the result and its explanation; replay for audit."""

from __future__ import annotations

import json

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from certify.auth.models import Role, User, UserRole
from certify.core.access import roles_required
from certify.core.db import db
from certify.core.errors import Refused
from certify.core.forms import apply_refusal
from certify.core.i18n import current_locale
from certify.core.templating import level_label
from certify.institutions.models import Person, Site
from certify.ladder.levels import LADDER
from certify.recusal import drawing
from certify.recusal.forms import KIND_LABELS, DrawForm
from certify.recusal.models import PanelDraw
from certify.recusal.views import body_people, person_choices

bp = Blueprint("recusal_draw", __name__, url_prefix="/recusal")
POOL_ROLES = (Role.INVIGILATOR, Role.ASSESSOR, Role.SENIOR_ASSESSOR)


def _people_with(roles) -> list[Person]:
    return (
        db.session.execute(
            sa.select(Person)
            .join(User, User.person_id == Person.id)
            .join(UserRole)
            .where(User.body_id == current_user.body_id, UserRole.role.in_(roles), User.active.is_(True))
            .distinct()
            .order_by(Person.name)
        )
        .scalars()
        .all()
    )


def _draw_form() -> DrawForm:
    form = DrawForm()
    sites = db.session.execute(sa.select(Site).where(Site.body_id == current_user.body_id).order_by(Site.serial))
    form.site_id.choices = [SelectChoice(str(s.id), f"{s.serial} {s.name}") for s in sites.scalars()]
    form.level.choices = [SelectChoice(str(lv.ordinal), level_label(lv.ordinal)) for lv in LADDER if lv.grade_digit]
    pool = {p.id for p in _people_with(POOL_ROLES)}
    staff = {p.id for p in _people_with([r for r in Role if r != Role.CANDIDATE])}
    people = body_people()
    form.candidates.choices = person_choices([p for p in people if p.id not in staff])
    form.pool.choices = person_choices([p for p in people if p.id in pool])
    return form


@bp.get("/draws")
@roles_required(Role.ADMIN, Role.SUPERVISOR)
def draws():
    body_people()
    rows = (
        db.session.execute(
            sa.select(PanelDraw)
            .where(PanelDraw.body_id == current_user.body_id)
            .order_by(PanelDraw.id.desc())
            .limit(200)
        )
        .scalars()
        .all()
    )
    return render_template("recusal/draws.html", rows=rows, kinds=KIND_LABELS, superseded=drawing.superseded(rows))


@bp.route("/draws/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_draw():
    form = _draw_form()
    if form.validate_on_submit():
        site = db.get_or_404(Site, form.site_id.data)
        try:
            row = drawing.draw(
                current_user.body,
                site,
                form.session_date.data,
                form.level.data,
                form.kind.data,
                form.candidates.data or [],
                form.pool.data or [],
                drawn_by=current_user.user,
                seed=form.seed.data,
                redraw_reason=form.redraw_reason.data,
            )
        except Refused as refused:
            db.session.rollback()
            apply_refusal(form, refused)
        else:
            db.session.commit()
            return redirect(url_for("recusal_draw.show_draw", draw_id=row.id))
    return render_template("recusal/draw_form.html", form=form), (400 if request.method == "POST" else 200)


def _own_draw(draw_id: int) -> PanelDraw:
    row = db.get_or_404(PanelDraw, draw_id)
    if row.body_id != current_user.body_id:
        abort(404)
    return row


@bp.get("/draws/<int:draw_id>")
@roles_required(Role.ADMIN, Role.SUPERVISOR)
def show_draw(draw_id: int):
    row = _own_draw(draw_id)
    result = drawing.result_of(row)
    inputs = json.loads(row.inputs)
    names = {
        p.id: p.name
        for p in db.session.execute(
            sa.select(Person).where(Person.id.in_(inputs["candidates"] + [m["id"] for m in inputs["pool"]]))
        ).scalars()
    }
    return render_template(
        "recusal/draw.html",
        row=row,
        result=result,
        inputs=inputs,
        names=names,
        locale=current_locale(),
        kinds=KIND_LABELS,
        replayed=request.args.get("replayed"),
        conflicts_now=drawing.conflicts_now(row) if row.ok else [],
        superseded_by=drawing.superseded(
            db.session.execute(sa.select(PanelDraw).where(PanelDraw.body_id == row.body_id, PanelDraw.id > row.id))
            .scalars()
            .all()
        ).get(row.id),
    )


@bp.post("/draws/<int:draw_id>/replay")
@roles_required(Role.ADMIN, Role.SUPERVISOR)
def replay_draw(draw_id: int):
    row = _own_draw(draw_id)
    same = drawing.replay(row)
    if same:
        flash(_("Replayed from the recorded seed and inputs: the same panels were drawn."), "success")
    else:
        flash(
            _("Replaying the recorded seed and inputs gave a different result: report this to the supervisor."), "error"
        )
    return redirect(url_for("recusal_draw.show_draw", draw_id=row.id, replayed="1"))
