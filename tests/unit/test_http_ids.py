from __future__ import annotations

import re

from ecomm.core.runtime.http import new_request_id

SAFE = re.compile(r"^[0-9a-f]{32}$")


def test_request_ids_are_unique_and_safe_to_echo() -> None:
    ids = [new_request_id() for _ in range(10_000)]
    assert len(set(ids)) == len(ids)
    assert all(SAFE.match(i) for i in ids)
