"""`python -m ecomm order ship|deliver|cancel ORDER_ID [--reason TEXT]`: an operator moves an
order along its lifecycle.

The command is published as an event (ShipOrder, DeliverOrder, CancelOrder), like the shopper's
"Cancel order": the order worker is the only writer of the Orders table, and it applies the
command as a write conditioned on the order's status, so a command sent twice, or racing
another, changes the order at most once. Before publishing, the order is read, so a mistyped
id or an order that cannot take this step is said at once instead of vanishing in the queue.

Exit codes: 0 sent, 2 bad input, an unknown order, a step the order's status does not allow, or
AWS unreachable (nothing was sent in each case).
"""

from __future__ import annotations

import argparse
import sys

from pydantic import ValidationError

from ecomm.core.adapters.aws import ONE_SHOT_CONFIG
from ecomm.core.adapters.aws_failures import one_line
from ecomm.core.adapters.orders_table import OrderRepository
from ecomm.core.contracts.events import Envelope, EventType, OrderCommandData
from ecomm.core.contracts.identifiers import is_order_id
from ecomm.core.domain.lifecycle import TRANSITIONS, Action, can
from ecomm.core.domain.orders import OrderNotFound
from ecomm.core.runtime.bootstrap import open_runtime
from ecomm.core.runtime.settings import Settings

USAGE_ERROR = 2
EVENTS = {
    Action.CANCEL: EventType.CANCEL_ORDER,
    Action.SHIP: EventType.SHIP_ORDER,
    Action.DELIVER: EventType.DELIVER_ORDER,
}
HELP = {
    Action.SHIP: "mark a confirmed order shipped",
    Action.DELIVER: "mark a shipped order delivered",
    Action.CANCEL: "cancel a confirmed order; its stock comes back",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(dest="order_command", required=True, metavar="COMMAND")
    for action in (Action.SHIP, Action.DELIVER, Action.CANCEL):
        command = commands.add_parser(action.value, help=HELP[action])
        command.add_argument("order_id", metavar="ORDER_ID")
        command.add_argument("--reason", default=None, help="shown in the order's history")


async def run(settings: Settings, args: argparse.Namespace) -> int:
    """AWS failures are not handled here: `__main__` says each in one line, as for every command."""
    action = Action(args.order_command)
    try:
        data = _command(args.order_id, args.reason)
    except ValueError as exc:
        return _fail(str(exc))
    async with open_runtime(settings, "operator", ONE_SHOT_CONFIG) as rt:
        orders = OrderRepository(rt.aws.dynamodb, rt.names.orders_table, rt.names.products_table)
        try:
            order = await orders.get(data.orderID)
        except OrderNotFound:
            return _fail(f"no order {data.orderID} in {rt.names.orders_table}")
        if not can(order, action):
            source = TRANSITIONS[action].source.value
            return _fail(
                f"order {order.orderID} is {order.status.value}: only a {source} order can "
                f"be {TRANSITIONS[action].past_tense}"
            )
        await rt.publisher.publish(Envelope.wrap(EVENTS[action], data, None))
    sys.stdout.write(
        f"sent {EVENTS[action].value} for order {data.orderID} (it was {order.status.value}); "
        "the order worker applies it\n"
    )
    return 0


def _command(order_id: str, reason: str | None) -> OrderCommandData:
    """The command's data; `ValueError` with one line for an id or reason it cannot carry."""
    if not is_order_id(order_id):
        raise ValueError("an order id is 1 to 128 letters, digits, '-' or '_'")
    try:
        return OrderCommandData(orderID=order_id, reason=reason)
    except ValidationError as exc:
        problem = exc.errors()[0]["msg"]
        raise ValueError(f"--reason {problem}") from None


def _fail(line: str) -> int:
    sys.stderr.write(f"ecomm order: {one_line(line)}\n")
    return USAGE_ERROR
