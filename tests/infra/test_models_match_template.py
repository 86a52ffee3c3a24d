"""infra/template.yaml is the one source of the resources; the PynamoDB models must say the same: table keys,
attribute types, every index with its keys and projection."""

import pytest

from devstack import template

MODELS = {
    "UsersTable": "chalicelib.users.repository:UserRecord",
    "ProductsTable": "chalicelib.products.records:CatalogItem",
    "CartsTable": "chalicelib.orders.records:CartRecord",
    "OrdersTable": "chalicelib.orders.records:OrderRecord",
    "NotificationsTable": "chalicelib.notifications.repository:NotificationRecord",
    "PaymentsTable": "chalicelib.orders.records:EventRecord",
    "SessionsTable": "chalicelib.users.sessions:SessionRecord",
}


def _model(path):
    import importlib

    module, name = path.split(":")
    return getattr(importlib.import_module(module), name)


def _keys(schema):
    return {(k["AttributeName"], k["KeyType"]) for k in schema}


def _projection(projection):
    return projection["ProjectionType"], sorted(projection.get("NonKeyAttributes", []))


def test_every_table_of_the_template_has_a_model():
    assert set(template.resources_of_type(template.load(), "AWS::DynamoDB::Table")) == set(MODELS)


@pytest.mark.parametrize("logical_id", sorted(MODELS))
def test_the_model_and_the_template_agree(logical_id):
    table = template.load()["Resources"][logical_id]["Properties"]
    schema = _model(MODELS[logical_id])._get_schema()
    assert _keys(schema["key_schema"]) == _keys(table["KeySchema"])
    assert {(a["AttributeName"], a["AttributeType"]) for a in schema["attribute_definitions"]} == {
        (a["AttributeName"], a["AttributeType"]) for a in table["AttributeDefinitions"]
    }
    declared = {
        i["IndexName"]: (_keys(i["KeySchema"]), _projection(i["Projection"]))
        for i in table.get("GlobalSecondaryIndexes", [])
    }
    modelled = {
        i["index_name"]: (_keys(i["key_schema"]), _projection(i["projection"]))
        for i in schema.get("global_secondary_indexes", [])
    }
    assert modelled == declared
