"""Benchmarks: `make bench` runs `python -m benchmarks` (see docs/benchmarks.md)."""
