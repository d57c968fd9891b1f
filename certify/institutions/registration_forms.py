"""Forms of self-registration and the bulk candidate import.

Only lengths are checked here: whether a value is present and valid is the operation's to say, so that one
submission lists every problem at once (a missing phone and a bad ID number together, not one after the other).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import Length, Optional

from certify.core.labels import choices
from certify.institutions.models import IdType


def _max(n):
    return Length(max=n, message=_l("At most %(max)d characters.", max=n))


class RegistrationForm(FlaskForm):
    body_id = SelectField(_l("Certification body"), choices=[], validate_choice=False)
    name = StringField(_l("Full name"), validators=[_max(100)])
    id_type = SelectField(_l("ID type"), choices=choices(IdType), default=IdType.RESIDENT_ID.value)
    id_number = StringField(_l("ID number"), validators=[_max(32)])
    phone = StringField(_l("Mobile number"), validators=[_max(30)])
    employer = StringField(_l("Employer"), validators=[Optional(), _max(200)])
    photo = FileField(_l("Certificate photo"), render_kw={"accept": "image/jpeg,image/png"})
    username = StringField(_l("Username"), validators=[_max(64)])
    password = PasswordField(_l("Password"), validators=[_max(256)])
    password_confirm = PasswordField(_l("Password again"), validators=[_max(256)])


class CandidateImportForm(FlaskForm):
    roster = FileField(_l("Candidate list (XLSX or CSV)"), render_kw={"accept": ".xlsx,.csv"})
