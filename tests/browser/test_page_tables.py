"""Real-browser tests of the users and companies tables of /manage-user-companies and of changing many users
at once (issue 13): filters, sorting (aria-sort), paging with a jump, creating, renaming, deactivating users,
creating, renaming and moving companies, and a bulk grant to 50 users with its dry-run report first.

Every outcome is checked through the API, behind the page's back. Screenshots land in tests/artifacts/browser/.
"""

from __future__ import annotations

import math
import secrets
import urllib.parse

from selenium.webdriver.support.ui import Select


def suffix() -> str:
    return secrets.token_hex(3)


def q(value: str) -> str:
    return urllib.parse.quote(value)


# ------------------------------------------------------------------------------------------ helpers


def users_settled(ui) -> bool:
    status = ui.text("#users-status")
    return bool(status) and not status.startswith("Loading")


def wait_users(ui, what: str = "the users table"):
    ui.wait(lambda: users_settled(ui), what)


def table_usernames(ui) -> list[str]:
    return ui.js("return [...document.querySelectorAll('#users-body tr')].map(r => r.getAttribute('data-username'));")


def set_filter(ui, css: str, value: str):
    """Types a filter and waits until the table shows what it asked for."""
    field = ui.find(css)
    field.clear()
    if value:
        field.send_keys(value)
    field.send_keys(ui.Keys.ENTER)


def choose(ui, css: str, value: str):
    Select(ui.find(css)).select_by_value(value)


def sign_in_users(ui, server, key=None):
    ui.open()
    ui.sign_in(key or server.master_key)
    ui.wait(lambda: users_settled(ui) and ui.find_all("#users-body tr"), "the users table after sign-in")


def open_companies(ui):
    ui.open_tab("companies")
    ui.wait(lambda: ui.text("#companies-status") and not ui.text("#companies-status").startswith("Loading")
            and ui.find_all("#companies-body tr"), "the companies table")


def company_row(ui, name: str):
    return ui.find(f'#companies-body tr[data-company-name="{name}"]')


# ------------------------------------------------------------------------------------------ users


def test_users_table_filters_by_role_status_and_company_and_sorts(ui, server):
    tag = suffix()
    company = server.create_company("Tables " + tag)
    made = {}
    for name, role in (("a", "finance_manager"), ("b", "finance_manager"), ("c", "employee")):
        made[name] = server.create_user(f"tbl{tag}{name}", full_name=f"Table {name.upper()} {tag}", role=role)
    for name in ("a", "c"):
        server.ok("POST", f"/users/{made[name]['id']}/companies", {"company_id": company["id"]}, expect=(201,))
    server.ok("PATCH", f"/users/{made['c']['id']}", {"is_active": False})

    sign_in_users(ui, server)
    assert ui.find('#users-table th[data-sort="username"]').get_attribute("aria-sort") == "ascending"
    ui.shot("users-table")

    # By company: the two granted it, whatever their role or status.
    set_filter(ui, "#users-company", company["name"])
    ui.wait(lambda: sorted(table_usernames(ui)) == [f"tbl{tag}a", f"tbl{tag}c"], "the users granted the company")
    assert "granted " + company["name"] in ui.text("#users-status")

    # ... and by role: only the finance manager among them.
    choose(ui, "#users-role", "finance_manager")
    ui.wait(lambda: table_usernames(ui) == [f"tbl{tag}a"], "the finance manager granted the company")

    # ... and by status: the inactive one, marked so in its row.
    choose(ui, "#users-role", "")
    choose(ui, "#users-active", "false")
    ui.wait(lambda: table_usernames(ui) == [f"tbl{tag}c"], "the inactive user granted the company")
    assert "Inactive" in ui.text(f'#users-body tr[data-username="tbl{tag}c"]')
    ui.shot("users-filtered")

    # Role alone, against the API's own answer.
    choose(ui, "#users-active", "")
    set_filter(ui, "#users-company", "")
    choose(ui, "#users-role", "finance_manager")
    expected = server.ok("GET", "/users?role=finance_manager&sort=username&limit=25")
    ui.wait(lambda: table_usernames(ui) == [u["username"] for u in expected["items"]], "the finance managers")
    assert ui.text("#users-status").startswith(f"{expected['total']} user")

    # At least N companies.
    choose(ui, "#users-role", "")
    set_filter(ui, "#users-min", "3")
    expected = server.ok("GET", "/users?min_companies=3&sort=username&limit=25")
    ui.wait(lambda: table_usernames(ui) == [u["username"] for u in expected["items"]], "users with 3+ companies")
    set_filter(ui, "#users-min", "")

    # Sorting: a click sorts by the column, a second click turns the order round; aria-sort says which.
    header = '#users-table th[data-sort="company_count"]'
    ui.find(header + " button").click()
    ui.wait(lambda: ui.find(header).get_attribute("aria-sort") == "ascending", "ascending by companies")
    assert ui.find('#users-table th[data-sort="username"]').get_attribute("aria-sort") is None
    ui.find(header + " button").click()
    ui.wait(lambda: ui.find(header).get_attribute("aria-sort") == "descending", "descending by companies")
    expected = server.ok("GET", "/users?sort=company_count&order=desc&limit=25")
    ui.wait(lambda: table_usernames(ui) == [u["username"] for u in expected["items"]], "the busiest users first")
    # Focus stays on the column's button, so the keyboard can turn the order round again.
    assert ui.js("return document.activeElement.closest('th').dataset.sort") == "company_count"

    full = '#users-table th[data-sort="full_name"]'
    ui.find(full + " button").click()
    ui.wait(lambda: ui.find(full).get_attribute("aria-sort") == "ascending", "ascending by full name")
    expected = server.ok("GET", "/users?sort=full_name&order=asc&limit=25")
    ui.wait(lambda: table_usernames(ui) == [u["username"] for u in expected["items"]], "by full name")
    ui.shot("users-sorted")


def test_users_table_pages_and_jumps_to_a_page(ui, server):
    sign_in_users(ui, server)
    total = server.ok("GET", "/users?limit=1")["total"]
    pages = math.ceil(total / 25)
    ui.wait_text("#users-range", f"page 1 of {pages:,}")
    assert ui.find("#users-prev").get_attribute("disabled") is not None

    page = ui.find("#users-page")
    page.clear()
    page.send_keys("40", ui.Keys.ENTER)
    ui.wait_text("#users-range", f"page 40 of {pages:,}")
    expected = server.ok("GET", "/users?sort=username&order=asc&limit=25&offset=975")
    assert table_usernames(ui) == [u["username"] for u in expected["items"]]
    assert ui.text("#users-range").startswith("976–1,000 of")

    ui.find("#users-next").click()
    ui.wait_text("#users-range", f"page 41 of {pages:,}")
    ui.find("#users-prev").click()
    ui.wait_text("#users-range", f"page 40 of {pages:,}")

    # The last page, then one that does not exist: said, and nothing moves.
    page = ui.find("#users-page")
    page.clear()
    page.send_keys(str(pages), ui.Keys.ENTER)
    ui.wait_text("#users-range", f"page {pages:,} of {pages:,}")
    assert ui.find("#users-next").get_attribute("disabled") is not None
    page = ui.find("#users-page")
    page.clear()
    page.send_keys(str(pages + 5), ui.Keys.ENTER)
    ui.wait_text("#users-range", "does not exist")
    assert page.get_attribute("aria-invalid") == "true"
    assert len(table_usernames(ui)) == total - (pages - 1) * 25

    # A bigger page size starts again at page 1.
    choose(ui, "#users-size", "100")
    ui.wait_text("#users-range", f"page 1 of {math.ceil(total / 100):,}")
    assert len(table_usernames(ui)) == 100
    ui.shot("users-paged")


def test_create_rename_and_deactivate_a_user_from_the_table(ui, server):
    name = "newbie_" + suffix()
    sign_in_users(ui, server)
    ui.find("#user-new").click()
    ui.wait(lambda: ui.visible("#user-create") and ui.focused_id() == "new-username", "the new user form")
    ui.find("#new-username").send_keys(name)
    ui.find("#new-full-name").send_keys("Nina Newbie")
    choose(ui, "#new-role", "hr_manager")
    ui.find("#new-home").send_keys("NYC")
    ui.shot("user-create-form")
    ui.find("#user-create-submit").click()
    ui.wait_text("#user-create-message", "Created " + name)
    made = server.user_by_username(name)
    assert (made["full_name"], made["role"], made["is_active"], made["home_company_name"]) == \
        ("Nina Newbie", "hr_manager", True, "NYC")

    # A name already taken is refused where it was typed.
    ui.find("#new-username").send_keys(name.upper())
    ui.find("#user-create-submit").click()
    ui.wait_text("#user-create-message", "Not created")

    # Rename: username and full name, edited in the row, saved with Enter.
    set_filter(ui, "#users-q", name)
    ui.wait(lambda: table_usernames(ui) == [name], "the new user in the table")
    row = f'#users-body tr[data-username="{name}"]'
    ui.find(row + ' [data-action="rename"]').click()
    ui.wait(lambda: ui.js("return document.activeElement.dataset.action") == "edit-name", "the name field")
    ui.shot("user-rename")
    field = ui.find(row + ' [data-action="edit-name"]')
    field.clear()
    field.send_keys("Nina Renamed", ui.Keys.ENTER)
    row_by_id = f'#users-body tr[data-user-id="{made["id"]}"]'
    ui.wait_text(row_by_id + " .row-msg", "Saved")
    assert server.ok("GET", f"/users/{made['id']}")["full_name"] == "Nina Renamed"
    assert ui.js("return document.activeElement.dataset.action") == "rename"

    ui.find(row_by_id + ' [data-action="rename"]').click()
    field = ui.find(row_by_id + ' [data-action="edit-username"]')
    field.clear()
    field.send_keys(name + "_x", ui.Keys.ENTER)
    ui.wait_text(row_by_id + " .row-msg", "Saved: " + name + "_x")
    assert server.ok("GET", f"/users/{made['id']}")["username"] == name + "_x"

    # Deactivate, then reactivate: the row says so and the API agrees.
    ui.find(row_by_id + ' [data-action="deactivate"]').click()
    ui.wait_text(row_by_id + " .row-msg", "Deactivated")
    assert server.ok("GET", f"/users/{made['id']}")["is_active"] is False
    assert "Inactive" in ui.text(row_by_id)
    assert ui.js("return document.activeElement.dataset.action") == "reactivate"
    ui.shot("user-deactivated")
    ui.find(row_by_id + ' [data-action="reactivate"]').click()
    ui.wait_text(row_by_id + " .row-msg", "Reactivated")
    assert server.ok("GET", f"/users/{made['id']}")["is_active"] is True

    # Opening a row selects the user, as the search does.
    ui.find(row_by_id + ' [data-action="open"]').click()
    ui.wait(lambda: f"Username: {name}_x " in ui.text("#user-meta") + " " and ui.focused_id() == "user-title",
            "the user's card")


def test_read_only_key_sees_the_tables_without_changing_anything(ui, server):
    viewer = server.create_key("tables-viewer-" + suffix(), "read")
    sign_in_users(ui, server, viewer["secret"])
    assert not ui.visible("#user-new")
    assert not ui.visible("#bulk-section")
    assert not ui.find_all('#users-body [data-action="rename"]')
    assert not ui.find_all('#users-body [data-action="deactivate"]')
    assert not ui.visible('#users-body input[data-action="pick"]')
    open_companies(ui)
    assert not ui.visible("#company-new")
    assert not ui.find_all('#companies-body [data-action="rename"], #companies-body [data-action="move"]')
    ui.shot("read-only-tables")


# ------------------------------------------------------------------------------------------ companies


def test_create_rename_and_move_a_company_from_the_table(ui, server):
    tag = suffix()
    parent = server.create_company("Parent " + tag)
    other = server.create_company("Other " + tag)
    name = "Branch " + tag
    sign_in_users(ui, server)
    open_companies(ui)
    ui.shot("companies-table")

    ui.find("#company-new").click()
    ui.wait(lambda: ui.focused_id() == "new-company-name", "the new company form")
    ui.find("#new-company-name").send_keys(name)
    ui.find("#new-company-parent").send_keys(parent["name"])
    ui.find("#company-create-submit").click()
    ui.wait_text("#company-create-message", "Created " + name + ", a branch of " + parent["name"])
    made = server.company_by_name(name)
    assert made["parent_id"] == parent["id"]

    # Filter by parent: its one branch.
    set_filter(ui, "#companies-parent", parent["name"])
    ui.wait(lambda: [r.get_attribute("data-company-name") for r in ui.find_all("#companies-body tr")] == [name],
            "the branches of the parent")
    assert parent["name"] in company_row(ui, name).text
    set_filter(ui, "#companies-parent", "")

    # Rename in the row (the filter names all three companies of this test, so the row stays in view).
    set_filter(ui, "#companies-q", tag)
    ui.wait(lambda: ui.find_all(f'#companies-body tr[data-company-id="{made["id"]}"]')
            and f"matching “{tag}”" in ui.text("#companies-status"), "the companies of this test")
    ui.find(f'#companies-body tr[data-company-id="{made["id"]}"] [data-action="rename"]').click()
    field = ui.find(f'#companies-body tr[data-company-id="{made["id"]}"] [data-action="edit-name"]')
    field.clear()
    field.send_keys("Renamed " + tag, ui.Keys.ENTER)
    row = f'#companies-body tr[data-company-id="{made["id"]}"]'
    ui.wait_text(row + " .row-msg", "Renamed " + name + " to Renamed " + tag)
    assert server.ok("GET", f"/companies/{made['id']}")["name"] == "Renamed " + tag

    # Move under another parent, then to the top level.
    ui.find(row + ' [data-action="move"]').click()
    field = ui.find(row + ' [data-action="edit-parent"]')
    field.clear()
    field.send_keys(other["name"])
    ui.shot("company-move")
    ui.find(row + ' [data-action="save"]').click()
    ui.wait_text(row + " .row-msg", "Moved Renamed " + tag + " under " + other["name"])
    assert server.ok("GET", f"/companies/{made['id']}")["parent_id"] == other["id"]
    assert other["name"] in ui.text(row)

    # A parent among its own branches is a cycle: refused, said in the row, nothing moves.
    other_row = f'#companies-body tr[data-company-id="{other["id"]}"]'
    ui.find(other_row + ' [data-action="move"]').click()
    ui.find(other_row + ' [data-action="edit-parent"]').send_keys("Renamed " + tag, ui.Keys.ENTER)
    ui.wait_text(other_row + " .row-msg", "one of its own branches")
    assert server.ok("GET", f"/companies/{other['id']}")["parent_id"] is None
    ui.find(other_row + ' [data-action="cancel"]').click()

    ui.find(row + ' [data-action="move"]').click()
    ui.find(row + ' [data-action="detach"]').click()
    ui.wait_text(row + " .row-msg", "is now a top-level company")
    assert server.ok("GET", f"/companies/{made['id']}")["parent_id"] is None


def test_companies_table_sorts_by_name_and_by_creation_either_way(ui, server):
    sign_in_users(ui, server)
    open_companies(ui)
    name = '#companies-table th[data-sort="name"]'
    assert ui.find(name).get_attribute("aria-sort") == "ascending"
    ui.find(name + " button").click()
    ui.wait(lambda: ui.find(name).get_attribute("aria-sort") == "descending", "names Z first")
    expected = server.ok("GET", "/companies?sort=name&order=desc&limit=25")
    ui.wait(lambda: [r.get_attribute("data-company-name") for r in ui.find_all("#companies-body tr")]
            == [c["name"] for c in expected["items"]], "the companies Z first")
    created = '#companies-table th[data-sort="created"]'
    ui.find(created + " button").click()
    ui.find(created + " button").click()
    ui.wait(lambda: ui.find(created).get_attribute("aria-sort") == "descending", "newest first")
    expected = server.ok("GET", "/companies?sort=created&order=desc&limit=25")
    ui.wait(lambda: [r.get_attribute("data-company-name") for r in ui.find_all("#companies-body tr")]
            == [c["name"] for c in expected["items"]], "the newest companies first")
    ui.shot("companies-sorted")


# ------------------------------------------------------------------------------------------ many at once


def test_bulk_grant_to_fifty_picked_users_shows_the_dry_run_first(ui, server):
    company = server.create_company("Bulk " + suffix())
    sign_in_users(ui, server)
    choose(ui, "#users-size", "50")
    choose(ui, "#users-role", "employee")
    ui.wait(lambda: len(table_usernames(ui)) == 50 and "with the role" in ui.text("#users-status"), "50 employees")
    picked = table_usernames(ui)
    ui.find("#users-pick-page").click()
    ui.wait_text("#users-picked-count", "50 users picked")
    ui.find("#users-picked-bulk").click()
    ui.wait(lambda: ui.focused_id() == "bulk-title", "the bulk form")
    assert "50 users are picked" in ui.text("#bulk-picked")

    ui.find("#bulk-company").send_keys(company["name"], ui.Keys.ENTER)
    ui.wait(lambda: ui.find_all(f'#bulk-companies li[data-company-id="{company["id"]}"]'), "the company chosen")
    ui.find("#bulk-check").click()
    report = ui.wait_text("#bulk-message", "Nothing has been written yet")
    assert "to 50 users: 50 to add, 0 to change, 0 already granted" in report, report
    assert ui.visible("#bulk-report") and len(ui.find_all('#bulk-body tr[data-what="add"]')) == 50
    ui.shot("bulk-dry-run")

    # The report came first: nobody has the company yet.
    assert server.ok("GET", f"/users?company_id={company['id']}&limit=1")["total"] == 0
    apply = ui.find("#bulk-apply")
    assert apply.text == "Grant to 50 users"
    apply.click()
    ui.wait_text("#bulk-message", "Granted: 50 added")
    ui.shot("bulk-applied")

    granted = server.ok("GET", f"/users?company_id={company['id']}&limit=100")
    assert granted["total"] == 50
    assert sorted(u["username"] for u in granted["items"]) == sorted(picked)


def test_bulk_grant_and_revoke_for_pasted_usernames(ui, server):
    first = server.create_company("Paste A " + suffix())
    second = server.create_company("Paste B " + suffix())
    ids = server.extra_user_ids[100:150]
    names = [server.ok("GET", f"/users/{i}")["username"] for i in ids]
    # One already has the first company: the report says so and the import leaves it as it is.
    server.ok("POST", f"/users/{ids[0]}/companies", {"company_id": first["id"]}, expect=(201,))

    sign_in_users(ui, server)
    ui.js("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'));",
          ui.find("#bulk-usernames"), "\n".join(names) + "\n")
    for company in (first, second):
        ui.find("#bulk-company").send_keys(company["name"])
        ui.find("#bulk-company-add").click()
        ui.wait(lambda c=company: ui.find_all(f'#bulk-companies li[data-company-id="{c["id"]}"]'), "the company chosen")
    ui.find("#bulk-check").click()
    report = ui.wait_text("#bulk-message", "Nothing has been written yet")
    assert "2 companies to 50 users: 99 to add, 0 to change, 1 already granted" in report, report
    assert server.ok("GET", f"/users?company_id={second['id']}&limit=1")["total"] == 0
    ui.find("#bulk-apply").click()
    ui.wait_text("#bulk-message", "Granted: 99 added")
    for company in (first, second):
        assert server.ok("GET", f"/users?company_id={company['id']}&limit=1")["total"] == 50

    # An unknown username refuses the whole grant, named in the report.
    ui.js("arguments[0].value += 'nobody_" + suffix() + "\\n'; arguments[0].dispatchEvent(new Event('input'));",
          ui.find("#bulk-usernames"))
    ui.find("#bulk-check").click()
    ui.wait_text("#bulk-message", "Nothing can be changed")
    assert not ui.visible("#bulk-apply")
    assert ui.find_all('#bulk-body tr[data-what="refused"]')
    ui.shot("bulk-refused")

    # Revoke the second company from the first 50 again: a dry run, then one removal per granted pair.
    ui.js("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'));",
          ui.find("#bulk-usernames"), "\n".join(names))
    ui.find(f'#bulk-companies li[data-company-id="{first["id"]}"] [data-action="unchoose"]').click()
    ui.find("#bulk-revoke").click()
    ui.find("#bulk-check").click()
    report = ui.wait_text("#bulk-message", "Nothing has been written yet")
    assert "Revoking 1 company from 50 users: 50 to revoke, 0 not granted" in report, report
    assert server.ok("GET", f"/users?company_id={second['id']}&limit=1")["total"] == 50
    ui.shot("bulk-revoke-dry-run")
    ui.find("#bulk-apply").click()
    ui.wait_text("#bulk-message", "Revoked 50 grants")
    assert server.ok("GET", f"/users?company_id={second['id']}&limit=1")["total"] == 0
    assert server.ok("GET", f"/users?company_id={first['id']}&limit=1")["total"] == 50


def test_a_delegated_key_sees_and_changes_only_what_the_api_lets_it(ui, server):
    name = "tables_admin_" + suffix()
    admin = server.create_user(name, role="hr_manager")
    for company in ("NYC", "LA"):
        company_id = server.company_by_name(company)["id"]
        server.ok("POST", f"/users/{admin['id']}/companies", {"company_id": company_id, "role": "admin"}, expect=(201,))
    key = server.ok("POST", "/keys", {"name": "tables-" + name, "scope": "write", "user_id": admin["id"]},
                    expect=(201,))
    sign_in_users(ui, server, key["secret"])

    # The companies table lists what the API lists for this key: the two companies they administer.
    open_companies(ui)
    reachable = server.ok("GET", "/companies?sort=name&limit=100", key=key["secret"])
    shown = [r.get_attribute("data-company-name") for r in ui.find_all("#companies-body tr")]
    assert shown == [c["name"] for c in reachable["items"]] == ["LA", "NYC"], shown
    ui.shot("delegated-companies")

    # john works in companies beyond this administrator's: deactivating him is refused, said in his row.
    ui.open_tab("users")
    set_filter(ui, "#users-q", "john_smith")
    ui.wait(lambda: table_usernames(ui) == ["john_smith"], "john in the table")
    john = server.user_by_username("john_smith")
    ui.find(f'#users-body tr[data-user-id="{john["id"]}"] [data-action="deactivate"]').click()
    ui.wait_text(f'#users-body tr[data-user-id="{john["id"]}"] .row-msg', "Could not change john_smith")
    assert server.ok("GET", f"/users/{john['id']}")["is_active"] is True
    ui.shot("delegated-refused")


def test_the_tables_filters_order_and_page_survive_a_reload(ui, server):
    sign_in_users(ui, server)
    choose(ui, "#users-role", "employee")
    ui.wait(lambda: "with the role" in ui.text("#users-status"), "employees")
    header = '#users-table th[data-sort="full_name"]'
    ui.find(header + " button").click()
    ui.find(header + " button").click()
    ui.wait(lambda: ui.find(header).get_attribute("aria-sort") == "descending", "full names Z first")
    page = ui.find("#users-page")
    page.clear()
    page.send_keys("3", ui.Keys.ENTER)
    ui.wait_text("#users-range", "page 3 of")
    before = table_usernames(ui)
    search = ui.js("return location.search")
    for part in ("users_role=employee", "users_sort=full_name", "users_order=desc", "users_page=3"):
        assert part in search, search
    assert "key" not in search.lower()

    ui.driver.refresh()
    ui.wait(lambda: users_settled(ui) and "page 3 of" in ui.text("#users-range"), "the same page after a reload")
    assert ui.find("#users-role").get_attribute("value") == "employee"
    assert ui.find(header).get_attribute("aria-sort") == "descending"
    assert table_usernames(ui) == before

    # The companies table keeps its own filter and order the same way.
    open_companies(ui)
    set_filter(ui, "#companies-q", "Branch")
    name = '#companies-table th[data-sort="name"]'
    ui.find(name + " button").click()
    ui.wait(lambda: ui.find(name).get_attribute("aria-sort") == "descending" and "matching “Branch”"
            in ui.text("#companies-status"), "branches Z first")
    shown = [r.get_attribute("data-company-name") for r in ui.find_all("#companies-body tr")]
    ui.driver.refresh()
    ui.wait(lambda: ui.visible("#panel-companies") and "matching “Branch”" in ui.text("#companies-status"),
            "the companies table after a reload")
    assert [r.get_attribute("data-company-name") for r in ui.find_all("#companies-body tr")] == shown
    assert ui.find(name).get_attribute("aria-sort") == "descending"


def test_the_tables_and_the_bulk_report_pass_axe(ui, server, axe):
    company = server.create_company("Axe " + suffix())
    sign_in_users(ui, server)
    ui.find('#users-body input[data-action="pick"]').click()
    ui.find("#user-new").click()
    ui.find('#users-body [data-action="rename"]').click()
    axe.assert_clean(ui, "#users-browse")

    ui.find("#bulk-company").send_keys(company["name"], ui.Keys.ENTER)
    ui.wait(lambda: ui.find_all(f'#bulk-companies li[data-company-id="{company["id"]}"]'), "the company chosen")
    ui.find("#bulk-check").click()
    ui.wait_text("#bulk-message", "Nothing has been written yet")
    axe.assert_clean(ui, "#bulk-section")
    ui.shot("bulk-report-axe")

    open_companies(ui)
    ui.find("#company-new").click()
    ui.find('#companies-body [data-action="move"]').click()
    axe.assert_clean(ui, "#companies-browse")
