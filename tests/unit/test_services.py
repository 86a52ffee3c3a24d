import pytest

from chalicelib import errors
from chalicelib.notifications.service import Notifications
from chalicelib.orders.events import OrderEvent
from chalicelib.orders.model import PENDING, PLACED, Order
from chalicelib.orders.outbox import Publisher
from chalicelib.users.model import Profile
from chalicelib.users.service import Accounts, Session
from tests.unit.fakes import (
    FakeIdentity,
    FakeCheckQueue,
    FakeInbox,
    FakeMailer,
    FakeQueue,
    FakeRefreshTokens,
    FakeSignInAttempts,
    FakeUsers,
)


@pytest.fixture
def identity():
    return FakeIdentity()


@pytest.fixture
def profiles():
    return FakeUsers()


@pytest.fixture
def accounts(identity, profiles):
    return Accounts(
        identity, profiles, FakeSignInAttempts(), FakeRefreshTokens(), auto_confirm=True
    )


def test_register_confirms_and_writes_the_profile_where_the_stage_auto_confirms(
    accounts, identity, profiles
):
    profile = accounts.register("Ada@Example.com", "Sturdy-Passw0rd", " Ada ")
    assert profile.email == "ada@example.com" and profile.name == "Ada"
    assert identity.account("ada@example.com").confirmed and profiles.get(profile.id) == profile


def test_a_second_sign_up_finishes_one_whose_profile_write_was_lost(accounts, identity, profiles):
    # the profile write never happened
    identity.sign_up("ada@example.com", "Sturdy-Passw0rd", "Ada")
    with pytest.raises(errors.Conflict):
        accounts.register("ada@example.com", "Wrong-Passw0rd1", "Eve")
    profile = accounts.register("ada@example.com", "Sturdy-Passw0rd", "Ada")
    assert profiles.get(profile.id) and identity.account("ada@example.com").confirmed


def test_a_taken_email_with_a_profile_is_a_conflict_whatever_the_password(accounts):
    accounts.register("ada@example.com", "Sturdy-Passw0rd", "Ada")
    with pytest.raises(errors.Conflict):
        accounts.register("ada@example.com", "Sturdy-Passw0rd", "Ada")


def test_the_profile_carries_the_admin_role_from_the_token_groups(accounts, profiles):
    profiles.add(Profile("U1", "a@example.com", "Ada", "t"))
    assert accounts.profile(Session("U1", ("admin",), "token")).roles == ("customer", "admin")


@pytest.fixture
def mailer():
    return FakeMailer()


@pytest.fixture
def inbox():
    return FakeInbox()


@pytest.fixture
def notifications(inbox, mailer, profiles):
    profiles.add(Profile("U1", "a@example.com", "Ada", "t"))
    return Notifications(inbox, profiles, mailer, "USD")


def _event(event_id="O1.PLACED"):
    return OrderEvent(event_id, "ORDER_PLACED", "O1", "U1", 500, 1, "t")


def test_an_event_delivered_again_emails_once(notifications, inbox, mailer):
    assert notifications.deliver(_event()) is True
    assert notifications.deliver(_event()) is False
    assert len(inbox.items) == 1 and len(mailer.sent) == 1


def test_a_mail_failure_leaves_the_item_unemailed_so_the_retry_sends_it(notifications, mailer):
    mailer.down = True
    with pytest.raises(RuntimeError):
        notifications.deliver(_event())
    mailer.down = False
    assert notifications.deliver(_event()) is True and len(mailer.sent) == 1


def test_publishing_sends_only_status_changes():
    queue = FakeQueue()
    placed = Order("O1", "U1", PLACED, (), "t", "t")
    pending = Order("O2", "U1", PENDING, (), "t", "t")
    Publisher(queue, FakeCheckQueue()).publish(
        [(None, placed), (placed, placed), (None, pending), (placed, None)]
    )
    assert [e.id for e in queue.events] == ["O1.PLACED"]
