"""DynamoDB's attribute-value shapes to plain Python and back.

Every number the shop stores is an integer (money in cents, stock, counts), so a small codec on the
low-level client keeps Decimal (and float) out of the domain entirely.
"""
from typing import Any, Dict


def encode(value: Any) -> Dict[str, Any]:
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int):
        return {"N": str(value)}
    if isinstance(value, str):
        return {"S": value}
    if value is None:
        return {"NULL": True}
    if isinstance(value, dict):
        return {"M": {k: encode(v) for k, v in value.items()}}
    if isinstance(value, (list, tuple)):
        return {"L": [encode(v) for v in value]}
    raise TypeError(f"cannot store {type(value).__name__} in DynamoDB")


def decode(attribute: Dict[str, Any]) -> Any:
    (kind, value), = attribute.items()
    if kind == "S":
        return value
    if kind == "N":
        return int(value)
    if kind == "BOOL":
        return value
    if kind == "NULL":
        return None
    if kind == "M":
        return {k: decode(v) for k, v in value.items()}
    if kind == "L":
        return [decode(v) for v in value]
    raise TypeError(f"unexpected DynamoDB type {kind}")


def item(values: Dict[str, Any]) -> Dict[str, Any]:
    """A Python dict as a DynamoDB item (None values are left out)."""
    return {k: encode(v) for k, v in values.items() if v is not None}


def plain(attributes: Dict[str, Any]) -> Dict[str, Any]:
    return {k: decode(v) for k, v in attributes.items()}


def key(**values: str) -> Dict[str, Any]:
    return {k: {"S": v} for k, v in values.items()}


def values(**named: Any) -> Dict[str, Any]:
    """ExpressionAttributeValues from keyword arguments: values(q=1) gives {':q': {'N': '1'}}."""
    return {f":{k}": encode(v) for k, v in named.items()}


def error_code(exc: Exception) -> str:
    response = getattr(exc, "response", None) or {}
    return response.get("Error", {}).get("Code", "")


def is_condition_failure(exc: Exception) -> bool:
    return error_code(exc) == "ConditionalCheckFailedException"


def cancellation_reasons(exc: Exception) -> list:
    """The per-item reasons of a cancelled transaction, in the order of its items."""
    response = getattr(exc, "response", None) or {}
    return response.get("CancellationReasons") or []
