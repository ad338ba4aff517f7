"""Real-browser tests of the web page /manage-user-companies (issue 4).

Run from the repository root after `cargo build -p company-access`:

    python3 -m pytest tests/browser -v

Screenshots of every step land in tests/artifacts/browser/.
"""

from __future__ import annotations

import csv
import io
import re
import time
from pathlib import Path

import pytest

from conftest import suffix, wait_for_download


CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
STATIC = Path(__file__).resolve().parents[2] / "api" / "static"


def read_csv(path: Path) -> list[list[str]]:
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


# ------------------------------------------------------------------------------ served as specified


def test_page_and_assets_are_served_under_a_strict_csp(server):
    page = server.call("GET", "/manage-user-companies", key=False, raw=True)
    assert page.status == 200
    assert page.headers.get("Content-Type", "").startswith("text/html")
    assert page.headers.get("Content-Security-Policy") == CSP
    html = page.body.decode()
    assert html == (STATIC / "manage-user-companies.html").read_text(), "the binary serves a stale copy of the page"

    for asset, kind in (("manage.js", "javascript"), ("manage.css", "text/css")):
        res = server.call("GET", "/assets/" + asset, key=False, raw=True)
        assert res.status == 200, asset
        assert kind in res.headers.get("Content-Type", ""), (asset, res.headers.get("Content-Type"))
        assert res.body.decode() == (STATIC / asset).read_text(), f"the binary serves a stale {asset}"

    # What the CSP would block anyway, checked at the source so it never reaches a browser.
    assert not re.search(r"\sstyle\s*=", html), "inline style attribute"
    assert not re.search(r"\son[a-z]+\s*=", html, re.I), "inline event handler"
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    script = (STATIC / "manage.js").read_text()
    for banned in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert banned not in script, banned
    assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", script), "the page must call the API with relative URLs"


# ------------------------------------------------------------------------------ the seed's scenario


def test_sarah_gets_nyc_and_la_among_thousands_of_users(ui, server):
    sarah = server.user_by_username("sarah")
    assert server.company_names_of(sarah["id"]) == {}
    total_users = server.ok("GET", "/users?limit=1")["total"]
    assert total_users >= 2000, "the search must be exercised among thousands of users"

    ui.open()
    assert ui.focused_id() == "api-key", "the key field has focus, ready to paste"
    ui.shot("sign-in")
    ui.sign_in(server.master_key)
    assert ui.session_key() == server.master_key
    assert "admin" in ui.text("#session-label")
    assert not ui.visible("#scope-banner"), "a write key sees no read-only warning"

    # Find sarah among the thousands: debounced search, a listbox of at most 20, keyboard only.
    started = time.monotonic()
    ui.find("#user-search").send_keys("sarah")
    ui.wait(lambda: len(ui.find_all("#user-results [role=option]")) == 20, "20 matches for 'sarah'")
    assert time.monotonic() - started < 3, "searching thousands of users must feel instant"
    status = ui.wait_text("#user-search-status", "Keep typing")
    assert re.search(r"Showing 20 of [\d,]+ users", status), status
    assert ui.find("#user-search").get_attribute("aria-expanded") == "true"
    ui.shot("search-sarah")
    ui.choose_user("sarah", "sarah")
    assert ui.find("#user-results").is_displayed() is False
    assert "sarah" in ui.text("#user-meta")
    assert "no companies yet" in ui.text("#current-empty")
    ui.shot("sarah-selected")

    # Add NYC and LA: one click each; the list updates in place.
    ui.click_row("#available-list", "NYC", "add")
    ui.wait(lambda: "NYC" in ui.current_names(), "NYC in sarah's companies")
    ui.wait_text('#available-list li[data-company-name="NYC"] .row-msg', "Added NYC")
    ui.click_row("#available-list", "LA", "add")
    ui.wait(lambda: "LA" in ui.current_names(), "LA in sarah's companies")
    assert "Granted" in ui.available_row("NYC").text, "a granted company keeps its row in the add list, marked"
    granted = server.company_names_of(sarah["id"])
    assert set(granted) == {"NYC", "LA"}
    assert ui.text("#current-title") == "Current companies (2)"
    row = ui.current_row("NYC")
    assert "granted by" in row.text and granted["NYC"]["granted_by"] in row.text
    assert ui.find("time", row).get_attribute("datetime") == granted["NYC"]["granted_at"]
    ui.shot("nyc-and-la-added")

    # Remove LA with one click, then undo in place: it is back.
    ui.click_row("#current-list", "LA", "remove")
    ui.wait(lambda: "LA" not in ui.current_names(), "LA removed from the list")
    ui.wait_text('#current-list li[data-company-name="LA"] .row-msg', "Removed LA")
    assert ui.js("return document.activeElement.getAttribute('data-action')") == "undo", \
        "focus moves to Undo so a keyboard user can take it back"
    assert set(server.company_names_of(sarah["id"])) == {"NYC"}, "the DELETE happened"
    ui.shot("la-removed-undo-offered")
    ui.click_row("#current-list", "LA", "undo")
    ui.wait(lambda: "LA" in ui.current_names(), "LA restored")
    ui.wait_text('#current-list li[data-company-name="LA"] .row-msg', "Restored LA")
    assert set(server.company_names_of(sarah["id"])) == {"NYC", "LA"}
    ui.shot("la-restored")

    # Make LA the default company.
    ui.click_row("#current-list", "LA", "default")
    ui.wait(lambda: "Default" in ui.current_row("LA").text, "LA marked default")
    assert server.company_names_of(sarah["id"])["LA"]["is_default"] is True
    assert not ui.find_all("[data-action=default]", ui.current_row("LA")), "no 'make default' on the default"

    # Somebody else grants Main Office behind the page's back; adding it here says so, beside the row.
    main_office = server.company_by_name("Main Office")
    server.ok("POST", f"/users/{sarah['id']}/companies", {"company_id": main_office["id"]}, expect=(201,))
    ui.click_row("#available-list", "Main Office", "add")
    message = ui.wait_text('#available-list li[data-company-name="Main Office"] .row-msg',
                           "User already has access to this company")
    assert "msg-error" in ui.find('#available-list li[data-company-name="Main Office"] .row-msg').get_attribute("class")
    ui.wait(lambda: "Main Office" in ui.current_names(), "the list catches up with the server")
    assert "Granted" in ui.available_row("Main Office").text, message
    ui.shot("already-has-access")

    # Several at once: tick two companies, one click on "Add selected".
    for name in ("Branch_A", "Branch_B"):
        ui.find(f'#available-list li[data-company-name="{name}"] input[type=checkbox]').click()
    assert ui.text("#add-selected") == "Add selected (2)"
    ui.find("#add-selected").click()
    ui.wait(lambda: {"Branch_A", "Branch_B"} <= set(ui.current_names()), "both added")
    ui.wait_text("#add-selected-message", "Added")
    assert set(server.company_names_of(sarah["id"])) == {"NYC", "LA", "Main Office", "Branch_A", "Branch_B"}
    ui.shot("added-selected")

    # Statistics: an inline SVG chart with bars, and the audit trail of what just happened.
    ui.open_tab("stats")
    ui.wait(lambda: len(ui.find_all("#chart-per-user svg rect.bar")) >= 2, "the companies-per-user histogram")
    ui.wait(lambda: len(ui.find_all("#chart-busiest svg rect.bar")) >= 2, "the busiest-companies chart")
    stats = server.ok("GET", "/stats")
    figures = ui.text("#stats-figures")
    assert f"{stats['users']:,}" in figures
    bars = {int(b.get_attribute("data-companies")): int(b.get_attribute("data-users"))
            for b in ui.find_all("#chart-per-user svg rect.bar")}
    for bucket in stats["companies_per_user"]:
        assert bars[bucket["companies"]] == bucket["users"]
    assert ui.find("#chart-per-user svg").get_attribute("role") == "img"
    ui.wait(lambda: len(ui.find_all("#audit-body tr")) == min(20, server.ok("GET", "/audit?limit=1")["total"]),
            "the audit trail")
    audit_text = ui.text("#audit-body")
    assert "Granted access" in audit_text and "Removed access" in audit_text
    ui.wait(lambda: "sarah" in ui.text("#audit-body"), "user names resolved in the audit trail")
    ui.shot("statistics")

    # The company view: who can act in NYC, exported as CSV built in the page.
    ui.open_tab("companies")
    ui.choose_company("NYC", "NYC")
    members = ui.text("#members-body")
    assert "sarah" in members and "admin" in members, "grants and super admins are both listed"
    ui.find("#export-csv").click()
    ui.wait(lambda: ui.visible("#csv-link"), "the CSV link")
    ui.wait_text("#export-message", "Exported")
    assert ui.find("#csv-link").get_attribute("href").startswith("blob:")
    download = wait_for_download(ui.downloads, "access-review-nyc-*.csv")
    rows = read_csv(download)
    header, body = rows[0], rows[1:]
    assert header[:5] == ["company_id", "company", "user_id", "username", "full_name"]
    review = server.ok("GET", f"/companies/{server.company_by_name('NYC')['id']}/users?limit=500")
    assert len(body) == review["total"] == int(ui.find("#csv-link").get_attribute("data-rows"))
    by_user = {r[3]: dict(zip(header, r)) for r in body}
    assert by_user["sarah"]["access"] == "grant" and by_user["sarah"]["granted_by"]
    assert by_user["admin"]["access"] == "super_admin"
    ui.shot("company-view-exported")

    # The key was only ever sent in a header: never in a URL the browser fetched.
    urls = ui.js("return performance.getEntriesByType('resource').map(e => e.name).concat([location.href]);")
    assert not [u for u in urls if server.master_key in u]

    # Sign out: the key is gone from the session and the sign-in form is back.
    ui.find("#sign-out").click()
    ui.wait(lambda: ui.visible("#signin") and not ui.visible("#app"), "the sign-in form")
    assert ui.session_key() is None
    assert ui.js("return sessionStorage.length") == 0
    assert ui.find("#api-key").get_attribute("value") == ""
    assert "signed out" in ui.text("#signin-info").lower()
    ui.open()
    ui.wait(lambda: ui.visible("#signin"), "still signed out after a reload")
    ui.shot("signed-out")


# ------------------------------------------------------------------------------ scopes


def test_read_only_key_sees_everything_and_changes_nothing(ui, server):
    viewer = server.create_key("viewer-" + suffix(), "read")
    ui.open()
    ui.sign_in(viewer["secret"])
    banner = ui.wait_text("#scope-banner", "Read-only")
    assert "read scope" in banner and "write" in banner, banner
    assert "(read)" in ui.text("#session-label")

    ui.choose_user("john", "john_smith")
    assert set(ui.current_names()) == {"Main Office", "Branch Office", "Regional HQ"}
    assert not ui.find_all("#user-view [data-action=remove]"), "no remove buttons for a read key"
    assert not ui.find_all("#user-view [data-action=default]")
    assert not ui.visible("#add-section"), "no add panel for a read key"
    ui.shot("read-only-user")

    # A super admin says they can act in every company.
    ui.choose_user("admin", "admin")
    notice = ui.wait_text("#user-superadmin", "can act in every company")
    assert "super admin" in notice
    ui.shot("read-only-super-admin")

    ui.open_tab("stats")
    ui.wait(lambda: ui.find_all("#chart-per-user svg rect.bar"), "the chart for a read key")


def test_check_only_key_is_told_it_cannot_read_users(ui, server):
    checker = server.create_key("checker-" + suffix(), "check")
    ui.open()
    ui.sign_in(checker["secret"])
    banner = ui.wait_text("#scope-banner", "cannot read users")
    assert "check" in banner
    assert not ui.visible("#tabs") and not ui.visible("#panel-users")
    assert ui.focused_id() == "sign-out"
    ui.shot("check-only")


def test_wrong_key_is_refused_and_a_good_one_survives_a_reload(ui, server):
    ui.open()
    ui.sign_in("not-a-real-key-" + suffix(), expect_app=False)
    ui.wait_text("#signin-error", "not accepted")
    assert ui.find("#api-key").get_attribute("aria-invalid") == "true"
    assert ui.session_key() is None
    ui.shot("wrong-key")

    ui.sign_in(server.master_key)
    ui.open()  # a reload keeps the session (sessionStorage), without asking again
    ui.wait(lambda: ui.visible("#app"), "the page after a reload")
    assert ui.session_key() == server.master_key


# ------------------------------------------------------------------------------ errors


def test_errors_show_beside_what_failed_and_nothing_is_half_done(ui, server):
    sfx = suffix()
    pat = server.create_user("pat.errors" + sfx, full_name="Pat Errors")
    doomed = server.create_company("Closing Down " + sfx)

    ui.open()
    ui.sign_in(server.master_key)
    ui.choose_user("pat.errors" + sfx, "pat.errors" + sfx)
    ui.filter_companies("Closing Down " + sfx)

    # The company is deleted meanwhile: the 404's detail shows beside it, nothing was added.
    server.ok("DELETE", f"/companies/{doomed['id']}", expect=(204,))
    ui.click_row("#available-list", "Closing Down " + sfx, "add")
    ui.wait_text(f'#available-list li[data-company-name="Closing Down {sfx}"] .row-msg', "Company not found")
    assert server.company_names_of(pat["id"]) == {}
    ui.shot("company-deleted-meanwhile")

    # The connection drops: a clear message beside the row, and nothing changed on the server.
    ui.filter_companies("NYC")
    ui.driver.execute_cdp_cmd("Network.enable", {})
    ui.driver.execute_cdp_cmd("Network.emulateNetworkConditions",
                              {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
    try:
        ui.click_row("#available-list", "NYC", "add")
        ui.wait_text('#available-list li[data-company-name="NYC"] .row-msg', "Could not reach the server")
        ui.shot("connection-lost")
    finally:
        ui.driver.execute_cdp_cmd("Network.emulateNetworkConditions",
                                  {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
    assert server.company_names_of(pat["id"]) == {}
    assert ui.current_names() == []

    # Back online, the same button works, by keyboard alone (focus stayed on it).
    button = ui.available_row("NYC").find_element(ui.By.CSS_SELECTOR, "[data-action=add]")
    assert ui.js("return document.activeElement === arguments[0];", button), "focus stays beside the failure"
    ui.press(ui.Keys.ENTER)
    ui.wait(lambda: ui.current_names() == ["NYC"], "NYC added after the connection came back")
    assert set(server.company_names_of(pat["id"])) == {"NYC"}

    # Removing something another admin already removed: clear message, list corrected.
    server.ok("DELETE", f"/users/{pat['id']}/companies/{server.company_by_name('NYC')['id']}", expect=(204,))
    ui.click_row("#current-list", "NYC", "remove")
    ui.wait_text('#current-list li[data-company-name="NYC"] .row-msg', "is the default company")
    ui.wait(lambda: ui.find('#current-list [data-action="confirm-remove"]').is_enabled(), "Remove anyway armed")
    ui.click_row("#current-list", "NYC", "confirm-remove")
    ui.wait_text('#current-list li[data-company-name="NYC"] .row-msg', "already removed")
    ui.wait(lambda: ui.current_names() == [], "the list corrected")
    ui.shot("already-removed")

    # The key is revoked while the page is open: the next call signs out and says why.
    temp = server.create_key("temp-writer-" + sfx, "write")
    ui.find("#sign-out").click()
    ui.sign_in(temp["secret"])
    ui.choose_user("pat.errors" + sfx, "pat.errors" + sfx)
    server.ok("DELETE", f"/keys/{temp['id']}", expect=(204,))
    ui.click_row("#available-list", "LA", "add")
    ui.wait(lambda: ui.visible("#signin"), "signed out after the key was revoked")
    assert "no longer accepted" in ui.text("#signin-error")
    assert ui.session_key() is None
    ui.shot("key-revoked")


def test_a_removed_company_keeps_its_place_until_another_user_is_opened(ui, server):
    sfx = suffix()
    lee = server.create_user("lee.undo" + sfx, full_name="Lee Undo")
    for name in ("LA", "NYC"):
        company = server.company_by_name(name)
        server.ok("POST", f"/users/{lee['id']}/companies", {"company_id": company["id"]}, expect=(201,))
    ui.open()
    ui.sign_in(server.master_key)
    ui.choose_user("lee.undo" + sfx, "lee.undo" + sfx)
    ui.click_row("#current-list", "NYC", "remove")
    ui.wait(lambda: ui.exists('#current-list li[data-removed="true"][data-company-name="NYC"]'), "NYC marked removed")
    assert set(server.company_names_of(lee["id"])) == {"LA"}, "the removal is real at once"
    assert ui.current_names() == ["LA"]
    ui.choose_user("lee.undo" + sfx, "lee.undo" + sfx)
    ui.wait(lambda: not ui.exists('#current-list li[data-removed]'), "the next visit lists what the user has")
    assert ui.current_names() == ["LA"]


# ------------------------------------------------------------------------------ access review CSV


def test_access_review_exports_every_page_with_safe_csv(ui, server):
    sfx = suffix()
    company = server.create_company(f"Audit Review {sfx}")
    evil = server.create_user("@mallory" + sfx, full_name='=HYPERLINK("http://evil.example","click"), Doe')
    xss = server.create_user("xss" + sfx, full_name='<img src=x onerror="window.__xss=1">')
    members = server.extra_user_ids[:620] + [evil["id"], xss["id"]]
    server.ok("POST", "/access/bulk", {"user_ids": members, "company_ids": [company["id"]]})
    total = server.ok("GET", f"/companies/{company['id']}/users?limit=1")["total"]
    assert total >= len(members)

    ui.open()
    ui.sign_in(server.master_key)
    ui.open_tab("companies")
    ui.choose_company("Audit Review " + sfx, f"Audit Review {sfx}")
    assert ui.text("#members-range") == f"1–100 of {total:,}"
    ui.find("#members-next").click()
    ui.wait(lambda: ui.text("#members-range").startswith("101–200"), "page 2 of the review")
    ui.shot("review-page-2")

    # Names are shown as text, never parsed as HTML.
    assert ui.js("return window.__xss === undefined;")

    ui.find("#export-csv").click()
    ui.wait_text("#export-message", "Exported", timeout=30)
    download = wait_for_download(ui.downloads, f"access-review-audit-review-{sfx}-*.csv")
    raw = download.read_bytes().decode("utf-8-sig")
    assert "\r\n" in raw
    rows = read_csv(download)
    header, body = rows[0], rows[1:]
    assert len(body) == total, "every page of the review is in the file"
    assert len({r[2] for r in body}) == total, "no one twice"
    by_id = {int(r[2]): dict(zip(header, r)) for r in body}
    assert by_id[evil["id"]]["full_name"] == "'" + '=HYPERLINK("http://evil.example","click"), Doe'
    assert by_id[evil["id"]]["username"] == "'@mallory" + sfx
    assert '"\'=HYPERLINK(""http://evil.example"",""click""), Doe"' in raw, "quotes doubled inside a quoted cell"
    assert by_id[xss["id"]]["full_name"] == '<img src=x onerror="window.__xss=1">'
    ui.shot("review-exported")

    # The XSS user's name appears as plain text in the page.
    ui.open_tab("users")
    ui.choose_user("xss" + sfx, "xss" + sfx)
    assert ui.text("#user-title") == '<img src=x onerror="window.__xss=1">'
    assert not ui.find_all("#main img")
    assert ui.js("return window.__xss === undefined;")


# ------------------------------------------------------------------------------ phone and keyboard


def test_phone_width_has_no_horizontal_scroll_and_works_by_keyboard(ui, server):
    ui.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                              {"width": 375, "height": 812, "deviceScaleFactor": 2, "mobile": True})
    ui.open()

    def fits(step: str):
        scroll_width, inner_width = ui.no_horizontal_scroll()
        assert inner_width == 375
        assert scroll_width <= inner_width, f"horizontal scroll at {step}: {scroll_width}px > {inner_width}px"
        ui.shot(step)

    fits("phone-sign-in")
    ui.sign_in(server.master_key)
    fits("phone-signed-in")

    ui.choose_user("john", "john_smith")
    fits("phone-user")

    # Tabs by keyboard: focus the active tab, arrow right to Companies.
    ui.find("#tab-users").send_keys(ui.Keys.ARROW_RIGHT)
    ui.wait(lambda: ui.visible("#panel-companies") and ui.focused_id() == "tab-companies", "the companies tab")
    ui.choose_company("Main", "Main Office")
    fits("phone-company")

    ui.find("#tab-companies").send_keys(ui.Keys.ARROW_RIGHT)
    ui.wait(lambda: ui.visible("#panel-stats") and ui.focused_id() == "tab-stats", "the statistics tab")
    ui.wait(lambda: ui.find_all("#chart-busiest svg rect.bar"), "the charts")
    svg_width = ui.js("return document.querySelector('#chart-busiest svg').getBoundingClientRect().width;")
    assert svg_width <= 375
    fits("phone-stats")


def test_controls_are_labelled_for_screen_readers(ui, server):
    ui.open()
    ui.sign_in(server.master_key)
    ui.choose_user("john", "john_smith")
    unlabelled = ui.js("""
        const bad = [];
        for (const el of document.querySelectorAll('input, button, select, [role=combobox]')) {
          if (el.closest('[hidden]')) continue;
          const name = (el.labels && el.labels.length ? el.labels[0].textContent : '')
            || el.getAttribute('aria-label') || (el.getAttribute('aria-labelledby') ? 'x' : '')
            || el.textContent;
          if (!name.trim()) bad.push(el.outerHTML.slice(0, 120));
        }
        return bad;""")
    assert unlabelled == []
    assert ui.find("#global-status").get_attribute("aria-live") == "polite"
    assert ui.find("#user-search").get_attribute("role") == "combobox"
    assert ui.find("#user-results").get_attribute("role") == "listbox"
    assert ui.find("#tabs").get_attribute("role") == "tablist"
    # Every action button names the company it acts on ("Remove Main Office"), not just "Remove".
    names = ui.js("""return [...document.querySelectorAll('#current-list [data-action=remove]')]
                      .map(b => b.textContent.replace(/\\s+/g, ' ').trim());""")
    assert "Remove Main Office" in names, names


def test_new_grants_take_the_role_dates_and_branches_chosen(ui, server):
    name = "terms_" + suffix()
    user = server.create_user(name, role="hr_manager")
    ui.open()
    ui.sign_in(server.master_key)
    ui.choose_user(name, name)
    ui.find("#grant-terms summary").click()
    ui.js("document.getElementById('grant-role').value = 'finance_manager';")
    ui.js("document.getElementById('grant-until').value = '2031-06-30';")
    ui.find("#grant-branches").click()
    ui.click_row("#available-list", "NYC", "add")
    ui.wait(lambda: "NYC" in ui.current_names(), "NYC in the user's companies")
    grant = server.company_names_of(user["id"])["NYC"]
    assert grant["granted_role"] == "finance_manager", grant
    assert grant["valid_until"] == "2031-06-30T00:00:00Z", grant
    assert grant["include_branches"] is True, grant
    row = ui.current_row("NYC")
    assert "As Finance manager" in row.text and "until" in row.text, row.text
    ui.shot("grant-with-terms")


def test_a_key_bound_to_a_user_sees_only_the_companies_they_administer(ui, server):
    name = "branch_admin_" + suffix()
    admin = server.create_user(name, role="hr_manager")
    for company in ("NYC", "LA"):
        company_id = server.company_by_name(company)["id"]
        server.ok("POST", f"/users/{admin['id']}/companies", {"company_id": company_id, "role": "admin"},
                  expect=(201,))
    key = server.ok("POST", "/keys", {"name": "page-" + name, "scope": "write", "user_id": admin["id"]},
                    expect=(201,))
    employee = server.create_user("staff_" + suffix())
    ui.open()
    ui.sign_in(key["secret"])
    assert "acting for " + name in ui.text("#session-label")
    banner = ui.wait_text("#scope-banner", "You manage the companies")
    assert name in banner, banner
    assert not ui.visible("#tab-stats"), "statistics cover every company: no tab for a bound key"

    # john works in three companies, none of them this administrator's: none is shown.
    ui.choose_user("john", "john_smith")
    ui.wait(lambda: ui.find_all("#available-list > li"), "the companies to add")
    assert ui.current_names() == []
    available = {li.get_attribute("data-company-name") for li in ui.find_all("#available-list > li")}
    assert available == {"NYC", "LA"}, available

    ui.choose_user(employee["username"], employee["username"])
    ui.click_row("#available-list", "LA", "add")
    ui.wait(lambda: "LA" in ui.current_names(), "LA granted by the delegated administrator")
    entry = server.ok("GET", "/audit?action=access.grant&limit=1")["items"][0]
    assert entry["actor_user_id"] == admin["id"], entry
    ui.shot("delegated-admin")


def test_the_company_tree_shows_branches_under_their_parent_and_opens_their_review(ui, server):
    parent = server.create_company("Tree HQ " + suffix())
    branch = server.ok("POST", "/companies", {"name": "Tree Branch " + suffix(), "parent_id": parent["id"]},
                       expect=(201,))
    ui.open()
    ui.sign_in(server.master_key)
    ui.open_tab("companies")
    node = f'#tree li[data-company-id="{parent["id"]}"]'
    ui.wait(lambda: ui.exists(node), "the parent in the tree")
    assert "1 branch" in ui.text(node), ui.text(node)
    branch_node = f'#tree li[data-company-id="{branch["id"]}"]'
    assert not ui.visible(branch_node), "branches stay folded until asked for"
    toggle = ui.find(node + " > .tree-toggle")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert toggle.get_attribute("aria-label") == "Branches of " + parent["name"]
    toggle.click()
    ui.wait(lambda: ui.visible(branch_node), "the branch under its parent")
    assert toggle.get_attribute("aria-expanded") == "true"
    ui.find(branch_node + ' [data-action="open"]').click()
    ui.wait(lambda: ui.text("#company-title") == branch["name"], "the branch's access review")
    ui.shot("company-tree")


def test_a_csv_file_is_checked_line_by_line_before_anything_is_imported(ui, server, tmp_path):
    name = "csv_" + suffix()
    user = server.create_user(name)
    ui.open()
    ui.sign_in(server.master_key)
    ui.open_tab("companies")
    # A file with one bad line: refused, the line named and shown as written, beside what the good line
    # would do; nothing imported.
    bad = tmp_path / "bad.csv"
    bad.write_text(f"username,company,role\n{name},NYC,employee\n{name},Nowhere Inc,admin\n")
    ui.find("#import-file").send_keys(str(bad))
    message = ui.wait_text("#import-message", "was not imported")
    assert "bad.csv" in message and "the other line would add 1 and change 0" in message, message
    rows = ui.wait(lambda: ui.find_all("#import-body tr"), "the lines to fix")
    assert len(rows) == 2, [r.text for r in rows]
    assert "Add" in rows[0].text and "NYC: as employee" in rows[0].text, rows[0].text
    assert "Refused" in rows[1].text and "line 3" in rows[1].text, rows[1].text
    assert f"{name},Nowhere Inc,admin" in rows[1].text, rows[1].text
    assert not ui.visible("#import-apply")
    assert server.company_names_of(user["id"]) == {}

    # A good file, dropped: the dry run's report first, and still nothing written.
    good = f"username,company,role,valid_until\n{name},NYC,employee,2031-01-01T00:00:00Z\n{name},LA,,\n"
    ui.js("""
        const data = new DataTransfer();
        data.items.add(new File([arguments[0]], 'grants.csv', {type: 'text/csv'}));
        document.getElementById('import-drop').dispatchEvent(new DragEvent('drop', {dataTransfer: data, bubbles: true}));
    """, good)
    message = ui.wait_text("#import-message", "2 to add")
    assert "grants.csv: 2 lines" in message and "Nothing has been written yet" in message, message
    rows = ui.find_all("#import-body tr")
    assert [r.find_element(ui.By.CSS_SELECTOR, "td").text for r in rows] == ["2", "3"], [r.text for r in rows]
    assert "NYC: as employee, until 2031-01-01T00:00:00Z" in rows[0].text and "Add" in rows[0].text, rows[0].text
    assert server.company_names_of(user["id"]) == {}, "a dry run writes nothing"
    ui.shot("import-dry-run")

    apply = ui.find("#import-apply")
    assert apply.text == "Import 2 changes"
    apply.click()
    ui.wait_text("#import-message", "Imported grants.csv: 2 added")
    grants = server.company_names_of(user["id"])
    assert set(grants) == {"NYC", "LA"}, grants
    assert grants["NYC"]["granted_role"] == "employee" and grants["NYC"]["valid_until"] == "2031-01-01T00:00:00Z"
    assert not ui.visible("#import-report")
    ui.shot("import-done")


def test_the_focus_ring_and_button_borders_stand_out_three_to_one(ui, server):
    ui.open()
    ui.sign_in(server.master_key)
    ui.choose_user("john", "john_smith")
    ratios = ui.js("""
        function channels(color) {
          if (color.startsWith('#')) return [1, 3, 5].map(i => parseInt(color.slice(i, i + 2), 16));
          return color.match(/[0-9.]+/g).slice(0, 3).map(Number);
        }
        function luminance(color) {
          const [r, g, b] = channels(color.trim()).map(v => {
            v /= 255;
            return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
          });
          return 0.2126 * r + 0.7152 * g + 0.0722 * b;
        }
        function contrast(a, b) {
          const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
          return (hi + 0.05) / (lo + 0.05);
        }
        const ring = getComputedStyle(document.documentElement).getPropertyValue('--focus');
        const page = getComputedStyle(document.body).backgroundColor;
        const header = getComputedStyle(document.querySelector('.site-header')).backgroundColor;
        const border = css => getComputedStyle(document.querySelector(css)).borderTopColor;
        return {
          'focus ring on a card': contrast(ring, '#ffffff'),
          'focus ring on the page': contrast(ring, page),
          'focus ring on the header': contrast(ring, header),
          'Remove border': contrast(border('#current-list [data-action=remove]'), '#ffffff'),
          'Access review border': contrast(border('#current-list [data-action=review]'), '#ffffff'),
          'button border': contrast(border('#tree-refresh'), '#ffffff'),
        };""")
    low = {name: round(ratio, 2) for name, ratio in ratios.items() if ratio < 3}
    assert low == {}, ratios
