"""moto's per-request lookups of things that never change while it runs, done once.

For every request, moto's dispatcher asks which service a host names by listing moto's package
directory and testing each of its ~150 entries with `os.path.isdir`, and does so holding the
dispatcher's one lock, so all requests queue for a directory walk; then each response class
finds its own method names with `inspect.getmembers`. With 10 ms of latency per call and the
order worker's calls side by side, the two were about 6% of the emulator's CPU. The package's
directories and a handler class's functions are fixed once moto is imported and the emulator's
other patches are installed, so each answer is computed once. Installed by the emulator and
nowhere else.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from moto import backends
from moto.core import responses, utils

_moto_modules = backends.list_of_moto_modules
_method_names = utils.method_names_from_class


@functools.cache
def moto_modules() -> frozenset[str]:
    return frozenset(_moto_modules())


def list_of_moto_modules() -> Iterable[str]:
    return moto_modules()


@functools.cache
def method_names_from_class(clazz: type) -> frozenset[str]:
    # Keyed by class; the emulator's own replacements of handler methods (plain_reads) are
    # installed before its first request and keep moto's names.
    return frozenset(_method_names(clazz))


def install() -> None:
    """Answer moto's two per-request lookups from memory in this process (the emulator's only)."""
    # The dispatcher calls `backends.list_of_moto_modules()` through the module; responses
    # imported the function by name, so its own global is the one to replace.
    backends.list_of_moto_modules = list_of_moto_modules
    responses.method_names_from_class = method_names_from_class  # type: ignore[attr-defined,assignment]
