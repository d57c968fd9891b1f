"""Messages for the recusal problem codes (the engine's own reasons are rendered by certify.recusal.texts)."""

from flask_babel import lazy_gettext as _l

from certify.core.errors import register_messages

register_messages(
    {
        "recusal_blocked": _l("This action is blocked by the recusal rules (%(count)d reason(s) below)."),
        "relation_same_person": _l("A relation needs two different people."),
        "relation_duplicate": _l("This relation is already recorded for an overlapping period."),
        "relation_ends_before_start": _l("The end date is before the start date."),
        "person_unknown": _l("No person with id %(ids)s."),
        "reason_required": _l("Give a reason."),
        "override_requires_supervisor": _l("Only a supervisor may request or approve an override."),
        "override_self": _l("A person concerned by the conflict can never request or approve its override."),
        "override_reason_missing": _l("An override needs a reason of at least %(min)d character(s)."),
        "override_already_approved": _l("You have already approved this override."),
        "override_revoked": _l("This override has been revoked."),
        "override_not_needed": _l("There is no conflict to override: the engine allows this person to act."),
        "override_not_possible": _l("These conflicts cannot be overridden (e.g. acting on oneself)."),
        "override_expired": _l("This override has expired (or would expire before it starts)."),
        "conflict_already_decided": _l("This potential conflict has already been decided."),
        "declaration_contradictory": _l("Either declare “none known” or list conflicts, not both."),
        "declaration_empty": _l("Declare “none known” or describe at least one conflict."),
        "declaration_required": _l("%(name)s has not declared conflicts for this session yet."),
        "site_not_of_body": _l("The site does not belong to your body."),
        "draw_no_candidates": _l("Choose at least one candidate."),
        "draw_no_pool": _l("Choose the pool of staff to draw from."),
        "redraw_reason_required": _l(
            "This session already has draw #%(id)s: drawing again needs a reason, recorded with the new draw."
        ),
        "draw_bad_seed": _l("The seed is a whole number from 0 to %(max)d."),
        "roster_invalid": _l("The roster was not imported: fix the rows listed below and upload it again."),
        "class_needs_trainer": _l("A training class needs at least one trainer."),
        "class_needs_trainee": _l("A training class needs at least one trainee."),
        "class_trainer_is_trainee": _l("Nobody can be trainer and trainee of the same class."),
        "class_name_taken": _l("This institution already has a class called %(name)s."),
        "roster_name_mismatch": _l("This ID number is registered under the name %(registered)s, not %(name)s."),
        "occupation_not_found": _l("No occupation with code %(code)s."),
    }
)
