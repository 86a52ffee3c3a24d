"""The deployment zip: the app and Chalice's runtime from Chalice's zip, the requirements as wheels for the
target architecture and this Python, the SDK left to the Lambda runtime (unless bundled), and bytecode for
everything it carries (compiled by the runtime's Python, unchecked-hash: unzipping changes timestamps)."""

import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from typing import List

ROOT = pathlib.Path(__file__).resolve().parent.parent
PLATFORMS = {"arm64": "manylinux2014_aarch64", "x86_64": "manylinux2014_x86_64"}
# The Lambda runtime carries the SDK (with bytecode): the zip leaves it out unless bundle_sdk is asked for.
RUNTIME_SDK = ("boto3", "botocore", "s3transfer")
APP_TOPS = ("app.py", "chalice", "chalicelib")  # what we keep of Chalice's own zip


def check_runtime(runtime: str) -> None:
    """Chalice names the runtime after the Python that runs it, and the zip's bytecode is that Python's:
    they must be the same version, or every .pyc would be ignored in Lambda."""
    running = f"python{sys.version_info.major}.{sys.version_info.minor}"
    if runtime != running:
        raise RuntimeError(f"the template says {runtime} but the bytecode would be {running}'s")


def build_zip(
    chalice_zip: pathlib.Path, target: pathlib.Path, arch: str, bundle_sdk: bool = False
) -> None:
    """The app and Chalice's runtime from Chalice's zip; the requirements as wheels for `arch` and this Python;
    the SDK only if `bundle_sdk` (else the runtime's); bytecode for every module, written by this Python."""
    with tempfile.TemporaryDirectory() as site_dir:
        site = pathlib.Path(site_dir)
        requirements = ["-r", str(ROOT / "requirements.txt")] + ([sdk_pin()] if bundle_sdk else [])
        pip = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "-q",
                "--target",
                site_dir,
                "--no-compile",
                "--platform",
                PLATFORMS[arch],
                "--implementation",
                "cp",
                "--python-version",
                f"{sys.version_info.major}.{sys.version_info.minor}",
                "--only-binary=:all:",
                *requirements,
            ],
            capture_output=True,
            text=True,
        )
        if pip.returncode:
            raise RuntimeError(
                f"pip could not fetch the {arch} dependencies:\n{pip.stdout}{pip.stderr}"
            )
        if not bundle_sdk:
            for distribution in brought_only_by_sdk(site):
                _uninstall(site, distribution)
        shutil.rmtree(site / "bin", ignore_errors=True)
        with zipfile.ZipFile(chalice_zip) as source:
            source.extractall(site, [n for n in source.namelist() if n.split("/")[0] in APP_TOPS])
        subprocess.run(
            [
                sys.executable,
                "-m",
                "compileall",
                "-q",
                "-q",
                "-j",
                "0",
                "--invalidation-mode",
                "unchecked-hash",
                site_dir,
            ],
            check=True,
        )
        _write_zip(site, target)


def sdk_pin() -> str:
    """boto3 at the version the local stack and the tests use (requirements-local.txt)."""
    text = (ROOT / "requirements-local.txt").read_text()
    return re.search(r"^boto3==\S+", text, re.MULTILINE).group(0)


def brought_only_by_sdk(site: pathlib.Path) -> List[str]:
    """The SDK's distributions and whatever only they need (dateutil, urllib3, ...), by the installed metadata."""
    from importlib.metadata import distributions
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    installed = {canonicalize_name(d.metadata["Name"]): d for d in distributions(path=[str(site)])}

    def closure(roots, skip=()) -> set:
        seen, todo = set(), [Requirement(r) for r in roots]
        while todo:
            requirement = todo.pop()
            name = canonicalize_name(requirement.name)
            if name in seen or name in skip or name not in installed:
                continue
            seen.add(name)
            for spec in installed[name].requires or []:
                dependency = Requirement(spec)
                extras = requirement.extras or {""}
                if dependency.marker is None or any(
                    dependency.marker.evaluate({"extra": e}) for e in extras
                ):
                    todo.append(dependency)
        return seen

    ours = [
        line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()
    ]
    return sorted(closure(RUNTIME_SDK) - closure([line for line in ours if line], skip=RUNTIME_SDK))


def _uninstall(site: pathlib.Path, name: str) -> None:
    from importlib.metadata import distributions
    from packaging.utils import canonicalize_name

    distribution = next(
        d for d in distributions(path=[str(site)]) if canonicalize_name(d.metadata["Name"]) == name
    )
    folders = set()
    for file in distribution.files:
        path = site / file
        folders.add(path.parent)
        path.unlink(missing_ok=True)
    for folder in sorted(folders, key=lambda f: len(f.parts), reverse=True):
        while folder != site and folder.exists() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent


def _write_zip(site: pathlib.Path, target: pathlib.Path) -> None:
    """Entries in name order with a fixed date, so the same inputs make the same zip (and SAM publishes no new
    version, nor SnapStart a new snapshot, for an unchanged function)."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zip_out:
        for path in sorted(p for p in site.rglob("*") if p.is_file()):
            entry = zipfile.ZipInfo(
                path.relative_to(site).as_posix(), date_time=(1980, 1, 1, 0, 0, 0)
            )
            entry.external_attr = (0o100755 if os.access(path, os.X_OK) else 0o100644) << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            zip_out.writestr(entry, path.read_bytes())
