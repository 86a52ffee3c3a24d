"""Accounts: sign-up, confirmation, tokens and the caller's profile."""

from typing import Annotated, List, Optional

import msgspec
from chalice import Blueprint

from chalicelib import auth, bootstrap, errors
from chalicelib.http import responses
from chalicelib.http import request as parse
from chalicelib.http.request import Caller
from chalicelib.http.routing import route
from chalicelib.users.service import Accounts, Session
from chalicelib.users.model import EMAIL, MAX_EMAIL, MAX_NAME, MAX_PASSWORD

bp = Blueprint(__name__)

Email = Annotated[
    str,
    msgspec.Meta(
        min_length=3, max_length=MAX_EMAIL, pattern=EMAIL.pattern, description="an email address"
    ),
]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_NAME)]
Password = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_PASSWORD)]


class SignUp(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    password: Password
    name: Name


class Confirmation(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class TokenRequest(msgspec.Struct, forbid_unknown_fields=True):
    """Either email and password, or a refresh token."""

    email: Optional[Email] = None
    password: Optional[Password] = None
    refresh_token: Optional[Annotated[str, msgspec.Meta(min_length=1, max_length=8192)]] = None


class SignOut(msgspec.Struct, forbid_unknown_fields=True):
    refresh_token: Annotated[str, msgspec.Meta(min_length=1, max_length=8192)]


class Rename(msgspec.Struct, forbid_unknown_fields=True):
    name: Name


class ProfileOut(msgspec.Struct):
    id: str
    email: str
    name: str
    roles: List[str]
    created_at: str


class TokensOut(msgspec.Struct):
    access_token: str
    id_token: str
    refresh_token: str
    token_type: str
    expires_in: int


IDENTITY = (
    "cognito-idp:SignUp",
    "cognito-idp:AdminConfirmSignUp?auto_confirm",
    "cognito-idp:AdminGetUser",
    "cognito-idp:InitiateAuth",
    "dynamodb:PutItem:users",
    "dynamodb:GetItem:users",
)


@route(
    bp,
    "/users",
    "POST",
    "Create an account",
    public=True,
    request=SignUp,
    response=ProfileOut,
    status=201,
    errors=(400, 409),
    needs=IDENTITY,
)
def sign_up(request, form):
    profile = accounts().register(form.email, form.password, form.name)
    return responses.answer(_profile(profile), status=201)


@route(
    bp,
    "/users/confirm",
    "POST",
    "Confirm a sign-up with the emailed code",
    public=True,
    request=Confirmation,
    status=204,
    errors=(400,),
    needs=("cognito-idp:ConfirmSignUp",),
)
def confirm(request, form):
    accounts().confirm(form.email, form.code)
    return responses.no_content()


SIGN_IN = (
    "cognito-idp:InitiateAuth",
    "dynamodb:UpdateItem:sessions(expires_at,failures,id)",
    "dynamodb:GetItem:sessions",
    "dynamodb:PutItem:sessions(expires_at,id,subject)",
)


@route(
    bp,
    "/auth/token",
    "POST",
    "Sign in, or exchange a refresh token",
    public=True,
    request=TokenRequest,
    response=TokensOut,
    errors=(400, 401, 403, 429),
    needs=SIGN_IN,
)
def token(request, form):
    if form.refresh_token is not None and form.email is None and form.password is None:
        tokens = accounts().refresh(form.refresh_token)
    elif form.email is not None and form.password is not None and form.refresh_token is None:
        tokens = accounts().sign_in(form.email, form.password, parse.source_address(request))
    else:
        raise errors.InvalidInput("give either `email` and `password`, or `refresh_token`")
    # the authorizer admits a token only so long (auth.MAX_TOKEN_AGE), whatever the pool says
    return responses.answer(
        TokensOut(
            tokens.access_token,
            tokens.id_token,
            tokens.refresh_token,
            "Bearer",
            min(tokens.expires_in, auth.MAX_TOKEN_AGE),
        )
    )


@route(
    bp,
    "/auth/sign-out",
    "POST",
    "End a session: revoke its refresh token (the caller's own only)",
    request=SignOut,
    status=204,
    errors=(400, 429),
    needs=("cognito-idp:RevokeToken", "dynamodb:GetItem:sessions"),
)
def sign_out(request, form, caller: Caller):
    accounts().sign_out(form.refresh_token, caller.user_id)
    return responses.no_content()


@route(
    bp,
    "/users/me",
    "GET",
    "The caller's profile",
    response=ProfileOut,
    needs=("dynamodb:GetItem:users", "dynamodb:PutItem:users", "cognito-idp:GetUser"),
)
def me(request, caller: Caller):
    profile = accounts().profile(_session(request, caller))
    return responses.answer(_profile(profile))


@route(
    bp,
    "/users/me",
    "PATCH",
    "Change the caller's name",
    request=Rename,
    response=ProfileOut,
    errors=(400,),
    needs=(
        "dynamodb:UpdateItem:users",
        "dynamodb:GetItem:users",
        "dynamodb:PutItem:users",
        "cognito-idp:GetUser",
    ),
)
def rename(request, form: Rename, caller: Caller):
    profile = accounts().rename(_session(request, caller), form.name)
    return responses.answer(_profile(profile))


def accounts() -> Accounts:
    """The blueprint's service, built once per container by the composition root."""
    return bootstrap.services().accounts


def _session(request, caller: Caller) -> Session:
    return Session(
        caller.user_id, caller.groups, auth.bearer(parse.header(request, "Authorization") or "")
    )


def _profile(profile) -> ProfileOut:
    return ProfileOut(
        profile.id, profile.email, profile.name, list(profile.roles), profile.created_at
    )
