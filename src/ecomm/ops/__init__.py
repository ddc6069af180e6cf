"""Operator tools no role runs: provisioning, the catalog and its seed, dead letters, products."""
