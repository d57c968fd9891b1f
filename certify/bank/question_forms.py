"""Forms of the question pages, and the translation between the question form and question_bank's Question."""

from __future__ import annotations

import hashlib
import os
import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.utils import secure_filename
from wtforms import BooleanField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from certify.core.errors import Problem, Refused
from certify.core.forms import WholeNumberField
from certify.core.templating import level_label
from certify.ladder.levels import LADDER
from question_bank.model import FALSE, LETTERS, QTYPES, TRUE, Accept, Blank, Question, decimal_text, to_decimal

from . import messages_questions as _messages  # noqa: F401  (registers the codes)
from .models import ElementNode
from .questions_ops import MAX_IMAGE_BYTES

QTYPE_LABELS = {
    "true_false": _l("True/false"),
    "single_choice": _l("Single choice"),
    "multiple_choice": _l("Multiple choice"),
    "fill_in": _l("Fill in the blanks"),
    "short_answer": _l("Short answer"),
    "calculation": _l("Calculation"),
    "essay": _l("Essay"),
    "case": _l("Case analysis"),
}
TRUE_WORDS = {"对", "√", "✓", "✔", "正确", "是", "true", "t", "yes", "y", "1"}
FALSE_WORDS = {"错", "×", "✗", "✘", "x", "错误", "否", "false", "f", "no", "n", "0"}
#: an option line may start with its own letter: "A. …", "A、…", "A) …", "Ａ．…"
_OPTION_PREFIX = re.compile(r"^\s*([A-Za-zＡ-Ｚ])\s*[.．、)）:：]\s*")
_ANSWER_SEPARATORS = re.compile(r"[\s,，、;；/]+")


class QuestionForm(FlaskForm):
    """A question of any type: the fields that do not apply to the chosen type stay empty."""

    qtype = SelectField(
        _l("Question type"),
        choices=[SelectChoice(key, QTYPE_LABELS[key]) for key in QTYPES],
        validators=[InputRequired(message=_l("Choose a question type."))],
    )
    stem = TextAreaField(_l("Question text (stem)"), render_kw={"rows": 5})
    options = TextAreaField(_l("Options (single and multiple choice)"), render_kw={"rows": 5})
    answer = StringField(_l("Answer"), validators=[Optional(), Length(max=100)])
    blanks = TextAreaField(_l("Blanks (fill in the blanks)"), render_kw={"rows": 3})
    ignore_case = BooleanField(_l("Ignore upper and lower case in blanks"), default=True)
    ignore_width = BooleanField(_l("Ignore full-width and half-width characters in blanks"), default=True)
    points = StringField(_l("Points"), default="1", validators=[Length(max=20)])
    difficulty = WholeNumberField(_l("Difficulty (1 easy – 5 hard)"), validators=[Optional()])
    point_code = SelectField(_l("Assessment point"), validate_choice=False)
    explanation = TextAreaField(_l("Answer explanation"), render_kw={"rows": 3})
    marking_scheme = TextAreaField(_l("Marking scheme and reference answer (hand-marked types)"), render_kw={"rows": 5})
    image = FileField(_l("Image (PNG, JPEG, GIF or WebP, at most 2 MB)"), render_kw={"accept": "image/*"})
    remove_images = BooleanField(_l("Remove the current images"))
    note = StringField(_l("What changed and why"), validators=[Optional(), Length(max=500)])


class NewQuestionForm(QuestionForm):
    """A new question also chooses its level."""

    level = SelectField(
        _l("Level"), coerce=int, validators=[InputRequired(message=_l("Choose a level."))], validate_choice=True
    )


def build_form(points: dict[str, ElementNode] | None, *, new: bool, current_point: str | None = None) -> QuestionForm:
    """The question form with its choices filled (levels, the element table's points)."""
    form = NewQuestionForm() if new else QuestionForm()
    choices = [SelectChoice("", _l("— none —"))]
    for code, node in (points or {}).items():
        choices.append(SelectChoice(code, f"{code} {node.name}"))
    known = set(points or {})
    submitted = form.point_code.data if form.is_submitted() else current_point
    for code in {current_point, submitted} - known - {None, ""}:
        choices.append(SelectChoice(code, _l("%(code)s (not in the element table)", code=code)))
    form.point_code.choices = choices
    if new:
        form.level.choices = [SelectChoice(level.ordinal, level_label(level.ordinal)) for level in LADDER]
    return form


def fill_form(form: QuestionForm, question: Question) -> None:
    """Show a version's content in the form (editing starts from the latest version)."""
    form.qtype.data = question.qtype
    form.stem.data = question.stem
    form.options.data = "\n".join(question.options)
    if question.qtype == "true_false":
        form.answer.data = {TRUE: "对", FALSE: "错"}.get(question.answer[0] if question.answer else "", "")
    else:
        form.answer.data = "".join(question.answer)
    form.blanks.data = "\n".join(" | ".join(a.text for a in blank.accepts) for blank in question.blanks)
    if question.blanks:
        form.ignore_case.data = question.blanks[0].ignore_case
        form.ignore_width.data = question.blanks[0].ignore_width
    form.points.data = decimal_text(question.points)
    form.difficulty.data = question.difficulty
    form.point_code.data = question.point_code or ""
    form.explanation.data = question.explanation
    form.marking_scheme.data = question.marking_scheme


def _option_lines(text: str) -> list[str]:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    cleaned = []
    for i, line in enumerate(lines):
        match = _OPTION_PREFIX.match(line)
        if match and i < len(LETTERS) and match.group(1).upper().translate(_FULL_WIDTH) == LETTERS[i]:
            line = line[match.end() :].strip() or line
        cleaned.append(line)
    return cleaned


_FULL_WIDTH = str.maketrans({chr(0xFF21 + i): LETTERS[i] for i in range(26)})


def parse_answer(qtype: str, text: str) -> tuple[str, ...]:
    """Letters (`AC`, `A,C`, `A、C`) for choice types; 对/错/√/×/true/false for true/false."""
    text = (text or "").strip()
    if not text:
        return ()
    if qtype == "true_false":
        word = text.lower()
        if word in TRUE_WORDS:
            return (TRUE,)
        if word in FALSE_WORDS:
            return (FALSE,)
        return (word,)
    if qtype in ("single_choice", "multiple_choice"):
        letters = "".join(_ANSWER_SEPARATORS.split(text)).upper().translate(_FULL_WIDTH)
        seen: list[str] = []
        for letter in letters:
            if letter not in seen:
                seen.append(letter)
        return tuple(sorted(seen, key=lambda c: (LETTERS.find(c) < 0, LETTERS.find(c), c)))
    return ()


def parse_blanks(text: str, ignore_case: bool, ignore_width: bool) -> tuple[Blank, ...]:
    """One blank per line; alternatives separated by `|`."""
    blanks = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        accepts = tuple(Accept(alt.strip()) for alt in line.split("|") if alt.strip())
        blanks.append(Blank(accepts, ignore_case, ignore_width))
    return tuple(blanks)


def image_name(filename: str | None, data: bytes) -> str:
    """A safe name for an uploaded image (its own name when usable, else one derived from its content)."""
    name = secure_filename(filename or "")
    if "." not in name.strip("."):
        ext = re.sub(r"[^A-Za-z0-9]", "", os.path.splitext(filename or "")[1])[:8]
        name = f"image-{hashlib.sha256(data).hexdigest()[:10]}" + (f".{ext}" if ext else "")
    return name[-200:]


def read_form(form: QuestionForm, kept_images: tuple[str, ...] = ()) -> tuple[Question, dict[str, bytes]]:
    """The question the form describes and its uploaded image; refuses unreadable input at its field."""
    problems: list[Problem] = []
    try:
        points = to_decimal(form.points.data or "")
    except ValueError:
        problems.append(Problem("bank_points_not_number", "points", {"value": form.points.data or ""}))
        points = None
    files: dict[str, bytes] = {}
    upload = form.image.data
    if upload and getattr(upload, "filename", None):
        data = upload.read(MAX_IMAGE_BYTES + 1)
        name = image_name(upload.filename, data)
        if len(data) > MAX_IMAGE_BYTES:
            problems.append(Problem("bank_image_too_large", "image", {"name": name, "limit": MAX_IMAGE_BYTES // 2**20}))
        elif data:
            files[name] = data
    if problems:
        raise Refused(problems)
    qtype = form.qtype.data or ""
    images = tuple(name for name in ([] if form.remove_images.data else list(kept_images)) if name not in files)
    question = Question(
        qtype=qtype,
        stem=(form.stem.data or "").strip(),
        options=tuple(_option_lines(form.options.data)),
        answer=parse_answer(qtype, form.answer.data),
        blanks=parse_blanks(form.blanks.data, bool(form.ignore_case.data), bool(form.ignore_width.data))
        if qtype == "fill_in"
        else (),
        points=points,
        difficulty=form.difficulty.data,
        point_code=(form.point_code.data or "").strip() or None,
        explanation=(form.explanation.data or "").strip(),
        marking_scheme=(form.marking_scheme.data or "").strip(),
        images=images + tuple(files),
    )
    return question, files


class PledgeForm(FlaskForm):
    signed_name = StringField(
        _l("Your name, as your signature"),
        validators=[InputRequired(message=_l("Type your name to sign.")), Length(max=100)],
    )


class ReviewForm(FlaskForm):
    decision = RadioField(
        _l("Decision"),
        choices=[
            SelectChoice("approve", _l("Approve: the question becomes active")),
            SelectChoice("approve_pretest", _l("Approve as pretest: delivered on papers, not scored")),
            SelectChoice("return", _l("Return to the author with a comment")),
        ],
        validators=[InputRequired(message=_l("Choose a decision."))],
    )
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 3})


class CommentForm(FlaskForm):
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})


class RetireForm(FlaskForm):
    reason = TextAreaField(_l("Reason for retiring"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})


class ActionForm(FlaskForm):
    """A button-only form (CSRF token)."""
