"""Accounts: sign-up, confirmation, tokens and the caller's profile."""
from typing import Annotated, List, Optional

import msgspec
from chalice import Blueprint

from chalicelib import auth, bootstrap, errors, settings, web
from chalicelib.users import service
from chalicelib.users.model import EMAIL

bp = Blueprint(__name__)

Email = Annotated[str, msgspec.Meta(min_length=3, max_length=254, pattern=EMAIL.pattern, description="an email address")]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


class SignUp(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=256)]
    name: Name


class Confirmation(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class TokenRequest(msgspec.Struct, forbid_unknown_fields=True):
    """Either email and password, or a refresh token."""
    email: Optional[Email] = None
    password: Optional[Annotated[str, msgspec.Meta(min_length=1, max_length=256)]] = None
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


IDENTITY = ("cognito-idp:SignUp", "cognito-idp:AdminConfirmSignUp?auto_confirm", "cognito-idp:AdminGetUser",
            "cognito-idp:InitiateAuth", "dynamodb:PutItem:users", "dynamodb:GetItem:users")


@web.route(bp, "/users", "POST", "Create an account", public=True, request=SignUp, response=ProfileOut,
           status=201, errors=(400, 409), needs=IDENTITY)
def sign_up(request):
    form = web.body(request, SignUp)
    profile = service.register(form.email, form.password, form.name, identity=_identity(),
                               users=bootstrap.repository("users"), auto_confirm=settings.get().auto_confirm)
    return web.answer(_profile(profile), status=201)


@web.route(bp, "/users/confirm", "POST", "Confirm a sign-up with the emailed code", public=True,
           request=Confirmation, status=204, errors=(400,), needs=("cognito-idp:ConfirmSignUp",))
def confirm(request):
    form = web.body(request, Confirmation)
    service.confirm(form.email, form.code, identity=_identity())
    return web.no_content()


@web.route(bp, "/auth/token", "POST", "Sign in, or exchange a refresh token", public=True, request=TokenRequest,
           response=TokensOut, errors=(400, 401, 403, 429), needs=("cognito-idp:InitiateAuth",))
def token(request):
    form = web.body(request, TokenRequest)
    if form.refresh_token is not None and form.email is None and form.password is None:
        tokens = service.refresh(form.refresh_token, identity=_identity())
    elif form.email is not None and form.password is not None and form.refresh_token is None:
        tokens = service.sign_in(form.email, form.password, identity=_identity())
    else:
        raise errors.InvalidInput("give either `email` and `password`, or `refresh_token`")
    # the authorizer admits a token only so long (auth.MAX_TOKEN_AGE), whatever the pool says
    return web.answer(TokensOut(tokens.access_token, tokens.id_token, tokens.refresh_token, "Bearer",
                                min(tokens.expires_in, auth.MAX_TOKEN_AGE)))


@web.route(bp, "/auth/sign-out", "POST", "End a session: revoke its refresh token", request=SignOut, status=204,
           errors=(400, 429), needs=("cognito-idp:RevokeToken",))
def sign_out(request):
    form = web.body(request, SignOut)
    service.sign_out(form.refresh_token, identity=_identity())
    return web.no_content()


@web.route(bp, "/users/me", "GET", "The caller's profile", response=ProfileOut,
           needs=("dynamodb:GetItem:users", "dynamodb:PutItem:users", "cognito-idp:GetUser"))
def me(request):
    who = web.caller(request)
    profile = service.profile(who.user_id, who.groups, _access_token(request), identity=_identity(),
                              users=bootstrap.repository("users"))
    return web.answer(_profile(profile))


@web.route(bp, "/users/me", "PATCH", "Change the caller's name", request=Rename, response=ProfileOut,
           errors=(400,), needs=("dynamodb:UpdateItem:users", "dynamodb:GetItem:users",
                                 "dynamodb:PutItem:users", "cognito-idp:GetUser"))
def rename(request):
    who = web.caller(request)
    form = web.body(request, Rename)
    profile = service.rename(who.user_id, who.groups, form.name, _access_token(request), identity=_identity(),
                             users=bootstrap.repository("users"))
    return web.answer(_profile(profile))


def _identity():
    return bootstrap.identity()


def _access_token(request) -> str:
    value = web.header(request, "Authorization") or ""
    return value[7:].strip() if value[:7].lower() == "bearer " else value.strip()


def _profile(profile) -> ProfileOut:
    return ProfileOut(profile.id, profile.email, profile.name, list(profile.roles), profile.created_at)
