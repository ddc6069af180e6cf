"""ecomm: an open reference e-commerce platform for AWS containers."""

__version__ = "0.1.0"
