"""The service under test: an HTTP client of it, and a `serve` process started and stopped."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import time
from pathlib import Path

from . import config
from .config import BIN, MASTER_KEY
from .util import free_port


class Client:
    """One keep-alive HTTP connection to a server, with the master key."""

    def __init__(self, port: int, timeout: float = 900):
        self.port, self.timeout = port, timeout
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.last_headers: dict[str, str] = {}

    def call(self, method: str, path: str, body=None, auth: bool = True, headers: dict | None = None):
        """(status, parsed body); the answer's headers, names in lower case, stay in `last_headers`."""
        headers = dict(headers or {})
        if auth:
            headers["Authorization"] = f"Bearer {MASTER_KEY}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        for attempt in (0, 1):
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                raw = response.read()
                self.last_headers = {name.lower(): value for name, value in response.getheaders()}
                break
            except (ConnectionError, http.client.HTTPException):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
                if attempt:
                    raise
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = raw.decode(errors="replace")
        return response.status, payload

    def timed(self, method: str, path: str, body=None, expect: int = 200):
        started = time.perf_counter()
        status, payload = self.call(method, path, body)
        elapsed = time.perf_counter() - started
        if status != expect:
            raise RuntimeError(f"{method} {path}: {status} {payload}")
        return elapsed, payload

    def close(self) -> None:
        self.conn.close()


# --- the service -------------------------------------------------------------------------------------------

class Server:
    def __init__(self, url: str, workdir: Path, name: str, env: dict | None = None):
        self.port = free_port()
        self.name = name
        data_dir = workdir / f"data-{name}"
        data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = workdir / f"server-{name}.log"
        environment = dict(os.environ)
        environment.update({
            "DATABASE_URL": url,
            "COMPANY_ACCESS_BIND": f"127.0.0.1:{self.port}",
            "COMPANY_ACCESS_MASTER_KEY": MASTER_KEY,
            "COMPANY_ACCESS_DATA_DIR": str(data_dir),
            "RUST_LOG": "warn",
        })
        environment.update(config.SERVER_ENV)
        environment.update(env or {})
        self.log_file = open(self.log_path, "w")
        self.started = time.perf_counter()
        self.process = subprocess.Popen([str(BIN), "serve"], env=environment, stdout=self.log_file,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def wait_healthy(self, timeout: float = 120, poll: float = 0.005) -> float:
        """Seconds from spawn to the first 200 from /health."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server {self.name} exited: {self.log_tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/health")
                response = conn.getresponse()
                response.read()
                conn.close()
                if response.status == 200:
                    return time.perf_counter() - self.started
            except OSError:
                pass
            time.sleep(poll)
        raise RuntimeError(f"server {self.name} not healthy after {timeout} s: {self.log_tail()}")

    def wait_feed(self, timeout: float = 30) -> None:
        """PostgreSQL: until /ready says the change feed listens (the cache is trusted only then)."""
        client = Client(self.port)
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            status, body = client.call("GET", "/ready", auth=False)
            if status == 200 and isinstance(body, dict) and body.get("change_feed") in ("listening", "single_instance"):
                client.close()
                return
            time.sleep(0.05)
        raise RuntimeError(f"server {self.name}: change feed not listening: {body}")

    def start(self, postgres: bool) -> "Server":
        self.wait_healthy()
        if postgres:
            self.wait_feed()
        return self

    def memory(self) -> dict:
        fields = {}
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    fields[key] = int(value.split()[0]) / 1024  # MiB
        return fields

    def log_tail(self) -> str:
        try:
            return self.log_path.read_text()[-2000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log_file.close()
