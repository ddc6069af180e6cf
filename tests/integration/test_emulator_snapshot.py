"""The local shop kept across restarts: saved on a clean stop, restored into a fresh stack."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from ecomm.core.adapters.orders_table import OrderRepository
from ecomm.core.adapters.products_table import ProductRepository
from ecomm.core.contracts.resources import QUEUES, TABLES
from ecomm.core.domain.orders import Order, OrderLine, OrderStatus
from ecomm.core.domain.products import Product
from ecomm.core.runtime.bootstrap import Runtime
from ecomm.core.runtime.settings import Settings
from ecomm.emulator import snapshot
from ecomm.ops.provision import provision


async def _forget_everything(rt: Runtime, settings: Settings) -> None:
    """What a restart does to the emulator: nothing left, then provisioned afresh."""
    for table in TABLES:
        await rt.aws.dynamodb.delete_table(TableName=rt.names.of(table.name))
    for queue in QUEUES:
        for name in (queue.name, queue.dlq_name):
            url = (await rt.aws.sqs.get_queue_url(QueueName=rt.names.of(name)))["QueueUrl"]
            await rt.aws.sqs.delete_queue(QueueUrl=url)
    await provision(rt.aws, settings)


async def _shop(rt: Runtime) -> tuple[ProductRepository, OrderRepository]:
    products = ProductRepository(rt.aws.dynamodb, rt.names.products_table)
    orders = OrderRepository(rt.aws.dynamodb, rt.names.orders_table, rt.names.products_table)
    await products.put_many(
        [Product(f"P{i}", f"Kettle {i}", "", "Kitchen", Decimal("9.99"), 5, "t") for i in range(60)]
    )
    line = OrderLine("P7", 2)
    await orders.reserve_and_confirm(
        Order("o-1", OrderStatus.CONFIRMED, (line,), None, None, "t", "t")
    )
    return products, orders


async def test_a_restart_keeps_products_orders_and_waiting_messages(
    runtime: Runtime, settings: Settings, tmp_path: Path
) -> None:
    products, orders = await _shop(runtime)
    queue = (await runtime.aws.sqs.get_queue_url(QueueName=runtime.names.order_queue))["QueueUrl"]
    type_ = {"type": {"DataType": "String", "StringValue": "OrderPlaced"}}
    await runtime.aws.sqs.send_message(
        QueueUrl=queue, MessageBody='{"a": 1}', MessageAttributes=type_
    )

    assert await snapshot.save(runtime.aws, runtime.names, tmp_path, products=60) == 61
    await _forget_everything(runtime, settings)
    restored = await snapshot.restore(runtime.aws, runtime.names, tmp_path)

    assert restored is not None
    assert snapshot.describe(restored) == "60 products, 1 order, 1 waiting message"
    assert restored.seeded_with == 60
    kept = await products.get("P7")
    assert (kept.stock, kept.sold) == (3, 2)
    assert (await orders.get("o-1")).status is OrderStatus.CONFIRMED
    waiting = await runtime.aws.sqs.receive_message(
        QueueUrl=queue, MessageAttributeNames=["All"], WaitTimeSeconds=1
    )
    [message] = waiting["Messages"]
    assert (message["Body"], message["MessageAttributes"]) == ('{"a": 1}', type_)


async def test_nothing_saved_means_nothing_restored(runtime: Runtime, tmp_path: Path) -> None:
    assert await snapshot.restore(runtime.aws, runtime.names, tmp_path) is None


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda text: text[: len(text) // 2], id="cut short"),
        pytest.param(lambda text: "not json", id="not json"),
        pytest.param(lambda text: text.replace('"version":1', '"version":99'), id="other version"),
        pytest.param(lambda text: json.dumps({"tables": []}), id="other shape"),
    ],
)
async def test_a_file_that_cannot_be_read_is_moved_aside_and_restores_nothing(
    runtime: Runtime, tmp_path: Path, damage: Callable[[str], str]
) -> None:
    await _shop(runtime)
    await snapshot.save(runtime.aws, runtime.names, tmp_path, products=60)
    path = snapshot.snapshot_path(tmp_path)
    path.write_text(damage(path.read_text()))
    with pytest.raises(snapshot.SnapshotUnreadable, match="could not be read"):
        await snapshot.restore(runtime.aws, runtime.names, tmp_path)
    assert not path.exists()
    assert path.with_name("shop.json.unreadable").exists()
    assert await snapshot.restore(runtime.aws, runtime.names, tmp_path) is None


async def test_a_save_cut_short_leaves_the_last_one_whole(
    runtime: Runtime, settings: Settings, tmp_path: Path
) -> None:
    await _shop(runtime)
    await snapshot.save(runtime.aws, runtime.names, tmp_path, products=60)
    # A stop killed while writing leaves its temporary file half written; the rename never came.
    snapshot.snapshot_path(tmp_path).with_name("shop.json.tmp").write_text('{"format": "ecom')
    await _forget_everything(runtime, settings)
    restored = await snapshot.restore(runtime.aws, runtime.names, tmp_path)
    assert restored is not None
    assert restored.items == {"Products": 60, "Orders": 1}
