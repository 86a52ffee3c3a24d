"""The composition root's parts: AWS clients, repositories, caches and gateways, each made on first use, once per
container (bootstrap.Services adds the services built from them). Each is imported where it is made, so a cold
start pays only for the parts its route uses; the types say which port each adapter must fit (mypy checks)."""

import threading
from typing import TYPE_CHECKING, Any, Dict

from chalicelib import settings
from chalicelib.lazy import once

if TYPE_CHECKING:
    from pynamodb.connection import Connection

    from chalicelib.cache import WarmCache
    from chalicelib.notifications.gateways import SesMailer, SqsEventQueue
    from chalicelib.notifications.repository import DynamoInbox
    from chalicelib.orders.cart_repository import DynamoCarts
    from chalicelib.orders.checkout import DynamoCheckout
    from chalicelib.orders.repository import DynamoOrders
    from chalicelib.payments.stripe_provider import StripeProvider
    from chalicelib.products.repository import DynamoCatalog
    from chalicelib.products.stock import DynamoStock
    from chalicelib.products.takes import Rotation
    from chalicelib.users.identity import CognitoIdentity
    from chalicelib.users.repository import DynamoUsers
    from chalicelib.users.sessions import DynamoRefreshTokens, DynamoSignInAttempts

_lock = threading.RLock()


class Adapters:
    # --- AWS ------------------------------------------------------------------------------------------

    @once
    def connection(self) -> "Connection":
        """The DynamoDB connection every model and transaction shares (each repository binds its own models to
        the stage's tables through it, so a function loads only the models it uses)."""
        from chalicelib import storage

        return storage.connection(settings.get().region)

    def _bound(self, *models: Any) -> "Connection":
        """The shared connection, with these models bound to their tables (`table_setting` names the setting)."""
        from chalicelib import storage

        config = settings.get()
        for model in models:
            storage.bind(model, getattr(config, model.table_setting), self.connection)
        return self.connection

    @once
    def dynamodb(self) -> Any:
        """The botocore client behind every DynamoDB call (hooks registered on it see them all)."""
        return self.connection.client

    def client(self, service: str) -> Any:
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
        secret = self.client("secretsmanager").get_secret_value(
            SecretId=settings.get().cursor_key_id
        )
        return secret["SecretString"].encode()

    @once
    def user_pool(self) -> Dict[str, str]:
        """The pool and app client ids: from settings when deployed, looked up by name on a local stack."""
        config = settings.get()
        if config.user_pool_id and config.user_pool_client_id:
            return {"pool_id": config.user_pool_id, "client_id": config.user_pool_client_id}
        from chalicelib.users.identity import find_pool

        return find_pool(self.client("cognito-idp"), config.user_pool_name)

    # --- repositories ---------------------------------------------------------------------------------

    @once
    def users(self) -> "DynamoUsers":
        from chalicelib.users.repository import DynamoUsers, UserRecord

        return DynamoUsers(self._bound(UserRecord))

    @once
    def sign_in_attempts(self) -> "DynamoSignInAttempts":
        from chalicelib.users.sessions import DynamoSignInAttempts, SessionRecord

        return DynamoSignInAttempts(self._bound(SessionRecord))

    @once
    def refresh_tokens(self) -> "DynamoRefreshTokens":
        from chalicelib.users.sessions import DynamoRefreshTokens, SessionRecord

        return DynamoRefreshTokens(self._bound(SessionRecord))

    @once
    def catalog(self) -> "DynamoCatalog":
        from chalicelib.products.records import CatalogItem
        from chalicelib.products.repository import DynamoCatalog

        return DynamoCatalog(self._bound(CatalogItem))

    @once
    def stock(self) -> "DynamoStock":
        from chalicelib.products.records import CatalogItem
        from chalicelib.products.stock import DynamoStock

        return DynamoStock(self._bound(CatalogItem))

    @once
    def carts(self) -> "DynamoCarts":
        from chalicelib.orders.cart_repository import DynamoCarts
        from chalicelib.orders.records import CartRecord

        return DynamoCarts(self._bound(CartRecord), self.catalog)

    @once
    def orders(self) -> "DynamoOrders":
        from chalicelib.orders.records import OrderRecord
        from chalicelib.orders.repository import DynamoOrders

        return DynamoOrders(self._bound(OrderRecord))

    @once
    def checkout_store(self) -> "DynamoCheckout":
        from chalicelib.orders.checkout import DynamoCheckout
        from chalicelib.orders.records import CartRecord, EventRecord, OrderRecord

        return DynamoCheckout(
            self._bound(CartRecord, OrderRecord, EventRecord), self.stock, self.catalog
        )

    @once
    def inbox(self) -> "DynamoInbox":
        from chalicelib.notifications.repository import DynamoInbox, NotificationRecord

        return DynamoInbox(self._bound(NotificationRecord))

    # --- caches and gateways --------------------------------------------------------------------------

    @once
    def warm_cache(self) -> "WarmCache":
        """Catalog answers (with stock): emptied by every write this container serves."""
        from chalicelib.cache import WarmCache

        config = settings.get()
        return WarmCache(config.cache_ttl_seconds, stale_seconds=config.cache_stale_seconds)

    @once
    def offer_cache(self) -> "WarmCache":
        """Names, prices and flash-sale flags for carts and checkouts: emptied by the admins' catalog writes."""
        from chalicelib.cache import WarmCache

        return WarmCache(settings.get().cache_ttl_seconds, maxsize=4096)

    @once
    def rotation(self) -> "Rotation":
        from chalicelib.products.takes import Rotation

        return Rotation()

    @once
    def event_queue(self) -> "SqsEventQueue":
        from chalicelib.notifications.gateways import SqsEventQueue

        sqs = self.client("sqs")
        return SqsEventQueue(
            sqs, sqs.get_queue_url(QueueName=settings.get().notifications_queue)["QueueUrl"]
        )

    @once
    def check_queue(self) -> "SqsEventQueue":
        """The reservations' checks, each held back past the lease (orders/checks.py)."""
        from chalicelib.notifications.gateways import SqsEventQueue

        config, sqs = settings.get(), self.client("sqs")
        return SqsEventQueue(
            sqs,
            sqs.get_queue_url(QueueName=config.reservation_checks_queue)["QueueUrl"],
            delay_seconds=config.reservation_check_delay_seconds,
        )

    @once
    def mailer(self) -> "SesMailer":
        from chalicelib.notifications.gateways import SesMailer

        return SesMailer(self.client("ses"), settings.get().sender_email)

    @once
    def sold_out(self) -> "WarmCache":
        """Flash-sale products a checkout found with no unit left, for one second."""
        from chalicelib.cache import WarmCache

        return WarmCache(1, maxsize=1024)

    @once
    def payments(self) -> "StripeProvider":
        from chalicelib.payments.stripe_provider import StripeProvider

        return StripeProvider(
            lambda: self.stripe_secrets["secret_key"],
            lambda: self.stripe_secrets["webhook_secret"],
            settings.get().stripe_api_base,
        )

    @once
    def stripe_secrets(self) -> Dict[str, str]:
        """Stripe's secret key and webhook signing secret: from Secrets Manager in AWS, read once per container
        (only the functions that call Stripe may read that secret); from the environment on the local stack."""
        config = settings.get()
        if not config.stripe_secret_id:
            return {
                "secret_key": config.stripe_secret_key,
                "webhook_secret": config.stripe_webhook_secret,
            }
        import json

        secret = self.client("secretsmanager").get_secret_value(SecretId=config.stripe_secret_id)
        return json.loads(secret["SecretString"])

    @once
    def identity(self) -> "CognitoIdentity":
        from chalicelib.users.identity import CognitoIdentity

        return CognitoIdentity(self.client("cognito-idp"), self.user_pool)


def _client(service: str):
    from chalicelib import sdk

    return sdk.client(service, settings.get().region)
