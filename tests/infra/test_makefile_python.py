"""The Makefile uses the Lambda runtime's Python (3.13) and nothing else: any other interpreter passed as PYTHON
is refused with the message it gives when none is found, before a .venv is made or used."""

import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT

ADVICE = "install Python 3.13 or pass PYTHON=/path/to/python3.13"


@pytest.fixture
def other_python(tmp_path) -> str:
    """An interpreter of another version: a real one where the machine has it, else 3.13 made to say 3.11."""
    for name in ("python3.12", "python3.11", "python3.10"):
        found = shutil.which(name)
        if found and version_of(found) not in (
            "",
            "3.13",
        ):  # pyenv's shims answer for versions they lack
            return found
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "sitecustomize.py").write_text(
        "import sys\nsys.version_info = (3, 11, 9, 'final', 0)\nsys.version = '3.11.9'\n"
    )
    fake = tmp_path / "python3.11"
    fake.write_text(f'#!/bin/sh\nPYTHONPATH={tmp_path / "site"} exec {sys.executable} "$@"\n')
    fake.chmod(0o755)
    return str(fake)


def make(*args) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "PYTHON"))}
    return subprocess.run(
        ["make", "-s", *args], cwd=ROOT, capture_output=True, text=True, env=env, timeout=120
    )


def version_of(python: str) -> str:
    return subprocess.run(
        [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        capture_output=True,
        text=True,
    ).stdout.strip()


def test_a_python_of_another_version_is_refused_before_a_venv_is_made(other_python, tmp_path):
    done = make("install-run", f"PYTHON={other_python}", f"VENV={tmp_path / 'venv'}")
    assert done.returncode != 0
    assert done.stderr.splitlines()[0] == (
        f"PYTHON={other_python} is Python {version_of(other_python)}, not 3.13 "
        f"(the Lambda runtime's): {ADVICE}"
    )
    assert not (tmp_path / "venv").exists()


def test_a_python_of_another_version_is_refused_even_where_the_venv_is_built(other_python):
    stamps = sorted(p.name for p in (ROOT / ".venv").glob(".*-3.13-*"))
    done = make("run", f"PYTHON={other_python}")
    assert done.returncode != 0 and done.stderr.startswith(f"PYTHON={other_python} is Python ")
    assert sorted(p.name for p in (ROOT / ".venv").glob(".*-3.13-*")) == stamps


def test_no_python_found_and_a_python_that_does_not_run_give_the_same_advice(tmp_path):
    assert (
        make("install-run", "PYTHON=", f"VENV={tmp_path / 'venv'}").stderr.splitlines()[0]
        == f"no Python 3.13 found: {ADVICE}"
    )
    assert (
        make(
            "install-run", f"PYTHON={tmp_path / 'missing'}", f"VENV={tmp_path / 'venv'}"
        ).stderr.splitlines()[0]
        == f"PYTHON={tmp_path / 'missing'} does not run: {ADVICE}"
    )
    assert not (tmp_path / "venv").exists()
