"""The order role: consumes `OrderQueue`, reserves stock, records and announces outcomes.

Start at `build.py` (the composition root); `placing.py` is the use case.
"""

from ecomm.roles.order.build import build

__all__ = ["build"]
