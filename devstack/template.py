"""Reads infra/template.yaml and resolves the few intrinsic functions devstack needs."""

import pathlib
import re
from typing import Any, Dict

import yaml

PATH = pathlib.Path(__file__).resolve().parent.parent / "infra" / "template.yaml"


def load() -> Dict[str, Any]:
    return yaml.safe_load(PATH.read_text())


def text() -> str:
    return PATH.read_text()


def resources_of_type(template: Dict[str, Any], kind: str) -> Dict[str, Dict[str, Any]]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def resolve(value: Any, names: Dict[str, Any]) -> Any:
    """Fn::Sub and Ref against parameters and already created resources."""
    if isinstance(value, dict):
        if set(value) == {"Ref"}:
            return names[value["Ref"]]
        if set(value) == {"Fn::Sub"}:
            return re.sub(r"\$\{([^}]+)\}", lambda m: str(names[m.group(1)]), value["Fn::Sub"])
        return {k: resolve(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, names) for v in value]
    return value
