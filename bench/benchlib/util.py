"""Small helpers: logging, free ports, medians and percentiles, running commands."""

from __future__ import annotations

import socket
import statistics
import subprocess
import sys
import time


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[rank]


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    """subprocess.run that fails with the command's error output in the message."""
    check = kwargs.pop("check", True)
    if "stderr" not in kwargs and not kwargs.get("capture_output"):
        kwargs["stderr"] = subprocess.PIPE
        kwargs.setdefault("text", True) if "encoding" not in kwargs else None
    done = subprocess.run(cmd, **kwargs)
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])} ... failed ({done.returncode}): {str(done.stderr)[-2000:]}")
    return done
