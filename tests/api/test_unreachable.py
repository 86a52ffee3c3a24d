"""A dependency that cannot be reached is not "busy": the 503 says which endpoint the shop could not connect to
(as when `chalice local` looks for the embedded AWS on a port where nothing listens)."""

import pytest

from chalicelib import bootstrap
from devstack import aws


@pytest.fixture
def aws_nowhere(app, monkeypatch):
    """The app's clients pointed at a port where nothing listens, for one test."""
    nowhere = f"http://127.0.0.1:{aws.free_port()}"
    monkeypatch.setenv("AWS_ENDPOINT_URL", nowhere)
    bootstrap.reset()
    yield nowhere
    monkeypatch.undo()
    bootstrap.reset()


def test_an_unreachable_aws_endpoint_is_a_503_naming_it(anonymous, aws_nowhere):
    answer = anonymous.get(
        "/products/01M90RTPCRV1BW7ZXNT5QYJ2FG", headers={"Cache-Control": "no-cache"}
    )
    assert answer.status_code == 503
    assert answer.headers["Retry-After"]
    assert (
        answer.json["Message"]
        == f"a dependency cannot be reached: no connection to {aws_nowhere}; retry shortly"
    )


def test_a_throttled_dependency_is_still_called_busy(anonymous, admin):
    from tests.faults.test_faults import failing

    product = admin.post(
        "/products", {"name": "Busy Bee Mug", "category": "mugs", "price_cents": 900, "stock": 3}
    ).json
    with failing("dynamodb", "GetItem", 400, "ThrottlingException"):
        answer = anonymous.get(f"/products/{product['id']}", headers={"Cache-Control": "no-cache"})
    assert (
        answer.status_code == 503
        and answer.json["Message"] == "a dependency is busy; retry shortly"
    )
