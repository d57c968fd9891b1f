"""Messages for recording a sitting's item statistics and for resolving review-queue entries."""

from flask_babel import lazy_gettext as _l

from certify.core.errors import register_messages

register_messages(
    {
        "bank_stats_label_required": _l("Give the sitting a label, e.g. “2026-06 theory session”."),
        "bank_stats_label_too_long": _l("At most %(max)s characters; this one has %(length)s."),
        "bank_stats_file_required": _l("Choose the marks file (CSV or XLSX)."),
        "bank_stats_file_empty": _l("%(file)s: the file is empty."),
        "bank_stats_file_too_large": _l("%(file)s: the file is larger than %(max_mb)s MB."),
        "bank_stats_xls_not_supported": _l(
            "%(file)s: Excel 97–2003 (.xls) files are not supported; save it as .xlsx or CSV."
        ),
        "bank_stats_xlsx_unreadable": _l("%(file)s: cannot be read as an Excel (.xlsx) workbook; it may be damaged."),
        "bank_stats_encoding_unknown": _l("%(file)s: neither UTF-8 nor GBK text; save it again as “CSV UTF-8”."),
        "bank_stats_csv_unreadable": _l("%(file)s: cannot be read as CSV (%(detail)s)."),
        "bank_stats_file_problem": _l("%(file)s: %(detail)s"),
        "bank_stats_column_count": _l(
            "%(file)s: %(found)s item columns, but form %(form)s of this paper has %(expected)s scored items; "
            "give one column per scored item, in position order."
        ),
        "bank_stats_too_few_attempts": _l("%(file)s: %(found)s attempt(s); statistics need at least 2."),
        "bank_stats_row_length": _l("%(file)s, attempt %(attempt)s: %(found)s marks, expected %(expected)s."),
        "bank_stats_mark_out_of_range": _l(
            "%(file)s, attempt %(attempt)s, item %(position)s: the mark %(value)s is not between 0 and %(max)s."
        ),
        "bank_stats_responses_rows": _l(
            "%(file)s: %(found)s rows of answers for %(expected)s attempts (one row per attempt, in the order of "
            "the marks; a header row is optional)."
        ),
        "bank_stats_responses_columns": _l(
            "%(file)s, row %(row)s: %(found)s columns, expected %(expected)s (one per scored item, in position order)."
        ),
        "bank_stats_response_invalid": _l(
            "%(file)s, row %(row)s, column %(column)s: “%(value)s” is not an option of this item (%(options)s)."
        ),
        "bank_stats_more_problems": _l("… and %(count)s more problems."),
        "bank_flag_reviewer_only": _l("Only reviewers may resolve entries of the review queue."),
        "bank_flag_not_open": _l("This entry of the review queue has already been resolved."),
        "bank_flag_resolution_invalid": _l("Choose whether to keep, edit or retire the question."),
        "bank_flag_note_required": _l("Write a note saying why."),
        "bank_flag_note_too_long": _l("At most %(max)s characters; this one has %(length)s."),
    }
)
