"""Forms for bodies, sites, rooms, occupations, filings and people."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from certify.auth.models import Role
from certify.core.forms import WholeNumberField
from certify.core.labels import ROLE_LABELS, choices
from certify.institutions.models import BodyType, IdType


def _required(label):
    return InputRequired(message=_l("%(field)s is required.", field=label))


def _max(n):
    return Length(max=n, message=_l("At most %(max)d characters.", max=n))


class BodyForm(FlaskForm):
    body_type = SelectField(_l("Body type"), choices=choices(BodyType), validators=[_required(_l("Body type"))])
    code = StringField(_l("Body code (4 digits)"), validators=[_required(_l("Body code")), _max(4)])
    province_code = StringField(_l("Province code (2 digits)"), validators=[_required(_l("Province code")), _max(2)])
    name = StringField(_l("Name as filed"), validators=[_required(_l("Name")), _max(200)])
    name_en = StringField(_l("English name"), validators=[Optional(), _max(200)])


class SiteForm(FlaskForm):
    serial = StringField(_l("Site serial (6 digits)"), validators=[_required(_l("Site serial")), _max(6)])
    name = StringField(_l("Name"), validators=[_required(_l("Name")), _max(200)])
    address = StringField(_l("Address"), validators=[_required(_l("Address")), _max(300)])
    active = BooleanField(_l("In use"), default=True)


class RoomForm(FlaskForm):
    name = StringField(_l("Room name"), validators=[_required(_l("Room name")), _max(100)])
    seats = WholeNumberField(
        _l("Seats"),
        parse_message=_l("Enter the number of seats as a whole number."),
        validators=[
            InputRequired(message=_l("Enter the number of seats as a whole number.")),
            NumberRange(min=1, max=2000, message=_l("Between %(min)d and %(max)d seats.", min=1, max=2000)),
        ],
    )


class OccupationForm(FlaskForm):
    code = StringField(_l("Occupation code"), validators=[_required(_l("Occupation code")), _max(20)])
    name_zh = StringField(_l("Chinese name"), validators=[_required(_l("Chinese name")), _max(100)])
    name_en = StringField(_l("English name"), validators=[Optional(), _max(150)])
    standard_version = StringField(_l("Standard version"), validators=[_required(_l("Standard version")), _max(40)])


class DirectionForm(FlaskForm):
    name_zh = StringField(_l("Direction (Chinese)"), validators=[_required(_l("Direction (Chinese)")), _max(100)])
    name_en = StringField(_l("Direction (English)"), validators=[Optional(), _max(150)])


class FilingForm(FlaskForm):
    occupation_id = SelectField(
        _l("Occupation"), coerce=int, validators=[InputRequired(message=_l("Choose an occupation."))]
    )
    filed_on = DateField(_l("Filed on"), validators=[InputRequired(message=_l("Enter a date as YYYY-MM-DD."))])
    reference = StringField(_l("Filing reference"), validators=[Optional(), _max(100)])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


#: roles a body may grant (regulators are created by the platform operator: `flask users create --role regulator`)
ROLE_CHOICES = [SelectChoice(role.value, label) for role, label in ROLE_LABELS.items() if role != Role.REGULATOR]


class PersonForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[_required(_l("Full name")), _max(100)])
    id_type = SelectField(_l("ID type"), choices=choices(IdType), validators=[_required(_l("ID type"))])
    id_number = StringField(_l("ID number"), validators=[_required(_l("ID number")), _max(32)])
    phone = StringField(_l("Phone"), validators=[Optional(), _max(30)])
    employer = StringField(_l("Employer"), validators=[Optional(), _max(200)])
    photo = FileField(_l("Photo (JPEG or PNG, portrait, at least 295 × 413 pixels)"))


class NewPersonForm(PersonForm):
    create_account = BooleanField(_l("Create a login account"))
    username = StringField(_l("Username"), validators=[Optional(), _max(64)])
    password = PasswordField(_l("Initial password"), validators=[Optional(), _max(256)])
    roles = MultiCheckboxField(_l("Roles"), choices=ROLE_CHOICES)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if not self.create_account.data and (self.username.data or self.password.data or self.roles.data):
            from certify.core.errors import describe

            self.create_account.errors = [*self.create_account.errors, describe("account_fields_without_account")]
            return False
        return ok


class AccountForm(FlaskForm):
    username = StringField(_l("Username"), validators=[_required(_l("Username")), _max(64)])
    password = PasswordField(_l("Initial password"), validators=[_required(_l("Initial password")), _max(256)])
    roles = MultiCheckboxField(_l("Roles"), choices=ROLE_CHOICES)


class PasswordResetForm(FlaskForm):
    new_password = PasswordField(_l("New password"), validators=[_required(_l("New password")), _max(256)])


class RolesForm(FlaskForm):
    roles = MultiCheckboxField(_l("Roles"), choices=ROLE_CHOICES)


class AccountStateForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[Optional(), _max(300)])


def role_set(values: list[str]) -> set[Role]:
    return {Role(v) for v in values or []}
