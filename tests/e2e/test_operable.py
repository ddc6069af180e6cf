"""What an operator sees of one order: one trace from the checkout to lookup, and the metrics.

The three roles run as processes with traces on (`OTEL_TRACES_EXPORTER=console`: spans as JSON
lines on stdout, as the collector sidecar would receive them) and EMF printed every second. One
shopper orders; once the roles have stopped, their output is read back.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from ecomm.core.domain.products import Product
from ecomm.core.runtime.bootstrap import open_runtime
from ecomm.core.runtime.emf import CATALOGUE, MAX_VALUES
from ecomm.emulator import Emulator
from ecomm.ops.catalog import generate
from ecomm.ops.provision import provision
from tests.conftest import make_settings
from tests.e2e.conftest import CATALOG_SIZE, ROLES, running_stack
from tests.integration.web.web_forms import ADDRESS
from tests.polling import eventually

TRACED = {"OTEL_TRACES_EXPORTER": "console", "ECOMM_METRICS_INTERVAL": "1"}
_FIELD = re.compile(r'name="(csrf_token|order_id|cart_digest)" value="([^"]+)"')
# CloudWatch's units (PutMetricData's StandardUnit), as EMF accepts them.
_SIZES = ("Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes")
_BITS = ("Bits", "Kilobits", "Megabits", "Gigabits", "Terabits")
UNITS = frozenset(
    ["Seconds", "Microseconds", "Milliseconds", "Percent", "Count", "Count/Second", "None"]
    + [*_SIZES, *_BITS]
    + [f"{unit}/Second" for unit in (*_SIZES, *_BITS)]
)


@dataclass(frozen=True)
class Journey:
    order_id: str
    request_id: str
    output: dict[str, list[dict[str, Any]]]  # each role's JSON lines: logs, spans, metrics

    def spans(self, role: str) -> list[dict[str, Any]]:
        return [line for line in self.output[role] if "context" in line and "kind" in line]

    def metrics(self, role: str) -> list[dict[str, Any]]:
        return [line for line in self.output[role] if "_aws" in line]

    def logs(self, role: str) -> list[dict[str, Any]]:
        return [line for line in self.output[role] if "event" in line and "level" in line]


async def _checkout(web: str, product: Product) -> tuple[str, str]:
    """A shopper adds two of `product` to the cart and orders: (order id, request id)."""
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(web, cookie_jar=jar) as browser:
        async with browser.get("/search", params={"q": product.name}) as page:
            assert page.status == 200
        async with browser.get(f"/products/{product.productID}") as page:
            fields = dict(_FIELD.findall(await page.text()))
        form = {
            "csrf_token": fields["csrf_token"],
            "product_id": product.productID,
            "quantity": "2",
        }
        async with browser.post("/cart/items", data=form) as added:
            assert added.status == 200
        async with browser.get("/checkout") as page:
            form = dict(_FIELD.findall(await page.text()))
        form |= {"name": "Grace Hopper", "email": "grace@example.com", **ADDRESS}
        async with browser.post("/checkout", data=form, allow_redirects=False) as placed:
            assert placed.status == 303
            return form["order_id"], placed.headers["X-Request-ID"]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def journey(
    emulator: Emulator, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Journey]:
    settings = make_settings(emulator)
    workdir = tmp_path_factory.mktemp("operable")
    product = next(p for p in generate(CATALOG_SIZE) if p.stock >= 5)
    async with open_runtime(settings, "test") as rt:
        await provision(rt.aws, settings)
        async with running_stack(emulator, rt, workdir, TRACED) as stack:
            order_id, request_id = await _checkout(stack.web, product)
            search = f"{stack.urls['lookup']}/api/products"

            async def lookup_applied_the_outcome() -> bool:
                # OrderConfirmed makes lookup read the product back: its search shows the stock.
                async with http.get(search, params={"q": product.name}) as answer:
                    items = (await answer.json())["items"]
                return any(
                    i["productID"] == product.productID and i["stock"] == product.stock - 2
                    for i in items
                )

            async with aiohttp.ClientSession() as http:
                await eventually(lookup_applied_the_outcome, within=30)
        # The roles have stopped: the last spans and metrics are out.
        output = {role: list(_json_lines(stack.log_lines(role))) for role in ROLES}
    yield Journey(order_id, request_id, output)


def _json_lines(lines: list[str]) -> Iterator[dict[str, Any]]:
    for line in lines:
        if line.startswith("{"):
            yield json.loads(line)


def _hex(trace_id: str) -> str:
    return trace_id.removeprefix("0x")


def test_one_trace_runs_from_the_checkout_through_order_to_lookup(journey: Journey) -> None:
    (checkout,) = [s for s in journey.spans("web") if s["name"] == "POST /checkout"]
    trace_id = checkout["context"]["trace_id"]

    def in_trace(role: str) -> dict[str, str]:
        return {
            s["name"]: s["kind"]
            for s in journey.spans(role)
            if s["context"]["trace_id"] == trace_id
        }

    web, order, lookup = in_trace("web"), in_trace("order"), in_trace("lookup")
    assert any(name.endswith("ecommerce-events send") for name in web), web
    assert order[next(n for n in order if n.endswith("OrderQueue process"))] == "SpanKind.CONSUMER"
    assert "DynamoDB.TransactWriteItems" in order
    assert any(name.endswith("ecommerce-events publish") for name in order), order
    consumed = [n for n in lookup if "LookupQueue" in n and n.endswith("process")]
    assert consumed, lookup
    assert "GET /api/products" in lookup  # the checkout priced the cart with lookup

    # ...and the same trace id on each role's log lines written inside it.
    def logged(role: str) -> set[str]:
        return {
            line["event"] for line in journey.logs(role) if line.get("trace_id") == _hex(trace_id)
        }

    assert "request" in logged("web")
    assert "order_recorded" in logged("order")
    assert "request" in logged("lookup")
    (recorded,) = [line for line in journey.logs("order") if line["event"] == "order_recorded"]
    assert recorded["correlation_id"] == journey.request_id


def _check_emf(line: dict[str, Any]) -> list[tuple[str, str, tuple[str, ...]]]:
    """The EMF specification's rules for one line; returns (name, unit, dimensions) per metric."""
    aws = line["_aws"]
    assert set(aws) <= {"Timestamp", "CloudWatchMetrics", "LogGroupName"}
    assert isinstance(aws["Timestamp"], int)
    assert 1_600_000_000_000 < aws["Timestamp"] < 4_000_000_000_000  # milliseconds
    directives = aws["CloudWatchMetrics"]
    assert isinstance(directives, list)
    assert directives
    found = []
    for directive in directives:
        assert set(directive) == {"Namespace", "Dimensions", "Metrics"}
        assert directive["Namespace"] == "ecomm"
        dimension_sets = directive["Dimensions"]
        assert dimension_sets
        for keys in dimension_sets:
            assert 1 <= len(keys) <= 30
            for key in keys:
                assert isinstance(line[key], str)
                assert line[key]
        assert 1 <= len(directive["Metrics"]) <= 100
        for metric in directive["Metrics"]:
            assert set(metric) <= {"Name", "Unit", "StorageResolution"}
            assert metric["Unit"] in UNITS
            value = line[metric["Name"]]
            values = value if isinstance(value, list) else [value]
            assert 1 <= len(values) <= MAX_VALUES
            assert all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
            found += [(metric["Name"], metric["Unit"], tuple(tuple(s) for s in dimension_sets))]
    return found


def _printed(journey: Journey, role: str) -> dict[str, set[tuple[str, ...]]]:
    """metric name -> the dimension values it was printed with, for one role."""
    printed: dict[str, set[tuple[str, ...]]] = {}
    for line in journey.metrics(role):
        for name, unit, dimension_sets in _check_emf(line):
            assert CATALOGUE[name] == (unit, dimension_sets), name
            keys = max(dimension_sets, key=len)
            printed.setdefault(name, set()).add(tuple(str(line[k]) for k in keys))
    return printed


def test_every_role_prints_valid_emf_with_what_an_operator_watches(journey: Journey) -> None:
    web, order, lookup = (_printed(journey, role) for role in ("web", "order", "lookup"))
    assert all(line["Role"] == "web" for line in journey.metrics("web"))

    assert ("web", "checkout") in web["Requests"]
    assert ("web", "checkout") in web["RequestLatency"]
    assert ("web", "sns", "Publish") in web["AwsCalls"]
    assert ("web", "OrderPlaced") in web["EventsPublished"]
    assert "CacheMisses" not in web  # web keeps no cache of search answers

    assert ("order", "confirmed") in order["Orders"]
    assert ("order", "confirmed") in order["OrderLatency"]
    queues = {queue for _, queue in order["MessagesHandled"]}
    assert any(q.endswith("OrderQueue") for q in queues)
    assert any(q.endswith("OrderQueue") for _, q in order["ReceiveLag"])
    assert ("order", "dynamodb", "TransactWriteItems") in order["AwsCalls"]
    assert ("order", "OrderConfirmed") in order["EventsPublished"]

    assert ("lookup", "api/products") in lookup["RequestLatency"]
    assert any("LookupQueue" in q for _, q in lookup["MessagesHandled"])
    assert ("lookup", "dynamodb", "BatchGetItem") in lookup["AwsCalls"]


def test_metrics_are_summed_not_printed_per_request(journey: Journey) -> None:
    lines = journey.metrics("web")
    checkout = [line for line in lines if line.get("Route") == "checkout"]
    # One line per route family and second at most, however many requests it had.
    stamps = [line["_aws"]["Timestamp"] for line in checkout]
    assert len(stamps) == len(set(stamps))
    latency = [v for line in lines for v in line.get("RequestLatency", [])]
    assert sum(line.get("Requests", 0) for line in lines) == len(latency)
