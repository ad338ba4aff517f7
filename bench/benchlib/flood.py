"""The flood of checks for ids that exist nowhere: what it costs, and what it leaves behind for real users."""

from __future__ import annotations

from datagen import Scale
from .config import Plan
from .databases import Backend
from .results import Results, Row, fmt_rate
from .service import Server
from .tools import combine, errors_note, wrk
from .checks import check_args
from .util import log
from pathlib import Path


def measure_flood(plan: Plan, backend: Backend, server: Server, scale: Scale, companies: Path,
                  results: Results) -> None:
    """On the running serve, one after the other: /health, real checks (before), the flood of made-up ids
    (20 s, or the quick run's length), real checks (after), /health. The flood's rate is set against
    /health's, the real checks' rate after it against theirs before it."""
    b = backend.name
    seconds = plan.wrk_seconds if plan.quick else 20
    log(f"{b}: flood: /health, real checks, {seconds} s of checks for ids that exist nowhere, real checks, "
        "/health")
    real = check_args(plan, scale, companies)
    health = [wrk(plan, server.port, "get.lua", ["static", "/health"], plan.wrk_seconds)]
    before = wrk(plan, server.port, "get.lua", real, plan.wrk_seconds)
    flood = wrk(plan, server.port, "get.lua", ["nowhere", str(scale.users), str(scale.seed), str(plan.pool)],
                seconds)
    after = wrk(plan, server.port, "get.lua", real, plan.wrk_seconds)
    health.append(wrk(plan, server.port, "get.lua", ["static", "/health"], plan.wrk_seconds))
    health = combine(health)
    results.raw.setdefault(b, {})["flood"] = {"health": health, "before": before, "flood": flood, "after": after}
    errors, clean = errors_note(("health", health), ("flood", flood))
    ratio = flood["rps"] / health["rps"]
    results.add(Row(f"GET /access-check for ids that exist nowhere ({seconds} s flood) / GET /health", b,
                    f"{fmt_rate(flood['rps'])} req/s", f"{fmt_rate(health['rps'])} req/s", ratio, ">= 0.5",
                    ratio >= 0.5 and clean, errors))
    errors, clean = errors_note(("before", before), ("after", after))
    ratio = after["rps"] / before["rps"]
    results.add(Row("real users' GET /access-check after the flood / before it", b,
                    f"{fmt_rate(after['rps'])} req/s", f"{fmt_rate(before['rps'])} req/s", ratio, ">= 0.9",
                    ratio >= 0.9 and clean, errors))
