"""The emulator's cheap SQS clock tells the same time as moto's own."""

from __future__ import annotations

import datetime
import time

import pytest
from moto.core.utils import unix_time, unix_time_millis
from moto.sqs import models as sqs_models

from ecomm.emulator import sqs_clock

# moto's own check, kept before any emulator in this process installs the replacement.
moto_retention_check = sqs_models.SQSBackend.is_message_valid_based_on_retention_period


def test_the_cheap_clock_is_the_epoch_time_moto_would_compute() -> None:
    assert sqs_clock.unix_time() == pytest.approx(unix_time(), abs=0.05)
    assert sqs_clock.unix_time_millis() == pytest.approx(unix_time_millis(), abs=50)
    assert sqs_clock.unix_time() == pytest.approx(time.time(), abs=0.05)


def test_an_explicit_datetime_is_still_converted_by_moto() -> None:
    moment = datetime.datetime(2026, 1, 1, 12, 0, 0)
    assert sqs_clock.unix_time(moment) == unix_time(moment)
    assert sqs_clock.unix_time_millis(moment) == unix_time_millis(moment)


def test_the_retention_check_keeps_what_moto_keeps_and_drops_what_it_drops() -> None:
    backend = sqs_models.sqs_backends["123456789012"]["us-east-1"]
    backend.create_queue("retention-check", MessageRetentionPeriod="60")
    try:
        fresh = backend.send_message("retention-check", "fresh")
        old = backend.send_message("retention-check", "old")
        old.sent_timestamp = int((time.time() - 61) * 1000)
        for message in (fresh, old):
            assert sqs_clock.is_message_valid_based_on_retention_period(
                backend, "retention-check", message
            ) == moto_retention_check(backend, "retention-check", message)
        assert sqs_clock.is_message_valid_based_on_retention_period(
            backend, "retention-check", fresh
        )
        assert not sqs_clock.is_message_valid_based_on_retention_period(
            backend, "retention-check", old
        )
    finally:
        backend.delete_queue("retention-check")
