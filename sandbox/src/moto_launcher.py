"""Start moto's server for the connector's tests, demo and benchmark.

Five changes to a plain `moto_server`:

1. The process asks the kernel to kill it when the thread that started it exits
   (PR_SET_PDEATHSIG), so a test binary killed by a timeout leaves no moto behind.
   MOTO_PARENT_PID guards against a parent that exited before the prctl call.

2. TransactWriteItems keeps DynamoDB's semantics without moto 5's backup strategy.
   Moto deep-copies every table touched, once per item of the transaction, so each
   transaction costs time and memory proportional to the table size times the item
   count; a table of 100,000 links made one process grow past 20 GB. DynamoDB
   evaluates every condition against the state before the transaction and no two
   actions may target one item, so checking all conditions first and then applying
   the writes gives the same all-or-nothing result. Each distinct condition is parsed
   once, because a transaction of new links repeats one condition up to 100 times.

3. DynamoDB requests run one at a time. Moto's server is threaded and evaluates a
   condition and applies the write in separate steps, so two concurrent conditional
   puts on one item could both succeed; DynamoDB applies conditional writes to an item
   atomically, and the lease and link tests depend on that.

4. Moto's per-request work is cut where it gives the same result faster
   (`moto_speedups.py`, which `moto.rs` puts before this file).

5. Objects that survive a full garbage collection are frozen (`gc.freeze`), so the
   next full collection scans only the objects created since. Without this, Python's
   collector walks every stored item on each full collection. Near the end of a
   100,000-customer bench run one collection took 1.2 s, and moto handled no DynamoDB
   request during it. DynamoDB has no pause that grows with the table, and these
   pauses held up to 20 pages of the bulk pull in memory at once. Deleted items are
   still freed by reference counting. Only cycles among frozen objects stay in memory.
"""

import ctypes
import gc
import os
import signal
import sys
import threading

PR_SET_PDEATHSIG = 1


def die_with_parent():
    ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    expected = os.environ.get("MOTO_PARENT_PID")
    if expected is not None and os.getppid() != int(expected):
        sys.exit("moto launcher: the parent process exited before moto started")


def patch_transact_write_items():
    from moto.dynamodb.comparisons import get_filter_expression
    from moto.dynamodb.exceptions import (
        MultipleTransactionsException,
        TooManyTransactionsException,
        TransactionCanceledException,
        TransactWriteSingleOpException,
    )
    from moto.dynamodb.models import DynamoDBBackend

    def key_of(backend, op_type, op):
        if op_type != "Put":
            return op["Key"]
        table = backend.get_table(op["TableName"])
        attrs = op["Item"]
        key = {table.hash_key_attr: attrs[table.hash_key_attr]}
        if table.range_key_attr is not None:
            key[table.range_key_attr] = attrs[table.range_key_attr]
        return key

    parsed = {}

    def condition_of(op):
        """Return the parsed condition of an action, parsing each distinct one once.

        Parsing costs more than evaluating, and a transaction of new links repeats
        one condition up to 100 times. The parsed form keeps no item state.
        """
        names = op.get("ExpressionAttributeNames")
        values = op.get("ExpressionAttributeValues")
        key = condition_key(op["ConditionExpression"], names, values)
        if key not in parsed:
            if len(parsed) >= 1024:
                parsed.clear()
            parsed[key] = get_filter_expression(op["ConditionExpression"], names, values)
        return parsed[key]

    def check(backend, op_type, op):
        """Return None when the action may run, else its cancellation reason."""
        if op.get("ConditionExpression") is None:
            return None
        current = backend.get_item(op["TableName"], key_of(backend, op_type, op))
        if condition_of(op).expr(current):
            return None
        old = None
        if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
            old = current.to_json()["Attributes"]
        return ("ConditionalCheckFailed", "The conditional request failed", old)

    def apply(backend, op_type, op):
        names = op.get("ExpressionAttributeNames")
        values = op.get("ExpressionAttributeValues")
        if op_type == "Put":
            # The conditions were checked before any write, so the put skips moto's
            # own (empty) condition evaluation.
            backend.put_item(op["TableName"], op["Item"],
                             expression_attribute_names=names,
                             expression_attribute_values=values,
                             overwrite=True)
        elif op_type == "Delete":
            backend.delete_item(op["TableName"], op["Key"],
                                expression_attribute_names=names,
                                expression_attribute_values=values)
        elif op_type == "Update":
            backend.update_item(op["TableName"], op["Key"],
                                update_expression=op["UpdateExpression"],
                                expression_attribute_names=names,
                                expression_attribute_values=values)

    def transact_write_items(self, transact_items):
        if len(transact_items) > 100:
            raise TooManyTransactionsException()

        actions = []
        seen = set()
        for item in transact_items:
            if len(item) > 1:
                raise TransactWriteSingleOpException
            op_type, op = next(iter(item.items()))
            if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
                raise ValueError("Unsupported transaction operation")
            key = key_of(self, op_type, op)
            target = (str(op["TableName"]), str(dict(sorted(key.items()))))
            if target in seen:
                raise MultipleTransactionsException()
            seen.add(target)
            actions.append((op_type, op))

        reasons = [check(self, op_type, op) for op_type, op in actions]
        if any(reason is not None for reason in reasons):
            raise TransactionCanceledException(
                [reason or (None, None, None) for reason in reasons]
            )

        for op_type, op in actions:
            if op_type != "ConditionCheck":
                apply(self, op_type, op)

    DynamoDBBackend.transact_write_items = transact_write_items


def freeze_survivors_of_full_collections():
    """Freeze the survivors of every full collection and return the installed callback."""

    def freeze_after_full_collection(phase, info):
        if phase == "stop" and info["generation"] == 2:
            gc.freeze()

    gc.callbacks.append(freeze_after_full_collection)
    return freeze_after_full_collection


def serialize_dynamodb_requests():
    from moto.dynamodb.responses import DynamoHandler

    lock = threading.Lock()
    call_action = DynamoHandler.call_action

    def locked_call_action(self):
        with lock:
            return call_action(self)

    DynamoHandler.call_action = locked_call_action


def main():
    die_with_parent()
    patch_transact_write_items()
    serialize_dynamodb_requests()
    speed_up_requests()
    freeze_survivors_of_full_collections()

    from moto.server import main as moto_main

    sys.argv[0] = "moto_server"
    sys.exit(moto_main())


if __name__ == "__main__":
    main()
