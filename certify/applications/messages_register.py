"""Messages of self-registration, the certificate photo rule and the bulk candidate import (codes register_*)."""

from flask_babel import lazy_gettext as _l

from certify.core.errors import register_messages

register_messages(
    {
        # the certificate photo rule
        "register_photo_required": _l("Upload a certificate photo."),
        "register_photo_unreadable": _l("The photo cannot be read as an image; upload a JPEG or PNG file."),
        "register_photo_too_small": _l(
            "The photo must be at least %(min_width)s × %(min_height)s pixels; this one is %(width)s × %(height)s."
        ),
        "register_photo_ratio": _l(
            "The photo must have the proportions of a 1-inch photo (width ÷ height between %(low)s and %(high)s); "
            "this one is %(width)s × %(height)s, a ratio of %(ratio)s."
        ),
        "register_photo_background_dark": _l(
            "The background must be plain and light: its lightness is %(lightness)s of 255, at least "
            "%(min_lightness)s is required."
        ),
        "register_photo_background_busy": _l(
            "The background must be plain, one even colour: its colours vary by %(spread)s, at most %(max_spread)s "
            "is allowed."
        ),
        # self-registration
        "register_value_required": _l("This field is required."),
        "register_body_unknown": _l("Choose the certification body to register with."),
        "register_phone_required": _l("Enter a mobile number."),
        "register_phone_format": _l(
            "%(value)s is not a mainland China mobile number: 11 digits starting with 13 to 19, e.g. 13812345678."
        ),
        "register_password_mismatch": _l("The two passwords differ."),
        "register_id_taken": _l(
            "Someone with this document number is already registered. If it is you, sign in; if you have no "
            "account yet, ask the certification body to create one."
        ),
        "register_conflict": _l(
            "Someone registered the same document number or username at the same moment; check the values and "
            "submit again."
        ),
        # the bulk import: the file
        "register_file_empty": _l("The file is empty."),
        "register_file_too_large": _l("The file is larger than %(max_mb)s MB; split it into several files."),
        "register_xls_not_supported": _l(
            "Excel 97–2003 (.xls) files are not supported; save the list as .xlsx or CSV."
        ),
        "register_xlsx_unreadable": _l("The file cannot be read as an Excel (.xlsx) workbook; it may be damaged."),
        "register_encoding_unknown": _l("The CSV file is neither UTF-8 nor GBK text; save it again as “CSV UTF-8”."),
        "register_csv_unreadable": _l("The CSV file cannot be read (%(detail)s)."),
        "register_no_header": _l(
            "No header row found: the first row must name the columns, e.g. 姓名, 证件号码, 手机号码."
        ),
        "register_missing_column": _l("The required column “%(header)s” is missing."),
        "register_duplicate_column": _l("The column “%(header)s” appears more than once; keep only one."),
        "register_no_rows": _l("The file has a header but no candidates."),
        "register_too_many_rows": _l("At most %(max_rows)s candidates per file; split the list into several files."),
        # the bulk import: one row
        "register_too_long": _l("At most %(max)s characters; this one has %(length)s."),
        "register_unknown_id_type": _l(
            "“%(value)s” is not a supported ID type: use 居民身份证, 护照, 港澳居民来往内地通行证, "
            "台湾居民来往大陆通行证 or 外国人永久居留身份证."
        ),
        "register_id_stored_as_number": _l(
            "Excel stored the ID number as a number (%(value)s) and lost its last digits; format the column as text "
            "and type the numbers again."
        ),
        "register_duplicate_in_file": _l("The same person is already listed in row %(first_row)s."),
        "register_already_registered": _l("A person with this document number is already registered."),
        "register_username_invalid": _l(
            "“%(value)s” is not a valid username: 3–64 lower-case letters, digits, dots, hyphens or underscores."
        ),
        "register_username_duplicate": _l("The username %(value)s is already used in row %(first_row)s."),
        "register_username_taken": _l("The username %(value)s is already taken."),
    }
)
