"""Forms of the invigilator console. They parse; the operations judge (ranges, reasons, states), so a refusal
reads the same from the console, the command line or the demo world."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired

from certify.core.forms import WholeNumberField
from certify.exams.messages_invigilate import INCIDENT_LABELS, MAX_INCIDENT_TEXT, MAX_REASON

_MINUTES = _l("Enter the minutes as a whole number.")


class ActionForm(FlaskForm):
    """A verb without input (authorise, resume, move, end a break): the CSRF token only."""


class CheckInForm(FlaskForm):
    """Check a candidate in: the invigilator confirms having checked the identity document."""

    identity_confirmed = BooleanField(
        _l("I have checked the candidate's identity document against the admission ticket"),
        validators=[DataRequired(message=_l("Confirm that you checked the candidate's identity first."))],
    )


def _reason_field():
    return TextAreaField(_l("Reason"), render_kw={"maxlength": MAX_REASON, "rows": 2})


# Field names differ between forms (pause_reason, room_reason, …) because several share one page, and ids
# must be unique there.
class PauseForm(FlaskForm):
    """Pause one seat: why."""

    pause_reason = _reason_field()


class RoomPauseForm(FlaskForm):
    """Pause every running seat of the room: why."""

    room_reason = _reason_field()


class AddTimeForm(FlaskForm):
    """Minutes to add to one seat, and why."""

    minutes = WholeNumberField(_l("Minutes to add"), parse_message=_MINUTES, render_kw={"inputmode": "numeric"})
    time_reason = _reason_field()


class TerminateForm(FlaskForm):
    """End an attempt for good: why, and a deliberate confirmation."""

    terminate_reason = _reason_field()
    confirm = BooleanField(
        _l("I understand that the candidate cannot continue this exam"),
        validators=[DataRequired(message=_l("Tick the box to confirm the termination."))],
    )


class BreakForm(FlaskForm):
    """Start an accommodation break of at most the accommodation's minutes (empty: the whole break)."""

    break_minutes = WholeNumberField(
        _l("Break length in minutes"), parse_message=_MINUTES, render_kw={"inputmode": "numeric"}
    )


class IncidentForm(FlaskForm):
    """An incident in the room (考场记录), optionally about one seat."""

    category = SelectField(_l("Kind of incident"), validate_choice=False)
    attempt = SelectField(_l("Candidate"), validate_choice=False)
    text = TextAreaField(_l("What happened"), render_kw={"maxlength": MAX_INCIDENT_TEXT, "rows": 3})

    def set_choices(self, seats: list[tuple[int, str]]) -> IncidentForm:
        """Offer the incident kinds and the room's seats (or no one in particular)."""
        self.category.choices = [SelectChoice("", _l("Choose…"))] + [
            SelectChoice(kind.value, label) for kind, label in INCIDENT_LABELS.items()
        ]
        self.attempt.choices = [SelectChoice("", _l("No one in particular"))] + [
            SelectChoice(str(attempt_id), label) for attempt_id, label in seats
        ]
        return self
