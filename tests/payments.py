"""Payment providers for tests: the real Stripe adapter on the fake Stripe (tests/stripe_fake.py),
and a provider that crashes the worker right after a step took effect."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiohttp.test_utils import TestServer

from ecomm.core.domain.payments import (
    Authorization,
    Charge,
    Payment,
    PaymentProvider,
    Step,
)
from ecomm.core.runtime.metrics import Metrics
from ecomm.core.runtime.payments import open_payments
from ecomm.core.runtime.settings import PaymentsMode, Settings
from tests.stripe_fake import FakeStripe


@asynccontextmanager
async def on_fake_stripe(
    fake: FakeStripe, metrics: Metrics | None = None
) -> AsyncIterator[PaymentProvider]:
    """`StripePayments`, as the runtime opens it, against `fake` served on 127.0.0.1."""
    async with TestServer(fake.app(), host="127.0.0.1") as server:
        settings = Settings(
            payments=PaymentsMode.STRIPE,
            stripe_secret_key="sk_test_fake",  # type: ignore[arg-type]  # noqa: S106 - a fake's
            stripe_api_base=str(server.make_url("")).rstrip("/"),
        )
        async with open_payments(settings, metrics or Metrics("test")) as provider:
            assert provider is not None
            yield provider


class WorkerCrashed(Exception):
    """The worker died right after a step took effect, before it recorded it."""


@dataclass
class CrashAfter:
    """A provider that takes `step` for real, then crashes the worker, `times` times."""

    inner: PaymentProvider
    step: Step
    times: int = 1

    @property
    def name(self) -> str:
        return self.inner.name

    def _crash(self, step: Step) -> None:
        if step is self.step and self.times > 0:
            self.times -= 1
            raise WorkerCrashed(step)

    async def card_setup(self) -> str:
        return await self.inner.card_setup()

    async def authorize(self, charge: Charge) -> Authorization:
        return await self.inner.authorize(charge)

    async def authorization(self, payment_id: str, charge: Charge) -> Authorization:
        return await self.inner.authorization(payment_id, charge)

    async def capture(self, payment: Payment, order_id: str) -> None:
        await self.inner.capture(payment, order_id)
        self._crash(Step.CAPTURE)

    async def void(self, payment: Payment, order_id: str) -> None:
        await self.inner.void(payment, order_id)
        self._crash(Step.VOID)

    async def refund(self, payment: Payment, order_id: str) -> None:
        await self.inner.refund(payment, order_id)
        self._crash(Step.REFUND)
