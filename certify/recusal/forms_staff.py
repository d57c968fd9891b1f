"""Forms of the staff recusal pages: declarations, "why am I blocked?", and overrides."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from certify.recusal.policy import RelationKind, RelationSource, Role

#: the recusal roles (what a person wants to do), as users read them
DUTY_LABELS = {
    Role.INVIGILATOR: _l("Invigilator"),
    Role.ASSESSOR: _l("Assessor"),
    Role.MARKER: _l("Marker"),
    Role.REVIEW_PANEL: _l("Review panel member"),
    Role.APPLICATION_REVIEWER: _l("Application reviewer"),
    Role.BANK_ACCESS: _l("Question bank author, reviewer or reader"),
    Role.INSPECTOR: _l("Inspector"),
}

RELATION_LABELS = {
    RelationKind.TRAINED: _l("I trained this person"),
    RelationKind.RELATIVE: _l("Relative"),
    RelationKind.MASTER_APPRENTICE: _l("I am this person's master (master–apprentice)"),
    RelationKind.TEACHER_STUDENT: _l("I taught this person (teacher–student)"),
    RelationKind.OTHER: _l("Other conflict of interest"),
}

SOURCE_LABELS = {
    RelationSource.TRAINING_ROSTER: _l("Training roster"),
    RelationSource.DECLARATION: _l("Declaration"),
    RelationSource.IMPORT: _l("Import"),
    RelationSource.STAFF_ENTRY: _l("Staff entry"),
    RelationSource.DETECTION: _l("Confirmed detection"),
}

MAX_DECLARED = 3
UNKNOWN_ID = _l("No person of your body has this ID number.")


def _max(n: int) -> Length:
    return Length(max=n, message=_l("At most %(max)d characters.", max=n))


class DayField(DateField):
    """A date typed as YYYY-MM-DD (a date picker where the browser has one), with a message in the user's language."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("render_kw", {"type": "date"})
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            super().process_formdata([valuelist[0].strip()])
        except ValueError:
            self.data = None
            raise ValidationError(str(_l("Enter a date as YYYY-MM-DD."))) from None


def _duty_choices(blank: bool = True) -> list[SelectChoice]:
    head = [SelectChoice("", _l("— choose —"))] if blank else []
    return head + [SelectChoice(role.value, label) for role, label in DUTY_LABELS.items()]


class DeclaredConflictForm(Form):
    """One declared conflict: the kind of relation, the other person's ID number, a note (a blank row is skipped)."""

    kind = SelectField(
        _l("Relation"),
        choices=[SelectChoice("", _l("— choose —"))]
        + [SelectChoice(kind.value, label) for kind, label in RELATION_LABELS.items()],
        default="",
    )
    id_number = StringField(_l("The other person's ID number"), validators=[_max(32)])
    note = StringField(_l("Note"), validators=[_max(300)])

    def is_blank(self) -> bool:
        return not (self.kind.data or (self.id_number.data or "").strip() or (self.note.data or "").strip())

    def validate_kind(self, field) -> None:
        if not field.data and not self.is_blank():
            raise ValidationError(str(_l("Choose the kind of relation.")))

    def validate_id_number(self, field) -> None:
        if not (field.data or "").strip() and not self.is_blank():
            raise ValidationError(str(_l("Enter the other person's ID number.")))


class DeclarationForm(FlaskForm):
    none_known = BooleanField(_l("I know of no conflict of interest"))
    statement = TextAreaField(_l("Statement"), validators=[_max(2000)])
    conflicts = FieldList(FormField(DeclaredConflictForm), min_entries=MAX_DECLARED, max_entries=MAX_DECLARED)

    def declared(self, find_person: Callable[[str], int | None]) -> list[tuple[RelationKind, int, str]] | None:
        """The filled-in conflicts as (kind, person id, note); None (with field errors) when an ID is unknown."""
        found = []
        for row in self.conflicts:
            if row.form.is_blank():
                continue
            person_id = find_person(row.form.id_number.data)
            if person_id is None:
                row.form.id_number.errors = [*row.form.id_number.errors, str(UNKNOWN_ID)]
                continue
            found.append((RelationKind(row.form.kind.data), person_id, (row.form.note.data or "").strip()))
        self.conflicts.errors = [row.errors for row in self.conflicts if row.errors]
        return None if self.conflicts.errors else found


class WhyForm(FlaskForm):
    """The question "may I act as … on this candidate (or occupation)?", asked by GET."""

    class Meta:
        csrf = False

    role = SelectField(_l("Role"), choices=_duty_choices(), validators=[InputRequired(message=_l("Choose a role."))])
    candidate = StringField(_l("Candidate's ID number"), validators=[_max(32)])
    occupation = StringField(_l("Occupation code (optional)"), validators=[Optional(), _max(20)])

    def validate_candidate(self, field) -> None:
        if not (field.data or "").strip() and not (self.occupation.data or "").strip():
            raise ValidationError(str(_l("Enter a candidate's ID number or an occupation code.")))

    def resolve(
        self, find_person: Callable[[str], int | None], occupation_exists: Callable[[str], bool]
    ) -> dict | None:
        """The role, candidate and occupation asked about; None (with field errors) when one is unknown."""
        return _resolve(self, None, find_person, occupation_exists)


class OverrideForm(FlaskForm):
    # People are picked from the body's list (supervisors see ID numbers masked); values are "p:<person id>".
    actor = SelectField(
        _l("Person with the conflict"),
        validators=[InputRequired(message=_l("Choose the person with the conflict."))],
    )
    candidate = SelectField(_l("Candidate (optional)"), validators=[Optional()])
    role = SelectField(_l("Role"), choices=_duty_choices(), validators=[InputRequired(message=_l("Choose a role."))])
    occupation = StringField(_l("Occupation code (optional)"), validators=[Optional(), _max(20)])
    reason = TextAreaField(_l("Reason"), validators=[InputRequired(message=_l("Give a reason.")), _max(2000)])
    expires_on = DayField(_l("Expires on (optional)"), validators=[Optional()])

    def resolve(
        self, find_person: Callable[[str], int | None], occupation_exists: Callable[[str], bool]
    ) -> dict | None:
        """The people and occupation the form names; None (with field errors) when one is unknown."""
        return _resolve(self, self.actor, find_person, occupation_exists)


def _resolve(form, actor_field, find_person, occupation_exists) -> dict | None:
    """Look up the ID numbers and occupation code a form names, putting "unknown" on each field at fault."""

    def person(field, required: bool) -> int | None:
        if not required and not (field.data or "").strip():
            return None
        found = find_person(field.data)
        if found is None:
            field.errors = [*field.errors, str(UNKNOWN_ID)]
        return found

    actor = person(actor_field, True) if actor_field is not None else None
    candidate = person(form.candidate, False)
    occupation = (form.occupation.data or "").strip() or None
    if occupation and not occupation_exists(occupation):
        form.occupation.errors = [*form.occupation.errors, str(_l("No occupation has this code."))]
    fields = [form.candidate, form.occupation] + ([actor_field] if actor_field is not None else [])
    if any(f.errors for f in fields):
        return None
    return {"actor": actor, "candidate": candidate, "occupation": occupation, "role": Role(form.role.data)}


class RevokeForm(FlaskForm):
    reason = StringField(_l("Reason for revoking"), validators=[_max(300)])


class ApproveForm(FlaskForm):
    """Only the CSRF token."""
