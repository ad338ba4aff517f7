"""One backend measured through every selected measure, and the machine facts of the report."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import time
from pathlib import Path

import datagen
from .checks import companies_file, measure_a_to_b, measure_checks, measure_memory, measure_stale, measure_stats
from .flood import measure_flood
from .model import bench_model
from .config import Plan, SQLSHELL
from .databases import Backend
from .results import Results
from .service import Server
from .util import log
from .writes import measure_bulk, measure_populate, measure_startup


def bench_backend(plan: Plan, backend: Backend, workdir: Path, results: Results, only: set[str]) -> None:
    b = backend.name
    postgres = b == "postgres"
    scale = plan.check
    if only & {"memory", "checks", "flood", "stats", "stale", "ab"}:
        log(f"{b}: generating {scale.users:,} users, {scale.companies:,} companies, "
            f"{scale.grants_per_user} grants each")
        started = time.perf_counter()
        db = backend.create("checks")
        datagen.generate(b, str(backend.path(db)) if b == "sqlite" else backend.dbname(db), scale,
                         sqlshell=SQLSHELL, pg_url=getattr(backend, "server_url", datagen.DEFAULT_PG_URL))
        backend.prepare(db, ["hrm_company", "hrm_users", "hrm_user_company_access"])
        log(f"{b}: data ready in {time.perf_counter() - started:.1f} s")
        out, _ = backend.sql(db, "SELECT count(*) FROM hrm_company WHERE id = "
                             + (f"'{scale.company_uuid(7)}'::uuid;" if postgres
                                else f"unhex('{scale.company_uuid(7).replace('-', '')}');"))
        if out.strip() != "1":
            raise RuntimeError("the generator and the runner disagree on company ids")
        companies = companies_file(scale, workdir)
        if "memory" in only:
            measure_memory(plan, backend, db, workdir, scale, companies, results)
        server = Server(backend.url(db), workdir, f"{b}-checks").start(postgres)
        try:
            if "checks" in only:
                measure_checks(plan, backend, server, scale, companies, results)
            if "flood" in only:
                measure_flood(plan, backend, server, scale, companies, results)
            if "stats" in only:
                measure_stats(plan, backend, db, server, results)
            if "stale" in only:
                measure_stale(plan, backend, server, scale, results)
            if postgres and "ab" in only:
                measure_a_to_b(plan, backend, db, server, workdir, scale, results)
        finally:
            server.stop()
        backend.drop(db)
    if only & {"model", "import"}:
        bench_model(plan, backend, workdir, results, only)
    if "bulk" in only:
        log(f"{b}: generating {plan.bulk.users:,} users and {plan.bulk.companies} companies, no grants")
        template = backend.create("bulk_template")
        datagen.generate(b, str(backend.path(template)) if b == "sqlite" else backend.dbname(template), plan.bulk,
                         sqlshell=SQLSHELL, pg_url=getattr(backend, "server_url", datagen.DEFAULT_PG_URL))
        backend.prepare(template, ["hrm_company", "hrm_users"])
        measure_bulk(plan, backend, template, workdir, plan.bulk, results)
        backend.drop(template)
    if "populate" in only:
        log(f"{b}: generating {plan.populate.users:,} employee profiles, no grants")
        template = backend.create("populate_template")
        datagen.generate(b, str(backend.path(template)) if b == "sqlite" else backend.dbname(template),
                         plan.populate, sqlshell=SQLSHELL,
                         pg_url=getattr(backend, "server_url", datagen.DEFAULT_PG_URL))
        backend.prepare(template, ["hrm_company", "hrm_users"])
        measure_populate(plan, backend, template, workdir, plan.populate, results)
        backend.drop(template)
    if not postgres and "startup" in only:
        measure_startup(plan, workdir, results)


# --- the report --------------------------------------------------------------------------------------------

def machine() -> dict:
    def first(cmd: list[str]) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True).stdout.strip().splitlines()[0]
        except (OSError, IndexError):
            return "?"
    cpu = "?"
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as info:
        memory = int(info.readline().split()[1]) / 1024 / 1024
    os_name = "?"
    if Path("/etc/os-release").exists():
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip('"')
    sqlite_version = subprocess.run([str(SQLSHELL), ":memory:", "SELECT sqlite_version()"], capture_output=True,
                                    text=True).stdout.strip() if SQLSHELL.exists() else "?"
    return {
        "nproc": os.cpu_count(), "cpu": cpu, "memory_gib": round(memory, 1), "os": os_name,
        "kernel": platform.release(), "rustc": first(["rustc", "--version"]),
        "postgresql": first(["psql", "-X", "-A", "-t", "-d", "postgres://postgres@127.0.0.1:5432/postgres", "-c",
                             "SHOW server_version"]),
        "sqlite": f"{sqlite_version} (bundled by libsqlite3-sys, linked by the service and bench/sqlshell)",
        "wrk": first(["wrk", "--version"]) if shutil.which("wrk") else "?",
    }


def table(results: Results) -> str:
    lines = ["| measure | backend | figure | compared with | ratio | target | result |",
             "|---|---|---|---|---|---|---|"]
    for r in results.rows:
        verdict = {True: "ok", False: "**MISS**", None: "-"}[r.ok]
        ratio = "" if r.ratio is None else f"{r.ratio:.2f}"
        note = f" ({r.note})" if r.note else ""
        lines.append(f"| {r.measure}{note} | {r.backend} | {r.figure} | {r.baseline} | {ratio} | {r.target} | "
                     f"{verdict} |")
    return "\n".join(lines)
