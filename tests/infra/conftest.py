"""Fixtures for the deployment artifacts: the parsed template and a moto server to deploy into.

The moto server runs in this process on a free loopback port. AWS credentials and region are
set only while a test that asks for `aws_env` runs, and only to dummy values.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from tests.infra.cfn import REGION, load_template
from tests.infra.emulated_stack import ClientFactory, DataPlane


@pytest.fixture(scope="session")
def template() -> dict[str, Any]:
    return load_template()


def venv_tool(name: str) -> Path:
    """A console script installed next to this interpreter (cfn-lint, hadolint, ecomm)."""
    return Path(sys.executable).parent / name


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, moto_url: str) -> str:
    """Point botocore at the moto server with dummy credentials; returns the endpoint."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_url)
    return moto_url


@pytest.fixture
def client(aws_env: str) -> ClientFactory:
    session = boto3.session.Session(region_name=REGION)

    def make(service: str) -> Any:
        return session.client(service, endpoint_url=aws_env)  # type: ignore[call-overload]

    return make


@pytest.fixture
def data_plane(template: dict[str, Any], client: ClientFactory) -> DataPlane:
    """This template's tables, topic, queues, policies and subscriptions, under a fresh prefix."""
    return DataPlane(template, client).connect()
