"""Where things are, the fixed values every measure shares, and the plan of a run (scale, durations)."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path

from datagen import Scale


BENCH = Path(__file__).resolve().parent.parent
ROOT = BENCH.parent

TARGET_DIR = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
BIN = TARGET_DIR / "release" / "company-access"
OUT_DIR = TARGET_DIR / "bench"
SQLSHELL = OUT_DIR / "sqlshell"
MASTER_KEY = "bench-master-key-0123456789abcdef"
ANALYZE_EMPTY = False  # --analyze-empty-tables
SERVER_ENV: dict[str, str] = {}  # --server-env: extra settings for every `serve` the benchmark starts
ACTOR = "master"
# Bound as the grant time by the floors, in the text form sqlx writes DateTime<Utc> on SQLite.
NOW_TEXT = "2026-11-24T10:14:02.459844776+00:00"
# api/src/db/sql.rs random_uuid_sql: the SQL each backend's service statements make grant ids with.
UUID_SQL = {
    "postgres": "gen_random_uuid()",
    "sqlite": "unhex(substr(hex(randomblob(16)), 1, 12) || '4' || substr(hex(randomblob(16)), 14, 3) "
              "|| '8' || substr(hex(randomblob(16)), 18, 15))",
}
GRANT_COLUMNS = ("INSERT INTO hrm_user_company_access "
                 "(id, user_id, company_id, is_default, granted_by, created_at, modified_at) ")
# api/src/db/stats.rs: the aggregates GET /stats runs.
STATS_SQL = [
    "SELECT g.relationships, g.expired_grants, g.scheduled_grants, g.branch_grants, "
    "(SELECT count(*) FROM hrm_users) AS users, "
    "(SELECT count(*) FROM hrm_users WHERE is_active) AS active_users, "
    "(SELECT count(*) FROM hrm_users WHERE role = 'super_admin') AS super_admins, "
    "(SELECT count(*) FROM hrm_company) AS companies, "
    "(SELECT count(*) FROM hrm_company WHERE parent_id IS NOT NULL) AS branch_companies, "
    "(SELECT count(*) FROM hrm_company c WHERE NOT EXISTS "
    "(SELECT 1 FROM hrm_user_company_access a WHERE a.company_id = c.id)) AS companies_without_users, "
    "(SELECT count(*) FROM hrm_users u WHERE u.role <> 'super_admin' AND NOT EXISTS "
    "(SELECT 1 FROM hrm_user_company_access a WHERE a.user_id = u.id "
    "AND (a.valid_until IS NULL OR a.valid_until > CURRENT_TIMESTAMP))) AS users_without_companies "
    "FROM (SELECT count(*) AS relationships, "
    "coalesce(sum(CASE WHEN valid_until <= CURRENT_TIMESTAMP THEN 1 ELSE 0 END), 0) AS expired_grants, "
    "coalesce(sum(CASE WHEN valid_from > CURRENT_TIMESTAMP THEN 1 ELSE 0 END), 0) AS scheduled_grants, "
    "coalesce(sum(CASE WHEN include_branches THEN 1 ELSE 0 END), 0) AS branch_grants "
    "FROM hrm_user_company_access) g",
    "SELECT n AS companies, count(*) AS users FROM "
    "(SELECT count(*) AS n FROM hrm_user_company_access "
    "WHERE valid_until IS NULL OR valid_until > CURRENT_TIMESTAMP GROUP BY user_id) per_user "
    "GROUP BY n ORDER BY n",
    "SELECT c.id AS company_id, c.name, per_company.users FROM "
    "(SELECT company_id, count(*) AS users FROM hrm_user_company_access "
    "GROUP BY company_id ORDER BY users DESC LIMIT 10) per_company "
    "JOIN hrm_company c ON c.id = per_company.company_id ORDER BY per_company.users DESC, c.name_key",
]


# --- settings ----------------------------------------------------------------------------------------------

@dataclass
class Plan:
    quick: bool
    check: Scale            # GET/POST checks, memory, stats, stale answers, A->B
    bulk: Scale             # bulk add all-to-all on an empty table
    populate: Scale         # populate from employee profiles
    wrk_seconds: int
    memory_checks: int
    pool: int               # prepared GET requests per wrk thread
    post_pairs: int
    post_bodies: int        # prepared POST bodies per wrk thread
    stale_rounds: int
    stale_clients: int
    ab_samples: int
    stats_runs: int
    startup_runs: int
    repeats: int            # bulk / populate: each side measured this many times, median kept
    wrk_threads: int = 2
    wrk_connections: int = 32


def make_plan(args: argparse.Namespace) -> Plan:
    seed = args.seed
    if args.quick:
        plan = Plan(True, Scale(20_000, 200, 10, seed=seed), Scale(2_000, 100, 0, seed=seed),
                    Scale(20_000, 200, 0, home=True, super_admin_every=0, seed=seed),
                    wrk_seconds=5, memory_checks=200_000, pool=20_000, post_pairs=1000, post_bodies=10,
                    stale_rounds=5_000, stale_clients=4, ab_samples=100, stats_runs=3, startup_runs=5,
                    repeats=1)
    else:
        plan = Plan(False, Scale(100_000, 1_000, 10, seed=seed), Scale(10_000, 100, 0, seed=seed),
                    Scale(100_000, 1_000, 0, home=True, super_admin_every=0, seed=seed),
                    wrk_seconds=10, memory_checks=1_000_000, pool=100_000, post_pairs=1000, post_bodies=20,
                    stale_rounds=100_000, stale_clients=4, ab_samples=600, stats_runs=7, startup_runs=7,
                    repeats=2)
    for name in ("wrk_seconds", "stale_rounds", "ab_samples", "repeats"):
        value = getattr(args, name)
        if value is not None:
            setattr(plan, name, value)
    return plan
