"""The bare aiohttp "hello" handler: the framework's ceiling on this machine.

    .venv/bin/python -m benchmarks.hello --port 8090

Served from its own process, like the roles, so its numbers and theirs are comparable.
"""

from __future__ import annotations

import argparse

from aiohttp import web


async def hello(_: web.Request) -> web.Response:
    return web.Response(text="Hello, world")


def app() -> web.Application:
    application = web.Application()
    application.router.add_get("/", hello)
    return application


def main() -> None:
    parser = argparse.ArgumentParser(description="serve the bare aiohttp hello handler")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    web.run_app(app(), host="127.0.0.1", port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
