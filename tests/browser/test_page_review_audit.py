"""Real-browser tests of the access review (filters, sort, pagers, export), the audit view (filters, paging,
exact times, who) with each card's own history, and the statistics bars that open a company's review.

Every expectation is checked against what the API says for the same question. Screenshots land in
tests/artifacts/browser/.
"""

from __future__ import annotations

import csv
import io
import urllib.parse
from datetime import datetime, timedelta, timezone
from pathlib import Path

from conftest import suffix, wait_for_download


def read_csv(path: Path) -> list[dict[str, str]]:
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def query(**params) -> str:
    return urllib.parse.urlencode({k: v for k, v in params.items() if v not in (None, "")})


# ------------------------------------------------------------------------------------------ review


def review_company(server):
    """A branch reached by plain grants, admin grants, its parent's grant with branches, and super admins."""
    sfx = suffix()
    parent = server.create_company(f"Review HQ {sfx}")
    branch = server.ok("POST", "/companies", {"name": f"Review Branch {sfx}", "parent_id": parent["id"]},
                       expect=(201,))
    users = server.extra_user_ids
    server.ok("POST", "/access/bulk", {"user_ids": users[:260], "company_ids": [branch["id"]]})
    server.ok("POST", "/access/bulk", {"user_ids": users[260:292], "company_ids": [branch["id"]], "role": "admin"})
    server.ok("POST", "/access/bulk", {"user_ids": users[292:313], "company_ids": [parent["id"]],
                                       "include_branches": True})
    needle = server.create_user("zeta" + sfx, full_name=f"Quincy Zeta{sfx}")
    server.ok("POST", f"/users/{needle['id']}/companies", {"company_id": branch["id"]}, expect=(201,))
    return branch, needle


def api_review(server, company_id: str, **params) -> dict:
    """The whole filtered review as the API gives it: every page, in its order."""
    items, offset = [], 0
    while True:
        page = server.ok("GET", f"/companies/{company_id}/users?" + query(limit=500, offset=offset, **params))
        items += page["items"]
        offset += len(page["items"])
        if not page["items"] or offset >= page["total"]:
            return {"items": items, "total": page["total"]}


def choose(ui, css: str, value: str):
    from selenium.webdriver.support.ui import Select
    Select(ui.find(css)).select_by_value(value)


def shown_ids(ui) -> list[int]:
    return [int(i) for i in ui.js("return [...document.querySelectorAll('#members-body tr')]"
                                  ".map(tr => tr.getAttribute('data-user-id'));")]


def wait_review(ui, range_text: str, what: str):
    ui.wait(lambda: ui.text("#members-range") == range_text and ui.text("#members-top-range") == range_text,
            f"{what}: {range_text!r} (shown {ui.text('#members-range')!r})")


def test_review_filters_sort_pages_and_exports_exactly_what_is_filtered(ui, server, axe):
    branch, needle = review_company(server)
    everyone = api_review(server, branch["id"])
    total = everyone["total"]
    assert total >= 314

    ui.open()
    ui.sign_in(server.master_key)
    ui.open_tab("companies")
    ui.choose_company(branch["name"], branch["name"])
    wait_review(ui, f"1–100 of {total:,}", "the whole review")
    assert shown_ids(ui) == [m["user_id"] for m in everyone["items"][:100]]
    ui.shot("review-unfiltered")

    # Source: the parent's grant that includes branches.
    choose(ui, "#review-source", "branch")
    by_branch = api_review(server, branch["id"], source="branch")
    assert by_branch["total"] == 21
    wait_review(ui, "1–21 of 21", "the branch-sourced people")
    assert shown_ids(ui) == [m["user_id"] for m in by_branch["items"]]
    assert {tr.get_attribute("data-source") for tr in ui.find_all("#members-body tr")} == {"branch"}
    assert "company=" + branch["id"] in ui.driver.current_url and "source=branch" in ui.driver.current_url
    ui.shot("review-source-branch")
    axe.assert_clean(ui)

    # Role here and source together: the admin grants of this company.
    choose(ui, "#review-source", "grant")
    choose(ui, "#review-role", "admin")
    admins = api_review(server, branch["id"], source="grant", role="admin")
    assert admins["total"] == 32
    wait_review(ui, "1–32 of 32", "the admins by grant")
    assert shown_ids(ui) == [m["user_id"] for m in admins["items"]]
    assert {tr.get_attribute("data-role") for tr in ui.find_all("#members-body tr")} == {"admin"}

    # The export holds exactly the filtered rows, in the review's order.
    ui.find("#export-csv").click()
    ui.wait_text("#export-message", "Exported 32 people")
    rows = read_csv(wait_for_download(ui.downloads, "access-review-*-filtered-*.csv"))
    assert [int(r["user_id"]) for r in rows] == [m["user_id"] for m in admins["items"]]
    assert {(r["access"], r["role_here"]) for r in rows} == {("grant", "admin")}
    ui.shot("review-admins-exported")

    # Super admins through their role.
    choose(ui, "#review-role", "")
    choose(ui, "#review-source", "super_admin")
    supers = api_review(server, branch["id"], source="super_admin")
    assert supers["total"] >= 1
    wait_review(ui, f"1–{supers['total']} of {supers['total']}", "the super admins")
    assert shown_ids(ui) == [m["user_id"] for m in supers["items"]]

    # Name: words of a username or full name.
    choose(ui, "#review-source", "")
    wait_review(ui, f"1–100 of {total:,}", "the source filter lifted")
    box = ui.find("#review-q")
    box.send_keys("quincy zeta")
    wait_review(ui, "1–1 of 1", "the one named")
    assert shown_ids(ui) == [needle["id"]]
    assert api_review(server, branch["id"], q="quincy zeta")["total"] == 1
    assert "name=quincy+zeta" in ui.driver.current_url
    ui.shot("review-by-name")
    ui.find("#review-clear").click()
    wait_review(ui, f"1–100 of {total:,}", "the filters cleared")
    assert ui.focused_id() == "review-q"

    # Sorting: by username up, then down; aria-sort names the order in force.
    header = '#members-table th[data-sort="username"]'
    ui.find(header + " button").click()
    up = api_review(server, branch["id"], sort="username")["items"]
    ui.wait(lambda: shown_ids(ui) == [m["user_id"] for m in up[:100]], "sorted by username, ascending")
    assert ui.find(header).get_attribute("aria-sort") == "ascending"
    ui.find(header + " button").click()
    down = api_review(server, branch["id"], sort="username", order="desc")["items"]
    ui.wait(lambda: shown_ids(ui) == [m["user_id"] for m in down[:100]], "sorted by username, descending")
    assert ui.find(header).get_attribute("aria-sort") == "descending"
    assert [m["user_id"] for m in down] == [m["user_id"] for m in reversed(up)]
    assert not ui.find('#members-table th[data-sort="role"]').get_attribute("aria-sort")
    ui.shot("review-sorted-desc")

    # The jump of the top pager lands on the range of that page, in the order chosen.
    field = ui.find("#members-top-page")
    field.clear()
    field.send_keys("3", ui.Keys.ENTER)
    wait_review(ui, f"201–300 of {total:,}", "page 3")
    assert shown_ids(ui) == [m["user_id"] for m in down[200:300]]
    assert ui.find("#members-page").get_attribute("value") == "3"
    # The bottom pager goes on from there; a page that does not exist is named, not loaded.
    ui.find("#members-next").click()
    wait_review(ui, f"301–{total:,} of {total:,}", "the last page")
    assert shown_ids(ui) == [m["user_id"] for m in down[300:400]]
    field = ui.find("#members-page")
    field.clear()
    field.send_keys("99", ui.Keys.ENTER)
    ui.wait(lambda: "does not exist" in ui.text("#members-range"), "the refused jump")
    assert field.get_attribute("aria-invalid") == "true"
    url = ui.driver.current_url
    assert "sort=username" in url and "order=desc" in url and "page=4" in url, url
    ui.shot("review-last-page")


def test_review_address_opens_the_same_filtered_view_after_a_reload(ui, server):
    branch, _ = review_company(server)
    admins = api_review(server, branch["id"], role="admin", sort="username", order="desc")
    ui.open()
    ui.sign_in(server.master_key)
    ui.open("/manage-user-companies?" + query(company=branch["id"], role="admin", sort="username", order="desc"))
    ui.wait(lambda: ui.visible("#company-view") and ui.text("#company-title") == branch["name"], "the review from the address")
    wait_review(ui, f"1–{admins['total']} of {admins['total']}", "the admins from the address")
    assert shown_ids(ui) == [m["user_id"] for m in admins["items"]]
    assert ui.find("#review-role").get_attribute("value") == "admin"
    assert ui.find('#members-table th[data-sort="username"]').get_attribute("aria-sort") == "descending"
    ui.shot("review-from-address")
    # The audit view with its own filters, from its address; Back returns to the filtered review.
    ui.open("/manage-user-companies?" + query(view="audit", actor="demo", action="access."))
    ui.wait(lambda: ui.visible("#panel-audit"), "the audit view from the address")
    wait_audit(ui, server, "the demo data's access changes", actor="demo", action="access.")
    assert ui.find("#audit-actor").get_attribute("value") == "demo"
    assert ui.find("#audit-action").get_attribute("value") == "access."
    ui.shot("audit-from-address")
    ui.driver.back()
    ui.wait(lambda: ui.visible("#company-view") and ui.text("#company-title") == branch["name"], "Back to the review")
    wait_review(ui, f"1–{admins['total']} of {admins['total']}", "the admins after Back")
    assert ui.find("#review-role").get_attribute("value") == "admin"


# ------------------------------------------------------------------------------------------ audit


def audit_ids(ui) -> list[int]:
    return [int(i) for i in ui.js("return [...document.querySelectorAll('#audit-log-body tr')]"
                                  ".map(tr => tr.getAttribute('data-audit-id'));")]


def api_audit(server, **params) -> dict:
    return server.ok("GET", "/audit?" + query(limit=50, **params))


def wait_audit(ui, server, what: str, **params) -> dict:
    expected = api_audit(server, **params)
    ids = [e["id"] for e in expected["items"]]
    ui.wait(lambda: audit_ids(ui) == ids and (expected["total"] == 0 or ui.text("#audit-log-range").endswith(
        f" of {expected['total']:,}")), f"the audit filtered to {what}")
    return expected


def set_field(ui, css: str, value: str):
    field = ui.find(css)
    field.clear()
    if value:
        field.send_keys(value)


def apply_audit(ui, **fields):
    for name, value in fields.items():
        if name == "action":
            ui.js("const s = document.getElementById('audit-action'); s.value = arguments[0];", value)
        elif name in ("from", "to"):
            # A date field takes its value as the browser's own widget would give it.
            ui.js("document.getElementById(arguments[0]).value = arguments[1];", "audit-" + name, value)
        else:
            set_field(ui, "#audit-" + name, value)
    ui.find("#audit-filters button[type=submit]").click()


def test_audit_filters_page_and_show_exact_times_and_who(ui, server, axe):
    sfx = suffix()
    company = server.create_company(f"Audit Co {sfx}")
    other = server.create_company(f"Audit Other {sfx}")
    admin = server.create_user("boss" + sfx, full_name="Audit Boss")
    worker = server.create_user("worker" + sfx, full_name="Audit Worker")
    server.ok("POST", f"/users/{admin['id']}/companies", {"company_id": company["id"], "role": "admin"}, expect=(201,))
    key = server.create_key("auditor" + sfx, "write")["secret"]
    bound = server.ok("POST", "/keys", {"name": "bound" + sfx, "scope": "write", "user_id": admin["id"]},
                      expect=(201,))["secret"]
    server.ok("POST", f"/users/{worker['id']}/companies", {"company_id": other["id"]}, expect=(201,), key=key)
    server.ok("DELETE", f"/users/{worker['id']}/companies/{other['id']}", key=key)
    server.ok("POST", f"/users/{worker['id']}/companies", {"company_id": company["id"]}, expect=(201,), key=bound)

    ui.open()
    ui.sign_in(server.master_key)
    ui.open_tab("audit")
    everything = wait_audit(ui, server, "nothing")
    assert everything["total"] > 150, "the seeded users give many pages"
    ui.shot("audit-unfiltered")

    # Actor: the key's exact name.
    apply_audit(ui, actor="auditor" + sfx)
    by_key = wait_audit(ui, server, "the key", actor="auditor" + sfx)
    assert by_key["total"] == 2
    assert {e["action"] for e in by_key["items"]} == {"access.grant", "access.revoke"}
    assert "actor=auditor" + sfx in ui.driver.current_url
    # Action, with the actor.
    apply_audit(ui, action="access.grant")
    wait_audit(ui, server, "the key's grants", actor="auditor" + sfx, action="access.grant")
    assert len(audit_ids(ui)) == 1
    ui.shot("audit-actor-action")

    # User, by username: every change about them, whoever made it.
    apply_audit(ui, actor="", action="", user="worker" + sfx)
    about = wait_audit(ui, server, "the worker", user_id=worker["id"])
    assert about["total"] == 4  # created, granted, revoked, granted again
    assert all(("worker" + sfx) in td.text for td in ui.find_all('#audit-log-body td[data-label="User"]'))
    # Company, by name, with the user: the bound key's grant, shown with the user it acts for.
    apply_audit(ui, company=company["name"])
    both = wait_audit(ui, server, "the worker in the company", user_id=worker["id"], company_id=company["id"])
    assert both["total"] == 1 and both["items"][0]["actor_user_id"] == admin["id"]
    ui.wait(lambda: f"for boss{sfx} (#{admin['id']})" in ui.text('#audit-log-body td[data-label="Who"]'),
            "the user a bound key acts for")
    assert ui.text('#audit-log-body td[data-label="Who"]').startswith("bound" + sfx)
    # Exact times: the UTC instant with seconds, and the local time.
    at = both["items"][0]["at"]
    utc = datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    when = ui.find('#audit-log-body td[data-label="When"]')
    assert utc in when.text and when.find_element(ui.By.CSS_SELECTOR, "time").get_attribute("datetime") == utc
    assert ":" + utc[17:19] in when.find_element(ui.By.CSS_SELECTOR, "time").text, "local time with seconds"
    assert "company_id=" + company["id"] in ui.driver.current_url
    ui.shot("audit-user-company")

    # A user or company the server does not know is named beside its field, and nothing is applied.
    apply_audit(ui, company="No such company " + sfx)
    ui.wait_text("#audit-company-error", "No company is named")
    axe.assert_clean(ui)
    assert ui.focused_id() == "audit-company"
    assert audit_ids(ui) == [e["id"] for e in both["items"]]

    # Date range (UTC days, "to" inclusive): today has the changes, tomorrow has none, backwards is refused.
    today = datetime.now(timezone.utc).date()
    apply_audit(ui, company="", user="", actor="auditor" + sfx, **{"from": today.isoformat(), "to": today.isoformat()})
    wait_audit(ui, server, "today", actor="auditor" + sfx, since=f"{today}T00:00:00Z",
               until=f"{today + timedelta(days=1)}T00:00:00Z")
    assert len(audit_ids(ui)) == 2
    tomorrow = (today + timedelta(days=1)).isoformat()
    apply_audit(ui, **{"from": tomorrow, "to": tomorrow})
    ui.wait(lambda: ui.visible("#audit-log-empty") and not audit_ids(ui), "nothing tomorrow")
    apply_audit(ui, **{"from": tomorrow, "to": today.isoformat()})
    ui.wait_text("#audit-dates-error", "before the")
    ui.shot("audit-dates")

    # Paging: the jump lands on the range of that page.
    ui.find("#audit-clear").click()
    wait_audit(ui, server, "nothing again")
    field = ui.find("#audit-log-page")
    field.clear()
    field.send_keys("3", ui.Keys.ENTER)
    page3 = wait_audit(ui, server, "page 3", offset=100)
    assert ui.text("#audit-log-range").startswith(f"101–150 of {page3['total']:,}")
    assert "page=3" in ui.driver.current_url
    ui.find("#audit-log-top-prev").click()
    wait_audit(ui, server, "page 2", offset=50)
    ui.shot("audit-page-2")


def test_a_users_card_and_a_company_review_show_their_own_history(ui, server, axe):
    sfx = suffix()
    company = server.create_company(f"History Co {sfx}")
    user = server.create_user("hist" + sfx, full_name="History Person")
    server.ok("POST", f"/users/{user['id']}/companies", {"company_id": company["id"]}, expect=(201,))

    ui.open()
    ui.sign_in(server.master_key)
    ui.choose_user("hist" + sfx, "hist" + sfx)
    mine = server.ok("GET", f"/audit?user_id={user['id']}&limit=5")
    ui.wait(lambda: [int(li.get_attribute("data-audit-id")) for li in ui.find_all("#user-history-list li")]
            == [e["id"] for e in mine["items"]], "the user's own history")
    assert "Granted access" in ui.text("#user-history-list") and company["name"] in ui.text("#user-history-list")
    ui.shot("user-history")
    axe.assert_clean(ui)
    ui.find("#user-history-all").click()
    ui.wait(lambda: ui.visible("#panel-audit"), "the audit view")
    wait_audit(ui, server, "the user", user_id=user["id"])
    assert ui.find("#audit-user").get_attribute("value") in ("hist" + sfx, f"#{user['id']}")
    assert f"user_id={user['id']}" in ui.driver.current_url

    ui.open_tab("companies")
    ui.choose_company(company["name"], company["name"])
    theirs = server.ok("GET", f"/audit?company_id={company['id']}&limit=5")
    ui.wait(lambda: [int(li.get_attribute("data-audit-id")) for li in ui.find_all("#company-history-list li")]
            == [e["id"] for e in theirs["items"]], "the company's own history")
    assert "hist" + sfx in ui.text("#company-history-list")
    ui.find("#company-history-all").click()
    wait_audit(ui, server, "the company", company_id=company["id"])
    ui.shot("company-history-in-audit")


# ------------------------------------------------------------------------------------------ statistics


def test_a_statistics_bar_opens_its_companys_review_from_the_keyboard(ui, server, axe):
    ui.open()
    ui.sign_in(server.master_key)
    ui.open_tab("stats")
    ui.wait(lambda: len(ui.find_all("#chart-busiest a.bar-link")) >= 2, "the busiest companies' bars")
    busiest = server.ok("GET", "/stats")["busiest_companies"]
    links = ui.find_all("#chart-busiest a.bar-link")
    assert [a.get_attribute("data-company-id") for a in links] == [c["company_id"] for c in busiest]
    target = busiest[1]
    ui.shot("stats-bars")
    axe.assert_clean(ui)
    # Tab from the chart's start reaches the bars; Enter on the second opens its review.
    ui.js("arguments[0].focus();", links[0])
    assert ui.js("return document.activeElement === arguments[0];", links[0]), "a bar takes the keyboard focus"
    ui.press(ui.Keys.TAB)
    assert ui.js("return document.activeElement.getAttribute('data-company-id');") == target["company_id"]
    ui.press(ui.Keys.ENTER)
    ui.wait(lambda: ui.visible("#company-view") and ui.text("#company-title") == target["name"], "the bar's review")
    assert ui.visible("#panel-companies")
    assert "company=" + target["company_id"] in ui.driver.current_url
    total = server.ok("GET", f"/companies/{target['company_id']}/users?limit=1")["total"]
    wait_review(ui, f"1–{min(100, total):,} of {total:,}", "the bar's review")
    ui.shot("stats-bar-opened-review")


def test_a_key_bound_to_a_user_has_no_audit_tab_and_no_histories(ui, server):
    """The audit trail spans every company, so the API refuses it to a bound key: the page does not offer it."""
    sfx = suffix()
    company = server.create_company(f"Delegated Co {sfx}")
    boss = server.create_user("dboss" + sfx)
    worker = server.create_user("dworker" + sfx)
    for user, grant in ((boss, {"company_id": company["id"], "role": "admin"}), (worker, {"company_id": company["id"]})):
        server.ok("POST", f"/users/{user['id']}/companies", grant, expect=(201,))
    key = server.ok("POST", "/keys", {"name": "dkey" + sfx, "scope": "write", "user_id": boss["id"]},
                    expect=(201,))["secret"]
    assert server.call("GET", "/audit?limit=1", key=key).status == 403
    ui.open()
    ui.sign_in(key)
    assert not ui.visible("#tab-audit")
    ui.choose_user("dworker" + sfx, "dworker" + sfx)
    assert not ui.visible("#user-history")
    ui.open_tab("companies")
    ui.choose_company(company["name"], company["name"])
    assert not ui.visible("#company-history")
    assert ui.visible("#review-filters")
    ui.shot("delegate-review-without-history")
