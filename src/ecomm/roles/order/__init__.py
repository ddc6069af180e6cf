"""The order role: consumes `OrderQueue`, reserves stock, records orders, moves them along
their lifecycle, and announces every outcome.

Start at `build.py` (the composition root); `placing.py` and `lifecycle.py` are the use cases,
`handlers.py` dispatches the queue's events to them, `api.py` answers the order API.
"""

from ecomm.roles.order.build import build

__all__ = ["build"]
