"""HTTP load from `wrk`, a C load generator that is not the bottleneck of what it measures.

A Python driver saturates near 12,000 requests/s on this machine, below a bare aiohttp handler:
every "ratio to hello" it measured was the driver's ceiling. wrk sends the same keep-alive GETs
at a fraction of the CPU; what it used is reported beside each row, so a reader sees it was not
the limit. Requests can all be one path, or cycle through a list of paths (no two alike, so
every cache misses), each of wrk's threads taking its own part of the list.

    warm-up run (not recorded) ─> measured run ─> requests/s, p50, p99, non-2xx, driver CPU
"""

from __future__ import annotations

import dataclasses
import os
import re
import resource
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

_LUA = """
local paths = {}
for line in io.lines(os.getenv("ECOMM_WRK_PATHS")) do paths[#paths + 1] = line end
local cookie = os.getenv("ECOMM_WRK_COOKIE")
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  n = id * 1000003
  if cookie and #cookie > 0 then wrk.headers["Cookie"] = cookie end
end

function request()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end
"""
_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


class WrkMissing(RuntimeError):
    """wrk is not installed (Debian package `wrk`; `make bench` installs it)."""


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    p50: float  # seconds
    p99: float
    errors: int  # non-2xx/3xx answers and socket errors
    driver_cpu: float  # CPU seconds wrk used, user + system
    completed: int = 0  # every answer, warm-up included: what the AWS call counts cover

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def driver_cores(self) -> float:
        """Cores wrk kept busy while measuring: well under one says it was not the limit."""
        return self.driver_cpu / self.seconds if self.seconds else 0.0


def available() -> bool:
    return shutil.which("wrk") is not None


def run(
    base_url: str,
    paths: Sequence[str],
    *,
    connections: int = 32,
    seconds: float = 10.0,
    warmup: float = 2.0,
    threads: int = 1,
    cookie: str = "",
) -> WrkResult:
    """Load `base_url` with GETs of `paths` (cycled) for `seconds`, after a `warmup`."""
    if not available():
        raise WrkMissing("wrk is not installed: apt-get install wrk (make bench does)")
    with tempfile.TemporaryDirectory() as scratch:
        listed = Path(scratch, "paths.txt")
        listed.write_text("\n".join(paths) + "\n")
        script = Path(scratch, "paths.lua")
        script.write_text(_LUA)
        env = {**os.environ, "ECOMM_WRK_PATHS": str(listed), "ECOMM_WRK_COOKIE": cookie}
        warmed = 0
        if warmup > 0:
            warm = _wrk(
                base_url, script, env, connections=connections, seconds=warmup, threads=threads
            )
            warmed = int(_search(r"(\d+) requests in", warm))
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        output = _wrk(
            base_url, script, env, connections=connections, seconds=seconds, threads=threads
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    result = _parse(output, seconds, cpu)
    return dataclasses.replace(result, completed=result.requests + warmed)


def _wrk(
    base_url: str,
    script: Path,
    env: dict[str, str],
    *,
    connections: int,
    seconds: float,
    threads: int,
) -> str:
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{max(connections, threads)}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(script),
        base_url,
    ]
    done = subprocess.run(  # noqa: S603 - our own arguments, no shell
        command, env=env, capture_output=True, text=True, timeout=seconds + 60, check=True
    )
    return done.stdout


def _parse(output: str, seconds: float, cpu: float) -> WrkResult:
    requests = int(_search(r"(\d+) requests in", output))
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)\s*$", output, re.M))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = int(non_2xx.group(1)) if non_2xx else 0
    if socket:
        errors += sum(int(n) for n in socket.groups())
    return WrkResult(
        requests=requests,
        seconds=seconds,
        p50=_duration(latency.get("50", "nan s")),
        p99=_duration(latency.get("99", "nan s")),
        errors=errors,
        driver_cpu=cpu,
    )


def _search(pattern: str, text: str) -> str:
    found = re.search(pattern, text)
    if found is None:
        raise ValueError(f"wrk said something unexpected: {text[-500:]}")
    return found.group(1)


def _duration(text: str) -> float:
    value = re.fullmatch(r"([\d.]+|nan)\s*(us|ms|s|m)?", text.strip())
    if value is None:
        return float("nan")
    return float(value.group(1)) * _UNITS.get(value.group(2) or "s", 1.0)
