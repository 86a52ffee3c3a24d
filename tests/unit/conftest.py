"""The unit tests' shop: in-memory fakes of every port (tests/unit/fakes.py), a fresh one per test."""

import pytest

from tests.unit import fakes


@pytest.fixture
def shop():
    return fakes.FakeShop()


@pytest.fixture
def checkout(shop):
    return fakes.checkout(shop)
