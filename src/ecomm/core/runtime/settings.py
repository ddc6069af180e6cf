"""The one place that reads the environment.

Everything else receives a `Settings` instance; nothing reads `os.environ` at import time.
AWS endpoint, region and credentials are deliberately *not* fields here: botocore reads
`AWS_ENDPOINT_URL`, `AWS_REGION`/`AWS_DEFAULT_REGION` and the credentials chain itself, which is
what the ECS task role relies on in production.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ecomm.core.domain.money import CURRENCIES, Currency, ShippingRule, currency_of
from ecomm.core.domain.orders import Pricing

Port = Annotated[int, Field(ge=1, le=65535)]


class Role(StrEnum):
    WEB = "web"
    LOOKUP = "lookup"
    ORDER = "order"
    ALL = "all"


class LogFormat(StrEnum):
    AUTO = "auto"  # JSON unless stderr is a terminal
    JSON = "json"
    CONSOLE = "console"


class PaymentsMode(StrEnum):
    NONE = "none"  # orders are placed without payment, as before payments existed
    STRIPE = "stripe"


STRIPE_API = "https://api.stripe.com"
STRIPE_JS = "https://js.stripe.com/v3/"


class TraceExporter(StrEnum):
    OTLP = "otlp"
    CONSOLE = "console"


class Settings(BaseSettings):
    """Process configuration, from `ECOMM_*` variables (plus botocore's own `AWS_*`)."""

    model_config = SettingsConfigDict(env_prefix="ECOMM_", frozen=True, extra="ignore")

    role: Role | None = None
    host: str = "127.0.0.1"
    web_port: Port = 8080
    lookup_port: Port = 8081
    order_port: Port = 8082
    lookup_url: str = "http://127.0.0.1:8081"
    order_url: str = "http://127.0.0.1:8082"

    # A prefix lets several stacks share one account: "dev-" gives "dev-Products".
    resource_prefix: str = ""
    aws_region: str = Field(
        default="us-east-1", validation_alias=AliasChoices("AWS_REGION", "AWS_DEFAULT_REGION")
    )
    # botocore reads it too; ecomm only looks at it to allow dummy credentials on loopback.
    aws_endpoint_url: str | None = Field(default=None, validation_alias="AWS_ENDPOINT_URL")
    # Set by the infrastructure; locally the topic is found by name (CreateTopic is idempotent).
    topic_arn: str | None = None

    log_format: LogFormat = LogFormat.AUTO
    log_level: str = "INFO"

    # CloudWatch metrics: where logs are JSON (on ECS), each role prints what it measured as
    # Embedded Metric Format lines this often and on shutdown (see runtime/emf.py); 0 prints none.
    metrics_namespace: str = Field(default="ecomm", min_length=1, max_length=255)
    metrics_interval: float = Field(default=60.0, ge=0, le=3600)

    # Traces, configured by OpenTelemetry's own variables: off unless an OTLP endpoint is set (on
    # ECS, the collector sidecar at http://127.0.0.1:4318) or OTEL_TRACES_EXPORTER says console.
    otel_traces_exporter: str = Field(default="", validation_alias="OTEL_TRACES_EXPORTER")
    otel_endpoint: str | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"
        ),
    )
    # The share of new traces recorded (a trace begun upstream keeps its caller's decision).
    trace_sample_ratio: float = Field(default=1.0, ge=0, le=1)

    # Signs the cart and CSRF cookies. The default only suits a laptop; ECS injects a real one
    # from Secrets Manager (see infra/), and the web role refuses the default outside local mode.
    cookie_secret: SecretStr = SecretStr("local-development-only-secret-change-me")
    secure_cookies: bool = False

    # Queue consumer tuning.
    visibility_timeout: int = Field(default=30, ge=0, le=43200)
    wait_time_seconds: int = Field(default=20, ge=0, le=20)
    receive_batch_size: int = Field(default=10, ge=1, le=10)
    # After a receive that did not fill a batch, wait this long before the next one, so the
    # next batch is fuller: fewer receives and deletes per message, at this much added lag.
    # Short for the order worker (a shopper waits on it), longer for lookup's read model.
    order_receive_window: float = Field(default=0.05, ge=0, le=5)
    lookup_receive_window: float = Field(default=1.0, ge=0, le=5)
    shutdown_timeout: float = Field(default=25.0, ge=0)

    # Peer HTTP calls from web: a slow lookup must give a 503 page quickly, not a hang.
    peer_timeout: float = Field(default=2.0, gt=0)

    # The web role sums each query's ProductSearched events over this window and publishes them
    # at its end, ten to an SNS call; 0 publishes each search at once.
    search_event_window: float = Field(default=2.0, ge=0, le=60)

    # Checkout is rate limited per client address: a token bucket in each web task.
    checkout_rate_per_minute: float = Field(default=10.0, gt=0)
    checkout_burst: int = Field(default=5, ge=1)
    # How many X-Forwarded-For entries our own proxies append (the ALB appends one); the client
    # address is the entry that many places from the right. 0 trusts no header at all.
    trusted_proxy_hops: int = Field(default=1, ge=0, le=5)

    # What the shop charges in, and for shipping: a flat fee, nothing from a subtotal up (empty:
    # never free). Web shows it at checkout and the order worker charges it; both read these, so
    # give every task the same values (an order shown one fee and charged another is rejected).
    currency: str = "USD"
    shipping_flat_fee: Decimal = Field(default=Decimal("4.99"), ge=0, le=10_000)
    free_shipping_from: Decimal | None = Field(default=Decimal("50.00"), ge=0, le=10**9)

    # Card payments (see README "Paying with a test card"). Unset: Stripe when a secret key is
    # configured, else none. On AWS both secrets come from Secrets Manager (infra/ecomm.yaml);
    # locally `make run` points the roles at localstripe on 127.0.0.1:`stripe_port`.
    payments: PaymentsMode | None = None
    stripe_secret_key: SecretStr | None = None
    stripe_publishable_key: str = Field(default="", max_length=255, pattern=r"^(pk_\w+)?$")
    stripe_webhook_secret: SecretStr | None = None
    # Where the Stripe API (and, beside it, the page's Stripe.js) is served; unset: Stripe's own.
    stripe_api_base: str | None = None
    stripe_port: Port = 8420
    payment_timeout: float = Field(default=10.0, gt=0, le=80)

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        currency_of(value)  # UnknownCurrency is a ValueError: a clear line, exit 2
        return value

    @field_validator("free_shipping_from", mode="before")
    @classmethod
    def _empty_is_never(cls, value: object) -> object:
        return None if value == "" else value

    @model_validator(mode="after")
    def _amounts_in_minor_units(self) -> Settings:
        currency = CURRENCIES[self.currency]
        for name in ("shipping_flat_fee", "free_shipping_from"):
            amount = getattr(self, name)
            if amount is not None and not currency.is_exact(amount):
                raise ValueError(f"{name} must be a whole number of {currency.code} minor units")
        return self

    @model_validator(mode="after")
    def _payments_configured(self) -> Settings:
        if self.payments is PaymentsMode.STRIPE and self.stripe_secret_key is None:
            raise ValueError("payments=stripe needs a secret key (ECOMM_STRIPE_SECRET_KEY)")
        return self

    @property
    def payment_provider(self) -> PaymentsMode:
        if self.payments is not None:
            return self.payments
        return PaymentsMode.NONE if self.stripe_secret_key is None else PaymentsMode.STRIPE

    @property
    def stripe_js_url(self) -> str:
        """The Stripe.js the checkout page loads: Stripe's, or the one beside a local API."""
        if self.stripe_api_base is None:
            return STRIPE_JS
        return f"{self.stripe_api_base.rstrip('/')}/js.stripe.com/v3/"

    @property
    def pricing(self) -> Pricing:
        return Pricing(
            self.shop_currency, ShippingRule(self.shipping_flat_fee, self.free_shipping_from)
        )

    @property
    def shop_currency(self) -> Currency:
        return CURRENCIES[self.currency]

    @property
    def trace_exporters(self) -> frozenset[TraceExporter]:
        """Where spans go: nowhere unless configured."""
        named = {n.strip().lower() for n in self.otel_traces_exporter.split(",") if n.strip()}
        if "none" in named:
            return frozenset()
        chosen = {TraceExporter(n) for n in named if n in TraceExporter.__members__.values()}
        if not named and self.otel_endpoint:
            chosen.add(TraceExporter.OTLP)
        return frozenset(chosen)

    @property
    def uses_local_emulator(self) -> bool:
        host = urlsplit(self.aws_endpoint_url or "").hostname or ""
        return host in {"127.0.0.1", "localhost", "::1"}

    def port_of(self, role: str) -> int:
        ports = {
            Role.WEB: self.web_port,
            Role.LOOKUP: self.lookup_port,
            Role.ORDER: self.order_port,
        }
        return ports[Role(role)]

    def resource_name(self, base: str) -> str:
        return f"{self.resource_prefix}{base}"
