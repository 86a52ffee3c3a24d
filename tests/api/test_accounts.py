import base64
import json

import boto3
import pytest

from tests import tokens
from tests.conftest import PASSWORD, Api, unique_email


def test_sign_up_then_sign_in_then_read_and_rename_the_profile(client):
    email = unique_email()
    anonymous = Api(client)
    created = anonymous.post(
        "/users", {"email": email, "password": PASSWORD, "name": "Ada Lovelace"}
    )
    assert created.status_code == 201
    assert created.json["email"] == email and created.json["roles"] == ["customer"]
    assert created.json["created_at"].endswith("Z")
    signed_in = anonymous.post("/auth/token", {"email": email, "password": PASSWORD})
    assert signed_in.status_code == 200 and signed_in.json["token_type"] == "Bearer"
    me = Api(client, signed_in.json["access_token"])
    assert me.get("/users/me").json == created.json
    renamed = me.patch("/users/me", {"name": "Countess Lovelace"})
    assert renamed.status_code == 200 and renamed.json["name"] == "Countess Lovelace"
    assert me.get("/users/me").json["name"] == "Countess Lovelace"


def test_refresh_token_gives_a_working_access_token(client, shopper):
    refreshed = Api(client).post("/auth/token", {"refresh_token": shopper.tokens["refresh_token"]})
    assert (
        refreshed.status_code == 200
        and refreshed.json["refresh_token"] == shopper.tokens["refresh_token"]
    )
    assert (
        Api(client, refreshed.json["access_token"]).get("/users/me").json["id"] == shopper.user_id
    )


def test_a_bad_refresh_token_is_401(anonymous):
    assert anonymous.post("/auth/token", {"refresh_token": "not-a-token"}).status_code == 401


def test_sign_in_needs_either_a_password_or_a_refresh_token(anonymous):
    response = anonymous.post("/auth/token", {"email": "a@example.com"})
    assert response.status_code == 400


def test_admins_have_the_admin_role(admin):
    assert admin.get("/users/me").json["roles"] == ["customer", "admin"]


def test_a_taken_email_is_409(client, shopper):
    again = Api(client).post(
        "/users", {"email": shopper.email, "password": "Other-Passw0rd", "name": "Mallory"}
    )
    assert again.status_code == 409 and again.json["Code"] == "ConflictError"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"email": "not-an-email", "password": PASSWORD, "name": "Ada"}, "email"),
        ({"email": "weak@example.com", "password": "password", "name": "Ada"}, "password"),
        ({"email": "short@example.com", "password": "Sh0rt", "name": "Ada"}, "password"),
        ({"email": "empty@example.com", "password": PASSWORD, "name": "   "}, "name"),
        ({"email": "empty@example.com", "password": PASSWORD, "name": ""}, "name"),
        (
            {"email": "extra@example.com", "password": PASSWORD, "name": "Ada", "roles": ["admin"]},
            "roles",
        ),
        ({"email": "missing@example.com", "name": "Ada"}, "password"),
    ],
)
def test_invalid_sign_ups_are_400_naming_the_field(anonymous, body, field):
    response = anonymous.post("/users", body)
    assert response.status_code == 400, response.body
    assert f"`{field}`" in response.json["Message"]


def test_wrong_password_and_unknown_email_get_the_same_401(anonymous, shopper):
    wrong = anonymous.post("/auth/token", {"email": shopper.email, "password": "Wrong-Passw0rd"})
    unknown = anonymous.post("/auth/token", {"email": unknown_email(), "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json == unknown.json


def unknown_email():
    return unique_email("nobody")


def test_renaming_accepts_only_the_name(shopper):
    assert shopper.patch("/users/me", {"email": "new@example.com"}).status_code == 400
    assert shopper.patch("/users/me", {"name": "Ada", "roles": ["admin"]}).status_code == 400
    assert shopper.patch("/users/me", {"name": ""}).status_code == 400


def test_a_lost_profile_write_is_repaired_by_the_first_authenticated_request(client, stack):
    email = unique_email("lost")
    idp = boto3.client("cognito-idp")
    idp.sign_up(
        ClientId=stack.client_id,
        Username=email,
        Password=PASSWORD,
        UserAttributes=[
            {"Name": "email", "Value": email},
            {"Name": "name", "Value": "Lost Profile"},
        ],
    )
    idp.admin_confirm_sign_up(UserPoolId=stack.pool_id, Username=email)
    token = (
        Api(client).post("/auth/token", {"email": email, "password": PASSWORD}).json["access_token"]
    )
    me = Api(client, token).get("/users/me")
    assert me.status_code == 200 and me.json["email"] == email and me.json["name"] == "Lost Profile"


def test_a_lost_profile_write_is_repaired_by_signing_up_again_with_the_same_password(client, stack):
    email = unique_email("retry")
    boto3.client("cognito-idp").sign_up(
        ClientId=stack.client_id,
        Username=email,
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": email}],
    )
    anonymous = Api(client)
    assert (
        anonymous.post(
            "/users", {"email": email, "password": "Other-Passw0rd1", "name": "Thief"}
        ).status_code
        == 409
    )
    retried = anonymous.post("/users", {"email": email, "password": PASSWORD, "name": "Retry Ada"})
    assert retried.status_code == 201 and retried.json["email"] == email
    assert anonymous.post("/auth/token", {"email": email, "password": PASSWORD}).status_code == 200


# --- the authorizer -------------------------------------------------------------------------------


def test_no_token_is_401(anonymous):
    assert anonymous.get("/users/me").status_code == 401


def test_a_bare_token_without_bearer_is_accepted(client, shopper):
    response = client.http.get("/users/me", headers={"Authorization": shopper.token})
    assert response.status_code == 200


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["cognito:groups"] = ["admin"]
    return f"{header}.{_b64(claims)}.{signature}"


def _alg_none(token: str) -> str:
    _, payload, _ = token.split(".")
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{payload}."


def _hs256_with_public_key(token: str) -> str:
    import jwt

    claims = jwt.decode(token, options={"verify_signature": False})
    return jwt.encode(
        claims, "the-public-key-as-an-hmac-secret-32b", algorithm="HS256", headers={"kid": "dummy"}
    )


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(_tampered, id="payload-tampered-admin-added"),
        pytest.param(_alg_none, id="alg-none"),
        pytest.param(_hs256_with_public_key, id="hs256"),
        pytest.param(lambda t: "garbage", id="garbage"),
        pytest.param(lambda t: t[:-10], id="truncated-signature"),
        pytest.param(lambda t: t + "x", id="signature-extended"),
    ],
)
def test_forged_tokens_are_403(client, shopper, forge):
    assert Api(client, forge(shopper.token)).get("/users/me").status_code == 403


@pytest.mark.parametrize(
    "claims",
    [
        pytest.param({"exp": 1_000_000}, id="expired"),
        pytest.param(
            {"iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_otherpool"},
            id="other-pool",
        ),
        pytest.param({"client_id": "another-client"}, id="other-client"),
        pytest.param({"token_use": "id"}, id="id-token"),
        pytest.param({"client_id": None}, id="no-client"),
    ],
)
def test_tokens_signed_by_the_right_key_but_wrong_in_their_claims_are_403(
    client, stack, shopper, claims
):
    genuine = tokens.mint(stack.pool_id, stack.client_id, sub=shopper.user_id)
    assert Api(client, genuine).get("/users/me").status_code == 200
    forged = tokens.mint(stack.pool_id, stack.client_id, sub=shopper.user_id, **claims)
    assert Api(client, forged).get("/users/me").status_code == 403


def test_an_id_token_is_not_an_access_token(client, shopper):
    assert Api(client, shopper.tokens["id_token"]).get("/users/me").status_code == 403


def test_the_function_refuses_to_start_in_lambda_with_a_local_endpoint():
    from chalicelib import auth

    with pytest.raises(RuntimeError):
        auth.refuse_local_endpoint_in_lambda(
            {"AWS_LAMBDA_FUNCTION_NAME": "shop-prod-x", "AWS_ENDPOINT_URL": "http://127.0.0.1:4566"}
        )
    auth.refuse_local_endpoint_in_lambda({"AWS_LAMBDA_FUNCTION_NAME": "shop-prod-x"})
    auth.refuse_local_endpoint_in_lambda({"AWS_ENDPOINT_URL": "http://127.0.0.1:4566"})
