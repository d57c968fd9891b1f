"""Pages for people: staff and candidates of the body, their photos and login accounts."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from certify.auth import operations as auth_ops
from certify.auth.models import Role
from certify.core.access import login_required, roles_required
from certify.core.db import db
from certify.core.errors import Refused
from certify.core.forms import apply_refusal, flash_form_errors, flash_refusal
from certify.institutions import people, queries
from certify.institutions.forms import (
    AccountForm,
    AccountStateForm,
    NewPersonForm,
    PasswordResetForm,
    PersonForm,
    RolesForm,
    role_set,
)
from certify.institutions.identity import mask_id
from certify.institutions.models import Body, Person

bp = Blueprint("people", __name__)

PERSON_VALUES = ("name", "id_type", "id_number", "phone", "employer")


def _visible_person(person_id: int) -> Person:
    """A person the current user may see: their own record, or (for body staff) one of their body's people."""
    person = db.get_or_404(Person, person_id)
    is_self = current_user.person_id == person.id
    is_body_staff = current_user.has_role(Role.ADMIN, Role.SUPERVISOR) and person.body_id == current_user.body_id
    if not (is_self or (current_user.body_id and is_body_staff)):
        abort(404)
    return person


def _managed_person(person_id: int) -> Person:
    person = db.get_or_404(Person, person_id)
    if current_user.body_id is None or person.body_id != current_user.body_id:
        abort(404)
    return person


def _upload(form) -> bytes | None:
    file = form.photo.data
    return file.read() if file else None


@bp.get("/people")
@roles_required(Role.ADMIN, Role.SUPERVISOR)
def index():
    if current_user.body_id is None:
        abort(404)
    search, role = request.args.get("q", "")[:100], request.args.get("role", "")[:40]
    rows = db.session.execute(queries.people_of_body(current_user.body_id, search=search, role=role)).scalars().all()
    return render_template("people/index.html", people=rows, search=search, role=role, mask_id=mask_id)


@bp.route("/people/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new():
    body = db.session.get(Body, current_user.body_id) if current_user.body_id else None
    if body is None:
        abort(404)
    form = NewPersonForm()
    if form.validate_on_submit():
        account = None
        if form.create_account.data:
            account = {
                "username": form.username.data,
                "password": form.password.data,
                "roles": role_set(form.roles.data),
            }
        try:
            person = people.register_person(
                body,
                {k: form.data[k] for k in PERSON_VALUES},
                photo=_upload(form),
                account=account,
                by=current_user.user,
            )
        except Refused as refused:
            db.session.rollback()
            apply_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("%(name)s has been registered.", name=person.name), "success")
            return redirect(url_for("people.show", person_id=person.id))
    return render_template("people/new.html", form=form), (400 if request.method == "POST" else 200)


@bp.get("/me")
@login_required
def me():
    if current_user.person_id is None:
        return redirect(url_for("auth.account"))
    return redirect(url_for("people.show", person_id=current_user.person_id))


@bp.get("/people/<int:person_id>")
@login_required
def show(person_id: int):
    person = _visible_person(person_id)
    account = db.session.execute(queries.account_of(person.id)).scalar_one_or_none()
    roles_form = RolesForm(roles=[r.value for r in account.roles] if account else [])
    return render_template(
        "people/show.html",
        person=person,
        account=account,
        roles_form=roles_form,
        state_form=AccountStateForm(),
        reset_form=PasswordResetForm(),
        account_form=AccountForm(),
        mask_id=mask_id,
    )


@bp.get("/people/<int:person_id>/photo")
@login_required
def photo(person_id: int):
    person = _visible_person(person_id)
    if person.photo is None:
        abort(404)
    response = Response(person.photo.data, mimetype=person.photo.content_type)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit(person_id: int):
    person = _managed_person(person_id)
    form = PersonForm(obj=person if request.method == "GET" else None)
    if request.method == "GET":
        form.id_type.data = person.id_type.value
        form.employer.data = person.employer.name if person.employer else ""
    if form.validate_on_submit():
        try:
            people.update_person(person, {k: form.data[k] for k in PERSON_VALUES}, photo=_upload(form))
        except Refused as refused:
            db.session.rollback()
            apply_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("The details have been saved."), "success")
            return redirect(url_for("people.show", person_id=person.id))
    return render_template("people/edit.html", form=form, person=person), (400 if request.method == "POST" else 200)


def _account_or_404(person: Person):
    account = db.session.execute(queries.account_of(person.id)).scalar_one_or_none()
    if account is None:
        abort(404)
    return account


@bp.post("/people/<int:person_id>/roles")
@roles_required(Role.ADMIN)
def set_roles(person_id: int):
    person = _managed_person(person_id)
    account = _account_or_404(person)
    form = RolesForm()
    if not form.validate_on_submit():
        flash(_("Choose at least one role."), "error")
        return redirect(url_for("people.show", person_id=person.id))
    try:
        auth_ops.set_roles(account, role_set(form.roles.data), by=current_user.user)
    except Refused as refused:
        flash_refusal(refused)
    else:
        db.session.commit()
        flash(_("The roles have been saved."), "success")
    return redirect(url_for("people.show", person_id=person.id))


@bp.post("/people/<int:person_id>/password")
@roles_required(Role.ADMIN)
def reset_password(person_id: int):
    person = _managed_person(person_id)
    account = _account_or_404(person)
    form = PasswordResetForm()
    if not form.validate_on_submit():
        for message in form.new_password.errors:
            flash(message, "error")
        return redirect(url_for("people.show", person_id=person.id))
    try:
        auth_ops.change_password(account, None, form.new_password.data)
    except Refused as refused:
        flash_refusal(refused)
    else:
        db.session.commit()
        flash(
            _(
                "The password has been set and every session of the account has ended. Give it to the user in "
                "person; they can change it under Account."
            ),
            "success",
        )
    return redirect(url_for("people.show", person_id=person.id))


@bp.post("/people/<int:person_id>/account")
@roles_required(Role.ADMIN)
def create_account(person_id: int):
    person = _managed_person(person_id)
    form = AccountForm()
    if form.validate_on_submit():
        try:
            people.create_account(
                person, form.username.data, form.password.data, role_set(form.roles.data), by=current_user.user
            )
        except Refused as refused:
            flash_refusal(refused)
        else:
            db.session.commit()
            flash(_("The login account has been created."), "success")
    else:
        flash_form_errors(form)
    return redirect(url_for("people.show", person_id=person.id))


@bp.post("/people/<int:person_id>/disable")
@roles_required(Role.ADMIN)
def disable(person_id: int):
    person = _managed_person(person_id)
    account = _account_or_404(person)
    form = AccountStateForm()
    if account.id == current_user.id:
        flash(_("You cannot disable your own account."), "error")
    elif form.validate_on_submit():
        try:
            auth_ops.set_active(account, False, form.reason.data or None)
        except Refused as refused:
            flash_refusal(refused)
        else:
            db.session.commit()
            flash(_("The account has been disabled and all its sessions ended."), "success")
    return redirect(url_for("people.show", person_id=person.id))


@bp.post("/people/<int:person_id>/enable")
@roles_required(Role.ADMIN)
def enable(person_id: int):
    person = _managed_person(person_id)
    account = _account_or_404(person)
    form = AccountStateForm()
    if form.validate_on_submit():
        auth_ops.set_active(account, True, form.reason.data or None)
        db.session.commit()
        flash(_("The account has been enabled."), "success")
    return redirect(url_for("people.show", person_id=person.id))
