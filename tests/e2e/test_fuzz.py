"""The fuzz suite: generated hostile input against the three roles running as processes.

Every route of web, lookup and order gets hostile path segments, query parameters, form fields,
cookies and headers (see `hostile.py`), written byte by byte. For every answer: no 5xx, within a
time bound, with the role's security headers; the JSON APIs answer `{"error": ...}`. Over the
run: no role's memory jumps, every log line is one JSON object, and no email address a shopper
submitted appears in any log. Events get the same treatment through the topic.

`ECOMM_FUZZ_EXAMPLES` sets how many requests hypothesis generates (derandomized, so CI repeats
the same run; raise it locally to search further).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections import Counter

import aiohttp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecomm.core.runtime.bootstrap import Runtime
from ecomm.roles.web.security_headers import CONTENT_SECURITY_POLICY
from tests.e2e.conftest import Stack
from tests.e2e.hostile import (
    COOKIES,
    HEADERS,
    ROUTES,
    Answer,
    Route,
    form_bytes,
    header_safe,
    hostile_text,
    request_bytes,
    rss_bytes,
    segment,
    send,
)
from tests.integration.web.web_forms import ADDRESS
from tests.polling import eventually

# Seconds for any one answer, with room for a busy machine: the 1e-999999999 search stalled
# every request of web for 5 s.
TIME_BOUND = 5.0
MEMORY_JUMP = 64 * 1024 * 1024
EXAMPLES_PER_ROUTE = int(os.environ.get("ECOMM_FUZZ_EXAMPLES", "40"))
_HIDDEN = re.compile(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"')
REAL_EMAILS = ("grace.hopper@example.org", "katherine.johnson@example.org")


async def _in_stock(stack: Stack, count: int) -> list[str]:
    async with aiohttp.ClientSession() as session:
        url = f"{stack.urls['lookup']}/api/products?in_stock=true&sort=price_desc&per_page={count}"
        async with session.get(url) as answer:
            return [item["productID"] for item in (await answer.json())["items"]]


async def _shopper(stack: Stack, product_id: str, email: str | None = None) -> dict[str, str]:
    """A browser's cookies and checkout fields after adding a product to its cart; with an
    email, it also places the order and waits for its outcome."""
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(stack.web, cookie_jar=jar) as browser:
        page = await (await browser.get(f"/products/{product_id}")).text()
        token = dict(_HIDDEN.findall(page))["csrf_token"]
        form = {"csrf_token": token, "product_id": product_id, "quantity": "1"}
        await browser.post("/cart/items", data=form)
        fields = dict(_HIDDEN.findall(await (await browser.get("/checkout")).text()))
        cookies = {c.key: c.value for c in jar}
        if email is not None:
            form = {**fields, **ADDRESS, "name": "Grace Hopper", "email": email}
            placed = await browser.post("/checkout", data=form, allow_redirects=False)
            assert placed.status == 303
            status_url = placed.headers["Location"] + "/status.json"

            async def ended() -> bool:
                return bool((await (await browser.get(status_url)).json())["final"])

            await eventually(ended, within=30)
    return {**fields, **{f"cookie:{k}": v for k, v in cookies.items()}}


def _check(role: str, method: str, answer: Answer) -> None:
    where = f"{role} {method} -> {answer.status}"
    assert answer.status < 500, f"{where}: {answer.body[:300]!r}"
    assert answer.seconds < TIME_BOUND, f"{where} took {answer.seconds:.1f} s"
    assert answer.headers.get("x-content-type-options") == "nosniff", where
    if role == "web":
        assert answer.headers.get("content-security-policy") == CONTENT_SECURITY_POLICY, where
    elif answer.status >= 400 and method != "HEAD":
        assert isinstance(json.loads(answer.body)["error"], str), where


def _fuzz_route(
    stack: Stack, route: Route, shopper: dict[str, str], emails: list[str], seen: Counter[str]
) -> None:
    port = int(stack.urls[route.role].rsplit(":", 1)[1])
    real_cookies = {k.removeprefix("cookie:"): v for k, v in shopper.items() if k[:7] == "cookie:"}

    @settings(
        max_examples=EXAMPLES_PER_ROUTE,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.data())
    def one_request(data: st.DataObject) -> None:
        method = data.draw(st.sampled_from([route.method] * 6 + ["PUT", "DELETE", "HEAD", "PATCH"]))
        path = route.path
        if "{}" in path:
            path = path.format(segment(data.draw(hostile_text)))
        chosen = data.draw(st.lists(st.sampled_from(route.fields or ("x",)), unique=True))
        values = {name: data.draw(hostile_text) for name in chosen}
        if "email" in route.fields and data.draw(st.booleans()):
            values["email"] = f"fuzz.{data.draw(st.integers(0, 10**9))}@example.org"
        emails.extend(v for v in values.values() if "@" in v and len(v) >= 6)
        cookies = dict(real_cookies) if data.draw(st.booleans()) else {}
        for name in data.draw(st.lists(st.sampled_from(COOKIES), max_size=3, unique=True)):
            cookies[name] = data.draw(hostile_text)
        headers = {name: header_safe(data.draw(hostile_text)) for name in data.draw(
            st.lists(st.sampled_from(HEADERS), max_size=2, unique=True)
        )}  # fmt: skip
        if cookies:
            headers["Cookie"] = header_safe("; ".join(f"{k}={v}" for k, v in cookies.items()))
        body = b""
        if method == "POST":
            # With the shopper's real token and checkout fields the form reaches the views.
            form = {**shopper, **values} if data.draw(st.booleans()) else values
            form = {k: v for k, v in form.items() if not k.startswith("cookie:")}
            body = form_bytes(form)
            headers.setdefault("Content-Type", b"application/x-www-form-urlencoded")
        query = values if method != "POST" else {}
        raw = request_bytes(method, path, query, headers, body)
        answer = send(port, raw, TIME_BOUND)
        seen[route.name] += 1
        _check(route.role, method, answer)

    one_request()


async def test_hostile_http_input_gets_a_clear_4xx_from_every_role(stack: Stack) -> None:
    first, second, third = await _in_stock(stack, 3)
    pairs = zip((first, second), REAL_EMAILS, strict=True)
    shoppers = [await _shopper(stack, pid, email) for pid, email in pairs]
    shopper = await _shopper(stack, third)
    before = {role: rss_bytes(pid) for role, pid in stack.pids.items()}
    emails: list[str] = [*REAL_EMAILS]
    seen: Counter[str] = Counter()

    for route in ROUTES:
        await asyncio.to_thread(_fuzz_route, stack, route, shopper, emails, seen)

    assert set(seen) == {route.name for route in ROUTES}
    for role, pid in stack.pids.items():
        grown = rss_bytes(pid) - before[role]
        assert grown < MEMORY_JUMP, f"{role} grew by {grown / 2**20:.0f} MiB"
    _logs_are_json_without(stack, emails)
    assert shoppers  # the real orders went through the worker, whose lines were read above


def _logs_are_json_without(stack: Stack, secrets: list[str]) -> None:
    for role in stack.logs:
        text = stack.logs[role].read_text()
        for number, line in enumerate(text.splitlines(), 1):
            try:
                json.loads(line)
            except ValueError:
                raise AssertionError(
                    f"{role}.log line {number} is not JSON: {line[:200]}"
                ) from None
        leaked = [s for s in set(secrets) if s in text]
        lines = [line[:300] for line in text.splitlines() if any(s in line for s in leaked)]
        assert not leaked, (
            f"{role}.log contains submitted email addresses: {leaked[:3]} in {lines[:3]}"
        )


HOSTILE_BODIES = (
    "[" * 100_000,
    '{"type": "OrderPlaced", "version": 1, "data": ' + "[" * 5000 + "]" * 5000 + "}",
    '{"type": "OrderPlaced", "version": 1, "id": "e1", "data": {"orderID": "o\\n", '
    '"items": [{"productID": "P000001", "quantity": ' + "9" * 5000 + "}], "
    '"customer": {"name": "\\u202eAda", "email": "leak.check@example.org"}}}',
    '{"type": "ProductSearched", "version": 1, "id": "e2", "data": {"query": "x", '
    '"resultCount": NaN, "filters": {"a": [1, 2]}}}',
    '{"type": "ProductChanged", "version": 1, "id": "e3", "data": {"productID": "P000001", '
    '"name": "Forged", "price": 1e999, "stock": -5, "updatedAt": "2999-01-01"}}',
    "not json at all \x00",
    "",
)


async def test_hostile_events_are_parked_as_malformed_and_every_role_keeps_serving(
    stack: Stack, runtime: Runtime
) -> None:
    topic = (await runtime.aws.sns.create_topic(Name=runtime.names.topic))["TopicArn"]
    for body in HOSTILE_BODIES:
        for kind in ("OrderPlaced", "ProductSearched", "ProductChanged", "OrderConfirmed"):
            await runtime.aws.sns.publish(
                TopicArn=topic,
                Message=body or " ",
                MessageAttributes={"type": {"DataType": "String", "StringValue": kind}},
            )
    sqs = runtime.aws.sqs

    async def drained(queue: str) -> bool:
        url = (await sqs.get_queue_url(QueueName=queue))["QueueUrl"]
        attrs = (
            await sqs.get_queue_attributes(
                QueueUrl=url,
                AttributeNames=[
                    "ApproximateNumberOfMessages",
                    "ApproximateNumberOfMessagesNotVisible",
                ],
            )
        )["Attributes"]
        return sum(int(v) for v in attrs.values()) == 0

    async def parked() -> bool:
        return await drained(runtime.names.order_queue) and await drained(
            runtime.names.lookup_queue
        )

    await eventually(parked, within=90)
    async with aiohttp.ClientSession() as session:
        for url in stack.urls.values():
            async with session.get(f"{url}/readyz") as answer:
                assert answer.status == 200
    lines = [json.loads(line) for role in stack.logs for line in stack.log_lines(role)]
    events = Counter(line.get("event") for line in lines)
    assert events["malformed_message"] > 0
    assert events["handler_failed"] == 0, "a hostile event was treated as a bug, with backoff"
    _logs_are_json_without(stack, ["leak.check@example.org"])
