"""moto's server, in this process, as the embedded AWS."""
import logging
import os
import socket
import threading
import warnings

REGION = "us-east-1"  # moto's global_sign_out works only there


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(endpoint: str) -> dict:
    """What points boto3 (and everything built on it) at the embedded AWS; dummy credentials."""
    return {"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION}


def start(port: int):
    """Start moto's server on 127.0.0.1:port and point this process at it."""
    from moto.server import ThreadedMotoServer
    # moto says what its CloudFormation skips; provision.py creates exactly those, so keep it quiet
    warnings.filterwarnings("ignore", message="Tried to parse")
    for name in ("moto", "werkzeug"):
        logging.getLogger(name).setLevel(logging.ERROR)
    _serialize_writes()
    _teach_revoke_token()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    os.environ.update(environment(f"http://127.0.0.1:{port}"))
    return server


_serialized = False
_DYNAMODB_WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems",
                    "CreateTable", "DeleteTable", "UpdateTable", "UpdateTimeToLive"}


def _action(response) -> str:
    return response._get_action()


def _serialize_writes() -> None:
    """moto's DynamoDB restores whole-table snapshots when a transaction is cancelled, without a lock:
    under concurrent requests a cancelled transaction can undo another's committed write. AWS has no
    such flaw, so make moto's DynamoDB and Cognito handle one request at a time."""
    global _serialized
    if _serialized:
        return
    _keep_stream_on_rollback()
    from moto.dynamodb.responses import DynamoHandler
    from moto.cognitoidp.responses import CognitoIdpResponse
    for handler, serialized in ((DynamoHandler, _DYNAMODB_WRITES), (CognitoIdpResponse, None)):
        lock = threading.RLock()
        original = handler.call_action

        def call_action(self, _original=original, _lock=lock, _serialized=serialized):
            if _serialized is not None and _action(self) not in _serialized:
                return _original(self)  # reads need no lock: a transaction's conditions are checked again
            with _lock:
                return _original(self)
        handler.call_action = call_action
    _serialized = True


def _keep_stream_on_rollback() -> None:
    """On a cancelled transaction moto puts back deep copies of the tables, stream shard included: the
    stream's readers then follow a shard nothing writes to any more, and the copy would hold no records of
    the cancelled writes while the orphan holds them. Put the live shard back, cut to where it stood."""
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import StreamShard
    # the snapshot need not copy the stream's records (every record since the table was made): share the
    # live shard, which is cut back below when the transaction is cancelled
    StreamShard.__deepcopy__ = lambda self, memo: self
    original = DynamoDBBackend.transact_write_items

    def transact_write_items(self, transact_items):
        shards = {name: (t.stream_shard, len(t.stream_shard.items))
                  for name, t in self.tables.items() if t.stream_shard is not None}
        try:
            return original(self, transact_items)
        except Exception:
            for name, (shard, length) in shards.items():
                table = self.tables.get(name)
                if table is not None:
                    del shard.items[length:]
                    shard.table = table
                    table.stream_shard = shard
            raise
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
            return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))).get("origin_jti")
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
