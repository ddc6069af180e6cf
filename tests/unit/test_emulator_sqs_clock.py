"""The emulator's cheap SQS clock tells the same time as moto's own."""

from __future__ import annotations

import datetime
import time

import pytest
from moto.core.utils import unix_time, unix_time_millis

from ecomm.emulator import sqs_clock


def test_the_cheap_clock_is_the_epoch_time_moto_would_compute() -> None:
    assert sqs_clock.unix_time() == pytest.approx(unix_time(), abs=0.05)
    assert sqs_clock.unix_time_millis() == pytest.approx(unix_time_millis(), abs=50)
    assert sqs_clock.unix_time() == pytest.approx(time.time(), abs=0.05)


def test_an_explicit_datetime_is_still_converted_by_moto() -> None:
    moment = datetime.datetime(2026, 1, 1, 12, 0, 0)
    assert sqs_clock.unix_time(moment) == unix_time(moment)
    assert sqs_clock.unix_time_millis(moment) == unix_time_millis(moment)
