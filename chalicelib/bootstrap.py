"""The composition root: AWS clients, repositories, caches and gateways, each created on first use, once per
container. `services()` is the one object holding them; tests assign their own parts to its attributes, and
reset() forgets everything (new settings, new clients)."""
import threading
from typing import Any, Callable, Dict, Optional

from chalicelib import settings

_lock = threading.RLock()


class once:
    """A lazily made attribute: made on first read (one thread makes it), assignable in tests."""

    def __init__(self, make: Callable[[Any], Any]) -> None:
        self._make = make
        self.__doc__ = make.__doc__

    def __set_name__(self, owner, name: str) -> None:
        self._name = name

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        made = instance.__dict__.get(self._name)
        if made is None:
            with _lock:
                made = instance.__dict__.get(self._name)
                if made is None:
                    made = instance.__dict__[self._name] = self._make(instance)
        return made


class Services:
    # --- AWS ------------------------------------------------------------------------------------------

    @once
    def connection(self):
        """The DynamoDB connection every model and transaction shares (each repository binds its own models to
        the stage's tables through it, so a function loads only the models it uses)."""
        from chalicelib import storage
        return storage.connection(settings.get().region)

    def _bound(self, *models):
        """The shared connection, with these models bound to their tables (`table_setting` names the setting)."""
        from chalicelib import storage
        config = settings.get()
        for model in models:
            storage.bind(model, getattr(config, model.table_setting), self.connection)
        return self.connection

    @once
    def dynamodb(self):
        """The botocore client behind every DynamoDB call (hooks registered on it see them all)."""
        return self.connection.client

    def client(self, service: str):
        if service == "dynamodb":
            return self.dynamodb
        with _lock:
            made = self._clients.get(service)
            if made is None:
                made = self._clients[service] = _client(service)
        return made

    @once
    def _clients(self) -> Dict[str, Any]:
        return {}

    @once
    def cursor_key(self) -> bytes:
        """The HMAC key that signs list cursors, read from Secrets Manager once per container."""
        secret = self.client("secretsmanager").get_secret_value(SecretId=settings.get().cursor_key_id)
        return secret["SecretString"].encode()

    @once
    def user_pool(self) -> Dict[str, str]:
        """The pool and app client ids: from settings when deployed, looked up by name on a local stack."""
        config = settings.get()
        if config.user_pool_id and config.user_pool_client_id:
            return {"pool_id": config.user_pool_id, "client_id": config.user_pool_client_id}
        return _find_user_pool(config.user_pool_name)

    # --- repositories ---------------------------------------------------------------------------------

    @once
    def users(self):
        from chalicelib.users.repository import DynamoUsers, UserRecord
        return DynamoUsers(self._bound(UserRecord))

    @once
    def sign_in_attempts(self):
        from chalicelib.users.sessions import DynamoSignInAttempts, SessionRecord
        return DynamoSignInAttempts(self._bound(SessionRecord))

    @once
    def refresh_tokens(self):
        from chalicelib.users.sessions import DynamoRefreshTokens, SessionRecord
        return DynamoRefreshTokens(self._bound(SessionRecord))

    @once
    def catalog(self):
        from chalicelib.products.records import CatalogItem
        from chalicelib.products.repository import DynamoCatalog
        return DynamoCatalog(self._bound(CatalogItem))

    @once
    def stock(self):
        from chalicelib.products.records import CatalogItem
        from chalicelib.products.stock import DynamoStock
        return DynamoStock(self._bound(CatalogItem))

    @once
    def carts(self):
        from chalicelib.orders.carts import DynamoCarts
        from chalicelib.orders.records import CartRecord
        return DynamoCarts(self._bound(CartRecord))

    @once
    def orders(self):
        from chalicelib.orders.records import OrderRecord
        from chalicelib.orders.repository import DynamoOrders
        return DynamoOrders(self._bound(OrderRecord))

    @once
    def checkout(self):
        from chalicelib.orders.checkout import DynamoCheckout
        from chalicelib.orders.records import CartRecord, OrderRecord
        return DynamoCheckout(self._bound(CartRecord, OrderRecord), self.stock)

    @once
    def inbox(self):
        from chalicelib.notifications.repository import DynamoInbox, NotificationRecord
        return DynamoInbox(self._bound(NotificationRecord))

    # --- caches and gateways --------------------------------------------------------------------------

    @once
    def warm_cache(self):
        """Catalog answers (with stock): emptied by every write this container serves."""
        from chalicelib.cache import WarmCache
        config = settings.get()
        return WarmCache(config.cache_ttl_seconds, stale_seconds=config.cache_stale_seconds)

    @once
    def offers(self):
        """Names, prices and flash-sale flags for carts and checkouts: emptied by the admins' catalog writes."""
        from chalicelib.cache import WarmCache
        return WarmCache(settings.get().cache_ttl_seconds, maxsize=4096)

    @once
    def rotation(self):
        from chalicelib.products.takes import Rotation
        return Rotation()

    @once
    def event_queue(self):
        from chalicelib.notifications.gateways import SqsEventQueue
        sqs = self.client("sqs")
        return SqsEventQueue(sqs, sqs.get_queue_url(QueueName=settings.get().notifications_queue)["QueueUrl"])

    @once
    def mailer(self):
        from chalicelib.notifications.gateways import SesMailer
        return SesMailer(self.client("ses"), settings.get().sender_email)

    @once
    def identity(self):
        from chalicelib.users.identity import CognitoIdentity
        return CognitoIdentity(self.client("cognito-idp"), self.user_pool)


def _find_user_pool(name: str) -> Dict[str, str]:
    idp = services().client("cognito-idp")
    pools = idp.list_user_pools(MaxResults=60)["UserPools"]
    pool_id = next(p["Id"] for p in pools if p["Name"] == name)
    clients = idp.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
    return {"pool_id": pool_id, "client_id": clients[0]["ClientId"]}


def _client(service: str):
    from chalicelib import sdk
    return sdk.client(service, settings.get().region)


_services: Optional[Services] = None


def services() -> Services:
    global _services
    if _services is None:
        with _lock:
            if _services is None:
                _services = Services()
    return _services


def reset() -> None:
    global _services
    _services = None
    settings.reset()
