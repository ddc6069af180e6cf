"""moto's server, wrapped: loopback only, DynamoDB requests serialised, every call recorded.

moto's threaded server runs each request on its own thread with no locking in the DynamoDB
backend, so two concurrent conditional writes on one item can both pass. Real DynamoDB makes
each request atomic; a lock around DynamoDB requests restores that here.

An optional `latency` (seconds) delays every AWS call before it runs, outside that lock: AWS
answers in ~5-20 ms and serves many requests at once, while moto answers in ~1-3 ms one DynamoDB
request at a time; with the delay the local picture of "calls in series vs in parallel" is
AWS's.

Every call is recorded by caller, operation and resource (`calls.py`): counted since the last
reset at `/_ecomm/calls` (what the benchmarks report as "AWS calls"), and kept for the whole run
in `ledger`, which the IAM test holds against the task roles of infra/ecomm.yaml.
"""

from __future__ import annotations

import io
import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

from ecomm.emulator import dispatch, plain_reads, sqs_clock, transactions
from ecomm.emulator.calls import Call, calls_of, parameters, signature

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

CALLS_PATH = "/_ecomm/calls"
READY_PATH = "/_ecomm/ready"


def _calls(environ: dict[str, Any]) -> list[Call]:
    """What one request does, read from its signature, target header and parameters."""
    sig = signature(environ.get("HTTP_AUTHORIZATION", ""))
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    # Put the body back for moto, which reads it again.
    environ["wsgi.input"] = io.BytesIO(body)
    params = parameters(body, environ.get("CONTENT_TYPE", ""))
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    operation = target.rsplit(".", 1)[-1] if target else str(params.get("Action", ""))
    operation = operation or environ.get("REQUEST_METHOD", "?")
    return list(calls_of(sig, operation, params)) or [Call(sig.caller, sig.service, operation, "*")]


class FaithfulMiddleware:
    def __init__(
        self, app: WsgiApp, *, latency: float = 0.0, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self._app = app
        self.latency = latency  # seconds added to every AWS call
        self._sleep = sleep
        self._dynamodb_lock = threading.Lock()
        self.counts_lock = threading.Lock()
        self.counts: Counter[Call] = Counter()
        # Every kind of call since start; a reset of the counts leaves it whole.
        self.ledger: set[Call] = set()
        # Set once provisioned and seeded, so `make run` starts the roles on a complete catalog.
        self.ready = threading.Event()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == CALLS_PATH:
            return self._calls_endpoint(environ, start_response)
        if environ.get("PATH_INFO") == READY_PATH:
            status = "200 OK" if self.ready.is_set() else "503 Service Unavailable"
            start_response(status, [("Content-Type", "text/plain")])
            return [status.encode()]
        calls = _calls(environ)
        with self.counts_lock:
            # A batch over two tables is one request: count it once, record both resources.
            self.counts[calls[0]] += 1
            self.counts.update(dict.fromkeys(calls[1:], 0))
            self.ledger.update(calls)
        if self.latency > 0:
            # On this request's own thread, before any lock: concurrent calls wait side by side.
            self._sleep(self.latency)
        if calls[0].service != "dynamodb":
            return self._app(environ, start_response)
        with self._dynamodb_lock:
            # Materialise the body inside the lock: the backend work happens while it is built.
            return [b"".join(self._app(environ, start_response))]

    def _calls_endpoint(
        self, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        with self.counts_lock:
            if environ.get("REQUEST_METHOD") == "DELETE":
                self.counts.clear()
            body = json.dumps([c.as_json() | {"count": n} for c, n in self.counts.items()]).encode()
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body]


class Emulator:
    """moto in server mode on 127.0.0.1, in a background thread of this process.

    `pause()` and `resume()` stop and restart the listener while keeping every table, topic and
    queue, which is how tests show the roles riding out an unreachable endpoint.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 4566) -> None:
        from moto.moto_server.werkzeug_app import (  # noqa: PLC0415 - moto is an optional extra
            DomainDispatcherApplication,
            create_backend_app,
        )

        self._host = host
        self._port = port
        self.middleware = FaithfulMiddleware(DomainDispatcherApplication(create_backend_app))
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self._port}"

    @property
    def port(self) -> int:
        return self._port

    def start(self) -> Emulator:
        transactions.install()
        sqs_clock.install()
        plain_reads.install()
        dispatch.install()
        self._listen()
        return self

    def _listen(self) -> None:
        from moto.moto_server.werkzeug_app import MotoRequestHandler  # noqa: PLC0415

        class QuietHandler(MotoRequestHandler):
            # One line per AWS call would drown the shop's own logs; /_ecomm/calls counts them.
            def log_request(self, *args: Any, **kwargs: Any) -> None:
                pass

        # Bound here, not by werkzeug, which prints two lines and exits when the port is taken:
        # an OSError lets the command say so in one.
        listener = socket.create_server((self._host, self._port))
        try:
            self._server = make_server(
                self._host,
                self._port,
                self.middleware,
                threaded=True,
                request_handler=QuietHandler,
                fd=listener.fileno(),
            )
        finally:
            listener.close()  # the server holds its own duplicate
        self._port = self._server.port  # port 0 means "any free port"
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="emulator", daemon=True
        )
        self._thread.start()

    def pause(self) -> None:
        """Stop answering (connections are refused) but keep all state."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def resume(self) -> None:
        self._listen()

    def stop(self) -> None:
        self.pause()

    def calls(self) -> Counter[tuple[str, str]]:
        """Requests since the last reset, by (service, operation)."""
        with self.middleware.counts_lock:
            counts = list(self.middleware.counts.items())
        counted: Counter[tuple[str, str]] = Counter()
        for call, n in counts:
            counted[(call.service, call.operation)] += n
        return counted

    def reset_calls(self) -> None:
        with self.middleware.counts_lock:
            self.middleware.counts.clear()

    def ledger(self) -> set[Call]:
        """Every kind of call made since the emulator started, by whom, on what."""
        with self.middleware.counts_lock:
            return set(self.middleware.ledger)
