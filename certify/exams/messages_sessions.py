"""Messages of theory sessions, enrolment, invigilator staffing, papers and tickets (codes session_*)."""

from flask_babel import lazy_gettext as _l

from certify.core.errors import register_messages

register_messages(
    {
        # the session form
        "session_value_required": _l("This field is required."),
        "session_name_long": _l("At most %(max)s characters; this name has %(length)s."),
        "session_occupation_not_filed": _l("Choose an occupation your body is filed for."),
        "session_level_invalid": _l("Choose a level with a theory examination (Grade 5 to Grade 1)."),
        "session_blueprint_unknown": _l("Choose one of your body's blueprints."),
        "session_blueprint_not_approved": _l(
            "The blueprint “%(name)s” is not approved; papers come only from an approved blueprint."
        ),
        "session_blueprint_mismatch": _l(
            "The blueprint “%(name)s” is for another occupation or level than the session."
        ),
        "session_site_unknown": _l("Choose one of your body's sites."),
        "session_site_inactive": _l("The site %(site)s is not active; choose an active site."),
        "session_rooms_required": _l("Choose at least one room."),
        "session_room_not_of_site": _l("Choose rooms of the session's site (%(site)s) only."),
        "session_duration_range": _l("Enter the duration as whole minutes, from 1 to %(max)s."),
        "session_duration_short": _l(
            "The exam lasts %(minutes)s minutes; at least %(min_minutes)s minutes are required."
        ),
        "session_window_order": _l("The window must close after it opens (opens %(opens_at)s, closes %(closes_at)s)."),
        "session_window_short": _l(
            "The window is %(window)s minutes long, shorter than the %(minutes)s-minute exam: candidates "
            "could never get their full time."
        ),
        "session_timing": _l("The timing is not valid: %(text)s"),
        "session_opens_past": _l("The window must open in the future (%(opens_at)s has passed)."),
        "session_expiry_unknown": _l("Choose what happens when time runs out."),
        "session_grace_range": _l("With a grace period, enter its length as whole minutes from 1 to %(max)s."),
        "session_per_invigilator": _l(
            "Enter a whole number from 1 to %(max)s: the rule allows at most %(max)s candidates per invigilator."
        ),
        "session_min_per_room": _l(
            "Enter a whole number from %(min)s to 20: the rule asks for at least %(min)s invigilators per room."
        ),
        # what can no longer change, and why
        "session_locked_opened": _l("The window opened at %(opens_at)s: this can no longer change."),
        "session_locked_papers": _l(
            "Papers were generated at %(generated_at)s for this session: this can no longer change."
        ),
        "session_locked_enrolled": _l(
            "%(count)s candidates are enrolled for this occupation and level: this can no longer change."
        ),
        "session_room_in_use": _l(
            "The room %(room)s still has candidates or invigilators; move them elsewhere before removing it."
        ),
        "session_check_in_not_yet": _l(
            "Check-in and start authorisation open at %(at)s (the exam window opens at %(opens_at)s); please wait "
            "until then."
        ),
        "session_finished": _l("The session closed at %(closes_at)s; nothing more can change in it."),
        # invigilators
        "session_not_invigilator": _l("Choose a person of your body who holds the invigilator role."),
        "session_invigilator_here": _l("%(name)s already invigilates %(room)s."),
        "session_invigilator_elsewhere": _l(
            "%(name)s already invigilates %(room)s in this session; remove them there first."
        ),
        "session_invigilator_unknown": _l("This person does not invigilate this room."),
        "session_invigilator_removal_short": _l(
            "%(room)s is running with %(have)s invigilators and needs %(needed)s: assign the replacement first, "
            "then remove this invigilator."
        ),
        # enrolment
        "session_enrol_opened": _l("The window opened at %(opens_at)s: candidates can no longer be enrolled."),
        "session_room_not_in_session": _l("Choose one of the session's rooms."),
        "session_seats_short": _l(
            "Not enough seats: %(needed)s candidates need seats but only %(free)s are free; %(missing)s seats "
            "are missing. Add a room to the session or choose fewer candidates."
        ),
        "session_nothing_chosen": _l("Choose at least one application."),
        "session_no_applications": _l("No approved application is waiting for this session."),
        "session_application_unknown": _l("Application #%(id)s is not one of your body's applications."),
        "session_application_not_approved": _l("The application of %(name)s (#%(id)s) is not approved."),
        "session_application_mismatch": _l(
            "The application of %(name)s (#%(id)s) is for another occupation or level than the session."
        ),
        "session_already_enrolled": _l("%(name)s is already enrolled (ticket %(ticket)s)."),
        "session_attempt_started": _l("%(name)s has already started the exam; the seat can no longer change."),
        "session_seat_range": _l("%(room)s has seats 1 to %(seats)s; there is no seat %(seat)s."),
        "session_seat_taken": _l("Seat %(seat)s of %(room)s is taken (ticket %(ticket)s)."),
        # the roster file
        "session_roster_no_header": _l("No header row found: the first row must name the columns 证件号码 and 姓名."),
        "session_roster_missing_column": _l("The required column “%(header)s” is missing."),
        "session_roster_no_rows": _l("The file has a header but no candidates."),
        "session_roster_too_many": _l("At most %(max)s candidates per file; split the list into several files."),
        "session_roster_value_required": _l("This value is required."),
        "session_roster_too_long": _l("At most %(max)s characters; this one has %(length)s."),
        "session_roster_duplicate": _l("The same ID number is already listed in row %(first_row)s."),
        "session_roster_unknown": _l("No person of your body has the ID number %(id)s; register them first."),
        "session_roster_name_differs": _l("The name %(name)s differs from the registered name %(registered)s."),
        "session_roster_enrolled": _l("%(name)s is already enrolled (ticket %(ticket)s)."),
        # accommodation
        "session_accommodation_started": _l(
            "%(name)s has already started the exam; the accommodation can no longer change."
        ),
        "session_multiplier_range": _l("Enter a time multiplier from 1 to %(max)s with at most two decimals."),
        "session_minutes_range": _l("Enter a whole number from 0 to %(max)s."),
        "session_break_minutes_needed": _l("Say how long each break may last."),
        "session_breaks_needed": _l("Break minutes need at least one break."),
        "session_note_long": _l("At most %(max)s characters; this note has %(length)s."),
        # papers
        "session_papers_opened": _l("The window opened at %(opens_at)s: papers can no longer be generated."),
        "session_papers_no_candidates": _l("No candidates are enrolled yet: enrol them before generating papers."),
        "session_staffing_short": _l(
            "%(room)s has %(has)s invigilators for %(candidates)s candidates but needs %(needs)s."
        ),
        "session_seed_long": _l("The seed may have at most %(max)s characters."),
        "session_run_unknown": _l("Choose an assembly run of the session's blueprint."),
        "session_run_used": _l("This run is already used for “%(label)s”."),
        "session_run_forms": _l("This run has %(forms)s forms; at least %(min)s are needed."),
    }
)
