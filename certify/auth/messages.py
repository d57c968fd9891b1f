"""Messages for the account problem codes."""

from flask_babel import lazy_gettext as _l

from certify.core.errors import register_messages

register_messages(
    {
        "password_too_short": _l("The password must have at least 10 characters."),
        "password_is_username": _l("The password must not contain the username."),
        "password_too_common": _l(
            "This password is too easy to guess (a common or patterned password). Choose another."
        ),
        "password_unchanged": _l("The new password must differ from the current one."),
        "cannot_remove_own_admin": _l("You cannot remove your own administrator role."),
        "last_admin": _l("The body must keep at least one active administrator."),
        "role_not_grantable": _l("A body cannot grant the role %(role)s."),
        "account_exists": _l("This person already has a login account."),
        "account_fields_without_account": _l(
            "Tick “Create a login account” to create one, or leave the username, password and roles empty."
        ),
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
