"""IAM proven by the calls: every AWS call a role made in this session, against its task role.

Each role signs with an access key id naming it (core/adapters/aws.py), and the emulator records
every call by caller, operation and resource (emulator/calls.py), whatever test made it and under
whatever resource prefix. This module runs after every other test (tests/conftest.py) and holds
that ledger against infra/ecomm.yaml: a call the task role does not grant fails, and, when the
whole suite ran, so does a grant that no call used.
"""

from __future__ import annotations

from typing import Any

import pytest

from ecomm.emulator import Emulator
from tests.conftest import ran_the_whole_suite
from tests.infra.recorded_calls import (
    TASK_ROLE_OF,
    TaskRoles,
    audit,
    with_extra_grant,
    without_grant,
)


def test_every_call_a_role_made_is_granted_and_every_grant_was_used(
    emulator: Emulator, template: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    result = audit(emulator.ledger(), TaskRoles(template))
    assert not result.not_granted, "calls the task roles do not grant:\n" + "\n".join(
        result.not_granted
    )
    if not ran_the_whole_suite(request.config):
        pytest.skip("unused grants are judged on the whole suite's calls only")
    if request.session.testsfailed:
        pytest.skip("unused grants are not judged when other tests failed")
    assert not result.unused, "grants no call used:\n" + "\n".join(map(str, result.unused))


def test_the_audit_finds_a_removed_grant_and_an_extra_one(
    emulator: Emulator, template: dict[str, Any]
) -> None:
    ledger = emulator.ledger()
    roles = TaskRoles(template)
    result = audit(ledger, roles)
    used = [
        g
        for role in ("OrderTaskRole", "WebTaskRole", "LookupTaskRole", "OpsTaskRole")
        for g in roles.grants(role)
        if g not in result.unused
    ]
    if not used:
        pytest.skip("no role made a call in this session")
    removed = used[0]
    refused = audit(ledger, TaskRoles(without_grant(template, removed))).not_granted
    assert any(removed.action in line for line in refused), (str(removed), refused)

    extra = audit(ledger, TaskRoles(with_extra_grant(template, "WebTaskRole", "sns:Subscribe")))
    assert [str(g) for g in extra.unused if g not in result.unused] == [
        "WebTaskRole: sns:Subscribe on EventsTopic"
    ]
    assert set(TASK_ROLE_OF.values()) <= set(template["Resources"])
