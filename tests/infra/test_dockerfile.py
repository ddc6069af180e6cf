"""The Dockerfile: lint-clean, pinned, non-root, and health checks that really probe /healthz."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from ecomm.core.runtime.settings import Settings
from tests.infra.cfn import REPO, task_container
from tests.infra.conftest import venv_tool
from tests.infra.dockerfile import DOCKERFILE, parse, runtime_stage

ROLES = ("web", "lookup", "order")
PORTS = {role: Settings.model_fields[f"{role}_port"].default for role in ROLES}


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_hadolint_reports_nothing() -> None:
    result = subprocess.run(
        [str(venv_tool("hadolint")), str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_both_stages_use_the_same_pinned_slim_python_311() -> None:
    build, runtime = parse()
    assert build.base == runtime.base
    assert re.fullmatch(r"python:3\.11\.\d+-slim-\w+", runtime.base), runtime.base


def test_dependencies_are_installed_from_the_hash_checked_lock() -> None:
    build = parse()[0]
    installs = [arg for kw, arg in build.instructions if kw == "RUN" and "pip install" in arg]
    assert any("--require-hashes" in arg and "requirements.lock" in arg for arg in installs)
    assert all("--no-deps" in arg for arg in installs)
    assert not [arg for kw, arg in runtime_stage().instructions if "pip" in arg]


def test_lock_pins_every_runtime_dependency_and_no_extra() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lock = (REPO / "requirements.lock").read_text(encoding="utf-8")
    pinned = {_normalise(m) for m in re.findall(r"^([A-Za-z0-9_.-]+)==", lock, re.MULTILINE)}
    wanted = {
        _normalise(re.split(r"[\[<>=!~; ]", d, maxsplit=1)[0]) for d in project["dependencies"]
    }
    missing = wanted - pinned
    assert not missing, f"refresh requirements.lock (see Dockerfile): {sorted(missing)}"
    extras = {
        _normalise(re.split(r"[\[<>=!~; ]", d, maxsplit=1)[0])
        for group in ("dev", "emulator")
        for d in project["optional-dependencies"][group]
    }
    assert not pinned & extras, "the image must not carry dev or emulator packages"


def test_runtime_is_non_root_and_configured_for_containers() -> None:
    stage = runtime_stage()
    assert stage.user is not None
    assert stage.user.split(":")[0] not in {"root", "0"}
    assert stage.env["ECOMM_HOST"] == "0.0.0.0"  # noqa: S104 - the container's own interface
    assert stage.env["ECOMM_LOG_FORMAT"] == "json"
    assert stage.entrypoint == ["ecomm"]
    assert stage.cmd is None  # the role comes from ECOMM_ROLE, set by each task definition
    assert sorted(stage.expose) == sorted(PORTS.values())


class _Probe(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        self.send_response(self.status if self.path == "/healthz" else 404)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def probe() -> Iterator[tuple[int, type[_Probe]]]:
    handler = type("Probe", (_Probe,), {"status": 200})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], handler
    server.shutdown()
    server.server_close()
    thread.join()


def _run(command: list[str], env: dict[str, str]) -> int:
    argv = [sys.executable if command[0] == "python" else command[0], *command[1:]]
    return subprocess.run(argv, env=env, capture_output=True, timeout=30, check=False).returncode


@pytest.mark.parametrize("role", [*ROLES, "all"])
def test_image_healthcheck_probes_the_port_of_ecomm_role(
    probe: tuple[int, type[_Probe]], role: str
) -> None:
    port, handler = probe
    command = runtime_stage().healthcheck
    assert command is not None
    served = "web" if role == "all" else role
    env = {"ECOMM_ROLE": role, f"ECOMM_{served.upper()}_PORT": str(port)}
    assert _run(command, env) == 0
    handler.status = 503
    assert _run(command, env) != 0


def test_task_definition_health_checks_probe_healthz(
    template: dict[str, Any], probe: tuple[int, type[_Probe]]
) -> None:
    port, handler = probe
    for role in ROLES:
        container = task_container(template, role)
        kind, *command = container["HealthCheck"]["Command"]
        assert kind == "CMD"
        # Same code, pointed at the probe's port instead of the role's fixed one.
        command = [c.replace(f":{PORTS[role]}/", f":{port}/") for c in command]
        handler.status = 200
        assert _run(command, {}) == 0, role
        handler.status = 500
        assert _run(command, {}) != 0, role
