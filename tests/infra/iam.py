"""IAM policy evaluation, as far as infra/ecomm.yaml's task roles use it, for the policy tests.

`allows` answers whether rendered policy statements allow one action on one resource with a
request context, following AWS's documented rules: an explicit Deny wins, then any Allow whose
action, resource and every condition match. Conditions are the operators the template uses;
an unknown operator fails loudly rather than being read as "matches".

`dynamodb_attributes` lists what DynamoDB's `dynamodb:Attributes` key holds for an item
request: the top-level attribute names it names, key included (AWS's "specifying conditions"
page), read from the expressions themselves.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from typing import Any

from ecomm.emulator.calls import item_attributes

Context = Mapping[str, str | list[str]]


def _values(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _like(pattern: str, value: str) -> bool:
    # IAM's * and ? wildcards; no character classes, unlike fnmatch's [...].
    return fnmatch.fnmatchcase(value, pattern.replace("[", "[[]"))


def _single(operator: str, wanted: list[str], present: str) -> bool:
    if operator == "StringEquals":
        return present in wanted
    if operator == "StringLike":
        return any(_like(w, present) for w in wanted)
    if operator in {"ArnEquals", "ArnLike"}:
        return any(_like(w, present) for w in wanted)
    raise AssertionError(f"no evaluation for condition operator {operator}")


def _condition_holds(operator: str, key: str, wanted: Any, context: Context) -> bool:
    wanted_values = _values(wanted)
    present = context.get(key)
    if operator.startswith("ForAllValues:"):
        # Vacuously true for a missing or empty key, as AWS documents.
        base = operator.removeprefix("ForAllValues:")
        return all(_single(base, wanted_values, p) for p in _values(present or []))
    if operator.startswith("ForAnyValue:"):
        base = operator.removeprefix("ForAnyValue:")
        return any(_single(base, wanted_values, p) for p in _values(present or []))
    negated = "Not" in operator
    base = operator.replace("Not", "")
    if present is None:
        return negated
    assert isinstance(present, str), f"{key} is single-valued"
    return _single(base, wanted_values, present) != negated


def matches(statement: Mapping[str, Any], action: str, resource: str, context: Context) -> bool:
    if action not in _values(statement["Action"]):
        return False
    if not any(_like(r, resource) for r in _values(statement["Resource"])):
        return False
    return all(
        _condition_holds(operator, key, wanted, context)
        for operator, keys in statement.get("Condition", {}).items()
        for key, wanted in keys.items()
    )


def allows(
    statements: Iterable[Mapping[str, Any]], action: str, resource: str, context: Context
) -> bool:
    matching = [s for s in statements if matches(s, action, resource, context)]
    if any(s["Effect"] == "Deny" for s in matching):
        return False
    return any(s["Effect"] == "Allow" for s in matching)


def dynamodb_attributes(item_request: Mapping[str, Any]) -> set[str]:
    """Top-level attribute names an item request (Update, Put, ConditionCheck) names: the
    emulator's ledger reads them the same way."""
    return set(item_attributes(item_request))
