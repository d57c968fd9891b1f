"""Forms of the application pages: new application, the profile with repeatable rows, evidence, pledges, review."""

from __future__ import annotations

import dataclasses
import re
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from certify.applications.messages_apply import EVIDENCE_LABELS, ROUTE_LABELS
from certify.applications.models import ApplicationRoute, EvidenceKind
from certify.core.i18n import current_locale
from certify.ladder.levels import LADDER, HowObtained
from certify.ladder.profile import ProfileProblem

DATE = {"type": "date"}
#: rows shown empty at the end of each list so that one more can be typed without JavaScript
SECTIONS = ("work_history", "education", "certificates", "titles")


def _max(n):
    return Length(max=n, message=_l("At most %(max)d characters.", max=n))


def int_or_none(value) -> int | None:
    """Coerce a submitted select value; anything not a whole number is None (the operation then names it)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def level_choices() -> list[SelectChoice]:
    from certify.core.templating import level_label

    return [
        SelectChoice(level.ordinal, level_label(level.ordinal))
        for level in LADDER
        if level.obtained_by == HowObtained.CERTIFICATION
    ]


class NewApplicationForm(FlaskForm):
    body_id = SelectField(_l("Certification body"), coerce=int_or_none, validate_choice=False)
    occupation_id = SelectField(_l("Occupation"), coerce=int_or_none, validate_choice=False)
    direction_id = SelectField(_l("Direction"), coerce=int_or_none, validate_choice=False)
    level = SelectField(_l("Level"), coerce=int_or_none, validate_choice=False)
    route = RadioField(
        _l("Route"),
        choices=[SelectChoice(r.value, ROUTE_LABELS[r]) for r in ApplicationRoute],
        default=ApplicationRoute.STANDARD.value,
        validate_choice=False,
    )


class WorkRow(Form):
    employer = StringField(_l("Employer"), validators=[Optional(), _max(200)])
    start = StringField(_l("From"), render_kw=DATE)
    end = StringField(_l("To (empty if still there)"), render_kw=DATE)
    job = StringField(_l("Job"), validators=[Optional(), _max(200)])
    relevant = BooleanField(_l("Same or related occupation"), default=True)
    grassroots = BooleanField(_l("At grassroots level"))
    remote = BooleanField(_l("In a remote area"))


SCHOOL_TYPES = [
    ("junior_secondary", _l("Junior secondary school")),
    ("senior_secondary", _l("Senior secondary school")),
    ("secondary_vocational", _l("Secondary vocational school")),
    ("technical_school", _l("Technical school")),
    ("senior_technical_school", _l("Senior technical school")),
    ("technician_college", _l("Technician college")),
    ("vocational_college", _l("Vocational college (associate degree)")),
    ("bachelor", _l("Bachelor's degree")),
    ("master", _l("Master's degree")),
    ("doctorate", _l("Doctorate")),
]


class EducationRow(Form):
    school_type = SelectField(
        _l("School type"),
        choices=[SelectChoice("", "—"), *[SelectChoice(k, v) for k, v in SCHOOL_TYPES]],
        validate_choice=False,
    )
    major = StringField(_l("Major"), validators=[Optional(), _max(200)])
    relevance = SelectField(
        _l("Major relevance"),
        choices=[
            SelectChoice("", "—"),
            SelectChoice("same", _l("The same major")),
            SelectChoice("related", _l("A related major")),
            SelectChoice("unrelated", _l("An unrelated major")),
        ],
        validate_choice=False,
    )
    graduated_on = StringField(_l("Graduated on"), render_kw=DATE)
    final_year = BooleanField(_l("In the final year"))


class CertificateRow(Form):
    number = StringField(_l("Certificate number"), validators=[Optional(), _max(40)])
    level = SelectField(_l("Level"), validate_choice=False)
    issued_on = StringField(_l("Issued on"), render_kw=DATE)


class TitleRow(Form):
    grade = SelectField(
        _l("Title grade"),
        choices=[
            SelectChoice("", "—"),
            SelectChoice("junior", _l("Junior")),
            SelectChoice("intermediate", _l("Intermediate")),
            SelectChoice("senior", _l("Senior")),
        ],
        validate_choice=False,
    )
    name = StringField(_l("Title"), validators=[Optional(), _max(100)])
    obtained_on = StringField(_l("Obtained on"), render_kw=DATE)


class ProfileForm(FlaskForm):
    work_history = FieldList(FormField(WorkRow), min_entries=1, max_entries=40)
    education = FieldList(FormField(EducationRow), min_entries=1, max_entries=20)
    certificates = FieldList(FormField(CertificateRow), min_entries=1, max_entries=20)
    titles = FieldList(FormField(TitleRow), min_entries=1, max_entries=20)
    apprenticeship_completed_on = StringField(_l("Apprenticeship completed on"), render_kw=DATE)
    secretary_start = StringField(_l("Village first secretary from"), render_kw=DATE)
    secretary_end = StringField(_l("Village first secretary to"), render_kw=DATE)
    secretary_excellent = BooleanField(_l("Reviews rated excellent"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [SelectChoice("", _l("from the number")), *level_choices()]
        for entry in self.certificates:
            entry.form.level.choices = choices

    def add_row(self, section: str) -> None:
        """One more empty row in a section (the "add a row" buttons work without JavaScript)."""
        if section in SECTIONS:
            rows = getattr(self, section)
            if len(rows) < rows.max_entries:
                rows.append_entry()
            choices = [SelectChoice("", _l("from the number")), *level_choices()]
            for entry in self.certificates:
                entry.form.level.choices = choices


def _text(value) -> str | None:
    value = (value or "").strip()
    return value or None


def profile_data(form: ProfileForm) -> tuple[dict, dict[str, object]]:
    """The profile JSON of the form (empty rows left out), and where each JSON row sits in the form."""
    data: dict = {}
    where: dict[str, object] = {}
    builders = {
        "work_history": lambda f: {
            "employer": (f.employer.data or "").strip(),
            "start": _text(f.start.data),
            "end": _text(f.end.data),
            "job": (f.job.data or "").strip(),
            "relevant": bool(f.relevant.data),
            "grassroots": bool(f.grassroots.data),
            "remote": bool(f.remote.data),
        },
        "education": lambda f: (
            {
                "school_type": _text(f.school_type.data),
                "major": (f.major.data or "").strip(),
                "relevance": _text(f.relevance.data),
                "final_year": bool(f.final_year.data),
            }
            # Left out when empty, so that the engine asks for a graduation date unless the row is a final year.
            | ({"graduated_on": _text(f.graduated_on.data)} if _text(f.graduated_on.data) else {})
        ),
        "certificates": lambda f: {
            k: v
            for k, v in {
                "number": re.sub(r"\s", "", f.number.data or "").upper(),
                "level": int_or_none(f.level.data),
                "issued_on": _text(f.issued_on.data),
            }.items()
            if v not in (None, "")
        },
        "titles": lambda f: {
            "grade": _text(f.grade.data),
            "name": (f.name.data or "").strip(),
            "obtained_on": _text(f.obtained_on.data),
        },
    }
    for section, build in builders.items():
        rows = []
        for position, entry in enumerate(getattr(form, section), 1):
            sub = entry.form
            if not any((str(f.data or "")).strip() for f in sub if isinstance(f, StringField | SelectField)):
                continue  # an empty row
            where[f"{section}[{len(rows)}]"] = (position, sub)
            rows.append(build(sub))
        if rows:
            data[section] = rows
    if _text(form.apprenticeship_completed_on.data):
        data["apprenticeship_completed_on"] = _text(form.apprenticeship_completed_on.data)
    if _text(form.secretary_start.data) or _text(form.secretary_end.data):
        data["first_secretary"] = {
            "start": _text(form.secretary_start.data),
            "end": _text(form.secretary_end.data),
            "excellent": bool(form.secretary_excellent.data),
        }
    return data, where


def form_data(profile: dict) -> dict:
    """The form's initial data from a stored profile."""
    out: dict = {section: [dict(row) for row in profile.get(section) or []] for section in SECTIONS}
    for row in out["certificates"]:
        row["level"] = str(row["level"]) if row.get("level") else ""
    out["apprenticeship_completed_on"] = profile.get("apprenticeship_completed_on") or ""
    secretary = profile.get("first_secretary") or {}
    out["secretary_start"] = secretary.get("start") or ""
    out["secretary_end"] = secretary.get("end") or ""
    out["secretary_excellent"] = bool(secretary.get("excellent"))
    for section in SECTIONS:
        out[section] = [{k: ("" if v is None else v) for k, v in row.items()} for row in out[section]]
    return out


SECTION_LABELS = {
    "work_history": _l("Work history, row %(n)d"),
    "education": _l("Education, row %(n)d"),
    "certificates": _l("Certificates, row %(n)d"),
    "titles": _l("Professional titles, row %(n)d"),
}
TOP_FIELDS = {
    "apprenticeship_completed_on": "apprenticeship_completed_on",
    "first_secretary.start": "secretary_start",
    "first_secretary.end": "secretary_end",
    "first_secretary.excellent": "secretary_excellent",
}


def place_profile_problems(form: ProfileForm, problems, where: dict[str, object]) -> None:
    """Show each profile problem on its field, its path in words ("Work history, row 2: From")."""
    form.form_errors = list(getattr(form, "form_errors", []))
    for problem in problems:
        reason = getattr(problem, "reason", None)
        if not isinstance(reason, ProfileProblem):
            form.form_errors.append(problem.message())
            continue
        match = re.fullmatch(r"(\w+)\[(\d+)\]\.(\w+)", reason.path or "")
        field = None
        human = reason.path
        if match and match.group(1) in SECTION_LABELS:
            row_n, sub = where.get(f"{match.group(1)}[{match.group(2)}]", (int(match.group(2)) + 1, None))
            field = getattr(sub, match.group(3), None) if sub is not None else None
            label = field.label.text if field is not None else match.group(3)
            human = f"{SECTION_LABELS[match.group(1)] % {'n': row_n}}: {label}"
        elif reason.path in TOP_FIELDS:
            field = getattr(form, TOP_FIELDS[reason.path])
            human = str(field.label.text)
        shown = dataclasses.replace(reason, params={**reason.params, "path": human}).message(current_locale())
        if field is not None:
            field.errors = [*field.errors, shown]
        else:
            form.form_errors.append(shown)


class EvidenceForm(FlaskForm):
    kind = SelectField(
        _l("What the evidence shows"),
        choices=[SelectChoice(k.value, EVIDENCE_LABELS[k]) for k in EvidenceKind],
        validate_choice=False,
    )
    files = MultipleFileField(_l("Files: up to 3 JPEG or PNG images (one per page), or one PDF"))


class PledgeForm(FlaskForm):
    candidate_pledge = BooleanField(
        _l(
            "I pledge that everything in this application and its evidence is true and complete, and I accept "
            "the sanctions for false statements, up to a ban from applying."
        )
    )
    employer_name = StringField(_l("Employer"), validators=[Optional(), _max(200)])
    signatory = StringField(_l("Signed for the employer by"), validators=[Optional(), _max(100)])
    employer_pledge = BooleanField(
        _l("The employer confirms the work history and pledges that the information about it is true.")
    )


class ActionForm(FlaskForm):
    """A button that changes something (CSRF only)."""


class ProblemRow(Form):
    field = StringField(_l("Where"), validators=[Optional(), _max(100)])
    text = TextAreaField(_l("What to correct"), validators=[Optional(), _max(1000)])


class ReturnForm(FlaskForm):
    problems = FieldList(FormField(ProblemRow), min_entries=4, max_entries=20)
    deadline = StringField(_l("Correct by"), render_kw=DATE)

    def deadline_date(self) -> date | None:
        try:
            return date.fromisoformat((self.deadline.data or "").strip())
        except ValueError:
            return None


class RejectForm(FlaskForm):
    reason = TextAreaField(_l("Reason for the rejection"), validators=[Optional(), _max(2000)])


def problem_rows(form: ReturnForm) -> list[tuple[str, str]]:
    return [(row.form.field.data or "", row.form.text.data or "") for row in form.problems]


def profile_vocabulary() -> dict[str, dict[str, str]]:
    """Words for the coded values of a saved profile (school types, relevance, title grades)."""
    return {
        "school_types": {k: str(v) for k, v in SCHOOL_TYPES},
        "relevances": {c.value: str(c.label) for c in EducationRow.relevance.kwargs["choices"] if c.value},
        "title_grades": {c.value: str(c.label) for c in TitleRow.grade.kwargs["choices"] if c.value},
    }
