"""The load generator's options, checked once, before any request is sent."""

from __future__ import annotations

import argparse
import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_DURATION = 3600.0
MAX_USERS = 1000
MAX_REQUESTS = 10_000_000
MAX_THINK_TIME = 60.0
MAX_URL = 2048
LOOPBACK_NAMES = frozenset({"localhost"})


class BadOptions(ValueError):
    """Options no run could honour; the message says which and why."""


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def origin_of(url: str) -> tuple[str, str, int]:
    """(scheme, host, port): what a redirect must keep to be followed."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or (443 if scheme == "https" else 80)
    return scheme, (parts.hostname or "").lower(), port


def check_base_url(url: str, *, allow_remote: bool) -> str:
    """The base URL without a trailing slash; raises `BadOptions` for one we must not load."""
    if len(url) > MAX_URL or not url.isascii() or not url.isprintable() or " " in url:
        raise BadOptions(f"--base-url must be at most {MAX_URL} printable ASCII characters")
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 - urlsplit checks the port only when asked
    except ValueError:
        raise BadOptions(f"--base-url has no valid port: {url!r}") from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise BadOptions(f"--base-url must be an http(s) URL with a host, not {url!r}")
    if parts.query or parts.fragment:
        raise BadOptions("--base-url must not carry a query or a fragment")
    if not allow_remote and not is_loopback(parts.hostname):
        raise BadOptions(
            f"refusing to load {parts.hostname}: only loopback hosts are loaded unless "
            "--allow-remote is given (load only a shop you run)"
        )
    return url.rstrip("/")


@dataclass(frozen=True)
class LoadOptions:
    base_url: str
    users: int = 10
    duration: float = 30.0
    max_requests: int = 100_000
    think_time: float = 1.0
    max_error_rate: float = 0.01
    seed: int = 1
    allow_remote: bool = False

    def __post_init__(self) -> None:
        if not 1 <= self.users <= MAX_USERS:
            raise BadOptions(f"--users must be between 1 and {MAX_USERS}")
        if not 0 < self.duration <= MAX_DURATION:
            raise BadOptions(f"--duration must be more than 0 and at most {MAX_DURATION:.0f} s")
        if not 1 <= self.max_requests <= MAX_REQUESTS:
            raise BadOptions(f"--max-requests must be between 1 and {MAX_REQUESTS}")
        if not 0 <= self.think_time <= MAX_THINK_TIME:
            raise BadOptions(f"--think-time must be between 0 and {MAX_THINK_TIME:.0f} s")
        if not 0 <= self.max_error_rate <= 1:
            raise BadOptions("--max-error-rate must be between 0 and 1")
        check_base_url(self.base_url, allow_remote=self.allow_remote)

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> LoadOptions:
        allow_remote = bool(getattr(args, "allow_remote", False))
        return cls(
            base_url=check_base_url(str(args.base_url), allow_remote=allow_remote),
            users=int(args.users),
            duration=float(args.duration),
            max_requests=int(args.max_requests),
            think_time=float(args.think_time),
            max_error_rate=float(args.max_error_rate),
            seed=int(args.seed),
            allow_remote=allow_remote,
        )
