"""What an operator command says when AWS fails it: one line, and whose turn it is to act.

botocore raises many exception types, and the repositories wrap some of them (`TransientError`
`from` the original); this is the one place that reads them, along the whole cause chain.
Exit code 2 means the operator can fix it (an unreachable endpoint, a name that does not exist,
missing or refused credentials, a bad region); 1 means AWS failed a request that was right.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    CredentialRetrievalError,
    EndpointResolutionError,
    HTTPClientError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    UnknownEndpointError,
)
from botocore.exceptions import ConnectionError as CouldNotConnect
from botocore.exceptions import ValidationError as BotoValidationError

from ecomm.core.adapters.aws import error_code

OPERATOR_FIXES = 2
AWS_FAILED = 1
MAX_LINE = 300

NOT_FOUND_CODES = frozenset(
    {
        "AWS.SimpleQueueService.NonExistentQueue",
        "QueueDoesNotExist",
        "ResourceNotFoundException",
        "NotFound",
        "NotFoundException",
    }
)
REFUSED_CREDENTIAL_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "SignatureDoesNotMatch",
        "InvalidSignatureException",
        "ExpiredToken",
        "ExpiredTokenException",
        "MissingAuthenticationToken",
    }
)
_NOT_CONFIGURED = (
    NoCredentialsError,
    PartialCredentialsError,
    CredentialRetrievalError,
    ProfileNotFound,
    NoRegionError,
    UnknownEndpointError,
    EndpointResolutionError,
    BotoValidationError,  # botocore's InvalidRegionError, among others
)


@dataclass(frozen=True)
class Failure:
    reason: str
    exit_code: int


def one_line(text: str, limit: int = MAX_LINE) -> str:
    """`text` as one printable line of at most `limit` characters: line breaks, escape sequences
    and other control characters are shown escaped, never written to the terminal."""
    shown = "".join(
        ch if unicodedata.category(ch)[0] != "C" and ch not in "\u2028\u2029" else _escaped(ch)
        for ch in text[: limit + 1]
    )
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def _escaped(ch: str) -> str:
    return ch.encode("unicode_escape", "backslashreplace").decode("ascii")


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def explain(exc: BaseException, endpoint: str | None) -> Failure:
    """One line (without the program name) and an exit code for a failed operator command."""
    where = endpoint or "the AWS endpoint"
    for cause in _causes(exc):
        if isinstance(cause, ClientError):
            return _client_error(cause, where)
        if isinstance(cause, CouldNotConnect | HTTPClientError):
            return Failure(
                f"cannot reach AWS at {where} ({cause}); check AWS_ENDPOINT_URL, or start "
                "the local emulator with `python -m ecomm emulator`",
                OPERATOR_FIXES,
            )
        if isinstance(cause, _NOT_CONFIGURED):
            return Failure(f"AWS is not configured: {cause}", OPERATOR_FIXES)
        if isinstance(cause, BotoCoreError):
            return Failure(f"an AWS call failed: {cause}", AWS_FAILED)
    return Failure(str(exc) or type(exc).__name__, AWS_FAILED)


def _client_error(exc: ClientError, where: str) -> Failure:
    code = error_code(exc)
    message = one_line(str(exc.response.get("Error", {}).get("Message", "")) or code, 200)
    if code in NOT_FOUND_CODES:
        return Failure(
            f"not found at {where}: {message} ({exc.operation_name}); check the name and "
            "ECOMM_RESOURCE_PREFIX, or run `python -m ecomm provision`",
            OPERATOR_FIXES,
        )
    if code in REFUSED_CREDENTIAL_CODES:
        return Failure(f"AWS at {where} refused the credentials: {code}: {message}", OPERATOR_FIXES)
    return Failure(f"AWS at {where} refused {exc.operation_name}: {code}: {message}", AWS_FAILED)
