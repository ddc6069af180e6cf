"""The order pages and what a shopper does with an order: from PENDING to its outcome, the lines
with prices and totals, the address and timeline, cancelling, and orders the shop cannot find."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from aiohttp.test_utils import TestClient

from ecomm.core.contracts.events import EventType
from ecomm.core.domain.orders import Order, OrderLine, OrderStatus
from ecomm.roles.web.order_history import ORDERS_COOKIE, PENDING_FOR, OrderHistoryCodec, Placed
from tests.integration.web.storefront_fakes import FakeCatalog, FakeOrderService, FakePublisher
from tests.integration.web.web_forms import ADA, SIGNING_KEY, csrf_token, post_form

Client = TestClient[Any, Any]


async def _place(client: Client, product_id: str = "p007", quantity: str = "1") -> str:
    await post_form(client, "/cart/items", {"product_id": product_id, "quantity": quantity})
    response = await post_form(client, "/checkout", ADA)
    assert response.status == 303
    return response.headers["Location"].removeprefix("/orders/")


async def _placed_and_processed(
    client: Client, publisher: FakePublisher, service: FakeOrderService, *lines: tuple[str, str]
) -> str:
    publisher.on_publish = service.accept
    for product_id, quantity in lines[:-1]:
        await post_form(client, "/cart/items", {"product_id": product_id, "quantity": quantity})
    order_id = await _place(client, *lines[-1])
    await service.settle()
    return order_id


def _remember(client: Client, *placed: Placed) -> None:
    value = OrderHistoryCodec(SIGNING_KEY).encode(list(placed))
    client.session.cookie_jar.update_cookies({ORDERS_COOKIE: value}, client.make_url("/"))


async def test_an_order_not_yet_processed_is_pending_and_refreshes_itself(
    web_client: Client,
) -> None:
    order_id = await _place(web_client)  # nobody forwards it to the order service
    response = await web_client.get(f"/orders/{order_id}")
    assert response.status == 200
    page = await response.text()
    assert 'data-status="PENDING" data-final="false"' in page
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in page
    assert f'href="/orders/{order_id}">Check again</a>' in page
    status = await (await web_client.get(f"/orders/{order_id}/status.json")).json()
    assert (status["status"], status["final"]) == ("PENDING", False)


async def test_an_order_placed_here_long_ago_that_the_shop_does_not_know_is_not_found(
    web_client: Client,
) -> None:
    # As after the local emulator was reset: the cookie remembers it, the shop does not.
    lost, fresh = "a" * 32, "b" * 32
    long_ago = int(time.time()) - PENDING_FOR - 60
    _remember(web_client, Placed(fresh, int(time.time())), Placed(lost, long_ago))
    response = await web_client.get(f"/orders/{lost}")
    assert response.status == 404
    assert "We can&#39;t find this order. It was placed from this browser" in await response.text()
    assert (await web_client.get(f"/orders/{lost}/status.json")).status == 404
    page = await (await web_client.get("/orders")).text()
    assert page.count("Not found") == 1  # the lost one; the fresh one is still pending
    assert page.count(">Pending<") == 1


async def test_a_confirmed_order_shows_prices_totals_address_and_timeline(
    web_client: Client, publisher: FakePublisher, order_service: FakeOrderService
) -> None:
    order_id = await _placed_and_processed(
        web_client, publisher, order_service, ("p001", "1"), ("p007", "2")
    )
    status = await (await web_client.get(f"/orders/{order_id}/status.json")).json()
    assert (status["status"], status["final"]) == ("CONFIRMED", True)
    assert status["items"][1] == {
        "name": "Desk Lamp",
        "productID": "p007",
        "quantity": 2,
        "unitPrice": "26.99",
        "lineTotal": "53.98",
    }
    assert (status["subtotal"], status["shipping"], status["total"]) == ("62.97", "0.00", "62.97")
    page = await (await web_client.get(f"/orders/{order_id}")).text()
    assert 'data-status="CONFIRMED" data-final="true"' in page
    assert "http-equiv" not in page
    assert "Desk Lamp</a> \u00d7 2</span>" in page
    assert '<span class="muted">at $26.99</span>' in page
    assert '<div class="total"><dt>Total</dt><dd>$62.97</dd>' in page
    assert "Free</dd>" in page  # shipping
    assert "12 Analytical Row<br>" in page
    assert "N1 9GU London<br>" in page
    assert "United Kingdom" in page
    assert page.count('<span class="timeline-status">') == 2  # placed (pending), confirmed
    assert ">Cancel order</button>" in page


async def test_your_orders_lists_date_items_total_and_status_newest_first(
    web_client: Client, publisher: FakePublisher, order_service: FakeOrderService
) -> None:
    first = await _placed_and_processed(web_client, publisher, order_service, ("p001", "2"))
    publisher.on_publish = None
    second = await _place(web_client, "p007")
    page = await (await web_client.get("/orders")).text()
    assert page.index(second[:8]) < page.index(first[:8])
    assert ">Pending<" in page
    assert ">Confirmed<" in page
    assert '<span class="orders-total">$22.97</span>' in page  # 2 x $8.99 + $4.99 shipping
    assert "2 items" in page
    assert " UTC</time>" in page


async def test_cancelling_a_confirmed_order_gives_its_stock_back(
    web_client: Client,
    publisher: FakePublisher,
    order_service: FakeOrderService,
    catalog: FakeCatalog,
) -> None:
    stock = catalog.products["p007"].stock
    order_id = await _placed_and_processed(web_client, publisher, order_service, ("p007", "2"))
    assert catalog.products["p007"].stock == stock - 2

    token = await csrf_token(web_client, f"/orders/{order_id}")
    cancel = await web_client.post(
        f"/orders/{order_id}/cancel", data={"csrf_token": token}, allow_redirects=False
    )
    assert (cancel.status, cancel.headers["Location"]) == (
        303,
        f"/orders/{order_id}?cancel=requested",
    )
    assert publisher.published[-1].type is EventType.CANCEL_ORDER
    assert publisher.published[-1].data["orderID"] == order_id
    await order_service.settle()

    assert catalog.products["p007"].stock == stock
    page = await (await web_client.get(f"/orders/{order_id}?cancel=requested")).text()
    assert 'data-status="CANCELLED" data-final="true"' in page
    assert "Cancel order" not in page
    assert "Cancelled at the customer&#39;s request." in page
    # Asked again (a second tab): nothing to cancel, nothing published.
    again = await web_client.post(
        f"/orders/{order_id}/cancel", data={"csrf_token": token}, allow_redirects=False
    )
    assert again.headers["Location"] == f"/orders/{order_id}"
    assert [e.type for e in publisher.published].count(EventType.CANCEL_ORDER) == 1


async def test_while_the_cancel_is_on_its_way_the_page_says_so_and_keeps_refreshing(
    web_client: Client, publisher: FakePublisher, order_service: FakeOrderService
) -> None:
    order_id = await _placed_and_processed(web_client, publisher, order_service, ("p007", "1"))
    publisher.on_publish = None  # the worker has not applied it yet
    token = await csrf_token(web_client, f"/orders/{order_id}")
    await web_client.post(f"/orders/{order_id}/cancel", data={"csrf_token": token})
    page = await (await web_client.get(f"/orders/{order_id}?cancel=requested")).text()
    assert 'data-status="CONFIRMED" data-final="false"' in page
    assert "We&#39;re cancelling your order…" in page
    assert "status.json?cancel=requested" in page
    assert "Cancel order</button>" not in page


async def test_only_the_browser_that_placed_an_order_may_cancel_it_or_see_its_address(
    web_client: Client,
    make_web: Any,
    publisher: FakePublisher,
    order_service: FakeOrderService,
) -> None:
    order_id = await _placed_and_processed(web_client, publisher, order_service, ("p007", "1"))
    stranger = await make_web()
    page = await (await stranger.get(f"/orders/{order_id}")).text()
    assert 'data-status="CONFIRMED"' in page
    assert "Analytical Row" not in page
    assert "Cancel order" not in page
    token = await csrf_token(stranger)
    refused = await stranger.post(
        f"/orders/{order_id}/cancel", data={"csrf_token": token}, allow_redirects=False
    )
    assert refused.status == 404
    assert EventType.CANCEL_ORDER not in [e.type for e in publisher.published]


async def test_a_price_changed_before_the_worker_rejects_the_order_and_the_cart_comes_back(
    web_client: Client,
    publisher: FakePublisher,
    order_service: FakeOrderService,
    catalog: FakeCatalog,
) -> None:
    stock = catalog.products["p007"].stock
    order_id = await _place(web_client, "p007", "1")  # held: not yet at the worker
    catalog.change("p007", price=Decimal("29.99"))
    order_service.accept(publisher.published[-1])
    await order_service.settle()

    page = await (await web_client.get(f"/orders/{order_id}")).text()
    assert 'data-status="REJECTED"' in page
    assert "Sorry: the price of “Desk Lamp” changed from $26.99 to $29.99." in page
    assert catalog.products["p007"].stock == stock  # nothing reserved
    token = await csrf_token(web_client, f"/orders/{order_id}")
    back = await web_client.post(
        f"/orders/{order_id}/cart", data={"csrf_token": token}, allow_redirects=False
    )
    assert back.headers["Location"] == "/cart"
    cart = await (await web_client.get("/cart")).text()
    assert "$29.99 each" in cart


async def test_an_order_recorded_before_prices_still_shows(
    web_client: Client, order_service: FakeOrderService
) -> None:
    old = Order(
        "c" * 32,
        OrderStatus.CONFIRMED,
        (OrderLine("p009", 3),),
        createdAt="2026-01-02T03:04:05.000Z",
        updatedAt="2026-01-02T03:04:06.000Z",
    )
    order_service.orders[old.orderID] = old
    response = await web_client.get(f"/orders/{old.orderID}")
    assert response.status == 200
    page = await response.text()
    assert "Floor Lamp</a> \u00d7 3" in page  # the catalog's name for an unnamed line
    assert '<span class="order-item-total">—</span>' in page
    assert "Subtotal" not in page
    assert "2 Jan 2026, 03:04 UTC" in page  # its one known status change
    status = await (await web_client.get(f"/orders/{old.orderID}/status.json")).json()
    assert status["items"][0]["unitPrice"] is None
    assert status["total"] is None


async def test_an_order_nobody_here_placed_is_not_found(web_client: Client) -> None:
    response = await web_client.get(f"/orders/{'a' * 32}")
    assert response.status == 404
    assert "We couldn&#39;t find that order." in await response.text()
    response = await web_client.get(f"/orders/{'a' * 32}/status.json")
    assert response.status == 404
    assert (await web_client.get("/orders/bad%20id")).status == 404
