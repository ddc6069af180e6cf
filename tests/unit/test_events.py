from __future__ import annotations

import json

import pytest

from ecomm.core.events import (
    MAX_BODY_CHARS,
    CustomerData,
    Envelope,
    EventType,
    LineData,
    MalformedEvent,
    OrderPlacedData,
    ProductSearchedData,
    decode,
)


def an_order_placed() -> Envelope:
    data = OrderPlacedData(
        orderID="o-1",
        items=[LineData(productID="P1", quantity=2)],
        customer=CustomerData(name="Ada", email="ada@example.com"),
    )
    return Envelope.wrap(EventType.ORDER_PLACED, data, "req-1")


def test_an_envelope_survives_a_round_trip() -> None:
    event = an_order_placed()
    decoded = decode(event.to_json())
    assert decoded == event
    assert decoded.correlationId == "req-1"
    assert isinstance(decoded.payload(), OrderPlacedData)


def test_decode_unwraps_a_non_raw_sns_notification() -> None:
    event = an_order_placed()
    body = json.dumps({"Type": "Notification", "MessageId": "m", "Message": event.to_json()})
    assert decode(body) == event


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[]",
        json.dumps({"type": "Nope", "data": {}}),
        json.dumps({"type": "OrderPlaced", "version": 2, "data": {}}),
        json.dumps({"Type": "Notification", "Message": "{broken"}),
    ],
)
def test_decode_refuses_what_cannot_be_an_event(body: str) -> None:
    with pytest.raises(MalformedEvent):
        decode(body)


def test_payload_refuses_data_that_does_not_fit_the_type() -> None:
    event = Envelope(type=EventType.ORDER_PLACED, data={"orderID": "o", "items": []})
    with pytest.raises(MalformedEvent, match="OrderPlaced data is invalid"):
        event.payload()


def test_the_wire_format_matches_the_design_contract() -> None:
    wire = json.loads(an_order_placed().to_json())
    assert set(wire) == {"type", "version", "id", "occurredAt", "correlationId", "data"}
    assert wire["version"] == 1
    assert wire["data"]["items"] == [{"productID": "P1", "quantity": 2}]
    assert wire["data"]["customer"] == {"name": "Ada", "email": "ada@example.com"}


def test_a_product_searched_event_without_a_count_is_one_search() -> None:
    event = Envelope(
        type=EventType.PRODUCT_SEARCHED, data={"query": "kettle", "filters": {}, "resultCount": 3}
    )
    payload = event.payload()
    assert isinstance(payload, ProductSearchedData)
    assert payload.searches == 1


@pytest.mark.parametrize("searches", [0, -1, 10**7])
def test_a_search_count_out_of_bounds_is_malformed(searches: int) -> None:
    data = {"query": "kettle", "resultCount": 3, "searches": searches}
    with pytest.raises(MalformedEvent):
        Envelope(type=EventType.PRODUCT_SEARCHED, data=data).payload()


# -- poison bodies: every one is malformed, none raises anything else --------------------------


def envelope_with(data: str, event_type: str = "ProductSearched") -> str:
    return f'{{"type": "{event_type}", "version": 1, "data": {data}}}'


def searched_body(result_count: str = "3", query: str = '"kettle"') -> str:
    return envelope_with(f'{{"query": {query}, "resultCount": {result_count}}}')


def test_a_body_searched_with_bounded_parsing_still_decodes() -> None:
    payload = decode(searched_body()).payload()
    assert isinstance(payload, ProductSearchedData)
    assert payload.resultCount == 3


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        pytest.param("[" * 100_000, "nested deeper", id="100,000 open brackets"),
        pytest.param('{"a":' * 50_000, "nested deeper", id="50,000 open objects"),
        pytest.param(envelope_with("[" * 500 + "]" * 500), "nested deeper", id="500 deep in data"),
        pytest.param(
            searched_body(query='"' + "x" * MAX_BODY_CHARS + '"'), "characters", id="over 256 KiB"
        ),
        pytest.param(searched_body("9" * 10_000), "10000 digits", id="a 10,000-digit number"),
        pytest.param(searched_body("9" * 21), "21 digits", id="a 21-digit number"),
        pytest.param(searched_body("NaN"), "NaN is not a number", id="NaN"),
        pytest.param(searched_body("Infinity"), "Infinity is not a number", id="Infinity"),
        pytest.param(searched_body("-Infinity"), "Infinity is not a number", id="-Infinity"),
        pytest.param(searched_body("1e400"), "too large", id="a float beyond float"),
        pytest.param(searched_body("1.00000000000000001"), "15 digits", id="17 digits"),
        pytest.param(searched_body(query=r'"\ud800"'), "not Unicode", id="a lone surrogate"),
        pytest.param(
            json.dumps({"Type": "Notification", "Message": {"type": "ProductSearched"}}),
            "dict, not text",
            id="an SNS message that is not text",
        ),
    ],
)
def test_a_poison_body_is_malformed(body: str, reason: str) -> None:
    with pytest.raises(MalformedEvent, match=reason):
        decode(body)


@pytest.mark.parametrize("body", [None, b"{}", 5, ["[]"]])
def test_a_body_that_is_not_text_is_malformed(body: object) -> None:
    with pytest.raises(MalformedEvent, match="not text"):
        decode(body)


def test_nesting_as_deep_as_an_event_allows_decodes() -> None:
    data = {"query": "kettle", "resultCount": 1, "deep": json.loads("[" * 12 + "]" * 12)}
    assert decode(envelope_with(json.dumps(data))).type is EventType.PRODUCT_SEARCHED


def test_an_sns_notification_is_unwrapped_once_only() -> None:
    inner = json.dumps({"Type": "Notification", "Message": an_order_placed().to_json()})
    with pytest.raises(MalformedEvent, match="not an event envelope"):
        decode(json.dumps({"Type": "Notification", "Message": inner}))
