"""A warm function: many requests through one entry point, then its peak resident memory (VmHWM;
getrusage's maxrss would carry the parent's peak across exec)."""

import json
import sys

sys.path.insert(0, sys.argv[1])
from bench.lambda_event import Context, event  # noqa: E402
from app import app  # noqa: E402

requests = json.loads(sys.argv[2])
for _ in range(int(sys.argv[3])):
    for spec in requests:
        app(event(**spec), Context())
with open("/proc/self/status") as status:
    peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))
print(json.dumps({"peak_rss_mb": round(peak_kb / 1024, 1)}))
