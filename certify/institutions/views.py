"""Pages for the body, its sites and rooms, the occupations and the body's filings."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from certify.auth.models import Role
from certify.core.access import login_required, own_body_or_404, roles_required
from certify.core.db import db
from certify.core.errors import Refused
from certify.core.forms import apply_refusal
from certify.institutions import messages as _messages  # noqa: F401  (registers the problem messages)
from certify.institutions import operations
from certify.institutions.forms import BodyForm, DirectionForm, FilingForm, OccupationForm, RoomForm, SiteForm
from certify.institutions.models import Body, BodyOccupation, Occupation, Room, Site

bp = Blueprint("institutions", __name__)


def _my_body() -> Body:
    body = db.session.get(Body, current_user.body_id) if current_user.body_id else None
    if body is None:
        abort(404)
    return body


def _site(site_id: int) -> Site:
    site = db.get_or_404(Site, site_id)
    own_body_or_404(site.body_id)
    return site


def _form_page(template: str, form, **context):
    return render_template(template, form=form, **context), (400 if request.method == "POST" else 200)


@bp.get("/body")
@roles_required(Role.ADMIN, Role.SUPERVISOR)
def body():
    body = _my_body()
    filings = (
        db.session.execute(
            sa.select(BodyOccupation).where(BodyOccupation.body_id == body.id).order_by(BodyOccupation.filed_on)
        )
        .scalars()
        .all()
    )
    return render_template("institutions/body.html", body=body, filings=filings, filing_form=_filing_form(body))


@bp.route("/body/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_body():
    body = _my_body()
    form = BodyForm(obj=body if request.method == "GET" else None)
    if request.method == "GET":
        form.body_type.data = body.body_type.value
    if form.validate_on_submit():
        try:
            operations.update_body(
                body, {k: form.data[k] for k in ("body_type", "code", "province_code", "name", "name_en")}
            )
        except Refused as refused:
            db.session.rollback()
            apply_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("The body's details have been saved."), "success")
            return redirect(url_for("institutions.body"))
    return _form_page("institutions/body_form.html", form, body=body)


def _filing_form(body: Body) -> FilingForm:
    form = FilingForm()
    filed = {f.occupation_id for f in body.filings}
    occupations = db.session.execute(sa.select(Occupation).order_by(Occupation.code)).scalars()
    form.occupation_id.choices = [
        SelectChoice(str(o.id), f"{o.code} {o.name_zh}") for o in occupations if o.id not in filed
    ]
    return form


@bp.post("/body/filings")
@roles_required(Role.ADMIN)
def add_filing():
    body = _my_body()
    form = _filing_form(body)
    if form.validate_on_submit():
        occupation = db.get_or_404(Occupation, form.occupation_id.data)
        try:
            operations.file_occupation(body, occupation, form.filed_on.data, form.reference.data)
        except Refused as refused:
            db.session.rollback()
            apply_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("The filing has been recorded."), "success")
            return redirect(url_for("institutions.body"))
    filings = body.filings
    return render_template("institutions/body.html", body=body, filings=filings, filing_form=form), 400


@bp.route("/sites/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_site():
    body = _my_body()
    form = SiteForm()
    if form.validate_on_submit():
        try:
            site = operations.save_site(body, None, {k: form.data[k] for k in ("serial", "name", "address", "active")})
        except Refused as refused:
            db.session.rollback()
            apply_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("The site has been created."), "success")
            return redirect(url_for("institutions.site", site_id=site.id))
    return _form_page("institutions/site_form.html", form, site=None)


@bp.get("/sites/<int:site_id>")
@roles_required(Role.ADMIN, Role.SUPERVISOR)
def site(site_id: int):
    return render_template("institutions/site.html", site=_site(site_id))


@bp.route("/sites/<int:site_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_site(site_id: int):
    site = _site(site_id)
    form = SiteForm(obj=site if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            operations.save_site(site.body, site, {k: form.data[k] for k in ("serial", "name", "address", "active")})
        except Refused as refused:
            db.session.rollback()
            apply_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("The site has been saved."), "success")
            return redirect(url_for("institutions.site", site_id=site.id))
    return _form_page("institutions/site_form.html", form, site=site)


@bp.route("/sites/<int:site_id>/rooms/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_room(site_id: int):
    site = _site(site_id)
    form = RoomForm()
    if form.validate_on_submit():
        try:
            operations.save_room(site, None, {"name": form.name.data.strip(), "seats": form.seats.data})
        except Refused as refused:
            db.session.rollback()
            apply_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("The room has been added."), "success")
            return redirect(url_for("institutions.site", site_id=site.id))
    return _form_page("institutions/room_form.html", form, site=site, room=None)


@bp.route("/rooms/<int:room_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_room(room_id: int):
    room = db.get_or_404(Room, room_id)
    site = _site(room.site_id)
    form = RoomForm(obj=room if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            operations.save_room(site, room, {"name": form.name.data.strip(), "seats": form.seats.data})
        except Refused as refused:
            db.session.rollback()
            apply_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("The room has been saved."), "success")
            return redirect(url_for("institutions.site", site_id=site.id))
    return _form_page("institutions/room_form.html", form, site=site, room=room)


@bp.get("/occupations")
@login_required
def occupations():
    rows = db.session.execute(sa.select(Occupation).order_by(Occupation.code)).scalars().all()
    filed = set()
    if current_user.body_id:
        filed = set(
            db.session.execute(
                sa.select(BodyOccupation.occupation_id).where(BodyOccupation.body_id == current_user.body_id)
            ).scalars()
        )
    return render_template("institutions/occupations.html", occupations=rows, filed=filed)


@bp.route("/occupations/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_occupation():
    form = OccupationForm()
    if form.validate_on_submit():
        values = {k: (form.data[k] or "").strip() or None for k in ("code", "name_zh", "name_en", "standard_version")}
        try:
            occupation = operations.save_occupation(None, values)
        except Refused as refused:
            db.session.rollback()
            apply_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("The occupation has been created."), "success")
            return redirect(url_for("institutions.occupation", occupation_id=occupation.id))
    return _form_page("institutions/occupation_form.html", form, occupation=None)


@bp.get("/occupations/<int:occupation_id>")
@login_required
def occupation(occupation_id: int):
    occupation = db.get_or_404(Occupation, occupation_id)
    return render_template("institutions/occupation.html", occupation=occupation, direction_form=DirectionForm())


@bp.route("/occupations/<int:occupation_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_occupation(occupation_id: int):
    occupation = db.get_or_404(Occupation, occupation_id)
    form = OccupationForm(obj=occupation if request.method == "GET" else None)
    if form.validate_on_submit():
        values = {k: (form.data[k] or "").strip() or None for k in ("code", "name_zh", "name_en", "standard_version")}
        try:
            operations.save_occupation(occupation, values)
        except Refused as refused:
            db.session.rollback()
            apply_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("The occupation has been saved."), "success")
            return redirect(url_for("institutions.occupation", occupation_id=occupation.id))
    return _form_page("institutions/occupation_form.html", form, occupation=occupation)


@bp.post("/occupations/<int:occupation_id>/directions")
@roles_required(Role.ADMIN)
def add_direction(occupation_id: int):
    occupation = db.get_or_404(Occupation, occupation_id)
    form = DirectionForm()
    if form.validate_on_submit():
        try:
            operations.add_direction(occupation, form.name_zh.data, (form.name_en.data or "").strip())
        except Refused as refused:
            db.session.rollback()
            apply_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("The direction has been added."), "success")
            return redirect(url_for("institutions.occupation", occupation_id=occupation.id))
    return render_template("institutions/occupation.html", occupation=occupation, direction_form=form), 400
