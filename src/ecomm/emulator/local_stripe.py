"""localstripe beside the AWS emulator: a fake, stateful Stripe API on 127.0.0.1, in its own
process.

localstripe is GPL-licensed, so it never runs inside an ecomm process: `localstripe_loopback.py`
(which imports nothing of ecomm) runs it as a child interpreter, bound to 127.0.0.1 only and
with its store in memory or in the file named (see that file for why `python -m localstripe`
itself cannot be contained). The roles reach it as they would reach Stripe, through the
`stripe` package, with the test keys below; its Stripe.js stand-in is served beside the API.

    LocalStripe(port).start() ─> child process ─> answers /js.stripe.com/v3/ ─> ready
    .webhook(url) ─> it signs payment_intent.succeeded / .payment_failed to `url` (one attempt)
    .stop() ─> SIGTERM, then SIGKILL after a few seconds
"""

from __future__ import annotations

import errno
import importlib.util
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

LAUNCHER = Path(__file__).with_name("localstripe_loopback.py")
# Test keys: localstripe accepts any key of the right shape; these never reach Stripe.
SECRET_KEY = "sk_test_ecomm_local"  # noqa: S105 - a local test server's
PUBLISHABLE_KEY = "pk_test_ecomm_local"
WEBHOOK_SECRET = "whsec_ecomm_local"  # noqa: S105 - a local test server's, printed on purpose
WEBHOOK_EVENTS = ("payment_intent.succeeded", "payment_intent.payment_failed")
START_TIMEOUT = 20.0
STOP_TIMEOUT = 5.0


class LocalStripeFailed(RuntimeError):
    """localstripe could not be started (not installed, or it ended at once)."""


@dataclass
class LocalStripe:
    port: int
    store: Path | None = None  # keep its objects in this file across restarts
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LocalStripe:
        args = [sys.executable, str(LAUNCHER), "--port", str(self.port)]
        if self.store is not None:
            args += ["--store", str(self.store)]
        self._process = subprocess.Popen(  # noqa: S603 - this interpreter, our launcher
            args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + START_TIMEOUT
        while not self._answers():
            if self._process.poll() is not None:
                error = (self._process.stderr.read() if self._process.stderr else b"").decode()
                raise LocalStripeFailed(f"localstripe ended at once: {error.strip()[-300:]}")
            if time.monotonic() > deadline:
                self.stop()
                raise LocalStripeFailed(f"localstripe did not answer within {START_TIMEOUT:.0f} s")
            time.sleep(0.05)
        return self

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/js.stripe.com/v3/", timeout=1) as answer:  # noqa: S310 - loopback
                return bool(answer.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def webhook(self, url: str, secret: str = WEBHOOK_SECRET) -> None:
        """Have localstripe sign and send the payment events to `url`."""
        body = json.dumps({"url": url, "secret": secret, "events": list(WEBHOOK_EVENTS)})
        request = urllib.request.Request(  # noqa: S310 - loopback
            f"{self.url}/_config/webhooks/ecomm",
            data=body.encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=5):  # noqa: S310 - loopback
            pass

    def role_env(self) -> dict[str, str]:
        """What a role needs to pay through this server."""
        return role_env(self.port)

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()


def role_env(port: int) -> dict[str, str]:
    """What a role needs to pay through localstripe on `port`."""
    return {
        "ECOMM_PAYMENTS": "stripe",
        "ECOMM_STRIPE_API_BASE": f"http://127.0.0.1:{port}",
        "ECOMM_STRIPE_SECRET_KEY": SECRET_KEY,
        "ECOMM_STRIPE_PUBLISHABLE_KEY": PUBLISHABLE_KEY,
        "ECOMM_STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
    }


def available() -> bool:
    """Whether localstripe is installed (looked up, not imported: it is GPL)."""
    return importlib.util.find_spec("localstripe") is not None


def port_taken(port: int) -> bool:
    """Whether something holds `port` on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return True
            raise
    return False
