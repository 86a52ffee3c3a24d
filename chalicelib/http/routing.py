"""One route decorator for every view: the operation's record, the token authorizer (and the admin check),
the body decoded into the declared model, and every error mapped to its answer.

Chalice middleware never sees view exceptions (Chalice has already turned them into responses), so errors are
mapped here, in the wrapper every route goes through. A view is called as `view(request, **path_params)`, plus
`form=` (the decoded body) on routes that declare a request model, `raw=` (the body's bytes) on routes whose body is
not the shop's own format (`raw_body=True`), and `caller=` where the view asks for it.

The body's media type is checked here too: Chalice's own check treats a body without Content-Type as JSON and
echoes the header back in its 415, so Chalice is told to accept any type (ANY_MEDIA_TYPE) and this wrapper decides."""

import inspect
from typing import Callable, Dict

from chalice import Response

from chalicelib import auth, cache, errors, observability, operation, text, transient
from chalicelib.http import body as bodies
from chalicelib.http import request as parse
from chalicelib.http import responses
from chalicelib.operation import Operation

ANY_MEDIA_TYPE = "*/*"
# no id the shop issues is longer (product and order ids 26 characters, notification ids about 60): on a route
# that answers 404 for what does not exist, a longer path parameter is that 404 at once, quoted briefly
MAX_PATH_PARAMETER = text.QUOTE_LIMIT


def route(
    blueprint, path: str, method: str, summary: str, *, public: bool = False, **meta
) -> Callable:
    """Register a view on a blueprint with its operation record; non-public routes get the token authorizer,
    admin routes also the admin check."""
    record = Operation(method=method, path=path, summary=summary, public=public, **meta)

    def decorate(view: Callable) -> Callable:
        wants_caller = "caller" in inspect.signature(view).parameters

        def wrapper(**params):
            return _run(blueprint, record, view, params, wants_caller)

        wrapper.__name__ = view.__name__
        wrapper.__doc__ = view.__doc__
        # the blueprint's module: ops/package.py loads only it per function
        wrapper.__module__ = view.__module__
        setattr(wrapper, "operation", record)  # read by the OpenAPI builder and the packaging
        blueprint.route(
            path,
            methods=[method],
            authorizer=None if public else auth.token_authorizer,
            content_types=[ANY_MEDIA_TYPE],
        )(wrapper)
        return wrapper

    return decorate


def _run(
    blueprint, record: Operation, view: Callable, params: Dict[str, str], wants_caller: bool
) -> Response:
    request = blueprint.current_request
    cache.stale_served.set(False)
    with operation.serving(record):
        try:
            given = _inputs(request, record, params, wants_caller)
            return view(request, **given, **params)
        except errors.ShopError as exc:
            return responses.error(exc)
        except Exception as exc:
            if transient.is_transient(exc):
                observability.logger().warning("dependency unavailable", extra={"error": repr(exc)})
                return responses.error(errors.Unavailable(transient.explain(exc)))
            observability.logger().exception("unhandled error")
            return responses.error_body(
                500, "InternalServerError", "An internal server error occurred."
            )


def _inputs(
    request, record: Operation, params: Dict[str, str], wants_caller: bool
) -> Dict[str, object]:
    """Who calls (and whether they may), then the path and the body: what the view is given besides them."""
    given: Dict[str, object] = {}
    if not record.public:
        who = parse.caller(request)
        if record.admin:
            who.require_admin()
        if wants_caller:
            given["caller"] = who
    for name, value in params.items():
        if len(value) > MAX_PATH_PARAMETER and 404 in record.errors:
            raise errors.NotFound(f"no {name.replace('_', ' ')} {text.quoted(value)} exists")
    if record.raw_body:
        given["raw"] = bodies.within_limit(parse.raw_body(request), record.max_body)
        return given
    parse.require_json_body(request)
    if record.request is not None:
        given["form"] = parse.body(request, record.request, record.max_body)
    return given
