"""The short version of `make load`: a few seconds of concurrent shoppers and admins on a whole local stack
(its own process and ports), then every invariant of the shop."""

import json
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_a_short_load_run_keeps_every_invariant():
    # a stack of its own
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHOP_", "AWS_"))}
    run = subprocess.run(
        [sys.executable, "-m", "bench.load", "--seconds", "8", "--users", "6"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    result = json.loads((ROOT / "bench" / "load-results.json").read_text())
    assert result["server_errors"] == 0 and result["requests"] > 50
    assert result["invariants"]["all_ok"] and result["invariants"]["orders"] > 0, result[
        "invariants"
    ]
