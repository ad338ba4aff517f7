#!/usr/bin/env python3
"""Instructions per request, counted by callgrind: a measure of a request's cost that load on the machine
does not move, for telling a binary's cost from the noise of timed runs.

    bench/callgrind.py target/release/company-access                       # one binary
    bench/callgrind.py OLD_BINARY NEW_BINARY --terms-for NEW_BINARY        # A/B, side by side

Each binary serves the demo data from SQLite with one worker under `valgrind --tool=callgrind`, with
instrumentation off. After warm-up requests (every answer cached), instrumentation is switched on for
exactly the measured requests (`callgrind_control -i on`, then `-i off` and a dump), so start-up,
warm-up and shutdown are not counted. Requests: GET /health, GET /access-check of a granted pair, and
POST /access-check with 1,000 pairs. With `--terms-for`, that binary also runs on the demo data with the
access model on top (a three-level tree, a role and a window on the checked grant, a branch grant),
which older binaries cannot hold. Needs valgrind (`apt-get install valgrind`).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib.config import MASTER_KEY  # noqa: E402
from benchlib.service import Client  # noqa: E402
from benchlib.util import free_port  # noqa: E402

GETS = 2000
BATCHES = 50


def serve(binary: Path, workdir: Path, demo: bool, valgrind: Path | None = None):
    port = free_port()
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": f"sqlite://{workdir / 'access.db'}?mode=rwc",
        "COMPANY_ACCESS_BIND": f"127.0.0.1:{port}",
        "COMPANY_ACCESS_MASTER_KEY": MASTER_KEY,
        "COMPANY_ACCESS_DATA_DIR": str(workdir / "data"),
        "COMPANY_ACCESS_WORKERS": "1",
        "RUST_LOG": "warn",
        # serve otherwise starts itself again with huge pages (exec), and valgrind does not follow an
        # exec: the server would run outside it and nothing would be counted.
        "COMPANY_ACCESS_HUGE_PAGES": "0",
    })
    command = [str(binary), "serve"] + (["--demo"] if demo else [])
    if valgrind:
        command = ["valgrind", "--tool=callgrind", "--instr-atstart=no",
                   f"--callgrind-out-file={valgrind}"] + command
    log = open(workdir / "server.log", "a")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    deadline = time.time() + 300
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{binary} exited: {(workdir / 'server.log').read_text()[-2000:]}")
        try:
            status, _ = Client(port, timeout=60).call("GET", "/health", auth=False)
            if status == 200:
                return process, port
        except OSError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{binary} did not start")


def stop(process) -> None:
    process.terminate()
    try:
        process.wait(timeout=120)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def add_access_model(client: Client, ids: dict) -> None:
    """A three-level tree under NYC, a role and a window on the checked grant, and a branch grant."""
    parent = ids["NYC"]
    for level in (1, 2):
        status, company = client.call("POST", "/companies", {"name": f"NYC level {level}", "parent_id": parent})
        assert status == 201, company
        parent = company["id"]
    status, body = client.call("PATCH", f"/users/{ids['john_smith']}/companies/{ids['Main Office']}",
                               {"role": "admin", "valid_until": "2099-01-01T00:00:00Z"})
    assert status == 200, body
    status, body = client.call("POST", f"/users/{ids['john_smith']}/companies",
                               {"company_id": ids["NYC"], "role": "employee", "include_branches": True})
    assert status == 201, body


def demo_ids(client: Client) -> dict:
    ids = {}
    for user in client.call("GET", "/users")[1]["items"]:
        ids[user["username"]] = user["id"]
    for company in client.call("GET", "/companies?limit=100")[1]["items"]:
        ids[company["name"]] = company["id"]
    return ids


def requests(ids: dict, terms: bool) -> list[tuple[str, str, str, object, int]]:
    check = f"/access-check?user_id={ids['john_smith']}&company_id={ids['Main Office']}"
    if terms:
        check += "&role=hr_manager,admin"
    users = [ids[name] for name in ("john_smith", "hr_manager_1", "finance_manager_1", "emp_001", "sarah")]
    companies = [ids[name] for name in ("Main Office", "Branch_A", "Region_North_Company", "Company_A", "NYC")]
    pairs = [{"user_id": users[i % 5], "company_id": companies[(i // 5) % 5]} for i in range(1000)]
    return [
        ("GET /health", "GET", "/health", None, GETS),
        ("GET /access-check", "GET", check, None, GETS),
        ("POST /access-check, 1,000 pairs", "POST", "/access-check", {"checks": pairs}, BATCHES),
    ]


def totals(path: Path) -> int:
    text = path.read_text(errors="replace")
    found = re.findall(r"^(?:summary|totals):\s*(\d+)", text, re.M)
    return int(found[-1]) if found else 0


def measure(binary: Path, terms: bool, work: Path) -> dict[str, float]:
    prepared = work / "prepared"
    prepared.mkdir()
    process, port = serve(binary, prepared, demo=True)
    client = Client(port)
    ids = demo_ids(client)
    if terms:
        add_access_model(client, ids)
    client.close()
    stop(process)
    figures = {}
    for name, method, path, body, count in requests(ids, terms):
        run = work / re.sub(r"[^a-z0-9]+", "-", name.lower())
        shutil.copytree(prepared, run)
        out = run / "callgrind.out"
        process, port = serve(binary, run, demo=False, valgrind=out)
        client = Client(port, timeout=300)
        for _ in range(3):  # every entry cached, every statement prepared
            status, answer = client.call(method, path, body)
            assert status == 200, (name, status, answer)
        subprocess.run(["callgrind_control", "-i", "on", str(process.pid)], check=True, capture_output=True)
        for _ in range(count):
            client.call(method, path, body)
        subprocess.run(["callgrind_control", "-i", "off", str(process.pid)], check=True, capture_output=True)
        client.close()
        stop(process)
        figures[name] = sum(totals(part) for part in run.glob("callgrind.out*")) / count
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binaries", nargs="+", type=Path)
    parser.add_argument("--terms-for", type=Path, action="append", default=[],
                        help="also measure this binary with the access model in the data")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    parser.add_argument("--keep", type=Path,
                        help="work in this new directory and keep it: each request's callgrind.out* files, "
                             "for callgrind_annotate")
    args = parser.parse_args()
    if not shutil.which("valgrind"):
        print("valgrind is missing: apt-get install valgrind", file=sys.stderr)
        return 2
    columns = []
    with tempfile.TemporaryDirectory(prefix="ca-callgrind-") as scratch:
        tmp = args.keep or scratch
        if args.keep:
            args.keep.mkdir(parents=True)
        for i, binary in enumerate(args.binaries):
            for terms in ([False, True] if binary in args.terms_for else [False]):
                work = Path(tmp) / f"{i}-{int(terms)}"
                work.mkdir()
                label = f"{binary}" + (" (access model data)" if terms else "")
                print(f"measuring {label} …", file=sys.stderr, flush=True)
                columns.append((label, measure(binary.resolve(), terms, work)))
    names = list(columns[0][1])
    print("| instructions per request | " + " | ".join(label for label, _ in columns) + " |")
    print("|---|" + "---|" * len(columns))
    for name in names:
        print(f"| {name} | " + " | ".join(f"{figures[name] / 1e3:,.1f} k" for _, figures in columns) + " |")
    for label, figures in columns:
        ratio = figures["GET /health"] / figures["GET /access-check"]
        print(f"{label}: GET /health ÷ GET /access-check in instructions = {ratio:.2f}")
    if args.json:
        args.json.write_text(json.dumps({label: figures for label, figures in columns}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
