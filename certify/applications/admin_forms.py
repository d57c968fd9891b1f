"""Forms of the admin4 pages: appointments (评聘), the ban list, eligibility rule sets."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from certify.ladder.eligibility_relaxations import SanctionTier

DATE_MESSAGE = _l("Enter a date as YYYY-MM-DD.")

TIER_LABELS = {
    SanctionTier.VOID_SUBJECT: _l("That subject voided"),
    SanctionTier.TREATED_AS_CHEATING: _l("Treated as cheating"),
    SanctionTier.VOID_SITTING_YEAR_BAR: _l("Sitting voided, barred for the rest of the year"),
    SanctionTier.MULTI_YEAR_BAN: _l("Barred for several years"),
}


def optional_int(value) -> int | None:
    """Coerce a select's value to int; the empty choice is None (a tampered value is refused, never a 500)."""
    if value in ("", None):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(str(_l("Choose one of the options."))) from None


def _max(n: int) -> Length:
    return Length(max=n, message=_l("At most %(max)d characters.", max=n))


class _DateField(DateField):
    """A date field whose parse error says what to type, in the user's language."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(DATE_MESSAGE)) from None


class AppointmentForm(FlaskForm):
    id_number = StringField(
        _l("ID number of the person"),
        validators=[InputRequired(message=_l("%(field)s is required.", field=_l("ID number"))), _max(32)],
    )
    occupation_id = SelectField(
        _l("Occupation"), coerce=optional_int, validators=[InputRequired(message=_l("Choose an occupation."))]
    )
    # Any submitted level reaches the rule, which says which levels are appointed.
    level = SelectField(
        _l("Level"),
        coerce=optional_int,
        validate_choice=False,
        validators=[InputRequired(message=_l("Choose a level."))],
    )
    birth_date = _DateField(_l("Birth date (only when the ID document does not give it)"), validators=[Optional()])
    work_since = _DateField(_l("Working in the occupation since"), validators=[Optional()])
    held_level = SelectField(_l("Highest skill level held"), coerce=optional_int, validators=[Optional()])
    held_since = _DateField(_l("Level held since (certificate issue date)"), validators=[Optional()])
    portfolio = TextAreaField(_l("Portfolio (representative works)"), validators=[Optional(), _max(5000)])


class DossierForm(FlaskForm):
    portfolio = TextAreaField(_l("Portfolio (representative works)"), validators=[Optional(), _max(5000)])
    defence_on = _DateField(_l("Defence date"), validators=[Optional()])
    defence_minutes = TextAreaField(_l("Defence minutes"), validators=[Optional(), _max(20000)])


class VoteForm(FlaskForm):
    member = SelectField(
        _l("Panel member"), coerce=optional_int, validators=[InputRequired(message=_l("Choose a person."))]
    )
    approve = RadioField(
        _l("Vote"),
        choices=[SelectChoice("yes", _l("Approve")), SelectChoice("no", _l("Reject"))],
        validators=[InputRequired(message=_l("Choose approve or reject."))],
    )
    comment = TextAreaField(_l("Comment (required for a vote against)"), validators=[Optional(), _max(2000)])


class TermForm(FlaskForm):
    term_starts = _DateField(_l("Term starts"), validators=[Optional()])
    term_ends = _DateField(_l("Term ends"), validators=[Optional()])


class BanForm(FlaskForm):
    id_number = StringField(
        _l("ID number of the person"),
        validators=[InputRequired(message=_l("%(field)s is required.", field=_l("ID number"))), _max(32)],
    )
    tier = SelectField(
        _l("Sanction tier"),
        choices=[SelectChoice(t.value, label) for t, label in TIER_LABELS.items()],
        default=SanctionTier.MULTI_YEAR_BAN.value,
        validators=[InputRequired(message=_l("Choose a sanction tier."))],
    )
    starts_on = _DateField(_l("Starts on"), validators=[Optional()])
    ends_on = _DateField(_l("Last day of the ban"), validators=[Optional()])
    permanent = BooleanField(_l("Permanent (no end date)"))
    reason = TextAreaField(_l("Reason"), validators=[Optional(), _max(2000)])


class LiftForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[Optional(), _max(2000)])


class RuleSetForm(FlaskForm):
    text = TextAreaField(
        _l("Rule set (JSON)"),
        validators=[InputRequired(message=_l("Paste the rule set's JSON.")), _max(500_000)],
        render_kw={"rows": 30, "spellcheck": "false", "class": "code"},
    )


class ConfirmForm(FlaskForm):
    """A button that only carries the CSRF token."""
