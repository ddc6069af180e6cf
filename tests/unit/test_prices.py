"""The benchmark's dollars: measured calls and CPU times published unit prices."""

from __future__ import annotations

from decimal import Decimal

from benchmarks.prices import dynamodb_units, per_million, transaction_write_units


def test_an_order_transaction_writes_the_order_and_each_line_twice_over() -> None:
    assert transaction_write_units(1) == 6  # 2 x (2 KB order + 1 KB product)
    assert transaction_write_units(3) == 10
    assert dynamodb_units("TransactWriteItems", 2, lines=1) == (0, 12)
    assert dynamodb_units("GetItem", 5) == (5, 0)
    assert dynamodb_units("BatchGetItem", 1, keys_read=7) == (7, 0)


def test_a_million_orders_cost_their_units_requests_and_cpu() -> None:
    calls = {
        ("sns", "Publish"): 1.0,
        ("sns", "PublishBatch"): 0.1,
        ("dynamodb", "TransactWriteItems"): 1.0,
        ("dynamodb", "BatchGetItem"): 0.1,
        ("sqs", "ReceiveMessage"): 0.5,
        ("sqs", "DeleteMessageBatch"): 0.5,
    }
    cost = per_million(calls, cpu_seconds=0.036, lines=1, keys_read=1.0)
    # 6 WRU x $0.625/M + 1 RRU x $0.125/M, per order
    assert cost.dynamodb == Decimal("3.875")
    assert cost.sns == Decimal("0.55")  # 1.1 publishes x $0.50/M
    assert cost.sqs == Decimal("0.40")  # 1 request x $0.40/M
    # 36 ms of a busy 1 vCPU, 2 GB task: 0.00001 h x ($0.04048 + 2 x $0.004445) per hour
    assert cost.compute.quantize(Decimal("0.001")) == Decimal("0.494")
    assert cost.total == cost.dynamodb + cost.sns + cost.sqs + cost.compute


def test_nothing_measured_costs_nothing() -> None:
    assert per_million({}, cpu_seconds=0).total == 0
