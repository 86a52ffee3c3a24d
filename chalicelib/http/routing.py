"""One route decorator for every view: the operation's record, the token authorizer (and the admin check),
the body decoded into the declared model, and every error mapped to its answer.

Chalice middleware never sees view exceptions (Chalice has already turned them into responses), so errors are
mapped here, in the wrapper every route goes through. A view is called as `view(request, **path_params)`, plus
`form=` (the decoded body) on routes that declare a request model, and `caller=` where the view asks for it."""
import inspect
from typing import Callable, Dict

from chalice import Response

from chalicelib import auth, cache, errors, observability, operation, transient
from chalicelib.http import request as parse
from chalicelib.http import responses
from chalicelib.operation import JSON, Operation


def route(blueprint, path: str, method: str, summary: str, *, public: bool = False, **meta) -> Callable:
    """Register a view on a blueprint with its operation record; non-public routes get the token authorizer,
    admin routes also the admin check."""
    record = Operation(method=method, path=path, summary=summary, public=public, **meta)

    def decorate(view: Callable) -> Callable:
        wants_caller = "caller" in inspect.signature(view).parameters

        def wrapper(**params):
            return _run(blueprint, record, view, params, wants_caller)

        wrapper.__name__ = view.__name__
        wrapper.__doc__ = view.__doc__
        wrapper.__module__ = view.__module__  # the blueprint's module: ops/package.py loads only it per function
        wrapper.operation = record
        blueprint.route(path, methods=[method], authorizer=None if public else auth.token_authorizer,
                        content_types=[JSON])(wrapper)
        return wrapper

    return decorate


def _run(blueprint, record: Operation, view: Callable, params: Dict[str, str], wants_caller: bool) -> Response:
    request = blueprint.current_request
    cache.stale_served.set(False)
    with operation.serving(record):
        try:
            given = {}
            if not record.public:
                who = parse.caller(request)
                if record.admin:
                    who.require_admin()
                if wants_caller:
                    given["caller"] = who
            if record.request is not None:
                given["form"] = parse.body(request, record.request)
            return view(request, **given, **params)
        except errors.ShopError as exc:
            return responses.error(exc)
        except Exception as exc:
            if transient.is_transient(exc):
                observability.logger().warning("dependency unavailable", extra={"error": repr(exc)})
                return responses.error(errors.Unavailable(transient.explain(exc)))
            observability.logger().exception("unhandled error")
            return responses.error_body(500, "InternalServerError", "An internal server error occurred.")
