"""Messages for the question bank's access problem codes (role, pledge, person)."""

from flask_babel import lazy_gettext as _l

from certify.core.errors import register_messages

register_messages(
    {
        "bank_role_missing": _l("Only question authors and reviewers may see question content."),
        "bank_person_missing": _l(
            "Your account is not linked to a person, so the separation of training and examination cannot be "
            "checked; ask an administrator to link it."
        ),
        "bank_pledge_missing": _l(
            "Sign the confidentiality pledge for the %(occupation)s question bank before you see its content."
        ),
        "bank_pledge_name": _l("Type your name exactly as your account shows it: %(expected)s."),
    }
)
