"""Messages for the shared application problem codes (each part registers its own codes in its own module)."""

from flask_babel import lazy_gettext as _l

from certify.core.errors import register_messages

register_messages(
    {
        "panel_reason_required": _l("A vote against needs a reason."),
        "panel_already_voted": _l("You have already voted on this."),
    }
)
