"""Messages for refusals of question authoring and the review lifecycle; problems from question_bank keep theirs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from certify.core.errors import Problem, register_messages
from question_bank.report import Problem as ContentProblemSource

from .models import VersionState

register_messages(
    {
        "bank_occupation_not_filed": _l(
            "Your body is not filed for occupation %(occupation)s, so it holds no bank for it."
        ),
        "bank_level_unknown": _l("Level %(value)s is not a level of the ladder."),
        "bank_no_element_table": _l(
            "The %(occupation)s bank has no element table yet, so assessment point %(code)s cannot be checked; "
            "import the element table first."
        ),
        "bank_point_unknown": _l("Assessment point %(code)s is not a point of the %(occupation)s element table."),
        "bank_points_not_number": _l("Points must be a number such as 2 or 0.5; %(value)s is not."),
        "bank_points_range": _l("Points must be at most %(limit)s with at most two decimals; %(value)s is not."),
        "bank_content_unchanged": _l("Nothing changed: the content is the same as version %(number)s."),
        "bank_image_type": _l("%(name)s is not a PNG, JPEG, GIF or WebP image."),
        "bank_image_too_large": _l("%(name)s is larger than %(limit)s MB."),
        "bank_image_missing": _l("The image %(name)s is referred to but was not uploaded."),
        "bank_version_state": _l("Version %(number)s is %(state)s; this needs a version that is %(expected)s."),
        "bank_reviewer_required": _l("Only a question reviewer may approve, return, promote or retire a version."),
        "bank_four_eyes": _l(
            "You wrote version %(number)s, so another reviewer must decide on it (four-eyes principle)."
        ),
        "bank_comment_required": _l("Say why you return the version: a comment is required."),
        "bank_reason_required": _l("Give the reason for retiring the version."),
        "bank_approval_point_missing": _l(
            "Version %(number)s has no assessment point; edit the question to add one before approval."
        ),
        "bank_approval_point_unknown": _l(
            "Assessment point %(code)s of version %(number)s is not in the element table; edit the question before "
            "approval."
        ),
        "bank_approval_difficulty_missing": _l(
            "Version %(number)s has no difficulty; edit the question to add one (1–5) before approval."
        ),
    }
)


#: a version's state as users read it
STATE_LABELS = {
    VersionState.DRAFT: _l("draft"),
    VersionState.IN_REVIEW: _l("in review"),
    VersionState.ACTIVE: _l("active"),
    VersionState.PRETEST: _l("pretest"),
    VersionState.RETIRED: _l("retired"),
    VersionState.SUPERSEDED: _l("superseded"),
}


def state_label(state: VersionState | str | None) -> str:
    """The translated name of a version state."""
    if state is None:
        return ""
    return str(STATE_LABELS.get(VersionState(state), state))


class LazyStates:
    """Version states named in the reader's language when the message is rendered (not when raised)."""

    def __init__(self, *states: VersionState):
        self.states = states

    def __str__(self) -> str:
        return " / ".join(state_label(state) for state in self.states)


@dataclass(frozen=True)
class ContentProblem(Problem):
    """A problem found by question_bank's validation, shown with its own bilingual message."""

    def message(self) -> str:
        """The problem in the user's language (English outside a request)."""
        source: ContentProblemSource = self.params["problem"]
        try:
            from certify.core.i18n import current_locale

            locale = current_locale()
        except RuntimeError:
            locale = "en"
        return source.message(locale)


#: question_bank's field names → the question form's fields
FORM_FIELDS = {
    "stem": "stem",
    "options": "options",
    "answer": "answer",
    "points": "points",
    "difficulty": "difficulty",
    "point_code": "point_code",
    "explanation": "explanation",
    "marking_scheme": "marking_scheme",
    "qtype": "qtype",
    "images": "image",
}


def content_problem(problem: ContentProblemSource, qtype: str = "") -> ContentProblem:
    """Wrap a question_bank problem so it sits at the matching field of the question form."""
    name = problem.field or ""
    if name.startswith("option "):
        name = "options"
    field = FORM_FIELDS.get(name)
    if field == "answer" and qtype == "fill_in":
        field = "blanks"
    params: dict[str, Any] = {"problem": problem}
    return ContentProblem(problem.code, field, params)
