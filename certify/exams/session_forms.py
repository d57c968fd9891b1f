"""Forms of the staff session pages. Choices are validated by the operations (which say what is wrong in the
user's language), so the select fields here accept any submitted value."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectChoice, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from certify.core.errors import Refused
from certify.core.forms import WholeNumberField, apply_refusal
from certify.exams.models import ExpiryPolicy

_REQUIRED = InputRequired(message=_l("This field is required."))
_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S")

EXPIRY_LABELS = {
    ExpiryPolicy.AUTO_SUBMIT: _l("Submit automatically at the deadline"),
    ExpiryPolicy.GRACE: _l("Grace period: the candidate may still submit for some minutes"),
    ExpiryPolicy.ABANDON: _l("Abandon: an attempt not submitted in time does not count"),
}


class LocalDateTimeField(StringField):
    """A local date and time (the body's time zone) typed as YYYY-MM-DD HH:MM, or picked where the browser can."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("render_kw", {"type": "datetime-local"})
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if not text:
            return
        for fmt in _FORMATS:
            try:
                parsed = datetime.strptime(text, fmt)
            except ValueError:
                continue
            # far-off years would overflow when moved to UTC, and are typing mistakes anyway
            if not 2000 <= parsed.year <= 2100:
                raise ValueError(str(_l("Enter a date between the years 2000 and 2100.")))
            self.data = parsed
            return
        raise ValueError(str(_l("Enter a date and time as YYYY-MM-DD HH:MM.")))

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return self.data.strftime("%Y-%m-%dT%H:%M") if self.data else ""


def to_utc(local: datetime | None, timezone: str) -> datetime | None:
    """A naive local time of the body as an aware UTC time."""
    return None if local is None else local.replace(tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def to_local(value: datetime | None, timezone: str) -> datetime | None:
    """A stored UTC time as the body's naive local time (for a form's initial value)."""
    return None if value is None else value.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def whole_ids(values) -> list[int]:
    """Submitted ids as integers; anything else becomes -1, which the operations refuse by name."""
    return [int(v) if str(v).isdigit() and len(str(v)) < 12 else -1 for v in values or []]


def whole_id(value) -> int | None:
    """One submitted id as an integer (None when empty, -1 when not a number)."""
    if value in (None, ""):
        return None
    return int(value) if str(value).isdigit() and len(str(value)) < 12 else -1


class SessionForm(FlaskForm):
    """A theory session: what is examined, where, when, and the rules of the day."""

    name = StringField(_l("Session name"))
    occupation = SelectField(_l("Occupation"), validate_choice=False)
    level = SelectField(_l("Level"), validate_choice=False)
    blueprint = SelectField(_l("Blueprint"), validate_choice=False)
    site = SelectField(_l("Site"), validate_choice=False)
    rooms = MultiCheckboxField(_l("Rooms"), validate_choice=False)
    opens_at = LocalDateTimeField(_l("Window opens"))
    closes_at = LocalDateTimeField(_l("Window closes"))
    duration_minutes = WholeNumberField(_l("Duration (minutes)"))
    expiry_policy = SelectField(
        _l("When time runs out"),
        choices=[SelectChoice(p.value, label) for p, label in EXPIRY_LABELS.items()],
        validate_choice=False,
    )
    grace_minutes = WholeNumberField(_l("Grace period (minutes)"), validators=[Optional()])
    candidates_per_invigilator = WholeNumberField(_l("Candidates per invigilator (at most)"))
    min_invigilators_per_room = WholeNumberField(_l("Invigilators per room (at least)"))

    def values(self, timezone: str) -> dict:
        """The operation's values: ids as integers, local times as UTC."""
        return {
            "name": self.name.data or "",
            "occupation_id": whole_id(self.occupation.data),
            "level_ordinal": whole_id(self.level.data),
            "blueprint_id": whole_id(self.blueprint.data),
            "site_id": whole_id(self.site.data),
            "room_ids": whole_ids(self.rooms.data),
            "opens_at": to_utc(self.opens_at.data, timezone),
            "closes_at": to_utc(self.closes_at.data, timezone),
            "duration_minutes": self.duration_minutes.data,
            "expiry_policy": self.expiry_policy.data,
            "grace_minutes": self.grace_minutes.data,
            "candidates_per_invigilator": self.candidates_per_invigilator.data,
            "min_invigilators_per_room": self.min_invigilators_per_room.data,
        }


#: the operation's field names → the form's
SESSION_FIELDS = {
    "occupation_id": "occupation",
    "level_ordinal": "level",
    "blueprint_id": "blueprint",
    "site_id": "site",
    "room_ids": "rooms",
}


def apply_session_refusal(form: SessionForm, refused: Refused) -> None:
    """Show each problem of the session operation next to its field of the form."""
    problems = [dataclasses.replace(p, field=SESSION_FIELDS.get(p.field, p.field)) for p in refused.problems]
    apply_refusal(form, Refused(problems))


class EnrolForm(FlaskForm):
    """Enrol chosen approved applications (or all of them) into the session, optionally into one room."""

    applications = MultiCheckboxField(_l("Approved applications"), validate_choice=False)
    room = SelectField(_l("Room"), validate_choice=False)


class RosterForm(FlaskForm):
    """Upload a roster (CSV or XLSX with the columns 证件号码 and 姓名)."""

    roster = FileField(_l("Roster file (CSV or XLSX)"))
    room = SelectField(_l("Room"), validate_choice=False)


class InvigilatorForm(FlaskForm):
    """Assign an invigilator to a room."""

    person = SelectField(_l("Invigilator"), validate_choice=False)


class ActionForm(FlaskForm):
    """A button that changes something (CSRF only)."""


class PapersForm(FlaskForm):
    """Generate (or regenerate) the session's papers."""

    seed = StringField(_l("Seed (optional)"), validators=[Optional(), Length(max=100)])


class UseRunForm(FlaskForm):
    """Use an existing unused assembly run instead of assembling."""

    run = SelectField(_l("Assembly run"), validate_choice=False)


class MoveForm(FlaskForm):
    """Move a candidate to another room and/or seat."""

    room = SelectField(_l("Room"), validate_choice=False)
    seat = WholeNumberField(_l("Seat (empty: the first free seat)"), validators=[Optional()])


class AccommodationForm(FlaskForm):
    """A candidate's accommodation profile (考试便利)."""

    time_multiplier = StringField(_l("Time multiplier"), validators=[_REQUIRED, Length(max=10)])
    extra_minutes = WholeNumberField(_l("Extra minutes"), validators=[Optional()])
    breaks_allowed = WholeNumberField(_l("Breaks allowed"), validators=[Optional()])
    break_minutes = WholeNumberField(_l("Longest break (minutes)"), validators=[Optional()])
    accommodation_note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=300)])
