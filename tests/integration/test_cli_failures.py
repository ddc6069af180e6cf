"""Every operator command meets an unreachable endpoint or an unknown name with one line, exit 2.

The unreachable endpoint is a loopback port nothing listens on: the connection is refused at
once, so what a command takes is botocore's retrying, which must stay within seconds.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from ecomm.__main__ import main
from ecomm.core.runtime.settings import Settings
from tests.cli import logging_restored, provisioned
from tests.ports import free_port

# Far above the few seconds two attempts take, far below what unbounded retries would.
BOUND_SECONDS = 20.0

ADD = ["--id", "P9", "--name", "Mug", "--category", "Kitchen", "--price", "4.50", "--stock", "3"]
COMMANDS = {
    "provision": ["provision"],
    "seed": ["seed", "--products", "5"],
    "dlq list OrderQueue": ["dlq", "list", "OrderQueue"],
    "dlq redrive OrderQueue": ["dlq", "redrive", "OrderQueue"],
    "product add P9": ["product", "add", *ADD],
    "product restock P9": ["product", "restock", "P9", "3"],
    "product price P9": ["product", "price", "P9", "5.00"],
    "order ship o-1": ["order", "ship", "o-1"],
    "order cancel o-1": ["order", "cancel", "o-1"],
}


@pytest.fixture(autouse=True)
def _logging_restored() -> Iterator[None]:
    with logging_restored():
        yield


def closed_port_url() -> str:
    return f"http://127.0.0.1:{free_port()}"  # free a moment ago, and nothing listens there


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, float]:
    started = time.monotonic()
    code = main(argv)
    took = time.monotonic() - started
    return code, capsys.readouterr().err, took


def assert_one_line(err: str, start: str) -> None:
    assert err.count("\n") == 1, err
    assert err.startswith(start), err
    assert "Traceback" not in err


@pytest.mark.parametrize("subject", COMMANDS)
def test_an_unreachable_endpoint_is_one_line_and_exit_2_within_seconds(
    subject: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = closed_port_url()
    monkeypatch.setenv("AWS_ENDPOINT_URL", url)
    code, err, took = run(COMMANDS[subject], capsys)
    assert code == 2
    assert_one_line(err, f"ecomm: {subject}: ")
    assert f"cannot reach AWS at {url}" in err
    assert took < BOUND_SECONDS


def test_an_unreachable_shop_stops_loadgen_with_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = closed_port_url()
    code, err, took = run(["loadgen", "--base-url", url, "--duration", "60"], capsys)
    assert code == 2
    assert_one_line(err, f"ecomm: loadgen: cannot reach {url}")
    assert took < BOUND_SECONDS


def test_missing_credentials_are_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: object
) -> None:
    # Not 127.0.0.1, so no stand-in credentials are given; still loopback, and never reached.
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.2:9")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", f"{tmp_path}/none")
    monkeypatch.setenv("AWS_CONFIG_FILE", f"{tmp_path}/none")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    code, err, _ = run(["provision"], capsys)
    assert code == 2
    assert_one_line(err, "ecomm: provision: AWS is not configured: Unable to locate credentials")


@pytest.fixture
def stack(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    return provisioned(settings, monkeypatch)


@pytest.mark.parametrize("argv", [["restock", "NOPE", "3"], ["price", "NOPE", "3.00"]])
def test_an_unknown_product_is_one_line_and_exit_2(
    argv: list[str], stack: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err, _ = run(["product", *argv], capsys)
    assert code == 2
    assert_one_line(err, "ecomm product: no product NOPE")


def test_a_stack_never_provisioned_is_one_line_and_exit_2(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ECOMM_RESOURCE_PREFIX", settings.resource_prefix)
    code, err, _ = run(["seed", "--products", "5"], capsys)
    assert code == 2
    assert_one_line(err, "ecomm: seed: not found at ")
    assert "provision" in err
