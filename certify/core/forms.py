"""Forms used on every page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField
from wtforms.validators import InputRequired


class LanguageForm(FlaskForm):
    """The language switch in the header of every page."""

    locale = SelectField(
        _l("Language"),
        choices=[("zh_CN", "中文"), ("en", "English")],
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
