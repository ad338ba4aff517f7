"""remove_companies_from_users (POST /access/revoke) and the order of list_companies, against a
real server; what is refused before anything is sent, against a stub."""

import uuid

import pytest

import company_access_client
from company_access_client import (
    Client,
    CompanyAccessError,
    CompanyNotFound,
    OutOfReach,
    UserNotFound,
)


def names(grants):
    return [grant["company_name"] for grant in grants]


def test_a_dry_run_names_the_grants_and_the_removal_takes_exactly_those(client, ids):
    sarah, emp, nyc, la = ids["sarah"], ids["emp_001"], ids["NYC"], ids["LA"]
    client.add_companies_to_user(sarah, [nyc, la])
    client.add_company_to_user(emp, la)
    sarah_before = names(client.list_user_companies(sarah))
    emp_before = names(client.list_user_companies(emp))
    assert "NYC" not in emp_before

    # Ids as text count as ids; a repeated one counts once.
    dry = client.remove_companies_from_users([sarah, str(emp), sarah], [nyc, la], dry_run=True)
    expected = [
        {"user_id": sarah, "company_id": nyc},
        {"user_id": sarah, "company_id": la},
        {"user_id": emp, "company_id": la},
    ]
    assert dry == {
        "users": 2,
        "companies": 2,
        "pairs": 4,
        "removed": 3,
        "not_granted": 1,
        "dry_run": True,
        "items": expected,
    }
    assert names(client.list_user_companies(sarah)) == sarah_before
    assert names(client.list_user_companies(emp)) == emp_before

    done = client.remove_companies_from_users([sarah, emp], [nyc, la])
    assert (done["removed"], done["not_granted"], done["dry_run"]) == (3, 1, False)
    assert done["items"] == expected
    for user, before in ((sarah, sarah_before), (emp, emp_before)):
        left = [name for name in before if name not in ("NYC", "LA")]
        assert names(client.list_user_companies(user)) == left
        assert not client.has_access(user, la)

    again = client.remove_companies_from_users([sarah, emp], [nyc, la])
    assert (again["removed"], again["not_granted"], again["items"]) == (0, 4, [])


def test_an_unknown_id_removes_nothing(client, ids):
    sarah, nyc = ids["sarah"], ids["NYC"]
    client.add_company_to_user(sarah, nyc)
    with pytest.raises(UserNotFound) as caught:
        client.remove_companies_from_users([sarah, 999999], [nyc])
    assert (caught.value.status, caught.value.code) == (404, "user_not_found")
    with pytest.raises(CompanyNotFound) as caught:
        client.remove_companies_from_users([sarah], [nyc, str(uuid.uuid4())])
    assert (caught.value.status, caught.value.code) == (404, "company_not_found")
    assert client.has_access(sarah, nyc)
    with pytest.raises(CompanyAccessError) as caught:
        client.remove_companies_from_users(list(range(1, 10_002)), [nyc])
    assert (caught.value.status, caught.value.code) == (422, "validation_failed")
    assert client.has_access(sarah, nyc)
    client.remove_company_from_user(sarah, nyc)


def test_a_key_bound_to_a_user_removes_only_where_they_administer(server, client, ids):
    name = "py_revoker_%s" % uuid.uuid4().hex[:8]
    admin = client.request("POST", "/users", {"username": name, "role": "hr_manager"})["id"]
    client.add_company_to_user(admin, ids["LA"], role="admin")
    client.add_companies_to_user(ids["john_smith"], [ids["LA"], ids["NYC"]])
    created = client.create_key("py-revoker-%s" % uuid.uuid4().hex[:8], "write", admin)
    delegate = Client(server.url, created["secret"], retries=0)
    with pytest.raises(OutOfReach) as caught:
        delegate.remove_companies_from_users([ids["john_smith"]], [ids["LA"], ids["NYC"]])
    assert (caught.value.status, caught.value.code) == (403, "out_of_reach")
    assert client.has_access(ids["john_smith"], ids["LA"])
    removed = delegate.remove_companies_from_users([ids["john_smith"]], [ids["LA"]])
    assert removed["items"] == [{"user_id": ids["john_smith"], "company_id": ids["LA"]}]
    # The delegate reads at least its own write.
    assert not delegate.has_access(ids["john_smith"], ids["LA"])
    client.remove_company_from_user(ids["john_smith"], ids["NYC"])


def test_the_module_function_uses_the_environment(monkeypatch, server, client, ids):
    monkeypatch.setenv("COMPANY_ACCESS_URL", server.url)
    monkeypatch.setenv("COMPANY_ACCESS_TOKEN", server.key)
    client.add_company_to_user(ids["sarah"], ids["LA"])
    result = company_access_client.remove_companies_from_users(
        [ids["sarah"]], [ids["LA"]], dry_run=True
    )
    assert (result["removed"], result["dry_run"]) == (1, True)
    assert company_access_client.remove_companies_from_users([ids["sarah"]], [ids["LA"]])[
        "removed"
    ] == 1
    assert not client.has_access(ids["sarah"], ids["LA"])


def test_what_names_no_pair_or_no_id_is_settled_before_sending(stub):
    nowhere = stub([])
    quiet = nowhere.client(retries=0)
    company = str(uuid.uuid4())
    for users, companies in (([], [company]), ([5], []), ([], [])):
        result = quiet.remove_companies_from_users(users, companies, dry_run=True)
        assert (result["pairs"], result["removed"], result["items"]) == (0, 0, [])
        assert result["dry_run"] is True
    with pytest.raises(UserNotFound) as caught:
        quiet.remove_companies_from_users(["abc"], [company])
    assert caught.value.status is None
    with pytest.raises(CompanyNotFound) as caught:
        quiet.remove_companies_from_users([5], ["uuid-xxx"])
    assert caught.value.status is None
    with pytest.raises(TypeError):
        quiet.remove_companies_from_users([5], company)
    with pytest.raises(TypeError):
        quiet.remove_companies_from_users("5", [company])
    with pytest.raises(TypeError):
        quiet.remove_companies_from_users([5], [company], dry_run="false")
    assert nowhere.requests == []


def test_list_companies_takes_a_direction(client):
    created = [c["name"] for c in client.list_companies(limit=500)["items"]]
    newest_first = client.list_companies(order="desc", limit=500)["items"]
    assert [c["name"] for c in newest_first] == created[::-1]
    by_name = [c["name"] for c in client.list_companies(sort="name", limit=500)["items"]]
    z_first = client.list_companies(sort="name", order="desc", limit=2, offset=1)
    assert [c["name"] for c in z_first["items"]] == by_name[::-1][1:3]
    assert z_first["total"] == len(by_name)
    with pytest.raises(CompanyAccessError) as caught:
        client.list_companies(order="up")
    assert caught.value.status == 400
    assert "order" in str(caught.value)
