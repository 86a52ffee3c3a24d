"""Seeds the admin account (and, where the catalog exists, the demo catalog). Idempotent."""
import boto3

from chalicelib import bootstrap, errors
from chalicelib.users import service


def admin(email: str, password: str) -> str:
    """Register (or find) the account and put it into the admin group."""
    try:
        profile = service.register(email, password, "Shop Admin", identity=bootstrap.services().identity,
                                   users=bootstrap.services().users, auto_confirm=True)
        user_id = profile.id
    except errors.Conflict:
        user_id = bootstrap.services().identity.account(email).id
    make_admin(email)
    return user_id


def make_admin(email: str) -> None:
    pool_id = bootstrap.services().user_pool["pool_id"]
    boto3.client("cognito-idp").admin_add_user_to_group(UserPoolId=pool_id, Username=email, GroupName="admin")


def everything(admin_email: str, admin_password: str) -> None:
    admin(admin_email, admin_password)
    from devstack import catalog
    catalog.seed()
