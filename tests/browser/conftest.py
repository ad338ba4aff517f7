"""Fixtures for the real-browser tests of /manage-user-companies.

* ``server``: the REAL ``company-access serve --demo`` binary on a free port with a fresh SQLite database,
  plus a few thousand extra users so that "find a user among thousands" is real.
* ``ui``: a fresh headless Debian Chromium (through /usr/bin/chromedriver, never selenium-manager) and
  helpers to drive the page; every step can be saved as a screenshot in tests/artifacts/browser/.

Without Chromium/chromedriver (or selenium, or the server binary) the tests skip with a clear reason,
unless CI=true, where they fail instead.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import queue
import re
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

# Never let selenium-manager go looking for drivers on the network.
os.environ.setdefault("SE_OFFLINE", "true")
os.environ.setdefault("SE_AVOID_STATS", "true")

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "tests" / "artifacts" / "browser"
CHROMIUM = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER_BIN", "/usr/bin/chromedriver")
IN_CI = os.environ.get("CI", "").strip().lower() == "true"
EXTRA_USERS = int(os.environ.get("BROWSER_TEST_USERS", "2500"))
KEY_STORAGE = "companyAccess.apiKey"

CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,900",
    "--no-proxy-server",
    "--disable-dev-shm-usage",
    "--lang=en-US",
]

FIRST_NAMES = ["Sarah", "Amir", "Chen", "Dana", "Elena", "Farid", "Grace", "Hiro", "Ines", "Kofi",
               "Lena", "Mateo", "Nora", "Omar", "Priya", "Rosa", "Sven", "Tariq", "Uma", "Viktor"]
LAST_NAMES = ["Adams", "Baker", "Costa", "Diaz", "Evans", "Fischer", "Garcia", "Haddad", "Ito", "Jensen",
              "Kim", "Lopez", "Moreau", "Nagy", "Okafor", "Patel", "Quinn", "Rossi", "Silva", "Tanaka",
              "Usman", "Varga", "Weber", "Xu", "Yilmaz", "Zhang"]


def unavailable(reason: str) -> None:
    """Skips locally; fails under CI=true, where a missing prerequisite is a broken pipeline."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true, so this fails instead of skipping)", pytrace=False)
    pytest.skip(reason)


# ------------------------------------------------------------------------------------ test helpers
# Shared by the test files (`from conftest import suffix, wait_for_download`).


def suffix() -> str:
    """A short random tail for names, so each test's companies and users are its own on the shared server."""
    return secrets.token_hex(3)


def wait_for_download(folder: Path, pattern: str, timeout: float = 30) -> Path:
    """The finished file matching `pattern` that the browser downloaded into `folder`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [p for p in folder.glob(pattern) if not p.name.endswith(".crdownload")]
        if done and done[0].stat().st_size > 0:
            time.sleep(0.2)
            return done[0]
        time.sleep(0.1)
    raise AssertionError(f"no download matching {pattern} in {folder}: {list(folder.iterdir())}")


# ------------------------------------------------------------------------------------------- server


class ApiResponse:
    def __init__(self, status: int, body, headers):
        self.status = status
        self.body = body
        self.headers = headers

    def __repr__(self) -> str:
        return f"<{self.status} {self.body!r}>"


class Server:
    """The running binary and a tiny HTTP client for setting things up behind the page's back."""

    def __init__(self, base_url: str, master_key: str, proc: subprocess.Popen, log_path: Path):
        self.base_url = base_url.rstrip("/")
        self.master_key = master_key
        self.proc = proc
        self.log_path = log_path
        self.extra_user_ids: list[int] = []
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def call(self, method: str, path: str, body=None, key: str | None = None, raw: bool = False) -> ApiResponse:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base_url + path, data=data, method=method)
        if key is not False:
            req.add_header("Authorization", "Bearer " + (key or self.master_key))
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with self._opener.open(req, timeout=60) as res:
                payload, status, headers = res.read(), res.status, res.headers
        except urllib.error.HTTPError as err:
            payload, status, headers = err.read(), err.code, err.headers
        if raw:
            return ApiResponse(status, payload, headers)
        parsed = None
        if payload:
            try:
                parsed = json.loads(payload)
            except ValueError:
                parsed = payload.decode(errors="replace")
        return ApiResponse(status, parsed, headers)

    def ok(self, method: str, path: str, body=None, expect=(200, 201, 204), key=None):
        res = self.call(method, path, body, key=key)
        assert res.status in expect, f"{method} {path} {body!r} -> {res.status} {res.body!r}"
        return res.body

    # Convenience wrappers used by the tests.
    def user_by_username(self, username: str) -> dict:
        page = self.ok("GET", "/users?username=" + urllib.request.quote(username))
        assert page["items"], f"no user {username!r}"
        return page["items"][0]

    def company_by_name(self, name: str) -> dict:
        page = self.ok("GET", "/companies?name=" + urllib.request.quote(name))
        assert page["items"], f"no company {name!r}"
        return page["items"][0]

    def company_names_of(self, user_id: int) -> dict[str, dict]:
        data = self.ok("GET", f"/users/{user_id}/companies")
        return {i["company_name"]: i for i in data["items"] if i["source"] == "grant"}

    def create_user(self, username: str, **fields) -> dict:
        return self.ok("POST", "/users", dict(username=username, **fields), expect=(201,))

    def create_company(self, name: str) -> dict:
        return self.ok("POST", "/companies", {"name": name}, expect=(201,))

    def create_key(self, name: str, scope: str) -> dict:
        return self.ok("POST", "/keys", {"name": name, "scope": scope}, expect=(201,))

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"


def _seed_users(server: Server, count: int) -> list[int]:
    """Creates `count` users through the public API, concurrently (SQLite serialises the writes anyway)."""

    def make(n: int):
        first = FIRST_NAMES[n % len(FIRST_NAMES)]
        last = LAST_NAMES[(n // len(FIRST_NAMES)) % len(LAST_NAMES)]
        res = server.call("POST", "/users", {
            "username": f"{first}.{last}{n:05d}".lower(),
            "full_name": f"{first} {last}",
            "role": "employee" if n % 7 else "hr_manager",
        })
        assert res.status == 201, f"seeding user {n}: {res.status} {res.body!r}"
        return res.body["id"]

    with ThreadPoolExecutor(max_workers=24) as pool:
        return list(pool.map(make, range(1, count + 1)))


@contextlib.contextmanager
def running_server(tmp: Path, extra_env: dict[str, str] | None = None, users: int = EXTRA_USERS,
                   log_name: str = "server.log"):
    """The binary serving a fresh database in `tmp`, with `extra_env` on top of the usual settings."""
    configured = os.environ.get("COMPANY_ACCESS_BIN", "target/debug/company-access")
    binary = Path(configured)
    if not binary.is_absolute():
        binary = REPO_ROOT / binary
    if not binary.is_file():
        unavailable(f"Server binary not found at {binary}: build it with `cargo build -p company-access` "
                    f"(or point COMPANY_ACCESS_BIN at it)")

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    master_key = secrets.token_hex(16)
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": f"sqlite://{tmp}/t.db",
        "COMPANY_ACCESS_BIND": "127.0.0.1:0",
        "COMPANY_ACCESS_MASTER_KEY": master_key,
        "COMPANY_ACCESS_DATA_DIR": str(tmp),
    })
    env.update(extra_env or {})
    log_path = ARTIFACTS / log_name
    log = open(log_path, "w", encoding="utf-8")
    proc = subprocess.Popen([str(binary), "serve", "--demo"], env=env, cwd=tmp, stdin=subprocess.DEVNULL,
                            stdout=log, stderr=subprocess.PIPE, text=True, errors="replace")
    lines: queue.Queue[str] = queue.Queue()

    def pump():  # keeps draining stderr for the whole session so the server never blocks on a full pipe
        for line in proc.stderr:
            log.write(line)
            log.flush()
            lines.put(line)
        lines.put("")

    threading.Thread(target=pump, daemon=True).start()

    base_url = None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(0.05, deadline - time.monotonic()))
        except queue.Empty:
            break
        match = re.search(r"Listening on (http://\S+)", line)
        if match:
            base_url = match.group(1).rstrip(".,;\"'")
            break
        if line == "" and proc.poll() is not None:
            break
    if base_url is None:
        proc.kill()
        proc.wait()
        log.close()
        tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-30:])
        pytest.fail(f"the server did not log 'Listening on http://…' within 30 s (exit code {proc.poll()}):\n{tail}",
                    pytrace=False)

    srv = Server(base_url, master_key, proc, log_path)
    try:
        page = srv.call("GET", "/manage-user-companies", key=False, raw=True)
        if page.status != 200:
            pytest.fail(f"GET /manage-user-companies answered {page.status}: the server does not serve the page yet",
                        pytrace=False)
        started = time.monotonic()
        srv.extra_user_ids = _seed_users(srv, users) if users else []
        print(f"\nseeded {len(srv.extra_user_ids)} users in {time.monotonic() - started:.1f}s at {base_url}")
        yield srv
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("company-access")) as srv:
        yield srv


@pytest.fixture
def start_server(tmp_path_factory):
    """Starts another server with settings of its own, e.g. start_server({"COMPANY_ACCESS_PAGE_IDLE_MINUTES": "0.05"});
    without the extra users unless asked. Each stops at the end of the test."""
    with contextlib.ExitStack() as stack:
        def start(extra_env: dict[str, str], users: int = 0) -> Server:
            tmp = tmp_path_factory.mktemp("company-access-own")
            return stack.enter_context(running_server(tmp, extra_env, users, log_name=f"server-{tmp.name}.log"))
        yield start


SCALE_USERS = int(os.environ.get("BROWSER_SCALE_USERS", "20000"))
SCALE_BIG_COMPANY = "NYC"     # the access review with thousands of people (a third of the tenant)
SCALE_BIG_SHARE = 6000


def _seed_users_fast(server: Server, count: int, workers: int = 6) -> list[int]:
    """Creates `count` users through POST /users (the API has no set-based way to create users), each thread
    on one kept-alive connection: a new connection per user costs more than the insert."""
    import http.client
    import urllib.parse

    where = urllib.parse.urlsplit(server.base_url)
    local = threading.local()
    headers = {"Authorization": "Bearer " + server.master_key, "Content-Type": "application/json"}

    def make(n: int) -> int:
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = http.client.HTTPConnection(where.hostname, where.port, timeout=60)
        first = FIRST_NAMES[n % len(FIRST_NAMES)]
        last = LAST_NAMES[(n // len(FIRST_NAMES)) % len(LAST_NAMES)]
        body = json.dumps({"username": f"{first}.{last}.s{n:05d}".lower(), "full_name": f"{first} {last}",
                           "role": "employee" if n % 7 else "hr_manager"})
        conn.request("POST", "/users", body, headers)
        res = conn.getresponse()
        data = res.read()
        assert res.status == 201, f"seeding user {n}: {res.status} {data!r}"
        return json.loads(data)["id"]

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(make, range(1, count + 1), chunksize=50))


def _spread_grants(server: Server, user_ids: list[int]) -> dict[str, int]:
    """Grants as a tenant has them, in a few set-based POST /access/bulk calls: a third of everyone in
    SCALE_BIG_COMPANY, everyone in one of the other companies, every tenth person in a second one."""
    companies = server.ok("GET", "/companies?sort=name&limit=500")["items"]
    big = next(c for c in companies if c["name"] == SCALE_BIG_COMPANY)
    others = [c for c in companies if c["id"] != big["id"]]
    groups: dict[str, list[int]] = {big["id"]: user_ids[:SCALE_BIG_SHARE]}
    for i, uid in enumerate(user_ids):
        groups.setdefault(others[i % len(others)]["id"], []).append(uid)
        if i % 10 == 0:
            groups.setdefault(others[(i + 3) % len(others)]["id"], []).append(uid)
    granted = {}
    for company_id, ids in groups.items():
        for start in range(0, len(ids), 10000):  # the bulk grant takes up to 10,000 users a call
            server.ok("POST", "/access/bulk", {"user_ids": ids[start:start + 10000], "company_ids": [company_id]})
        granted[company_id] = len(ids)
    return granted


@pytest.fixture(scope="module")
def big_server(tmp_path_factory):
    """Another server, for the scale test: the demo data, SCALE_USERS (env BROWSER_SCALE_USERS, default 20,000)
    more users and a spread of grants (SCALE_BIG_COMPANY's access review has SCALE_BIG_SHARE people and more).
    Its database lives in memory-backed /dev/shm when there is one, as the seeding is mostly fsync."""
    shm = Path("/dev/shm")
    tmp = Path(tempfile.mkdtemp(prefix="company-access-scale-", dir=shm)) if shm.is_dir() \
        else tmp_path_factory.mktemp("company-access-scale")
    try:
        with running_server(tmp, users=0, log_name="server-scale.log") as srv:
            started = time.monotonic()
            srv.extra_user_ids = _seed_users_fast(srv, SCALE_USERS)
            seeded = time.monotonic()
            srv.scale_grants = _spread_grants(srv, srv.extra_user_ids)
            srv.scale_setup = {"users": seeded - started, "grants": time.monotonic() - seeded}
            print(f"\nscale server: {len(srv.extra_user_ids)} users in {srv.scale_setup['users']:.1f}s, "
                  f"{sum(srv.scale_grants.values())} grants in {srv.scale_setup['grants']:.1f}s")
            yield srv
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ------------------------------------------------------------------------------------------ browser


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, "rep_" + report.when, report)


class Ui:
    """A Chromium tab on the page, with waits and helpers named after what a person does."""

    def __init__(self, driver, server: Server, downloads: Path, test_name: str):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.common.keys import Keys
        from selenium.webdriver.support.ui import WebDriverWait

        self.driver = driver
        self.server = server
        self.downloads = downloads
        self.test_name = test_name
        self.By = By
        self.Keys = Keys
        self._wait_cls = WebDriverWait
        self.step = 0

    # -- basics
    def open(self, path: str = "/manage-user-companies"):
        self.driver.get(self.server.base_url + path)
        self.wait(lambda: self.js("return document.readyState") == "complete", "page load")

    def js(self, script: str, *args):
        return self.driver.execute_script(script, *args)

    def find(self, css: str, within=None):
        return (within or self.driver).find_element(self.By.CSS_SELECTOR, css)

    def find_all(self, css: str, within=None):
        return (within or self.driver).find_elements(self.By.CSS_SELECTOR, css)

    def exists(self, css: str) -> bool:
        return bool(self.find_all(css))

    def visible(self, css: str) -> bool:
        found = self.find_all(css)
        return bool(found) and found[0].is_displayed()

    def text(self, css: str) -> str:
        return self.find(css).text

    def wait(self, condition, what: str = "condition", timeout: float = 15):
        def check(_driver):
            try:
                return condition()
            except Exception:  # noqa: BLE001 - stale elements and the like: just try again
                return False
        return self._wait_cls(self.driver, timeout, poll_frequency=0.1).until(check, f"timed out waiting for {what}")

    def wait_text(self, css: str, needle: str, timeout: float = 15) -> str:
        self.wait(lambda: needle.lower() in self.text(css).lower(), f"{needle!r} in {css}", timeout)
        return self.text(css)

    def shot(self, name: str) -> Path:
        """Saves a full-page screenshot of this step."""
        self.step += 1
        path = ARTIFACTS / f"{self.test_name}-{self.step:02d}-{name}.png"
        try:
            data = self.driver.execute_cdp_cmd("Page.captureScreenshot",
                                               {"format": "png", "captureBeyondViewport": True})["data"]
            path.write_bytes(base64.b64decode(data))
        except Exception:  # noqa: BLE001 - fall back to the viewport
            self.driver.save_screenshot(str(path))
        return path

    def session_key(self):
        return self.js("return sessionStorage.getItem(arguments[0]);", KEY_STORAGE)

    def no_horizontal_scroll(self) -> tuple[int, int]:
        return self.js("return [document.documentElement.scrollWidth, window.innerWidth];")

    def focused_id(self) -> str:
        return self.js("return document.activeElement ? document.activeElement.id : null;")

    def press(self, *keys):
        from selenium.webdriver.common.action_chains import ActionChains
        ActionChains(self.driver).send_keys(*keys).perform()

    # -- the page
    def sign_in(self, key: str, expect_app: bool = True):
        self.wait(lambda: self.visible("#signin"), "the sign-in form")
        field = self.find("#api-key")
        field.clear()
        field.send_keys(key)
        field.send_keys(self.Keys.ENTER)
        if expect_app:
            self.wait(lambda: self.visible("#app") and not self.visible("#signin"), "the signed-in page")

    def choose_user(self, query: str, username: str):
        """Types part of a name and picks `username` from the listbox with the keyboard alone."""
        box = self.find("#user-search")
        box.clear()
        box.send_keys(query)
        opts = self.wait(lambda: [o for o in self.options("#user-results", "#user-search-status", query)
                                  if query.lower() in self.text("#user-search-status").lower()], f"results for {query!r}")
        index = next(i for i, (_, meta) in enumerate(opts) if meta.split(" · ")[0] == "@" + username)
        for _ in range(index + 1):
            box.send_keys(self.Keys.ARROW_DOWN)
        active = box.get_attribute("aria-activedescendant")
        assert active and "@" + username in self.find("#" + active).text
        box.send_keys(self.Keys.ENTER)
        self.wait(lambda: self.visible("#user-view") and self.text("#current-title").startswith("Current companies (")
                  and f"Username: {username} " in self.text("#user-meta") + " ",
                  f"companies of {username}")

    def current_row(self, company: str):
        return self.find(f'#current-list li[data-company-name="{company}"]')

    def available_row(self, company: str):
        return self.find(f'#available-list li[data-company-name="{company}"]')

    def current_names(self) -> list[str]:
        """The companies the user has now (a row removed this visit stays, marked Removed, and is not one)."""
        return [li.get_attribute("data-company-name") for li in self.find_all("#current-list > li:not([data-removed])")]

    def open_tab(self, name: str):
        self.find(f"#tab-{name}").click()
        self.wait(lambda: self.visible(f"#panel-{name}"), f"the {name} tab")

    def options(self, listbox: str, status: str, query: str) -> list[list[str]]:
        """Waits for a search to settle, then reads its options in one go (no stale elements)."""
        def settled():
            if "Searching" in self.text(status) or not self.visible(listbox):
                return False
            opts = self.js("""return [...document.querySelectorAll(arguments[0] + ' [role=option]')]
                .map(o => [o.querySelector('.option-title').textContent, o.querySelector('.option-meta').textContent]);""",
                           listbox)
            return opts or False
        return self.wait(settled, f"search results for {query!r}")

    def choose_company(self, query: str, name: str):
        box = self.find("#company-search")
        box.click()
        box.clear()
        box.send_keys(query)
        self.wait(lambda: name in [t for t, _ in self.options("#company-results", "#company-search-status", query)]
                  and all(query.lower() in t.lower() for t, _ in self.options("#company-results", "#company-search-status", query)),
                  f"{name!r} among the companies")
        titles = [t for t, _ in self.options("#company-results", "#company-search-status", query)]
        for _ in range(titles.index(name) + 1):
            box.send_keys(self.Keys.ARROW_DOWN)
        box.send_keys(self.Keys.ENTER)
        self.wait(lambda: self.text("#company-title") == name and "can act in" in self.text("#company-meta"),
                  f"the access review of {name}")

    def click_row(self, list_css: str, company: str, action: str):
        """Clicks a row's button, retrying while the list is being redrawn."""
        def attempt():
            self.find(f'{list_css} li[data-company-name="{company}"] [data-action="{action}"]').click()
            return True
        self.wait(attempt, f"{action} on {company} in {list_css}")

    def filter_companies(self, text: str):
        box = self.find("#company-filter")
        box.clear()
        box.send_keys(text)

        def settled():
            if self.text("#company-filter-status").startswith("Loading"):
                return False
            names = self.js("""return [...document.querySelectorAll('#available-list > li')]
                .map(li => li.getAttribute('data-company-name'));""")
            return bool(names) and all(text.lower() in n.lower() for n in names)
        self.wait(settled, f"the add list filtered by {text!r}")

    def console_errors(self) -> list[str]:
        try:
            logs = self.driver.get_log("browser")
        except Exception:  # noqa: BLE001
            return []
        return [entry["message"] for entry in logs if entry.get("level") == "SEVERE"]


def _chromium_ready() -> None:
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not (os.path.isfile(p) and os.access(p, os.X_OK))]
    if missing:
        unavailable("Chromium not installed: apt-get install chromium chromium-driver "
                    f"(missing {', '.join(missing)})")
    try:
        import selenium  # noqa: F401
    except ImportError:
        unavailable("selenium not installed: pip install -r tests/browser/requirements.txt")


@pytest.fixture
def ui(request):
    _chromium_ready()  # before starting the server, so a missing browser skips (or fails under CI) at once
    server = request.getfixturevalue("server")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    profile = tempfile.mkdtemp(prefix="ca-chromium-profile-")
    downloads = Path(tempfile.mkdtemp(prefix="ca-chromium-downloads-"))
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_experimental_option("prefs", {
        "download.default_directory": str(downloads),
        "download.prompt_for_download": False,
        "download.directory_upgrade": True,
        "safebrowsing.enabled": False,
    })
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=CHROMEDRIVER, log_output=str(ARTIFACTS / "chromedriver.log"))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(30)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name).removeprefix("test_")
    page = Ui(driver, server, downloads, name)
    try:
        yield page
        # Anything the Content-Security-Policy refused (inline style, inline script, eval) is a bug in the page.
        csp = [m for m in page.console_errors() if "Content Security Policy" in m or "Refused to" in m]
        assert not csp, "the page broke its Content-Security-Policy:\n" + "\n".join(csp)
    finally:
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            try:
                page.shot("FAILED")
                (ARTIFACTS / f"{name}-FAILED-console.txt").write_text("\n".join(page.console_errors()))
            except Exception:  # noqa: BLE001
                pass
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
        shutil.rmtree(downloads, ignore_errors=True)


# ------------------------------------------------------------------------------------------ axe-core

AXE_JS = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"


class Axe:
    """axe-core, from npm (tests/browser/package.json), run inside the page the Ui shows."""

    def __init__(self, source: str):
        self.source = source

    def run(self, ui: Ui, context: str | None = None, options: dict | None = None) -> list[dict]:
        """The violations of the page as shown now (or of the element `context` names): id, impact, help, and
        each node's target and summary."""
        if not ui.js("return !!window.axe;"):
            # Through the driver, so the page's Content-Security-Policy (script-src 'self') does not apply.
            ui.js(self.source + "\nwindow.axe = axe;")
        ui.driver.set_script_timeout(60)
        result = ui.driver.execute_async_script("""
            var done = arguments[arguments.length - 1];
            var context = arguments[0] ? document.querySelector(arguments[0]) : document;
            axe.run(context, arguments[1] || {}).then(function (r) {
              done(r.violations.map(function (v) {
                return { id: v.id, impact: v.impact, help: v.help,
                         nodes: v.nodes.map(function (n) { return { target: n.target, summary: n.failureSummary }; }) };
              }));
            }, function (e) { done({ error: String(e) }); });
        """, context, options or {})
        assert not (isinstance(result, dict) and "error" in result), f"axe-core failed: {result}"
        return result

    @staticmethod
    def describe(violations: list[dict]) -> str:
        lines = []
        for v in violations:
            lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
            for node in v["nodes"][:5]:
                lines.append(f"    {node['target']}: {(node['summary'] or '').splitlines()[0:3]}")
        return "\n".join(lines)

    def assert_clean(self, ui: Ui, context: str | None = None, options: dict | None = None) -> None:
        violations = self.run(ui, context, options)
        assert not violations, "axe-core found violations:\n" + self.describe(violations)


@pytest.fixture(scope="session")
def axe():
    """axe-core's engine; `axe.assert_clean(ui)` checks the page as shown. Needs `npm ci` in tests/browser."""
    if not AXE_JS.is_file():
        unavailable(f"axe-core not installed: run `npm ci` in tests/browser (missing {AXE_JS})")
    return Axe(AXE_JS.read_text(encoding="utf-8"))
