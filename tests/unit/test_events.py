from __future__ import annotations

import json
from decimal import Decimal

import pytest

from ecomm.core.contracts.customer_text import MAX_CUSTOMER_NAME, clean_customer_text
from ecomm.core.contracts.events import (
    MAX_BODY_CHARS,
    MAX_FILTERS,
    CustomerData,
    Envelope,
    EventType,
    LineData,
    MalformedEvent,
    OrderPlacedData,
    ProductChangedData,
    ProductSearchedData,
    decode,
)
from ecomm.core.domain.orders import MAX_ORDER_LINES


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
    assert wire["data"]["items"] == [
        {"productID": "P1", "quantity": 2, "unitPrice": None, "name": None}
    ]
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


# -- every field has a bound -----------------------------------------------------------------


def malformed(event_type: EventType, data: dict[str, object]) -> bool:
    try:
        Envelope(type=event_type, data=data).payload()
    except MalformedEvent:
        return True
    return False


def search(**fields: object) -> dict[str, object]:
    return {"query": "kettle", "resultCount": 3, **fields}


@pytest.mark.parametrize(
    ("filters", "refused"),
    [
        ({"category": "Audio", "sort": "price_asc"}, False),
        ({f"k{i}": "v" for i in range(MAX_FILTERS)}, False),
        ({f"k{i}": "v" for i in range(MAX_FILTERS + 1)}, True),
        ({"k" * 33: "v"}, True),
        ({"": "v"}, True),
        ({"category": "x" * 201}, True),
    ],
)
def test_search_filters_are_bounded(filters: dict[str, str], refused: bool) -> None:
    assert malformed(EventType.PRODUCT_SEARCHED, search(filters=filters)) is refused


@pytest.mark.parametrize(("count", "refused"), [(0, False), (10**9, False), (10**9 + 1, True)])
def test_a_result_count_is_bounded(count: int, refused: bool) -> None:
    assert malformed(EventType.PRODUCT_SEARCHED, search(resultCount=count)) is refused


def outcome(lines: int, quantity: int = 1) -> dict[str, object]:
    return {
        "orderID": "o-1",
        "items": [{"productID": f"P{i}", "quantity": quantity} for i in range(lines)],
    }


def test_an_outcome_s_lines_are_bounded() -> None:
    assert not malformed(EventType.ORDER_CONFIRMED, outcome(10 * MAX_ORDER_LINES))
    assert malformed(EventType.ORDER_CONFIRMED, outcome(10 * MAX_ORDER_LINES + 1))


@pytest.mark.parametrize(
    ("quantity", "refused"),
    [
        (-5, False),
        (0, False),
        (10**9, False),
        (-(10**9), False),
        (10**9 + 1, True),
        (-(10**9) - 1, True),
    ],
)
def test_a_quantity_is_any_machine_sized_number(quantity: int, refused: bool) -> None:
    # -5 is not malformed: the order worker rejects it with a reason the shopper can read.
    assert malformed(EventType.ORDER_CONFIRMED, outcome(1, quantity)) is refused


def test_an_envelope_s_ids_and_time_are_bounded() -> None:
    body = json.loads(searched_body())
    for field, limit in (("id", 128), ("correlationId", 128), ("occurredAt", 64)):
        decode(json.dumps({**body, field: "x" * limit}))
        with pytest.raises(MalformedEvent, match=field):
            decode(json.dumps({**body, field: "x" * (limit + 1)}))


def product_changed(**fields: object) -> dict[str, object]:
    data: dict[str, object] = {
        "productID": "P1",
        "name": "Oak Kettle",
        "description": "Boils water.",
        "category": "Home & Kitchen",
        "price": 19.99,
        "stock": 4,
        "updatedAt": "2026-01-01T00:00:00.000Z",
        "imageUrl": "https://example.com/kettle.png",
    }
    return {**data, **fields}


@pytest.mark.parametrize(
    ("field", "limit"),
    [
        ("name", 1000),
        ("description", 20_000),
        ("category", 200),
        ("updatedAt", 64),
        ("imageUrl", 2048),
    ],
)
def test_a_product_change_s_texts_are_bounded(field: str, limit: int) -> None:
    assert not malformed(EventType.PRODUCT_CHANGED, product_changed(**{field: "x" * limit}))
    assert malformed(EventType.PRODUCT_CHANGED, product_changed(**{field: "x" * (limit + 1)}))


@pytest.mark.parametrize(
    ("price", "expected"),
    [
        (19.99, "19.99"),
        ("19.99", "19.99"),
        (19, "19"),
        (0.1, "0.1"),
        (999_999_999.9999, "999999999.9999"),
    ],
)
def test_a_price_becomes_the_exact_decimal_it_was_written_as(price: object, expected: str) -> None:
    payload = Envelope(type=EventType.PRODUCT_CHANGED, data=product_changed(price=price)).payload()
    assert isinstance(payload, ProductChangedData)
    assert isinstance(payload.price, Decimal)
    assert str(payload.price) == expected


@pytest.mark.parametrize(
    "price",
    [-0.01, 10**9 + 1, "19.99999", "NaN", "Infinity", 0.30000000000000004, True, "1e999999"],
)
def test_a_price_out_of_bounds_or_not_a_plain_decimal_is_malformed(price: object) -> None:
    assert malformed(EventType.PRODUCT_CHANGED, product_changed(price=price))


def test_a_price_travels_as_a_json_number_and_comes_back_exact() -> None:
    data = ProductChangedData.model_validate(product_changed(price="1234.50"))
    wire = Envelope.wrap(EventType.PRODUCT_CHANGED, data, None).to_json()
    assert json.loads(wire)["data"]["price"] == 1234.5
    payload = decode(wire).payload()
    assert isinstance(payload, ProductChangedData)
    assert payload.price == Decimal("1234.50")


@pytest.mark.parametrize(
    ("stock", "refused"), [(0, False), (10**9, False), (-1, True), (10**9 + 1, True)]
)
def test_a_product_change_s_stock_is_bounded(stock: int, refused: bool) -> None:
    assert malformed(EventType.PRODUCT_CHANGED, product_changed(stock=stock)) is refused


# -- what a customer typed -------------------------------------------------------------------

ALIREZA = "\u0639\u0644\u06cc\u200c\u0631\u0636\u0627"  # Persian, with a zero-width non-joiner


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Ada Lovelace", "Ada Lovelace"),
        ("  Ada   Lovelace ", "Ada Lovelace"),
        ("Ada\u00a0Lovelace", "Ada Lovelace"),  # a no-break space is a space
        ("Zoë Ñúñez", "Zoë Ñúñez"),
        ("李小龍", "李小龍"),
        (ALIREZA, ALIREZA),  # Persian spells with the zero-width non-joiner
        ("क्\u200dष", "क्\u200dष"),  # and Devanagari with the zero-width joiner
        ("x" * MAX_CUSTOMER_NAME, "x" * MAX_CUSTOMER_NAME),
    ],
)
def test_a_customer_s_name_is_kept_as_typed_less_extra_spaces(typed: str, kept: str) -> None:
    assert clean_customer_text(typed) == kept


@pytest.mark.parametrize(
    "char",
    [
        *(chr(c) for c in range(0x202A, 0x202F)),  # bidi embeddings and overrides
        *(chr(c) for c in range(0x2066, 0x206A)),  # bidi isolates
        "\x00", "\t", "\n", "\r", "\x1b", "\x7f", "\x85",  # controls (Cc)
        "\u200b", "\u200e", "\u200f", "\u2060", "\ufeff", "\u00ad",  # other formats (Cf)
        "\u2028", "\u2029", "\ud800",  # line and paragraph separators, a lone surrogate
    ],
)  # fmt: skip
def test_a_customer_s_name_with_a_control_or_formatting_character_is_refused(char: str) -> None:
    with pytest.raises(ValueError, match=f"U\\+{ord(char):04X}"):
        clean_customer_text(f"Ada{char}Lovelace")
    data = {"name": f"Ada{char}Lovelace", "email": "ada@example.com"}
    assert malformed(
        EventType.ORDER_PLACED,
        {"orderID": "o-1", "items": [{"productID": "P", "quantity": 1}], "customer": data},
    )


@pytest.mark.parametrize("typed", ["", "   ", "\u00a0", "x" * (MAX_CUSTOMER_NAME + 1)])
def test_a_customer_s_name_empty_or_too_long_is_refused(typed: str) -> None:
    with pytest.raises(ValueError, match=r"empty|at most 200"):
        clean_customer_text(typed)


def test_a_longer_limit_can_be_asked_for() -> None:
    assert clean_customer_text("x" * 300, max_length=300) == "x" * 300


def placed(name: str = "Ada", email: str = "ada@example.com") -> dict[str, object]:
    return {
        "orderID": "o-1",
        "items": [{"productID": "P1", "quantity": 1}],
        "customer": {"name": name, "email": email},
    }


def test_an_order_carries_the_customer_s_name_cleaned() -> None:
    payload = Envelope(type=EventType.ORDER_PLACED, data=placed(name=" Ada  Lovelace")).payload()
    assert isinstance(payload, OrderPlacedData)
    assert payload.customer.name == "Ada Lovelace"


@pytest.mark.parametrize(
    ("email", "refused"),
    [
        ("ada@example.com", False),
        ("a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 57 + ".com", False),  # 254
        ("a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 58 + ".com", True),  # 255
        ("a" * 10_000 + "@example.com", True),
        ("ada\u202e@example.com", True),
    ],
)
def test_a_customer_s_email_is_bounded(email: str, refused: bool) -> None:
    assert malformed(EventType.ORDER_PLACED, placed(email=email)) is refused


def test_an_email_too_long_is_refused_before_it_is_parsed() -> None:
    with pytest.raises(MalformedEvent, match="at most 254 characters"):
        Envelope(type=EventType.ORDER_PLACED, data=placed(email="a" * 10_000)).payload()
