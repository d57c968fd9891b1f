"""Messages of the candidate's exam page: check-in, Start, the one active page, saves, submit and the JSON API.

The timing and saving rules (`certify.exams.timing`, `certify.exams.saving`) carry their own bilingual reasons;
`ReasonProblem` lets a refusal carry one of them next to the registered codes below.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l

from certify.core.errors import Problem, register_messages
from certify.core.i18n import current_locale
from certify.exams.saving import AttemptState
from certify.exams.timing import AttemptPhase, Reason

#: the longest answer kept: a hand-marked answer, one blank of a fill-in question
MAX_TEXT_ANSWER = 20_000
MAX_BLANK_ANSWER = 500
#: the most entries one save may carry (a whole journal replay of a long paper, with room to spare)
MAX_SAVES = 500
#: sequence numbers fit the database's integer column
MAX_SEQ = 2_000_000_000

register_messages(
    {
        "exam_ticket_required": _l("Enter the ticket number printed on your admission ticket."),
        "exam_room_code_required": _l("Enter the room code the invigilator shows."),
        "exam_ticket_wrong": _l("This is not the ticket number of your seat. Check your admission ticket."),
        "exam_room_code_wrong": _l("This room code is not right. Check the code the invigilator shows."),
        "exam_checkin_throttled": _l(
            "Too many wrong tries. Wait %(seconds)s seconds and try again, or ask the invigilator to check you in."
        ),
        "exam_checkin_closed": _l("This exam has closed; you can no longer check in."),
        "exam_not_checked_in": _l("Check in first: enter your ticket number and the room code."),
        "exam_start_not_authorised": _l("The invigilator has not started your room yet. Please wait."),
        "exam_no_paper": _l("No paper has been prepared for you. Tell the invigilator."),
        "exam_not_started": _l("The exam has not been started yet."),
        "exam_attempt_closed": _l("This exam is closed (%(state)s); nothing more can be saved or submitted."),
        "exam_page_elsewhere": _l(
            "This exam is open on another computer or in another browser tab. "
            "Ask the invigilator to authorise moving it here."
        ),
        "exam_page_taken_over": _l(
            "This exam was opened on another computer; continue there. This page no longer saves answers."
        ),
        "exam_client_token_invalid": _l(
            "%(field)s must be the page's identifier (16 to 64 letters, digits, - or _). Reload the page."
        ),
        "exam_api_not_utf8": _l("The request body is not UTF-8 text."),
        "exam_api_not_json": _l("The request body is not valid JSON (line %(line)s, column %(column)s: %(error)s)."),
        "exam_api_not_object": _l("%(field)s must be a JSON object."),
        "exam_api_field_required": _l("%(field)s is required."),
        "exam_api_field_unknown": _l("%(field)s is not a field of this request."),
        "exam_api_not_list": _l("%(field)s must be a list."),
        "exam_api_too_many": _l("%(field)s may hold at most %(max)s entries; this one has %(count)s."),
        "exam_api_not_integer": _l("%(field)s must be a whole number."),
        "exam_api_out_of_range": _l("%(field)s must be from %(low)s to %(high)s."),
        "exam_api_not_boolean": _l("%(field)s must be true or false."),
        "exam_api_unknown_position": _l("%(field)s: question %(position)s is not on your paper."),
        "exam_value_true_false": _l('%(field)s must be "true", "false" or null.'),
        "exam_value_single": _l("%(field)s must be one of the options %(labels)s, or null."),
        "exam_value_multiple": _l("%(field)s must be a list of different options from %(labels)s, or null."),
        "exam_value_blanks": _l("%(field)s must be a list of %(count)s texts (one per blank), or null."),
        "exam_value_text": _l("%(field)s must be a text, or null."),
        "exam_value_too_long": _l("%(field)s may hold at most %(max)s characters; this one has %(length)s."),
        "exam_api_csrf": _l("The page's security token is missing or not valid. Reload the page (answers are kept)."),
        "exam_api_http": _l("%(title)s (HTTP %(status)s)."),
    }
)

#: the candidate's view of where their exam stands
PHASE_LABELS = {
    AttemptPhase.WAITING: _l("Not open yet"),
    AttemptPhase.NOT_STARTED: _l("Open, not started"),
    AttemptPhase.RUNNING: _l("In progress"),
    AttemptPhase.PAUSED: _l("Paused"),
    AttemptPhase.IN_TOLERANCE: _l("Time is up"),
    AttemptPhase.OVERDUE: _l("Time is up, not submitted"),
    AttemptPhase.EXPIRED: _l("Closed"),
    AttemptPhase.SUBMITTED: _l("Handed in"),
    AttemptPhase.TERMINATED: _l("Ended by the invigilator"),
}

#: how an attempt ended, as the candidate reads it
STATE_LABELS = {
    AttemptState.IN_PROGRESS: _l("in progress"),
    AttemptState.SUBMITTED: _l("handed in"),
    AttemptState.AUTO_SUBMITTED: _l("handed in automatically when the time ran out"),
    AttemptState.ABANDONED: _l("not submitted in time"),
    AttemptState.TERMINATED: _l("ended by the invigilator"),
}


@dataclass(frozen=True)
class ReasonProblem(Problem):
    """A problem whose message is a timing or saving rule's own bilingual reason."""

    reason: Reason | None = None

    def message(self) -> str:
        if self.reason is None:
            return super().message()
        return self.reason.message(current_locale(), current_app.config["BABEL_DEFAULT_TIMEZONE"])


def from_reason(reason: Reason) -> ReasonProblem:
    """A refusal problem carrying a rule's reason (its code, where it applies, its rendered message)."""
    return ReasonProblem(reason.code, reason.where, dict(reason.params), reason)
