"""The partition-heat model: every DynamoDB call of a workload, charged to the partition keys it reads and
writes, as DynamoDB charges them.

A write costs ceil(size / 1 KB) of the larger of the item before and after, on the item's key (x2 inside a
transaction, a ConditionCheck too); and, on every index whose key or projected attributes it changes, the
index entry's size on the index partition (a key change counts twice: out of the old partition, into the
new). A read costs, per item, 1 RCU per 4 KB strongly consistent, 0.5 eventually, 2 transactionally
(a missing item counts as one unit); a Query its items' total size. DynamoDB takes at most 1,000 WCU/s and
3,000 RCU/s on one partition key, so the hottest keys bound the orders per second the shop sustains:
min(1000 / WCU per order on the hottest key, 3000 / RCU per order on the hottest read key). Reads made while
`product_page` is set (a shopper's product page, bench/workloads.py) are also kept apart, so the summary says
what they cost and what the shop sustains without them.

Items are read before and after each write straight from the embedded moto backend (same process), so the
model sees exact sizes and index keys without adding calls of its own.
"""

import collections
import contextvars
import math
import re
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Tuple

from devstack import template

WCU_PER_KEY, RCU_PER_KEY = 1000, 3000

# who a request is for (the partition-sharing test attributes every written key to it)
current_subject: contextvars.ContextVar = contextvars.ContextVar("current_subject", default=None)
# whether the current request is a shopper's product page read (its read units are also counted apart)
product_page: contextvars.ContextVar = contextvars.ContextVar("product_page", default=False)


@dataclass(frozen=True)
class Index:
    name: str
    keys: Tuple[str, ...]  # hash, then range
    projection: str
    included: Tuple[str, ...]


@dataclass(frozen=True)
class Table:
    short: str
    name: str
    keys: Tuple[str, ...]
    indexes: Tuple[Index, ...]


def tables(stage: str) -> Dict[str, Table]:
    """The tables of infra/template.yaml as the stage names them: keys and indexes."""
    found = {}
    for logical, resource in template.resources_of_type(
        template.load(), "AWS::DynamoDB::Table"
    ).items():
        props = resource["Properties"]
        name = props["TableName"]["Fn::Sub"].replace("${Stage}", stage)
        keys = tuple(
            k["AttributeName"]
            for k in sorted(props["KeySchema"], key=lambda k: k["KeyType"] != "HASH")
        )
        indexes = tuple(
            Index(
                i["IndexName"],
                tuple(
                    k["AttributeName"]
                    for k in sorted(i["KeySchema"], key=lambda k: k["KeyType"] != "HASH")
                ),
                i["Projection"]["ProjectionType"],
                tuple(i["Projection"].get("NonKeyAttributes", ())),
            )
            for i in props.get("GlobalSecondaryIndexes", [])
        )
        found[name] = Table(logical.removesuffix("Table").lower(), name, keys, indexes)
    return found


class Meter:
    """Charges every call of one botocore DynamoDB client to partition keys while installed."""

    def __init__(self, stage: str) -> None:
        self.tables = tables(stage)
        self.writes: Dict[str, float] = collections.Counter()
        self.reads: Dict[str, float] = collections.Counter()
        self.page_reads: Dict[str, float] = (
            collections.Counter()
        )  # the part of `reads` product_page made
        # key -> subjects (see current_subject)
        self.written_by: Dict[str, set] = collections.defaultdict(set)
        self.calls = 0
        self._client = None

    # --- installing --------------------------------------------------------------------------------

    def install(self, client) -> "Meter":
        self._client = client
        client.meta.events.register(
            "before-parameter-build.dynamodb", self._before, unique_id="capacity-before"
        )
        client.meta.events.register("after-call.dynamodb", self._after, unique_id="capacity-after")
        return self

    def uninstall(self) -> None:
        self._client.meta.events.unregister(
            "before-parameter-build.dynamodb", unique_id="capacity-before"
        )
        self._client.meta.events.unregister("after-call.dynamodb", unique_id="capacity-after")

    def reset(self) -> None:
        self.writes.clear()
        self.reads.clear()
        self.page_reads.clear()
        self.written_by.clear()
        self.calls = 0

    # --- the hooks ---------------------------------------------------------------------------------

    def _before(self, params, model, context, **_):
        writes = list(self._writes_of(model.name, params))
        context["capacity"] = (
            params,
            [(table, key, factor, self._item(table, key)) for table, key, factor in writes],
        )

    def _after(self, http_response, parsed, model, context, **_):
        params, writes = context.pop("capacity", (None, []))
        if params is None:
            return
        self.calls += 1
        failed = http_response.status_code >= 400
        for table, key, factor, old in writes:
            new = old if failed else self._item(table, key)
            self._charge_write(table, key, factor, old, new, indexes=not failed)
        if not failed:
            self._charge_reads(model.name, params, parsed)

    # --- writes ------------------------------------------------------------------------------------

    def _writes_of(self, operation: str, params: dict):
        if operation in ("PutItem", "UpdateItem", "DeleteItem"):
            yield (
                params["TableName"],
                self._key(params["TableName"], params.get("Key") or params.get("Item")),
                1,
            )
        elif operation == "BatchWriteItem":
            for table, requests in params["RequestItems"].items():
                for request in requests:
                    body = request.get("PutRequest", {}).get("Item") or request.get(
                        "DeleteRequest", {}
                    ).get("Key")
                    yield table, self._key(table, body), 1
        elif operation == "TransactWriteItems":
            for item in params["TransactItems"]:
                ((_, body),) = item.items()
                yield (
                    body["TableName"],
                    self._key(body["TableName"], body.get("Key") or body.get("Item")),
                    2,
                )

    def _charge_write(
        self,
        table: str,
        key: tuple,
        factor: int,
        old: Optional[dict],
        new: Optional[dict],
        indexes: bool,
    ) -> None:
        spec = self.tables[table]
        size = max(_size(old), _size(new))
        self._write(f"{spec.short}:{key[0]}", factor * max(1, math.ceil(size / 1024)))
        if not indexes:
            return
        for index in spec.indexes:
            before, after = self._entry(spec, index, old), self._entry(spec, index, new)
            if before == after:
                continue
            if before and after and before[0] == after[0]:
                self._write(f"{spec.short}.{index.name}:{after[0][0]}", _units(after[1]))
                continue
            for entry in (before, after):  # moved: out of the old partition, into the new
                if entry:
                    self._write(f"{spec.short}.{index.name}:{entry[0][0]}", _units(entry[1]))

    def _write(self, key: str, units: float) -> None:
        self.writes[key] += units
        subject = current_subject.get()
        if subject is not None:
            self.written_by[key].add(subject)

    @staticmethod
    def _entry(spec: Table, index: Index, item: Optional[dict]):
        """An item's entry in an index: its index key and its projected attributes (None: not in the index)."""
        if item is None or any(k not in item for k in index.keys):
            return None
        if index.projection == "ALL":
            projected = item
        else:
            names = (
                set(index.keys)
                | set(spec.keys)
                | set(index.included if index.projection == "INCLUDE" else ())
            )
            projected = {k: v for k, v in item.items() if k in names}
        return tuple(_plain(item[k]) for k in index.keys), projected

    # --- reads -------------------------------------------------------------------------------------

    def _charge_reads(self, operation: str, params: dict, parsed: dict) -> None:
        if operation == "GetItem":
            self._read_items(
                params["TableName"], [params["Key"]], 1 if params.get("ConsistentRead") else 0.5
            )
        elif operation == "BatchGetItem":
            for table, request in params["RequestItems"].items():
                self._read_items(
                    table, request["Keys"], 1 if request.get("ConsistentRead") else 0.5
                )
        elif operation == "TransactGetItems":
            for item in params["TransactItems"]:
                self._read_items(item["Get"]["TableName"], [item["Get"]["Key"]], 2)
        elif operation == "Query":
            spec = self.tables[params["TableName"]]
            index = params.get("IndexName")
            hash_value = _hash_value(params)
            size = sum(_size(item) for item in parsed.get("Items", []))
            per = 1 if params.get("ConsistentRead") else 0.5
            self._read(
                f"{spec.short}{'.' + index if index else ''}:{hash_value}",
                per * max(1, math.ceil(size / 4096)),
            )

    def _read_items(self, table: str, keys: List[dict], per_4kb: float) -> None:
        spec = self.tables[table]
        for key in keys:
            value = self._key(table, key)
            item = self._item(table, value)
            self._read(f"{spec.short}:{value[0]}", per_4kb * max(1, math.ceil(_size(item) / 4096)))

    def _read(self, key: str, units: float) -> None:
        self.reads[key] += units
        if product_page.get():
            self.page_reads[key] += units

    # --- items from the embedded moto backend ---------------------------------------------------------

    def _key(self, table: str, body: dict) -> tuple:
        return tuple(_plain(body[k]) for k in self.tables[table].keys)

    def _item(self, table: str, key: tuple) -> Optional[dict]:
        from moto.dynamodb.models import dynamodb_backends
        from moto.dynamodb.models.dynamo_type import DynamoType

        found = (
            dynamodb_backends["123456789012"]["us-east-1"]
            .get_table(table)
            .get_item(*[DynamoType({"S": v}) for v in key])
        )
        for _ in range(5):  # moto's own threads may be writing the item this instant
            try:
                return (
                    {name: _copy(attribute) for name, attribute in list(found.attrs.items())}
                    if found
                    else None
                )
            except RuntimeError:
                continue
        return None

    # --- results -------------------------------------------------------------------------------------

    def _by_table(self) -> Dict[str, float]:
        totals: Dict[str, float] = collections.Counter()
        for key, units in self.writes.items():
            totals[_table_of(key)] += units
        return totals

    def summary(self, orders: int, top: int = 5) -> dict:
        hot_writes = sorted(self.writes.items(), key=lambda kv: -kv[1])[:top]
        hot_reads = sorted(self.reads.items(), key=lambda kv: -kv[1])[:top]
        other_reads = {k: v - self.page_reads.get(k, 0) for k, v in self.reads.items()}
        return {
            "orders": orders,
            # production: API Gateway's stage cache answers the product pages (30 s; a shopper's no-cache does
            # not pass it), so DynamoDB sees a product's page once per TTL, not once per order
            "sustainable_orders_per_second": _sustainable(self.writes, other_reads, orders),
            # a stage without the stage cache (chalice deploy, the local stack): every page view reaches DynamoDB
            "sustainable_orders_per_second_uncached_pages": _sustainable(
                self.writes, self.reads, orders
            ),
            "hottest_write_keys": [[k, round(v / orders, 4)] for k, v in hot_writes],
            "hottest_read_keys": [[k, round(v / orders, 4)] for k, v in hot_reads],
            "hottest_read_keys_without_pages": [
                [k, round(v / orders, 4)]
                for k, v in sorted(other_reads.items(), key=lambda kv: -kv[1])[:top]
            ],
            "wcu_per_order_total": round(sum(self.writes.values()) / orders, 2),
            "wcu_per_order_by_table": {
                t: round(v / orders, 2) for t, v in sorted(self._by_table().items())
            },
            "rcu_per_order_total": round(sum(self.reads.values()) / orders, 2),
            "rcu_per_order_product_pages": round(sum(self.page_reads.values()) / orders, 2),
            "dynamodb_calls_per_order": round(self.calls / orders, 2),
        }


def _sustainable(writes: Dict[str, float], reads: Dict[str, float], orders: int):
    """Orders per second before the hottest key takes more than DynamoDB gives one partition key."""
    wcu = max(writes.values(), default=0) / orders
    rcu = max(reads.values(), default=0) / orders
    rate = min(WCU_PER_KEY / wcu if wcu else math.inf, RCU_PER_KEY / rcu if rcu else math.inf)
    return round(rate) if rate != math.inf else None


def _copy(attribute) -> dict:
    """A moto DynamoType as plain attribute-value JSON (a snapshot: moto changes its items in place)."""
    value = attribute.value
    if attribute.type == "M":
        value = {k: _copy(v) if hasattr(v, "type") else v for k, v in value.items()}
    elif attribute.type == "L":
        value = [_copy(v) if hasattr(v, "type") else v for v in value]
    return {attribute.type: value}


def _table_of(key: str) -> str:
    return key.split(":", 1)[0]


def _plain(attribute: dict) -> str:
    ((kind, value),) = attribute.items()
    return str(value)


def _hash_value(params: dict) -> str:
    """The partition a Query reads: the value compared with `=` in its key condition."""
    first = re.split(r"\s+AND\s+", params["KeyConditionExpression"], flags=re.I)[0]
    return _plain(params["ExpressionAttributeValues"][first.split("=")[1].strip(" ()")])


def _size(item: Optional[dict]) -> int:
    """DynamoDB's item size: attribute names plus values (numbers about a byte per two digits)."""
    if not item:
        return 0
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(attribute) -> int:
    ((kind, value),) = attribute.items()
    if kind == "S":
        return len(value.encode())
    if kind == "N":
        return len(str(value).lstrip("-").replace(".", "")) // 2 + 1
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(len(k.encode()) + _value_size(v) + 1 for k, v in value.items())
    if kind == "L":
        return 3 + sum(_value_size(v) + 1 for v in value)
    return len(str(value))


def _units(entry_item: dict) -> int:
    return max(1, math.ceil(_size(entry_item) / 1024))


def measured(meter: Meter, orders: int, run: Callable[[], None]) -> dict:
    meter.reset()
    run()
    return meter.summary(orders)
