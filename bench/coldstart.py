"""One Lambda-like cold start, run by bench.lambda_like in a fresh interpreter (`python -P -S -s` with
PYTHONDONTWRITEBYTECODE=1, so sys.path holds only the unpacked zip, the runtime directory and the standard
library). The clock runs from before the handler's module is imported to its first answer to the event."""

import importlib.util
import json
import sys
import time

spec = json.loads(sys.argv[1])
harness = importlib.util.spec_from_file_location("lambda_event", spec["lambda_event"])
lambda_event = importlib.util.module_from_spec(harness)
harness.loader.exec_module(lambda_event)
before = set(sys.modules)

started, started_cpu = time.perf_counter(), time.process_time()
module_name, _, attribute = spec["handler"].rpartition(".")
handler = getattr(__import__(module_name, fromlist=[attribute]), attribute)
answer = handler(spec["event"], lambda_event.Context())
ms, cpu_ms = (time.perf_counter() - started) * 1000, (time.process_time() - started_cpu) * 1000


import sysconfig  # noqa: E402  (after the clock)

roots = {**spec["roots"], "stdlib": sysconfig.get_paths()["stdlib"]}


def origin(module) -> str:
    path = getattr(module, "__file__", None) or ""
    return next(
        (name for name, root in roots.items() if path.startswith(root + "/")), path or "built-in"
    )


loaded = {
    name: origin(sys.modules[name])
    for name in set(sys.modules) - before
    if not name.startswith("__")
}
print(
    json.dumps(
        {
            "ms": ms,
            "cpu_ms": cpu_ms,
            "status": answer["statusCode"],
            "modules": len(loaded),
            "botocore": loaded.get("botocore", "not loaded"),
            "strays": sorted(
                {f"{name}: {where}" for name, where in loaded.items() if where.startswith("/")}
            ),
        }
    )
)
