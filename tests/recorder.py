"""Records every AWS call the app makes, attributed to the operation being served, so the IAM declarations
next to each route can be compared with what the code really does."""

import collections
import threading

_calls = collections.defaultdict(set)
_lock = threading.Lock()
_installed = False

# DynamoDB actions whose parameters name their tables
# API operations whose IAM action has another name
_IAM_ACTION = {
    "SendMessageBatch": "SendMessage",
    "DeleteMessageBatch": "DeleteMessage",
    "ChangeMessageVisibilityBatch": "ChangeMessageVisibility",
}
_WRITE_KINDS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}


def install(stage: str) -> None:
    global _installed
    if _installed:
        return
    from botocore.client import BaseClient
    from chalicelib import operation

    original = BaseClient._make_api_call
    prefix = f"shop-{stage}-"

    def short(table: str) -> str:
        return table[len(prefix) :] if table.startswith(prefix) else table

    def recording(self, operation_name, params):
        try:
            answer = original(self, operation_name, params)
        # a refused write needed its permission too; a table that is not there, none
        except Exception as exc:
            if (
                getattr(exc, "response", {}).get("Error", {}).get("Code")
                != "ResourceNotFoundException"
            ):
                record(self, operation_name, params)
            raise
        record(self, operation_name, params)
        return answer

    def record(self, operation_name, params):
        op = operation.current.get()
        if op is not None:
            service = (
                self.meta.service_model.signing_name or self.meta.service_model.endpoint_prefix
            )
            needs = set()
            if "TableName" in params:
                written = (
                    _attributes(params)
                    if operation_name in ("PutItem", "UpdateItem", "DeleteItem")
                    else ""
                )
                needs.add(f"{service}:{operation_name}:{short(params['TableName'])}{written}")
            elif operation_name in ("BatchGetItem", "BatchWriteItem"):
                needs.add(
                    f"{service}:{operation_name}:"
                    + ",".join(sorted(short(t) for t in params["RequestItems"]))
                )
            elif "SecretId" in params:
                needs.add(f"{service}:{operation_name}:{short(params['SecretId'])}")
            elif operation_name == "TransactWriteItems":
                for item in params["TransactItems"]:
                    ((kind, body),) = item.items()
                    needs.add(
                        f"{service}:{_WRITE_KINDS[kind]}:{short(body['TableName'])}{_attributes(body)}"
                    )
            else:
                needs.add(f"{service}:{_IAM_ACTION.get(operation_name, operation_name)}")
            with _lock:
                _calls[(op.method, op.path)].update(needs)

    BaseClient._make_api_call = recording
    _installed = True


def _attributes(params: dict) -> str:
    """The top-level attributes a write touches, as IAM's dynamodb:Attributes sees them: the key, the item's
    attributes, and those its expressions name (`#a.#b` touches `a`; `b` is a key inside it)."""
    import re

    names = set((params.get("Key") or {}) | (params.get("Item") or {}))
    placeholders = params.get("ExpressionAttributeNames") or {}
    expressions = " ".join(
        params.get(e) or ""
        for e in ("UpdateExpression", "ConditionExpression", "ProjectionExpression")
    )
    names |= {
        placeholders[p] for p in re.findall(r"(?<![.\w#])#\w+", expressions) if p in placeholders
    }
    return "(" + ",".join(sorted(names)) + ")"


def calls():
    with _lock:
        return {k: set(v) for k, v in _calls.items()}


def covered(declared: set, made: str) -> bool:
    """A call is covered by a declaration of its action on its tables, within the attributes declared."""
    from ops.needs import allows

    return allows(declared, made)
