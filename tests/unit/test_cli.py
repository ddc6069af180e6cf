from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from ecomm.__main__ import main
from tests.cli import logging_restored, run_cli


@pytest.fixture(autouse=True)
def _logging_restored() -> Iterator[None]:
    with logging_restored():
        yield


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


def assert_one_line_usage_error(code: int, err: str) -> None:
    assert code == 2
    assert err.startswith("ecomm")
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    assert "usage:" not in err


@pytest.fixture
def nowhere(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bad input must be refused before AWS is asked; a closed port proves nothing was."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")


def _shown(text: str) -> str:
    text = text.encode("unicode_escape").decode()
    return text if len(text) <= 70 else f"{text[:30]}...{text[-37:]}"


PRODUCT = ["product", "add", "--name", "Mug", "--category", "Kitchen", "--stock", "1"]


@pytest.mark.parametrize(
    "argv",
    [
        ["--role", "bogus"],
        ["bogus"],
        ["provision", "surplus\nargument"],
        ["seed", "--products", "x"],
        ["seed", "--products", "-1"],
        ["seed", "--products", "1000001"],
        ["seed", "--products", "99999999999"],
        ["seed", "--products", "5\n"],
        ["emulator", "--port", "0"],
        ["emulator", "--port", "70000"],
        ["dlq", "peek", "OrderQueue"],
        ["dlq", "list", "Order Queue"],
        ["dlq", "list", "OrderQueue\n"],
        ["dlq", "list", "Q" * 77],
        ["dlq", "list", "OrderQueue", "--limit", "0"],
        ["dlq", "redrive", "OrderQueue", "--limit", "10001"],
        ["product", "restock", "P000001\n", "3"],
        ["product", "restock", "..", "3"],
        ["product", "restock", "P" * 129, "3"],
        ["product", "restock", "P000001", "0"],
        ["product", "restock", "P000001", "1000001"],
        ["product", "restock", "P000001", "1e3"],
        ["product", "restock", "P000001", "\u0665"],  # an Arabic-Indic five
        ["product", "price", "P000001", "1e999999"],
        ["product", "price", "P000001", "0"],
        ["product", "price", "P000001", "-1"],
        ["product", "price", "P000001", "19.999"],
        ["product", "price", "P000001", "1000000.01"],
        ["product", "price", "P000001", "NaN"],
        ["product", "price", "P000001", "9" * 5000],
        [*PRODUCT, "--id", "P1", "--price", "1", "--name", "Red\x1b[31m"],
        [*PRODUCT, "--id", "P1", "--price", "1", "--name", "two\nlines"],
        [*PRODUCT, "--id", "P1", "--price", "1", "--name", "\u202egnp.exe"],
        [*PRODUCT, "--id", "P1", "--price", "1", "--name", "n" * 201],
        [*PRODUCT, "--id", "P1", "--price", "1", "--name", "   "],
        [*PRODUCT, "--id", "P1", "--price", "1", "--category", "c" * 61],
        [*PRODUCT, "--id", "P1", "--price", "1", "--description", "d" * 2001],
        [*PRODUCT, "--id", "P1", "--price", "1", "--image-url", "javascript:alert(1)"],
        [*PRODUCT, "--id", "P1", "--price", "1", "--image-url", "//elsewhere.example/a.png"],
        ["loadgen", "--base-url", "http://127.0.0.1:9", "--users", "0"],
        ["loadgen", "--base-url", "http://127.0.0.1:9", "--users", "1001"],
        ["loadgen", "--base-url", "http://127.0.0.1:9", "--duration", "nan"],
        ["loadgen", "--base-url", "http://127.0.0.1:9", "--duration", "0"],
        ["loadgen", "--base-url", "http://127.0.0.1:9", "--duration", "1e9"],
        ["loadgen", "--base-url", "http://127.0.0.1:9", "--max-requests", "10000000000000"],
        ["loadgen", "--base-url", "http://127.0.0.1:9", "--think-time", "-1"],
        ["loadgen", "--base-url", "http://127.0.0.1:9", "--think-time", "inf"],
        ["loadgen", "--base-url", "http://127.0.0.1:9", "--max-error-rate", "1.5"],
        ["loadgen", "--base-url", "http://127.0.0.1:99999"],
        ["loadgen", "--base-url", "http://127.0.0.1:9/\n"],
        ["loadgen", "--base-url", "http://shop.example.com"],
    ],
    ids=lambda argv: _shown(" ".join(argv)),
)
@pytest.mark.usefixtures("nowhere")
def test_a_bad_argument_is_one_line_and_exit_2(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(argv, capsys)
    assert_one_line_usage_error(code, err)
    assert out == ""


def test_a_product_id_with_a_trailing_newline_is_refused_before_aws(
    capsys: pytest.CaptureFixture[str], nowhere: None
) -> None:
    code, _, err = run_cli(["product", "price", "P000001\n", "12.50"], capsys)
    assert_one_line_usage_error(code, err)
    assert r"'P000001\n'" in err


def test_an_argument_error_does_not_echo_control_characters(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run_cli(["provision", "\x1b]0;owned\x07"], capsys)
    assert_one_line_usage_error(code, err)
    assert "\x1b" not in err
    assert "\x07" not in err


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("AWS_ENDPOINT_URL", "not a url"),
        ("AWS_ENDPOINT_URL", "ftp://127.0.0.1:4566"),
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:99999"),
        ("ECOMM_RESOURCE_PREFIX", "dev prefix/"),
        ("AWS_REGION", "not a region!"),
    ],
)
def test_an_invalid_setting_is_one_line_and_exit_2(
    variable: str, value: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv(variable, value)
    code, _, err = run_cli(["provision"], capsys)
    assert_one_line_usage_error(code, err)
    assert variable in err or "region" in err


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
