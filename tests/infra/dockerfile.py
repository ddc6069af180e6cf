"""The facts of the Dockerfile's final stage that tests check and use: ENV, ENTRYPOINT, CMD, ...

Only what this project's Dockerfile uses is understood: line continuations, comments, ARG
defaults in FROM, `ENV k=v ...`, and JSON (exec-form) ENTRYPOINT/CMD/HEALTHCHECK.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from tests.infra.cfn import REPO

DOCKERFILE = REPO / "Dockerfile"
_VAR = re.compile(r"\$(?:\{(\w+)\}|(\w+))")


@dataclass
class Stage:
    base: str
    name: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    entrypoint: list[str] | None = None
    cmd: list[str] | None = None
    user: str | None = None
    expose: list[int] = field(default_factory=list)
    healthcheck: list[str] | None = None
    instructions: list[tuple[str, str]] = field(default_factory=list)


def _logical_lines(text: str) -> list[str]:
    lines: list[str] = []
    pending = ""
    for raw in text.splitlines():
        if raw.strip().startswith("#"):
            continue  # Docker drops comment lines, also inside a continued instruction
        if raw.rstrip().endswith("\\"):
            pending += raw.rstrip()[:-1] + " "
            continue
        line = (pending + raw).strip()
        pending = ""
        if line:
            lines.append(line)
    return lines


def _exec_form(argument: str) -> list[str]:
    value = json.loads(argument)
    assert isinstance(value, list), f"not exec form: {argument}"
    return [str(v) for v in value]


def _expand(value: str, env: dict[str, str]) -> str:
    return _VAR.sub(lambda m: env.get(m.group(1) or m.group(2), ""), value)


def parse(path: Path = DOCKERFILE) -> list[Stage]:
    stages: list[Stage] = []
    args: dict[str, str] = {}
    for line in _logical_lines(path.read_text(encoding="utf-8")):
        keyword, _, argument = line.partition(" ")
        keyword, argument = keyword.upper(), argument.strip()
        if keyword == "ARG" and not stages:
            name, _, default = argument.partition("=")
            args[name] = default
            continue
        if keyword == "FROM":
            words = argument.split()
            words = [w for w in words if not w.startswith("--platform")]
            stage_name = words[2] if len(words) > 2 and words[1].upper() == "AS" else None
            stages.append(Stage(base=_expand(words[0], args), name=stage_name))
            continue
        stage = stages[-1]
        stage.instructions.append((keyword, argument))
        if keyword == "ENV":
            for pair in shlex.split(argument):
                key, _, value = pair.partition("=")
                stage.env[key] = value
        elif keyword == "ENTRYPOINT":
            stage.entrypoint = _exec_form(argument)
        elif keyword == "CMD":
            stage.cmd = _exec_form(argument)
        elif keyword == "USER":
            stage.user = argument
        elif keyword == "EXPOSE":
            stage.expose += [int(p.split("/")[0]) for p in argument.split()]
        elif keyword == "HEALTHCHECK":
            options, _, command = argument.partition("CMD ")
            assert options.strip().startswith("--") or not options.strip(), argument
            stage.healthcheck = _exec_form(command)
    return stages


def runtime_stage() -> Stage:
    return parse()[-1]
