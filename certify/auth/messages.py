"""Messages for the account problem codes."""

from flask_babel import lazy_gettext as _l

from certify.core.errors import register_messages

register_messages(
    {
        "password_too_short": _l("The password must have at least 10 characters."),
        "password_is_username": _l("The password must not be the username."),
        "password_current_wrong": _l("The current password is not correct."),
        "username_taken": _l("The username %(username)s is already taken."),
        "username_invalid": _l(
            "A username has 3–64 characters: lower-case letters, digits, dots, hyphens and underscores."
        ),
        "role_unknown": _l("Unknown role %(role)s."),
        "roles_missing": _l("Choose at least one role."),
        "cannot_disable_self": _l("You cannot disable your own account."),
    }
)
