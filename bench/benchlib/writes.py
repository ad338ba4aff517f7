"""The write measures: bulk add, populate and start-up, each beside its raw-SQL floor."""

from __future__ import annotations

from pathlib import Path

from datagen import Scale
from .config import ACTOR, GRANT_COLUMNS, NOW_TEXT, Plan, UUID_SQL
from .databases import Backend
from .results import Results, Row, fmt_seconds
from .service import Client, Server
from .util import log, median


def timed_service_call(backend: Backend, db: str, workdir: Path, path: str, body: dict, name: str,
                       again: bool = False) -> tuple[list[float], list[dict]]:
    """Starts a server on db, times POST path (twice with again), stops it."""
    server = Server(backend.url(db), workdir, name).start(postgres=backend.name == "postgres")
    try:
        backend.settle(db)
        client = Client(server.port)
        times, answers = [], []
        for _ in range(2 if again else 1):
            elapsed, answer = client.timed("POST", path, body)
            times.append(elapsed)
            answers.append(answer)
            backend.settle(db)
        client.close()
    finally:
        server.stop()
    return times, answers


def measure_bulk(plan: Plan, backend: Backend, template: str, workdir: Path, scale: Scale,
                 results: Results) -> None:
    b = backend.name
    bool_false = "false"
    insert = (GRANT_COLUMNS + f"SELECT {UUID_SQL[b]}, u.id, c.id, {bool_false}, '{ACTOR}', "
              f"{sql_time(b)}, {sql_time(b)} FROM hrm_users u CROSS JOIN hrm_company c WHERE true "
              "ON CONFLICT (user_id, company_id) DO NOTHING;\n")
    raw_first, raw_again, first, again = [], [], [], []
    for r in range(plan.repeats):
        log(f"{b}: bulk add all-to-all {scale.users:,} x {scale.companies}, raw SQL (run {r + 1})")
        db = backend.copy(template, "bulk_raw")
        backend.settle(db)
        _, times = backend.sql(db, insert, timed=True)
        raw_first.append(times[0])
        backend.settle(db)
        _, times = backend.sql(db, insert, timed=True)
        raw_again.append(times[0])
        count, _ = backend.sql(db, "SELECT count(*) FROM hrm_user_company_access;")
        backend.drop(db)
        log(f"{b}: bulk add all-to-all, POST /access/bulk (run {r + 1})")
        db = backend.copy(template, "bulk_service")
        times, answers = timed_service_call(backend, db, workdir, "/access/bulk", {}, f"{b}-bulk", again=True)
        first.append(times[0])
        again.append(times[1])
        backend.drop(db)
        if answers[0]["added"] != scale.users * scale.companies or answers[1]["added"] != 0:
            raise RuntimeError(f"bulk answers: {answers}; raw inserted {count.strip()}")
        if int(count.strip()) != scale.users * scale.companies:
            raise RuntimeError(f"raw bulk made {count.strip()} rows")
    results.raw.setdefault(b, {})["bulk"] = {"raw_first_s": raw_first, "raw_again_s": raw_again,
                                             "service_first_s": first, "service_again_s": again}
    shell = "psql" if b == "postgres" else "sqlshell"
    f, fl = median(first), median(raw_first)
    results.add(Row(f"bulk add all-to-all {scale.users:,} x {scale.companies}, empty table / raw "
                    f"INSERT ... SELECT ... ON CONFLICT DO NOTHING ({shell})", b, fmt_seconds(f), fmt_seconds(fl),
                    f / fl, "<= 1.5", f / fl <= 1.5, f"median of {len(first)}"))
    a = median(again)
    results.add(Row("the same bulk add again (every pair present) / its first run", b, fmt_seconds(a),
                    fmt_seconds(f), a / f, "<= 1.2", a / f <= 1.2,
                    f"raw SQL again: {fmt_seconds(median(raw_again))}"))


def sql_time(backend: str) -> str:
    return f"'{NOW_TEXT}'::timestamptz" if backend == "postgres" else f"'{NOW_TEXT}'"


def measure_populate(plan: Plan, backend: Backend, template: str, workdir: Path, scale: Scale,
                     results: Results) -> None:
    b = backend.name
    # The raw equivalent: one INSERT ... SELECT that makes each profile's home grant, as the default.
    insert = (GRANT_COLUMNS + f"SELECT {UUID_SQL[b]}, u.id, u.home_company_id, true, '{ACTOR}', "
              f"{sql_time(b)}, {sql_time(b)} FROM hrm_users u WHERE u.home_company_id IS NOT NULL "
              "ON CONFLICT (user_id, company_id) DO NOTHING;\n")
    raw, service = [], []
    for r in range(plan.repeats):
        log(f"{b}: populate from {scale.users:,} profiles, raw INSERT ... SELECT (run {r + 1})")
        db = backend.copy(template, "populate_raw")
        backend.settle(db)
        _, times = backend.sql(db, insert, timed=True)
        raw.append(times[0])
        backend.drop(db)
        log(f"{b}: populate, POST /access/populate (run {r + 1})")
        db = backend.copy(template, "populate_service")
        times, answers = timed_service_call(backend, db, workdir, "/access/populate", {}, f"{b}-populate")
        service.append(times[0])
        backend.drop(db)
        if answers[0]["home_company_grants"] != scale.users:
            raise RuntimeError(f"populate answered {answers[0]}")
    results.raw.setdefault(b, {})["populate"] = {"raw_s": raw, "service_s": service, "answer": answers[0]}
    f, fl = median(service), median(raw)
    results.add(Row(f"populate from {scale.users:,} employee profiles / raw INSERT ... SELECT", b,
                    fmt_seconds(f), fmt_seconds(fl), f / fl, "<= 2", f / fl <= 2, f"median of {len(raw)}"))


def measure_startup(plan: Plan, workdir: Path, results: Results) -> None:
    log(f"sqlite: serve start-up on an empty file, {plan.startup_runs} runs")
    times = []
    for n in range(plan.startup_runs):
        folder = workdir / f"startup-{n}"
        folder.mkdir()
        server = Server(f"sqlite://{folder}/empty.db?mode=rwc", folder, f"startup-{n}")
        try:
            times.append(server.wait_healthy(timeout=30, poll=0.001))
        finally:
            server.stop()
    results.raw.setdefault("sqlite", {})["startup_s"] = times
    m = median(times)
    results.add(Row("serve start-up on an empty SQLite file, migrations included (spawn to first 200 "
                    "from /health)", "sqlite", fmt_seconds(m), f"min {fmt_seconds(min(times))}, max "
                    f"{fmt_seconds(max(times))}", m / 0.5, "<= 0.5 s", m <= 0.5,
                    f"median of {len(times)}; ratio = figure / target"))
