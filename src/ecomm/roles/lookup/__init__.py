"""The lookup role: product search over an in-memory index kept fresh from LookupQueue events.

Start at `build.py` (the composition root); `api.py` holds the views, `handlers.py` the events,
`taskqueue.py` why every task sees every event.
"""

from ecomm.roles.lookup.build import build

__all__ = ["build"]
