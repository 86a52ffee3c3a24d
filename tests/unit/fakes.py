"""In-memory fakes of the shop's own interfaces (repositories and gateways), for domain and service tests."""
from chalicelib import errors
from chalicelib.users.identity import Account, Tokens


class FakeUsers:
    def __init__(self):
        self.profiles = {}

    def get(self, user_id):
        return self.profiles.get(user_id)

    def add(self, profile):
        return self.profiles.setdefault(profile.id, profile)

    def rename(self, user_id, name):
        from dataclasses import replace
        if user_id not in self.profiles:
            raise errors.NotFound(user_id)
        self.profiles[user_id] = replace(self.profiles[user_id], name=name)
        return self.profiles[user_id]


class FakeIdentity:
    def __init__(self):
        self.accounts = {}  # email -> [Account, password]

    def sign_up(self, email, password, name):
        if email in self.accounts:
            raise errors.Conflict(email)
        self.accounts[email] = [Account(f"sub-{len(self.accounts)}", email, name, False), password]
        return self.accounts[email][0].id

    def confirm_now(self, email):
        account = self.accounts[email][0]
        self.accounts[email][0] = Account(account.id, account.email, account.name, True)

    def account(self, email):
        return self.accounts.get(email, [None])[0]

    def sign_in(self, email, password):
        account, secret = self.accounts.get(email, (None, None))
        if account is None or secret != password:
            raise errors.Unauthenticated("email or password is incorrect")
        if not account.confirmed:
            raise errors.Forbidden("not confirmed")
        return Tokens("access", "id", "refresh", 3600)

    def account_of_token(self, token):
        return next(a for a, _ in self.accounts.values() if a.id == token)


class FakeInbox:
    def __init__(self):
        self.items = {}

    def add_once(self, notification):
        return self.items.setdefault(notification.id, notification)

    def mark_emailed(self, user_id, notification_id):
        from dataclasses import replace
        self.items[notification_id] = replace(self.items[notification_id], emailed=True)


class FakeMailer:
    def __init__(self):
        self.sent = []
        self.down = False

    def send(self, to, subject, body):
        if self.down:
            raise RuntimeError("mail service unavailable")
        self.sent.append((to, subject))


class FakeQueue:
    def __init__(self):
        self.events = []

    def send(self, events):
        self.events.extend(events)
