"""Every function the production template holds, read off the app: one per API operation, the authorizer and
the event handlers, each with the AWS access it declares."""

import re
from dataclasses import dataclass
from typing import List, Tuple


@dataclass(frozen=True)
class Function:
    logical_id: str
    handler: str
    needs: Tuple[str, ...]
    method: str = ""
    path: str = ""
    public: bool = False
    module: str = ""  # where the view is defined (its blueprint's module)


def api_operations(app) -> List[Function]:
    functions = []
    for path, methods in sorted(app.routes.items()):
        for method, entry in sorted(methods.items()):
            op = entry.view_function.operation
            functions.append(
                Function(
                    logical_id=_camel(entry.view_function.__name__) + "Function",
                    handler="app.app",
                    needs=op.needs,
                    method=method,
                    path=path,
                    public=op.public,
                    module=entry.view_function.__module__,
                )
            )
    ids = [f.logical_id for f in functions]
    assert len(ids) == len(set(ids)), "two API operations share a view name"
    return functions


def event_handlers() -> List[Function]:
    from chalicelib.notifications import handlers
    from chalicelib.orders import checks, outbox, sweeping

    return [
        Function("PublishOrderEvents", "app.publish_order_events", outbox.PUBLISH.needs),
        Function("DeliverNotifications", "app.deliver_notifications", handlers.DELIVER.needs),
        Function("CheckReservations", "app.check_reservations", checks.CHECK.needs),
        Function("SweepPayments", "app.sweep_payments", sweeping.SWEEP.needs),
    ]


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[_\W]+", name) if part)
