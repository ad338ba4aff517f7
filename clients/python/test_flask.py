"""requires_company_access in a small Flask HR app, against a real server.

Flask comes from requirements-test.txt; the package itself does not need it.
"""

import logging
import uuid

import flask
import pytest

from company_access_client import Client
from company_access_client.flask import requires_company_access


def hr_app(client):
    """An app that signs users in from a header, as a login layer would into flask.g."""
    app = flask.Flask("hr")

    @app.before_request
    def sign_in():
        if "X-User-Id" in flask.request.headers:
            flask.g.user_id = int(flask.request.headers["X-User-Id"])

    @app.get("/companies/<company_id>/payroll")
    @requires_company_access(client=client)
    def payroll(company_id):
        return {"payroll_of": company_id}

    @app.get("/reports")
    @requires_company_access(client=client)
    def reports():
        return {"report_for": flask.request.args["company_id"]}

    @app.post("/switch")
    @requires_company_access(
        user_id=lambda: flask.request.headers.get("X-Employee"),
        company_id=lambda: (flask.request.get_json(silent=True) or {}).get("company"),
        client=client,
    )
    def switch():
        return {"switched": True}

    return app


@pytest.fixture(scope="module")
def app(client):
    return hr_app(client).test_client()


def test_allowed_runs_the_view(app, ids):
    john = {"X-User-Id": str(ids["john_smith"])}
    answer = app.get("/companies/%s/payroll" % ids["Main Office"], headers=john)
    assert answer.status_code == 200
    assert answer.get_json() == {"payroll_of": ids["Main Office"]}
    answer = app.get("/reports", query_string={"company_id": ids["Main Office"]}, headers=john)
    assert answer.status_code == 200
    admin = {"X-User-Id": str(ids["admin"])}
    assert app.get("/companies/%s/payroll" % ids["NYC"], headers=admin).status_code == 200


def test_denied_is_403_json(app, ids):
    answer = app.get(
        "/companies/%s/payroll" % ids["NYC"], headers={"X-User-Id": str(ids["john_smith"])}
    )
    assert answer.status_code == 403
    assert answer.is_json
    body = answer.get_json()
    assert (body["code"], body["reason"]) == ("forbidden", "no_grant")
    assert "payroll_of" not in body


@pytest.mark.parametrize(
    "path, headers, reason",
    [
        ("/companies/{NYC}/payroll", {}, "no_user"),
        ("/reports", {"X-User-Id": "{john_smith}"}, "no_company"),
        ("/companies/uuid-xxx/payroll", {"X-User-Id": "{john_smith}"}, "unknown_company"),
        ("/companies/%s/payroll" % uuid.uuid4(), {"X-User-Id": "{admin}"}, "unknown_company"),
        ("/companies/{NYC}/payroll", {"X-User-Id": "999999"}, "unknown_user"),
        ("/companies/{NYC}/payroll", {"X-User-Id": "99999999999"}, "invalid_id"),
    ],
)
def test_missing_unknown_or_malformed_ids_are_403(app, ids, path, headers, reason):
    answer = app.get(
        path.format(**ids), headers={k: v.format(**ids) for k, v in headers.items()}
    )
    assert answer.status_code == 403
    assert answer.get_json()["reason"] == reason


def test_the_app_says_where_the_ids_are(app, ids):
    def switch(user, company):
        return app.post("/switch", headers={"X-Employee": str(user)}, json={"company": company})

    assert switch(ids["john_smith"], ids["Regional HQ"]).status_code == 200
    assert switch(ids["john_smith"], ids["LA"]).status_code == 403


def test_a_grant_takes_effect_on_the_next_request(app, client, ids):
    path = "/companies/%s/payroll" % ids["LA"]
    finance = {"X-User-Id": str(ids["finance_manager_1"])}
    assert app.get(path, headers=finance).status_code == 403
    client.add_company_to_user(ids["finance_manager_1"], ids["LA"])
    assert app.get(path, headers=finance).status_code == 200


@pytest.mark.parametrize("trouble", ["down", "503", "wrong key"])
def test_a_service_that_cannot_answer_is_503_never_an_allow(
    trouble, server, ids, closed_port, stub, caplog
):
    if trouble == "down":
        client = Client(closed_port, "key", retries=0)
    elif trouble == "503":
        client = stub([(503, {"code": "unavailable"})] * 2).client(retries=1)
    else:
        client = Client(server.url, "not-a-key")
    app = hr_app(client).test_client()
    with caplog.at_level(logging.ERROR):
        answer = app.get(
            "/companies/%s/payroll" % ids["Main Office"],
            headers={"X-User-Id": str(ids["john_smith"])},
        )
    assert answer.status_code == 503
    assert answer.get_json()["code"] == "unavailable"
    assert "payroll_of" not in answer.get_json()
    assert "Company access check failed" in caplog.text


def test_the_default_client_comes_from_the_environment(monkeypatch, server, ids):
    monkeypatch.setenv("COMPANY_ACCESS_URL", server.url)
    monkeypatch.setenv("COMPANY_ACCESS_TOKEN", server.key)
    app = hr_app(None).test_client()
    path = "/companies/%s/payroll" % ids["Main Office"]
    assert app.get(path, headers={"X-User-Id": str(ids["john_smith"])}).status_code == 200
    assert app.get(path, headers={"X-User-Id": str(ids["sarah"])}).status_code == 403


def test_the_decorator_keeps_the_view_name():
    @requires_company_access()
    def payroll():
        """Pays people."""

    assert (payroll.__name__, payroll.__doc__) == ("payroll", "Pays people.")
