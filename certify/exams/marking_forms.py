"""Forms of the marking pages; the operations check every value, the forms only carry them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Length

from certify.exams.marking_rules import COMMENT_MAX, REASON_MAX
from certify.exams.models import MarkerRole

MARKER_ROLE_LABELS = {
    MarkerRole.MARKER: _l("Independent marker"),
    MarkerRole.ADJUDICATOR: _l("Adjudicator (third marker / group leader)"),
}


class AssignMarkerForm(FlaskForm):
    """Assign a person of the body as a marker or the adjudicator of a session."""

    person = SelectField(_l("Person"), choices=[], validate_choice=False)
    role = SelectField(
        _l("Part"),
        choices=[SelectChoice(role.value, label) for role, label in MARKER_ROLE_LABELS.items()],
        validate_choice=False,
    )


class MarkForm(FlaskForm):
    """One mark of one answer, with an optional comment (the adjudicator's reason is required)."""

    points = StringField(_l("Mark"), validators=[Length(max=20, message=_l("Enter a mark such as 7 or 7.5."))])
    comment = TextAreaField(
        _l("Comment"),
        validators=[Length(max=COMMENT_MAX, message=_l("At most %(max)d characters.", max=COMMENT_MAX))],
    )


class ConfirmForm(FlaskForm):
    """A button that changes something (sign, lock): only the CSRF token travels."""


class RegradeForm(FlaskForm):
    """Which paper position, which corrected version, and why; `digest` ties an apply to its dry run."""

    item = SelectField(_l("Question of the paper"), choices=[], validate_choice=False)
    version = SelectField(_l("Corrected version"), choices=[], validate_choice=False)
    reason = TextAreaField(
        _l("Reason"),
        validators=[Length(max=REASON_MAX, message=_l("At most %(max)d characters.", max=REASON_MAX))],
    )
    digest = HiddenField()
