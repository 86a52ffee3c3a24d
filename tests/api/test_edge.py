"""The edge (contract v3, issue 23): bodies that are not UTF-8 or name a key twice, media types, the security
headers of every answer, the app's and API Gateway's alike, and how much of its input a message quotes back."""

import json
import uuid

import pytest
import requests
from chalice import Blueprint, Response

from tests.conftest import PASSWORD, Api, unique_email
from tests.support import concrete, operations

# byte sequences that are not UTF-8: a stray byte, sequences cut short, overlong forms (the classic way past
# a filter for "/"), a UTF-16 surrogate, a code point past U+10FFFF, a lone continuation byte, Latin-1
INVALID_UTF8 = {
    "byte-ff": b"\xff",
    "truncated-3-byte": b"\xe2\x82",
    "truncated-4-byte": b"\xf0\x9f\x98",
    "truncated-at-end": b"\xc3",
    "overlong-slash": b"\xc0\xaf",
    "overlong-3-byte": b"\xe0\x80\xaf",
    "surrogate": b"\xed\xa0\x80",
    "past-u10ffff": b"\xf4\x90\x80\x80",
    "continuation": b"\x80",
    "latin1": b"caf\xe9",
}
SECURITY = {
    "x-content-type-options": "nosniff",
    "strict-transport-security": "max-age=63072000; includeSubDomains",
    "x-frame-options": "DENY",
}


def body_operations(app):
    return [(method, path, op) for method, path, op in operations(app) if op.request is not None]


def as_caller(op, anonymous, shopper, admin) -> Api:
    return anonymous if op.public else admin if op.admin else shopper


def secure(response) -> bool:
    headers = {k.lower(): v for k, v in response.headers.items()}
    return all(headers.get(name) == value for name, value in SECURITY.items())


def cache_control(response) -> str:
    return {k.lower(): v for k, v in response.headers.items()}.get("cache-control", "")


def over_a_socket(live_url, method, path, body=b"", headers=None):
    """The exact bytes over HTTP to the local server (http.client adds no Content-Type of its own):
    (status, headers in lower case, the parsed JSON body or None)."""
    import http.client

    host, port = live_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request(method, path, body=body or None, headers=headers or {})
        answer = connection.getresponse()
        content = answer.read()
        return (
            answer.status,
            {k.lower(): v for k, v in answer.getheaders()},
            json.loads(content) if content else None,
        )
    finally:
        connection.close()


@pytest.fixture
def product(admin):
    return admin.post(
        "/products",
        {
            "name": "Edge Lamp",
            "category": f"edge-{uuid.uuid4().hex[:8]}",
            "price_cents": 1250,
            "stock": 10,
        },
    ).json


# --- 1. bytes that are not UTF-8 ------------------------------------------------------------------


def test_the_reported_sign_in_with_a_byte_ff_in_the_password_is_400(live_url):
    answer = requests.post(
        f"{live_url}/auth/token",
        data=b'{"email":"a@x.com","password":"\xff"}',
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert answer.status_code == 400 and answer.json() == {
        "Code": "BadRequestError",
        "Message": "request body is not valid UTF-8",
    }


@pytest.mark.parametrize("sequence", INVALID_UTF8.values(), ids=INVALID_UTF8.keys())
def test_invalid_utf8_in_a_key_or_a_value_is_400_on_every_body_route(
    app, anonymous, shopper, admin, sequence
):
    for method, path, op in body_operations(app):
        api = as_caller(op, anonymous, shopper, admin)
        field = op.request.__struct_fields__[0].encode()
        for body in (b'{"' + sequence + b'": 1}', b'{"' + field + b'": "a' + sequence + b'z"}'):
            answer = api.request(method, concrete(path), body=body)
            assert answer.status_code == 400, (method, path, body, answer.body)
        assert (
            "UTF-8"
            in api.request(method, concrete(path), body=b'{"' + sequence + b'": 1}').json["Message"]
        )
    assert len(body_operations(app)) >= 9


def test_a_lone_surrogate_escape_is_400(anonymous):
    answer = anonymous.post(
        "/users", body=b'{"email": "a@example.com", "password": "Passw0rdX", "name": "\\ud800"}'
    )
    assert answer.status_code == 400


# --- 2. a key given twice -------------------------------------------------------------------------


def test_a_key_given_twice_is_400_naming_it_and_changes_nothing(shopper, product):
    answer = shopper.put(f"/cart/items/{product['id']}", body=b'{"quantity": 1, "quantity": 99}')
    assert answer.status_code == 400 and "`quantity`" in answer.json["Message"]
    assert shopper.get("/cart").json["items"] == []


def test_a_key_given_twice_over_a_socket_is_400_naming_it_and_changes_nothing(
    live_url, shopper, product
):
    status, headers, body = over_a_socket(
        live_url,
        "PUT",
        f"/cart/items/{product['id']}",
        b'{"quantity": 1, "quantity": 99}',
        {"Authorization": f"Bearer {shopper.token}", "Content-Type": "application/json"},
    )
    assert status == 400 and body["Code"] == "BadRequestError" and "`quantity`" in body["Message"]
    assert all(headers.get(name) == value for name, value in SECURITY.items()), headers
    assert shopper.get("/cart").json["items"] == []


def test_a_key_given_twice_in_another_spelling_is_400(shopper, product):
    answer = shopper.put(
        f"/cart/items/{product['id']}", body=b'{"quantity": 1, "quant\\u0069ty": 99}'
    )
    assert answer.status_code == 400 and "`quantity`" in answer.json["Message"]


def test_a_key_given_twice_inside_a_line_of_an_order_is_400_and_places_nothing(shopper, product):
    body = (
        '{"payment_method": "pm_card_visa", "items": [{"product_id": "%s", "quantity": 1, "quantity": 5}]}'
        % product["id"]
    ).encode()
    answer = shopper.post("/orders", body=body)
    assert answer.status_code == 400 and "`quantity`" in answer.json["Message"]
    assert shopper.get("/orders").json["items"] == []


def test_the_same_key_in_two_objects_is_no_repetition(shopper, admin, product):
    other = admin.post(
        "/products",
        {"name": "Edge Shade", "category": product["category"], "price_cents": 300, "stock": 5},
    ).json
    answer = shopper.post(
        "/orders",
        {
            "payment_method": "pm_card_visa",
            "items": [
                {"product_id": product["id"], "quantity": 1},
                {"product_id": other["id"], "quantity": 2},
            ],
        },
    )
    assert answer.status_code == 201 and answer.json["total_cents"] == 1850


def test_a_password_given_twice_signs_nobody_in(client, shopper):
    body = (
        '{"email": "%s", "password": "Wrong-Passw0rd", "password": "%s"}'
        % (shopper.email, PASSWORD)
    ).encode()
    answer = Api(client).post("/auth/token", body=body)
    assert answer.status_code == 400 and "`password`" in answer.json["Message"]


def test_a_route_whose_body_is_its_senders_own_gets_the_bytes_without_the_json_rules(app):
    """`raw_body=True` (Stripe's webhook): no media type, UTF-8 or repeated-key rule, its own size limit."""
    from chalice.test import Client
    from chalicelib.http import middleware
    from chalicelib.http.app import ShopChalice
    from chalicelib.http.routing import route

    blueprint = Blueprint(__name__)

    @route(
        blueprint, "/raw", "POST", "Echo the body", public=True, raw_body=True, max_body=512 * 1024
    )
    def echo(request, raw):
        return Response(body=raw.hex(), status_code=200, headers={"Content-Type": "text/plain"})

    raw_app = ShopChalice(app_name="raw", configure_logs=False)
    raw_app.register_middleware(middleware.security_headers, "http")
    raw_app.register_blueprint(blueprint)
    bodies = [
        (b'{"id": 1, "id": 2}', {"Content-Type": "application/json"}),
        (b'{"a": "\xff"}', {}),
        (b"x" * (100 * 1024), {"Content-Type": "text/plain; charset=latin1"}),
    ]
    with Client(raw_app) as client:
        for body, headers in bodies:
            answer = client.http.post("/raw", body=body, headers=headers)
            assert answer.status_code == 200 and bytes.fromhex(answer.body.decode()) == body
        assert client.http.post("/raw", body=b"x" * (512 * 1024 + 1)).status_code == 413


# --- 3. media types -------------------------------------------------------------------------------


def _sign_up_body() -> bytes:
    return (
        '{"email": "%s", "password": "%s", "name": "Media Type"}'
        % (unique_email("media"), PASSWORD)
    ).encode()


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "",
        "text/plain",
        "application/json; charset=latin1",
        "application/json; charset=iso-8859-1",
        "application/json;charset=utf-16",
        "application/x-www-form-urlencoded",
        "application/jsonp",
        "*/*",
        "application/merge-patch+json",
        "multipart/form-data; boundary=x",
    ],
)
def test_a_body_not_declared_json_in_utf8_is_415_and_not_read(client, content_type):
    headers = {} if content_type is None else {"Content-Type": content_type}
    answer = client.http.post("/users", body=_sign_up_body(), headers=headers)
    assert (
        answer.status_code == 415 and json.loads(answer.body)["Code"] == "UnsupportedMediaType"
    ), answer.body


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=utf-8",
        'Application/JSON; charset="UTF-8"',
        "application/json;charset=utf8",
    ],
)
def test_json_in_utf8_is_accepted_however_the_type_is_spelled(client, content_type):
    answer = client.http.post(
        "/users", body=_sign_up_body(), headers={"Content-Type": content_type}
    )
    assert answer.status_code == 201, answer.body


def test_a_415_does_not_echo_the_header(client):
    marker = "CRUNCHY-ARMCHAIR-" + "x" * 5000
    answer = client.http.post(
        "/users", body=b"{}", headers={"Content-Type": f"text/plain; {marker}"}
    )
    assert answer.status_code == 415 and b"CRUNCHY-ARMCHAIR" not in answer.body


def test_a_request_without_a_body_needs_no_type(client, shopper, product):
    order = shopper.post(
        "/orders",
        {"payment_method": "pm_card_visa", "items": [{"product_id": product["id"], "quantity": 1}]},
    ).json
    headers = {"Authorization": f"Bearer {shopper.token}"}
    cancelled = client.http.post(f"/orders/{order['id']}/cancel", headers=headers)
    assert cancelled.status_code == 200, cancelled.body
    assert (
        client.http.get("/cart", headers={**headers, "Content-Type": "text/plain"}).status_code
        == 200
    )


def test_media_types_over_a_socket_415_without_or_with_another_charset_and_none_needed_without_a_body(
    live_url, shopper, product
):
    marker = "CRUNCHY-ARMCHAIR"
    for content_type in (None, "application/json; charset=latin1", f"text/plain; {marker}"):
        headers = {} if content_type is None else {"Content-Type": content_type}
        status, answered, body = over_a_socket(live_url, "POST", "/users", _sign_up_body(), headers)
        assert status == 415 and body["Code"] == "UnsupportedMediaType", (content_type, body)
        assert marker not in body["Message"] and answered["x-content-type-options"] == "nosniff"
    order = shopper.post(
        "/orders",
        {"payment_method": "pm_card_visa", "items": [{"product_id": product["id"], "quantity": 1}]},
    ).json
    caller = {"Authorization": f"Bearer {shopper.token}"}
    # a body on a route that takes none still needs the type; without a body, none is needed
    status, _, body = over_a_socket(live_url, "POST", f"/orders/{order['id']}/cancel", b"x", caller)
    assert status == 415 and shopper.get(f"/orders/{order['id']}").json["status"] == "PLACED"
    status, _, body = over_a_socket(live_url, "POST", f"/orders/{order['id']}/cancel", b"", caller)
    assert status == 200 and body["status"] == "CANCELLED", body


def test_a_chunked_body_is_read_and_needs_its_type_like_any_other(live_url):
    def chunks():
        yield _sign_up_body()

    untyped = requests.post(f"{live_url}/users", data=chunks(), timeout=10)
    assert untyped.status_code == 415
    typed = requests.post(
        f"{live_url}/users", data=chunks(), headers={"Content-Type": "application/json"}, timeout=10
    )
    assert typed.status_code == 201, typed.text


def test_a_length_that_is_not_a_number_is_400_from_the_local_gateway(live_url):
    import http.client

    host, port = live_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.putrequest("POST", "/users")
    connection.putheader("Content-Length", "twelve")
    connection.endheaders()
    answer = connection.getresponse()
    assert answer.status == 400 and answer.getheader("X-Content-Type-Options") == "nosniff"


# --- 4. security headers, caching, quoting --------------------------------------------------------


def test_every_route_answers_with_the_security_headers_and_only_catalog_reads_may_be_stored(
    app, anonymous, shopper, admin
):
    for method, path, op in operations(app):
        api = as_caller(op, anonymous, shopper, admin)
        answer = api.request(method, concrete(path), json={} if op.request is not None else None)
        assert answer.status_code < 500 and secure(answer), (method, path, answer.headers)
        cacheable = op.cacheable and answer.status_code == 200
        assert (
            cache_control(answer).startswith("public")
            if cacheable
            else cache_control(answer) == "no-store"
        ), (method, path, answer.status_code, cache_control(answer))


def test_tokens_sign_outs_and_not_modified_answers_carry_them_too(client, shopper, product):
    tokens = Api(client).post("/auth/token", {"email": shopper.email, "password": PASSWORD})
    assert tokens.status_code == 200 and secure(tokens) and cache_control(tokens) == "no-store"
    read = Api(client).get(f"/products/{product['id']}")
    again = Api(client).get(
        f"/products/{product['id']}", headers={"If-None-Match": read.headers["ETag"]}
    )
    assert again.status_code == 304 and secure(again) and cache_control(again).startswith("public")
    signed_out = shopper.post("/auth/sign-out", {"refresh_token": tokens.json["refresh_token"]})
    assert (
        signed_out.status_code == 204
        and secure(signed_out)
        and cache_control(signed_out) == "no-store"
    )


def test_the_storefront_page_and_its_hashed_assets_are_not_stored(anonymous):
    """The contract: every answer but the catalog's cacheable reads is no-store, the assets included (their
    hashed names still make a release's assets change together)."""
    import re

    page = anonymous.get("/")
    assert (
        secure(page)
        and cache_control(page) == "no-store"
        and "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    )
    assets = re.findall(r"/static/[\w.-]+", page.body.decode())
    assert len(assets) >= 4 and all(anonymous.get(a).status_code == 200 for a in assets)
    for asset in assets:
        served = anonymous.get(asset)
        assert secure(served) and cache_control(served) == "no-store"
        again = anonymous.get(asset, headers={"If-None-Match": served.headers["ETag"]})
        assert again.status_code == 304 and secure(again)


def test_the_storefronts_modules_are_each_served_under_the_hashed_name_their_importer_names(
    anonymous,
):
    import re

    page = anonymous.get("/").body.decode()
    waiting = re.findall(r'<script type="module" src="(/static/[\w.-]+\.js)"', page)
    assert len(waiting) == 1  # the entry module; it imports the rest
    served = set()
    while waiting:
        path = waiting.pop()
        served.add(path)
        module = anonymous.get(path)
        assert module.status_code == 200, path
        assert module.headers["Content-Type"] == "text/javascript; charset=utf-8"
        assert cache_control(module) == "no-store"
        imported = re.findall(
            r'^(?:import|export)[^"\n]*"\./([\w.-]+)";$', module.body.decode(), re.M
        )
        assert all(re.fullmatch(r"[\w-]+\.[0-9a-f]{12}\.js", name) for name in imported), path
        waiting += [f"/static/{name}" for name in imported if f"/static/{name}" not in served]
    assert len(served) >= 10


GATEWAY_ANSWERS = [
    ("GET", "/users/me", {}, 401),
    ("GET", "/users/me", {"Authorization": "Bearer forged"}, 403),
    ("GET", "/no/such/route", {}, 404),
    ("OPTIONS", "/products", {}, 404),
]


@pytest.mark.parametrize("method, path, headers, status", GATEWAY_ANSWERS)
def test_the_gateways_own_answers_carry_them_in_the_test_client_and_over_http(
    client, live_url, method, path, headers, status
):
    for answer in (
        client.http.request(method, path, headers=headers),
        requests.request(method, live_url + path, headers=headers, timeout=10),
    ):
        code = getattr(answer, "status_code")
        assert code == status and secure(answer) and cache_control(answer) == "no-store", (
            answer.headers
        )
        assert {k.lower(): v for k, v in answer.headers.items()}[
            "content-type"
        ] == "application/json"


def test_a_60000_character_id_is_quoted_in_100_characters_on_every_route_with_an_id(
    app, anonymous, shopper, admin
):
    checked = 0
    for method, path, op in operations(app):
        if "{" not in path:
            continue
        answer = as_caller(op, anonymous, shopper, admin).request(
            method, concrete(path, "Q" * 60000), json={} if op.request is not None else None
        )
        assert answer.status_code in ((404, 403) if 404 in op.errors else (200,)), (
            method,
            path,
            answer.status_code,
        )
        assert b"Q" * 101 not in answer.body, (method, path, answer.body[:300])
        assert len(answer.body) < 400
        checked += 1
    assert checked >= 10


def test_unknown_fields_headers_and_queries_of_60000_characters_are_quoted_in_100(
    app, anonymous, shopper, admin
):
    huge = "Q" * 60000
    for method, path, op in body_operations(app):
        answer = as_caller(op, anonymous, shopper, admin).request(
            method, concrete(path), json={huge: 1}
        )
        assert (
            answer.status_code == 400
            and b"Q" * 100 in answer.body
            and b"Q" * 101 not in answer.body
        )
    for method, path, op in operations(app):
        api = as_caller(op, anonymous, shopper, admin)
        query = "&".join(f"{name}={huge}" for name, _ in op.query)
        headers = {name: huge for name, _ in op.headers}
        answer = api.request(
            method,
            concrete(path) + (f"?{query}" if query else ""),
            headers=headers,
            json={} if op.request is not None else None,
        )
        assert answer.status_code < 500 and b"Q" * 101 not in answer.body, (method, path)


def test_a_taken_email_is_quoted_in_100_characters(client):
    email = "a" * 110 + "@example.com"
    body = {"email": email, "password": PASSWORD, "name": "Long Address"}
    assert Api(client).post("/users", body).status_code == 201
    taken = Api(client).post("/users", {**body, "password": "Other-Passw0rd"})
    assert (
        taken.status_code == 409
        and "a" * 100 in taken.json["Message"]
        and "a" * 101 not in taken.json["Message"]
    )
