"""Messages for the fast-track problem codes (competition register, direct recognition, 破格 panels)."""

from flask_babel import lazy_gettext as _l

from certify.core.errors import register_messages

register_messages(
    {
        "fasttrack_held_in_future": _l("The competition date is in the future; register it once it has been held."),
        "fasttrack_competition_exists": _l("Your body has already registered %(name)s held on %(held_on)s."),
        "fasttrack_occupation_not_filed": _l("Your body is not filed for this occupation."),
        "fasttrack_event_exists": _l("This competition already has an event called %(name)s."),
        "fasttrack_person_unknown": _l("No person of your body has this ID number."),
        "fasttrack_rank_positive": _l("The rank is a whole number from 1 upwards."),
        "fasttrack_result_exists": _l("%(name)s already has a result in this event."),
        "fasttrack_award_refused": _l("No level can be recognised for this result (%(count)d reason(s) below)."),
        "fasttrack_already_proposed": _l("A recognition has already been proposed for this result."),
        "fasttrack_pending_proposal": _l("%(name)s already has a recognition waiting for its panel (#%(id)d)."),
        "fasttrack_table_invalid": _l("The table was not saved: fix the %(count)d problem(s) listed below."),
        "fasttrack_table_empty": _l("The table needs at least one row."),
        "fasttrack_panel_closed": _l("This is no longer before the panel; no more votes are taken."),
    }
)
