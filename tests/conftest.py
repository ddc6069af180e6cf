"""Fixtures shared by every test folder.

Tests that touch AWS use the project's own embedded emulator, started once per session in this
process on a free loopback port. Each test gets its own resource prefix, so tests share one
emulator without sharing tables, topics or queues.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from ecomm.core.adapters.aws import AwsClients
from ecomm.core.runtime.bootstrap import Runtime, open_runtime
from ecomm.core.runtime.settings import Settings
from ecomm.emulator import Emulator
from ecomm.emulator import local_stripe as localstripe
from ecomm.ops.provision import provision
from tests.ports import free_port

# Reads what the emulator recorded during the whole session: it runs after every other test.
AFTER_THE_SUITE = "tests/infra/test_iam_by_the_calls.py"
_DESELECTED = pytest.StashKey[bool]()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    last = [i for i in items if i.nodeid.startswith(AFTER_THE_SUITE)]
    items[:] = [i for i in items if not i.nodeid.startswith(AFTER_THE_SUITE)] + last


def pytest_deselected(items: list[pytest.Item]) -> None:
    for item in items[:1]:
        item.config.stash[_DESELECTED] = True


def ran_the_whole_suite(config: pytest.Config) -> bool:
    """True when this session collected every test (no path, -k, -m or deselection narrowed
    it): only then does "no test made this call" mean "the code makes no such call"."""
    tests = Path(config.rootpath, "tests").resolve()
    named = [Path(config.invocation_params.dir, a).resolve() for a in config.args if "::" not in a]
    return (
        len(named) == len(config.args)
        and all(p in (tests, tests.parent) for p in named)
        and not config.option.keyword
        and not config.option.markexpr
        and not config.stash.get(_DESELECTED, False)
    )


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


@pytest.fixture(scope="session")
def local_stripe() -> Iterator[localstripe.LocalStripe]:
    """localstripe (a fake Stripe API) in its own process on a free loopback port, as
    `python -m ecomm emulator` runs it beside moto; shared by the session, like the emulator."""
    if not localstripe.available():
        pytest.fail("localstripe is not installed: pip install -e '.[emulator]'")
    server = localstripe.LocalStripe(free_port()).start()
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
