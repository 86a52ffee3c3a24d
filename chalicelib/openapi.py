"""The OpenAPI 3 document, generated from the same msgspec models that validate and shape each route."""

import json
import re
from typing import Any, Dict

import msgspec

_DESCRIPTIONS = {
    200: "OK",
    201: "Created",
    204: "No content",
    304: "Not modified (If-None-Match matched)",
    400: "Invalid input, naming the field (also a body that is not JSON in UTF-8, or names a key twice)",
    401: "No token",
    402: "The payment was refused (the provider's reason in the message)",
    403: "Token refused, or not allowed",
    404: "Not found",
    409: "Conflict with the current state",
    412: "If-Match no longer matches",
    413: "Body over the limit (64 KiB; a Stripe event 512 KiB)",
    415: "A body (Content-Length above 0, or chunked) without Content-Type, or not application/json in UTF-8 "
    "(a request without a body needs none)",
    422: "Idempotency key reused with another body, or a total the payment provider cannot take",
    429: "Too many requests; retry after Retry-After seconds. API Gateway's throttle may answer it on any "
    "operation (the stage's limit, and tighter ones on the routes that call Cognito)",
    503: "A dependency is busy or cannot be reached; retry after Retry-After seconds",
}
# what every answer carries (chalicelib/http/middleware.py, and API Gateway's own answers: ops/edge.py)
_HEADERS: Dict[str, Dict[str, Any]] = {
    "X-Content-Type-Options": {"schema": {"type": "string", "enum": ["nosniff"]}},
    "Strict-Transport-Security": {
        "schema": {"type": "string", "enum": ["max-age=63072000; includeSubDomains"]}
    },
    "X-Frame-Options": {"schema": {"type": "string", "enum": ["DENY"]}},
    "Cache-Control": {
        "description": "`no-store`, except the catalog's cacheable reads (`public, max-age=...`); "
        "the storefront's page and assets are not stored either",
        "schema": {"type": "string"},
    },
    "Retry-After": {
        "description": "seconds to wait before trying again",
        "schema": {"type": "integer", "minimum": 1},
    },
}
_WAITS = (429, 503)
_ADDRESS_LIMITED = (
    "; in production the web ACL also limits each source address on this route (`/auth/*`, `POST /users`, "
    "`POST /users/confirm`)"
)


class Error(msgspec.Struct):
    Code: str
    Message: str


def document(app) -> str:
    operations = []
    for path, methods in app.routes.items():
        for method, entry in methods.items():
            op = getattr(entry.view_function, "operation", None)
            if op is not None:
                operations.append((path, method, entry.view_function.__name__, op))
    models = {
        m
        for *_, op in operations
        for m in (op.request, op.described_body, op.response)
        if m is not None
    }
    _, components = msgspec.json.schema_components(
        sorted(models, key=lambda m: m.__name__) + [Error],
        ref_template="#/components/schemas/{name}",
    )
    for *_, op in operations:
        if op.described_body is not None:
            _allow_other_fields(components, op.described_body.__name__)
    paths: Dict[str, Dict[str, Any]] = {}
    for path, method, name, op in sorted(operations):
        paths.setdefault(path, {})[method.lower()] = _operation(path, name, op)
    spec = {
        "openapi": "3.0.3",
        "info": {
            "title": "shop",
            "version": "1.0.0",
            "description": "A serverless shop: accounts, catalog, cart, orders and notifications.",
        },
        "paths": paths,
        "components": {
            "schemas": components,
            "headers": {name: {**header, "required": True} for name, header in _HEADERS.items()},
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
        },
    }
    return json.dumps(_openapi30(spec), separators=(",", ":"))


def _operation(path: str, name: str, op) -> Dict[str, Any]:
    parameters = [
        {"name": p, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
        for p in re.findall(r"{(\w+)}", path)
    ]
    parameters += [
        {
            "name": q,
            "in": "query",
            "required": False,
            "schema": _query_schema(kind),
            "description": _QUERY_RULE,
        }
        for q, kind in op.query
    ]
    parameters += [
        {"name": h, "in": "header", "required": False, "schema": _query_schema(kind)}
        for h, kind in op.headers
    ]
    operation = {
        "operationId": name,
        "summary": op.summary,
        "parameters": parameters,
        "responses": _responses(path, op),
        "security": [] if op.public else [{"bearer": []}],
    }
    body = op.request or op.described_body
    if body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(body)}},
        }
    if op.admin:
        operation["description"] = "Admin only: other callers get 403."
    return operation


def _responses(path: str, op) -> Dict[str, Any]:
    body: Dict[str, Any]
    if op.response:
        body = {"content": {"application/json": {"schema": _ref(op.response)}}}
    elif op.produces != ("application/json",):
        body = {"content": {kind: {"schema": {"type": "string"}} for kind in op.produces}}
    else:
        body = {}
    statuses: Dict[int, Dict[str, Any]] = {
        op.status: {"description": _DESCRIPTIONS[op.status], **body}
    }
    if op.cacheable or 304 in op.errors:
        statuses[304] = {"description": _DESCRIPTIONS[304]}
    error = {"content": {"application/json": {"schema": _ref(Error)}}}
    for code in sorted(_error_statuses(op)):
        statuses[code] = {"description": _DESCRIPTIONS[code], **error}
    if address_limited(op.method, path):
        statuses[429]["description"] += _ADDRESS_LIMITED
    for code, status in statuses.items():
        status["headers"] = _headers(code)
    return {str(k): v for k, v in sorted(statuses.items())}


def _error_statuses(op) -> set:
    """Every error an operation may answer: its own, the authorizer's, the media type's and the edge's."""
    codes = (set(op.errors) - {304}) | {429, 503}
    if not op.public:
        codes |= {401, 403}
    if not op.raw_body:  # a body without the shop's media type is 415, also where none is expected
        codes |= {415}
    if op.request is not None:
        codes |= {400, 413}
    return codes


def address_limited(method: str, path: str) -> bool:
    """The routes the production web ACL limits per source address (ops/edge.py; a test holds them together)."""
    return path.startswith("/auth/") or (method == "POST" and path in ("/users", "/users/confirm"))


def _allow_other_fields(components: Dict[str, Any], name: str) -> None:
    """A body in its sender's format (Stripe's event): the fields described, and whatever else it sends."""
    schema = components[name]
    schema["additionalProperties"] = True
    for field in schema.get("properties", {}).values():
        ref = field.get("$ref", "")
        if ref.startswith("#/components/schemas/"):
            _allow_other_fields(components, ref.rsplit("/", 1)[1])


def _headers(code: int) -> Dict[str, Any]:
    names = [name for name in _HEADERS if name != "Retry-After" or code in _WAITS]
    return {name: {"$ref": f"#/components/headers/{name}"} for name in names}


_QUERY_RULE = "Strict: given at most once (twice is 400); text outside the schema is 400 naming the parameter."


def _query_schema(kind: str) -> Dict[str, Any]:
    if kind == "limit":
        return {
            "type": "integer",
            "minimum": 1,
            "maximum": 100,
            "default": 20,
            "description": "ASCII digits only (1 to 100)",
        }
    if kind == "idempotency-key":
        return {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x21-\\x7e]+$"}
    if kind == "cursor":
        return {
            "type": "string",
            "format": "cursor",
            "description": "opaque: the previous page's next_cursor (empty or absent for the first page); "
            "a cursor the server did not issue for this list is 400",
        }
    if kind.startswith("pattern:"):
        return {"type": "string", "pattern": kind[8:]}
    if kind.startswith("enum:"):
        return {"type": "string", "enum": kind[5:].split(",")}
    return {"type": "string"}


def _ref(model) -> Dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _openapi30(node: Any) -> Any:
    """msgspec writes JSON Schema 2020-12; OpenAPI 3.0 wants `nullable` instead of null in anyOf, a
    `required` list only when it names something, and a type beside an enum (msgspec gives a Literal none)."""
    if isinstance(node, dict):
        if node.get("required") == []:
            node = {k: v for k, v in node.items() if k != "required"}
        if "type" not in node and all(isinstance(v, str) for v in node.get("enum") or [0]):
            node = {"type": "string", **node}
        variants = node.get("anyOf")
        if isinstance(variants, list) and {"type": "null"} in variants:
            rest = [v for v in variants if v != {"type": "null"}]
            merged = dict(rest[0]) if len(rest) == 1 and "$ref" not in rest[0] else {"anyOf": rest}
            merged["nullable"] = True
            for k, v in node.items():
                if k != "anyOf":
                    merged[k] = v
            return _openapi30(merged)
        return {k: _openapi30(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_openapi30(v) for v in node]
    return node
