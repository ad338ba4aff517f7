"""wrk runs and the sqlite shell the raw-SQL floors use."""

from __future__ import annotations

import glob
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import time
from pathlib import Path

from .config import BENCH, MASTER_KEY, OUT_DIR, Plan, ROOT, SQLSHELL
from .util import log, run


def wrk(plan: Plan, port: int, script: str, args: list[str], seconds: int, limit: int | None = None,
        workdir: Path | None = None) -> dict:
    """Runs wrk and returns what bench/lua/common.lua's report printed, plus rps and total errors.
    With `limit`, get.lua's threads stop after limit / threads responses each; wrk ends on SIGINT."""
    if limit is not None:
        marker = str(workdir / f"wrk-done-{time.monotonic_ns()}-")
        args = args + [str(limit), marker]
    cmd = ["wrk", f"-t{plan.wrk_threads}", f"-c{plan.wrk_connections}", f"-d{seconds}s", "--timeout", "10s",
           "-H", f"Authorization: Bearer {MASTER_KEY}", "-s", f"bench/lua/{script}",
           f"http://127.0.0.1:{port}", "--", *args]
    process = subprocess.Popen(cmd, cwd=ROOT, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if limit is not None:
        markers = [Path(f"{marker}{t}") for t in range(plan.wrk_threads)]
        while process.poll() is None and not all(m.exists() for m in markers):
            time.sleep(0.02)
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
    out, err = process.communicate()
    match = re.search(r"^BENCH (\{.*\})$", out, re.M)
    if process.returncode != 0 or not match:
        raise RuntimeError(f"wrk failed ({process.returncode}): {out} {err}")
    result = json.loads(match.group(1))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["errors"] = sum(v for k, v in result.items() if k.startswith("errors_"))
    return result


def combine(runs: list[dict]) -> dict:
    """Several wrk runs of one kind as one: total requests over total time, mean of the percentiles."""
    total = {k: sum(r[k] for r in runs) for k in ("requests", "duration_us", "errors")}
    total["rps"] = total["requests"] / (total["duration_us"] / 1e6)
    for k in ("p50_us", "p90_us", "p99_us", "mean_us"):
        total[k] = statistics.fmean(r[k] for r in runs)
    return total


#: Pairs of adjacent wrk runs in which single checks are set against /health.
SIDE_BY_SIDE_PAIRS = 4


def side_by_side(plan: Plan, port: int, check_args: list[str]) -> dict:
    """/health and single checks side by side: SIDE_BY_SIDE_PAIRS pairs of adjacent wrk runs, each half the
    plan's run length (so the four pairs take as long as four whole runs), health first in one pair and
    the checks first in the next, so that drift falls on both alike. The figure is the median of the pairs'
    ratios (check ÷ health): on a shared machine one run can be a fifth slower than the one before it with
    nothing changed, and that run would otherwise move the whole figure. Returns both kinds of runs
    combined, each pair's ratio, their median, and the ratio of the combined rates."""
    seconds = max(2, plan.wrk_seconds // 2)
    runs: dict[str, list[dict]] = {"health": [], "check": []}
    ratios = []
    for p in range(SIDE_BY_SIDE_PAIRS):
        pair = {}
        for name in (("health", "check") if p % 2 == 0 else ("check", "health")):
            args = ["static", "/health"] if name == "health" else check_args
            pair[name] = wrk(plan, port, "get.lua", args, seconds)
            runs[name].append(pair[name])
        ratios.append(pair["check"]["rps"] / pair["health"]["rps"])
    health, check = combine(runs["health"]), combine(runs["check"])
    return {"health_runs": runs["health"], "check_runs": runs["check"], "health": health, "check": check,
            "ratios": ratios, "median": statistics.median(ratios), "pooled": check["rps"] / health["rps"]}


def side_by_side_note(measured: dict) -> str:
    pairs = ", ".join(f"{r:.2f}" for r in measured["ratios"])
    return f"ratio = median of {len(measured['ratios'])} adjacent pairs ({pairs}); all runs pooled {measured['pooled']:.2f}"


def errors_note(*runs: tuple[str, dict]) -> tuple[str, bool]:
    """A note naming wrk errors, and whether the runs are clean enough to judge (under 0.1% errors)."""
    parts = [f"{name}: {run['errors']:,} errors of {run['requests']:,}" for name, run in runs if run["errors"]]
    clean = all(run["errors"] <= run["requests"] / 1000 for _, run in runs)
    return "; ".join(parts), clean


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    log("wrk is missing: apt-get install -y wrk")
    if subprocess.run(["apt-get", "install", "-y", "wrk"], stdout=subprocess.DEVNULL).returncode != 0:
        run(["apt-get", "update"], stdout=subprocess.DEVNULL)
        run(["apt-get", "install", "-y", "wrk"], stdout=subprocess.DEVNULL)


def build_sqlshell() -> None:
    """bench/sqlshell.c against the SQLite amalgamation libsqlite3-sys bundles (the one the service links)."""
    lock = (ROOT / "Cargo.lock").read_text()
    match = re.search(r'name = "libsqlite3-sys"\nversion = "([^"]+)"', lock)
    version = match.group(1) if match else "*"
    cargo_home = os.environ.get("CARGO_HOME", str(Path.home() / ".cargo"))
    sources = sorted(glob.glob(f"{cargo_home}/registry/src/*/libsqlite3-sys-{version}/sqlite3/sqlite3.c"))
    if not sources:
        raise RuntimeError(f"the SQLite amalgamation of libsqlite3-sys {version} is not in {cargo_home}")
    amalgamation = Path(sources[-1])
    stamp = OUT_DIR / "sqlshell.source"
    source_c = BENCH / "sqlshell.c"
    # The defines libsqlite3-sys's build.rs uses for its bundled build (and sqlx's unlock_notify), less
    # SQLITE_ENABLE_MEMORY_MANAGEMENT, which the workspace's .cargo/config.toml takes out of the service's.
    defines = ["SQLITE_CORE", "SQLITE_DEFAULT_FOREIGN_KEYS=1", "SQLITE_ENABLE_API_ARMOR",
               "SQLITE_ENABLE_COLUMN_METADATA", "SQLITE_ENABLE_DBSTAT_VTAB", "SQLITE_ENABLE_FTS3",
               "SQLITE_ENABLE_FTS3_PARENTHESIS", "SQLITE_ENABLE_FTS5", "SQLITE_ENABLE_JSON1",
               "SQLITE_ENABLE_LOAD_EXTENSION=1", "SQLITE_ENABLE_RTREE",
               "SQLITE_ENABLE_STAT4", "SQLITE_SOUNDEX", "SQLITE_THREADSAFE=1", "SQLITE_USE_URI",
               "HAVE_USLEEP=1", "HAVE_ISNAN", "HAVE_LOCALTIME_R", "SQLITE_ENABLE_UNLOCK_NOTIFY"]
    built_from = f"{amalgamation} {' '.join(defines)}"
    if (SQLSHELL.exists() and stamp.exists() and stamp.read_text() == built_from
            and SQLSHELL.stat().st_mtime > source_c.stat().st_mtime):
        return
    log(f"building bench/sqlshell against {amalgamation} (about a minute)")
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    run(["cc", "-O3", f"-I{amalgamation.parent}", *[f"-D{d}" for d in defines], "-o", str(SQLSHELL),
         str(source_c), str(amalgamation), "-lpthread", "-ldl", "-lm"])
    stamp.write_text(built_from)
