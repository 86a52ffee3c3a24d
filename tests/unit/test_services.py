import pytest

from chalicelib import errors
from chalicelib.notifications import service as notifications
from chalicelib.notifications.model import OrderEvent
from chalicelib.users import service as users
from chalicelib.users.model import Profile
from tests.unit.fakes import FakeIdentity, FakeInbox, FakeMailer, FakeQueue, FakeUsers


def test_register_confirms_and_writes_the_profile_where_the_stage_auto_confirms():
    identity, profiles = FakeIdentity(), FakeUsers()
    profile = users.register("Ada@Example.com", "Sturdy-Passw0rd", " Ada ", identity=identity, users=profiles,
                             auto_confirm=True)
    assert profile.email == "ada@example.com" and profile.name == "Ada"
    assert identity.account("ada@example.com").confirmed and profiles.get(profile.id) == profile


def test_a_second_sign_up_finishes_one_whose_profile_write_was_lost():
    identity, profiles = FakeIdentity(), FakeUsers()
    identity.sign_up("ada@example.com", "Sturdy-Passw0rd", "Ada")  # the profile write never happened
    with pytest.raises(errors.Conflict):
        users.register("ada@example.com", "Wrong-Passw0rd1", "Eve", identity=identity, users=profiles,
                       auto_confirm=True)
    profile = users.register("ada@example.com", "Sturdy-Passw0rd", "Ada", identity=identity, users=profiles,
                             auto_confirm=True)
    assert profiles.get(profile.id) and identity.account("ada@example.com").confirmed


def test_a_taken_email_with_a_profile_is_a_conflict_whatever_the_password():
    identity, profiles = FakeIdentity(), FakeUsers()
    users.register("ada@example.com", "Sturdy-Passw0rd", "Ada", identity=identity, users=profiles, auto_confirm=True)
    with pytest.raises(errors.Conflict):
        users.register("ada@example.com", "Sturdy-Passw0rd", "Ada", identity=identity, users=profiles,
                       auto_confirm=True)


def test_the_profile_carries_the_admin_role_from_the_token_groups():
    profiles = FakeUsers()
    profiles.add(Profile("U1", "a@example.com", "Ada", "t"))
    assert users.profile("U1", ("admin",), "token", identity=FakeIdentity(), users=profiles).roles == (
        "customer", "admin")


def _event(event_id="O1.PLACED"):
    return OrderEvent(event_id, "ORDER_PLACED", "O1", "U1", 500, 1, "t")


def _deliver(inbox, mailer, profiles):
    return notifications.deliver(_event(), inbox=inbox, users=profiles, mailer=mailer, currency="USD")


def test_an_event_delivered_again_emails_once():
    inbox, mailer, profiles = FakeInbox(), FakeMailer(), FakeUsers()
    profiles.add(Profile("U1", "a@example.com", "Ada", "t"))
    assert _deliver(inbox, mailer, profiles) is True
    assert _deliver(inbox, mailer, profiles) is False
    assert len(inbox.items) == 1 and len(mailer.sent) == 1


def test_a_mail_failure_leaves_the_item_unemailed_so_the_retry_sends_it():
    inbox, mailer, profiles = FakeInbox(), FakeMailer(), FakeUsers()
    profiles.add(Profile("U1", "a@example.com", "Ada", "t"))
    mailer.down = True
    with pytest.raises(RuntimeError):
        _deliver(inbox, mailer, profiles)
    mailer.down = False
    assert _deliver(inbox, mailer, profiles) is True and len(mailer.sent) == 1


def test_publishing_sends_only_status_changes():
    queue = FakeQueue()
    placed = {"id": "O1", "kind": "order", "user_id": "U1", "status": "PLACED", "lines": [], "total_cents": 0,
              "updated_at": "t"}
    notifications.publish_order_events([(None, placed), (placed, placed), (None, {"id": "cart#U1"})], queue=queue)
    assert [e.id for e in queue.events] == ["O1.PLACED"]
