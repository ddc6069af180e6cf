"""The web role: the storefront people use, in HTML that works with and without JavaScript.

Start at `build.py` (the composition root) and `app.py` (routes, middlewares, what views use).
"""

from ecomm.roles.web.build import build

__all__ = ["build"]
