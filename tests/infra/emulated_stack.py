"""infra/ecomm.yaml's data plane deployed into the emulator, the rest rendered against it.

moto's CloudFormation creates tables, topics and queues but not subscriptions or queue policies,
so those are applied through the SNS and SQS APIs with the template's own rendered properties.
Everything else (roles, log groups, the secret, the image) gets stand-in names.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from tests.infra.cfn import ACCOUNT, REGION, Renderer, resources_of_type

ClientFactory = Callable[[str], Any]

DATA_PLANE_TYPES = ("AWS::DynamoDB::Table", "AWS::SNS::Topic", "AWS::SQS::Queue")


def data_plane_template(template: dict[str, Any]) -> dict[str, Any]:
    """The stateful resources and the parameters they use, as a template of their own."""
    resources = {
        name: resource
        for name, resource in template["Resources"].items()
        if resource["Type"] in DATA_PLANE_TYPES
    }
    return {
        "AWSTemplateFormatVersion": template["AWSTemplateFormatVersion"],
        "Parameters": {"ResourcePrefix": template["Parameters"]["ResourcePrefix"]},
        "Resources": resources,
    }


class DataPlane:
    """A data-plane stack in the emulator, with the rest of the template rendered against it."""

    def __init__(self, template: dict[str, Any], client: ClientFactory) -> None:
        self.prefix = f"t{uuid.uuid4().hex[:8]}-"
        self.stack = f"ecomm-{self.prefix.rstrip('-')}"
        self._client = client
        cloudformation = client("cloudformation")
        cloudformation.create_stack(
            StackName=self.stack,
            TemplateBody=json.dumps(data_plane_template(template)),
            Parameters=[{"ParameterKey": "ResourcePrefix", "ParameterValue": self.prefix}],
        )
        stack_resources = cloudformation.describe_stack_resources(StackName=self.stack)
        self.physical: dict[str, str] = {
            r["LogicalResourceId"]: r["PhysicalResourceId"]
            for r in stack_resources["StackResources"]
        }
        self.renderer = Renderer(
            template,
            {"ResourcePrefix": self.prefix},
            ref=self.ref,
            get_att=self.get_att,
            stack_name=self.stack,
        )
        self.template = template

    def ref(self, logical: str) -> str:
        """Data-plane resources are real; the rest (roles, log groups, the secret) stand-ins."""
        if logical in self.physical:
            return self.physical[logical]
        if logical == "CookieSecret":
            return f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{self.stack}/cookie-secret"
        return f"{self.stack}-{logical}"

    def get_att(self, logical: str, attribute: str) -> str:
        if attribute == "Arn" and logical in resources_of_type(self.template, "AWS::SQS::Queue"):
            attributes = self._client("sqs").get_queue_attributes(
                QueueUrl=self.physical[logical], AttributeNames=["QueueArn"]
            )
            return str(attributes["Attributes"]["QueueArn"])
        if attribute == "QueueName":
            return self.physical[logical].rsplit("/", 1)[-1]
        if (logical, attribute) == ("Repository", "RepositoryUri"):
            return f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{self.stack}"
        if attribute == "Arn" and logical.endswith("Role"):
            return f"arn:aws:iam::{ACCOUNT}:role/{self.stack}-{logical}"
        raise KeyError(f"no test value for {logical}.{attribute}")

    def apply(self, kind: str) -> dict[str, dict[str, Any]]:
        """Render every resource of `kind` against this stack."""
        return {
            name: self.renderer.resolve(resource["Properties"])
            for name, resource in resources_of_type(self.template, kind).items()
            if "Condition" not in resource
        }

    def connect(self) -> DataPlane:
        """Apply what the emulator's CloudFormation skips: queue policies, then subscriptions."""
        sns, sqs = self._client("sns"), self._client("sqs")
        for policy in self.apply("AWS::SQS::QueuePolicy").values():
            for url in policy["Queues"]:
                sqs.set_queue_attributes(
                    QueueUrl=url, Attributes={"Policy": json.dumps(policy["PolicyDocument"])}
                )
        for sub in self.apply("AWS::SNS::Subscription").values():
            if sub["Protocol"] != "sqs":
                continue
            sns.subscribe(
                TopicArn=sub["TopicArn"],
                Protocol=sub["Protocol"],
                Endpoint=sub["Endpoint"],
                Attributes={
                    "RawMessageDelivery": _api_bool(sub["RawMessageDelivery"]),
                    "FilterPolicyScope": sub["FilterPolicyScope"],
                    "FilterPolicy": json.dumps(sub["FilterPolicy"]),
                },
            )
        return self

    def container(self, logical: str) -> dict[str, Any]:
        """The app's container definition in a task definition, rendered against this stack
        (the first: a service's task also runs the collector sidecar)."""
        container = self.apply("AWS::ECS::TaskDefinition")[logical]["ContainerDefinitions"][0]
        assert isinstance(container, dict)
        return container


def _api_bool(value: Any) -> str:
    return "true" if value in (True, "true") else "false"
