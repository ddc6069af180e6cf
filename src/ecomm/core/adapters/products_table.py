"""The `Products` table: product reads, bulk loads and operator changes."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from ecomm.core.adapters.aws import error_code, translate_error
from ecomm.core.adapters.dynamo_items import n, product_from_item, product_to_item, s
from ecomm.core.contracts.events import utc_now
from ecomm.core.domain.errors import TransientError
from ecomm.core.domain.products import Product, ProductNotFound

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb import DynamoDBClient

BATCH_GET_LIMIT = 100
BATCH_WRITE_LIMIT = 25
_MAX_UNPROCESSED_ROUNDS = 8


async def _backoff(attempt: int) -> None:
    # Full jitter: spreads the retries of many tasks instead of synchronising them.
    await asyncio.sleep(random.uniform(0, min(2.0, 0.05 * 2**attempt)))  # noqa: S311


class ProductRepository:
    """Async access to `Products`; `ClientError` becomes a named domain error."""

    def __init__(self, dynamodb: DynamoDBClient, table: str) -> None:
        self._db = dynamodb
        self._table = table

    async def get(self, product_id: str) -> Product:
        try:
            answer = await self._db.get_item(
                TableName=self._table, Key={"productID": s(product_id)}, ConsistentRead=True
            )
        except (ClientError, BotoCoreError) as exc:
            raise translate_error(exc) from exc
        if "Item" not in answer:
            raise ProductNotFound(product_id)
        return product_from_item(answer["Item"])

    async def get_many(self, product_ids: Iterable[str]) -> dict[str, Product]:
        """The products that exist among `product_ids`, in as few BatchGetItem calls as fit."""
        wanted = list(dict.fromkeys(product_ids))
        found: dict[str, Product] = {}
        for start in range(0, len(wanted), BATCH_GET_LIMIT):
            keys: list[Any] = [
                {"productID": s(pid)} for pid in wanted[start : start + BATCH_GET_LIMIT]
            ]
            for attempt in range(_MAX_UNPROCESSED_ROUNDS):
                try:
                    answer = await self._db.batch_get_item(
                        RequestItems={self._table: {"Keys": keys, "ConsistentRead": True}}
                    )
                except (ClientError, BotoCoreError) as exc:
                    raise translate_error(exc) from exc
                for item in answer.get("Responses", {}).get(self._table, []):
                    product = product_from_item(item)
                    found[product.productID] = product
                unprocessed = answer.get("UnprocessedKeys", {}).get(self._table)
                keys = list(unprocessed["Keys"]) if unprocessed else []
                if not keys:
                    break
                await _backoff(attempt)
            else:
                raise TransientError(f"{len(keys)} keys stayed unprocessed")
        return found

    async def scan(self, segments: int = 4) -> AsyncIterator[list[Product]]:
        """Every product, as pages from `segments` parallel scan segments."""
        queue: asyncio.Queue[list[Product] | BaseException | None] = asyncio.Queue(maxsize=16)

        async def segment(number: int) -> None:
            kwargs: dict[str, Any] = {
                "TableName": self._table,
                "Segment": number,
                "TotalSegments": segments,
            }
            try:
                while True:
                    page = await self._db.scan(**kwargs)
                    await queue.put([product_from_item(i) for i in page.get("Items", [])])
                    if "LastEvaluatedKey" not in page:
                        break
                    kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
            except (ClientError, BotoCoreError) as exc:
                await queue.put(translate_error(exc))
            finally:
                await queue.put(None)

        tasks = [asyncio.create_task(segment(i)) for i in range(segments)]
        try:
            done = 0
            while done < segments:
                page = await queue.get()
                if page is None:
                    done += 1
                elif isinstance(page, BaseException):
                    raise page
                else:
                    yield page
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def put_many(self, products: Sequence[Product]) -> None:
        """Write products with BatchWriteItem, retrying what DynamoDB leaves unprocessed."""
        for start in range(0, len(products), BATCH_WRITE_LIMIT):
            requests: list[Any] = [
                {"PutRequest": {"Item": product_to_item(p)}}
                for p in products[start : start + BATCH_WRITE_LIMIT]
            ]
            for attempt in range(_MAX_UNPROCESSED_ROUNDS):
                try:
                    answer = await self._db.batch_write_item(RequestItems={self._table: requests})
                except (ClientError, BotoCoreError) as exc:
                    raise translate_error(exc) from exc
                requests = list(answer.get("UnprocessedItems", {}).get(self._table, []))
                if not requests:
                    break
                await _backoff(attempt)
            else:
                raise TransientError(f"{len(requests)} writes stayed unprocessed")

    async def add(self, product: Product) -> Product:
        """Create or replace a product (the operator's `product add`)."""
        try:
            await self._db.put_item(TableName=self._table, Item=product_to_item(product))
        except (ClientError, BotoCoreError) as exc:
            raise translate_error(exc) from exc
        return product

    async def change(
        self, product_id: str, *, stock_delta: int | None = None, price: str | None = None
    ) -> Product:
        """Add to the stock and/or set the price; never lets stock go below zero."""
        sets = ["updatedAt = :now"]
        values: dict[str, Any] = {":now": s(utc_now())}
        condition = "attribute_exists(productID)"
        if stock_delta is not None:
            sets.append("stock = stock + :delta")
            values[":delta"] = n(stock_delta)
            if stock_delta < 0:
                condition += " AND stock >= :need"
                values[":need"] = n(-stock_delta)
        if price is not None:
            sets.append("price = :price")
            values[":price"] = {"N": price}
        try:
            answer = await self._db.update_item(
                TableName=self._table,
                Key={"productID": s(product_id)},
                UpdateExpression="SET " + ", ".join(sets),
                ConditionExpression=condition,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
            )
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                raise ProductNotFound(product_id) from exc
            raise translate_error(exc) from exc
        except BotoCoreError as exc:
            raise translate_error(exc) from exc
        return product_from_item(answer["Attributes"])
