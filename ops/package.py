"""`make package STAGE=prod`: `chalice package` with the resources of infra/, then the production changes
Chalice cannot make: one Lambda function per API operation, each with its own least-privilege role; event
source mappings with partial batch failures, bisecting and an on-failure destination; arm64, X-Ray, log
retention, stage throttling and the catalog cache; contract-shaped gateway errors; SnapStart when the stage
asks for it. Writes dist/<stage>/sam.json and dist/<stage>/deployment.zip, a zip rebuilt for the target
architecture with bytecode for everything it carries.
"""

import argparse
import copy
import json
import os
import pathlib
import shutil
import subprocess
import sys

import yaml

from ops.build import PLATFORMS, build_zip, check_runtime
from ops.operations import api_operations, event_handlers
from ops.template import DEFAULT_OPTIONS, named_functions, transform

ROOT = pathlib.Path(__file__).resolve().parent.parent


def stage_options(stage: str, config: dict = None) -> dict:
    """DEFAULT_OPTIONS with what the stage's `production` section of .chalice/config.json sets."""
    config = config or json.loads((ROOT / ".chalice" / "config.json").read_text())
    options = copy.deepcopy(DEFAULT_OPTIONS)
    options.update(config["stages"][stage].get("production", {}))
    unknown = set(options) - set(DEFAULT_OPTIONS)
    if unknown:
        raise ValueError(f"unknown production options for stage {stage}: {sorted(unknown)}")
    return options


def build(
    stage: str, out: pathlib.Path, arch: str = None, bundle_sdk: bool = False, with_zip: bool = True
) -> pathlib.Path:
    """dist/<stage>/sam.json and deployment.zip; `arch` overrides the stage's (x86_64 for this machine's bench)."""
    out.mkdir(parents=True, exist_ok=True)
    merge = out / "resources.json"
    merge.write_text(json.dumps(yaml.safe_load((ROOT / "infra" / "template.yaml").read_text())))
    chalice_out = out / "chalice"
    shutil.rmtree(chalice_out, ignore_errors=True)
    env = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "us-east-1")}
    env.pop("AWS_ENDPOINT_URL", None)
    subprocess.run(
        [
            str(pathlib.Path(sys.executable).parent / "chalice"),
            "package",
            "--stage",
            stage,
            "--merge-template",
            str(merge),
            str(chalice_out),
        ],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    template = json.loads((chalice_out / "sam.json").read_text())
    check_runtime(template["Resources"]["APIHandler"]["Properties"]["Runtime"])
    sys.path.insert(0, str(ROOT))
    from app import app

    options = stage_options(stage)
    options["arch"] = arch or options["arch"]
    result = transform(template, api_operations(app), event_handlers(), options)
    (out / "sam.json").write_text(json.dumps(result, indent=1, sort_keys=True))
    if with_zip:
        build_zip(
            chalice_out / "deployment.zip", out / "deployment.zip", options["arch"], bundle_sdk
        )
    shutil.rmtree(chalice_out)
    merge.unlink()
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="package")
    parser.add_argument("--stage", default="prod")
    parser.add_argument(
        "--arch", choices=sorted(PLATFORMS), help="overrides the stage's (default arm64)"
    )
    args = parser.parse_args(argv)
    out = build(args.stage, ROOT / "dist" / args.stage, arch=args.arch)
    functions = named_functions(json.loads((out / "sam.json").read_text()))
    size = (out / "deployment.zip").stat().st_size
    print(
        f"{out / 'sam.json'}: {len(functions)} functions; {out / 'deployment.zip'}: {size / 1e6:.1f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
