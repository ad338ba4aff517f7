"""Browser tests of issue 13's stable lists, searches that act on what was typed, addresses and sign-in.

Run from the repository root after `cargo build -p company-access`:

    python3 -m pytest -q tests/browser/test_page_stable.py
"""

from __future__ import annotations

import secrets
import time

import pytest


def suffix() -> str:
    return secrets.token_hex(3)


def click_at(ui, x: float, y: float) -> None:
    """A real mouse click at a point of the viewport, whatever is under it by then."""
    for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
        ui.driver.execute_cdp_cmd("Input.dispatchMouseEvent", {
            "type": kind, "x": x, "y": y, "button": "left" if kind != "mouseMoved" else "none", "clickCount": 1,
        })


def centre_of(ui, css: str) -> tuple[float, float]:
    rect = ui.js("var r = document.querySelector(arguments[0]).getBoundingClientRect();"
                 "return [r.left + r.width / 2, r.top + r.height / 2];", css)
    return rect[0], rect[1]


def in_viewport(ui, css: str) -> bool:
    return ui.js("""var r = document.querySelector(arguments[0]).getBoundingClientRect();
        return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight && r.left >= 0 && r.right <= window.innerWidth;""",
                 css)


def live_region_says(ui, needle: str) -> bool:
    return needle in ui.text("#global-status") if ui.exists("#global-status") else False


def row_css(list_id: str, company: str) -> str:
    return f'#{list_id} li[data-company-name="{company}"]'


def grants_of(server, user_id: int) -> dict[str, dict]:
    return server.company_names_of(user_id)


def open_user(ui, server, username: str) -> None:
    ui.open()
    ui.sign_in(server.master_key)
    ui.choose_user(username, username)


# ------------------------------------------------------------------------------ stable lists


def test_two_clicks_600ms_apart_at_the_same_point_grant_one_company(ui, server):
    sfx = suffix()
    user = server.create_user("dbl.click" + sfx, full_name="Double Click")
    open_user(ui, server, user["username"])
    # Companies below the one clicked, so that a list that closed up would slide one under the pointer.
    ui.filter_companies("Branch")
    names = [li.get_attribute("data-company-name") for li in ui.find_all("#available-list > li")]
    assert len(names) >= 2, names
    target = names[0]
    add = row_css("available-list", target) + ' [data-action="add"]'
    ui.js("document.querySelector(arguments[0]).scrollIntoView({block: 'center'});", add)
    x, y = centre_of(ui, add)
    ui.shot("before-double-click")

    click_at(ui, x, y)
    time.sleep(0.6)
    click_at(ui, x, y)

    ui.wait(lambda: target in ui.current_names(), f"{target} granted")
    time.sleep(1.5)  # whatever a second grant would have done, it has done by now
    granted = grants_of(server, user["id"])
    assert set(granted) == {target}, f"exactly one company is granted, not {sorted(granted)}"
    # The row stayed where it was, marked granted, with its Remove in place.
    row = ui.find(row_css("available-list", target))
    assert row.get_attribute("data-granted") == "true"
    assert "Granted" in row.text
    assert ui.find_all('[data-action="remove"]', row), "Remove sits in the granted row"
    assert ui.js("return document.elementFromPoint(arguments[0], arguments[1]).closest('li') "
                 "=== document.querySelector(arguments[2]);", x, y, row_css("available-list", target)), \
        "the row clicked is still under the pointer"
    assert ui.js("return !document.elementFromPoint(arguments[0], arguments[1]).closest('button, input, a');", x, y), \
        "what took the place of Add (the Granted mark) does nothing when clicked"
    ui.shot("after-double-click")


def test_two_clicks_on_make_default_change_the_default_and_nothing_else(ui, server):
    sfx = suffix()
    user = server.create_user("dbl.default" + sfx, full_name="Double Default")
    for name in ("NYC", "LA"):
        server.ok("POST", f"/users/{user['id']}/companies", {"company_id": server.company_by_name(name)["id"]},
                  expect=(201,))
    open_user(ui, server, user["username"])
    make_default = row_css("current-list", "LA") + ' [data-action="default"]'
    ui.js("document.querySelector(arguments[0]).scrollIntoView({block: 'center'});", make_default)
    x, y = centre_of(ui, make_default)
    click_at(ui, x, y)
    time.sleep(0.6)
    click_at(ui, x, y)
    ui.wait_text(row_css("current-list", "LA") + " .row-msg", "is now the default company")
    time.sleep(1.0)
    assert grants_of(server, user["id"])["LA"]["is_default"] is True
    assert ui.visible("#panel-users") and not ui.visible("#panel-companies"), "the second click opened nothing"
    assert ui.js("return !document.elementFromPoint(arguments[0], arguments[1]).closest('button, input, a');", x, y)


def test_feedback_appears_beside_the_row_in_view_and_is_announced(ui, server):
    sfx = suffix()
    user = server.create_user("feedback" + sfx, full_name="Fay Feedback")
    # NYC first, so that the company removed below is not the default (whose removal asks first).
    server.ok("POST", f"/users/{user['id']}/companies", {"company_id": server.company_by_name("NYC")["id"]}, expect=(201,))
    open_user(ui, server, user["username"])
    ui.filter_companies("Branch")
    names = [li.get_attribute("data-company-name") for li in ui.find_all("#available-list > li")]
    last = names[-1]
    ui.js("document.querySelector(arguments[0]).scrollIntoView({block: 'end'});", row_css("available-list", last))
    ui.click_row("#available-list", last, "add")
    message = row_css("available-list", last) + " .row-msg"
    ui.wait_text(message, f"Added {last}")
    assert "msg-success" in ui.find(message).get_attribute("class")
    assert in_viewport(ui, message), "the message is on screen, beside the row acted on"
    ui.wait(lambda: live_region_says(ui, f"Added {last}"), "the message in the live region")
    assert ui.find("#global-status").get_attribute("aria-live") == "polite"
    # The button of the row points at its message, so a screen reader reads it with the button.
    remove = ui.find(row_css("available-list", last) + ' [data-action="remove"]')
    assert remove.get_attribute("aria-describedby") == ui.find(message).get_attribute("id")
    assert ui.driver.switch_to.active_element == remove, "focus stays in the row, on its Remove"
    ui.shot("feedback-beside-row")

    # Removing it from the current list speaks there, and leaves the row in place with an Undo.
    ui.click_row("#current-list", last, "remove")
    current_msg = row_css("current-list", last) + " .row-msg"
    ui.wait_text(current_msg, f"Removed {last}")
    assert in_viewport(ui, current_msg)
    ui.wait(lambda: live_region_says(ui, f"Removed {last}"), "the removal in the live region")
    assert set(grants_of(server, user["id"])) == {"NYC"}
    row = ui.find(row_css("current-list", last))
    assert row.get_attribute("data-removed") == "true" and "Removed" in row.text
    ui.click_row("#current-list", last, "undo")
    ui.wait_text(current_msg, f"Restored {last}")
    assert set(grants_of(server, user["id"])) == {"NYC", last}
    ui.shot("undo-in-place")


def test_the_default_company_is_stated_and_its_removal_asks_first(ui, server):
    sfx = suffix()
    user = server.create_user("default.co" + sfx, full_name="Dee Default")
    open_user(ui, server, user["username"])

    ui.click_row("#available-list", "NYC", "add")
    message = row_css("available-list", "NYC") + " .row-msg"
    text = ui.wait_text(message, "Added NYC")
    assert "now the default company" in text, text
    ui.wait(lambda: "default company" in ui.text("#global-status"), "the default announced")
    assert grants_of(server, user["id"])["NYC"]["is_default"] is True
    ui.click_row("#available-list", "LA", "add")
    ui.wait(lambda: "LA" in ui.current_names(), "LA added")
    assert "default" not in ui.text(row_css("available-list", "LA") + " .row-msg"), "only the first becomes default"

    # Remove on the default asks first; a second click 600 ms later at the same point does not confirm.
    remove = row_css("current-list", "NYC") + ' [data-action="remove"]'
    ui.js("document.querySelector(arguments[0]).scrollIntoView({block: 'center'});", remove)
    x, y = centre_of(ui, remove)
    click_at(ui, x, y)
    warning = row_css("current-list", "NYC") + " .row-msg"
    ui.wait_text(warning, "is the default company")
    assert in_viewport(ui, warning)
    ui.wait(lambda: "is the default company" in ui.text("#global-status"), "the warning announced")
    time.sleep(0.6)
    click_at(ui, x, y)  # lands on "Keep it", which took the place of Remove
    time.sleep(1.0)
    ui.shot("default-removal-asks")
    assert "NYC" in grants_of(server, user["id"]), "a double click does not remove the default company"
    ui.wait_text(warning, "stays the default")

    ui.click_row("#current-list", "NYC", "remove")
    ui.wait_text(warning, "is the default company")
    ui.click_row("#current-list", "NYC", "keep")
    ui.wait_text(warning, "stays the default")
    assert grants_of(server, user["id"])["NYC"]["is_default"] is True

    ui.click_row("#current-list", "NYC", "remove")
    ui.wait_text(warning, "is the default company")
    ui.wait(lambda: ui.find(row_css("current-list", "NYC") + ' [data-action="confirm-remove"]').is_enabled(),
            "Remove anyway armed")
    ui.click_row("#current-list", "NYC", "confirm-remove")
    ui.wait_text(warning, "no default company now")
    assert set(grants_of(server, user["id"])) == {"LA"}
    ui.shot("default-removed")

    # The same question from the add panel, where the granted row keeps its Remove.
    ui.click_row("#current-list", "NYC", "undo")
    ui.wait(lambda: grants_of(server, user["id"]).get("NYC", {}).get("is_default") is True, "NYC the default again")
    ui.wait(lambda: ui.exists(row_css("available-list", "NYC") + ' [data-action="remove"]'), "NYC granted in the add panel")
    ui.click_row("#available-list", "NYC", "remove")
    ui.wait_text(row_css("available-list", "NYC") + " .row-msg", "is the default company")
    assert ui.exists(row_css("available-list", "NYC") + ' [data-action="keep"]')
    assert "NYC" in grants_of(server, user["id"])


# ------------------------------------------------------------------------------ search acts on what was typed


def card_username(ui) -> str | None:
    meta = ui.text("#user-meta") if ui.visible("#user-view") else ""
    for part in meta.split(" · "):
        if part.startswith("Username: "):
            return part.removeprefix("Username: ")
    return None


def wait_for_card(ui, username: str) -> None:
    ui.wait(lambda: card_username(ui) == username and ui.text("#current-title").startswith("Current companies ("),
            f"the card of {username}")


def type_and_enter(ui, text: str) -> None:
    box = ui.find("#user-search")
    box.send_keys(ui.Keys.CONTROL, "a")
    box.send_keys(text + ui.Keys.ENTER)


def slow_network(ui, latency_ms: int) -> None:
    ui.driver.execute_cdp_cmd("Network.enable", {})
    ui.driver.execute_cdp_cmd("Network.emulateNetworkConditions",
                              {"offline": False, "latency": latency_ms, "downloadThroughput": -1, "uploadThroughput": -1})


def test_enter_picks_from_the_results_of_the_text_typed_never_stale_ones(ui, server):
    sfx = suffix()
    target = server.create_user("amir.race" + sfx, full_name="Race Target")
    ui.open()
    ui.sign_in(server.master_key)

    # Typed fast, Enter at once (the search has not even started): the exact username, among thousands
    # of "sarah.*" users that start the same way.
    type_and_enter(ui, "sarah")
    wait_for_card(ui, "sarah")
    assert ui.find("#user-search").get_attribute("value") == "sarah"

    # A slow service: the results of "amir" are still in flight when the box already says the target
    # and Enter is pressed; the card must open the target, not the first "amir" of the stale answer.
    slow_network(ui, 700)
    try:
        box = ui.find("#user-search")
        box.send_keys(ui.Keys.CONTROL, "a")
        box.send_keys("amir")
        time.sleep(0.35)  # past the search delay: the request for "amir" is on its way
        type_and_enter(ui, target["username"])
        wait_for_card(ui, target["username"])
        time.sleep(1.5)  # any stale answer has arrived by now, and changed nothing
        assert card_username(ui) == target["username"]
        assert ui.find("#user-search").get_attribute("value") == target["username"], \
            "the search box and the card name the same user"
        assert ui.text("#user-title") == "Race Target"
        ui.shot("enter-race-slow-network")

        # Results of older text on screen, one highlighted, then more typing and Enter: the highlighted
        # option answered other text, so Enter waits for the new results.
        box.send_keys(ui.Keys.CONTROL, "a")
        box.send_keys("sarah")
        ui.options("#user-results", "#user-search-status", "sarah")
        box.send_keys(ui.Keys.ARROW_DOWN, ui.Keys.ARROW_DOWN)
        box.send_keys(ui.Keys.END, ".bad-extra", ui.Keys.CONTROL, "a")
        type_and_enter(ui, target["username"])
        wait_for_card(ui, target["username"])
        time.sleep(1.0)
        assert card_username(ui) == target["username"]
    finally:
        slow_network(ui, 0)

    # By id, written as the card writes it.
    type_and_enter(ui, "#" + str(server.user_by_username("sarah")["id"]))
    wait_for_card(ui, "sarah")
    assert ui.find("#user-search").get_attribute("value") == "sarah"

    # Words of the full name in any order.
    type_and_enter(ui, "Target Race")
    wait_for_card(ui, target["username"])

    # The company search too: Enter at once opens the exact name.
    ui.open_tab("companies")
    box = ui.find("#company-search")
    box.click()
    box.send_keys("la" + ui.Keys.ENTER)
    wait_for_review(ui, "LA")
    assert box.get_attribute("value") == "LA"


# ------------------------------------------------------------------------------ addresses


def query_of(ui) -> dict[str, str]:
    from urllib.parse import parse_qsl, urlsplit
    url = ui.driver.current_url
    assert ui.server.master_key not in url, "the key is never in the address"
    return dict(parse_qsl(urlsplit(url).query))


def wait_for_review(ui, name: str) -> None:
    ui.wait(lambda: ui.visible("#panel-companies") and ui.visible("#company-view") and ui.text("#company-title") == name
            and "can act in" in ui.text("#company-meta"), f"the access review of {name}")


def test_deep_links_survive_reload_back_and_a_shared_link(ui, server):
    sfx = suffix()
    user = server.create_user("deep.link" + sfx, full_name="Dee Plink")
    nyc = server.company_by_name("NYC")
    ui.open()
    ui.sign_in(server.master_key)
    assert query_of(ui) == {}

    ui.choose_user(user["username"], user["username"])
    assert query_of(ui) == {"user": str(user["id"])}

    ui.open_tab("companies")
    ui.choose_company("NYC", "NYC")
    review = query_of(ui)
    assert review["view"] == "review" and review["company"] == nyc["id"], review

    # Back: the companies tab as it was before the review; Back again: the user's card, the search box naming them.
    ui.driver.back()
    ui.wait(lambda: ui.visible("#panel-companies") and not ui.visible("#company-view"), "the companies tab after Back")
    assert query_of(ui).get("view") == "companies"
    ui.driver.back()
    ui.wait(lambda: ui.visible("#panel-users") and ui.visible("#user-view"), "the users view after Back")
    wait_for_card(ui, user["username"])
    assert ui.find("#user-search").get_attribute("value") == user["username"]
    assert query_of(ui) == {"user": str(user["id"])}

    # Reload: the same user (the key stays in this tab's session, never in the address).
    ui.driver.refresh()
    wait_for_card(ui, user["username"])
    assert ui.visible("#panel-users") and ui.find("#user-search").get_attribute("value") == user["username"]
    ui.shot("deep-link-user-after-reload")

    # Forward (after the reload the history still holds the review), then a reload of the review.
    ui.driver.back()
    ui.wait(lambda: not ui.visible("#user-view"), "no user before the first was opened")
    ui.driver.forward()
    wait_for_card(ui, user["username"])
    ui.driver.forward()
    ui.driver.forward()
    wait_for_review(ui, "NYC")
    ui.driver.refresh()
    wait_for_review(ui, "NYC")
    assert query_of(ui)["company"] == nyc["id"]
    ui.shot("deep-link-review-after-reload")

    # The statistics view has its own address too.
    ui.open_tab("stats")
    assert query_of(ui).get("view") == "stats"
    ui.driver.refresh()
    ui.wait(lambda: ui.visible("#panel-stats"), "the statistics after a reload")
    ui.driver.back()
    wait_for_review(ui, "NYC")

    # A shared link, opened in a tab that has no key yet: sign in, and the link's view opens.
    link = f"/manage-user-companies?company={nyc['id']}"
    ui.js("sessionStorage.clear();")
    ui.open(link)
    ui.sign_in(server.master_key)
    wait_for_review(ui, "NYC")
    link = f"/manage-user-companies?user={user['id']}"
    ui.find("#sign-out").click()
    ui.open(link)
    ui.sign_in(server.master_key)
    wait_for_card(ui, user["username"])
    assert server.master_key not in ui.driver.current_url


def test_an_address_naming_a_missing_user_says_so(ui, server):
    ui.open("/manage-user-companies?user=999999999")
    ui.sign_in(server.master_key)
    ui.wait_text("#user-search-status", "does not exist")
    assert not ui.visible("#user-view")
    assert "user" not in query_of(ui)


# ------------------------------------------------------------------------------ sign-in


def test_a_refused_key_stays_in_the_field_to_be_corrected(ui, server):
    ui.open()
    typo = server.master_key[:-1] + ("0" if server.master_key[-1] != "0" else "1")
    ui.sign_in(typo, expect_app=False)
    ui.wait_text("#signin-error", "not accepted")
    field = ui.find("#api-key")
    assert field.get_attribute("value") == typo, "what was typed is still there"
    assert field.get_attribute("aria-invalid") == "true"
    assert ui.focused_id() == "api-key"
    assert ui.js("var f = document.getElementById('api-key'); return [f.selectionStart, f.selectionEnd];") == \
        [0, len(typo)], "selected, so typing again replaces it"
    assert ui.session_key() is None
    # Correcting the last character is enough.
    field.send_keys(ui.Keys.END, ui.Keys.BACKSPACE, server.master_key[-1], ui.Keys.ENTER)
    ui.wait(lambda: ui.visible("#app"), "signed in after the correction")
    # Signing out, on the other hand, leaves nothing behind.
    ui.find("#sign-out").click()
    ui.wait(lambda: ui.visible("#signin"), "the sign-in form")
    assert ui.find("#api-key").get_attribute("value") == ""


def test_the_page_signs_out_after_the_idle_time_the_server_sets(ui, start_server):
    idle = start_server({"COMPANY_ACCESS_PAGE_IDLE_MINUTES": "0.1"})  # 6 seconds
    page = idle.call("GET", "/manage-user-companies", key=False, raw=True).body.decode()
    assert '<meta name="company-access-idle-seconds" content="6">' in page
    ui.server = idle
    ui.open()
    ui.sign_in(idle.master_key)
    assert ui.session_key() == idle.master_key

    # Input keeps the session: typing for longer than the timeout, a little at a time.
    box = ui.find("#user-search")
    started = time.monotonic()
    while time.monotonic() - started < 8:
        box.send_keys("a")
        time.sleep(1)
    assert ui.visible("#app") and ui.session_key() == idle.master_key

    # Then nothing: a warning first, over the page, then signed out with the key gone.
    ui.wait(lambda: ui.visible("#idle-warning"), "the warning before signing out", timeout=8)
    assert "signed out in" in ui.text("#idle-warning")
    assert ui.js("return getComputedStyle(document.getElementById('idle-warning')).position") == "fixed"
    ui.shot("idle-warning")
    ui.wait(lambda: ui.visible("#signin"), "signed out when idle", timeout=8)
    assert "without input" in ui.text("#signin-info")
    assert ui.session_key() is None
    ui.open()
    ui.wait(lambda: ui.visible("#signin"), "a reload asks for the key again")
    ui.shot("idle-signed-out")


# ------------------------------------------------------------------------------ axe-core


def test_the_users_view_has_no_accessibility_violations(ui, server, axe):
    sfx = suffix()
    user = server.create_user("axe.user" + sfx, full_name="Axel Checked")
    server.ok("POST", f"/users/{user['id']}/companies", {"company_id": server.company_by_name("NYC")["id"]}, expect=(201,))
    ui.open()
    ui.wait(lambda: ui.visible("#signin"), "the sign-in form")
    # The engine really runs: a planted button without a name is found, and is gone again.
    ui.js("var b = document.createElement('button'); b.id = 'axe-probe'; document.querySelector('main').appendChild(b);")
    assert "button-name" in [v["id"] for v in axe.run(ui)]
    ui.js("document.getElementById('axe-probe').remove();")
    axe.assert_clean(ui)
    ui.sign_in(server.master_key)
    # The Users view with a user open: their card, current companies (the default marked), the add panel with
    # a granted row, messages beside rows, and the open search results.
    ui.choose_user(user["username"], user["username"])
    ui.click_row("#available-list", "LA", "add")
    ui.wait_text(row_css("available-list", "LA") + " .row-msg", "Added LA")
    ui.click_row("#current-list", "NYC", "remove")
    ui.wait_text(row_css("current-list", "NYC") + " .row-msg", "is the default company")
    ui.shot("users-view-for-axe")
    axe.assert_clean(ui)
    box = ui.find("#user-search")
    box.send_keys(ui.Keys.CONTROL, "a")
    box.send_keys("sarah")
    ui.options("#user-results", "#user-search-status", "sarah")
    axe.assert_clean(ui)


def test_every_other_view_has_no_accessibility_violations(ui, server, axe):
    ui.open()
    ui.sign_in(server.master_key)
    ui.open_tab("companies")
    ui.wait(lambda: ui.find_all("#tree li"), "the company tree")
    axe.assert_clean(ui)
    ui.choose_company("NYC", "NYC")
    ui.shot("review-for-axe")
    axe.assert_clean(ui)
    ui.open_tab("stats")
    ui.wait(lambda: ui.find_all("#chart-per-user svg rect.bar"), "the statistics")
    axe.assert_clean(ui)
    ui.open_tab("audit")
    ui.wait(lambda: ui.find_all("#panel-audit tbody tr"), "the audit trail")
    ui.shot("audit-for-axe")
    axe.assert_clean(ui)
