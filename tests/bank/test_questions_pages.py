"""The question pages as a user meets them: writing through the form, seeing content only through the gate."""

from __future__ import annotations

import io
import re

import sqlalchemy as sa
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from certify.auth.models import Role
from certify.bank import questions_ops
from certify.bank.models import BankQuestion, QuestionVersion, VersionState
from certify.core.db import db
from certify.supervision.models import AuditEntry
from question_bank.model import Question
from tests.bank.test_questions_ops import choice, png
from tests.bank.world import LEVEL, OCCUPATION, bank_world
from tests.factories import csrf_token, login, make_user, post_form

NEW = f"/bank/questions/new?occupation={OCCUPATION}&level={LEVEL}"
FORM = {
    "level": str(LEVEL),
    "qtype": "multiple_choice",
    "stem": "陶瓷修复常用的粘接材料有哪些？",
    "options": "A. 环氧树脂\nB. 石膏\nC. 丙烯酸树脂\nD. 水泥",
    "answer": "A,C",
    "points": "2",
    "difficulty": "3",
    "point_code": "B-A-002",
    "explanation": "石膏与水泥不可逆。",
    "ignore_case": "y",
    "ignore_width": "y",
}


def as_user(client, username: str, lang: str = "en"):
    """Sign in with the browser asking for `lang` on every request."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
    login(client, username)


def count(action: str) -> int:
    return db.session.execute(sa.select(sa.func.count()).where(AuditEntry.action == action)).scalar_one()


def field_errors(html: str, field: str) -> str:
    """The error list the page shows under one field."""
    match = re.search(rf'<ul class="errors" id="{field}-error">(.*?)</ul>', html, flags=re.S)
    return match.group(1) if match else ""


def stored(w, **changes) -> BankQuestion:
    bank_question = questions_ops.create_question(w.body, w.occupation, LEVEL, choice(**changes), w.author)
    db.session.commit()
    return bank_question


def test_the_home_page_shows_counts_pledges_and_links(client):
    w = bank_world()
    stored(w)
    as_user(client, "author1")
    page = client.get("/bank")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert OCCUPATION in html and "Senior worker" in html
    assert f"/bank/questions/new?occupation={OCCUPATION}&amp;level={LEVEL}" in html
    assert "Confidentiality pledge signed" in html


def test_an_author_writes_a_question_through_the_form(client):
    bank_world()
    as_user(client, "author1")
    assert client.get(NEW).status_code == 200
    response = post_form(client, NEW, FORM)
    assert response.status_code == 302
    version = db.session.execute(sa.select(QuestionVersion)).scalar_one()
    assert response.headers["Location"].endswith(f"/bank/questions/{version.question_id}")
    question = version.to_question()
    assert question.options == ("环氧树脂", "石膏", "丙烯酸树脂", "水泥")
    assert question.answer == ("A", "C") and question.point_code == "B-A-002" and question.difficulty == 3
    assert version.state == VersionState.DRAFT and version.created_by.username == "author1"
    assert count("bank.question_created") == 1


def test_fill_in_and_true_false_come_from_their_own_fields(client):
    bank_world()
    as_user(client, "author1")
    fill = {**FORM, "qtype": "fill_in", "options": "", "answer": "", "blanks": "乙醇 | 酒精\n丙酮\n", "ignore_case": ""}
    assert post_form(client, NEW, fill).status_code == 302
    truth = {**FORM, "qtype": "true_false", "options": "", "answer": "对", "stem": "修复须可逆。"}
    assert post_form(client, NEW, truth).status_code == 302
    versions = db.session.execute(sa.select(QuestionVersion).order_by(QuestionVersion.id)).scalars().all()
    blanks = versions[0].to_question().blanks
    assert [[a.text for a in b.accepts] for b in blanks] == [["乙醇", "酒精"], ["丙酮"]]
    assert blanks[0].ignore_case is False and blanks[0].ignore_width is True
    assert versions[1].to_question().answer == ("true",)


def test_bad_input_is_refused_at_its_field_and_nothing_is_saved(client):
    bank_world()
    as_user(client, "author1")
    bad = {
        **FORM,
        "stem": " ",
        "answer": "AE",
        "difficulty": "9",
        "point_code": "Z-Z-999",
        "image": (io.BytesIO(b"MZ\x90\x00 not a picture"), "setup.exe"),
    }
    response = post_form(client, NEW, bad, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The question text is empty" in field_errors(html, "stem")
    assert "Answer E refers to an option that does not exist" in field_errors(html, "answer")
    assert "Difficulty 9 must be a whole number from 1 to 5" in field_errors(html, "difficulty")
    assert "Z-Z-999 is not a point" in field_errors(html, "point_code")
    assert "setup.exe is not a PNG, JPEG, GIF or WebP image" in field_errors(html, "image")
    points = post_form(client, NEW, {**FORM, "points": "two"})
    assert points.status_code == 400 and "two is not" in field_errors(points.get_data(as_text=True), "points")
    assert db.session.execute(sa.select(sa.func.count()).select_from(BankQuestion)).scalar_one() == 0


def test_the_form_speaks_chinese(client):
    bank_world()
    as_user(client, "author1", lang="zh-CN,zh;q=0.9")
    home = client.get("/bank").get_data(as_text=True)
    assert 'lang="zh-CN"' in home and "高级工" in home
    response = post_form(client, NEW, {**FORM, "stem": "", "difficulty": "9"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "题干为空" in field_errors(html, "stem") and "难度“9”必须为 1 到 5 的整数" in html


def test_every_view_of_content_is_audited(client):
    w = bank_world()
    bank_question = stored(w)
    as_user(client, "reviewer1")
    url = f"/bank/questions/{bank_question.id}"
    for _ in range(2):
        page = client.get(url)
        assert page.status_code == 200 and "修复陶瓷器时首选的粘接剂是？" in page.get_data(as_text=True)
    entries = db.session.execute(sa.select(AuditEntry).where(AuditEntry.action == "bank.question_viewed")).scalars()
    assert [(e.object_id, e.actor_id) for e in entries] == [(str(bank_question.id), w.reviewer.id)] * 2
    listed = client.get(f"/bank/questions?occupation={OCCUPATION}&q=粘接剂")
    assert listed.status_code == 200 and "修复陶瓷器时首选的粘接剂是？" in listed.get_data(as_text=True)
    assert count("bank.questions_listed") == 1
    empty = client.get(f"/bank/questions?occupation={OCCUPATION}&q=不存在的词&state=active")
    assert "No questions match." in empty.get_data(as_text=True)


def test_images_are_served_only_through_the_gate(client):
    w = bank_world()
    bank_question = questions_ops.create_question(
        w.body, w.occupation, LEVEL, choice(images=("kiln.png",)), w.author, images={"kiln.png": png()}
    )
    db.session.commit()
    asset_id = bank_question.latest.assets[0].asset_id
    as_user(client, "author1")
    page = client.get(f"/bank/questions/{bank_question.id}").get_data(as_text=True)
    assert f'src="/bank/assets/{asset_id}"' in page
    image = client.get(f"/bank/assets/{asset_id}")
    assert image.status_code == 200 and image.mimetype == "image/png" and image.data == png()
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    assert image.headers["Cache-Control"] == "private, no-store"
    assert count("bank.asset_viewed") == 1
    post_form(client, "/logout")
    other = make_user("author9", Role.AUTHOR, body=w.body)
    as_user(client, other.username)
    assert client.get(f"/bank/assets/{asset_id}").status_code == 302  # no pledge yet


def test_the_trainer_is_refused_with_the_reason_and_the_attempt_is_recorded(client):
    w = bank_world()
    bank_question = stored(w)
    as_user(client, "trainauthor")
    page = client.get(f"/bank/questions/{bank_question.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 403
    assert "修复陶瓷器" not in html and "attempt has been recorded" in html
    assert re.search(r"<li>[^<]*train", html), html  # the recusal reason names the training relation
    assert count("recusal.blocked") == 1 and count("bank.question_viewed") == 0
    assert client.get(f"/bank/questions?occupation={OCCUPATION}").status_code == 403
    assert post_form(client, NEW, FORM).status_code == 403
    assert count("recusal.blocked") == 3
    assert db.session.execute(sa.select(sa.func.count()).select_from(BankQuestion)).scalar_one() == 1


def test_a_missing_pledge_leads_to_the_pledge_page_and_signing_lets_them_in(client):
    w = bank_world()
    bank_question = stored(w)
    make_user("author2", Role.AUTHOR, body=w.body)
    as_user(client, "author2")
    url = f"/bank/questions/{bank_question.id}"
    first = client.get(url)
    assert first.status_code == 302 and f"/bank/pledge/{OCCUPATION}" in first.headers["Location"]
    pledge_url = first.headers["Location"]
    page = client.get(pledge_url).get_data(as_text=True)
    assert "keep every question" in page
    wrong = post_form(client, pledge_url, {"signed_name": "Somebody Else"})
    assert wrong.status_code == 400 and "Author2" in wrong.get_data(as_text=True)
    signed = post_form(client, pledge_url, {"signed_name": "Author2"})
    assert signed.status_code == 302 and signed.headers["Location"].endswith(url)
    assert client.get(url).status_code == 200
    assert count("bank.pledge_signed") == 3 * 2 + 1  # the world's three signers for two banks each, then author2


def test_other_bodies_and_supervisors(client):
    w = bank_world()
    bank_question = stored(w)
    as_user(client, "outsider")
    assert client.get(f"/bank/questions/{bank_question.id}").status_code == 404
    assert client.get(f"/bank/questions/{bank_question.id}/edit").status_code == 404
    assert client.get(f"/bank/questions?occupation={OCCUPATION}").status_code == 404
    post_form(client, "/logout")
    make_user("super1", Role.SUPERVISOR, body=w.body)
    as_user(client, "super1")
    home = client.get("/bank")
    html = home.get_data(as_text=True)
    assert home.status_code == 200 and OCCUPATION in html and "修复陶瓷器" not in html
    assert re.search(r"<td>1</td>", html)  # the draft is counted
    assert client.get(f"/bank/questions/{bank_question.id}").status_code == 403
    assert client.get(f"/bank/questions?occupation={OCCUPATION}").status_code == 403


def test_editing_through_the_form_adds_a_version_and_shows_the_difference(client):
    w = bank_world()
    bank_question = stored(w)
    as_user(client, "author1")
    url = f"/bank/questions/{bank_question.id}/edit"
    form = client.get(url).get_data(as_text=True)
    assert "修复陶瓷器时首选的粘接剂是？" in form and count("bank.question_edit_opened") == 1
    same = {**FORM, "qtype": "single_choice", "stem": "修复陶瓷器时首选的粘接剂是？"}
    same.update(
        options="环氧树脂\n502 胶\n白乳胶\n石膏", answer="A", point_code="B-A-001", explanation=choice().explanation
    )
    unchanged = post_form(client, url, same)
    assert unchanged.status_code == 400 and "Nothing changed" in unchanged.get_data(as_text=True)
    changed = post_form(client, url, {**same, "stem": "修复陶瓷器首选哪种粘接剂？", "note": "措辞"})
    assert changed.status_code == 302
    db.session.expire_all()
    assert [v.number for v in bank_question.versions] == [1, 2]
    diff = client.get(f"/bank/questions/{bank_question.id}?compare=1").get_data(as_text=True)
    assert "<del>-" in diff and "修复陶瓷器时首选的粘接剂是？" in diff and "<ins>+" in diff


def test_review_through_the_pages(client):
    w = bank_world()
    bank_question = stored(w)
    version = bank_question.latest
    as_user(client, "author1")
    assert post_form(client, f"/bank/versions/{version.id}/submit").status_code == 302
    assert client.get(f"/bank/versions/{version.id}/review").status_code == 403  # authors do not review
    post_form(client, "/logout")

    as_user(client, "reviewer1")
    queue = client.get("/bank/review").get_data(as_text=True)
    assert f"/bank/versions/{version.id}/review" in queue
    review = f"/bank/versions/{version.id}/review"
    page = client.get(review)
    assert page.status_code == 200 and "修复陶瓷器时首选的粘接剂是？" in page.get_data(as_text=True)
    returned = post_form(client, review, {"decision": "return", "comment": ""})
    assert returned.status_code == 400
    assert "a comment is required" in field_errors(returned.get_data(as_text=True), "comment")
    assert post_form(client, review, {"decision": "approve", "comment": "好"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(QuestionVersion, version.id).state == VersionState.ACTIVE
    retire = post_form(client, f"/bank/versions/{version.id}/retire", {"reason": ""}, follow_redirects=True)
    assert "Give the reason for retiring" in retire.get_data(as_text=True)
    post_form(client, f"/bank/versions/{version.id}/retire", {"reason": "标准修订"})
    db.session.expire_all()
    assert db.session.get(QuestionVersion, version.id).state == VersionState.RETIRED


def test_a_reviewer_cannot_approve_their_own_version_on_the_page(client):
    w = bank_world()
    bank_question = questions_ops.create_question(w.body, w.occupation, LEVEL, choice(), w.reviewer)
    from certify.bank import lifecycle

    lifecycle.submit_version(bank_question.latest, w.reviewer)
    db.session.commit()
    as_user(client, "reviewer1")
    assert "No versions are waiting for your review." in client.get("/bank/review").get_data(as_text=True)
    review = f"/bank/versions/{bank_question.latest.id}/review"
    response = post_form(client, review, {"decision": "approve"})
    assert response.status_code == 400 and "four-eyes principle" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(QuestionVersion, bank_question.latest.id).state == VersionState.IN_REVIEW


def test_approval_without_point_or_difficulty_is_refused_on_the_page(client):
    w = bank_world()
    q = Question(qtype="essay", stem="论述文物修复的可逆性原则。", marking_scheme="要点……", points=10)
    bank_question = questions_ops.create_question(w.body, w.occupation, LEVEL, q, w.author)
    from certify.bank import lifecycle

    lifecycle.submit_version(bank_question.latest, w.author)
    db.session.commit()
    as_user(client, "reviewer1")
    response = post_form(client, f"/bank/versions/{bank_question.latest.id}/review", {"decision": "approve_pretest"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "has no assessment point" in html and "has no difficulty" in html


def test_garbage_input_is_answered_with_the_form_not_an_error(client):
    bank_world()
    as_user(client, "author1")
    garbage = {**FORM, "level": "99", "qtype": "matching", "difficulty": "hard", "points": "1e999"}
    response = post_form(client, NEW, garbage)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert field_errors(html, "level") and field_errors(html, "qtype") and field_errors(html, "difficulty")
    assert "1E+999 is not" in field_errors(html, "points")
    # encoded here in memory: the test client would spool a body this large to a file it never closes
    huge = FileStorage(io.BytesIO(png() + b"\0" * (2 * 1024 * 1024)), "huge.png", content_type="image/png")
    boundary, body = encode_multipart({**FORM, "image": huge, "csrf_token": csrf_token(client, "/")})
    response = client.post(NEW, data=body, content_type=f'multipart/form-data; boundary="{boundary}"')
    assert response.status_code == 400
    assert "huge.png is larger than 2 MB" in field_errors(response.get_data(as_text=True), "image")
    assert client.get("/bank/questions?occupation=9-99-99-99").status_code == 404
    assert client.get(f"/bank/questions?occupation={OCCUPATION}&page=x&level=x&state=x&type=x").status_code == 200
    assert client.get("/bank/questions/new").status_code == 404
    assert db.session.execute(sa.select(sa.func.count()).select_from(BankQuestion)).scalar_one() == 0
