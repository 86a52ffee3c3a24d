"""Token verification and the one authorizer every non-public route uses.

The access token is verified here, the same way under `chalice local`, in tests and in API Gateway:
RS256 only, the pool's key set, the pool's issuer, an access token of our app client, not expired.
Locally the key set comes from the embedded AWS, in AWS from the issuer: one code path.
"""

import json
import os
import threading
import time
from typing import Any, Dict, Optional

from chalice import AuthResponse, Blueprint

from chalicelib import bootstrap, observability, settings

bp = Blueprint(__name__)

# No access token is honoured more than SESSION_SECONDS after Cognito issued it (`iat`), signed out or not.
# API Gateway keeps the authorizer's answer for a token CACHE_SECONDS and serves it without asking again,
# so a token is admitted only while it is young enough for that cached answer, and a clock up to
# LEEWAY_SECONDS fast or slow, to end in time: admitted at most MAX_TOKEN_AGE seconds after `iat`.
SESSION_SECONDS = 900
CACHE_SECONDS = 300
LEEWAY_SECONDS = 5
MAX_TOKEN_AGE = SESSION_SECONDS - CACHE_SECONDS - LEEWAY_SECONDS
_KEYS_REFRESH_SECONDS = 300

_keys: Dict[str, Any] = {}
_keys_fetched_at = 0.0
_keys_lock = threading.Lock()


def refuse_local_endpoint_in_lambda(env=None) -> None:
    """A stray AWS_ENDPOINT_URL in a real Lambda would make it trust moto's published test key.
    (Chalice itself writes AWS_EXECUTION_ENV into every process that builds an app, so the function
    name, which only the Lambda runtime sets, tells a real Lambda.)"""
    env = os.environ if env is None else env
    if env.get("AWS_LAMBDA_FUNCTION_NAME") and env.get("AWS_ENDPOINT_URL"):
        raise RuntimeError("AWS_ENDPOINT_URL is set inside AWS Lambda: refusing to start")


@bp.authorizer(name="token_authorizer", ttl_seconds=CACHE_SECONDS)
def token_authorizer(auth_request):
    claims = verify(auth_request.token or "")
    if claims is None:
        return AuthResponse(routes=[], principal_id="anonymous")
    groups = claims.get("cognito:groups") or []
    return AuthResponse(
        routes=["*"],
        principal_id=claims["sub"],
        context={"user_id": claims["sub"], "groups": ",".join(groups)},
    )


def bearer(header_value: str) -> str:
    """The token of an `Authorization: Bearer <token>` header (the value itself when it has no scheme)."""
    return (
        header_value[7:].strip() if header_value[:7].lower() == "bearer " else header_value.strip()
    )


def verify(header_value: str) -> Optional[Dict[str, Any]]:
    """The token's claims when it is a valid access token of our pool and client, else None."""
    import jwt

    token = bearer(header_value)
    pool = user_pool()
    issuer = _issuer(pool["pool_id"])
    try:
        header = jwt.get_unverified_header(token)
        if header.get("alg") != "RS256":
            return None
        key = _key(header.get("kid", ""), issuer, pool["pool_id"])
        if key is None:
            return None
        claims = jwt.decode(
            token,
            key,
            algorithms=["RS256"],
            issuer=issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "iat", "iss", "sub", "token_use", "client_id"]},
        )
    except jwt.PyJWTError:
        return None
    if claims.get("token_use") != "access" or claims.get("client_id") != pool["client_id"]:
        return None
    if time.time() - claims["iat"] > MAX_TOKEN_AGE:
        return None
    return claims


def _key(kid: str, issuer: str, pool_id: str):
    """The pool's public key for kid, cached per container; an unknown kid refetches (key rotation),
    at most once per refresh interval so a flood of forged kids cannot hammer the key endpoint."""
    global _keys_fetched_at
    if kid in _keys:
        return _keys[kid]
    with _keys_lock:
        stale = time.monotonic() - _keys_fetched_at > _KEYS_REFRESH_SECONDS
        if kid not in _keys and (stale or not _keys):
            try:
                _keys.update(_fetch_keys(_jwks_url(issuer, pool_id)))
            except OSError:
                observability.logger().exception("the pool's key set could not be fetched")
                return None
            _keys_fetched_at = time.monotonic()
    return _keys.get(kid)


def _issuer(pool_id: str) -> str:
    return f"https://cognito-idp.{settings.get().region}.amazonaws.com/{pool_id}"


def _jwks_url(issuer: str, pool_id: str) -> str:
    endpoint = settings.get().aws_endpoint_url
    base = f"{endpoint.rstrip('/')}/{pool_id}" if endpoint else issuer
    return f"{base}/.well-known/jwks.json"


def _fetch_keys(url: str) -> Dict[str, Any]:
    import jwt
    import urllib.request  # only a function that verifies tokens fetches keys (and pays for the import)

    with urllib.request.urlopen(url, timeout=5) as answer:
        document = json.load(answer)
    keys = {}
    for entry in document.get("keys", []):
        try:
            keys[entry["kid"]] = jwt.PyJWK(entry, algorithm="RS256").key
        except (jwt.PyJWTError, KeyError):
            observability.logger().warning(
                "unusable key in the pool's key set", extra={"kid": entry.get("kid")}
            )
    return keys


def user_pool() -> Dict[str, str]:
    """The blueprint's user pool and app client ids, found once per container by the composition root."""
    return bootstrap.services().user_pool


def forget_keys() -> None:
    global _keys_fetched_at
    _keys.clear()
    _keys_fetched_at = 0.0


def prime_keys() -> None:
    """Fetch the pool's key set now (before a SnapStart snapshot) instead of at the first request."""
    pool_id = user_pool()["pool_id"]
    _key("", _issuer(pool_id), pool_id)


def keys_restored() -> None:
    """After a SnapStart restore the key set is as old as the snapshot, whatever the monotonic clock says:
    an unknown kid may refetch at once."""
    global _keys_fetched_at
    _keys_fetched_at = float("-inf")
