"""Running `python -m ecomm ...` in the test process, as an operator would from a shell."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import structlog

from ecomm.__main__ import main
from ecomm.core.runtime.bootstrap import open_aws
from ecomm.core.runtime.settings import Settings
from ecomm.ops.provision import provision


@contextmanager
def logging_restored() -> Iterator[None]:
    """`main` configures logging to write to the test's captured stderr, which closes with the
    test; later tests must not log to a closed file."""
    config, handlers = structlog.get_config(), logging.getLogger().handlers[:]
    yield
    structlog.configure(**config)
    logging.getLogger().handlers[:] = handlers


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """`main(argv)`: its exit code (argparse's SystemExit included), stdout and stderr."""
    try:
        code = main(argv)
    except SystemExit as stopped:
        code = int(stopped.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def provisioned(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A provisioned stack under the test's prefix, which `main` reads from the environment."""
    monkeypatch.setenv("ECOMM_RESOURCE_PREFIX", settings.resource_prefix)
    monkeypatch.setenv("ECOMM_LOG_FORMAT", "console")

    async def go() -> None:
        async with open_aws(settings, "provision") as aws:
            await provision(aws, settings)

    asyncio.run(go())
    return settings
