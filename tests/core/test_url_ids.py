"""An id in a URL beyond what the database can hold is "not found", never a server error."""

import pytest

from certify.auth.models import Role
from tests.factories import login, make_user


@pytest.mark.parametrize("number", ["2147483648", "99999999999999999999999"])
def test_an_id_too_large_for_the_database_is_not_found(app, number):
    make_user("adm", Role.ADMIN)
    client = app.test_client()
    login(client, "adm")
    assert client.get(f"/people/{number}").status_code == 404
    assert client.get("/people/2147483647").status_code == 404
