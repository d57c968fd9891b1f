"""The application workflow end to end through the pages: apply, upload, pledge, submit; return with problems and a
deadline; correct and resubmit; approve. Also: a second return is refused, and recusal blocks a related reviewer.

The helpers at the top are shared by the other test_apply_* files.
"""

from __future__ import annotations

import html
import io
import json
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from PIL import Image
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from certify.applications import api, queries, views_candidate, views_review
from certify.applications.models import Application, ApplicationEvent, ApplicationState
from certify.auth.models import User
from certify.core.clock import local_date, now_utc
from certify.core.db import db
from certify.core.demo import seed_demo_world
from certify.institutions.models import Occupation, Person
from certify.recusal import operations as recusal_ops
from certify.recusal.models import RecusalCheck
from certify.supervision.models import AuditEntry
from tests.factories import csrf_token, login, post_form

DEMO = "certify-demo"
RESTORER = "4-13-03-02"


def apply_world(app):
    """Register the application blueprints (before the first request) and load the demo world."""
    for blueprint in (views_candidate.bp, views_review.bp, api.bp):
        if blueprint.name not in app.blueprints:
            app.register_blueprint(blueprint)
    seed_demo_world()
    db.session.commit()
    return app


@pytest.fixture
def web(app):
    return apply_world(app)


def user(username: str) -> User:
    return db.session.execute(sa.select(User).where(User.username == username)).scalar_one()


def person(username: str) -> Person:
    return db.session.get(Person, user(username).person_id)


def client_for(app, username: str, lang: str = "en"):
    client = app.test_client()
    assert login(client, username, DEMO).status_code == 302
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
    return client


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def errors(response) -> list[str]:
    return re.findall(r'<ul class="errors".*?</ul>|class="error-summary".*?</div>', text(response), re.S)


def occupation(code: str = RESTORER) -> Occupation:
    return db.session.execute(sa.select(Occupation).where(Occupation.code == code)).scalar_one()


def png(width: int = 40, height: int = 60) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 210, 220)).save(out, format="PNG")
    return out.getvalue()


def pdf(pages: int = 5) -> bytes:
    """A small well-formed PDF with a page tree of `pages` pages."""
    kids = " ".join(f"{3 + i} 0 R" for i in range(pages))
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>"]
    objects += ["<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * pages
    body = b"%PDF-1.4\n"
    for n, obj in enumerate(objects, 1):
        body += f"{n} 0 obj\n{obj}\nendobj\n".encode()
    return body + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"


def create(client, *, level: int = 3, route: str = "standard", direction: str = "陶瓷") -> int:
    occ = occupation()
    direction_id = next(d.id for d in occ.directions if d.name_zh == direction) if direction else ""
    body_id = person("admin").body_id
    response = post_form(
        client,
        "/applications/new",
        {"body_id": body_id, "occupation_id": occ.id, "direction_id": direction_id, "level": level, "route": route},
    )
    assert response.status_code == 302, errors(response)
    return int(re.search(r"/applications/(\d+)/profile", response.headers["Location"]).group(1))


def save_profile(client, app_id: int, fields: dict):
    return post_form(client, f"/applications/{app_id}/profile", fields, page=f"/applications/{app_id}/profile")


WORKED_SINCE_2015 = {
    "work_history-0-employer": "北京示例文物保护中心",
    "work_history-0-start": "2015-07-01",
    "work_history-0-end": "",
    "work_history-0-job": "陶瓷修复",
    "work_history-0-relevant": "y",
}


def upload(client, app_id: int, files: list[tuple[bytes, str]], kind: str = "id_document"):
    token = csrf_token(client, f"/applications/{app_id}")
    fields = MultiDict([("csrf_token", token), ("kind", kind)])
    for content, name in files:
        fields.add("files", FileStorage(io.BytesIO(content), filename=name))
    # Encoded in memory: the test client would spool a large body to a temporary file it never closes.
    boundary, body = encode_multipart(fields)
    content_type = f"multipart/form-data; boundary={boundary}"
    return client.post(f"/applications/{app_id}/evidence", data=body, content_type=content_type)


def pledge(client, app_id: int):
    fields = {
        "candidate_pledge": "y",
        "employer_pledge": "y",
        "employer_name": "北京示例文物保护中心",
        "signatory": "王主任",
    }
    return post_form(client, f"/applications/{app_id}/pledge", fields, page=f"/applications/{app_id}")


def ready_and_submitted(app, username: str = "candidate1") -> tuple[object, int]:
    """A candidate's standard-route application, eligible, with evidence and pledges, submitted."""
    client = client_for(app, username)
    app_id = create(client)
    assert save_profile(client, app_id, WORKED_SINCE_2015).status_code == 302
    assert upload(client, app_id, [(png(), "id-front.png")]).status_code == 302
    assert pledge(client, app_id).status_code == 302
    response = post_form(client, f"/applications/{app_id}/submit", page=f"/applications/{app_id}")
    assert response.status_code == 302, errors(response)
    return client, app_id


def application(app_id: int) -> Application:
    db.session.expire_all()
    return db.session.get(Application, app_id)


def return_it(admin, app_id: int, problems: list[tuple[str, str]], deadline: date):
    fields = {"deadline": deadline.isoformat()}
    for i, (field, problem) in enumerate(problems):
        fields[f"problems-{i}-field"], fields[f"problems-{i}-text"] = field, problem
    return post_form(admin, f"/review/applications/{app_id}/return", fields, page=f"/review/applications/{app_id}")


def local_today() -> date:
    return local_date(now_utc())


# --- the workflow ------------------------------------------------------------------------------------------------


def test_the_whole_workflow_through_the_pages(web):
    candidate = client_for(web, "candidate1")
    assert "You have no applications yet." in text(candidate.get("/applications"))
    app_id = create(candidate)
    page = text(candidate.get(f"/applications/{app_id}/profile"))
    assert "Eligibility verdict" in page and "Not eligible" in page  # nothing entered yet

    assert save_profile(candidate, app_id, WORKED_SINCE_2015).status_code == 302
    page = text(candidate.get(f"/applications/{app_id}"))
    assert "Eligible" in page and "Satisfied option: 5 years of work in the occupation or a related one" in page

    response = upload(candidate, app_id, [(png(), "front.png"), (png(), "back.png")])
    assert response.status_code == 302, errors(response)
    assert pledge(candidate, app_id).status_code == 302
    row = application(app_id)
    assert row.candidate_pledged_at and row.employer_pledged_at and row.candidate_pledge_ip == "127.0.0.1"
    assert (row.employer_pledge_name, row.employer_pledge_signatory) == ("北京示例文物保护中心", "王主任")

    response = post_form(candidate, f"/applications/{app_id}/submit", page=f"/applications/{app_id}")
    assert response.status_code == 302, errors(response)
    row = application(app_id)
    assert row.state == ApplicationState.SUBMITTED and json.loads(row.verdict)["en"]["eligible"] is True

    admin = client_for(web, "admin")
    queue = text(admin.get("/review/applications"))
    assert "张三丰" in queue and f"/review/applications/{app_id}" in queue
    review = text(admin.get(f"/review/applications/{app_id}"))
    assert "front.png" in review and "北京示例文物保护中心" in review
    evidence_id = row.evidence[0].id
    download = admin.get(f"/review/applications/{app_id}/evidence/{evidence_id}")
    assert download.status_code == 200 and download.mimetype == "image/png"

    deadline = local_today() + timedelta(days=7)
    problems = [("Work history", "Add the social-insurance record for 2015–2018."), ("Photo", "The photo is blurred.")]
    response = return_it(admin, app_id, problems, deadline)
    assert response.status_code == 302, errors(response)
    assert application(app_id).state == ApplicationState.RETURNED

    page = text(candidate.get(f"/applications/{app_id}"))
    assert "Your application was returned for correction" in page
    assert "Add the social-insurance record for 2015–2018." in page and "The photo is blurred." in page
    assert f"Correct by {deadline.isoformat()} (end of day)." in page

    corrected = {**WORKED_SINCE_2015, "work_history-0-start": "2014-07-01"}
    assert save_profile(candidate, app_id, corrected).status_code == 302
    assert upload(candidate, app_id, [(pdf(6), "social-insurance.pdf")], "social_insurance").status_code == 302
    # The pledges vouched for the content as it stood: after the corrections both sides pledge again.
    response = post_form(candidate, f"/applications/{app_id}/submit", page=f"/applications/{app_id}")
    assert response.status_code == 400 and application(app_id).state == ApplicationState.RETURNED
    assert pledge(candidate, app_id).status_code == 302
    response = post_form(candidate, f"/applications/{app_id}/submit", page=f"/applications/{app_id}")
    assert response.status_code == 302 and application(app_id).state == ApplicationState.SUBMITTED
    assert "Your corrected application has been submitted again." in text(candidate.get(f"/applications/{app_id}"))

    response = post_form(admin, f"/review/applications/{app_id}/approve", page=f"/review/applications/{app_id}")
    assert response.status_code == 302
    row = application(app_id)
    assert row.state == ApplicationState.APPROVED and row.decided_by_id == user("admin").id
    assert queries.approved_application(person("candidate1").id, row.occupation_id, 3).id == app_id

    kinds = [e.kind for e in row.events]
    for kind in (
        "created",
        "profile_saved",
        "evidence_added",
        "pledged",
        "submitted",
        "returned",
        "pledges_voided",
        "resubmitted",
    ):
        assert kind in kinds
    assert kinds[-1] == "approved"
    actions = set(db.session.execute(sa.select(AuditEntry.action).where(AuditEntry.object_id == str(app_id))).scalars())
    assert {
        "applications.created",
        "applications.returned",
        "applications.resubmitted",
        "applications.approved",
    } <= actions
    page = text(candidate.get(f"/applications/{app_id}"))
    assert "Approved: you may be enrolled" in page and "Resubmitted after correction" in page


def test_the_pages_speak_chinese(web):
    _, app_id = ready_and_submitted(web)
    candidate = client_for(web, "candidate1", lang="zh-CN")
    page = text(candidate.get(f"/applications/{app_id}"))
    # the level and the verdict (stored at submission in both languages) in Chinese
    assert "四级/中级工" in page and "累计从事本职业或相关职业工作满5年" in page
    english = text(client_for(web, "candidate1").get(f"/applications/{app_id}"))
    assert "Grade 4 / Intermediate worker" in english and "5 years of work in the occupation" in english


def test_a_second_return_is_refused(web):
    candidate, app_id = ready_and_submitted(web)
    admin = client_for(web, "admin")
    deadline = local_today() + timedelta(days=7)
    assert return_it(admin, app_id, [("Photo", "Blurred.")], deadline).status_code == 302
    assert post_form(candidate, f"/applications/{app_id}/submit", page=f"/applications/{app_id}").status_code == 302
    before = db.session.execute(sa.select(sa.func.count()).select_from(ApplicationEvent)).scalar_one()
    response = return_it(admin, app_id, [("Photo", "Still blurred.")], deadline)
    assert response.status_code == 400
    assert "This application was already returned once; it may only be approved or rejected." in text(response)
    assert application(app_id).state == ApplicationState.SUBMITTED
    assert db.session.execute(sa.select(sa.func.count()).select_from(ApplicationEvent)).scalar_one() == before


@pytest.mark.parametrize(
    ("problems", "deadline", "message"),
    [
        ([], 7, "List at least one problem for the candidate to correct."),
        ([("Photo", "")], 7, "Problem 1: describe what is wrong."),
        ([("Photo", "Blurred.")], 0, "The deadline must be after today"),
        ([("Photo", "Blurred.")], None, "Enter the correction deadline."),
    ],
)
def test_a_return_needs_problems_and_a_future_deadline(web, problems, deadline, message):
    _, app_id = ready_and_submitted(web)
    admin = client_for(web, "admin")
    day = local_today() + timedelta(days=deadline) if deadline is not None else None
    fields = {"deadline": day.isoformat() if day else ""}
    for i, (field, problem) in enumerate(problems):
        fields[f"problems-{i}-field"], fields[f"problems-{i}-text"] = field, problem
    response = post_form(admin, f"/review/applications/{app_id}/return", fields)
    assert response.status_code == 400 and message in text(response)
    assert application(app_id).state == ApplicationState.SUBMITTED


def test_reject_needs_a_reason_and_is_shown_to_the_candidate(web):
    candidate, app_id = ready_and_submitted(web)
    admin = client_for(web, "admin")
    response = post_form(admin, f"/review/applications/{app_id}/reject", {"reason": "  "})
    assert response.status_code == 400 and "Give the reason for the rejection." in text(response)
    response = post_form(admin, f"/review/applications/{app_id}/reject", {"reason": "Forged certificate."})
    assert response.status_code == 302 and application(app_id).state == ApplicationState.REJECTED
    assert "Reason: Forged certificate." in text(candidate.get(f"/applications/{app_id}"))


def test_a_supervisor_reads_but_cannot_decide(web):
    _, app_id = ready_and_submitted(web)
    supervisor = client_for(web, "supervisor")
    page = text(supervisor.get(f"/review/applications/{app_id}"))
    assert "张三丰" in page and "Approve" not in page
    response = post_form(supervisor, f"/review/applications/{app_id}/approve")
    assert response.status_code == 403 and application(app_id).state == ApplicationState.SUBMITTED


def test_a_related_reviewer_is_blocked_with_the_reason_shown(web):
    _, app_id = ready_and_submitted(web)
    recusal_ops.add_relation("relative", person("admin").id, person("candidate1").id, evidence={"note": "cousins"})
    db.session.commit()
    checks = db.session.execute(sa.select(sa.func.count()).select_from(RecusalCheck)).scalar_one()
    admin = client_for(web, "admin")
    response = post_form(admin, f"/review/applications/{app_id}/approve", page=f"/review/applications/{app_id}")
    assert response.status_code == 403
    page = text(response)
    assert "You may not review this candidate's application (recusal):" in page
    assert "relative" in page.lower()
    assert application(app_id).state == ApplicationState.SUBMITTED
    db.session.expire_all()
    assert db.session.execute(sa.select(sa.func.count()).select_from(RecusalCheck)).scalar_one() == checks + 1


def test_the_exceptional_route_is_submitted_regardless_and_left_to_a_panel(web):
    candidate = client_for(web, "candidate2")
    app_id = create(candidate, level=5, route="exceptional")
    assert upload(candidate, app_id, [(png(), "id.png")]).status_code == 302
    assert upload(candidate, app_id, [(pdf(4), "award.pdf")], "achievement").status_code == 302
    assert pledge(candidate, app_id).status_code == 302
    response = post_form(candidate, f"/applications/{app_id}/submit", page=f"/applications/{app_id}")
    assert response.status_code == 302, errors(response)
    row = application(app_id)
    assert row.state == ApplicationState.SUBMITTED and json.loads(row.verdict)["en"]["eligible"] is False
    admin = client_for(web, "admin")
    assert "an expert panel of at least three" in text(admin.get(f"/review/applications/{app_id}"))
    response = post_form(admin, f"/review/applications/{app_id}/approve")
    assert response.status_code == 302 and application(app_id).state == ApplicationState.SUBMITTED
    assert "approved by an expert panel" in text(admin.get(f"/review/applications/{app_id}"))
