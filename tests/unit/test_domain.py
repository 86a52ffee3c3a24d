import pytest

from chalicelib import errors
from chalicelib.notifications import model as events
from chalicelib.orders import model
from chalicelib.orders.model import Line, Order
from chalicelib.products.model import Product, check


def _order(status="PLACED"):
    return Order("O1", "U1", status, (Line("P1", "Chair", 1250, 2), Line("P2", "Lamp", 999, 1)),
                 "2026-11-27T10:00:00Z", "2026-11-27T10:00:00Z")


def test_an_order_totals_its_lines_in_cents():
    assert _order().total_cents == 2 * 1250 + 999


@pytest.mark.parametrize("status, action, after", [
    ("PLACED", "ship", "SHIPPED"), ("SHIPPED", "deliver", "DELIVERED"), ("PLACED", "cancel", "CANCELLED")])
def test_allowed_moves(status, action, after):
    assert _order(status).moved(action, "2026-11-27T11:00:00Z").status == after


@pytest.mark.parametrize("status, action", [
    ("PLACED", "deliver"), ("SHIPPED", "ship"), ("SHIPPED", "cancel"), ("DELIVERED", "cancel"),
    ("CANCELLED", "ship"), ("DELIVERED", "deliver")])
def test_every_other_move_is_a_conflict_naming_the_status(status, action):
    with pytest.raises(errors.Conflict, match=status):
        _order(status).moved(action, "2026-11-27T11:00:00Z")


def test_merging_lines_adds_quantities_of_the_same_product():
    assert model.merged([("A", 2), ("B", 1), ("A", 3)]) == {"A": 5, "B": 1}


@pytest.mark.parametrize("requested", [[], [("A", 60), ("A", 40)], [(f"P{i}", 1) for i in range(51)]])
def test_merging_refuses_empty_oversized_or_overfull_orders(requested):
    with pytest.raises(errors.InvalidInput):
        model.merged(requested)


def _product(pid, stock=5, price=100, name="Chair"):
    return Product(pid, name, "", "furniture", price, stock, None, "t", "t")


def test_pricing_drops_products_that_no_longer_exist_and_uses_current_prices():
    lines = model.priced({"A": 2, "GONE": 1}, {"A": _product("A", price=150)})
    assert lines == (Line("A", "Chair", 150, 2),) and lines[0].line_total_cents == 300


def test_shortage_names_the_first_product_without_enough_stock():
    products = {"A": _product("A", stock=5), "B": _product("B", stock=1)}
    assert model.shortage(model.priced({"A": 5, "B": 2}, products), products) == "B"
    assert model.shortage(model.priced({"A": 5, "B": 1}, products), products) is None


@pytest.mark.parametrize("field, value", [("price_cents", -1), ("price_cents", 100_000_001), ("name", " "),
                                          ("category", "Bad Slug"), ("image_url", "http://x"), ("stock", -1)])
def test_product_rules_name_the_field(field, value):
    from dataclasses import replace
    with pytest.raises(errors.InvalidInput, match=f"`{field}`"):
        check(replace(_product("A"), **{field: value}))


def test_only_status_changes_of_orders_are_events():
    placed = {"id": "O1", "kind": "order", "user_id": "U1", "status": "PLACED", "lines": [{"quantity": 2}],
              "total_cents": 500, "updated_at": "t"}
    event = events.event_of_change(None, placed)
    assert (event.id, event.type, event.item_count) == ("O1.PLACED", "ORDER_PLACED", 2)
    assert events.event_of_change(placed, placed) is None
    assert events.event_of_change(None, {"id": "cart#U1"}) is None
    assert events.event_of_change(placed, None) is None
    assert events.event_of_change(placed, dict(placed, status="SHIPPED")).id == "O1.SHIPPED"


def test_notification_texts_show_money_from_cents():
    event = events.OrderEvent("O1.PLACED", "ORDER_PLACED", "O1", "U1", 12345, 3, "t")
    assert "123.45 USD" in events.notification_of(event, "USD").message
