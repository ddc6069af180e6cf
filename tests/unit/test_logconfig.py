"""Logs are one JSON object per line, for our lines and the libraries' alike, and carry no
customer data: no frame locals in tracebacks, no email address anywhere."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
import structlog

from ecomm.core.runtime.logs import configure_logging
from ecomm.core.runtime.settings import Settings

EMAIL = "ada.lovelace@example.com"


@pytest.fixture(autouse=True)
def _logging_restored() -> Iterator[None]:
    config, handlers = structlog.get_config(), logging.getLogger().handlers[:]
    level = logging.getLogger().level
    yield
    structlog.configure(**config)
    logging.getLogger().handlers[:] = handlers
    logging.getLogger().setLevel(level)


def _place_order(name: str, email: str, token: str) -> None:
    form = {"name": name, "email": email, "csrf_token": token}
    raise ValueError(f"could not place the order of {form['email']}")


def _lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    err = capsys.readouterr().err
    return [json.loads(line) for line in err.splitlines()]  # each line parses on its own


def test_a_traceback_is_one_json_line_without_locals_or_email(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging(Settings(log_format="json"))
    try:
        _place_order("Ada Lovelace", EMAIL, "tok-123456")
    except ValueError:
        structlog.get_logger("test").exception("unhandled_error", path="/checkout")
    [line] = _lines(capsys)
    text = json.dumps(line)
    assert line["event"] == "unhandled_error"
    assert EMAIL not in text
    assert "Ada Lovelace" not in text  # a frame local once
    assert "tok-123456" not in text
    [exception] = line["exception"]  # type: ignore[misc]
    assert all("locals" not in frame for frame in exception["frames"])


def test_the_standard_librarys_lines_are_json_too(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(Settings(log_format="json"))
    try:
        _place_order("Ada Lovelace", EMAIL, "tok-123456")
    except ValueError:
        logging.getLogger("aiohttp.server").exception("Error handling request from %s", "1.2.3.4")
    [line] = _lines(capsys)
    assert line["logger"] == "aiohttp.server"
    assert line["event"] == "Error handling request from 1.2.3.4"
    assert EMAIL not in json.dumps(line)


def test_sensitive_keys_are_never_written(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(Settings(log_format="json"))
    structlog.get_logger("test").info(
        "order_placed", email=EMAIL, customer={"name": "Ada"}, note=f"from {EMAIL}", lines=2
    )
    [line] = _lines(capsys)
    assert line["email"] == line["customer"] == "[redacted]"
    assert line["note"] == "from [redacted]"
    assert line["lines"] == 2
