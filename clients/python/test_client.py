"""Client, has_access, allowed_companies and the company hierarchy against a real server;
retries against a stub."""

import datetime
import time
import uuid

import pytest

import company_access_client
from company_access_client import (
    Client,
    CompanyAccessError,
    CompanyNameTaken,
    CompanyNotFound,
    HierarchyCycle,
    HierarchyRefused,
    HierarchyTooDeep,
    ServerUnavailable,
    Unauthorized,
    UserNotFound,
)

ALLOWED = {"user_id": 1, "company_id": str(uuid.UUID(int=1)), "allowed": True, "reason": "grant"}


def names(grants):
    return [grant["company_name"] for grant in grants]


def unique(prefix):
    """A name no other test in the module uses (they share one server)."""
    return prefix + uuid.uuid4().hex[:8]


def test_has_access_allowed_and_denied(client, ids):
    assert client.has_access(ids["john_smith"], ids["Main Office"]) is True
    assert client.has_access(ids["john_smith"], ids["NYC"]) is False
    assert client.has_access(ids["admin"], ids["NYC"]) is True
    assert client.check_access(ids["admin"], ids["NYC"])["reason"] == "super_admin"
    decision = client.check_access(ids["john_smith"], ids["NYC"])
    assert (decision["allowed"], decision["reason"]) == (False, "no_grant")
    # Unknown ids are refusals, as the service answers them, not errors.
    assert client.has_access(999999, ids["NYC"]) is False
    assert client.has_access(ids["admin"], str(uuid.uuid4())) is False


def test_has_access_follows_grants_and_removals(client, ids):
    sarah, nyc = ids["sarah"], ids["NYC"]
    assert not client.has_access(sarah, nyc)
    client.add_company_to_user(sarah, nyc)
    assert client.has_access(str(sarah), nyc)
    client.remove_company_from_user(sarah, nyc)
    assert not client.has_access(sarah, nyc)


def test_reads_ask_for_at_least_the_clients_own_last_write(client, ids):
    sarah, nyc = ids["sarah"], ids["NYC"]
    client.add_company_to_user(sarah, nyc)
    written = client.last_revision
    assert isinstance(written, int) and written > 0
    # The next check carries the revision; the service answers at it or later.
    assert client.has_access(sarah, nyc)
    assert client.last_revision is not None and client.last_revision >= written
    client.remove_company_from_user(sarah, nyc)
    assert client.last_revision > written
    assert not client.has_access(sarah, nyc)


def test_roles_and_windows_decide_the_check(client, ids):
    sarah, nyc, la = ids["sarah"], ids["NYC"], ids["LA"]
    grant = client.add_company_to_user(sarah, nyc, role="admin")
    assert (grant["role"], grant["granted_role"], grant["state"]) == ("admin", "admin", "active")
    assert client.has_access(sarah, nyc, role="admin")
    assert client.has_access(sarah, nyc, role=["hr_manager", "admin"])
    refused = client.check_access(sarah, nyc, role="employee")
    assert (refused["reason"], refused["role"]) == ("role_not_held", "admin")
    assert client.check_access(ids["admin"], nyc, role="employee")["reason"] == "super_admin"
    # A window that has not started gives no access yet, and allowed_companies leaves it out.
    later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)
    scheduled = client.add_companies_to_user(sarah, [la], valid_from=later)["added"][0]
    assert scheduled["state"] == "scheduled"
    assert client.check_access(sarah, la)["reason"] == "not_yet_valid"
    assert "LA" not in names(client.allowed_companies(sarah))
    opened = client.update_grant(sarah, la, valid_from=None, role="finance_manager")
    assert (opened["state"], opened["role"]) == ("active", "finance_manager")
    assert client.has_access(sarah, la, role="finance_manager")
    with pytest.raises(TypeError):
        client.update_grant(sarah, la)
    with pytest.raises(TypeError):
        client.add_company_to_user(sarah, nyc, valid_until=datetime.datetime(2030, 1, 1))
    # A window that ends before it starts: the server's sentence, once, and nothing granted.
    with pytest.raises(CompanyAccessError) as backwards:
        client.add_company_to_user(
            sarah, ids["Main Office"], valid_from=later, valid_until=later - datetime.timedelta(hours=1)
        )
    assert backwards.value.code == "validation_failed"
    assert str(backwards.value).count("must be later than") == 1, str(backwards.value)
    assert "Main Office" not in names(client.list_user_companies(sarah))
    for company in (nyc, la):
        client.remove_company_from_user(sarah, company)


def test_csv_round_trip_and_a_refused_line(client, ids):
    exported = client.export_csv()
    assert exported.startswith("username,company,role,valid_from,valid_until,include_branches\n")
    again = client.import_csv(exported)
    assert (again["added"], again["changed"]) == (0, 0)
    dry = client.import_csv("username,company\nsarah,NYC\n", dry_run=True)
    assert dry["items"][0]["action"] == "add" and dry["dry_run"] is True
    assert not client.has_access(ids["sarah"], ids["NYC"])
    with pytest.raises(company_access_client.CompanyAccessError) as caught:
        client.import_csv("username,company\nsarah,NYC\nnobody,NYC\n")
    assert caught.value.status == 422
    assert "line 3, column username" in str(caught.value)
    assert [error["field"] for error in caught.value.errors] == ["line 3, column username"]
    report = caught.value.report
    assert report is not None and (report["added"], report["refused"]) == (1, 1), report
    assert report["items"][0]["after"] == {
        "role": None,
        "valid_from": None,
        "valid_until": None,
        "include_branches": False,
    }
    assert not client.has_access(ids["sarah"], ids["NYC"])


def test_malformed_ids_raise_before_anything_is_sent(closed_port):
    nowhere = Client(closed_port, "key", retries=0)
    with pytest.raises(UserNotFound) as caught:
        nowhere.has_access("abc", str(uuid.uuid4()))
    assert caught.value.status is None
    with pytest.raises(CompanyNotFound):
        nowhere.has_access(1, "uuid-xxx")
    with pytest.raises(UserNotFound):
        nowhere.allowed_companies(True)
    for call in (
        lambda: nowhere.get_company("uuid-xxx"),
        lambda: nowhere.list_companies(parent_id="uuid-xxx"),
        lambda: nowhere.create_company("Anything", parent_id="uuid-xxx"),
        lambda: nowhere.move_company(str(uuid.uuid4()), "uuid-xxx"),
        lambda: nowhere.company_users(""),
    ):
        with pytest.raises(CompanyNotFound) as caught:
            call()
        assert caught.value.status is None


def test_allowed_companies(client, ids):
    assert sorted(names(client.allowed_companies(ids["john_smith"]))) == [
        "Branch Office",
        "Main Office",
        "Regional HQ",
    ]
    assert client.allowed_companies(ids["john_smith"])[0]["is_default"] is True
    everything = client.allowed_companies(ids["admin"])
    assert {grant["source"] for grant in everything} == {"super_admin"}
    assert {grant["company_id"] for grant in everything} == {
        company["id"] for company in client.request("GET", "/companies?limit=100")["items"]
    }
    assert client.allowed_companies(ids["sarah"]) == []
    assert client.allowed_companies(999999) == []


def test_an_inactive_user_is_allowed_no_company(client, ids):
    leaver = client.request(
        "POST", "/users", {"username": "py_leaver", "home_company_id": ids["LA"]}
    )["id"]
    assert names(client.allowed_companies(leaver)) == ["LA"]
    client.request("PATCH", "/users/%d" % leaver, {"is_active": False})
    assert client.allowed_companies(leaver) == []
    assert client.has_access(leaver, ids["LA"]) is False
    # The listing still shows the grant: it says what was granted, not what is allowed now.
    assert names(client.list_user_companies(leaver)) == ["LA"]


def test_module_functions_use_the_environment(monkeypatch, server, ids):
    monkeypatch.setenv("COMPANY_ACCESS_URL", server.url + "/")
    monkeypatch.setenv("COMPANY_ACCESS_TOKEN", server.key)
    assert company_access_client.has_access(ids["john_smith"], ids["Main Office"])
    assert "Main Office" in names(company_access_client.allowed_companies(ids["john_smith"]))
    from_env = Client.from_env()
    assert from_env.base_url == server.url
    assert server.key not in repr(from_env)


def test_keys_and_scopes(server, client, ids):
    with pytest.raises(Unauthorized) as caught:
        Client(server.url, "not-a-key").has_access(ids["admin"], ids["NYC"])
    assert caught.value.status == 401
    # A backend that only checks needs no more than a `check` key; listing needs `read`.
    secret = client.request("POST", "/keys", {"name": "py-backend", "scope": "check"})["secret"]
    backend = Client(server.url, secret)
    assert backend.has_access(ids["john_smith"], ids["Main Office"])
    with pytest.raises(Unauthorized) as caught:
        backend.allowed_companies(ids["john_smith"])
    assert caught.value.status == 403


def test_a_key_bound_to_a_user_reaches_only_the_companies_they_administer(server, client, ids):
    name = "py_admin_%s" % uuid.uuid4().hex[:8]
    admin = client.request("POST", "/users", {"username": name, "role": "hr_manager"})["id"]
    client.add_company_to_user(admin, ids["LA"], role="admin")
    created = client.create_key("py-delegate-%s" % uuid.uuid4().hex[:8], "write", admin)
    assert created["user_id"] == admin
    delegate = Client(server.url, created["secret"])
    assert delegate.whoami()["username"] == name
    assert delegate.check_access(ids["john_smith"], ids["LA"])["reason"] in ("grant", "no_grant")
    with pytest.raises(company_access_client.OutOfReach) as caught:
        delegate.add_company_to_user(ids["john_smith"], ids["Main Office"])
    assert (caught.value.status, caught.value.code) == (403, "out_of_reach")
    assert "Main Office" in str(caught.value)


def test_a_grant_including_branches_reaches_them_wherever_they_move(client):
    parent = client.create_company(unique("Py Holding "))
    assert (parent["parent_id"], parent["user_count"]) == (None, 0)
    branch = client.create_company(unique("Py Branch "), parent_id=parent["id"])
    assert branch["parent_id"] == parent["id"]
    assert client.get_company(branch["id"]) == branch
    listed = client.list_companies(parent_id=parent["id"])
    assert ([c["id"] for c in listed["items"]], listed["total"]) == ([branch["id"]], 1)
    assert client.list_companies(parent_id=branch["id"])["items"] == []
    assert client.list_companies(name=branch["name"].upper())["items"] == [branch]

    user = client.request("POST", "/users", {"username": unique("py_tree_")})
    grant = client.add_company_to_user(user["id"], parent["id"], include_branches=True)
    assert (grant["include_branches"], grant["via_company_id"]) == (True, parent["id"])
    assert client.has_access(user["id"], branch["id"])
    decision = client.check_access(user["id"], branch["id"])
    assert (decision["reason"], decision["via_company_id"]) == ("grant", parent["id"])
    reached = {g["company_id"]: g for g in client.list_user_companies(user["id"])}[branch["id"]]
    assert (reached["source"], reached["via_company_id"]) == ("branch", parent["id"])
    members = client.company_users(branch["id"])
    assert members["company"]["id"] == branch["id"]
    mine = [m for m in members["items"] if m["user_id"] == user["id"]]
    assert [(m["source"], m["via_company_id"]) for m in mine] == [("branch", parent["id"])]
    assert {m["source"] for m in members["items"]} == {"branch", "super_admin"}

    # Moved under another parent, the branch leaves the first grant's reach at once and enters
    # the other's (given here through add_companies_to_user).
    other = client.create_company(unique("Py Other "))
    colleague = client.request("POST", "/users", {"username": unique("py_tree_")})
    added = client.add_companies_to_user(colleague["id"], [other["id"]], include_branches=True)
    assert added["added"][0]["include_branches"] is True
    assert not client.has_access(colleague["id"], branch["id"])
    moved = client.move_company(branch["id"], other["id"])
    assert moved["parent_id"] == other["id"]
    assert client.check_access(user["id"], branch["id"])["reason"] == "no_grant"
    decision = client.check_access(colleague["id"], branch["id"])
    assert (decision["allowed"], decision["via_company_id"]) == (True, other["id"])
    through = [m for m in client.company_users(branch["id"])["items"] if m["source"] == "branch"]
    assert [(m["user_id"], m["via_company_id"]) for m in through] == [
        (colleague["id"], other["id"])
    ]
    assert client.list_companies(parent_id=parent["id"])["total"] == 0

    # A grant stops including branches when told to; to the top level, no parent reaches it.
    client.update_grant(colleague["id"], other["id"], include_branches=False)
    assert not client.has_access(colleague["id"], branch["id"])
    client.update_grant(colleague["id"], other["id"], include_branches=True)
    assert client.has_access(colleague["id"], branch["id"])
    assert client.move_company(branch["id"], None)["parent_id"] is None
    assert not client.has_access(colleague["id"], branch["id"])
    with pytest.raises(TypeError):
        client.add_company_to_user(user["id"], other["id"], include_branches="yes")


def test_the_hierarchy_refuses_cycles_depth_and_taken_names(client):
    parent = client.create_company(unique("Py Top "))
    branch = client.create_company(unique("Py Under "), parent_id=parent["id"])
    with pytest.raises(HierarchyCycle) as caught:
        client.move_company(parent["id"], branch["id"])
    assert (caught.value.status, caught.value.code) == (409, "hierarchy_cycle")
    assert caught.value.detail == caught.value.problem["detail"]
    assert "%s cannot be placed under %s" % (parent["name"], branch["name"]) in str(caught.value)
    with pytest.raises(HierarchyCycle):
        client.move_company(parent["id"], parent["id"])
    assert client.get_company(parent["id"])["parent_id"] is None

    # Sixteen levels at most: a chain under `parent` (level 1) takes fifteen more.
    deepest = parent["id"]
    for _ in range(15):
        deepest = client.create_company(unique("Py Level "), parent_id=deepest)["id"]
    with pytest.raises(HierarchyTooDeep) as caught:
        client.create_company(unique("Py Level "), parent_id=deepest)
    assert (caught.value.status, caught.value.code) == (409, "hierarchy_too_deep")
    assert "16" in str(caught.value)
    loose = client.create_company(unique("Py Loose "))
    with pytest.raises(HierarchyRefused):
        client.move_company(loose["id"], deepest)

    with pytest.raises(CompanyNameTaken) as caught:
        client.create_company(branch["name"].lower())
    assert caught.value.status == 409
    with pytest.raises(CompanyNotFound):
        client.create_company(unique("Py Orphan "), parent_id=str(uuid.uuid4()))
    with pytest.raises(CompanyNotFound):
        client.move_company(loose["id"], str(uuid.uuid4()))


def test_rename_and_delete_a_company(client):
    parent = client.create_company(unique("Py Old Name "))
    branch = client.create_company(unique("Py Kept "), parent_id=parent["id"])
    new_name = unique("Py New Name ")
    renamed = client.rename_company(parent["id"], new_name)
    assert (renamed["id"], renamed["name"], renamed["parent_id"]) == (parent["id"], new_name, None)
    assert client.list_companies(q=new_name)["items"] == [renamed]
    with pytest.raises(CompanyNameTaken):
        client.rename_company(parent["id"], branch["name"])

    user = client.request("POST", "/users", {"username": unique("py_del_")})
    client.add_company_to_user(user["id"], parent["id"], include_branches=True)
    assert client.has_access(user["id"], branch["id"])
    # A company with branches is deleted too: its branches become top-level companies, out of
    # the reach of its grants.
    client.delete_company(parent["id"])
    with pytest.raises(CompanyNotFound):
        client.get_company(parent["id"])
    assert client.get_company(branch["id"])["parent_id"] is None
    assert not client.has_access(user["id"], branch["id"])
    assert client.list_user_companies(user["id"]) == []
    with pytest.raises(CompanyNotFound):
        client.delete_company(parent["id"])
    with pytest.raises(CompanyNotFound):
        client.company_users(parent["id"])


def test_reads_are_retried_on_503_with_backoff(stub):
    service = stub([(503, {"code": "unavailable"}), (503, {"code": "unavailable"}), (200, ALLOWED)])
    started = time.monotonic()
    assert service.client(retries=2, backoff=0.05).has_access(1, ALLOWED["company_id"])
    assert time.monotonic() - started >= 0.05 + 0.1
    assert [method for method, _ in service.requests] == ["GET"] * 3


def test_retries_end(stub):
    service = stub([(503, {"code": "unavailable"})] * 3)
    with pytest.raises(ServerUnavailable) as caught:
        service.client(retries=1).has_access(1, ALLOWED["company_id"])
    assert caught.value.status == 503
    assert len(service.requests) == 2


def test_reads_are_retried_on_a_dropped_connection(stub):
    service = stub(["drop", (200, ALLOWED)])
    assert service.client().has_access(1, ALLOWED["company_id"])
    assert len(service.requests) == 2


def test_other_server_errors_are_not_retried(stub):
    service = stub([(500, {"code": "internal", "detail": "boom"}), (200, ALLOWED)])
    with pytest.raises(ServerUnavailable) as caught:
        service.client().has_access(1, ALLOWED["company_id"])
    assert (caught.value.status, caught.value.code) == (500, "internal")
    assert len(service.requests) == 1


@pytest.mark.parametrize("step", [(503, {"code": "unavailable"}), "drop"])
def test_changes_are_sent_once(stub, step):
    company = str(uuid.UUID(int=2))
    service = stub([step, step])
    with pytest.raises(ServerUnavailable):
        service.client(retries=3).add_company_to_user(5, company)
    assert service.requests == [("POST", "/users/5/companies")]

    service = stub([step, step])
    with pytest.raises(ServerUnavailable):
        service.client(retries=3).remove_company_from_user(5, company)
    assert service.requests == [("DELETE", "/users/5/companies/" + company)]

    service = stub([step, step])
    with pytest.raises(ServerUnavailable):
        service.client(retries=3).move_company(company, None)
    assert service.requests == [("PATCH", "/companies/" + company)]

    service = stub([step, step])
    with pytest.raises(ServerUnavailable):
        service.client(retries=3).delete_company(company)
    assert service.requests == [("DELETE", "/companies/" + company)]


def test_an_unreachable_service(closed_port):
    with pytest.raises(ServerUnavailable) as caught:
        Client(closed_port, "key", retries=1, backoff=0.01).allowed_companies(1)
    assert caught.value.status is None
    assert "Cannot reach" in str(caught.value)


def test_negative_retries_are_refused():
    with pytest.raises(ValueError):
        Client(retries=-1)
