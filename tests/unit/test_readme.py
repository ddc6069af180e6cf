"""The README names every setting, command, option and make target the code has, and no other."""

from __future__ import annotations

import argparse
import itertools
import re
from enum import Enum
from pathlib import Path

import pytest
from pydantic import AliasChoices, SecretStr

from ecomm.cli_arguments import build_parser
from ecomm.core.runtime.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
# Rows written ahead of the parser: each is checked like any other once the parser has it.
COMING = frozenset({"order ship", "order deliver", "order cancel"})
CODE = re.compile(r"`([^`]+)`")


def _section(title: str) -> str:
    start = README.index(f"\n{title}\n")
    end = README.find("\n#", start + len(title) + 2)
    return README[start : end if end > 0 else None]


def _rows(section: str) -> list[list[str]]:
    """A markdown table's body rows as cells (`\\|` is a pipe inside a cell)."""
    rows = []
    for line in section.splitlines():
        if line.startswith("|") and not line.startswith("|---"):
            cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line)[1:-1]]
            rows.append(cells)
    return rows[1:]  # the header


# -- settings -------------------------------------------------------------------------------------


def _env_names() -> dict[str, str]:
    """Each variable `Settings` reads, and the field it sets."""
    names = {}
    for field_name, field in Settings.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            names |= dict.fromkeys(map(str, alias.choices), field_name)
        elif isinstance(alias, str):
            names[alias] = field_name
        else:
            names[f"ECOMM_{field_name.upper()}"] = field_name
    return names


def _documented_settings() -> dict[str, str | None]:
    """Each variable of the settings table, and its default as written (None: not code)."""
    documented: dict[str, str | None] = {}
    for variable, default, _ in _rows(_section("### Settings")):
        names = CODE.findall(variable)
        defaults = [d if CODE.fullmatch(d) else None for d in default.split(" / ")]
        if len(defaults) == 1:
            defaults *= len(names)
        assert len(defaults) == len(names), variable
        for name, value in zip(names, defaults, strict=True):
            documented[name] = value if value is None else value.strip("`")
    return documented


def _as_written(value: object) -> str | None:
    if value is None or isinstance(value, SecretStr):
        return None
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def test_the_settings_table_names_every_variable_the_settings_read_and_no_other() -> None:
    assert sorted(_documented_settings()) == sorted(_env_names())


def test_each_default_in_the_settings_table_is_the_code_s() -> None:
    documented, fields = _documented_settings(), _env_names()
    for name, written in documented.items():
        default = _as_written(Settings.model_fields[fields[name]].default)
        if written is not None or default not in ("", None):
            assert written == default, name


# -- commands -------------------------------------------------------------------------------------


def _options(parser: argparse.ArgumentParser) -> set[str]:
    return {
        option
        for action in parser._actions
        for option in action.option_strings
        if option.startswith("--") and option != "--help"
    }


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser] | None:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return None


def _commands() -> dict[str, set[str]]:
    """Every command path the parser accepts ("dlq list", "product add"), with its options."""
    parser = build_parser()
    found = {"--role": {"--role"}}
    pending = list((_subcommands(parser) or {}).items())
    while pending:
        path, sub = pending.pop()
        nested = _subcommands(sub)
        if nested is not None:
            pending += [(f"{path} {name}", p) for name, p in nested.items()]
            continue
        positional = [a for a in sub._actions if not a.option_strings and a.choices]
        if positional:  # `dlq list|redrive`: the action is a positional with choices
            found |= {f"{path} {choice}": _options(sub) for choice in positional[0].choices}
        else:
            found[path] = _options(sub)
    return found


def _documented_commands() -> dict[str, set[str]]:
    documented = {}
    for command, _ in _rows(_section("### Commands")):
        (text,) = CODE.findall(command)
        words = text.removeprefix("python -m ecomm ").split()
        path = list(itertools.takewhile(lambda w: re.fullmatch("[a-z]+", w), words))
        documented[" ".join(path) or "--role"] = set(re.findall(r"--[a-z-]+", text))
    return documented


def test_the_commands_table_has_every_command_of_the_parser() -> None:
    documented = _documented_commands()
    missing = sorted(set(_commands()) - set(documented))
    assert missing == [], f"README's commands table lacks {missing}"
    assert set(documented) - set(_commands()) <= COMING


@pytest.mark.parametrize("command", sorted(_commands()))
def test_each_command_row_names_exactly_its_options(command: str) -> None:
    assert _documented_commands().get(command) == _commands()[command]


def test_the_commands_say_what_they_need_to_run() -> None:
    section = _section("## Running the roles separately")
    assert ". .venv/bin/activate" in section
    assert "export AWS_ENDPOINT_URL=http://127.0.0.1:4566" in section


# -- make -----------------------------------------------------------------------------------------

MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")


def test_every_make_target_and_variable_is_in_the_readme() -> None:
    phony = re.search(r"^\.PHONY: (.+)$", MAKEFILE, re.MULTILINE)
    assert phony is not None
    missing = [t for t in phony.group(1).split() if f"`make {t}" not in README]
    variables = re.findall(r"^([A-Z_]+) \?=", MAKEFILE, re.MULTILINE)
    missing += [v for v in variables if v not in {"PYTHON"} and f"`{v}`" not in README]
    assert missing == []
