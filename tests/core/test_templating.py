"""Times are shown in the body's time zone, once: 15:59:59 UTC is 23:59:59 in Beijing."""

from __future__ import annotations

from datetime import UTC, datetime

from certify.core.templating import local_time


def test_a_utc_instant_is_shown_once_in_beijing_time(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        shown = local_time(datetime(2026, 12, 5, 15, 59, 59, tzinfo=UTC), "yyyy-MM-dd HH:mm:ss")
    assert shown == "2026-12-05 23:59:59"


def test_the_chinese_format_keeps_the_same_instant(app):
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        shown = local_time(datetime(2026, 12, 5, 15, 59, 59, tzinfo=UTC))
    assert "2026年12月5日" in shown and "23:59:59" in shown
