"""`POST /api/v1/eligibility`: the live verdict as JSON; bad input answers 400 naming the problem, never 500."""

from __future__ import annotations

import json

import pytest

from tests.applications.test_apply_workflow import (
    RESTORER,
    apply_world,
    client_for,
)
from tests.factories import csrf_token


@pytest.fixture
def web(app):
    return apply_world(app)


URL = "/api/v1/eligibility"


@pytest.fixture
def api(web):
    client = client_for(web, "candidate1")
    token = csrf_token(client, "/")

    def call(body, *, lang: str = "en", token_header: bool = True, raw: bool = False):
        headers = {"Content-Type": "application/json", "Accept-Language": lang}
        if token_header:
            headers["X-CSRFToken"] = token
        data = body if raw else json.dumps(body)
        return client.post(URL, data=data, headers=headers)

    return call


PROFILE = {"work_history": [{"employer": "北京示例文物保护中心", "start": "2023-03-01", "end": None}]}


def test_the_verdict_names_what_fails_and_by_how_much(api):
    response = api({"occupation": RESTORER, "level": 3, "profile": PROFILE})
    assert response.status_code == 200
    verdict = response.get_json()
    assert verdict["eligible"] is False and verdict["level"]["label"] == "Grade 4 / Intermediate worker"
    messages = " ".join(c["message"] for c in verdict["failing_checks"])
    assert "5 years" in messages and "you have" in messages.lower()
    chinese = api({"occupation": RESTORER, "level": 3, "profile": PROFILE}, lang="zh-CN").get_json()
    assert chinese["level"]["label"] == "四级/中级工"


def test_an_eligible_profile_names_the_option(api):
    profile = {"work_history": [{"employer": "某博物馆", "start": "2010-01-01", "end": None}]}
    verdict = api({"occupation": RESTORER, "level": 3, "profile": profile}).get_json()
    assert verdict["eligible"] is True and verdict["satisfied_option"]["id"] == "L4-1"


def test_the_birth_date_comes_from_the_callers_id(api):
    verdict = api({"occupation": RESTORER, "level": 2, "profile": {}}).get_json()
    assert verdict["eligible"] is True  # aged 16 or over: candidate1 was born in 1990


@pytest.mark.parametrize(
    ("body", "raw", "message"),
    [
        ("{not json", True, "The request body is not valid JSON (line 1, column 2"),
        ("", True, "The request body is not valid JSON"),
        (b"\xff\xfe", True, "not UTF-8"),
        ("[" * 100000 + "]" * 100000, True, "nested too deeply"),
        ([1, 2], False, "The request body must be a JSON object."),
        ({}, False, "occupation is required."),
        ({"occupation": RESTORER, "profile": {}}, False, "level is required."),
        ({"occupation": RESTORER, "level": 3}, False, "profile is required."),
        ({"occupation": RESTORER, "level": 3, "profile": {}, "x": 1}, False, "x is not a known field"),
        ({"occupation": 42, "level": 3, "profile": {}}, False, "occupation must be an occupation code"),
        ({"occupation": "9-99-99-99", "level": 3, "profile": {}}, False, "There is no occupation with the code"),
        ({"occupation": RESTORER, "level": "3", "profile": {}}, False, "level must be a whole number from 2 to 6"),
        ({"occupation": RESTORER, "level": True, "profile": {}}, False, "level must be a whole number from 2 to 6"),
        ({"occupation": RESTORER, "level": 7, "profile": {}}, False, "obtained by appointment"),
        ({"occupation": RESTORER, "level": 3, "profile": []}, False, "profile must be a JSON object."),
        (
            {
                "occupation": RESTORER,
                "level": 3,
                "profile": {"work_history": [{"employer": "x", "start": "2020-13-01"}]},
            },
            False,
            "work_history[0].start: “2020-13-01” is not a date",
        ),
        (
            {
                "occupation": RESTORER,
                "level": 3,
                "profile": {"certificates": [{"number": "S123", "issued_on": "2020-01-01"}]},
            },
            False,
            "certificates[0].number: wrong certificate number.",
        ),
    ],
    ids=[
        "broken",
        "empty",
        "not-utf8",
        "deep",
        "array",
        "no-occupation",
        "no-level",
        "no-profile",
        "unknown-field",
        "occupation-number",
        "unknown-occupation",
        "level-text",
        "level-bool",
        "appointment-level",
        "profile-list",
        "bad-date",
        "bad-certificate",
    ],
)
def test_bad_input_answers_400_naming_the_problem(api, body, raw, message):
    response = api(body, raw=raw)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert message in error["detail"], error


def test_without_the_csrf_header_the_call_is_refused(api):
    response = api({"occupation": RESTORER, "level": 3, "profile": {}}, token_header=False)
    assert (
        response.status_code == 400
        and "expired or did not come from this site" in response.get_json()["error"]["detail"]
    )


def test_anonymous_callers_are_not_answered(web):
    response = web.test_client().post(URL, json={"occupation": RESTORER, "level": 3, "profile": {}})
    assert response.status_code in (400, 401, 302)  # CSRF first, then the login requirement
