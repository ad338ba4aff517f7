"""`company-access serve --demo` on a fresh temporary database, for the tests.

The binary is COMPANY_ACCESS_BIN, default ../../target/debug/company-access (`cargo build -p
company-access`). Without it the tests that need it are skipped, except under CI=true, where a
missing binary is a failure: a CI run must not pass by testing nothing.
"""

import os
import re
import subprocess
import tempfile
import threading
import unittest
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))


def binary() -> str:
    path = os.environ.get("COMPANY_ACCESS_BIN") or os.path.join(
        HERE, "..", "..", "target", "debug", "company-access"
    )
    if not os.path.exists(path):
        message = "%s not built: run `cargo build -p company-access`" % path
        if os.environ.get("CI") == "true":
            raise RuntimeError(message)
        raise unittest.SkipTest(message)
    return path


class Server:
    """`company-access serve --demo` on a temporary database, stopped by stop()."""

    def __init__(self) -> None:
        command = [binary(), "serve", "--demo"]
        self.dir = tempfile.TemporaryDirectory(prefix="company-access-py-")
        self.key = "py-test-" + uuid.uuid4().hex
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("COMPANY_ACCESS_") and k != "DATABASE_URL"
        }
        env.update(
            DATABASE_URL="sqlite://%s/t.db" % self.dir.name,
            COMPANY_ACCESS_BIND="127.0.0.1:0",
            COMPANY_ACCESS_MASTER_KEY=self.key,
            COMPANY_ACCESS_DATA_DIR=self.dir.name,
            NO_COLOR="1",
        )
        self.process = subprocess.Popen(
            command,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        found = threading.Event()
        self.url = ""
        self.log: list = []

        def read() -> None:
            # Keeps reading for the server's whole life: a full pipe would block its logging.
            assert self.process.stderr is not None
            for line in self.process.stderr:
                self.log.append(line)
                match = re.search(r"Listening on (http://[0-9.:\[\]a-z]+)", line)
                if match and not found.is_set():
                    self.url = match.group(1)
                    found.set()
            found.set()

        threading.Thread(target=read, daemon=True).start()
        if not found.wait(90) or not self.url:
            self.stop()
            raise RuntimeError("the server did not start:\n" + "".join(self.log))

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()
        self.dir.cleanup()
