"""SnapStart, a stage option (`"production": {"snapstart": true}`, on for the test stage): every function
publishes versions with snapshots behind one alias that everything invokes, primes only what its role allows,
and restored copies stop sharing what must differ."""

import copy
import json
import os
import pathlib
import random
import re
import subprocess
import sys
import types

import jwt
import pytest

from ops import package as packaging
from ops import template as templating
from tests import tokens

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    out = packaging.build("test", tmp_path_factory.mktemp("dist") / "test", with_zip=False)
    return json.loads((out / "sam.json").read_text())


@pytest.fixture(scope="module")
def deployed(template):
    """What CloudFormation gets from SAM's transform (after `aws cloudformation package` set the code's S3 URI)."""
    from samtranslator.translator.transform import transform

    packaged = copy.deepcopy(template)
    for resource in _functions(packaged).values():
        resource["Properties"]["CodeUri"] = "s3://artifacts/deployment.zip"

    class NoManagedPolicies:  # every role is written out in the template
        def load(self):
            return {}

    region = os.environ.get("AWS_DEFAULT_REGION")
    os.environ["AWS_DEFAULT_REGION"] = region or "us-east-1"  # SAM's ARNs name a region
    try:
        return transform(
            packaged, {"Stage": "test", "SenderEmail": "shop@example.com"}, NoManagedPolicies()
        )["Resources"]
    finally:
        if region is None:
            os.environ.pop("AWS_DEFAULT_REGION")


def _functions(template):
    return {
        k: v for k, v in template["Resources"].items() if v["Type"] == "AWS::Serverless::Function"
    }


def test_snapstart_is_off_unless_the_stage_sets_it():
    assert (
        packaging.stage_options("prod")["snapstart"] is False
        and packaging.stage_options("dev")["snapstart"] is False
    )
    assert packaging.stage_options("test")["snapstart"] is True


def test_every_function_publishes_snapshotted_versions_behind_the_alias(template, deployed):
    for name, function in _functions(template).items():
        assert function["Properties"]["SnapStart"] == {"ApplyOn": "PublishedVersions"}, name
        alias = deployed[f"{name}Alias{templating.ALIAS}"]
        assert alias["Type"] == "AWS::Lambda::Alias" and alias["Properties"]["FunctionName"] == {
            "Ref": name
        }
        version = alias["Properties"]["FunctionVersion"]["Fn::GetAtt"][0]
        assert deployed[version]["Type"] == "AWS::Lambda::Version"
        assert deployed[name]["Properties"]["SnapStart"] == {"ApplyOn": "PublishedVersions"}


def test_api_gateway_the_authorizer_and_the_event_mappings_invoke_the_alias(deployed):
    aliases = {k for k, v in deployed.items() if v["Type"] == "AWS::Lambda::Alias"}
    functions = {k for k, v in deployed.items() if v["Type"] == "AWS::Lambda::Function"}
    body = json.dumps(deployed["RestAPI"]["Properties"]["Body"])
    referenced = set(re.findall(r"functions/\$\{(\w+?)(?:\.Arn)?\}/invocations", body))
    assert referenced and referenced <= aliases and not referenced & functions
    assert f"TokenAuthorizerAlias{templating.ALIAS}" in referenced
    permissions = [
        v["Properties"] for v in deployed.values() if v["Type"] == "AWS::Lambda::Permission"
    ]
    assert permissions and all(p["FunctionName"]["Ref"] in aliases for p in permissions)
    mappings = [
        v["Properties"] for v in deployed.values() if v["Type"] == "AWS::Lambda::EventSourceMapping"
    ]
    assert {m["FunctionName"]["Ref"] for m in mappings} == {
        f"PublishOrderEventsAlias{templating.ALIAS}",
        f"DeliverNotificationsAlias{templating.ALIAS}",
        f"CheckReservationsAlias{templating.ALIAS}",
    }


def test_each_function_primes_only_what_its_role_allows(template):
    for name, function in _functions(template).items():
        items = function["Properties"]["Environment"]["Variables"]["SHOP_PRIME"].split(",")
        policy = template["Resources"][name + "Role"]["Properties"]["Policies"][0]["PolicyDocument"]
        allowed = {action for statement in policy["Statement"] for action in statement["Action"]}
        for item in filter(None, items):
            if item.startswith("client:"):
                assert any(a.startswith(item.removeprefix("client:") + ":") for a in allowed), (
                    name,
                    item,
                )
            elif item == "cursor-key":
                assert "secretsmanager:GetSecretValue" in allowed, name
            else:
                assert item == "signing-keys" and name == "TokenAuthorizer"
    product = _functions(template)["GetProductFunction"]["Properties"]["Environment"]["Variables"][
        "SHOP_PRIME"
    ]
    assert product == "client:dynamodb"


def test_the_snapstart_template_passes_cfn_lint(template, tmp_path):
    path = tmp_path / "sam.json"
    path.write_text(json.dumps(template))
    result = subprocess.run(
        [str(pathlib.Path(sys.executable).parent / "cfn-lint"), str(path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode & 2 == 0, result.stdout


def test_snapstart_on_an_older_runtime_is_refused(template, app):
    from ops.operations import api_operations, event_handlers

    older = copy.deepcopy(template)
    for function in _functions(older).values():
        function["Properties"]["Runtime"] = "python3.11"
    with pytest.raises(ValueError, match="python3.12"):
        templating._snapstart(older, api_operations(app), event_handlers())


# --- the hooks -------------------------------------------------------------------------------------


@pytest.fixture
def lambda_runtime(monkeypatch):
    """The runtime's snapshot_restore_py, which exists only inside Lambda: records what registers."""
    hooks = types.SimpleNamespace(before=[], after=[])
    module = types.ModuleType("snapshot_restore_py")
    module.register_before_snapshot = hooks.before.append
    module.register_after_restore = hooks.after.append
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", module)
    from chalicelib import snapstart

    monkeypatch.setattr(snapstart, "_registered", False)
    return hooks


def test_the_hooks_register_once_with_the_lambda_runtime(lambda_runtime):
    from chalicelib import snapstart

    assert snapstart.register() and snapstart.register()
    assert lambda_runtime.before == [snapstart.prime] and lambda_runtime.after == [
        snapstart.restored
    ]


def test_outside_lambda_nothing_registers(monkeypatch):
    from chalicelib import snapstart

    monkeypatch.setitem(sys.modules, "snapshot_restore_py", None)
    monkeypatch.setattr(snapstart, "_registered", False)
    assert snapstart.register() is False


def test_a_primed_function_needs_neither_secrets_manager_nor_the_key_set_again(stack, monkeypatch):
    from chalicelib import auth, bootstrap, snapstart

    bootstrap.reset()
    auth.forget_keys()
    snapstart.prime(["client:dynamodb", "cursor-key", "signing-keys"])
    monkeypatch.setattr(
        bootstrap.Services,
        "client",
        lambda self, service: pytest.fail(f"a {service} client after priming"),
    )
    monkeypatch.setattr(
        auth, "_fetch_keys", lambda url: pytest.fail("the key set fetched after priming")
    )
    assert len(bootstrap.services().cursor_key) >= 32
    assert auth.verify(tokens.mint(stack.pool_id, stack.client_id))["sub"]
    monkeypatch.undo()
    bootstrap.reset()


def test_restored_copies_draw_different_random_numbers():
    from chalicelib import snapstart

    draws = []
    for _copy in range(2):
        random.seed(20261127)  # the state the snapshot holds
        snapstart.restored()
        draws.append([random.random() for _ in range(3)])
    assert draws[0] != draws[1]


def test_after_a_restore_a_rotated_key_is_fetched_at_once(stack, monkeypatch):
    from chalicelib import auth, bootstrap, snapstart

    bootstrap.reset()
    auth.forget_keys()
    auth.prime_keys()
    fetched = []
    real_fetch = auth._fetch_keys
    monkeypatch.setattr(auth, "_fetch_keys", lambda url: fetched.append(url) or real_fetch(url))
    rotated = jwt.encode(
        {"sub": "x"}, tokens.private_key(), algorithm="RS256", headers={"kid": "rotated"}
    )
    # a fresh key set: an unknown kid is not refetched
    assert auth.verify(rotated) is None and fetched == []
    snapstart.restored()
    # the snapshot's key set counts as old
    assert auth.verify(rotated) is None and len(fetched) == 1
