"""The operator command's arguments and input checks (its AWS side is an integration test)."""

from __future__ import annotations

import argparse

import pytest

from ecomm.core.runtime.settings import Settings
from ecomm.ops import products as operator


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="ecomm product")
    operator.add_arguments(parser)
    return parser.parse_args(argv)


def test_the_three_commands_parse() -> None:
    add = parse(
        "add", "--id", "P9", "--name", "Lamp", "--category", "Garden", "--price", "9.5",
        "--stock", "3", "--image-url", "https://example.com/l.png",
    )  # fmt: skip
    assert (add.product_command, add.product_id, add.price, add.image_url) == (
        "add",
        "P9",
        "9.5",
        "https://example.com/l.png",
    )
    restock = parse("restock", "P9", "12")
    assert (restock.product_command, restock.product_id, restock.quantity) == (
        "restock",
        "P9",
        "12",
    )
    price = parse("price", "P9", "19.99")
    assert (price.product_command, price.price) == ("price", "19.99")


def test_a_command_is_required() -> None:
    with pytest.raises(SystemExit) as exited:
        parse()
    assert exited.value.code == 2


@pytest.mark.parametrize(
    ("argv", "complaint"),
    [
        (("price", "P1", "cheap"), "is not an amount like 19.99"),
        (("price", "P1", "-1"), "is not an amount like 19.99"),
        (("price", "P1", "1.999"), "at most two decimals"),
        (("price", "P1", "Infinity"), "is not an amount like 19.99"),
        (("restock", "P1", "0"), "QUANTITY must be between 1"),
        (("restock", "P1", "1.5"), "is not a whole number"),
        (("restock", "bad id!", "3"), "product id 'bad id!'"),
        (
            ("add", "--id", "P9", "--name", " ", "--category", "x", "--price", "1", "--stock", "1"),
            "--name must not be empty",
        ),
        (
            (
                "add",
                "--id",
                "P9",
                "--name",
                "L",
                "--category",
                "x",
                "--price",
                "1",
                "--stock",
                "-2",
            ),
            "--stock '-2' is not a whole number",
        ),
    ],
)
async def test_bad_input_exits_2_with_a_reason_before_reaching_aws(
    argv: tuple[str, ...], complaint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # An endpoint nothing listens on: the command must not even try it.
    settings = Settings.model_validate({"aws_endpoint_url": "http://127.0.0.1:9"})
    assert await operator.run(settings, parse(*argv)) == 2
    assert complaint in capsys.readouterr().err
