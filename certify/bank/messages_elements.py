"""Messages for element-table refusals (upload, points still in use, bank-size arguments)."""

from flask_babel import lazy_gettext as _l

from certify.core.errors import register_messages

register_messages(
    {
        "element_table_invalid": _l(
            "The element table was not replaced: the file has %(count)s problem(s), listed below. Nothing was changed."
        ),
        "element_points_in_use": _l(
            "Point %(code)s is used by %(count)s question(s) (draft, in review, active or pretest) but the new table "
            "drops it: keep the point or move those questions first."
        ),
        "element_file_missing": _l("Choose an XLSX file to upload."),
        "element_file_too_large": _l("The file is larger than %(limit)s MB."),
        "element_occupation_not_filed": _l("Your body is not filed for occupation %(code)s."),
        "element_level_invalid": _l("Choose one of the levels listed: %(levels)s."),
        "element_premium_invalid": _l("Premium must be 1 (premium bank: 3×, 300 points) or 0 (2×, 200 points)."),
    }
)
