"""The shop's static files, read once at start and served from memory.

A handful of small files (a stylesheet, a script, icons) that never change under a running
process: reading them at start means no filesystem path is ever built from a request, and an
unknown name is the shop's own 404 page (aiohttp's static handler answers a missing file with
an empty body of its own). Each answer carries an ETag, so a browser revalidates cheaply.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

STATIC_DIR = Path(__file__).parent / "static"
MAX_AGE = 3600
_TYPES = {".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml"}


@dataclass(frozen=True)
class StaticFile:
    body: bytes
    content_type: str
    etag: str


def load(directory: Path = STATIC_DIR) -> dict[str, StaticFile]:
    """Every file under `directory`, by its path relative to it ("icons/kettle.svg")."""
    files: dict[str, StaticFile] = {}
    for path in sorted(directory.rglob("*")):
        if not path.is_file():
            continue
        body = path.read_bytes()
        kind = _TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0]
        files[path.relative_to(directory).as_posix()] = StaticFile(
            body, kind or "application/octet-stream", f'"{hashlib.sha256(body).hexdigest()[:32]}"'
        )
    return files


def static_route(files: dict[str, StaticFile]) -> web.RouteDef:
    """`GET /static/{name}`: a known file, or `HTTPNotFound` for any other name."""

    async def serve(request: web.Request) -> web.Response:
        found = files.get(request.match_info["name"])
        if found is None:
            raise web.HTTPNotFound(text="There is no such file.")
        headers = {"ETag": found.etag, "Cache-Control": f"public, max-age={MAX_AGE}"}
        if found.etag in request.headers.get("If-None-Match", ""):
            return web.Response(status=304, headers=headers)
        return web.Response(body=found.body, content_type=found.content_type, headers=headers)

    return web.get("/static/{name:.+}", serve)
