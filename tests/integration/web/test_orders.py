"""The order status page and "your orders", as the order moves from PENDING to its outcome."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from tests.integration.web.storefront_fakes import FakeOrderService, FakePublisher
from tests.integration.web.web_forms import post_form

Client = TestClient[Any, Any]
ADA = {"name": "Ada Lovelace", "email": "ada@example.com"}


async def _place(client: Client, product_id: str = "p007", quantity: str = "1") -> str:
    await post_form(client, "/cart/items", {"product_id": product_id, "quantity": quantity})
    response = await post_form(client, "/checkout", ADA)
    assert response.status == 303
    return response.headers["Location"].removeprefix("/orders/")


async def test_an_order_not_yet_processed_is_pending_and_refreshes_itself(
    web_client: Client,
) -> None:
    order_id = await _place(web_client)  # nobody forwards it to the order service
    response = await web_client.get(f"/orders/{order_id}")
    assert response.status == 200
    page = await response.text()
    assert 'data-status="PENDING"' in page
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in page
    assert f'href="/orders/{order_id}">Check again</a>' in page
    status = await (await web_client.get(f"/orders/{order_id}/status.json")).json()
    assert status["status"] == "PENDING"
    assert status["final"] is False


async def test_a_confirmed_order_shows_its_items(
    web_client: Client, publisher: FakePublisher, order_service: FakeOrderService
) -> None:
    publisher.on_publish = order_service.accept
    order_id = await _place(web_client, "p007", "2")
    await order_service.settle()
    status = await (await web_client.get(f"/orders/{order_id}/status.json")).json()
    assert (status["status"], status["final"]) == ("CONFIRMED", True)
    assert status["items"] == [{"name": "Desk Lamp", "productID": "p007", "quantity": 2}]
    page = await (await web_client.get(f"/orders/{order_id}")).text()
    assert 'data-status="CONFIRMED"' in page
    assert "http-equiv" not in page
    assert "Desk Lamp</a> \u00d7 2" in page


async def test_a_rejected_order_shows_its_reason(
    web_client: Client, order_service: FakeOrderService
) -> None:
    order_service.orders["f" * 32] = {
        "orderID": "f" * 32,
        "status": "REJECTED",
        "items": [{"productID": "p009", "quantity": 3}],
        "reason": "Sorry: only 1 of “Floor Lamp” left (you asked for 3).",
    }
    page = await (await web_client.get(f"/orders/{'f' * 32}")).text()
    assert 'data-status="REJECTED"' in page
    assert "Sorry: only 1 of “Floor Lamp” left (you asked for 3)." in page
    status = await (await web_client.get(f"/orders/{'f' * 32}/status.json")).json()
    assert status["reason"] == "Sorry: only 1 of “Floor Lamp” left (you asked for 3)."


async def test_an_order_nobody_here_placed_is_not_found(web_client: Client) -> None:
    response = await web_client.get(f"/orders/{'a' * 32}")
    assert response.status == 404
    assert "We couldn&#39;t find that order." in await response.text()
    response = await web_client.get(f"/orders/{'a' * 32}/status.json")
    assert response.status == 404
    assert (await web_client.get("/orders/bad%20id")).status == 404


async def test_your_orders_lists_this_browsers_orders_newest_first(web_client: Client) -> None:
    first = await _place(web_client)
    second = await _place(web_client, "p001")
    page = await (await web_client.get("/orders")).text()
    assert page.index(second[:8]) < page.index(first[:8])
    assert page.count("Pending") == 2
