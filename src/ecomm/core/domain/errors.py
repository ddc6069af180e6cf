"""The errors the domain and its adapters name."""

from __future__ import annotations


class DomainError(Exception):
    """Base of the errors the domain and its adapters name."""


class TransientError(DomainError):
    """A failure worth retrying: throttling, a transaction conflict, an unreachable endpoint."""
