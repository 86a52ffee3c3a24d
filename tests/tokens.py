"""The token minting of devstack/tokens.py, where tests have always found it."""

from devstack.tokens import mint, private_key  # noqa: F401
