"""The composition root: AWS clients and repositories, created on first use, once per container.

Tests swap pieces with override(); reset() forgets everything (new settings, new clients).
"""
import threading
from typing import Any, Callable, Dict

from chalicelib import settings

_lock = threading.RLock()
_made: Dict[str, Any] = {}
_overrides: Dict[str, Any] = {}


def _once(name: str, make: Callable[[], Any]) -> Any:
    if name in _overrides:
        return _overrides[name]
    made = _made.get(name)
    if made is None:
        with _lock:
            made = _made.get(name)
            if made is None:
                made = _made[name] = make()
    return made


def override(name: str, value: Any) -> None:
    _overrides[name] = value


def reset() -> None:
    _made.clear()
    _overrides.clear()
    settings.reset()


def client(service: str):
    def make():
        import boto3
        from botocore.config import Config
        config = Config(retries={"mode": "standard", "max_attempts": 3},
                        connect_timeout=2, read_timeout=10, tcp_keepalive=True)
        return boto3.session.Session().client(service, region_name=settings.get().region, config=config)
    return _once(f"client:{service}", make)


def dynamodb():
    return client("dynamodb")


def cursor_key() -> bytes:
    """The HMAC key that signs list cursors, read from Secrets Manager once per container."""
    def make():
        secret = client("secretsmanager").get_secret_value(SecretId=settings.get().cursor_key_id)
        return secret["SecretString"].encode()
    return _once("cursor_key", make)


def user_pool() -> Dict[str, str]:
    """The pool and app client ids: from settings when deployed, looked up by name on a local stack."""
    def make():
        config = settings.get()
        if config.user_pool_id and config.user_pool_client_id:
            return {"pool_id": config.user_pool_id, "client_id": config.user_pool_client_id}
        return _find_user_pool(config.user_pool_name)
    return _once("user_pool", make)


def _find_user_pool(name: str) -> Dict[str, str]:
    idp = client("cognito-idp")
    pools = idp.list_user_pools(MaxResults=60)["UserPools"]
    pool_id = next(p["Id"] for p in pools if p["Name"] == name)
    clients = idp.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
    return {"pool_id": pool_id, "client_id": clients[0]["ClientId"]}


def repository(name: str):
    """One repository per aggregate, each receiving its client and table name from here."""
    return _once(f"repo:{name}", _REPOSITORIES[name])


def _users():
    from chalicelib.users.repository import DynamoUsers
    return DynamoUsers(dynamodb(), settings.get().users_table)


def _products():
    from chalicelib.products.repository import DynamoProducts
    return DynamoProducts(dynamodb(), settings.get().products_table)


def _carts():
    from chalicelib.orders.repository import DynamoCarts
    return DynamoCarts(dynamodb(), settings.get().orders_table)


def _orders():
    from chalicelib.orders.repository import DynamoOrders
    return DynamoOrders(dynamodb(), settings.get().orders_table, settings.get().products_table)


def _inbox():
    from chalicelib.notifications.repository import DynamoInbox
    return DynamoInbox(dynamodb(), settings.get().notifications_table)


_REPOSITORIES: Dict[str, Callable[[], Any]] = {"users": _users, "products": _products, "carts": _carts,
                                               "orders": _orders, "inbox": _inbox}


def event_queue():
    def make():
        from chalicelib.notifications.gateways import SqsEventQueue
        sqs = client("sqs")
        return SqsEventQueue(sqs, sqs.get_queue_url(QueueName=settings.get().notifications_queue)["QueueUrl"])
    return _once("event_queue", make)


def mailer():
    def make():
        from chalicelib.notifications.gateways import SesMailer
        return SesMailer(client("ses"), settings.get().sender_email)
    return _once("mailer", make)


def warm_cache():
    def make():
        from chalicelib.cache import WarmCache
        return WarmCache(settings.get().cache_ttl_seconds)
    return _once("warm_cache", make)


def identity():
    def make():
        from chalicelib.users.identity import CognitoIdentity
        return CognitoIdentity(client("cognito-idp"), user_pool())
    return _once("identity", make)
