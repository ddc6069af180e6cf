"""The load generator only loads what it was pointed at, and only a loopback host by default."""

from __future__ import annotations

import argparse

import pytest

from ecomm.loadgen import run
from ecomm.loadgen.options import BadOptions, LoadOptions, check_base_url, is_loopback


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"])
def test_loopback_hosts_are_recognised(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["example.com", "10.0.0.1", "192.168.1.10", "localhost.evil.com"])
def test_other_hosts_are_not_loopback(host: str) -> None:
    assert not is_loopback(host)


def test_a_remote_base_url_is_refused_without_the_flag() -> None:
    with pytest.raises(BadOptions, match="refusing to load"):
        check_base_url("https://shop.example.com", allow_remote=False)


def test_a_remote_base_url_is_accepted_with_the_flag() -> None:
    assert check_base_url("https://shop.example.com/", allow_remote=True) == (
        "https://shop.example.com"
    )


@pytest.mark.parametrize("url", ["ftp://127.0.0.1", "127.0.0.1:8080", "http://127.0.0.1/?q=x"])
def test_a_base_url_that_is_not_a_plain_http_origin_is_refused(url: str) -> None:
    with pytest.raises(BadOptions):
        check_base_url(url, allow_remote=False)


@pytest.mark.parametrize(
    "overrides",
    [
        {"users": 0},
        {"duration": 0},
        {"duration": 7200},
        {"max_requests": 0},
        {"think_time": -1},
        {"max_error_rate": 1.5},
    ],
)
def test_unbounded_or_nonsensical_runs_are_refused(overrides: dict[str, float]) -> None:
    with pytest.raises(BadOptions):
        LoadOptions(base_url="http://127.0.0.1:8080", **overrides)  # type: ignore[arg-type]


async def test_the_command_exits_2_on_bad_options_before_sending_anything(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = argparse.Namespace(
        base_url="http://example.com",
        users=1,
        duration=1.0,
        max_requests=10,
        think_time=0.0,
        max_error_rate=0.0,
        seed=1,
    )
    assert await run(args) == 2
    assert "refusing to load example.com" in capsys.readouterr().err
