"""The cold start as Lambda pays it, on this machine: each zip unpacked into a fresh directory; a fresh
interpreter of the runtime's Python (the one running this, which also wrote the zip's bytecode) that cannot
write bytecode, with nothing on sys.path but the standard library, the unpacked zip and a runtime directory
holding boto3/botocore with bytecode, as Lambda's runtime provides them; the time to the first answer of an
API Gateway event against the local stack. Variants run interleaved (the order rotating), medians reported."""

import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import zipfile
from typing import Dict, List

from bench import progress

ROOT = pathlib.Path(__file__).resolve().parent.parent
# the interpreter itself, not the virtual environment's site
PYTHON = os.path.realpath(sys.executable)


def prepare(work: pathlib.Path, event: dict, bundled_too: bool = True) -> Dict[str, dict]:
    """Every variant's unpacked directory, zip size and function settings; the production zip is `make package
    STAGE=prod ARCH=x86_64`'s, run with the settings of the function that serves the event."""
    from ops import package

    shop = package.build("prod", work / "shop", arch="x86_64")
    zips = {"shop": shop / "deployment.zip"}
    if bundled_too:
        zips["shop, SDK bundled"] = (
            package.build("prod", work / "bundled", arch="x86_64", bundle_sdk=True)
            / "deployment.zip"
        )
    zips["baseline"] = _baseline_zip(work / "baseline")
    serving = function_settings(json.loads((shop / "sam.json").read_text()), event)
    variants = {
        name: {
            "dir": _unpack(path, work / "task" / name),
            "zip_mb": round(path.stat().st_size / 1e6, 2),
            "handler": "app.app",
            "env": {} if name == "baseline" else serving,
        }
        for name, path in zips.items()
    }
    variants["baseline + bytecode"] = {
        **variants["baseline"],
        "dir": _compiled_copy(variants["baseline"]["dir"]),
    }
    variants["shop without bytecode"] = {
        **variants["shop"],
        "dir": _without_bytecode(variants["shop"]["dir"]),
    }
    if bundled_too:  # what `chalice package` alone would ship now that PynamoDB brings botocore
        bundled = variants["shop, SDK bundled"]
        variants["shop, SDK bundled, no bytecode"] = {
            **bundled,
            "dir": _without_bytecode(bundled["dir"]),
        }
    return variants


def function_settings(template: dict, event: dict) -> Dict[str, str]:
    """The literal environment variables of the function that serves the event (SHOP_BLUEPRINTS and the like);
    the stage, the tables and the endpoint stay the local stack's."""
    paths = template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]["paths"]
    uri = paths[event["resource"]][event["httpMethod"].lower()]["x-amazon-apigateway-integration"][
        "uri"
    ]["Fn::Sub"]
    function = template["Resources"][uri.split("functions/${")[1].split(".Arn}")[0]]
    variables = function["Properties"]["Environment"]["Variables"]
    return {k: v for k, v in variables.items() if isinstance(v, str) and k != "SHOP_STAGE"}


def runtime_directory(work: pathlib.Path) -> pathlib.Path:
    """boto3, botocore and their dependencies at the pinned version, with bytecode (Lambda's /var/runtime)."""
    from ops import build

    runtime = work / "runtime"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--target",
            str(runtime),
            "--no-compile",
            build.sdk_pin(),
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "-q", "-j", "0", str(runtime)], check=True
    )
    return runtime


def run(
    variants: Dict[str, dict], runtime: pathlib.Path, event: dict, env: Dict[str, str], runs: int
) -> Dict:
    names = list(variants)
    timings: Dict[str, List[dict]] = {name: [] for name in names}
    progress.expect(runs * len(names))
    for i in range(runs):
        for name in names[i % len(names) :] + names[: i % len(names)]:
            timings[name].append(_once(variants[name], runtime, event, env))
            progress.advance()
    return {
        name: {
            "median_ms": _median(done, "ms"),
            "min_ms": round(min(r["ms"] for r in done), 1),
            "max_ms": round(max(r["ms"] for r in done), 1),
            "median_cpu_ms": _median(done, "cpu_ms"),
            "zip_mb": variants[name]["zip_mb"],
            "botocore_from": done[-1]["botocore"],
            "modules": done[-1]["modules"],
            "retried": sum(r["retried"] for r in done),
        }
        for name, done in timings.items()
    }


def _median(done: List[dict], field: str) -> float:
    return round(statistics.median(r[field] for r in done), 1)


def _once(
    variant: dict, runtime: pathlib.Path, event: dict, env: Dict[str, str], retried: int = 0
) -> dict:
    """One cold start; one answered 503 (the local stack refusing under this machine's load) is run again,
    and counted."""
    task = str(variant["dir"])
    spec = {
        "handler": variant["handler"],
        "event": event,
        "lambda_event": str(ROOT / "bench" / "lambda_event.py"),
        "roots": {"task": task, "runtime": str(runtime)},
    }
    child_env = {
        **env,
        **variant["env"],
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONPATH": f"{task}:{runtime}",
        "LAMBDA_TASK_ROOT": task,
    }
    out = subprocess.run(
        [PYTHON, "-P", "-S", "-s", str(ROOT / "bench" / "coldstart.py"), json.dumps(spec)],
        cwd=task,
        env=child_env,
        capture_output=True,
        text=True,
    )
    if out.returncode:
        raise RuntimeError(f"cold start failed in {task}:\n{out.stderr[-3000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if result["status"] == 503 and retried < 2:
        return _once(variant, runtime, event, env, retried + 1)
    if result["status"] != 200 or result["strays"]:
        raise RuntimeError(
            f"{task}: status {result['status']}, modules from outside the zip and runtime: "
            f"{result['strays']}"
        )
    return {**result, "retried": retried}


def lambda_environment(extra: Dict[str, str]) -> Dict[str, str]:
    """What a function sees: the stage's settings and the local stack's endpoint and dummy credentials, no
    PYTHON* variables of this process (a PYTHONPYCACHEPREFIX would hide every .pyc)."""
    kept = {k: v for k, v in os.environ.items() if k.startswith(("AWS_", "SHOP_", "POWERTOOLS_"))}
    runtime = f"python{sys.version_info.major}.{sys.version_info.minor}"
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "TZ": "UTC",
        **kept,
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{runtime}",
        **extra,
    }


def _baseline_zip(out: pathlib.Path) -> pathlib.Path:
    # chalice caches there
    project = shutil.copytree(ROOT / "bench" / "baseline", out.with_name("baseline-project"))
    env = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "us-east-1")}
    env.pop("AWS_ENDPOINT_URL", None)
    subprocess.run(
        [str(pathlib.Path(sys.executable).parent / "chalice"), "package", str(out)],
        cwd=project,
        env=env,
        check=True,
        capture_output=True,
    )
    return out / "deployment.zip"


def _unpack(zip_path: pathlib.Path, target: pathlib.Path) -> pathlib.Path:
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(target)
    return target


def _compiled_copy(source: pathlib.Path) -> pathlib.Path:
    target = source.with_name(source.name + "-bytecode")
    shutil.copytree(source, target)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "compileall",
            "-q",
            "-q",
            "--invalidation-mode",
            "unchecked-hash",
            str(target),
        ],
        check=True,
    )
    return target


def _without_bytecode(source: pathlib.Path) -> pathlib.Path:
    target = source.with_name(source.name + "-source")
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def compare(event: dict, baseline_env: Dict[str, str], runs: int) -> Dict:
    with tempfile.TemporaryDirectory() as work_dir:
        work = pathlib.Path(os.environ.get("BENCH_KEEP") or work_dir)
        variants = prepare(work, event)
        runtime = runtime_directory(work)
        return run(variants, runtime, event, lambda_environment(baseline_env), runs)
