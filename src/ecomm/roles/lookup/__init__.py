"""The lookup role: product search over an in-memory index kept fresh from LookupQueue events.

Start at `service.py` (the composition root); `index.py` and `search.py` hold the search,
`handlers.py` the events, `taskqueue.py` why every task sees every event.
"""

from ecomm.roles.lookup.service import serve

__all__ = ["serve"]
