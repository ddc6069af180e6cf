"""Reading infra/ecomm.yaml the way CloudFormation does, closely enough to test it.

`load_template` understands the short tags (!Ref, !GetAtt, !Sub, ...) and returns the long
form ({"Ref": ...}, {"Fn::GetAtt": [...]}), which is also what the emulator's CloudFormation
accepts as JSON. `Renderer` resolves intrinsic functions with test values, so a task definition
can be registered against the emulator's ECS API exactly as CloudFormation would send it.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "infra" / "ecomm.yaml"

ACCOUNT = "123456789012"
REGION = "us-east-1"


class _CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form tags."""


def _short_tag(loader: _CfnLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "Condition":
        return {"Condition": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_CfnLoader.add_multi_constructor("!", _short_tag)


def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    loaded = yaml.load(path.read_text(encoding="utf-8"), Loader=_CfnLoader)  # noqa: S506 - a SafeLoader subclass
    assert isinstance(loaded, dict)
    return loaded


def resources_of_type(template: Mapping[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def token(node: Any) -> str:
    """A reference, shortened: {"Ref": "X"} -> "X"; {"Fn::GetAtt": ["X", "Arn"]} -> "X.Arn"."""
    if isinstance(node, dict) and "Ref" in node:
        return str(node["Ref"])
    if isinstance(node, dict) and "Fn::GetAtt" in node:
        return ".".join(node["Fn::GetAtt"])
    if isinstance(node, dict) and "Fn::Sub" in node and isinstance(node["Fn::Sub"], str):
        return node["Fn::Sub"]
    assert isinstance(node, str), f"not a reference or a string: {node!r}"
    return node


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def task_definition(template: Mapping[str, Any], role: str) -> dict[str, Any]:
    props: dict[str, Any] = template["Resources"][f"{role.capitalize()}TaskDefinition"][
        "Properties"
    ]
    return props


def task_container(template: Mapping[str, Any], role: str) -> dict[str, Any]:
    """The container that runs the role (a service's task also runs the collector sidecar)."""
    (container,) = [
        c for c in task_definition(template, role)["ContainerDefinitions"] if c["Name"] == role
    ]
    assert isinstance(container, dict)
    return container


def container_env(container: Mapping[str, Any]) -> dict[str, Any]:
    return {e["Name"]: e["Value"] for e in container.get("Environment", [])}


def named(template: Mapping[str, Any], kind: str, base: str) -> tuple[str, dict[str, Any]]:
    """The one resource of `kind` named `{ResourcePrefix}{base}`: (logical id, properties)."""
    wanted = f"${{ResourcePrefix}}{base}"
    matches = [
        (logical, r["Properties"])
        for logical, r in resources_of_type(template, kind).items()
        if any(
            token(r["Properties"][key]) == wanted
            for key in ("TableName", "QueueName", "TopicName")
            if key in r["Properties"]
        )
    ]
    assert len(matches) == 1, f"{kind} named {base}: {matches}"
    return matches[0]


def alarms_on(template: Mapping[str, Any], dimension_value: str) -> list[dict[str, Any]]:
    """Alarms with a dimension whose value is the reference `dimension_value` (see `token`)."""
    return [
        a["Properties"]
        for a in resources_of_type(template, "AWS::CloudWatch::Alarm").values()
        if any(token(d["Value"]) == dimension_value for d in a["Properties"].get("Dimensions", []))
    ]


_NO_VALUE = object()
_SUB_VAR = re.compile(r"\$\{([^}!][^}]*)\}")


class Renderer:
    """Resolves intrinsic functions: parameters from the template's defaults plus `parameters`,
    resource references through `ref` and `get_att` (the test decides what they stand for)."""

    def __init__(
        self,
        template: Mapping[str, Any],
        parameters: Mapping[str, str],
        ref: Callable[[str], str],
        get_att: Callable[[str, str], str],
        stack_name: str = "ecomm-test",
    ) -> None:
        self._template = template
        self._ref = ref
        self._get_att = get_att
        self.values: dict[str, Any] = {
            name: str(spec["Default"])
            for name, spec in template.get("Parameters", {}).items()
            if "Default" in spec
        }
        self.values.update(parameters)
        self.values.update(
            {
                "AWS::AccountId": ACCOUNT,
                "AWS::Region": REGION,
                "AWS::Partition": "aws",
                "AWS::StackName": stack_name,
                "AWS::URLSuffix": "amazonaws.com",
            }
        )

    def condition(self, name: str) -> bool:
        return bool(self.resolve(self._template["Conditions"][name]))

    def resolve(self, node: Any) -> Any:  # noqa: PLR0911, PLR0912 - one branch per intrinsic
        if isinstance(node, list):
            items = [self.resolve(n) for n in node]
            return [i for i in items if i is not _NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            (key, arg), *_ = node.items()
            if key == "Ref":
                if arg == "AWS::NoValue":
                    return _NO_VALUE
                return self.values[arg] if arg in self.values else self._ref(arg)
            if key == "Fn::GetAtt":
                return self._get_att(arg[0], arg[1])
            if key == "Fn::Sub":
                return self._sub(arg)
            if key == "Fn::If":
                cond, yes, no = arg
                return self.resolve(yes if self.condition(cond) else no)
            if key == "Fn::Equals":
                left, right = (self.resolve(a) for a in arg)
                return str(left) == str(right)
            if key == "Fn::Not":
                return not self.resolve(arg[0])
            if key == "Fn::And":
                return all(self.resolve(a) for a in arg)
            if key == "Fn::Or":
                return any(self.resolve(a) for a in arg)
            if key == "Condition":
                return self.condition(arg)
            if key == "Fn::Select":
                index, items = self.resolve(arg)
                return items[int(index)]
            if key == "Fn::Join":
                sep, items = arg
                return sep.join(str(i) for i in self.resolve(items))
            if key == "Fn::FindInMap":
                mapping, top, second = (self.resolve(a) for a in arg)
                return self._template["Mappings"][mapping][top][second]
            if key == "Fn::GetAZs":
                return [f"{REGION}a", f"{REGION}b"]
            if key == "Fn::Cidr":
                block, count, bits = self.resolve(arg)
                network = ipaddress.ip_network(block)
                subnets = network.subnets(new_prefix=network.max_prefixlen - int(bits))
                return [str(s) for _, s in zip(range(int(count)), subnets, strict=False)]
        out = {k: self.resolve(v) for k, v in node.items()}
        return {k: v for k, v in out.items() if v is not _NO_VALUE}

    def _sub(self, arg: Any) -> str:
        text, extra = (arg, {}) if isinstance(arg, str) else (arg[0], self.resolve(arg[1]))

        def one(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in extra:
                return str(extra[name])
            if name in self.values:
                return str(self.values[name])
            if "." in name:
                logical, attribute = name.split(".", 1)
                return self._get_att(logical, attribute)
            return self._ref(name)

        return _SUB_VAR.sub(one, text).replace("${!", "${")


def api_shape(node: Any) -> Any:
    """CloudFormation's PascalCase property names -> the ECS API's camelCase parameter names."""
    if isinstance(node, list):
        return [api_shape(n) for n in node]
    if isinstance(node, dict):
        return {k[:1].lower() + k[1:]: api_shape(v) for k, v in node.items()}
    return node
