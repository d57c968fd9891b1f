"""Admin forms of recusal: relations, conflict decisions, training classes, rosters, draws."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, SelectChoice, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from certify.core.forms import WholeNumberField
from certify.recusal.policy import RelationKind, SessionKind

RELATION_LABELS = {
    RelationKind.TRAINED: _l("Trained (trainer → trainee)"),
    RelationKind.RELATIVE: _l("Relative"),
    RelationKind.MASTER_APPRENTICE: _l("Master → apprentice"),
    RelationKind.TEACHER_STUDENT: _l("Teacher → student"),
    RelationKind.OTHER: _l("Other declared conflict"),
}
KIND_LABELS = {
    SessionKind.THEORY: _l("Theory exam (invigilators)"),
    SessionKind.PRACTICAL: _l("Skill assessment (assessors)"),
    SessionKind.REVIEW: _l("Comprehensive review (panel)"),
}
DATE_MESSAGE = _l("Enter a date as YYYY-MM-DD.")


class RelationForm(FlaskForm):
    kind = SelectField(
        _l("Relation"),
        choices=[SelectChoice(k.value, v) for k, v in RELATION_LABELS.items()],
        validators=[InputRequired(message=_l("Choose a relation."))],
    )
    person_a = SelectField(
        _l("Person (trainer, master, teacher, or either side)"),
        coerce=int,
        validators=[InputRequired(message=_l("Choose a person."))],
    )
    person_b = SelectField(_l("Other person"), coerce=int, validators=[InputRequired(message=_l("Choose a person."))])
    starts_on = DateField(_l("From"), validators=[Optional()])
    ends_on = DateField(_l("Until"), validators=[Optional()])
    note = StringField(_l("Evidence or note"), validators=[Optional(), Length(max=300)])


class EmploymentForm(FlaskForm):
    organisation = StringField(
        _l("Employer"), validators=[InputRequired(message=_l("Enter the employer's name.")), Length(max=200)]
    )
    starts_on = DateField(_l("From"), validators=[Optional()])
    ends_on = DateField(_l("Until"), validators=[Optional()])


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[InputRequired(message=_l("Give a reason.")), Length(max=1000)])


class ClassForm(FlaskForm):
    institution = StringField(
        _l("Training institution"),
        validators=[InputRequired(message=_l("Enter the training institution.")), Length(max=200)],
    )
    name = StringField(
        _l("Class name"), validators=[InputRequired(message=_l("Enter the class name.")), Length(max=200)]
    )
    occupation_id = SelectField(
        _l("Occupation"), coerce=int, validators=[InputRequired(message=_l("Choose an occupation."))]
    )
    level = SelectField(_l("Level"), coerce=int, validators=[InputRequired(message=_l("Choose a level."))])
    starts_on = DateField(_l("Starts on"), validators=[InputRequired(message=DATE_MESSAGE)])
    ends_on = DateField(_l("Ends on"), validators=[InputRequired(message=DATE_MESSAGE)])
    trainers = SelectMultipleField(_l("Trainers"), coerce=int)
    trainees = SelectMultipleField(_l("Trainees"), coerce=int)


class RosterForm(FlaskForm):
    roster = FileField(_l("Roster file (XLSX or CSV)"))


class DrawForm(FlaskForm):
    site_id = SelectField(_l("Site"), coerce=int, validators=[InputRequired(message=_l("Choose a site."))])
    session_date = DateField(_l("Session date"), validators=[InputRequired(message=DATE_MESSAGE)])
    level = SelectField(_l("Level"), coerce=int, validators=[InputRequired(message=_l("Choose a level."))])
    kind = SelectField(
        _l("Session kind"),
        choices=[SelectChoice(k.value, v) for k, v in KIND_LABELS.items()],
        validators=[InputRequired(message=_l("Choose the session kind."))],
    )
    candidates = SelectMultipleField(_l("Candidates"), coerce=int)
    pool = SelectMultipleField(_l("Staff pool"), coerce=int)
    seed = WholeNumberField(_l("Seed (leave empty for a random one)"), validators=[Optional()])
    redraw_reason = TextAreaField(
        _l("Reason for drawing again (only when the session already has a draw)"),
        validators=[Optional(), Length(max=1000)],
    )
