#!/usr/bin/env python3
"""Two release binaries side by side on the access-model data (SQLite, full scale): single checks against
/health, wrk runs alternating between the two servers round after round, so that the machine's drift
falls on both alike. Prints each round and the median, mean and range of each binary's ratio.

    bench/ab.py OLD_BINARY NEW_BINARY [ROUNDS] [SECONDS]

AB_ENV_A / AB_ENV_B (NAME=VALUE) add one setting to that server's environment, so one binary can also be
set against itself (AB_ENV_A=COMPANY_ACCESS_HUGE_PAGES=0). The data is generated once into
target/bench/ab/ (bench/datagen.py, the `model` section's data) and copied for each server.
Needs what bench/run needs (wrk, and bench/sqlshell, which `bench/run` builds).
"""
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.chdir(Path(__file__).resolve().parent.parent)

import datagen  # noqa: E402
from benchlib import service  # noqa: E402
from benchlib.checks import check_args, companies_file, warm_cache  # noqa: E402
from benchlib.config import OUT_DIR, Plan, SQLSHELL  # noqa: E402
from benchlib.databases import Sqlite  # noqa: E402
from benchlib.service import Server  # noqa: E402
from benchlib.tools import wrk  # noqa: E402


def main() -> None:
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    binaries = [Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 6
    seconds = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    work = OUT_DIR / "ab"
    work.mkdir(parents=True, exist_ok=True)
    scale = datagen.Scale(100_000, 1_000, 10, seed=42)
    plan = Plan(False, scale, scale, scale, wrk_seconds=seconds, memory_checks=0, pool=100_000,
                post_pairs=1000, post_bodies=20, stale_rounds=0, stale_clients=0, ab_samples=0, stats_runs=0,
                startup_runs=0, repeats=1)
    backend = Sqlite(work)
    if not backend.path("model").exists():
        backend.create("model")
        datagen.generate("sqlite", str(backend.path("model")), scale, sqlshell=SQLSHELL, access_model=True)
        backend.prepare("model", [])
    companies = companies_file(scale, work)
    servers = []
    try:
        for i, binary in enumerate(binaries):
            backend.copy("model", f"ab{i}")
            env = {}
            spec = os.environ.get("AB_ENV_" + "AB"[i])
            if spec:
                name, value = spec.split("=", 1)
                env[name] = value
            service.BIN = binary
            servers.append(Server(backend.url(f"ab{i}"), work, f"ab{i}", env=env).start(False))
        for server in servers:
            warm_cache(server, scale)
        check = ["rolecheck"] + check_args(plan, scale, companies)[1:]
        ratios: list[list[float]] = [[], []]
        for r in range(rounds):
            line = []
            for i in ([0, 1] if r % 2 == 0 else [1, 0]):
                health = wrk(plan, servers[i].port, "get.lua", ["static", "/health"], seconds)["rps"]
                checks = wrk(plan, servers[i].port, "get.lua", check, seconds)["rps"]
                ratios[i].append(checks / health)
                line.append(f"{'AB'[i]}: health {health:,.0f} check {checks:,.0f} ratio {checks / health:.3f}")
            print(f"round {r + 1}: " + " | ".join(line), flush=True)
        for i in (0, 1):
            values = ratios[i]
            print(f"{'AB'[i]} {binaries[i]}: median {statistics.median(values):.3f} mean "
                  f"{statistics.mean(values):.3f} min {min(values):.3f} max {max(values):.3f}")
    finally:
        for server in servers:
            server.stop()


if __name__ == "__main__":
    main()
