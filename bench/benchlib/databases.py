"""The databases a run uses: SQLite files and PostgreSQL databases, made from templates and dropped."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from . import config
from .config import BIN, SQLSHELL
from .util import log, run


class Backend:
    name = ""

    def __init__(self, workdir: Path):
        self.workdir = workdir

    def migrate(self, db: str) -> None:
        env = dict(os.environ, DATABASE_URL=self.url(db), RUST_LOG="warn",
                   COMPANY_ACCESS_DATA_DIR=str(self.workdir / "data-migrate"))
        run([str(BIN), "migrate", "up"], env=env, stdout=subprocess.DEVNULL)


class Sqlite(Backend):
    name = "sqlite"

    def path(self, db: str) -> Path:
        return self.workdir / f"{db}.db"

    def url(self, db: str) -> str:
        return f"sqlite://{self.path(db)}?mode=rwc"

    def create(self, db: str) -> str:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path(db)}{suffix}").unlink(missing_ok=True)
        self.migrate(db)
        return db

    def sql(self, db: str, sql: str, timed: bool = False) -> tuple[str, list[float]]:
        out = run([str(SQLSHELL)] + (["-t"] if timed else []) + [str(self.path(db))], input=sql,
                  encoding="utf-8", errors="replace", capture_output=True).stdout
        times = [float(m) for m in re.findall(r"^Run Time: real ([\d.]+)", out, re.M)]
        return out, times

    def prepare(self, db: str, filled: list[str]) -> None:
        # SQLite keeps no statistics for an empty table, so ANALYZE of everything is what a real one has.
        self.sql(db, "ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);")

    def copy(self, source: str, db: str) -> str:
        self.sql(source, "PRAGMA wal_checkpoint(TRUNCATE);")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path(db)}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(self.path(source), self.path(db))
        return db

    def settle(self, db: str) -> None:
        os.sync()

    def drop(self, db: str) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path(db)}{suffix}").unlink(missing_ok=True)

    def drop_all(self) -> None:
        pass


class Postgres(Backend):
    name = "postgres"

    def __init__(self, workdir: Path, server_url: str):
        super().__init__(workdir)
        self.server_url = server_url.rstrip("/")
        self.prefix = f"ca_bench_{os.getpid()}_"
        self.created: list[str] = []

    def dbname(self, db: str) -> str:
        return self.prefix + db

    def url(self, db: str) -> str:
        return f"{self.server_url}/{self.dbname(db)}"

    def admin(self, sql: str) -> None:
        run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", f"{self.server_url}/postgres", "-c", sql],
            stdout=subprocess.DEVNULL)

    def create(self, db: str) -> str:
        self.admin(f"DROP DATABASE IF EXISTS {self.dbname(db)}")
        self.admin(f"CREATE DATABASE {self.dbname(db)}")
        self.created.append(db)
        self.migrate(db)
        return db

    def sql(self, db: str, sql: str, timed: bool = False) -> tuple[str, list[float]]:
        prefix = "\\timing on\n\\o /dev/null\n" if timed else ""
        out = run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", self.url(db)],
                  input=prefix + sql, text=True, capture_output=True).stdout
        times = [float(m) / 1000 for m in re.findall(r"^Time: ([\d.]+) ms", out, re.M)]
        return out, times

    def prepare(self, db: str, filled: list[str]) -> None:
        # The tables the generator filled are vacuumed and analyzed, as autovacuum would after a load; an
        # empty table stays never-analyzed, as on a real database (--analyze-empty-tables analyzes them too:
        # the planner then trusts "0 rows", the state a table is in after it was emptied and vacuumed).
        tables = [] if config.ANALYZE_EMPTY else filled
        self.sql(db, "".join(f"VACUUM ANALYZE {t};\n" for t in tables) or "VACUUM ANALYZE;\n")
        self.sql(db, "CHECKPOINT;")

    def copy(self, source: str, db: str) -> str:
        self.admin(f"DROP DATABASE IF EXISTS {self.dbname(db)}")
        self.admin(f"CREATE DATABASE {self.dbname(db)} TEMPLATE {self.dbname(source)}")
        self.created.append(db)
        return db

    def settle(self, db: str) -> None:
        self.sql(db, "CHECKPOINT;")

    def drop(self, db: str) -> None:
        self.admin(f"DROP DATABASE IF EXISTS {self.dbname(db)} WITH (FORCE)")
        if db in self.created:
            self.created.remove(db)

    def drop_all(self) -> None:
        for db in list(self.created):
            try:
                self.drop(db)
            except subprocess.CalledProcessError as error:
                log(f"could not drop {self.dbname(db)}: {error}")
