"""The identity provider (an Amazon Cognito user pool) behind a small interface in the shop's terms."""

import base64
import re
from dataclasses import dataclass
from typing import Dict, Optional

import msgspec

from chalicelib import errors
from chalicelib.users.model import email_taken

BAD_LOGIN = "email or password is incorrect"
LOCKED_OUT = (
    "Password attempts exceeded"  # NotAuthorizedException's message when Cognito locks a user out
)
# Cognito does not say how long: its lockout starts at a second and doubles with each failure, up to 15 minutes
LOCKOUT_SECONDS = 60
REFRESH_TOKEN = re.compile(r"[A-Za-z0-9_=.-]{1,8192}")  # RevokeToken's pattern for a token


@dataclass(frozen=True)
class Tokens:
    access_token: str
    id_token: str
    refresh_token: str
    expires_in: int
    subject: str = ""  # the user they were issued to (the access token's `sub`)


@dataclass(frozen=True)
class Account:
    id: str
    email: str
    name: str
    confirmed: bool


class CognitoIdentity:
    def __init__(self, client, pool: Dict[str, str]) -> None:
        self._idp = client
        self._pool_id = pool["pool_id"]
        self._client_id = pool["client_id"]

    def sign_up(self, email: str, password: str, name: str) -> str:
        try:
            answer = self._idp.sign_up(
                ClientId=self._client_id,
                Username=email,
                Password=password,
                UserAttributes=[{"Name": "email", "Value": email}, {"Name": "name", "Value": name}],
            )
        except self._idp.exceptions.UsernameExistsException as exc:
            raise email_taken(email) from exc
        except self._idp.exceptions.InvalidPasswordException as exc:
            raise errors.InvalidInput(f"field `password`: {_message(exc)}") from exc
        except self._idp.exceptions.InvalidParameterException as exc:
            # Cognito's message quotes the value whole: the address is what it checks beyond the shop's rules
            # (the name passed them, the password has its own exception)
            raise errors.InvalidInput(
                "field `email`: not an address the identity provider accepts"
            ) from exc
        return answer["UserSub"]

    def confirm_now(self, email: str) -> None:
        self._idp.admin_confirm_sign_up(UserPoolId=self._pool_id, Username=email)

    def confirm_with_code(self, email: str, code: str) -> None:
        try:
            self._idp.confirm_sign_up(
                ClientId=self._client_id, Username=email, ConfirmationCode=code
            )
        except (
            self._idp.exceptions.CodeMismatchException,
            self._idp.exceptions.ExpiredCodeException,
            self._idp.exceptions.UserNotFoundException,
            self._idp.exceptions.NotAuthorizedException,
        ) as exc:
            raise errors.InvalidInput("field `code`: the code is wrong or has expired") from exc

    def account(self, email: str) -> Optional[Account]:
        try:
            user = self._idp.admin_get_user(UserPoolId=self._pool_id, Username=email)
        except self._idp.exceptions.UserNotFoundException:
            return None
        attributes = {a["Name"]: a["Value"] for a in user.get("UserAttributes", [])}
        return Account(
            id=attributes.get("sub", user["Username"]),
            email=attributes.get("email", email),
            name=attributes.get("name", ""),
            confirmed=user.get("UserStatus") == "CONFIRMED",
        )

    def account_of_token(self, access_token: str) -> Account:
        try:
            user = self._idp.get_user(AccessToken=access_token)
        except (
            self._idp.exceptions.NotAuthorizedException,
            self._idp.exceptions.UserNotFoundException,
        ) as exc:
            raise errors.Forbidden("the token's user no longer exists or signed out") from exc
        attributes = {a["Name"]: a["Value"] for a in user.get("UserAttributes", [])}
        return Account(
            id=attributes["sub"],
            email=attributes.get("email", ""),
            name=attributes.get("name", ""),
            confirmed=True,
        )

    def sign_in(self, email: str, password: str) -> Tokens:
        return self._tokens(
            "USER_PASSWORD_AUTH", {"USERNAME": email, "PASSWORD": password}, BAD_LOGIN
        )

    def refresh(self, refresh_token: str) -> Tokens:
        tokens = self._tokens(
            "REFRESH_TOKEN_AUTH",
            {"REFRESH_TOKEN": refresh_token},
            "the refresh token is invalid or has expired",
        )
        return Tokens(
            tokens.access_token,
            tokens.id_token,
            tokens.refresh_token or refresh_token,
            tokens.expires_in,
            tokens.subject,
        )

    def revoke(self, refresh_token: str) -> None:
        """End the session of this refresh token: Cognito refuses it from now on, and the access tokens it
        issued for its own APIs. Other sessions of the user go on. A token Cognito does not know, or
        already revoked, ends nothing and is no error."""
        if not REFRESH_TOKEN.fullmatch(refresh_token):
            return  # not even shaped like a Cognito token: nothing of ours to revoke
        idp = self._idp
        try:
            idp.revoke_token(Token=refresh_token, ClientId=self._client_id)
        except (
            idp.exceptions.NotAuthorizedException,
            idp.exceptions.InvalidParameterException,
            idp.exceptions.UnsupportedTokenTypeException,
        ):
            return
        except idp.exceptions.TooManyRequestsException as exc:
            raise errors.TooManyRequests("too many attempts; wait a moment and try again") from exc

    def _tokens(self, flow: str, parameters: Dict[str, str], refusal: str) -> Tokens:
        idp = self._idp
        try:
            answer = idp.initiate_auth(
                ClientId=self._client_id, AuthFlow=flow, AuthParameters=parameters
            )
        except idp.exceptions.NotAuthorizedException as exc:
            if LOCKED_OUT in _message(exc):  # Cognito's own lockout after repeated failures
                raise errors.TooManyRequests(
                    "too many failed sign-ins for this email; try again later",
                    retry_after=LOCKOUT_SECONDS,
                ) from exc
            raise errors.Unauthenticated(refusal) from exc
        except (
            idp.exceptions.UserNotFoundException,
            idp.exceptions.InvalidParameterException,
        ) as exc:
            raise errors.Unauthenticated(refusal) from exc
        except idp.exceptions.UserNotConfirmedException as exc:
            raise errors.Forbidden(
                "this account is not confirmed yet: confirm the emailed code first"
            ) from exc
        except idp.exceptions.PasswordResetRequiredException as exc:
            raise errors.Forbidden("this account needs a password reset") from exc
        except (
            idp.exceptions.TooManyRequestsException,
            idp.exceptions.LimitExceededException,
            idp.exceptions.TooManyFailedAttemptsException,
        ) as exc:
            raise errors.TooManyRequests("too many attempts; wait a moment and try again") from exc
        result = answer.get("AuthenticationResult")
        if not result:
            raise errors.Unauthenticated(
                f"sign-in needs a further step ({answer.get('ChallengeName')})"
            )
        return Tokens(
            access_token=result["AccessToken"],
            id_token=result.get("IdToken", ""),
            refresh_token=result.get("RefreshToken", ""),
            expires_in=result.get("ExpiresIn", 3600),
            subject=_subject(result["AccessToken"]),
        )


def _subject(access_token: str) -> str:
    """The `sub` of a token Cognito has just issued to us (read, not verified: it came straight from Cognito)."""
    payload = access_token.split(".")[1]
    return str(
        msgspec.json.decode(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))).get(
            "sub", ""
        )
    )


def find_pool(idp, name: str) -> Dict[str, str]:
    """A pool's and its app client's ids, by the pool's name (the local stack's way; a stage's settings name them)."""
    pools = idp.list_user_pools(MaxResults=60)["UserPools"]
    pool_id = next(p["Id"] for p in pools if p["Name"] == name)
    clients = idp.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
    return {"pool_id": pool_id, "client_id": clients[0]["ClientId"]}


def _message(exc: Exception) -> str:
    return getattr(exc, "response", {}).get("Error", {}).get("Message", str(exc))
