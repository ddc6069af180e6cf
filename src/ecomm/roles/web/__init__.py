"""The web role: the storefront people use, in HTML that works with and without JavaScript."""

from ecomm.roles.web.app import create_app
from ecomm.roles.web.bootstrap import serve
from ecomm.roles.web.shop import WebDeps

__all__ = ["WebDeps", "create_app", "serve"]
