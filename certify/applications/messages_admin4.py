"""Messages of the admin4 problem codes (appointments, the ban list, eligibility rule sets), and a lazy wrapper that
renders a ladder reason (bilingual by itself) in the language of the page that shows it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from certify.core.errors import register_messages


@dataclass(frozen=True)
class InLanguage:
    """A ladder reason (anything with `.message(locale)`) that renders in the current request's language."""

    reason: Any

    def __str__(self) -> str:
        from certify.core.i18n import current_locale

        return self.reason.message(current_locale())


register_messages(
    {
        "admin4_person_not_found": _l("Nobody of your body has the ID number %(id_number)s."),
        "admin4_reason_required": _l("Give a reason."),
        # appointments
        "admin4_occupation_not_filed": _l("Your body is not filed for this occupation."),
        "admin4_appointment_rule": _l("%(detail)s"),
        "admin4_profile_problem": _l("The person's facts: %(detail)s"),
        "admin4_held_since_required": _l("Give the date the level was obtained."),
        "admin4_held_level_required": _l("Choose the level held, or leave the date empty."),
        "admin4_date_in_future": _l("The date %(date)s is in the future."),
        "admin4_appointment_exists": _l(
            "%(name)s already has an appointment to this level for this occupation (proposed or in its term)."
        ),
        "admin4_appointment_decided": _l("This appointment has already been decided."),
        "admin4_panel_not_approved": _l(
            "The term can be recorded only after the panel has approved (a majority of an odd panel of at least 3)."
        ),
        "admin4_panel_already_decided": _l("The panel has already decided; no more votes are taken."),
        "admin4_panel_member_is_appointee": _l("The person to be appointed cannot sit on their own panel."),
        "admin4_term_start_required": _l("Give the first day of the term."),
        "admin4_term_end_required": _l("Give the last day of the term."),
        "admin4_term_end_before_start": _l("The term must end after it starts."),
        "admin4_defence_minutes_without_date": _l("Give the date of the defence the minutes record."),
        # bans
        "admin4_ban_end_required": _l("Give the last day of the ban, or mark it permanent."),
        "admin4_ban_permanent_with_end": _l("A permanent ban has no end date: clear the date or untick permanent."),
        "admin4_ban_ends_before_start": _l("The ban must end on or after the day it starts."),
        "admin4_ban_already_lifted": _l("This ban has already been lifted."),
        # rule sets
        "admin4_ruleset_syntax": _l(
            "The text is not valid JSON: line %(line)d, column %(column)d: %(detail)s. Nothing was saved."
        ),
        "admin4_ruleset_problem": _l("%(detail)s"),
        "admin4_ruleset_id_changed": _l("The rule set's id must stay “%(key)s” (found “%(found)s”)."),
        "admin4_ruleset_occupation_claimed": _l(
            "Occupation %(code)s is already assigned to the rule set “%(other)s”; an occupation follows one rule set."
        ),
        "admin4_ruleset_not_changed": _l("This rule set is already the shipped version."),
    }
)
