"""aiobotocore clients: created once per process, shared, closed on shutdown.

Endpoint, region and credentials come from botocore's own configuration (`AWS_ENDPOINT_URL`,
`AWS_REGION`, the credentials chain, the ECS task role). Every call is counted by service and
operation through botocore's event hooks, which is what `/metrics` and the benchmarks report.
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.exceptions import BotoCoreError, ClientError

from ecomm.core.adapters.telemetry import Telemetry
from ecomm.core.domain.errors import TransientError

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb import DynamoDBClient
    from types_aiobotocore_sns import SNSClient
    from types_aiobotocore_sqs import SQSClient

# Long polls wait up to 20 s, so reads must be allowed to take longer than that.
_CONFIG = AioConfig(
    connect_timeout=2,
    read_timeout=25,
    retries={"mode": "standard", "max_attempts": 3},
    max_pool_connections=64,
)
# An operator command answers a person: an unreachable endpoint must say so within seconds, not
# after the retries a long-running role rides an outage out with.
ONE_SHOT_CONFIG = _CONFIG.merge(
    AioConfig(connect_timeout=2, read_timeout=10, retries={"mode": "standard", "max_attempts": 2})
)


@dataclass(frozen=True)
class AwsClients:
    dynamodb: DynamoDBClient
    sns: SNSClient
    sqs: SQSClient


@dataclass(frozen=True)
class AwsEndpoint:
    """Where the clients go: `url` None means botocore's own choice (AWS_ENDPOINT_URL or AWS)."""

    region: str
    url: str | None = None
    # The local emulator checks no signature: spare a newcomer from inventing credentials, send
    # it no real ones, and let the access key id name the caller, which is how the emulator
    # tells the roles apart (the IAM test holds each role's calls against its task role).
    local_caller: str | None = None


def _count_call(telemetry: Telemetry, service: str) -> Any:
    def count(model: Any, **_: Any) -> None:
        telemetry.aws_call(service, model.name)

    return count


def _count_error(telemetry: Telemetry, service: str) -> Any:
    def count(http_response: Any, parsed: Any, model: Any, **_: Any) -> None:
        code = parsed.get("Error", {}).get("Code") if isinstance(parsed, dict) else None
        if code or getattr(http_response, "status_code", 200) >= 400:
            telemetry.aws_error(service, model.name, str(code or http_response.status_code))

    return count


async def open_clients(
    stack: AsyncExitStack,
    endpoint: AwsEndpoint,
    telemetry: Telemetry,
    config: AioConfig | None = None,
) -> AwsClients:
    """Create the three clients inside `stack`; they close when the stack does."""
    session = get_session()
    extra: dict[str, str] = {}
    if endpoint.url:
        extra["endpoint_url"] = endpoint.url
    if endpoint.local_caller:
        extra |= {
            "aws_access_key_id": endpoint.local_caller,
            "aws_secret_access_key": "ecomm-local",
        }
    clients: dict[str, Any] = {}
    for service in ("dynamodb", "sns", "sqs"):
        client = await stack.enter_async_context(
            session.create_client(
                service, region_name=endpoint.region, config=config or _CONFIG, **extra
            )  # type: ignore[call-overload]
        )
        client.meta.events.register(f"before-call.{service}.*", _count_call(telemetry, service))
        client.meta.events.register(f"after-call.{service}.*", _count_error(telemetry, service))
        clients[service] = client
    return AwsClients(**clients)


# Codes that say "try again later", not "this request is wrong".
TRANSIENT_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "TransactionConflictException",
        "TransactionInProgressException",
        "InternalServerError",
        "InternalFailure",
        "ServiceUnavailable",
        "LimitExceededException",
    }
)


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def is_transient(exc: BaseException) -> bool:
    """True for failures worth retrying: throttling, conflicts, an unreachable endpoint."""
    if isinstance(exc, ClientError):
        return error_code(exc) in TRANSIENT_CODES
    return isinstance(exc, BotoCoreError)


def translate_error(exc: ClientError | BotoCoreError) -> Exception:
    """The domain's `TransientError` for retryable failures; other errors stay as they are."""
    if is_transient(exc):
        return TransientError(str(exc))
    return exc
