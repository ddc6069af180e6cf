"""`ecomm loadgen`: simulated shoppers against one shop URL, with a summary and an exit code.

    shopper ─> home ─> search ─> product ─> add to cart ─> checkout ─> order status until final
                 (a random walk with think time; see `journey.MIX`)

Bounded in time (`--duration`) and in requests (`--max-requests`); it only ever talks to the
origin it was given, and refuses a non-loopback one unless told `--allow-remote`.
"""

from ecomm.loadgen.runner import run

__all__ = ["run"]
