#!/usr/bin/env python3
"""Seeded data generator for the Company Access benchmark (issue 5).

Fills a database whose schema already exists (`company-access migrate up`) with companies, users (with or
without a home company, the "employee profile") and grants, using set-based SQL run by psql (PostgreSQL:
generate_series) or by bench's sqlshell (SQLite: a recursive CTE). Everything is a pure function of the
options and the seed, so two runs with the same options hold the same rows, on either backend: the same
UUIDs, names, roles and grants.

  bench/datagen.py --backend sqlite   --sqlite-file /tmp/x.db --users 100000 --companies 1000 --grants-per-user 10
  bench/datagen.py --backend postgres --pg-dbname ca_bench_x  --users 10000  --companies 100  --grants-per-user 0
  bench/datagen.py ... --print-sql     (print the SQL instead of running it)

The rules (all integer arithmetic, so the runner and the wrk Lua scripts can recompute them):
  hash(x)               = (x * 2654435761 + seed * 40503) mod 2^32
  company i (1..C)      : id  = uuid(hex8(hash(i)) 'c0c0' '4' hex3(seed mod 4096) '8000' hex12(i))
                          name 'Company 0000001', created 2026-01-01 + i seconds
  user u (1..U)         : id u, username 'user0000001', role super_admin when u mod SA = 1 mod SA (SA > 0),
                          else admin (u mod 100 = 2), hr_manager (u mod 10 = 3), finance_manager (u mod 10 = 4),
                          else employee; inactive when u mod IA = 7 (IA > 0)
  start(u)              = hash(u) mod C                     (0-based company index)
  grants of u (K)       : companies start(u) + j * (C div K)  mod C, + 1, for j in 0..K-1; j = 0 is the default
  home company of u     : company start(u) + 1 (with --home), i.e. the same as the default grant
  a company u never has : start(u) + 1 mod C, + 1  (used by the stale-answer and A->B tests; needs C div K >= 2)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLSHELL = ROOT / "target" / "bench" / "sqlshell"
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432"
HASH_MULTIPLIER = 2654435761
SEED_MULTIPLIER = 40503


@dataclass(frozen=True)
class Scale:
    users: int
    companies: int
    grants_per_user: int = 0
    home: bool = False
    super_admin_every: int = 1000
    inactive_every: int = 50
    seed: int = 42

    def __post_init__(self) -> None:
        if self.users < 1 or self.companies < 1:
            raise ValueError("need at least one user and one company")
        if self.grants_per_user > self.companies:
            raise ValueError("grants per user cannot exceed the number of companies")

    @property
    def stride(self) -> int:
        return self.companies // self.grants_per_user if self.grants_per_user else 0

    # --- the same rules in Python, for the runner -------------------------------------------------------
    def hash(self, x: int) -> int:
        return (x * HASH_MULTIPLIER + self.seed * SEED_MULTIPLIER) % 4294967296

    def company_uuid(self, i: int) -> str:
        h = f"{self.hash(i):08x}c0c04{self.seed % 4096:03x}8000{i:012x}"
        return f"{h[0:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"

    def start(self, u: int) -> int:
        return self.hash(u) % self.companies

    def granted(self, u: int) -> list[int]:
        """1-based company indexes granted to user u."""
        s = self.start(u)
        return [(s + j * self.stride) % self.companies + 1 for j in range(self.grants_per_user)]

    def never_granted(self, u: int) -> int:
        """A 1-based company index user u holds no grant of."""
        if self.grants_per_user and self.stride < 2:
            raise ValueError("every company is granted; no free company for tests")
        return (self.start(u) + 1) % self.companies + 1

    def role(self, u: int) -> str:
        sa = self.super_admin_every
        if sa > 0 and u % sa == 1 % sa:
            return "super_admin"
        if u % 100 == 2:
            return "admin"
        if u % 10 == 3:
            return "hr_manager"
        if u % 10 == 4:
            return "finance_manager"
        return "employee"

    def active(self, u: int) -> bool:
        return not (self.inactive_every > 0 and u % self.inactive_every == 7)

    def plain_active(self, u: int) -> bool:
        """Active and not a super admin: a user whose checks depend on grants alone."""
        return self.active(u) and self.role(u) != "super_admin"


# --- SQL -------------------------------------------------------------------------------------------------
# Rows go in straight, past the service, so they carry the keys it would compute (`names::fold`, the
# columns name_key and full_name_key). The names here are ASCII, where folding is plain lowercasing: the
# keys are spelled lowercase below rather than computed.

def _role_case(s: Scale) -> str:
    sa = s.super_admin_every
    super_admin = f"WHEN u % {sa} = {1 % sa} THEN 'super_admin' " if sa > 0 else ""
    return (
        f"CASE {super_admin}WHEN u % 100 = 2 THEN 'admin' WHEN u % 10 = 3 THEN 'hr_manager' "
        "WHEN u % 10 = 4 THEN 'finance_manager' ELSE 'employee' END"
    )


def _inactive(s: Scale) -> str:
    return f"u % {s.inactive_every} = 7" if s.inactive_every > 0 else "false"


def postgres_sql(s: Scale) -> str:
    h = lambda x: f"(({x})::bigint * {HASH_MULTIPLIER} + {s.seed * SEED_MULTIPLIER}) % 4294967296"  # noqa: E731
    seed_hex = f"{s.seed % 4096:03x}"
    home = "bc.id" if s.home else "NULL::uuid"
    sql = f"""
\\set ON_ERROR_STOP 1
BEGIN;
CREATE TEMP TABLE bench_company (idx integer PRIMARY KEY, id uuid NOT NULL) ON COMMIT DROP;
INSERT INTO bench_company
SELECT i, (lpad(to_hex({h('i')}), 8, '0') || 'c0c04{seed_hex}8000' || lpad(to_hex(i), 12, '0'))::uuid
FROM generate_series(1, {s.companies}) AS i;
INSERT INTO hrm_company (id, name, name_key, created_at, modified_at)
SELECT id, 'Company ' || lpad(idx::text, 7, '0'), 'company ' || lpad(idx::text, 7, '0'),
       timestamptz '2026-01-01 00:00:00+00' + idx * interval '1 second',
       timestamptz '2026-01-01 00:00:00+00' + idx * interval '1 second'
FROM bench_company ORDER BY idx;
INSERT INTO hrm_users (id, username, full_name, full_name_key, email, role, is_active, home_company_id, created_at, modified_at)
SELECT u, 'user' || lpad(u::text, 7, '0'), 'User ' || u, 'user ' || u, 'user' || u || '@example.test',
       {_role_case(s)}, NOT ({_inactive(s)}), {home},
       timestamptz '2026-02-01 00:00:00+00' + u * interval '1 second',
       timestamptz '2026-02-01 00:00:00+00' + u * interval '1 second'
FROM (SELECT u, {h('u')} % {s.companies} + 1 AS idx FROM generate_series(1, {s.users}) AS u) g
JOIN bench_company bc ON bc.idx = g.idx
ORDER BY u;
SELECT setval(pg_get_serial_sequence('hrm_users', 'id'), {s.users}) \\g /dev/null
"""
    if s.grants_per_user:
        k = s.grants_per_user
        sql += f"""
INSERT INTO hrm_user_company_access (id, user_id, company_id, is_default, granted_by, created_at, modified_at)
SELECT (lpad(to_hex({h('g.k + 7919')}), 8, '0') || lpad(to_hex(g.j), 4, '0') || '4{seed_hex}a000'
          || lpad(to_hex(g.k), 12, '0'))::uuid,
       g.u, bc.id, g.j = 0, 'datagen',
       timestamptz '2026-03-01 00:00:00+00' + g.u * interval '1 second',
       timestamptz '2026-03-01 00:00:00+00' + g.u * interval '1 second'
FROM (SELECT u, j, u::bigint * {k} + j AS k,
             ({h('u')} % {s.companies} + j * {s.stride}) % {s.companies} + 1 AS idx
      FROM generate_series(1, {s.users}) AS u CROSS JOIN generate_series(0, {k - 1}) AS j) g
JOIN bench_company bc ON bc.idx = g.idx
ORDER BY g.u, g.j;
"""
    sql += "COMMIT;\n"
    return sql


def sqlite_sql(s: Scale) -> str:
    h = lambda x: f"(({x}) * {HASH_MULTIPLIER} + {s.seed * SEED_MULTIPLIER}) % 4294967296"  # noqa: E731
    seed_hex = f"{s.seed % 4096:03x}"
    stamp = lambda base, n: (  # noqa: E731
        f"strftime('%Y-%m-%dT%H:%M:%S', '{base}', '+' || ({n}) || ' seconds') || '.000000000+00:00'"
    )
    seq = lambda n: (  # noqa: E731
        f"WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < {n})"
    )
    home = "bc.id" if s.home else "NULL"
    sql = f"""
BEGIN;
CREATE TEMP TABLE bench_company (idx INTEGER PRIMARY KEY, id BLOB NOT NULL);
INSERT INTO bench_company
{seq(s.companies)}
SELECT i, unhex(printf('%08xc0c04{seed_hex}8000%012x', {h('i')}, i)) FROM seq;
INSERT INTO hrm_company (id, name, name_key, created_at, modified_at)
SELECT id, 'Company ' || printf('%07d', idx), 'company ' || printf('%07d', idx),
       {stamp('2026-01-01 00:00:00', 'idx')},
       {stamp('2026-01-01 00:00:00', 'idx')}
FROM bench_company ORDER BY idx;
INSERT INTO hrm_users (id, username, full_name, full_name_key, email, role, is_active, home_company_id, created_at, modified_at)
{seq(s.users)}
SELECT u, 'user' || printf('%07d', u), 'User ' || u, 'user ' || u, 'user' || u || '@example.test',
       {_role_case(s)}, NOT ({_inactive(s)}), {home},
       {stamp('2026-02-01 00:00:00', 'u')}, {stamp('2026-02-01 00:00:00', 'u')}
FROM (SELECT i AS u, {h('i')} % {s.companies} + 1 AS idx FROM seq) g
JOIN bench_company bc ON bc.idx = g.idx
ORDER BY u;
"""
    if s.grants_per_user:
        k = s.grants_per_user
        sql += f"""
INSERT INTO hrm_user_company_access (id, user_id, company_id, is_default, granted_by, created_at, modified_at)
{seq(s.users)}, js(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM js WHERE j < {k - 1})
SELECT unhex(printf('%08x%04x4{seed_hex}a000%012x', {h('g.k + 7919')}, g.j, g.k)),
       g.u, bc.id, g.j = 0, 'datagen',
       {stamp('2026-03-01 00:00:00', 'g.u')}, {stamp('2026-03-01 00:00:00', 'g.u')}
FROM (SELECT u, j, u * {k} + j AS k, ({h('u')} % {s.companies} + j * {s.stride}) % {s.companies} + 1 AS idx
      FROM (SELECT i AS u FROM seq) CROSS JOIN js) g
JOIN bench_company bc ON bc.idx = g.idx
ORDER BY g.u, g.j;
"""
    sql += "COMMIT;\nDROP TABLE bench_company;\n"
    return sql


def access_model_sql(s: Scale, backend: str) -> str:
    """The access model on top of generated data: a three-level company tree (companies 1-10 at the top,
    company i under company i div 10), a role of its own on every third user's non-default grants, a
    window that holds now on every fifth user's grants, and `include_branches` on the default grant of
    every tenth user. Checks keep their answers (the windows hold now), so the runner's pairs still
    know which are granted."""
    pad = "lpad((CAST(substr(c.name, 9) AS integer) / 10)::text, 7, '0')" if backend == "postgres" \
        else "printf('%07d', CAST(substr(c.name, 9) AS integer) / 10)"
    start, end = ("timestamptz '2020-01-01 00:00:00+00'", "timestamptz '2099-01-01 00:00:00+00'") \
        if backend == "postgres" else ("'2020-01-01T00:00:00+00:00'", "'2099-01-01T00:00:00+00:00'")
    return f"""
BEGIN;
UPDATE hrm_company SET parent_id = p.id FROM hrm_company c JOIN hrm_company p ON p.name = 'Company ' || {pad}
WHERE hrm_company.id = c.id AND CAST(substr(c.name, 9) AS integer) > 10;
UPDATE hrm_user_company_access SET
  role = CASE WHEN user_id % 3 = 0 AND NOT is_default THEN 'hr_manager' END,
  valid_from = CASE WHEN user_id % 5 = 0 THEN {start} END,
  valid_until = CASE WHEN user_id % 5 = 0 THEN {end} END,
  include_branches = (user_id % 10 = 1 AND is_default);
COMMIT;
"""


def import_baseline_sql(s: Scale, backend: str, lines: int) -> str:
    """A raw INSERT ... SELECT of the rows the import measure sends: user u (1..lines) gets the company
    it never has (`never_granted`)."""
    seed_hex = f"{s.seed % 4096:03x}"
    c = s.companies
    if backend == "postgres":
        h = lambda x: f"(({x})::bigint * {HASH_MULTIPLIER} + {s.seed * SEED_MULTIPLIER}) % 4294967296"  # noqa: E731
        return f"""
INSERT INTO hrm_user_company_access (id, user_id, company_id, is_default, granted_by, created_at, modified_at)
SELECT gen_random_uuid(), g.u,
       (lpad(to_hex({h('g.idx')}), 8, '0') || 'c0c04{seed_hex}8000' || lpad(to_hex(g.idx), 12, '0'))::uuid,
       false, 'raw', now(), now()
FROM (SELECT u, ({h('u')} % {c} + 1) % {c} + 1 AS idx FROM generate_series(1, {lines}) AS u) g;
"""
    h = lambda x: f"(({x}) * {HASH_MULTIPLIER} + {s.seed * SEED_MULTIPLIER}) % 4294967296"  # noqa: E731
    return f"""
INSERT INTO hrm_user_company_access (id, user_id, company_id, is_default, granted_by, created_at, modified_at)
WITH RECURSIVE seq(u) AS (SELECT 1 UNION ALL SELECT u + 1 FROM seq WHERE u < {lines})
SELECT randomblob(16), g.u, unhex(printf('%08xc0c04{seed_hex}8000%012x', {h('g.idx')}, g.idx)),
       false, 'raw', strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'), strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')
FROM (SELECT u, ({h('u')} % {c} + 1) % {c} + 1 AS idx FROM seq) g;
"""


# --- running it ------------------------------------------------------------------------------------------

def psql_command(dbname: str, pg_url: str = DEFAULT_PG_URL) -> list[str]:
    return ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", f"{pg_url.rstrip('/')}/{dbname}"]


def generate(backend: str, target: str, scale: Scale, *, sqlshell: Path = DEFAULT_SQLSHELL,
             pg_url: str = DEFAULT_PG_URL, access_model: bool = False) -> None:
    """Runs the generator; `target` is the SQLite file or the PostgreSQL database name. With
    `access_model`, the tree, roles, windows and branches of `access_model_sql` go on top."""
    sql = postgres_sql(scale) if backend == "postgres" else sqlite_sql(scale)
    if access_model:
        sql += access_model_sql(scale, backend)
    run_sql(backend, target, sql, sqlshell=sqlshell, pg_url=pg_url)


def run_sql(backend: str, target: str, sql: str, *, sqlshell: Path = DEFAULT_SQLSHELL,
            pg_url: str = DEFAULT_PG_URL) -> None:
    if backend == "postgres":
        subprocess.run(psql_command(target, pg_url), input=sql, text=True, check=True,
                       stdout=subprocess.DEVNULL)
    elif backend == "sqlite":
        subprocess.run([str(sqlshell), target], input=sql, text=True, check=True,
                       stdout=subprocess.DEVNULL)
    else:
        raise ValueError(f"unknown backend {backend!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--sqlite-file", help="SQLite database file (schema already migrated)")
    parser.add_argument("--pg-dbname", help="PostgreSQL database name (schema already migrated)")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG_URL),
                        help=f"server URL without database (default {DEFAULT_PG_URL})")
    parser.add_argument("--sqlshell", type=Path, default=DEFAULT_SQLSHELL,
                        help="the SQLite shell bench/run builds (needs unhex(): SQLite >= 3.41)")
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--companies", type=int, default=1_000)
    parser.add_argument("--grants-per-user", type=int, default=10)
    parser.add_argument("--home", action=argparse.BooleanOptionalAction, default=False,
                        help="give every user a home company (an employee profile)")
    parser.add_argument("--super-admin-every", type=int, default=1000, help="0: no super admins")
    parser.add_argument("--inactive-every", type=int, default=50, help="0: everyone active")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--print-sql", action="store_true", help="print the SQL and exit")
    args = parser.parse_args(argv)
    scale = Scale(args.users, args.companies, args.grants_per_user, args.home, args.super_admin_every,
                  args.inactive_every, args.seed)
    if args.print_sql:
        print(postgres_sql(scale) if args.backend == "postgres" else sqlite_sql(scale))
        return 0
    target = args.sqlite_file if args.backend == "sqlite" else args.pg_dbname
    if not target:
        parser.error("--sqlite-file or --pg-dbname is required")
    generate(args.backend, target, scale, sqlshell=args.sqlshell, pg_url=args.pg_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
