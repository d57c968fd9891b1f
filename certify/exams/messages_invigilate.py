"""Messages of the invigilator console: refusals of the invigilator's verbs, the names of a seat's status and
incident kinds, and how times read on the console."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from certify.core.errors import register_messages
from certify.exams.models import IncidentCategory

#: the longest reason or incident text kept (a paragraph, not an essay)
MAX_REASON = 500
MAX_INCIDENT_TEXT = 2000
#: added time per entry, in minutes
MIN_ADDED_MINUTES, MAX_ADDED_MINUTES = 1, 120

register_messages(
    {
        "invig_reason_required": _l("Give a reason (1 to %(max)s characters)."),
        "invig_minutes_range": _l("Enter whole minutes from %(low)s to %(high)s."),
        "invig_attempt_closed": _l("Seat %(seat)s has already finished (%(status)s); nothing was changed."),
        "invig_window_closed": _l("The session's window has closed; seat %(seat)s can no longer be checked in."),
        "invig_already_checked_in": _l("Seat %(seat)s is already checked in."),
        "invig_room_already_authorised": _l("Start was already authorised for this room."),
        "invig_room_window_closed": _l("The session's window has closed; Start can no longer be authorised."),
        "invig_seat_already_authorised": _l("Start was already authorised for seat %(seat)s."),
        "invig_not_checked_in": _l("Seat %(seat)s has not checked in yet: check the candidate in first."),
        "invig_already_started": _l("Seat %(seat)s has already started."),
        "invig_not_running": _l("Seat %(seat)s is not answering now (%(status)s), so it cannot be paused."),
        "invig_already_paused": _l("Seat %(seat)s is already paused; resume it before pausing it again."),
        "invig_on_break": _l("Seat %(seat)s is on a break; end the break instead."),
        "invig_pause_overlaps": _l("A pause of seat %(seat)s would overlap another pause or break."),
        "invig_not_paused": _l("Seat %(seat)s is not paused by an invigilator."),
        "invig_time_over": _l("Seat %(seat)s is out of time (%(status)s); this can no longer be done."),
        "invig_window_caps": _l(
            "Seat %(seat)s already ends when the session window closes; added time would have no effect. "
            "Extend the session window first."
        ),
        "invig_move_no_page": _l(
            "No computer has opened the exam of seat %(seat)s yet; the candidate can open it on any computer."
        ),
        "invig_incident_category": _l("Choose the kind of incident."),
        "invig_incident_text": _l("Describe the incident (1 to %(max)s characters)."),
        "invig_incident_seat": _l("That candidate is not seated in this room."),
        "invig_no_breaks": _l("The accommodation of seat %(seat)s allows no breaks."),
        "invig_breaks_used": _l("Seat %(seat)s has taken all %(allowed)s breaks its accommodation allows."),
        "invig_break_minutes": _l("A break of seat %(seat)s may last from 1 to %(allowed)s minutes."),
        "invig_not_on_break": _l("Seat %(seat)s is not on a break."),
        "invig_room_none_running": _l("No seat in this room is answering now; nothing was paused."),
        "invig_room_none_paused": _l("No seat in this room is paused by an invigilator; nothing was resumed."),
    }
)

#: what the console shows for a seat
STATUS_LABELS = {
    "not_arrived": _l("not arrived"),
    "checked_in": _l("checked in"),
    "in_progress": _l("in progress"),
    "paused": _l("paused"),
    "on_break": _l("on a break"),
    "time_over": _l("time over"),
    "submitted": _l("submitted"),
    "auto_submitted": _l("submitted automatically"),
    "abandoned": _l("not submitted in time"),
    "terminated": _l("terminated"),
    "window_closed": _l("absent"),
}

INCIDENT_LABELS = {
    IncidentCategory.IDENTITY: _l("Identity in doubt"),
    IncidentCategory.CHEATING: _l("Suspected cheating"),
    IncidentCategory.TECHNICAL: _l("Computer, network or power trouble"),
    IncidentCategory.HEALTH: _l("Candidate taken ill"),
    IncidentCategory.DISRUPTION: _l("Disruption in the room"),
    IncidentCategory.OTHER: _l("Other"),
}


def clock_text(value: timedelta | None) -> str:
    """Time left as H:MM:SS (the same in both languages); a dash once there is none."""
    if value is None:
        return "—"
    seconds = max(0, int(value.total_seconds()))
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def ago_text(at: datetime | None, now: datetime) -> str:
    """How long ago the candidate's page was last heard from, in the user's language."""
    if at is None:
        return _("never")
    seconds = max(0, int((now - at).total_seconds()))
    if seconds < 120:
        return _("%(n)s s ago", n=seconds)
    if seconds < 7200:
        return _("%(n)s min ago", n=seconds // 60)
    return _("%(n)s h ago", n=seconds // 3600)


def summary_text(counts: Mapping[str, int]) -> str:
    """The room's seats counted by status, in the console's order."""
    return " · ".join(f"{STATUS_LABELS[key]}: {counts[key]}" for key in STATUS_LABELS if key in counts)
