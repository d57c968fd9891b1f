"""The statistics pages: upload a sitting's results, the sitting's figures, an item's history with its chart."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import sqlalchemy as sa

from certify.auth.models import Role
from certify.bank.models import ItemFlag, SessionStatistics
from certify.bank.statistics_ops import record_session_statistics
from certify.core.db import db
from certify.supervision.models import AuditEntry
from tests.bank.test_statistics import MARKS, NAMES, make_paper, matrix, responses
from tests.factories import login, make_user, post_form

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}


def _csv(rows, header=NAMES) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    if header:
        writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def _upload(client, paper_id, files: dict, label="2026-06 理论"):
    data = {"label": label}
    for field, (content, name) in files.items():
        data[field] = (io.BytesIO(content), name)
    url = f"/bank/papers/{paper_id}/results"
    return post_form(client, url, data, page=url, headers=EN, content_type="multipart/form-data")


def _count(model) -> int:
    return db.session.execute(sa.select(sa.func.count(model.id))).scalar_one()


def test_a_reviewer_uploads_a_csv_and_sees_the_sittings_figures(app, client):
    pw = make_paper()
    login(client, "reviewer1")
    page = client.get(f"/bank/papers/{pw.paper.id}/results", headers=EN).get_data(as_text=True)
    assert "8 columns" in page
    response = _upload(client, pw.paper.id, {"marks": (_csv(MARKS), "marks.csv")})
    assert response.status_code == 302, response.get_data(as_text=True)
    session = db.session.execute(sa.select(SessionStatistics)).scalar_one()
    assert response.headers["Location"].endswith(f"/bank/sessions/{session.id}")
    page = client.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert "2026-06 理论" in page and "Coefficient of internal consistency" in page
    assert "<dt>Scored items</dt><dd>8</dd>" in page
    assert "49.69" in page  # CIC (alpha) of this matrix, as a percentage
    assert "facility 1.0 is above 0.9" in page and "facility 0.0833 is below 0.2" in page
    assert _count(ItemFlag) == 3
    entry = db.session.execute(
        sa.select(AuditEntry).where(AuditEntry.action == "bank.session_statistics_recorded")
    ).scalar_one()
    assert json.loads(entry.after)["marks_file"] == "marks.csv"


def test_a_wrong_column_count_is_refused_naming_the_file_and_stores_nothing(app, client):
    pw = make_paper()
    login(client, "reviewer1")
    response = _upload(client, pw.paper.id, {"marks": (_csv([r[:7] for r in MARKS], NAMES[:7]), "short.csv")})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Marks file short.csv: 7 item columns" in page and "has 8 scored items" in page
    assert _count(SessionStatistics) == 0 and _count(ItemFlag) == 0


def test_bad_cells_are_refused_with_their_line_and_column(app, client):
    pw = make_paper()
    login(client, "reviewer1")
    rows = [row[:] for row in MARKS]
    rows[1][3] = 5
    rows[4][0] = "x"
    response = _upload(client, pw.paper.id, {"marks": (_csv(rows), "bad.csv")}, label="")
    page = response.get_data(as_text=True)
    assert "Line 3, item G: the mark 5.0 exceeds the item&#39;s maximum 2.0" in page
    assert "Line 6, item E: &#39;x&#39; is not a number" in page
    assert "Give the sitting a label" in page
    assert _count(SessionStatistics) == 0


def test_a_missing_marks_file_and_an_empty_responses_file_are_named(app, client):
    pw = make_paper()
    login(client, "reviewer1")
    page = _upload(client, pw.paper.id, {"responses": (b"", "answers.csv")}).get_data(as_text=True)
    assert "Choose the marks file (CSV or XLSX)." in page and "Responses file answers.csv: the file is empty." in page
    page = _upload(client, pw.paper.id, {"marks": (b"\xff\xfe\x00bad", "m.csv")}).get_data(as_text=True)
    assert "Marks file m.csv: neither UTF-8 nor GBK text" in page
    assert _count(SessionStatistics) == 0


def test_moodles_layout_in_xlsx_with_a_responses_file_adds_the_distractor_analysis(app, client):
    pw = make_paper()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["quizattempt", "sumgrades", *(f"slots.{n}.mark" for n in range(1, 9))])
    for number, row in enumerate(MARKS, start=1):
        sheet.append([1000 + number, sum(row), *row])
    data = io.BytesIO()
    book.save(data)
    login(client, "bankadmin")
    files = {
        "marks": (data.getvalue(), "results.xlsx"),
        "responses": (_csv(responses(), header=[f"Q{n}" for n in range(1, 9)]), "answers.csv"),
    }
    response = _upload(client, pw.paper.id, files)
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert "distractor C attracts more of the upper group" in page


def test_a_bad_responses_file_is_refused_naming_row_and_column(app, client):
    pw = make_paper()
    answers = responses()
    answers[2][1] = "Z"
    login(client, "reviewer1")
    files = {"marks": (_csv(MARKS), "marks.csv"), "responses": (_csv(answers, header=None), "answers.csv")}
    page = _upload(client, pw.paper.id, files).get_data(as_text=True)
    assert "Responses file answers.csv, row 3, column 2: “Z” is not an option of this item (A/B/C/D)" in page
    assert _count(SessionStatistics) == 0


def test_who_may_upload_and_see(app, client):
    pw = make_paper()
    other_reviewer = make_user("otherreviewer", Role.REVIEWER, body=pw.world.outsider.body)
    session = record_session_statistics(pw.paper, "2026-06", matrix())
    db.session.commit()
    login(client, "author1")
    assert client.get(f"/bank/papers/{pw.paper.id}/results").status_code == 403
    assert client.get(f"/bank/sessions/{session.id}").status_code == 200
    other = app.test_client()
    login(other, other_reviewer.username)
    assert other.get(f"/bank/papers/{pw.paper.id}/results").status_code == 404
    assert other.get(f"/bank/sessions/{session.id}").status_code == 404
    assert other.get(f"/bank/questions/{pw.questions['E'].id}/statistics").status_code == 404
    assert other.get("/bank/papers/99999/results").status_code == 404


def test_the_item_page_lists_sittings_in_order_with_the_chart_in_both_languages(app, client):
    pw = make_paper()
    record_session_statistics(pw.paper, "2026-03 第一次", matrix())
    db.session.commit()
    record_session_statistics(pw.paper, "2026-06 第二次", matrix(MARKS + MARKS[:4]))
    db.session.commit()
    make_user("supervisor1", Role.SUPERVISOR, body=pw.world.body)
    login(client, "supervisor1")
    url = f"/bank/questions/{pw.questions['H'].id}/statistics"
    english = client.get(url, headers=EN).get_data(as_text=True)
    assert english.index("2026-03 第一次") < english.index("2026-06 第二次")
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in english and 'role="img"' in english
    assert "almost nobody answers it correctly" in english
    chinese = client.get(url, headers=ZH).get_data(as_text=True)
    assert '<html lang="zh-CN">' in chinese and "<svg" in chinese
    assert "题目过难" in chinese and "2026-06 第二次" in chinese
    latest = db.session.execute(sa.select(SessionStatistics).order_by(SessionStatistics.id.desc())).scalars().first()
    session_page = client.get(f"/bank/sessions/{latest.id}", headers=ZH).get_data(as_text=True)
    assert '<html lang="zh-CN">' in session_page and "题目过易" in session_page


def test_an_item_without_sittings_says_so(app, client):
    pw = make_paper()
    login(client, "author1")
    page = client.get(f"/bank/questions/{pw.questions['G'].id}/statistics", headers=EN).get_data(as_text=True)
    assert "No sitting has been recorded with this question yet." in page and "<svg" not in page
