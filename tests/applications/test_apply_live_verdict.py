"""The live verdict fragment is the page's own panel: options grouped, in the user's language."""

from __future__ import annotations

import pytest

from tests.applications.test_apply_workflow import RESTORER, apply_world, client_for
from tests.factories import csrf_token


@pytest.fixture
def web(app):
    return apply_world(app)


def test_the_html_fragment_groups_the_options(web):
    client = client_for(web, "candidate1")
    token = csrf_token(client, "/")
    profile = {"birth_date": "1990-05-04", "work_history": [{"employer": "某馆", "start": "2019-07-01", "end": None}]}
    response = client.post(
        "/api/v1/eligibility?format=html",
        json={"occupation": RESTORER, "level": 4, "profile": profile},
        headers={"X-CSRFToken": token, "Accept-Language": "en"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="verdict"' in page
    assert "Every option of the standard" in page and page.count('class="record"') >= 2
    assert "Not eligible" in page
