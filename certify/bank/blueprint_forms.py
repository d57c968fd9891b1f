"""Forms of the blueprint pages: the blueprint (one weight field per cell, count and points per type), assembly,
recording a run's session, the feasibility window, and the occupation/level chooser."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from certify.core.errors import Refused
from certify.core.forms import WholeNumberField, apply_refusal
from question_bank.blueprint import QUESTION_TYPES

from .blueprints_ops import CREDIT_MODES

TYPE_LABELS = {
    "true_false": _l("True/false"),
    "single_choice": _l("Single choice"),
    "multiple_choice": _l("Multiple choice"),
    "fill_in": _l("Fill-in"),
    "short_answer": _l("Short answer"),
    "calculation": _l("Calculation"),
    "essay": _l("Essay"),
    "case": _l("Case analysis"),
}
CREDIT_LABELS = {"all_or_nothing": _l("All or nothing: any wrong choice scores 0"), "partial": _l("Partial credit")}


class NumberField(StringField):
    """A decimal number typed as text; a parse error says what to type in the user's language."""

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip().replace("，", ".").replace(",", ".")
        if not text:
            self.data = None
            return
        try:
            self.data = float(text)
        except ValueError:
            self.data = None
            raise ValueError(str(_l("Enter a number, e.g. 2.5."))) from None
        if not math.isfinite(self.data):
            self.data = None
            raise ValueError(str(_l("Enter a number, e.g. 2.5.")))

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return f"{self.data:g}"


_REQUIRED = InputRequired(message=_l("This field is required."))


class BlueprintForm(FlaskForm):
    """The fixed part of a blueprint; `blueprint_form` adds the cell and type fields."""

    name = StringField(_l("Name"), validators=[_REQUIRED, Length(max=200)])
    difficulty_low = NumberField(_l("Difficulty band: lowest mean"), validators=[_REQUIRED])
    difficulty_high = NumberField(_l("Difficulty band: highest mean"), validators=[_REQUIRED])
    forms = WholeNumberField(_l("Parallel forms"), validators=[_REQUIRED])
    exposure_cap = NumberField(_l("Exposure cap (share of a window's candidates)"), validators=[_REQUIRED])
    exclude_last_sessions = WholeNumberField(
        _l("Exclude questions used in the last N sessions"), validators=[_REQUIRED]
    )
    max_form_overlap = NumberField(_l("Largest share of questions two forms may share"), validators=[_REQUIRED])
    pretest_count = WholeNumberField(_l("Unscored pretest questions per form"), validators=[Optional()])
    multiple_choice_credit = SelectField(
        _l("Multiple-choice credit"), choices=[SelectChoice(mode, CREDIT_LABELS[mode]) for mode in CREDIT_MODES]
    )

    cell_fields: list[tuple[str, str, str]]  #: (cell, range name, field name)
    type_fields: list[tuple[str, str, str]]  #: (type key, count field, points field)

    def field_named(self, name: str):
        """A field by its name (templates use it for the generated cell and type fields)."""
        return self[name]


def blueprint_form(cells: list[tuple[str, str]], **kwargs: Any) -> BlueprintForm:
    """The blueprint form with a weight field per (cell, range name) and count/points fields per question type."""
    attrs: dict[str, Any] = {}
    cell_fields, type_fields = [], []
    for n, (cell, name) in enumerate(cells):
        attrs[f"weight_{n}"] = NumberField(cell, validators=[_REQUIRED])
        cell_fields.append((cell, name, f"weight_{n}"))
    for key in QUESTION_TYPES:
        attrs[f"count_{key}"] = WholeNumberField(_l("Questions"), validators=[Optional()])
        attrs[f"points_{key}"] = NumberField(_l("Points each"), validators=[Optional()])
        type_fields.append((key, f"count_{key}", f"points_{key}"))
    form_class = type("CellBlueprintForm", (BlueprintForm,), attrs)
    form = form_class(**kwargs)
    form.cell_fields, form.type_fields = cell_fields, type_fields
    return form


def fill_form(form: BlueprintForm, name: str, spec: dict[str, Any]) -> None:
    """Prefill a (GET) form from a spec."""
    form.name.data = name
    for cell, _name, field in form.cell_fields:
        form[field].data = spec.get("weights", {}).get(cell)
    types = {t["type_key"]: t for t in spec.get("types", [])}
    for key, count, points in form.type_fields:
        form[count].data = types.get(key, {}).get("count")
        form[points].data = types.get(key, {}).get("points")
    band = spec.get("difficulty_band") or [None, None]
    form.difficulty_low.data, form.difficulty_high.data = band[0], band[1]
    for key in ("forms", "exposure_cap", "exclude_last_sessions", "max_form_overlap", "pretest_count"):
        form[key].data = spec.get(key)
    form.multiple_choice_credit.data = spec.get("multiple_choice_credit") or "all_or_nothing"


def spec_from_form(form: BlueprintForm) -> dict[str, Any]:
    """The raw spec a submitted form describes (blueprints_ops validates it)."""
    return {
        "weights": {cell: form[field].data for cell, _name, field in form.cell_fields},
        "types": [
            {"type_key": key, "count": form[count].data or 0, "points": form[points].data}
            for key, count, points in form.type_fields
        ],
        "difficulty_band": [form.difficulty_low.data, form.difficulty_high.data],
        "forms": form.forms.data,
        "exposure_cap": form.exposure_cap.data,
        "exclude_last_sessions": form.exclude_last_sessions.data,
        "max_form_overlap": form.max_form_overlap.data,
        "pretest_count": form.pretest_count.data or 0,
        "multiple_choice_credit": form.multiple_choice_credit.data,
    }


def apply_blueprint_refusal(form: BlueprintForm, refused) -> None:
    """Show each problem next to its cell, type or field; the rest above the form."""
    names = {f"weight:{cell}": field for cell, _name, field in form.cell_fields}
    names |= {f"type:{key}": count for key, count, _points in form.type_fields}
    names |= {"difficulty_band": "difficulty_low"}
    problems = [dataclasses.replace(p, field=names.get(p.field, p.field)) for p in refused.problems]
    apply_refusal(form, Refused(problems))


class AssembleForm(FlaskForm):
    """Assemble parallel forms from an approved blueprint."""

    seed = StringField(_l("Seed"), validators=[_REQUIRED, Length(max=100)])
    forms = WholeNumberField(_l("Parallel forms"), validators=[_REQUIRED])
    window = StringField(_l("Exposure window"), validators=[_REQUIRED, Length(max=40)])
    candidates = WholeNumberField(_l("Expected candidates"), validators=[_REQUIRED])


class RunUsedForm(FlaskForm):
    """Record the session an assembly run's papers were used for."""

    session_label = StringField(_l("Session"), validators=[_REQUIRED, Length(max=200)])
    session_on = DateField(_l("Session date"), validators=[_REQUIRED])


class WindowForm(FlaskForm):
    """The feasibility page's optional exposure window (a GET filter)."""

    class Meta:
        csrf = False

    window = StringField(_l("Exposure window"), validators=[Optional(), Length(max=40)])
    candidates = WholeNumberField(_l("Expected candidates"), validators=[Optional()])


class ChooseForm(FlaskForm):
    """Which occupation and level a new blueprint is for (a GET form)."""

    class Meta:
        csrf = False

    occupation = SelectField(_l("Occupation"), validators=[_REQUIRED])
    level = SelectField(_l("Level"), validators=[_REQUIRED])
