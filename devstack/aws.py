"""moto's server, in this process, as the embedded AWS."""

import logging
import os
import socket
import threading
import warnings

from devstack import ports

REGION = "us-east-1"  # moto's global_sign_out works only there


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(endpoint: str) -> dict:
    """What points boto3 (and everything built on it) at the embedded AWS; dummy credentials."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
    }


def start(port: int):
    """Start moto's server on 127.0.0.1:port and point this process at it."""
    server_class = _moto_server_class()
    # moto says what its CloudFormation skips; provision.py creates exactly those, so keep it quiet
    warnings.filterwarnings("ignore", message="Tried to parse")
    for name in ("moto", "werkzeug"):
        logging.getLogger(name).setLevel(logging.ERROR)
    _serialize_writes()
    _teach_revoke_token()
    server = server_class(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    os.environ.update(environment(f"http://127.0.0.1:{port}"))
    return server


class PortInUse(ports.Taken):
    def __init__(self, port: int):
        super().__init__("AWS_PORT", port)


def _moto_server_class():
    from moto.server import ThreadedMotoServer

    class MotoServer(ThreadedMotoServer):
        """moto's ThreadedMotoServer.start() waits for ever when its thread cannot bind the port (werkzeug prints
        "Port ... is in use" and ends the thread); this one says so and fails, and a port it can see is taken
        fails before werkzeug's two lines of its own."""

        def _server_entry(self) -> None:
            try:
                super()._server_entry()
            except (
                SystemExit,
                OSError,
            ):  # werkzeug's way of saying the port is taken: start() tells
                pass

        def start(self) -> None:
            if not ports.can_open(self._port, self._ip_address):
                raise PortInUse(self._port)
            self._thread = threading.Thread(target=self._server_entry, daemon=True, name="moto")
            self._thread.start()
            while not self._server_ready_event.wait(0.05):
                if not self._thread.is_alive():
                    raise PortInUse(self._port)

    return MotoServer


_serialized = False


def _serialize_writes() -> None:
    """moto's DynamoDB restores whole-table snapshots when a transaction is cancelled, without a lock:
    under concurrent requests a cancelled transaction can undo another's committed write. AWS has no
    such flaw, so make moto's DynamoDB and Cognito handle one request at a time.

    moto also applies a transaction's items one by one, stream records included, before it finds that a later
    one fails, then takes them back. A reader between the two would see a write that never happened: a stream
    reader would publish its event and then step over the records written next in their place (seen as lost
    notifications under `make load`); a GetItem could show an order that was never placed. AWS shows committed
    writes only, so every DynamoDB and stream request takes the one lock (moto holds the GIL while it works,
    so little parallelism is lost)."""
    global _serialized
    if _serialized:
        return
    _keep_stream_on_rollback()
    from moto.dynamodb.responses import DynamoHandler
    from moto.dynamodbstreams.responses import DynamoDBStreamsHandler
    from moto.cognitoidp.responses import CognitoIdpResponse

    dynamodb = threading.RLock()
    for handler, lock in (
        (DynamoHandler, dynamodb),
        (DynamoDBStreamsHandler, dynamodb),
        (CognitoIdpResponse, threading.RLock()),
    ):
        original = handler.call_action

        def call_action(self, _original=original, _lock=lock):
            with _lock:
                return _original(self)

        handler.call_action = call_action
    _serialized = True


def _keep_stream_on_rollback() -> None:
    """moto snapshots every table a transaction touches (a deep copy of all its items, and of its stream) and
    swaps the copies in when the transaction is cancelled: each checkout costs time and memory in proportion to
    the tables' size, and the stream's readers are left following a shard nothing writes to any more. Instead,
    keep each touched item as it was, put those back on a cancel (moto computes indexes from the items), and
    cut the live stream shard back to where it stood. (devstack runs one DynamoDB write at a time.)"""
    import copy
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    original = DynamoDBBackend.transact_write_items

    def keys_of(table, op):
        body = op.get("Key") or op.get("Item") or {}
        if table.hash_key_attr not in body:
            return None
        hash_key = DynamoType(body[table.hash_key_attr])
        range_key = DynamoType(body[table.range_key_attr]) if table.range_key_attr in body else None
        return hash_key, range_key

    def put_back(table, keys, item) -> None:
        hash_key, range_key = keys
        if range_key is None:
            if item is None:
                table.items.pop(hash_key, None)
            else:
                table.items[hash_key] = item
        elif item is None:
            table.items.get(hash_key, {}).pop(range_key, None)
        else:
            table.items.setdefault(hash_key, {})[range_key] = item

    def transact_write_items(self, transact_items):
        before = []
        for entry in transact_items:
            op = next(iter(entry.values()))
            table = self.tables.get(op.get("TableName"))
            keys = keys_of(table, op) if table is not None else None
            if keys is not None:
                before.append(
                    (
                        table,
                        keys,
                        copy.deepcopy(
                            table.get_item(*keys)
                            if table.range_key_attr is None or keys[1] is not None
                            else None
                        ),
                    )
                )
        shards = {
            t.name: (t.stream_shard, len(t.stream_shard.items))
            for t, _, _ in before
            if t.stream_shard is not None
        }
        # moto's own snapshot: the table itself, nothing copied
        Table.__deepcopy__ = lambda table, memo: table
        try:
            return original(self, transact_items)
        except Exception:
            for table, keys, item in reversed(before):
                put_back(table, keys, item)
            for name, (shard, length) in shards.items():
                del shard.items[length:]
            raise
        finally:
            del Table.__deepcopy__

    DynamoDBBackend.transact_write_items = transact_write_items


_revoke_taught = False


def _teach_revoke_token() -> None:
    """moto 5.2.5 (and its main branch, 2026-08) has no RevokeToken: it answers 500. Give it AWS's documented
    behaviour: the refresh token is refused from then on (REFRESH_TOKEN_AUTH gets NotAuthorizedException),
    so are the access tokens it issued for Cognito's own APIs; the user's other sessions go on. A token it
    does not know is no error (RFC 7009)."""
    global _revoke_taught
    if _revoke_taught:
        return
    import base64
    import json
    from moto.cognitoidp.exceptions import ResourceNotFoundError
    from moto.cognitoidp.responses import CognitoIdpResponse
    from moto.core.responses import EmptyResult

    def origin_of(access_token: str):
        try:
            payload = access_token.split(".")[1]
            return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))).get(
                "origin_jti"
            )
        except (IndexError, ValueError):
            return None

    def revoke_token(self):
        client_id, token = self._get_param("ClientId"), self._get_param("Token")
        pool = next((p for p in self.backend.user_pools.values() if client_id in p.clients), None)
        if pool is None:
            raise ResourceNotFoundError(client_id)
        issued = pool.refresh_tokens.get(token)
        if issued and issued[0] == client_id:
            pool.refresh_tokens[token] = None
            for access_token in [t for t in pool.access_tokens if origin_of(t) == issued[2]]:
                pool.access_tokens.pop(access_token, None)
        return EmptyResult()

    CognitoIdpResponse.revoke_token = revoke_token
    _revoke_taught = True
