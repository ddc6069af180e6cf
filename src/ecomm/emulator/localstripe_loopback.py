"""Runs localstripe (the fake Stripe server) in a process of its own, on 127.0.0.1 only.

localstripe is GPL-licensed, so no ecomm process imports it: this file is started by path as
its own interpreter (`python localstripe_loopback.py --port N`) and imports nothing of ecomm.
It exists because localstripe's own command cannot be contained:

- `python -m localstripe` binds `[::]` (every interface, IPv4 too) and has no host option, so
  here its aiohttp application is served on 127.0.0.1 instead;
- its store is pickled to the fixed path /tmp/localstripe.pickle after every write (TMPDIR does
  not move it, `--from-scratch` only skips reading it), where two instances, or two users,
  would share it. Here the store lives in memory, or in the file `--store` names.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--store", type=Path, help="keep the store in this file (default: none)")
    args = parser.parse_args()

    from aiohttp import web  # noqa: PLC0415 - after the arguments: a usage error imports nothing
    from localstripe import resources, server  # type: ignore[import-untyped]  # noqa: PLC0415

    store_file: Path | None = args.store

    def load(store: dict[str, Any]) -> None:
        if store_file is None:
            return
        with contextlib.suppress(FileNotFoundError):
            # Our own file, written below by this same program: not input from anyone else.
            kept = pickle.loads(store_file.read_bytes())  # noqa: S301
            store.clear()
            store.update(kept)

    def dump(store: dict[str, Any]) -> None:
        if store_file is None:
            return
        # Whole or not at all: a stop in the middle of a write never leaves half a store.
        fd, partial = tempfile.mkstemp(dir=store_file.parent, prefix=".localstripe-")
        with os.fdopen(fd, "wb") as out:
            pickle.dump(dict(store), out, protocol=pickle.HIGHEST_PROTOCOL)
        Path(partial).replace(store_file)

    resources.Store.try_load_from_disk = load
    resources.Store.dump_to_disk = dump
    load(resources.store)
    web.run_app(server.app, host="127.0.0.1", port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
