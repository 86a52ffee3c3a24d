"""The GitHub workflows, checked offline: their shape (GitHub's schema, bundled with check-jsonschema), their
security (zizmor), and that what they run exists here."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent


def _run_steps():
    for path in WORKFLOWS:
        for job in yaml.safe_load(path.read_text())["jobs"].values():
            for step in job.get("steps", []):
                yield path.name, step


def _zizmor(*paths):
    return subprocess.run(
        [
            str(BIN / "zizmor"),
            "--offline",
            "--persona",
            "pedantic",
            "--no-progress",
            *map(str, paths),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_there_is_a_ci_and_a_deploy_workflow():
    assert [p.name for p in WORKFLOWS] == ["ci.yml", "deploy.yml"]


def test_the_workflows_have_githubs_shape():
    done = subprocess.run(
        [
            str(BIN / "check-jsonschema"),
            "--builtin-schema",
            "vendor.github-workflows",
            *map(str, WORKFLOWS),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_zizmor_finds_nothing_in_them():
    done = _zizmor(*WORKFLOWS)
    assert done.returncode == 0, done.stdout + done.stderr


def test_zizmor_would_catch_an_unpinned_action_and_a_template_injection(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: pull_request\npermissions: {}\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    steps:\n"
        "      - uses: actions/checkout@v4\n"
        '      - run: echo "${{ github.event.pull_request.title }}"\n'
    )
    done = _zizmor(bad)
    assert done.returncode != 0
    assert "unpinned-uses" in done.stdout and "template-injection" in done.stdout


def test_every_make_target_a_workflow_calls_exists():
    makefile = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z][a-z0-9-]*):", makefile, re.M))
    called = {
        (name, target)
        for name, step in _run_steps()
        for target in re.findall(r"\bmake ([a-z][a-z0-9-]*)", step.get("run", ""))
    }
    assert {t for _, t in called} >= {"browser", "test", "deploy", "smoke", "package"}
    assert sorted((name, t) for name, t in called if t not in targets) == []


@pytest.mark.parametrize(
    "target", ["deploy STAGE=dev", "smoke URL=https://example.com/api", "package STAGE=prod"]
)
def test_the_deploy_workflows_make_commands_resolve(target):
    done = subprocess.run(
        ["make", "-n", *target.split()], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "-m ops." in done.stdout


def test_ci_runs_the_projects_python():
    wanted = re.search(
        r"^PYTHON_VERSION := (3\.\d+)$", (ROOT / "Makefile").read_text(), re.M
    ).group(1)
    versions = {
        step["with"]["python-version"]
        for _, step in _run_steps()
        if step.get("uses", "").startswith("actions/setup-python@")
    }
    assert versions == {wanted}


def test_each_action_is_pinned_to_one_commit_named_by_its_tag():
    pins = {}
    for path in WORKFLOWS:
        for action, sha, tag in re.findall(
            r"uses: ([\w-]+/[\w-]+)@(\S+)\s+# (v[\d.]+)", path.read_text()
        ):
            assert re.fullmatch(r"[0-9a-f]{40}", sha), (action, sha)
            pins.setdefault(action, set()).add((sha, tag))
    assert set(pins) == {
        "actions/checkout",
        "actions/setup-python",
        "actions/upload-artifact",
        "aws-actions/configure-aws-credentials",
    }
    assert all(len(versions) == 1 for versions in pins.values()), pins


def test_aws_credentials_come_only_from_oidc():
    for path in WORKFLOWS:
        text = path.read_text()
        assert "aws-access-key-id" not in text and "AWS_SECRET_ACCESS_KEY" not in text
    for name, step in _run_steps():
        if step.get("uses", "").startswith("aws-actions/configure-aws-credentials@"):
            assert set(step["with"]) == {"role-to-assume", "aws-region"}
            assert step["with"]["role-to-assume"] == "${{ vars.AWS_DEPLOY_ROLE_ARN }}"
