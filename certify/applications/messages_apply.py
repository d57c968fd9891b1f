"""Messages and labels of the application workflow (candidate side and review); codes prefixed `apply_`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from certify.applications.models import ApplicationRoute, ApplicationState, EvidenceKind
from certify.core.errors import Problem, register_messages

register_messages(
    {
        "apply_body_unknown": _l("Choose a certification body."),
        "apply_occupation_not_offered": _l("This body is not filed for the occupation you chose."),
        "apply_direction_required": _l("Choose the direction of %(occupation)s."),
        "apply_direction_not_of_occupation": _l("The direction you chose does not belong to %(occupation)s."),
        "apply_direction_not_applicable": _l("%(occupation)s has no directions; leave the direction empty."),
        "apply_level_appointment": _l(
            "%(level)s is obtained by appointment by an employer-type body, not by application: "
            "see Appointments, or ask your employer."
        ),
        "apply_level_unknown": _l(
            "Choose a certified level, from Grade 5 (junior worker) to Grade 1 (senior technician)."
        ),
        "apply_route_invalid": _l("Choose the route: the standard conditions or beyond normal conditions."),
        "apply_duplicate": _l(
            "You already have an application for this occupation and level at this body (#%(id)d); continue that one."
        ),
        "apply_no_person": _l("Your account is not linked to a person record; ask the body to register you."),
        "apply_not_editable": _l("This application is %(state)s and can no longer be changed."),
        "apply_lapsed": _l("The correction deadline %(deadline)s has passed: the application has lapsed."),
        "apply_pledge_candidate_missing": _l("Tick the candidate's pledge."),
        "apply_pledge_employer_missing": _l("Tick the employer's pledge."),
        "apply_pledge_employer_name_missing": _l("Enter the employer's name."),
        "apply_pledge_signatory_missing": _l("Enter the name of the person signing for the employer."),
        "apply_submit_pledge_missing": _l("Both pledges (candidate and employer) are needed before submitting."),
        "apply_submit_evidence_missing": _l("Upload %(kind)s before submitting."),
        "apply_submit_profile_invalid": _l("The profile has problems; correct them on the profile page first."),
        "apply_submit_banned": _l("You are on the ban list until %(until)s and cannot apply before %(from)s."),
        "apply_submit_check_failed": _l("%(option)s: %(message)s"),
        "apply_submit_not_eligible": _l("No option of the standard is satisfied."),
        "apply_evidence_none": _l("Choose at least one file."),
        "apply_evidence_too_large": _l("%(file)s is larger than %(max_mb)d MB."),
        "apply_evidence_empty": _l("%(file)s is empty."),
        "apply_evidence_not_allowed": _l(
            "%(file)s is neither a JPEG or PNG image nor a PDF (checked by its content, not its name)."
        ),
        "apply_evidence_pdf_unreadable": _l("%(file)s starts like a PDF but no page could be found in it."),
        "apply_evidence_too_many_images": _l(
            "%(count)d images were chosen: up to %(max)d pages may be images; scan more pages into one PDF."
        ),
        "apply_evidence_pdf_alone": _l("A PDF must be uploaded alone, as the only file of a piece of evidence."),
        "apply_evidence_kind_invalid": _l("Choose what the evidence shows."),
        "apply_profile_problem": _l("The profile has a problem at %(path)s."),
        "apply_api_not_utf8": _l("The request body is not UTF-8 text."),
        "apply_api_not_json": _l("The request body is not valid JSON (line %(line)d, column %(column)d: %(error)s)."),
        "apply_api_too_deep": _l("The request body is nested too deeply to be a profile."),
        "apply_api_not_object": _l("The request body must be a JSON object."),
        "apply_api_field_required": _l("%(field)s is required."),
        "apply_api_field_unknown": _l("%(field)s is not a known field (use occupation, level and profile)."),
        "apply_api_occupation_not_text": _l("occupation must be an occupation code such as 4-13-03-02."),
        "apply_api_occupation_unknown": _l("There is no occupation with the code %(code)s."),
        "apply_api_level_invalid": _l("level must be a whole number from 2 to 6 (a certified level)."),
        "apply_api_profile_not_object": _l("profile must be a JSON object."),
        "apply_review_state": _l("Only a submitted application can be decided; this one is %(state)s."),
        "apply_review_exceptional": _l(
            "An application on the exceptional route is approved by an expert panel, not by a single reviewer."
        ),
        "apply_review_no_person": _l("Your account is not linked to a person record, so recusal cannot be checked."),
        "apply_return_twice": _l("This application was already returned once; it may only be approved or rejected."),
        "apply_return_no_problems": _l("List at least one problem for the candidate to correct."),
        "apply_return_problem_text": _l("Problem %(n)d: describe what is wrong."),
        "apply_return_deadline_missing": _l("Enter the correction deadline."),
        "apply_return_deadline_past": _l("The deadline must be after today (%(today)s)."),
        "apply_reject_reason": _l("Give the reason for the rejection."),
    }
)


@dataclass(frozen=True)
class LadderProblem(Problem):
    """A problem carrying a bilingual ladder reason (profile problem, failing check, ban), shown in the
    request's language."""

    reason: Any = None

    def message(self) -> str:
        if self.reason is None:
            return super().message()
        from certify.core.i18n import current_locale

        return self.reason.message(current_locale())


class LocalText:
    """A name known in both languages, rendered in the request's language when a message is formatted."""

    def __init__(self, zh: str, en: str):
        self.zh, self.en = zh, en

    def __str__(self) -> str:
        from certify.core.i18n import current_locale

        return self.zh if current_locale() == "zh_CN" else self.en


STATE_LABELS = {
    ApplicationState.DRAFT: _l("draft"),
    ApplicationState.SUBMITTED: _l("submitted"),
    ApplicationState.RETURNED: _l("returned for correction"),
    ApplicationState.APPROVED: _l("approved"),
    ApplicationState.REJECTED: _l("rejected"),
    ApplicationState.LAPSED: _l("lapsed"),
    ApplicationState.WITHDRAWN: _l("withdrawn"),
}

ROUTE_LABELS = {
    ApplicationRoute.STANDARD: _l("standard conditions"),
    ApplicationRoute.EXCEPTIONAL: _l("beyond normal conditions (exceptional route)"),
}

EVIDENCE_LABELS = {
    EvidenceKind.ID_DOCUMENT: _l("identity document"),
    EvidenceKind.PHOTO: _l("photo"),
    EvidenceKind.CERTIFICATE: _l("prior certificate"),
    EvidenceKind.SOCIAL_INSURANCE: _l("social-insurance record"),
    EvidenceKind.EDUCATION: _l("education certificate"),
    EvidenceKind.TITLE: _l("professional title certificate"),
    EvidenceKind.ACHIEVEMENT: _l("achievement evidence"),
    EvidenceKind.OTHER: _l("other evidence"),
}

EVENT_LABELS = {
    "created": _l("Application created"),
    "profile_saved": _l("Profile saved"),
    "pledges_voided": _l("Pledges withdrawn because the application changed; pledge again before submitting"),
    "evidence_added": _l("Evidence added"),
    "evidence_removed": _l("Evidence removed"),
    "pledged": _l("Pledges recorded"),
    "submitted": _l("Submitted"),
    "resubmitted": _l("Resubmitted after correction"),
    "returned": _l("Returned for correction"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "lapsed": _l("Lapsed: not corrected by the deadline"),
    "withdrawn": _l("Withdrawn"),
    "panel_vote": _l("Panel vote"),
}


def labels() -> dict[str, Any]:
    """Template helpers of the application pages."""
    return {
        "state_label": lambda s: str(STATE_LABELS.get(ApplicationState(s), s)),
        "route_label": lambda r: str(ROUTE_LABELS.get(ApplicationRoute(r), r)),
        "evidence_label": lambda k: str(EVIDENCE_LABELS.get(EvidenceKind(k), k)),
        "event_label": lambda k: str(EVENT_LABELS.get(k, k)),
    }
