"""Sessions end (contract v2, defect 4): sign-out revokes the refresh token, access tokens are admitted at
most auth.MAX_TOKEN_AGE seconds after they were issued, and API Gateway's authorizer cache cannot stretch
that past 15 minutes."""

import hashlib
import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from chalicelib import auth
from tests import tokens
from tests.conftest import PASSWORD, Api, sign_up_and_in


def _refresh(client, refresh_token):
    return Api(client).post("/auth/token", {"refresh_token": refresh_token})


def test_after_sign_out_the_refresh_token_is_refused(client, shopper):
    refresh_token = shopper.tokens["refresh_token"]
    assert _refresh(client, refresh_token).status_code == 200
    signed_out = shopper.post("/auth/sign-out", {"refresh_token": refresh_token})
    assert signed_out.status_code == 204 and not signed_out.body
    refused = _refresh(client, refresh_token)
    assert refused.status_code == 401 and refused.json["Code"] == "UnauthorizedError"


def test_signing_out_ends_only_that_session(client, shopper):
    laptop = Api(client).post("/auth/token", {"email": shopper.email, "password": PASSWORD}).json
    assert (
        shopper.post(
            "/auth/sign-out", {"refresh_token": shopper.tokens["refresh_token"]}
        ).status_code
        == 204
    )
    assert _refresh(client, laptop["refresh_token"]).status_code == 200


@pytest.mark.parametrize(
    "refresh_token",
    [
        "not-a-token",
        "ä-not-even-ascii",
        "a.b.c",
        "\u202e",
        pytest.param("x" * 8192, id="8192-chars"),
    ],
)
def test_signing_out_an_unknown_token_is_204(shopper, refresh_token):
    assert shopper.post("/auth/sign-out", {"refresh_token": refresh_token}).status_code == 204


def test_signing_out_twice_is_204_both_times(shopper):
    body = {"refresh_token": shopper.tokens["refresh_token"]}
    assert [shopper.post("/auth/sign-out", body).status_code for _ in range(2)] == [204, 204]


def test_concurrent_sign_outs_all_answer_204(client, live_url):
    signed_in = sign_up_and_in(client)
    headers = {"Authorization": f"Bearer {signed_in.token}", "Content-Type": "application/json"}
    body = {"refresh_token": signed_in.tokens["refresh_token"]}
    with ThreadPoolExecutor(8) as pool:
        statuses = list(
            pool.map(
                lambda _: (
                    requests.post(
                        f"{live_url}/auth/sign-out", json=body, headers=headers, timeout=30
                    ).status_code
                ),
                range(8),
            )
        )
    assert statuses == [204] * 8
    assert _refresh(client, body["refresh_token"]).status_code == 401


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "refresh_token"),
        ({"refresh_token": ""}, "refresh_token"),
        ({"refresh_token": 42}, "refresh_token"),
        ({"refresh_token": "x", "everywhere": True}, "everywhere"),
        ({"refresh_token": "x" * 8193}, "refresh_token"),
    ],
)
def test_a_bad_sign_out_body_is_400_naming_the_field(shopper, body, field):
    response = shopper.post("/auth/sign-out", body)
    assert response.status_code == 400 and f"`{field}`" in response.json["Message"], response.body


def test_signing_out_needs_a_token(anonymous, shopper):
    assert (
        anonymous.post(
            "/auth/sign-out", {"refresh_token": shopper.tokens["refresh_token"]}
        ).status_code
        == 401
    )


# --- how long an access token is admitted ---------------------------------------------------------


def test_tokens_say_they_expire_when_the_authorizer_stops_admitting_them(client, shopper):
    assert shopper.tokens["expires_in"] <= 900
    assert (
        shopper.tokens["expires_in"]
        == _refresh(client, shopper.tokens["refresh_token"]).json["expires_in"]
        == getattr(auth, "MAX_TOKEN_AGE", None)
    )


@pytest.mark.parametrize(
    "age, status", [(0, 200), (580, 200), (600, 403), (16 * 60, 403), (50 * 60, 403)]
)
def test_the_authorizer_admits_a_token_by_its_age_whatever_its_expiry(
    client, stack, shopper, age, status
):
    now = int(time.time())
    token = tokens.mint(
        stack.pool_id, stack.client_id, sub=shopper.user_id, iat=now - age, exp=now + 3600
    )
    assert Api(client, token).get("/users/me").status_code == status


def test_a_token_without_an_issue_time_is_refused(client, stack, shopper):
    assert (
        Api(client, tokens.mint(stack.pool_id, stack.client_id, sub=shopper.user_id, iat=None))
        .get("/users/me")
        .status_code
        == 403
    )


def test_the_authorizer_cache_cannot_stretch_a_token_past_15_minutes(app):
    """API Gateway serves the authorizer's cached answer ttl_seconds after it admitted a token: the last
    admission (MAX_TOKEN_AGE after `iat`, by a clock up to LEEWAY_SECONDS off) plus that must stay within 900 s."""
    (config,) = [c for c in app.builtin_auth_handlers if c.name == "token_authorizer"]
    assert config.ttl_seconds == auth.CACHE_SECONDS
    assert (
        auth.MAX_TOKEN_AGE + auth.LEEWAY_SECONDS + config.ttl_seconds <= auth.SESSION_SECONDS == 900
    )


def test_the_pool_issues_tokens_that_expire_before_a_cached_answer_could_outlive_15_minutes():
    from devstack import template

    (client,) = template.resources_of_type(template.load(), "AWS::Cognito::UserPoolClient").values()
    properties = client["Properties"]
    seconds = {"seconds": 1, "minutes": 60, "hours": 3600}[
        properties["TokenValidityUnits"]["AccessToken"]
    ]
    validity = properties["AccessTokenValidity"] * seconds
    assert validity + auth.CACHE_SECONDS <= auth.SESSION_SECONDS
    assert properties["EnableTokenRevocation"] is True


# --- only the caller's own (contract v3, issue 23 item 7) ------------------------------------------


def test_signing_out_another_users_refresh_token_is_204_and_it_stays_valid(
    client, shopper, other_shopper
):
    victims = other_shopper.tokens["refresh_token"]
    answer = shopper.post("/auth/sign-out", {"refresh_token": victims})
    assert answer.status_code == 204 and not answer.body
    refreshed = _refresh(client, victims)
    assert refreshed.status_code == 200
    assert (
        Api(client, refreshed.json["access_token"]).get("/users/me").json["id"]
        == other_shopper.user_id
    )
    assert other_shopper.post("/auth/sign-out", {"refresh_token": victims}).status_code == 204
    assert _refresh(client, victims).status_code == 401  # its owner still can


def test_over_http_signing_out_another_users_token_leaves_it_valid_and_ones_own_ends_it(
    client, live_url
):
    caller, victim = sign_up_and_in(client), sign_up_and_in(client, name="Grace Hopper")

    def post(path, body, token=None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return requests.post(f"{live_url}{path}", json=body, headers=headers, timeout=30)

    victims = {"refresh_token": victim.tokens["refresh_token"]}
    answer = post("/auth/sign-out", victims, caller.token)
    assert answer.status_code == 204 and not answer.content
    assert post("/auth/token", victims).status_code == 200
    own = {"refresh_token": caller.tokens["refresh_token"]}
    assert post("/auth/sign-out", own, caller.token).status_code == 204
    refused = post("/auth/token", own)
    assert refused.status_code == 401 and refused.json()["Code"] == "UnauthorizedError"


def test_the_shop_keeps_a_hash_of_each_refresh_token_with_its_owner_never_the_token(stack, shopper):
    import boto3

    token = shopper.tokens["refresh_token"]
    key = {"id": {"S": "refresh#" + hashlib.sha256(token.encode()).hexdigest()}}
    item = boto3.client("dynamodb").get_item(TableName="shop-test-sessions", Key=key)["Item"]
    assert (
        item["subject"]["S"] == shopper.user_id
        and int(item["expires_at"]["N"]) > time.time() + 29 * 86400
    )
    scanned = json.dumps(boto3.client("dynamodb").scan(TableName="shop-test-sessions")["Items"])
    assert token not in scanned and token[:40] not in scanned


def test_a_token_whose_owner_is_not_on_record_is_recorded_at_its_next_refresh(
    client, stack, shopper
):
    import boto3

    token = shopper.tokens["refresh_token"]
    boto3.client("dynamodb").delete_item(
        TableName="shop-test-sessions",
        Key={"id": {"S": "refresh#" + hashlib.sha256(token.encode()).hexdigest()}},
    )
    assert shopper.post("/auth/sign-out", {"refresh_token": token}).status_code == 204
    # not known to be the caller's: nothing was revoked
    assert _refresh(client, token).status_code == 200
    assert shopper.post("/auth/sign-out", {"refresh_token": token}).status_code == 204
    assert _refresh(client, token).status_code == 401


def test_owners_are_kept_as_long_as_the_pool_honours_a_refresh_token():
    from chalicelib.users.model import REFRESH_TOKEN_SECONDS
    from devstack import template

    (client,) = template.resources_of_type(template.load(), "AWS::Cognito::UserPoolClient").values()
    properties = client["Properties"]
    assert properties["TokenValidityUnits"]["RefreshToken"] == "days"
    assert REFRESH_TOKEN_SECONDS == properties["RefreshTokenValidity"] * 86400


def test_sign_out_reads_the_tokens_owner_with_a_strongly_consistent_read(shopper):
    """A sign-out right after sign-in must find the owner the sign-in just wrote: an eventually consistent
    read on DynamoDB may not see it yet, and then nothing would be revoked (moto is always consistent, so the
    request's own parameters are what shows it)."""
    import contextvars

    from chalicelib import bootstrap

    token = shopper.tokens["refresh_token"]
    key = "refresh#" + hashlib.sha256(token.encode()).hexdigest()
    reads = []
    # only this request's reads: the event pump's, in its own thread, use the same client
    mine: contextvars.ContextVar = contextvars.ContextVar("mine", default=False)

    def record(params, **_):
        if mine.get() and params.get("Key", {}).get("id", {}).get("S") == key:
            reads.append(params)

    events = bootstrap.services().dynamodb.meta.events
    events.register("before-parameter-build.dynamodb.GetItem", record)
    marked = mine.set(True)
    try:
        assert shopper.post("/auth/sign-out", {"refresh_token": token}).status_code == 204
    finally:
        mine.reset(marked)
        events.unregister("before-parameter-build.dynamodb.GetItem", record)
    assert reads and all(read.get("ConsistentRead") is True for read in reads), reads
