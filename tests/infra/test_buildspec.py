"""buildspec.yml: test first, build once, and an imagedefinitions.json for the three services."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.infra.cfn import REPO

SERVICES = ("web", "lookup", "order")


@pytest.fixture(scope="module")
def buildspec() -> dict[str, Any]:
    loaded = yaml.safe_load((REPO / "buildspec.yml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def _commands(buildspec: dict[str, Any]) -> list[str]:
    phases = buildspec["phases"]
    return [
        c
        for phase in ("install", "pre_build", "build", "post_build")
        for c in phases.get(phase, {}).get("commands", [])
    ]


def test_tests_run_before_the_one_image_build(buildspec: dict[str, Any]) -> None:
    commands = _commands(buildspec)
    builds = [i for i, c in enumerate(commands) if c.startswith("docker build")]
    assert len(builds) == 1
    assert commands.index("make test") < builds[0]
    assert "--platform=linux/amd64" in commands[builds[0]]
    for phase in ("pre_build", "build", "post_build"):
        assert buildspec["phases"][phase]["on-failure"] == "ABORT"


def test_pushes_the_commit_tag_and_latest(buildspec: dict[str, Any]) -> None:
    pushes = [c for c in _commands(buildspec) if c.startswith("docker push")]
    assert pushes == [
        'docker push "$REPOSITORY_URI:$IMAGE_TAG"',
        'docker push "$REPOSITORY_URI:latest"',
    ]
    assert buildspec["artifacts"]["files"] == ["imagedefinitions.json"]


def test_imagedefinitions_point_the_three_containers_at_the_commit_image(
    buildspec: dict[str, Any], tmp_path: Path
) -> None:
    # Run the buildspec's own tag and imagedefinitions lines, without docker or AWS.
    script = [c for c in _commands(buildspec) if c.startswith("IMAGE_TAG=")]
    script += [c for c in _commands(buildspec) if "imagedefinitions.json" in c and ">" in c]
    env = {
        "PATH": "/usr/bin:/bin",
        "CODEBUILD_RESOLVED_SOURCE_VERSION": "0123456789abcdef0123456789abcdef01234567",
        "REPOSITORY_URI": "123456789012.dkr.ecr.us-east-1.amazonaws.com/ecomm",
    }
    subprocess.run(["bash", "-ec", "\n".join(script)], cwd=tmp_path, env=env, check=True)
    definitions = json.loads((tmp_path / "imagedefinitions.json").read_text(encoding="utf-8"))
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/ecomm:0123456"
    assert definitions == [{"name": name, "imageUri": image} for name in SERVICES]


def test_container_names_match_the_task_definitions(template: dict[str, Any]) -> None:
    for name in SERVICES:
        resource = template["Resources"][f"{name.capitalize()}TaskDefinition"]
        containers = resource["Properties"]["ContainerDefinitions"]
        # The pipeline sets the image of the container it names; a sidecar keeps its own.
        ours = [c["Name"] for c in containers if "Repository" in str(c["Image"])]
        assert ours == [name]
