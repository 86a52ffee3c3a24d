"""Typed settings, read from the environment on first use (never at import)."""

import functools
import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    stage: str
    region: str
    users_table: str
    products_table: str
    carts_table: str
    orders_table: str
    notifications_table: str
    payments_table: str
    sessions_table: str
    notifications_queue: str
    reservation_checks_queue: str
    reservation_check_delay_seconds: int
    cursor_key_id: str
    user_pool_name: str
    user_pool_id: str
    user_pool_client_id: str
    aws_endpoint_url: str
    auto_confirm: bool
    currency: str
    sender_email: str
    cache_ttl_seconds: int
    cache_max_age_seconds: int
    cache_stale_seconds: int
    partial_batch_response: bool
    stripe_secret_key: str
    stripe_api_base: str
    stripe_webhook_secret: str
    stripe_secret_id: str
    stripe_publishable_key: str


def _flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


def from_environ(env=None) -> Settings:
    env = os.environ if env is None else env
    stripe_api_base = env.get("SHOP_STRIPE_API_BASE", "")
    stage = env.get("SHOP_STAGE", "dev")
    prefix = f"shop-{stage}"
    return Settings(
        stage=stage,
        region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
        users_table=env.get("SHOP_USERS_TABLE", f"{prefix}-users"),
        products_table=env.get("SHOP_PRODUCTS_TABLE", f"{prefix}-products"),
        carts_table=env.get("SHOP_CARTS_TABLE", f"{prefix}-carts"),
        orders_table=env.get("SHOP_ORDERS_TABLE", f"{prefix}-orders"),
        notifications_table=env.get("SHOP_NOTIFICATIONS_TABLE", f"{prefix}-notifications"),
        payments_table=env.get("SHOP_PAYMENTS_TABLE", f"{prefix}-payments"),
        sessions_table=env.get("SHOP_SESSIONS_TABLE", f"{prefix}-sessions"),
        notifications_queue=env.get("SHOP_NOTIFICATIONS_QUEUE", f"{prefix}-notifications"),
        reservation_checks_queue=env.get(
            "SHOP_RESERVATION_CHECKS_QUEUE", f"{prefix}-reservation-checks"
        ),
        # how long a reservation's check waits (past the 60 s lease; SQS takes at most 900)
        reservation_check_delay_seconds=min(
            900, int(env.get("SHOP_RESERVATION_CHECK_DELAY_SECONDS", "90"))
        ),
        cursor_key_id=env.get("SHOP_CURSOR_KEY_ID", f"{prefix}-cursor-key"),
        user_pool_name=env.get("SHOP_USER_POOL_NAME", prefix),
        user_pool_id=env.get("SHOP_USER_POOL_ID", ""),
        user_pool_client_id=env.get("SHOP_USER_POOL_CLIENT_ID", ""),
        aws_endpoint_url=env.get("AWS_ENDPOINT_URL", ""),
        auto_confirm=_flag(env.get("SHOP_AUTO_CONFIRM", "false")),
        currency=env.get("SHOP_CURRENCY", "USD"),
        sender_email=env.get("SHOP_SENDER_EMAIL", "shop@example.com"),
        cache_ttl_seconds=int(env.get("SHOP_CACHE_TTL_SECONDS", "30")),
        cache_max_age_seconds=int(env.get("SHOP_CACHE_MAX_AGE_SECONDS", "30")),
        # how long a warm function may answer a catalog read it served from that copy while DynamoDB fails
        cache_stale_seconds=int(env.get("SHOP_CACHE_STALE_SECONDS", "600")),
        # whether the SQS event source mapping has ReportBatchItemFailures (the SAM template sets it)
        partial_batch_response=_flag(env.get("SHOP_PARTIAL_BATCH_RESPONSE", "false")),
        # Stripe: the local stack points these at localstripe (devstack/stripe.py); empty base = Stripe's own
        stripe_secret_key=env.get("STRIPE_SECRET_KEY", "sk_test_local"),
        stripe_api_base=stripe_api_base,
        stripe_webhook_secret=env.get("STRIPE_WEBHOOK_SECRET", "whsec_local"),
        # in AWS: the Secrets Manager secret holding both (JSON: secret_key, webhook_secret); empty: the two above
        stripe_secret_id=env.get("SHOP_STRIPE_SECRET_ID", ""),
        # the storefront's Stripe.js key: public by design (a stage's environment in .chalice/config.json);
        # localstripe takes any pk_ key, Stripe's own none but the account's, so there is no default there
        stripe_publishable_key=env.get(
            "STRIPE_PUBLISHABLE_KEY", "pk_test_local" if stripe_api_base else ""
        ),
    )


@functools.lru_cache(maxsize=1)
def get() -> Settings:
    return from_environ()


def reset() -> None:
    get.cache_clear()
