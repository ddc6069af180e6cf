"""The web role's composition root: the storefront on the runtime's publisher and topic.

It consumes no queue: it publishes searches and orders, and reads lookup and order over HTTP.
"""

from __future__ import annotations

from ecomm.core.runtime.bootstrap import Built, Runtime
from ecomm.core.runtime.settings import PaymentsMode, Settings
from ecomm.roles.web.app import WebDeps, create_app

_DEFAULT_SECRET = Settings.model_fields["cookie_secret"].default.get_secret_value()
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class RefusedSettings(RuntimeError):
    """Settings web will not start with: a published secret in production, or a card form
    that could never work."""


def check_cookie_secret(settings: Settings) -> None:
    local = settings.uses_local_emulator or settings.host in _LOOPBACK
    if settings.cookie_secret.get_secret_value() == _DEFAULT_SECRET and not local:
        raise RefusedSettings(
            "ECOMM_COOKIE_SECRET is the built-in development default; set a real secret "
            "(the infrastructure injects one from Secrets Manager)."
        )


def check_payment_settings(settings: Settings) -> None:
    if settings.payment_provider is PaymentsMode.STRIPE and not settings.stripe_publishable_key:
        raise RefusedSettings(
            "card payments are on but ECOMM_STRIPE_PUBLISHABLE_KEY is empty: the checkout's "
            "card form needs it (or set ECOMM_PAYMENTS=none)"
        )


async def build(rt: Runtime) -> Built:
    check_cookie_secret(rt.settings)
    check_payment_settings(rt.settings)

    async def topic_answers() -> None:
        await rt.aws.sns.get_topic_attributes(TopicArn=rt.topic_arn)

    deps = WebDeps(
        publisher=rt.publisher,
        metrics=rt.metrics,
        checks={"topic": topic_answers},
        payments=rt.payments,
    )
    return Built(create_app(rt.settings, deps))
