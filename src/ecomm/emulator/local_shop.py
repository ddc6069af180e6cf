"""`make run`: the emulator and the three roles as two processes, started and stopped in order.

    a port taken? ── yes ──> one line naming it and the setting that moves it; exit 2
    emulator (restores the saved shop, or provisions and seeds; localstripe) ──> /_ecomm/ready
    roles (`--role all`) ──> web answers 200 on `/`, every role's /readyz is 200
    "ecomm is ready: http://127.0.0.1:8080"
    Ctrl-C, SIGTERM, SIGHUP ──> roles: SIGTERM, wait ──> emulator: SIGTERM (it saves), wait ──> 0

The children run in their own process group, so a Ctrl-C at the terminal reaches this process
alone and the stop happens in that order: the roles still reach the emulator while they clean
up (lookup deletes its own queue), and the emulator saves after the last write. A second
Ctrl-C stops both at once, saving nothing. If either child ends on its own, the other is
stopped too and its exit code is passed on.

Run as `python -m ecomm.emulator.local_shop`; the emulator extra must be installed.
"""

from __future__ import annotations

import argparse
import ctypes
import errno
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from pydantic import ValidationError

from ecomm.core.runtime.settings import Settings
from ecomm.emulator import local_stripe

USAGE_ERROR = 2
POLL = 0.1
EMULATOR_STOP_TIMEOUT = 60.0  # the save of a 100,000-product shop fits well within it


def say(line: str) -> None:
    print(f"ecomm: {line}", flush=True)  # noqa: T201


_PR_SET_PDEATHSIG = 1


def _end_with_parent() -> None:
    """In the child, before exec: SIGTERM when the launcher dies (Linux's PR_SET_PDEATHSIG)."""
    if sys.platform == "linux":
        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass(frozen=True)
class Port:
    port: int
    what: str
    setting: str  # how to move it, for the message when it is taken


def ports(settings: Settings, emulator_port: int, cards: bool = False) -> list[Port]:
    stripe = Port(
        settings.stripe_port,
        "the Stripe test server",
        f"ECOMM_STRIPE_PORT={settings.stripe_port + 1}",
    )
    return [
        Port(emulator_port, "the AWS emulator", f"EMULATOR_PORT={emulator_port + 1}"),
        *([stripe] if cards else []),
        *(
            Port(
                settings.port_of(role),
                role,
                f"ECOMM_{role.upper()}_PORT={settings.port_of(role) + 10}",
            )
            for role in ("web", "lookup", "order")
        ),
    ]


def taken(host: str, port: int) -> bool:
    """Whether something listens on (or holds) `port`; a socket in TIME_WAIT does not count,
    as the servers bind with SO_REUSEADDR too."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return True
            raise
    return False


def answers_200(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 - loopback only
            return bool(answer.status == 200)
    except (urllib.error.URLError, OSError):  # HTTPError (a 503) is a URLError
        return False


def takes_cards() -> bool:
    return "ECOMM_PAYMENTS" not in os.environ and local_stripe.available()


@dataclass
class LocalShop:
    settings: Settings
    products: int
    data: Path
    emulator_port: int
    python: str = sys.executable
    began: float = field(default_factory=time.monotonic)
    signals: int = 0
    _children: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)

    @property
    def shop_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.web_port}"

    def env(self) -> dict[str, str]:
        """The roles' environment: this emulator, and peers on the ports chosen."""
        env = {**os.environ, "AWS_ENDPOINT_URL": f"http://127.0.0.1:{self.emulator_port}"}
        env.setdefault("AWS_DEFAULT_REGION", "us-east-1")
        env.setdefault("ECOMM_LOOKUP_URL", f"http://127.0.0.1:{self.settings.lookup_port}")
        env.setdefault("ECOMM_ORDER_URL", f"http://127.0.0.1:{self.settings.order_port}")
        if self.cards:
            env.update(local_stripe.role_env(self.settings.stripe_port))
        return env

    @property
    def cards(self) -> bool:
        """Card payments through the emulator's localstripe, unless payments were configured
        (ECOMM_PAYMENTS=none keeps the shop as it was without them)."""
        return takes_cards()

    def run(self) -> int:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, self._on_signal)
        try:
            return self._run()
        finally:
            self._stop_all()

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.signals += 1
        if self.signals > 1:
            for _, child in self._children:
                if child.poll() is None:
                    child.kill()

    def _start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        # Its own process group: the terminal's Ctrl-C is for this process to pass on, in order.
        # And it ends when this process ends, however that happens (kill -9 included), so no
        # emulator or role is left holding the ports for the next `make run`.
        child = subprocess.Popen(  # noqa: S603 - this interpreter, our own module, our arguments
            [self.python, "-m", "ecomm", *args],
            env=self.env(),
            process_group=0,
            preexec_fn=_end_with_parent,  # noqa: PLW1509 - async-signal-safe: one prctl call
        )
        self._children.append((name, child))
        return child

    def _run(self) -> int:
        say(f"starting the AWS emulator on 127.0.0.1:{self.emulator_port} …")
        self._start(
            "emulator",
            *("emulator", "--port", str(self.emulator_port), "--products", str(self.products)),
            *("--data", str(self.data)),
        )
        ready = f"http://127.0.0.1:{self.emulator_port}/_ecomm/ready"
        ended = self._wait(lambda: answers_200(ready))
        if ended is not None:
            return ended
        say("starting web, lookup and order …")
        self._start("roles", "--role", "all")
        ended = self._wait(self._roles_ready)
        if ended is not None:
            return ended
        print(  # noqa: T201
            f"\n  ecomm is ready: {self.shop_url}   (in {time.monotonic() - self.began:.1f} s;"
            f" Ctrl-C stops everything, the shop is kept in {self.data}/)\n",
            flush=True,
        )
        ended = self._wait(lambda: False)
        return 0 if ended is None else ended

    def _roles_ready(self) -> bool:
        # The probes first: they answer quietly, where each early request for a page would log
        # its lookup failures. The home page last, to be sure a shopper gets it.
        probes = [
            f"http://127.0.0.1:{self.settings.port_of(role)}/readyz"
            for role in ("lookup", "order", "web")
        ]
        return all(answers_200(url) for url in [*probes, f"{self.shop_url}/"])

    def _wait(self, done: Callable[[], bool]) -> int | None:
        """Until `done()`: None; a signal: 0; a child that ended by itself: its code (or 1)."""
        while True:
            if self.signals:
                return 0
            for name, child in self._children:
                code = child.poll()
                if code is not None:
                    if code != USAGE_ERROR:  # a usage error has said its one line already
                        say(f"the {name} process ended (exit code {code}); stopping")
                    return code or 1
            if done():
                return None
            time.sleep(POLL)

    def _stop_all(self) -> None:
        """Roles first, then the emulator, each given its time; then nothing is left running."""
        if any(child.poll() is None for _, child in self._children):
            print(flush=True)  # noqa: T201 - off the line the terminal's "^C" is on
            say("stopping (roles first, then the emulator) …")
        for name, child in reversed(self._children):
            within = (
                self.settings.shutdown_timeout + 15 if name == "roles" else EMULATOR_STOP_TIMEOUT
            )
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
            try:
                child.wait(timeout=within)
            except subprocess.TimeoutExpired:
                say(f"the {name} process did not stop within {within:.0f} s; killed")
                child.kill()
                child.wait()
        self._children.clear()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="make run", description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=2000, help="catalog size to seed")
    parser.add_argument("--data", type=Path, default=Path(".ecomm"), help="where the shop is kept")
    parser.add_argument("--emulator-port", type=int, default=4566)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as exc:
        problem = exc.errors()[0]
        say(f"invalid setting ECOMM_{'_'.join(map(str, problem['loc'])).upper()}: {problem['msg']}")
        return USAGE_ERROR
    for port in ports(settings, args.emulator_port, takes_cards()):
        host = settings.host if port.what in ("web", "lookup", "order") else "127.0.0.1"
        if taken(host, port.port):
            say(
                f"port {port.port} ({port.what}) is already in use: is another `make run` still"
                f" running? Stop it, or move this one: {port.setting} make run"
            )
            return USAGE_ERROR
    return LocalShop(settings, args.products, args.data, args.emulator_port).run()


if __name__ == "__main__":
    sys.exit(main())
