"""The embedded AWS emulator: moto in server mode, made faithful where ecomm depends on it.

Used by `python -m ecomm emulator`, `make run` and the tests alike, so what the tests prove about
concurrency and transactions holds for a laptop run too. It needs the `emulator` extra (moto);
the production image does not carry it.
"""

from ecomm.emulator.server import Emulator

__all__ = ["Emulator"]
