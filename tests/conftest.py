"""Fixtures shared by every test folder.

Tests that touch AWS use the project's own embedded emulator, started once per session in this
process on a free loopback port. Each test gets its own resource prefix, so tests share one
emulator without sharing tables, topics or queues.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import pytest

from ecomm.core.adapters.aws import AwsClients
from ecomm.core.runtime.bootstrap import Runtime, open_runtime
from ecomm.core.runtime.settings import Settings
from ecomm.emulator import Emulator
from ecomm.ops.provision import provision


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    with pytest.MonkeyPatch.context() as mp:
        # Credentials and region for the emulator only; nothing here can reach a real account.
        mp.setenv("AWS_ACCESS_KEY_ID", "testing")
        mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        mp.setenv("AWS_SESSION_TOKEN", "testing")
        mp.setenv("AWS_DEFAULT_REGION", "us-east-1")
        mp.delenv("AWS_PROFILE", raising=False)
        server = Emulator(port=0).start()
        mp.setenv("AWS_ENDPOINT_URL", server.url)
        yield server
        server.stop()


def make_settings(emulator: Emulator, **overrides: object) -> Settings:
    """Settings for one test: its own resource prefix, fast polling, the emulator's endpoint."""
    values: dict[str, object] = {
        "resource_prefix": f"t{uuid.uuid4().hex[:10]}-",
        "aws_endpoint_url": emulator.url,
        "wait_time_seconds": 1,
        "visibility_timeout": 5,
        "shutdown_timeout": 5.0,
        "log_format": "console",
    }
    values.update(overrides)
    return Settings.model_validate(values)


@pytest.fixture
def settings(emulator: Emulator) -> Settings:
    return make_settings(emulator)


@pytest.fixture
def emulator_settings(emulator: Emulator) -> Settings:
    """Like `settings`, for tests that provision their own variant."""
    return make_settings(emulator)


@pytest.fixture
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    """A provisioned stack under this test's prefix, with clients and a started publisher."""
    async with open_runtime(settings, "test") as rt:
        await provision(rt.aws, settings)
        yield rt


@pytest.fixture
def aws(runtime: Runtime) -> AwsClients:
    return runtime.aws
