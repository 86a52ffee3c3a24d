"""Mint access tokens with moto's private key (it ships in the moto package): tests prove with them that the
authorizer's own checks (issuer, expiry, age, client, token use) refuse what the signature alone would pass;
benchmarks make many shoppers without signing each up through Cognito. Works only against the embedded AWS."""

import functools
import gzip
import json
import pathlib
import time

import jwt
import moto


@functools.lru_cache(maxsize=1)
def private_key():
    path = pathlib.Path(moto.__file__).parent / "cognitoidp" / "resources" / "jwks-private.json.gz"
    return jwt.PyJWK(json.loads(gzip.decompress(path.read_bytes())), algorithm="RS256").key


def mint(
    pool_id: str, app_client: str, sub: str = "11111111-2222-3333-4444-555555555555", **overrides
) -> str:
    now = int(time.time())
    claims = {
        "iss": f"https://cognito-idp.us-east-1.amazonaws.com/{pool_id}",
        "sub": sub,
        "client_id": app_client,
        "token_use": "access",
        "iat": now,
        "exp": now + 600,
        "username": sub,
    }
    claims.update(overrides)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, private_key(), algorithm="RS256", headers={"kid": "dummy"})
