"""Every list route's query parameters are strict (contract v2, Conventions): bad text is a 400 naming the
parameter, never a 500; a parameter given twice is a 400; unknown parameters are ignored."""

import uuid
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import sign_up_and_in

LISTS = [
    ("/products", "anonymous"),
    ("/orders", "customer"),
    ("/admin/orders", "admin"),
    ("/notifications", "customer"),
]
FILTERS = {"/products": "category", "/admin/orders": "status"}
ANY_TEXT = (
    st.text(max_size=200)
    | st.text(alphabet="0123456789", max_size=5000)
    | st.sampled_from(
        ["²", "x.\u00e9", "1\u0000", "%", "&limit=1", "PLACED", "chairs", "\u202e", "\ud7ff"]
    )
)


@pytest.fixture(scope="module")
def callers(client, admin):
    from devstack.api import Api

    return {
        "anonymous": Api(client),
        "customer": sign_up_and_in(client, name="Strict Customer"),
        "admin": admin,
    }


def _get(callers, path, who, query):
    return callers[who].get(f"{path}?{query}")


@pytest.mark.parametrize("path, who", LISTS)
@pytest.mark.parametrize(
    "query, named",
    [
        ("limit=%C2%B2", "limit"),  # '²'.isdigit() is true, int('²') fails
        ("limit=", "limit"),
        # past Python's int-string limit
        pytest.param("limit=" + "9" * 5000, "limit", id="limit=5000-digits"),
        ("limit=%EF%BC%95", "limit"),  # a full-width 5
        ("limit=5&limit=5", "limit"),
        ("cursor=x.%C3%A9", "cursor"),  # hmac.compare_digest refuses non-ASCII text
        pytest.param("cursor=" + "A" * 5000 + ".x", "cursor", id="cursor=5000-chars"),
        ("cursor=%00", "cursor"),
        ("cursor=&cursor=", "cursor"),
    ],
)
def test_bad_paging_parameters_are_400_naming_the_parameter(callers, path, who, query, named):
    response = _get(callers, path, who, query)
    assert response.status_code == 400, (query, response.body)
    assert response.json["Code"] == "BadRequestError" and f"`{named}`" in response.json["Message"]


@pytest.mark.parametrize("path, who", LISTS)
def test_an_empty_cursor_is_the_first_page_and_unknown_parameters_are_ignored(callers, path, who):
    first = _get(callers, path, who, "limit=3")
    assert first.status_code == 200
    again = _get(callers, path, who, "limit=3&cursor=&colour=red&colour=blue&%C3%A9=%C3%A9")
    assert again.status_code == 200 and again.json == first.json


@pytest.mark.parametrize(
    "path, query",
    [
        ("/products", "category=chairs&category=lamps"),
        pytest.param("/products", "category=" + "a" * 5000, id="category=5000-chars"),
        ("/products", "category=chairs%0A"),
        ("/products", "category=%C3%A9t%C3%A9"),
        ("/products", "category="),
        ("/admin/orders", "status=PLACED&status=PLACED"),
        ("/admin/orders", "status=placed"),
        ("/admin/orders", "status=PLACED%00"),
    ],
)
def test_bad_filters_are_400_naming_the_parameter(callers, path, query):
    who = dict(LISTS)[path]
    response = _get(callers, path, who, query)
    assert response.status_code == 400, (query, response.body)
    assert f"`{FILTERS[path]}`" in response.json["Message"]


def test_a_cursor_the_server_gave_pages_on(callers, admin):
    category = f"strict-{uuid.uuid4().hex[:8]}"
    for name in ("Strict Lamp", "Strict Chair"):
        assert (
            admin.post(
                "/products", {"name": name, "category": category, "price_cents": 100}
            ).status_code
            == 201
        )
    first = _get(callers, "/products", "anonymous", f"category={category}&limit=1")
    cursor = first.json["next_cursor"]
    assert cursor
    second = _get(
        callers,
        "/products",
        "anonymous",
        f"category={category}&limit=1&cursor={quote(cursor, safe='')}",
    )
    assert second.status_code == 200 and second.json["items"] != first.json["items"]
    assert second.json["next_cursor"] is None


@pytest.mark.parametrize("path, who", LISTS)
@given(name=st.sampled_from(["limit", "cursor", "category", "status"]), text=ANY_TEXT)
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_any_text_in_any_query_parameter_is_200_or_400(callers, path, who, name, text):
    response = _get(callers, path, who, f"{name}={quote(text, safe='')}")
    assert response.status_code in (200, 400), (name, text, response.body)
    if response.status_code == 400:
        assert f"`{name}`" in response.json["Message"]
