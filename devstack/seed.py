"""Seeds the admin account (and, where the catalog exists, the demo catalog). Idempotent."""

import boto3

from chalicelib import bootstrap, errors


def admin(email: str, password: str) -> str:
    """Register (or find) the account and put it into the admin group."""
    try:
        from chalicelib.users.service import Accounts

        parts = bootstrap.services()
        accounts = Accounts(
            parts.identity,
            parts.users,
            parts.sign_in_attempts,
            parts.refresh_tokens,
            auto_confirm=True,
        )
        profile = accounts.register(email, password, "Shop Admin")
        user_id = profile.id
    except errors.Conflict:
        user_id = bootstrap.services().identity.account(email).id
    make_admin(email)
    return user_id


def make_admin(email: str) -> None:
    pool_id = bootstrap.services().user_pool["pool_id"]
    boto3.client("cognito-idp").admin_add_user_to_group(
        UserPoolId=pool_id, Username=email, GroupName="admin"
    )


def everything(admin_email: str, admin_password: str) -> None:
    admin(admin_email, admin_password)
    from devstack import catalog

    catalog.seed()
