"""Messages of the marking refusals (codes marking_*), in the user's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from certify.core.errors import register_messages

register_messages(
    {
        "marking_points_required": _l("Enter the mark."),
        "marking_points_invalid": _l("“%(value)s” is not a number: enter a mark such as 7 or 7.5."),
        "marking_points_range": _l("The mark %(value)s is outside 0 to %(max)s, the points of this question."),
        "marking_points_step": _l("The mark %(value)s is not in half points: use steps of 0.5."),
        "marking_reason_required": _l("Give a reason; it is kept on record."),
        "marking_text_too_long": _l("The text has %(length)s characters; at most %(max)s are allowed."),
        "marking_scores_locked": _l(
            "The theory scores of this session are locked: no mark, regrade or re-scoring is accepted."
        ),
        "marking_role_invalid": _l("Choose whether the person marks or adjudicates."),
        "marking_person_unknown": _l("Choose a member of staff of this body."),
        "marking_marker_role_missing": _l("%(name)s is not an assessor or senior assessor and cannot mark."),
        "marking_adjudicator_role_missing": _l(
            "%(name)s is not a senior assessor: only a senior assessor (group leader) adjudicates."
        ),
        "marking_marker_already_assigned": _l("%(name)s is already assigned to mark this session."),
        "marking_adjudicator_taken": _l("%(name)s is already this session's adjudicator; a session has one."),
        "marking_no_hand_marked_items": _l("The papers of this session have no hand-marked questions to mark."),
        "marking_marker_blocked": _l(
            "The recusal rules do not allow this person to mark %(count)s candidate(s) of this session."
        ),
        "marking_not_assigned": _l("You are not assigned to mark this session."),
        "marking_already_signed": _l("You have signed your marks for this session; they can no longer change."),
        "marking_script_not_submitted": _l("This script was not submitted, so it is not marked."),
        "marking_item_not_hand_marked": _l("Question %(position)s of this paper is not a hand-marked question."),
        "marking_answer_blank": _l("Nothing was written for this question; it scores 0 without marking."),
        "marking_not_for_adjudication": _l(
            "This answer does not need adjudication: the markers' marks are not all in, or they agree."
        ),
        "marking_own_marks_only": _l("Only the marker themselves may record or sign their marks."),
        "marking_sitting_not_over": _l(
            "%(count)s candidate(s) may still be sitting or start: wait until every attempt is closed and "
            "the window has ended."
        ),
        "marking_sign_outstanding": _l("%(count)s answer(s) assigned to you have no mark yet."),
        "marking_sign_markers_first": _l(
            "%(count)s marker(s) have not signed yet; the adjudicator signs after every marker."
        ),
        "marking_lock_not_allowed": _l("Only the body's administrator or this session's group leader locks scores."),
        "marking_already_locked": _l("The theory scores of this session are already locked."),
        "marking_lock_outstanding": _l("%(count)s hand-marked answer(s) have no final mark yet."),
        "marking_no_adjudicator": _l(
            "%(count)s answer(s) need adjudication, but the session has no adjudicator: assign a senior assessor."
        ),
        "marking_lock_unsigned": _l("These markers have not signed their marks: %(names)s."),
        "marking_too_few_markers": _l(
            "Hand-marked answers need at least %(minimum)s independent markers; %(count)s assigned."
        ),
        "marking_regrade_paper_unknown": _l("Choose a paper position of this session."),
        "marking_regrade_position_unknown": _l("The paper has no question at position %(position)s."),
        "marking_regrade_version_required": _l("Choose the corrected version."),
        "marking_regrade_no_other_version": _l(
            "No corrected version yet: a reviewer must approve a new version of question #%(question)s first."
        ),
        "marking_regrade_other_question": _l(
            "Version %(number)s is a version of question #%(question)s, but this position holds question #%(expected)s."
        ),
        "marking_regrade_same_version": _l(
            "Version %(number)s of question #%(question)s is the one already used to score this position."
        ),
        "marking_regrade_version_not_approved": _l(
            "Version %(number)s of question #%(question)s was never approved by a reviewer; only an approved "
            "version can score."
        ),
        "marking_regrade_hand_marked": _l(
            "Hand-marked questions are marked by people, not re-scored: choose an objective question."
        ),
        "marking_regrade_diff_changed": _l(
            "The scores have changed since your dry run: check the new differences before applying."
        ),
    }
)
