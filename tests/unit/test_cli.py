from __future__ import annotations

import logging
import socket
from collections.abc import Iterator

import pytest
import structlog

from ecomm.__main__ import main


@pytest.fixture(autouse=True)
def _logging_restored() -> Iterator[None]:
    """`main` configures logging to write to this test's captured stderr, which closes with it;
    later tests must not log to a closed file."""
    config, handlers = structlog.get_config(), logging.getLogger().handlers[:]
    yield
    structlog.configure(**config)
    logging.getLogger().handlers[:] = handlers


def test_an_unknown_role_flag_exits_2_with_the_choices(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--role", "bogus"])
    assert stopped.value.code == 2
    assert "choose from 'web', 'lookup', 'order', 'all'" in capsys.readouterr().err


def test_an_unknown_ecomm_role_exits_2_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ECOMM_ROLE", "bogus")
    assert main([]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ecomm: invalid setting: ECOMM_ROLE")
    assert "Traceback" not in err


def test_no_role_at_all_says_how_to_give_one(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("ECOMM_ROLE", raising=False)
    assert main([]) == 2
    assert "pass --role web|lookup|order|all or set ECOMM_ROLE" in capsys.readouterr().err


def test_an_invalid_port_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ECOMM_WEB_PORT", "99999")
    assert main(["--role", "web"]) == 2
    assert "ECOMM_WEB_PORT" in capsys.readouterr().err


def test_the_emulator_on_a_port_in_use_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        assert main(["emulator", "--port", str(port), "--products", "0"]) == 2
    err = capsys.readouterr().err
    assert err == f"ecomm: port {port} is already in use, so the AWS emulator cannot start\n"
