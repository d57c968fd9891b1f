"""Forms used on every page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectChoice, SelectField
from wtforms.validators import InputRequired


class LanguageForm(FlaskForm):
    """The language switch in the header of every page."""

    locale = SelectField(
        _l("Language"),
        choices=[SelectChoice("zh_CN", "中文"), SelectChoice("en", "English")],
        validators=[InputRequired(message=_l("Choose a language."))],
    )
    next = HiddenField()


def apply_refusal(form: FlaskForm, refused) -> None:
    """Show an operation's refusal on the form: each problem on its field, the rest at the top."""
    form.form_errors = list(getattr(form, "form_errors", []))
    for problem in refused.problems:
        field = getattr(form, problem.field, None) if problem.field else None
        if field is not None and hasattr(field, "errors"):
            if not isinstance(field.errors, list):
                field.errors = list(field.errors)
            field.errors.append(problem.message())
        else:
            form.form_errors.append(problem.message())


class WholeNumberField(IntegerField):
    """An integer field whose parse error says, in the user's language, what to type."""

    def __init__(self, *args, parse_message=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.parse_message = parse_message or _l("Enter a whole number.")

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = int(valuelist[0].strip())
        except ValueError:
            self.data = None
            raise ValueError(str(self.parse_message)) from None


def flash_refusal(refused) -> None:
    """For a POST that redirects: undo the transaction and show every problem of a refusal as a message."""
    from flask import flash

    from certify.core.db import db

    db.session.rollback()
    for message in refused.messages():
        flash(message, "error")


def flash_form_errors(form: FlaskForm) -> None:
    """For a POST that redirects: show every field error, named by its field."""
    from flask import flash

    for field in form:
        for message in getattr(field, "errors", []):
            flash(f"{field.label.text}: {message}", "error")
