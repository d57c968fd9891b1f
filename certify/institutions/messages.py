"""Messages for the institutions problem codes (identity checks included)."""

from flask_babel import lazy_gettext as _l

from certify.core.errors import register_messages

register_messages(
    {
        "id_wrong_length": _l("A resident ID number has %(expected)d characters; this one has %(actual)d."),
        "id_not_digits": _l("Characters 1–17 of a resident ID number must all be digits."),
        "id_bad_last_char": _l("The last character of a resident ID number must be a digit or X, not %(char)s."),
        "id_bad_region": _l("The ID number starts with %(region)s, which is not a province code."),
        "id_bad_birth_date": _l("Characters 7–14 (%(digits)s) are not a valid birth date."),
        "id_implausible_birth_date": _l("The birth date %(birth_date)s in the ID number is not plausible."),
        "id_bad_check_digit": _l("The check digit is wrong: it should be %(expected)s, not %(actual)s."),
        "id_missing": _l("Enter the document number."),
        "id_bad_format": _l("This is not a valid number for this type of document."),
        "id_taken": _l("A person with this document number is already registered."),
        "body_code_format": _l("The body code has exactly 4 digits (0000 for a body filed with a province)."),
        "province_code_format": _l("The province code is one of the 2-digit province-level codes, e.g. 11."),
        "body_name_taken": _l("Another body in this province is filed under this name."),
        "site_serial_format": _l("The site serial has exactly 6 digits."),
        "site_serial_taken": _l("Your body already has a site with serial %(serial)s."),
        "room_name_taken": _l("This site already has a room called %(name)s."),
        "seats_positive": _l("A room has at least one seat."),
        "occupation_code_format": _l("An occupation code looks like 4-13-03-02 (optionally with a 2-digit suffix)."),
        "occupation_code_taken": _l("The occupation %(code)s already exists."),
        "direction_taken": _l("This occupation already has the direction %(name)s."),
        "filed_in_future": _l("A filing date cannot be in the future."),
        "already_filed": _l("Your body is already filed for this occupation."),
        "photo_not_image": _l("The photo must be a JPEG or PNG image (the file content is checked, not its name)."),
        "photo_too_large": _l("The photo is larger than %(max_kb)d KB."),
        "photo_too_small": _l("The photo must be at least %(min_w)d × %(min_h)d pixels; this one is %(w)d × %(h)d."),
        "photo_not_portrait": _l("The photo must be upright (portrait): taller than it is wide."),
        "organisation_name_required": _l("Enter the employer's name."),
    }
)
