"""The access model's measures: checks and batches on data with roles, windows and a three-level company
tree, and a CSV import of 100,000 lines against a raw INSERT ... SELECT of the same rows."""

from __future__ import annotations

import http.client
import json
import re
import time

import datagen
from datagen import Scale
from .config import MASTER_KEY, Plan, SQLSHELL
from .databases import Backend
from .results import Results, Row, fmt_rate, fmt_seconds, fmt_us
from .service import Client, Server
from .tools import errors_note, side_by_side, side_by_side_note, wrk
from .checks import check_args, warm_cache
from .util import log, median

#: The role every pair of the batch asks for: most hold it, finance managers do not.
BATCH_ROLE = "hr_manager,admin,employee"


def measure_model_checks(plan: Plan, backend: Backend, server: Server, scale: Scale, companies, results: Results
                         ) -> None:
    """On data with the access model: GET /access-check with a role list against GET /health (tools.side_by_side),
    then POST batches of 1,000 pairs that each ask for a role list."""
    b = backend.name
    raw = results.raw.setdefault(b, {})
    log(f"{b}: access model: loading every user into the check cache")
    warm_cache(server, scale)
    measured = side_by_side(plan, server.port, ["rolecheck"] + check_args(plan, scale, companies)[1:])
    before = cache_lookups(server)
    post = wrk(plan, server.port, "post.lua",
               [str(companies), str(scale.users), str(scale.grants_per_user), str(scale.seed),
                str(plan.post_pairs), str(plan.post_bodies), BATCH_ROLE], plan.wrk_seconds)
    hits, misses = (after - then for after, then in zip(cache_lookups(server), before))
    raw["model_health_runs"], raw["model_check_runs"], raw["model_post"] = (measured["health_runs"],
                                                                            measured["check_runs"], post)
    raw["model_pair_ratios"] = measured["ratios"]
    raw["model_post_cache"] = {"hits": hits, "misses": misses}
    health, check = measured["health"], measured["check"]
    errors, clean = errors_note(("health", health), ("check", check))
    ratio = measured["median"]
    results.add(Row("access model data (roles, windows, 3-level tree): GET /access-check?role=... req/s / "
                    "GET /health req/s", b, f"{fmt_rate(check['rps'])} req/s", f"{fmt_rate(health['rps'])} req/s",
                    ratio, ">= 0.8", ratio >= 0.8 and clean,
                    f"{side_by_side_note(measured)}; p99 {fmt_us(check['p99_us'])} vs {fmt_us(health['p99_us'])}"
                    + (f"; {errors}" if errors else "")))
    errors, clean = errors_note(("post", post))
    rate = (post["requests"] - post["errors"]) / (post["duration_us"] / 1e6) * plan.post_pairs
    results.add(Row(f"access model data: POST /access-check, {plan.post_pairs:,} pairs a request, each with a "
                    "role list", b, f"{fmt_rate(rate)} checks/s",
                    f"{post['rps']:,.0f} req/s, p99 {fmt_us(post['p99_us'])}", rate / 1_000_000,
                    ">= 1,000,000 checks/s", rate >= 1_000_000 and clean,
                    f"ratio = figure / target; pairs the cache could not answer: {misses:,} of {hits + misses:,}"
                    + (f"; {errors}" if errors else "")))


def cache_lookups(server: Server) -> tuple[int, int]:
    """The service's own count of pairs answered from memory and pairs it had to read, from /metrics: a
    batch that reads the database is a different measure from one answered from memory."""
    client = Client(server.port)
    try:
        _, text = client.call("GET", "/metrics")
    finally:
        client.close()
    counts = dict(re.findall(r"^company_access_cache_(hits|misses)_total (\d+)$", str(text), re.M))
    return int(counts.get("hits", 0)), int(counts.get("misses", 0))


def post_csv(port: int, path: str, text: str) -> tuple[int, bytes, float]:
    """The answer's status and body, and the seconds from the first byte sent to the last byte of the
    answer read: the time the service took, without the benchmark's own parsing of the answer (a
    100,000-line import answers about 20 MB of JSON, which Python takes 0.2 s to read)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
    try:
        started = time.perf_counter()
        conn.request("POST", path, body=text.encode(),
                     headers={"Authorization": f"Bearer {MASTER_KEY}", "Content-Type": "text/csv"})
        response = conn.getresponse()
        raw = response.read()
        return response.status, raw, time.perf_counter() - started
    finally:
        conn.close()


IMPORT_PAIRS = 5
"""Raw / import pairs at full scale (quick: 1). Two imports of the same file a few seconds apart took
2.9 s and 4.0 s on SQLite on a quiet machine, so the figure is the median of five adjacent pairs."""


def measure_import(plan: Plan, backend: Backend, db: str, server: Server, scale: Scale, results: Results) -> None:
    """100,000 new grants (user u gets the company it never has): a raw INSERT ... SELECT of them, timed by
    the database's client, then deleted; then the same rows as CSV through POST /access/import, timed from
    the first byte sent to the last byte of the answer, then deleted. `IMPORT_PAIRS` such adjacent pairs;
    the ratio is the median of the pairs' ratios (as single checks are measured), so that a slow moment
    of the machine weighs on one pair, not on one side."""
    b = backend.name
    lines = min(100_000, scale.users)
    pairs = 1 if plan.quick else IMPORT_PAIRS
    insert = datagen.import_baseline_sql(scale, b, lines)
    csv = "user_id,company_id\n" + "".join(
        f"{u},{scale.company_uuid(scale.never_granted(u))}\n" for u in range(1, lines + 1))
    raw_times, service_times = [], []
    for r in range(pairs):
        log(f"{b}: {lines:,} new grants, raw INSERT ... SELECT (pair {r + 1} of {pairs})")
        backend.settle(db)
        _, times = backend.sql(db, insert, timed=True)
        raw_times.append(times[0])
        backend.sql(db, "DELETE FROM hrm_user_company_access WHERE granted_by = 'raw';")
        backend.settle(db)
        log(f"{b}: the same {lines:,} lines, POST /access/import (pair {r + 1} of {pairs})")
        status, raw, seconds = post_csv(server.port, "/access/import", csv)
        service_times.append(seconds)
        answer = json.loads(raw) if raw else {}
        if status != 200 or answer.get("added") != lines:
            raise RuntimeError(f"the import answered {status}: {str(answer)[:300]}")
        backend.sql(db, "DELETE FROM hrm_user_company_access WHERE granted_by = 'master';")
    ratios = [service / raw for service, raw in zip(service_times, raw_times)]
    ratio = median(ratios)
    each = ", ".join(f"{service:.2f}/{raw:.2f} s = {r:.2f}" for service, raw, r in zip(service_times, raw_times, ratios))
    results.add(Row(f"POST /access/import of {lines:,} CSV lines (new grants) / raw INSERT ... SELECT of the same "
                    "rows", b, fmt_seconds(median(service_times)), fmt_seconds(median(raw_times)), ratio, "<= 2",
                    ratio <= 2,
                    f"median of {pairs} adjacent pairs' ratios ({each}); the import parses, resolves and checks "
                    "every line, and audits"))


def bench_model(plan: Plan, backend: Backend, workdir, results: Results, only: set[str]) -> None:
    """Generates the check data with the access model on top, and runs the model's measures on it."""
    from .checks import companies_file
    b = backend.name
    scale = plan.check
    log(f"{b}: access model: generating {scale.users:,} users, {scale.companies:,} companies in a 3-level tree, "
        f"{scale.grants_per_user} grants each with roles, windows and branches")
    db = backend.create("model")
    datagen.generate(b, str(backend.path(db)) if b == "sqlite" else backend.dbname(db), scale, sqlshell=SQLSHELL,
                     pg_url=getattr(backend, "server_url", datagen.DEFAULT_PG_URL), access_model=True)
    backend.prepare(db, ["hrm_company", "hrm_users", "hrm_user_company_access"])
    companies = companies_file(scale, workdir)
    server = Server(backend.url(db), workdir, f"{b}-model").start(b == "postgres")
    try:
        if "model" in only:
            measure_model_checks(plan, backend, server, scale, companies, results)
        if "import" in only:
            measure_import(plan, backend, db, server, scale, results)
    finally:
        server.stop()
    backend.drop(db)
