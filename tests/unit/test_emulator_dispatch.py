"""moto's per-request lookups, answered once, answer what moto would."""

from __future__ import annotations

from moto import backends
from moto.core import utils
from moto.dynamodb.responses import DynamoHandler
from moto.sns.responses import SNSResponse
from moto.sqs.responses import SQSResponse

from ecomm.emulator import dispatch

# moto's own, taken before any emulator in this process installs the replacements.
moto_modules = backends.list_of_moto_modules
moto_method_names = utils.method_names_from_class


def test_the_services_are_moto_s_own_package_directories() -> None:
    assert set(dispatch.list_of_moto_modules()) == set(moto_modules())
    assert {"dynamodb", "sqs", "sns"} <= set(dispatch.list_of_moto_modules())


def test_a_handler_s_actions_are_the_ones_moto_finds() -> None:
    for handler in (DynamoHandler, SQSResponse, SNSResponse):
        assert dispatch.method_names_from_class(handler) == set(moto_method_names(handler))
    assert "transact_write_items" in dispatch.method_names_from_class(DynamoHandler)
    assert "receive_message" in dispatch.method_names_from_class(SQSResponse)


def test_the_dispatcher_and_responses_ask_the_cached_answers_once_installed() -> None:
    from moto.core import responses  # noqa: PLC0415 - the module whose global is replaced

    dispatch.install()
    assert backends.list_of_moto_modules is dispatch.list_of_moto_modules
    assert vars(responses)["method_names_from_class"] is dispatch.method_names_from_class
