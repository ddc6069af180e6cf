"""The image's entrypoint, run as ECS would run it, minus the container.

Each role is started with the Dockerfile's ENTRYPOINT/CMD and ENV, plus its task definition's
environment rendered against a data plane deployed from the template into the emulator, plus the
cookie secret ECS injects. Only what Fargate and Service Connect provide is replaced by local
stand-ins: loopback addresses, free ports and the emulator's endpoint. The role must answer
/healthz, then exit 0 on SIGTERM, which is how ECS stops a task. The one-off ops task is run
the same way, with the command overrides infra/README.md documents.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.infra.conftest import venv_tool
from tests.infra.dockerfile import runtime_stage
from tests.infra.emulated_stack import ClientFactory, DataPlane
from tests.ports import free_port

ROLES = ("web", "lookup", "order")
STARTUP_SECONDS = 30
STOP_SECONDS = 30  # below the task definitions' StopTimeout


def _command() -> list[str]:
    stage = runtime_stage()
    command = [*(stage.entrypoint or []), *(stage.cmd or [])]
    assert command, "the Dockerfile has no ENTRYPOINT or CMD"
    script = venv_tool(command[0])
    assert script.exists(), f"{script} is missing: install the package (pip install -e .)"
    return [str(script), *command[1:]]


def _environment(data_plane: DataPlane, role: str, aws_env: str) -> tuple[dict[str, str], int]:
    ports = {r: free_port() for r in ROLES}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ECOMM_"))}
    # The image's ENV (its PATH points into the image; the command is resolved already).
    env.update({k: v for k, v in runtime_stage().env.items() if k != "PATH"})
    # The task definition's environment, and the secret ECS injects from Secrets Manager.
    container = data_plane.container(f"{role.capitalize()}TaskDefinition")
    env.update({e["Name"]: str(e["Value"]) for e in container.get("Environment", [])})
    env.update({s["Name"]: secrets.token_urlsafe(48) for s in container.get("Secrets", [])})
    # Stand-ins for the task role, the task's network interface and Service Connect.
    env.update(
        {
            "AWS_ENDPOINT_URL": aws_env,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "ECOMM_HOST": "127.0.0.1",
            **{f"ECOMM_{r.upper()}_PORT": str(p) for r, p in ports.items()},
            "ECOMM_LOOKUP_URL": f"http://127.0.0.1:{ports['lookup']}",
            "ECOMM_ORDER_URL": f"http://127.0.0.1:{ports['order']}",
        }
    )
    assert env["ECOMM_ROLE"] == role
    return env, ports[role]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as answer:  # noqa: S310 - a loopback URL
            return bool(answer.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _wait_healthy(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"exited with {process.returncode} before answering:\n{log.read_text()}")
        if _healthy(url):
            return
        time.sleep(0.1)
    pytest.fail(f"no 200 from {url} within {STARTUP_SECONDS} s:\n{log.read_text()}")


@pytest.mark.parametrize("role", ROLES)
def test_entrypoint_serves_healthz_and_exits_cleanly_on_sigterm(
    data_plane: DataPlane, aws_env: str, tmp_path: Path, role: str
) -> None:
    env, port = _environment(data_plane, role, aws_env)
    log = tmp_path / f"{role}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(_command(), env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_healthy(process, f"http://127.0.0.1:{port}/healthz", log)
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=STOP_SECONDS)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert code == 0, log.read_text()
    assert time.monotonic() - started < STOP_SECONDS


def _ops_run(
    data_plane: DataPlane, aws_env: str, *command: str
) -> subprocess.CompletedProcess[str]:
    """`aws ecs run-task` of the ops task definition, with a command override (or without)."""
    container = data_plane.container("OpsTaskDefinition")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ECOMM_"))}
    env.update({k: v for k, v in runtime_stage().env.items() if k != "PATH"})
    env.update({e["Name"]: str(e["Value"]) for e in container.get("Environment", [])})
    env.update(
        {
            "AWS_ENDPOINT_URL": aws_env,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
        }
    )
    argv = [*_command(), *(command or container["Command"])]
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60, check=False)


def test_ops_task_without_override_only_prints_help(data_plane: DataPlane, aws_env: str) -> None:
    result = _ops_run(data_plane, aws_env)
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout


def test_ops_task_seeds_and_restocks_and_lookup_hears_of_it(
    data_plane: DataPlane, aws_env: str, client: ClientFactory
) -> None:
    seeded = _ops_run(data_plane, aws_env, "seed", "--products", "3")
    assert seeded.returncode == 0, seeded.stderr
    restocked = _ops_run(data_plane, aws_env, "product", "restock", "P000001", "5")
    assert restocked.returncode == 0, restocked.stdout + restocked.stderr
    sqs = client("sqs")
    url = sqs.get_queue_url(QueueName=f"{data_plane.prefix}LookupQueue")["QueueUrl"]
    (message,) = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0)["Messages"]
    event = json.loads(message["Body"])
    assert (event["type"], event["data"]["productID"]) == ("ProductChanged", "P000001")
