"""`make deploy` updates a stage's resources stack in place (ops/deploy.py). CloudFormation cannot change a
global secondary index in place ("Updates are not supported" for its KeySchema or Projection: the update fails
and rolls the whole stack back), and per update it adds or deletes at most one index of a table. So against the
indexes every deployed stage has (infra/released-indexes.yaml), an index keeps its keys and projection, and a
table gains or loses at most one index (a change is a new name in one release, the old one deleted in the next).
"""

import pathlib
from typing import Dict

import yaml

from devstack import template

RELEASED = pathlib.Path(__file__).resolve().parents[2] / "infra" / "released-indexes.yaml"


def _now() -> Dict[str, Dict[str, dict]]:
    return {
        logical_id: {
            i["IndexName"]: {"KeySchema": i["KeySchema"], "Projection": i["Projection"]}
            for i in resource["Properties"].get("GlobalSecondaryIndexes", [])
        }
        for logical_id, resource in template.load()["Resources"].items()
        if resource["Type"] == "AWS::DynamoDB::Table"
    }


def _changes(released: Dict[str, Dict[str, dict]], now: Dict[str, Dict[str, dict]]):
    """(indexes changed in place, tables gaining or losing more than one index)."""
    changed, too_many = [], []
    for table, indexes in now.items():
        before = released.get(table, {})
        changed += [f"{table}.{n}" for n in indexes if n in before and indexes[n] != before[n]]
        if len(set(indexes) ^ set(before)) > 1 and table in released:
            too_many.append(table)
    return sorted(changed), sorted(too_many)


def test_no_index_a_deployed_stage_has_is_changed_in_place_and_a_table_gains_or_loses_one_at_most():
    assert _changes(yaml.safe_load(RELEASED.read_text()), _now()) == ([], [])


def test_the_check_refuses_a_projection_changed_in_place_and_two_new_indexes():
    released = {"T": {"a": {"KeySchema": [1], "Projection": {"ProjectionType": "ALL"}}}}
    keys_only = {"T": {"a": {"KeySchema": [1], "Projection": {"ProjectionType": "KEYS_ONLY"}}}}
    assert _changes(released, keys_only) == (["T.a"], [])
    two_new = {"T": {**released["T"], "b": {}, "c": {}}}
    assert _changes(released, two_new) == ([], ["T"])
    renamed = {"T": {**released["T"], "b": {"KeySchema": [1], "Projection": {}}}}
    assert _changes(released, renamed) == ([], [])
