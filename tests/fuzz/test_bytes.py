"""Bytes and headers fuzzing (issue 23): every route that takes a body gets arbitrary bytes, JSON of its own fields
with random values, and that JSON corrupted with byte sequences that are not UTF-8 (cut short, overlong,
surrogates, past U+10FFFF); every route gets random values in every header the app reads. Nothing is ever a 500;
a body that is not UTF-8 is always 400. In-process through chalice.test.Client, and over HTTP through the local
server for the bytes no client library would send. `make fuzz` runs more examples (FUZZ_EXAMPLES)."""

import http.client
import json
import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Api, sign_up_and_in
from tests.support import concrete, operations

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12")) * 4  # in-process requests are cheap
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
# every request header the app reads (chalicelib/http, auth.py, the routes), and the two that frame a body
HEADERS = (
    "Authorization",
    "Content-Type",
    "Content-Length",
    "Transfer-Encoding",
    "X-Request-Id",
    "If-None-Match",
    "If-Match",
    "Idempotency-Key",
    "Cache-Control",
)


def _not_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


NOT_UTF8 = st.one_of(
    st.sampled_from(
        [
            b"\xff",
            b"\xc3",
            b"\xe2\x82",
            b"\xf0\x9f\x98",
            b"\xc0\xaf",
            b"\xc1\xbf",
            b"\xe0\x80\xaf",
            b"\xf0\x80\x80\xaf",
            b"\xed\xa0\x80",
            b"\xed\xbf\xbf",
            b"\xf4\x90\x80\x80",
            b"\xf8\x88\x80\x80\x80",
            b"\x80",
            b"\xbf\xbf",
        ]
    ),
    st.binary(min_size=1, max_size=6).filter(_not_utf8),
)
VALUES = st.one_of(
    st.text(max_size=40),
    st.integers(),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False),
    st.lists(st.text(max_size=5), max_size=3),
)


@pytest.fixture(scope="module")
def callers(client, admin):
    fuzz_product = admin.post(
        "/products", {"name": "Fuzzed Kettle", "category": "fuzz", "price_cents": 500, "stock": 100}
    ).json["id"]
    return {
        "anonymous": Api(client),
        "customer": sign_up_and_in(client, name="Byte Fuzzer"),
        "admin": admin,
        "product": fuzz_product,
    }


def _request(app, callers, method, path):
    op = app.routes[path][method].view_function.operation
    api = callers["anonymous" if op.public else "admin" if op.admin else "customer"]
    return api, op, concrete(path, callers["product"]) if "product_id" in path else concrete(path)


def _body_routes():
    from app import app

    return [(m, p) for m, p, op in operations(app) if op.request is not None]


def _all_routes():
    from app import app

    return [(m, p) for m, p, _ in operations(app)]


@pytest.mark.parametrize("method, path", _body_routes())
@FUZZ
@given(data=st.data())
def test_arbitrary_bytes_and_json_of_random_values_are_never_a_500(
    app, callers, method, path, data
):
    api, op, url = _request(app, callers, method, path)
    fields = list(op.request.__struct_fields__) + ["unknown"]
    body = data.draw(
        st.one_of(
            st.binary(max_size=512),
            st.dictionaries(st.sampled_from(fields), VALUES, max_size=len(fields)).map(
                lambda d: json.dumps(d).encode()
            ),
        )
    )
    answer = api.request(method, url, body=body)
    assert answer.status_code < 500, (body, answer.body)


@pytest.mark.parametrize("method, path", _body_routes())
@FUZZ
@given(data=st.data())
def test_json_with_bytes_that_are_not_utf8_inside_a_string_is_always_400(
    app, callers, method, path, data
):
    api, op, url = _request(app, callers, method, path)
    fields = list(op.request.__struct_fields__)
    text = json.dumps({name: "VALUE" for name in fields}).encode()
    # just inside each key and value
    quotes = [m.start() + 1 for m in re.finditer(rb'"', text)][::2]
    where = data.draw(st.sampled_from(quotes))
    body = text[:where] + data.draw(NOT_UTF8) + text[where:]
    answer = api.request(method, url, body=body)
    assert answer.status_code == 400, (body, answer.body)


@pytest.mark.parametrize("method, path", _all_routes())
@FUZZ
@given(data=st.data())
def test_random_values_in_every_header_the_app_reads_are_never_a_500(
    app, callers, method, path, data
):
    api, op, url = _request(app, callers, method, path)
    headers = data.draw(
        st.dictionaries(st.sampled_from(HEADERS), st.text(max_size=60), max_size=len(HEADERS))
    )
    body = b"{}" if op.request is not None else b""
    answer = Api(api._client, api.token).request(method, url, headers=headers, body=body)
    assert answer.status_code < 500, (headers, answer.body)


@FUZZ
@given(
    body=st.binary(max_size=256),
    header=st.binary(max_size=40).map(lambda b: b.decode("latin-1")),
    chunked=st.booleans(),
)
def test_bytes_over_http_with_any_header_bytes_and_framing_are_never_a_500(
    live_url, body, header, chunked
):
    host, port = live_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.putrequest("POST", "/auth/token")
        for name in ("Content-Type", "X-Request-Id", "Authorization"):
            connection.putheader(name, header.replace("\r", "").replace("\n", ""))
        connection.putheader(
            "Transfer-Encoding" if chunked else "Content-Length",
            "chunked" if chunked else len(body),
        )
        connection.endheaders(
            body
            if not chunked
            else b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
            if body
            else b"0\r\n\r\n"
        )
        answer = connection.getresponse()
        answer.read()
    finally:
        connection.close()
    assert answer.status < 500
