"""Forms of the competition register, the mapping table and the panel votes; the labels of their vocabularies."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from certify.applications.models import DecisionState
from certify.core.forms import WholeNumberField
from certify.ladder.eligibility_exceptional import AwardClass
from certify.ladder.fasttrack import CompetitionClass, ParticipantType

CLASS_LABELS = {
    CompetitionClass.NATIONAL: _l("National competition"),
    CompetitionClass.NATIONAL_INDUSTRY: _l("National industry competition"),
    CompetitionClass.PROVINCIAL_CLASS_1: _l("Provincial class I competition"),
    CompetitionClass.PROVINCIAL_CLASS_2: _l("Provincial class II competition"),
    CompetitionClass.MUNICIPAL: _l("Municipal competition"),
}
PARTICIPANT_LABELS = {
    ParticipantType.EMPLOYEE: _l("Employee"),
    ParticipantType.STUDENT: _l("Student"),
}
DECISION_LABELS = {
    DecisionState.PROPOSED: _l("before the panel"),
    DecisionState.APPROVED: _l("approved"),
    DecisionState.REJECTED: _l("rejected"),
}
AWARD_LABELS = {
    AwardClass.MUNICIPAL: _l("Municipal award"),
    AwardClass.PROVINCIAL: _l("Provincial or ministerial award"),
    AwardClass.NATIONAL: _l("National award"),
}
#: achievement fields shown with their own label; any other field is shown under its key
ACHIEVEMENT_KEYS = ("award_class", "obtained_on", "major_technical_problem", "description")
EXTRA_LABELS = {
    "award_name": _l("Award"),
    "problem_solved": _l("Problem solved"),
    "employer_endorsement": _l("Employer endorsement"),
    "evidence": _l("Evidence"),
}


def template_labels() -> dict:
    """The vocabularies the fast-track and panel templates show."""
    return {
        "class_labels": CLASS_LABELS,
        "participant_labels": PARTICIPANT_LABELS,
        "decision_labels": DECISION_LABELS,
        "award_labels": AWARD_LABELS,
        "known_keys": ACHIEVEMENT_KEYS,
        "extra_labels": EXTRA_LABELS,
    }


#: levels a competition can award (the pure loader refuses anything else)
AWARDABLE_LEVELS = (2, 3, 4, 5, 6)


def _required(label):
    return InputRequired(message=_l("%(field)s is required.", field=label))


def _max(n: int) -> Length:
    return Length(max=n, message=_l("At most %(max)d characters.", max=n))


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(member.value, label) for member, label in labels.items()]


class DayField(DateField):
    """A date typed as YYYY-MM-DD, with the parse error in the user's language."""

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


class CompetitionForm(FlaskForm):
    name = StringField(_l("Competition name"), validators=[_required(_l("Competition name")), _max(200)])
    competition_class = SelectField(_l("Class"), choices=_choices(CLASS_LABELS), validators=[_required(_l("Class"))])
    organiser = StringField(_l("Organiser"), validators=[_required(_l("Organiser")), _max(200)])
    held_on = DayField(_l("Held on"), validators=[InputRequired(message=_l("Enter a date as YYYY-MM-DD."))])
    document_ref = StringField(
        _l("Official results document"), validators=[_required(_l("Official results document")), _max(200)]
    )


class EventForm(FlaskForm):
    name = StringField(_l("Event name"), validators=[_required(_l("Event name")), _max(200)])
    occupation_id = SelectField(
        _l("Occupation"), coerce=int, validators=[InputRequired(message=_l("Choose an occupation."))]
    )


class ResultForm(FlaskForm):
    id_number = StringField(_l("Competitor's ID number"), validators=[_required(_l("ID number")), _max(32)])
    rank = WholeNumberField(
        _l("Rank"),
        parse_message=_l("The rank is a whole number from 1 upwards."),
        validators=[
            InputRequired(message=_l("The rank is a whole number from 1 upwards.")),
            NumberRange(min=1, max=100_000, message=_l("The rank is a whole number from 1 upwards.")),
        ],
    )
    participant_type = SelectField(
        _l("Took part as"), choices=_choices(PARTICIPANT_LABELS), validators=[_required(_l("Took part as"))]
    )


class ConfirmForm(FlaskForm):
    """A button that changes something (CSRF only)."""


class MappingRowForm(Form):
    """One row of the mapping table; a row with both ranks empty is left out, as is a row marked for removal."""

    competition_class = SelectField(_l("Class"), choices=_choices(CLASS_LABELS))
    rank_from = WholeNumberField(_l("From rank"), validators=[Optional()])
    rank_to = WholeNumberField(_l("To rank"), validators=[Optional()])
    participant_type = SelectField(_l("Took part as"), choices=_choices(PARTICIPANT_LABELS))
    awarded_level = SelectField(_l("Level awarded"), coerce=int)
    remove = BooleanField(_l("Remove"))


class MappingTableForm(FlaskForm):
    rows = FieldList(FormField(MappingRowForm), min_entries=0, max_entries=300)

    def set_level_choices(self, choices: list[SelectChoice]) -> None:
        for row in self.rows:
            row.form.awarded_level.choices = choices

    def kept_rows(self) -> list[tuple[int, dict]]:
        """(row number as shown, raw row for the loader) for every row that is neither blank nor removed."""
        kept = []
        for number, entry in enumerate(self.rows, start=1):
            row = entry.form
            if row.remove.data or (row.rank_from.data is None and row.rank_to.data is None):
                continue
            kept.append(
                (
                    number,
                    {
                        "competition_class": row.competition_class.data,
                        "rank_from": row.rank_from.data,
                        "rank_to": row.rank_to.data,
                        "participant_type": row.participant_type.data,
                        "awarded_level": row.awarded_level.data,
                    },
                )
            )
        return kept


class VoteForm(FlaskForm):
    decision = RadioField(
        _l("Your vote"),
        choices=[SelectChoice("approve", _l("Approve")), SelectChoice("reject", _l("Reject"))],
        validators=[InputRequired(message=_l("Choose approve or reject."))],
    )
    comment = TextAreaField(_l("Comment (required when rejecting)"), validators=[_max(2000)])
