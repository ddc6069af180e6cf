"""Fakes the web role runs against in tests: lookup and order as in-memory HTTP services, and an
event publisher behind the `EventPublisher` protocol.

They speak the same HTTP contracts as the real services, so the web role's own clients (peers)
are exercised for real; a contract test checks each against the real service.
"""

from __future__ import annotations

from tests.fakes import FakePublisher
from tests.integration.web.order_service_fake import FakeOrderService
from tests.integration.web.storefront_catalog import FakeCatalog, seeded_products

__all__ = ["FakeCatalog", "FakeOrderService", "FakePublisher", "seeded_products"]
