"""Fixtures: a real server for each test module, and a scripted stub for what it never does."""

import http.server
import json
import socket
import threading
import urllib.parse

import pytest

from company_access_client import Client
from realserver import Server


@pytest.fixture(scope="module")
def server():
    # One per module: each module's changes start from fresh demo data.
    running = Server()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def client(server):
    return Client(server.url, server.key, retries=0)


@pytest.fixture(scope="module")
def ids(client):
    """Demo users and companies by name: ids["sarah"], ids["NYC"]."""
    found = {}
    for user in client.request("GET", "/users")["items"]:
        found[user["username"]] = user["id"]
    for company in client.request("GET", "/companies?limit=100")["items"]:
        found[company["name"]] = company["id"]
    return found


class Stub:
    """An HTTP server on 127.0.0.1 that answers from a script and records what it was asked.

    Each entry of ``script`` answers one request: an HTTP status with a JSON body, or ``"drop"``
    to close the connection without answering.
    """

    def __init__(self, script):
        self.script = list(script)
        self.requests = []
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                stub.requests.append((self.command, urllib.parse.urlsplit(self.path).path))
                # Past the script a 500, which no client retries: an extra request shows.
                step = stub.script.pop(0) if stub.script else (500, {"code": "internal"})
                if step == "drop":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                status, body = step
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_DELETE = answer

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def client(self, **options):
        options.setdefault("backoff", 0.01)
        return Client(self.url, "stub-key", **options)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def stub():
    """stub(script) starts a Stub; all are closed after the test."""
    started = []

    def start(script):
        started.append(Stub(script))
        return started[-1]

    yield start
    for one in started:
        one.close()


@pytest.fixture
def closed_port():
    """A local URL where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return "http://127.0.0.1:%d" % probe.getsockname()[1]
