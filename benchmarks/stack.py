"""The shop as separate processes on loopback, for one benchmark run, and stopped afterwards.

    emulator (moto, provisioned and seeded) ─> lookup, order ─> web        + the bare hello

Each process logs JSON at WARNING to its own file under the run's log folder, so logging stays
out of the numbers but a failure can still be read. Checkout's per-client rate limit is lifted:
every request comes from one address here, and the limit would measure itself, not the shop.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"
ROLES = ("lookup", "order", "web")
# The web signs carts with it; the benchmark signs the cart pages' cookie with it too.
BENCH_COOKIE_SECRET = "bench-only-cookie-secret"  # noqa: S105 - loopback benchmark only


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def http_get(url: str, *, method: str = "GET", timeout: float = 5.0) -> tuple[int, bytes]:
    if not url.startswith(f"http://{HOST}:"):
        raise ValueError(f"benchmarks only talk to {HOST}: {url}")
    request = urllib.request.Request(url, method=method)  # noqa: S310 - loopback only, checked
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            return answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wait_until_ok(url: str, timeout: float, process: subprocess.Popen[bytes]) -> float:
    """Seconds until `url` answers 200; raises if the process dies or time runs out."""
    started = time.monotonic()
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args} exited with {process.returncode} while starting")
        with contextlib.suppress(OSError):
            if http_get(url, timeout=2.0)[0] == 200:
                return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"{url} did not answer 200 within {timeout:.0f} s")
        time.sleep(0.1)


@dataclass
class Stack:
    products: int
    ports: dict[str, int] = field(
        default_factory=lambda: {n: free_port() for n in ("emulator", *ROLES, "hello")}
    )
    logs: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="ecomm-bench-")))
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    startup: dict[str, float] = field(default_factory=dict)  # seconds until ready, by process

    def url(self, name: str) -> str:
        return f"http://{HOST}:{self.ports[name]}"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ECOMM_"))}
        return env | {
            # The emulator only, with throwaway credentials: nothing can reach a real account.
            "AWS_ENDPOINT_URL": self.url("emulator"),
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": "us-east-1",
            "ECOMM_LOG_FORMAT": "json",
            "ECOMM_LOG_LEVEL": "WARNING",
            "ECOMM_WEB_PORT": str(self.ports["web"]),
            "ECOMM_LOOKUP_PORT": str(self.ports["lookup"]),
            "ECOMM_ORDER_PORT": str(self.ports["order"]),
            "ECOMM_LOOKUP_URL": self.url("lookup"),
            "ECOMM_ORDER_URL": self.url("order"),
            "ECOMM_CHECKOUT_RATE_PER_MINUTE": "1000000",
            "ECOMM_CHECKOUT_BURST": "100000",
            "ECOMM_COOKIE_SECRET": BENCH_COOKIE_SECRET,
        }

    def _spawn(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and modules
            [sys.executable, "-m", *args],
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.processes[name] = process
        return process

    def start(self, *, timeout: float = 900.0) -> None:
        try:
            emulator = self._spawn(
                "emulator",
                *("ecomm", "emulator", "--port", str(self.ports["emulator"])),
                *("--products", str(self.products)),
            )
            self.startup["emulator"] = wait_until_ok(
                f"{self.url('emulator')}/_ecomm/ready", timeout, emulator
            )
            for role in ROLES:
                self._spawn(role, "ecomm", "--role", role)
            for role in ROLES:
                self.startup[role] = wait_until_ok(
                    f"{self.url(role)}/readyz", 120.0, self.processes[role]
                )
            hello = self._spawn("hello", "benchmarks.hello", "--port", str(self.ports["hello"]))
            self.startup["hello"] = wait_until_ok(self.url("hello"), 30.0, hello)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """SIGTERM in reverse order of start, then SIGKILL whatever has not exited in 20 s."""
        for process in reversed(list(self.processes.values())):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 20
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time (user + system) each process has used so far."""
        tick = os.sysconf("SC_CLK_TCK")
        used = {}
        for name, process in self.processes.items():
            with contextlib.suppress(OSError):
                fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
                used[name] = (int(fields[11]) + int(fields[12])) / tick
        return used

    def calls(self) -> Counter[tuple[str, str]]:
        """AWS calls counted at the emulator since the last reset, by (service, operation)."""
        _, body = http_get(f"{self.url('emulator')}/_ecomm/calls")
        counted: Counter[tuple[str, str]] = Counter()
        for c in json.loads(body):
            counted[(c["service"], c["operation"])] += c["count"]
        return counted

    def queues(self) -> list[str]:
        """The queues consumers read (dead-letter queues left out), listed at the emulator."""
        import botocore.session  # noqa: PLC0415 - only this question needs a client

        client = botocore.session.get_session().create_client(
            "sqs",
            endpoint_url=self.url("emulator"),
            region_name="us-east-1",
            aws_access_key_id="bench",
            aws_secret_access_key="bench",  # noqa: S106 - the emulator's throwaway credentials
        )
        urls = client.list_queues().get("QueueUrls", [])
        return sorted(u.rsplit("/", 1)[-1] for u in urls if not u.endswith("-dlq"))

    def reset_calls(self) -> None:
        http_get(f"{self.url('emulator')}/_ecomm/calls", method="DELETE")

    def __enter__(self) -> Stack:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()
