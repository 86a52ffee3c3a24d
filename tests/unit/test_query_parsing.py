"""The one parser of list queries (`limit`, `cursor`) and of single query parameters, fed arbitrary text."""

import pytest
from chalice.app import MultiDict
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib import errors
from chalicelib.http import cursors, request as parse

KEY = b"k" * 32


class Request:
    def __init__(self, **params):
        self.query_params = (
            MultiDict({k: v if isinstance(v, list) else [v] for k, v in params.items()})
            if params
            else None
        )


def _limit(text):
    return parse.limit(Request(limit=text))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "²",
        "١٠",
        "𝟗",
        "0",
        "101",
        "1e2",
        " 5",
        "5 ",
        "+5",
        "-1",
        "0x10",
        "5\n",
        pytest.param("9" * 5000, id="5000-digits"),
        pytest.param("1" + "0" * 4299, id="4300-digits"),
    ],
)
def test_a_limit_that_is_not_1_to_100_in_ascii_digits_is_refused_naming_it(text):
    with pytest.raises(errors.InvalidInput, match="`limit`"):
        _limit(text)


@pytest.mark.parametrize("text, value", [("1", 1), ("20", 20), ("100", 100), ("07", 7)])
def test_a_limit_in_ascii_digits_is_read(text, value):
    assert _limit(text) == value


def test_no_limit_is_the_default():
    assert parse.limit(Request()) == 20 and parse.limit(Request(cursor="")) == 20


def test_a_parameter_given_twice_is_refused_naming_it():
    with pytest.raises(errors.InvalidInput, match="`limit`"):
        parse.limit(Request(limit=["5", "5"]))
    with pytest.raises(errors.InvalidInput, match="`category`"):
        parse.query(Request(category=["chairs", "lamps"]), "category")


def test_unknown_parameters_are_ignored():
    assert parse.query(Request(colour=["red", "blue"]), "category") is None


@given(st.text(max_size=300))
@settings(max_examples=500, deadline=None)
def test_any_text_is_a_limit_from_1_to_100_or_a_400(text):
    try:
        value = _limit(text)
    except errors.InvalidInput as exc:
        assert "`limit`" in str(exc)
    else:
        assert 1 <= value <= 100 and text.isascii()


@given(
    st.one_of(
        st.text(max_size=300),
        st.from_regex(r"[A-Za-z0-9_-]{0,60}\.[A-Za-z0-9_-]{0,30}", fullmatch=True),
        st.builds(
            lambda p: cursors.encode("products:*", {"id": "01J"}, KEY)[:p], st.integers(0, 80)
        ),
    )
)
@settings(max_examples=500, deadline=None)
def test_any_text_is_a_cursor_of_this_list_or_a_400(text):
    try:
        position = cursors.decode(text, "products:*", KEY)
    except errors.InvalidInput as exc:
        assert "`cursor`" in str(exc)
    else:
        assert position is None or position == {"id": "01J"}


def test_a_cursor_the_server_issued_round_trips_and_no_other_passes():
    issued = cursors.encode("products:*", {"id": "01J"}, KEY)
    assert cursors.decode(issued, "products:*", KEY) == {"id": "01J"}
    assert cursors.decode("", "products:*", KEY) is None
    for bad in [
        "x.\u00e9",
        issued + "\u00e9",
        "\u00e9" + issued,
        issued.replace(".", "\uff0e"),
        issued + "\n",
        issued[:-1],
        "." * 30,
        issued.replace(".", ".."),
    ]:
        with pytest.raises(errors.InvalidInput, match="`cursor`"):
            cursors.decode(bad, "products:*", KEY)
    with pytest.raises(errors.InvalidInput, match="another list"):
        cursors.decode(issued, "orders:*", KEY)
