from __future__ import annotations

import json

import pytest

from ecomm.core.events import (
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
