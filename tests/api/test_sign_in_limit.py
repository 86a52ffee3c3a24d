"""The sign-in limit (contract v3, issue 23 item 5), through HTTP: 5 failures per email from one source address and
100 across addresses within 15 minutes, then 429 with Retry-After, unknown emails alike, counted before Cognito is
asked. The live server gives each request its connection's address, as API Gateway does: the tests connect from
different loopback addresses (127.0.0.2, 127.0.0.3, ...) to be different clients."""

import http.client
import json
import re
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest

from chalicelib import clock
from tests.conftest import PASSWORD, Api, sign_up_and_in, unique_email
from tests.faults.test_faults import failing

WRONG = "Wrong-Passw0rd"


def sign_in_from(live_url: str, address: str, email: str, password: str):
    """POST /auth/token over a connection from `address` (any 127.x.y.z reaches the loopback server)."""
    host, port = live_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(
        host, int(port), timeout=30, source_address=(address, 0)
    )
    try:
        connection.request(
            "POST",
            "/auth/token",
            body=json.dumps({"email": email, "password": password}),
            headers={"Content-Type": "application/json"},
        )
        answer = connection.getresponse()
        return answer.status, dict(answer.getheaders()), json.loads(answer.read())
    finally:
        connection.close()


@pytest.fixture
def account(client):
    return sign_up_and_in(client)


def test_the_sixth_attempt_from_one_address_is_429_with_retry_after_even_with_the_right_password(
    live_url, account
):
    statuses = [sign_in_from(live_url, "127.0.0.2", account.email, WRONG)[0] for _ in range(5)]
    assert statuses == [401] * 5
    status, headers, body = sign_in_from(live_url, "127.0.0.2", account.email, PASSWORD)
    assert status == 429 and body["Code"] == "TooManyRequestsError"
    assert 850 <= int(headers["Retry-After"]) <= 900 and headers["Cache-Control"] == "no-store"
    # another address may
    assert sign_in_from(live_url, "127.0.0.3", account.email, PASSWORD)[0] == 200


def test_an_unknown_email_is_answered_exactly_as_a_known_one(live_url, account):
    nobody = unique_email("nobody")
    known = [sign_in_from(live_url, "127.0.0.4", account.email, WRONG) for _ in range(6)]
    unknown = [sign_in_from(live_url, "127.0.0.4", nobody, WRONG) for _ in range(6)]
    assert [s for s, _, _ in known] == [401] * 5 + [429] == [s for s, _, _ in unknown]
    without_digits = [
        (s, re.sub(r"[0-9]+", "N", b["Message"]), sorted(h)) for s, h, b in known + unknown
    ]
    assert without_digits[:6] == without_digits[6:]


def test_the_email_is_compared_case_insensitively(live_url, account):
    for spelling in (
        account.email.upper(),
        account.email.title(),
        account.email,
        account.email.upper(),
        account.email.capitalize(),
    ):
        assert sign_in_from(live_url, "127.0.0.5", spelling, WRONG)[0] == 401
    assert sign_in_from(live_url, "127.0.0.5", account.email, PASSWORD)[0] == 429


def test_fifty_parallel_guesses_from_one_address_get_five_answers_from_cognito(live_url, account):
    with ThreadPoolExecutor(50) as pool:
        statuses = list(
            pool.map(
                lambda _: sign_in_from(live_url, "127.0.0.6", account.email, WRONG)[0], range(50)
            )
        )
    assert sorted(statuses) == [401] * 5 + [429] * 45


def test_a_hundred_failures_across_addresses_lock_the_email_from_every_address(
    live_url, client, account
):
    for n in range(20):
        assert [
            sign_in_from(live_url, f"127.0.1.{n + 1}", account.email, WRONG)[0] for _ in range(5)
        ] == [401] * 5
    status, headers, _ = sign_in_from(live_url, "127.0.2.1", account.email, PASSWORD)
    assert status == 429 and int(headers["Retry-After"]) > 0
    other = sign_up_and_in(client)  # another account is not locked
    assert sign_in_from(live_url, "127.0.2.1", other.email, PASSWORD)[0] == 200


def test_the_right_password_is_not_counted(client, account):
    anonymous = Api(client)
    assert [
        anonymous.post("/auth/token", {"email": account.email, "password": PASSWORD}).status_code
        for _ in range(8)
    ] == [200] * 8
    assert [
        anonymous.post("/auth/token", {"email": account.email, "password": WRONG}).status_code
        for _ in range(6)
    ] == [401] * 5 + [429]


def test_after_the_window_the_email_may_try_again(client, account, monkeypatch):
    anonymous = Api(client)
    for _ in range(5):
        anonymous.post("/auth/token", {"email": account.email, "password": WRONG})
    assert (
        anonymous.post("/auth/token", {"email": account.email, "password": PASSWORD}).status_code
        == 429
    )
    later = clock.epoch_seconds() + 15 * 60 + 1
    monkeypatch.setattr(clock, "epoch_seconds", lambda: later)
    assert (
        anonymous.post("/auth/token", {"email": account.email, "password": PASSWORD}).status_code
        == 200
    )


def test_cognitos_own_lockout_is_429(client, account):
    anonymous = Api(client)
    with failing(
        "cognito-idp",
        "InitiateAuth",
        400,
        "NotAuthorizedException",
        times=1,
        message="Password attempts exceeded",
    ):
        refused = anonymous.post("/auth/token", {"email": account.email, "password": PASSWORD})
    assert refused.status_code == 429 and refused.json["Code"] == "TooManyRequestsError"
    assert int(refused.headers["Retry-After"]) > 0
    assert (
        anonymous.post("/auth/token", {"email": account.email, "password": PASSWORD}).status_code
        == 200
    )


def test_the_counters_are_small_expiring_items_that_hold_no_email(client, stack, account):
    Api(client).post("/auth/token", {"email": account.email, "password": WRONG})
    items = boto3.client("dynamodb").scan(TableName="shop-test-sessions")["Items"]
    counters = [i for i in items if i["id"]["S"].startswith("sign-in#")]
    assert counters and all(int(i["expires_at"]["N"]) > clock.epoch_seconds() for i in counters)
    assert account.email.split("@")[0] not in json.dumps(items)
