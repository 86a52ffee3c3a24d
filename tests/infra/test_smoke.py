"""CI's last step, `make smoke URL=...`, against the stack `make run` serves (`python -m devstack run`, as a
process of its own), and that stack's console: one readable line per request, the app's JSON lines and metrics
in its log file."""

import os
import re
import secrets
import signal
import subprocess
import sys
import threading

import pytest
import requests

from devstack.aws import free_port
from ops import smoke
from tests.conftest import ROOT
from tests.support import eventually

ACCESS_LINE = re.compile(
    r'^127\.0\.0\.1 - - \[[^]]+\] "(GET|POST|PUT|PATCH|DELETE) \S+ HTTP/1\.1" \d{3} -$'
)


class LocalRun:
    def __init__(self, tmp) -> None:
        self.port, self.aws_port, self.stripe_port = free_port(), free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_file = tmp / "app.log"
        self.admin = {
            "SHOP_ADMIN_EMAIL": "smoke-admin@example.com",
            "SHOP_ADMIN_PASSWORD": "Smoke-" + secrets.token_hex(6) + "-A1",
        }
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("SHOP_", "AWS_", "POWERTOOLS_"))
        }
        self.env.update(
            PYTHONUNBUFFERED="1",
            PORT=str(self.port),
            AWS_PORT=str(self.aws_port),
            STRIPE_PORT=str(self.stripe_port),
            SHOP_LOG_FILE=str(self.log_file),
            **self.admin,
        )
        self.console = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "devstack", "run"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(
            target=lambda: self.console.extend(iter(self.process.stdout.readline, "")), daemon=True
        ).start()

    def healthy(self) -> bool:
        try:
            return requests.get(self.url + "/health", timeout=2).status_code == 200
        except requests.ConnectionError:
            return False

    def make_smoke(self, **env):
        return subprocess.run(
            ["make", "-s", "smoke", f"URL={self.url}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env={**self.env, **self.admin, **env},
            timeout=120,
        )

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def local_run(tmp_path_factory):
    run = LocalRun(tmp_path_factory.mktemp("make-run"))
    try:
        assert (
            eventually(lambda: run.healthy() or run.process.poll() is not None, seconds=90)
            and run.healthy()
        ), "".join(run.console)
        yield run
    finally:
        if run.process.poll() is None:
            assert run.stop() == 0, "make run did not stop cleanly on Ctrl-C"


def test_make_smoke_passes_against_the_local_stack(local_run):
    done = local_run.make_smoke(GITHUB_RUN_ID="4242", GITHUB_RUN_ATTEMPT="2")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert (
        lines[0] == f"smoke test 4242-2 against {local_run.url}"
        and lines[-1] == "smoke test passed"
    )
    steps = [line.split("  (")[0] for line in lines[1:-1]]
    assert steps == [
        "ok   health",
        "ok   catalog page",
        "ok   edge: a byte that is not UTF-8 in a JSON body is 400",
        "ok   edge: a body without Content-Type is 415",
        "ok   edge: a 404 and a 401 carry the security headers",
        "ok   admin smoke-admin@example.com signs in",
        "ok   admin creates the smoke product",
        "ok   the product is in its category",
        "ok   sign-up success+4242-2@simulator.amazonses.com",
        "ok   order with an Idempotency-Key, sent twice",
        "ok   order notification",
        "ok   cancel the order",
        "ok   admin deletes the smoke product",
    ]
    products = requests.get(
        f"{local_run.url}/products?category={smoke.CATEGORY}",
        timeout=10,
        headers={"Cache-Control": "no-cache"},
    ).json()["items"]
    assert products == [], "the smoke test left its product behind"


def test_make_smoke_fails_loudly_on_a_wrong_admin_password(local_run):
    done = local_run.make_smoke(SHOP_ADMIN_PASSWORD="Not-The-Passw0rd")
    assert done.returncode != 0
    assert "FAIL admin smoke-admin@example.com signs in" in done.stdout
    assert "smoke test failed: POST /auth/token answered 401" in done.stderr


def test_make_smoke_fails_when_an_answer_lacks_a_security_header(local_run, monkeypatch):
    """The edge step reads the headers, not only the status: a 401 without nosniff fails the run."""
    request = smoke.requests.request

    def stripped(method, url, **given):
        answer = request(method, url, **given)
        if answer.status_code == 401:
            del answer.headers["X-Content-Type-Options"]
        return answer

    monkeypatch.setattr(smoke.requests, "request", stripped)
    lines = []
    with pytest.raises(smoke.SmokeFailed, match="a 401 has X-Content-Type-Options: None"):
        smoke.smoke(
            local_run.url,
            local_run.admin["SHOP_ADMIN_EMAIL"],
            local_run.admin["SHOP_ADMIN_PASSWORD"],
            "headers-check",
            say=lines.append,
        )
    assert lines[-1].startswith("FAIL edge: a 404 and a 401 carry the security headers")


def test_a_failed_step_still_deletes_the_smoke_product(local_run, monkeypatch):
    calls, call = [], smoke.Shop.call

    def refusing_orders(shop, method, path, expect, json=None, headers=None):
        calls.append(f"{method} {path.split('?')[0]}")
        if (method, path) == ("POST", "/orders"):
            raise smoke.SmokeFailed("the order was refused")
        return call(shop, method, path, expect, json, headers)

    monkeypatch.setattr(smoke.Shop, "call", refusing_orders)
    with pytest.raises(smoke.SmokeFailed):
        smoke.smoke(
            local_run.url,
            local_run.admin["SHOP_ADMIN_EMAIL"],
            local_run.admin["SHOP_ADMIN_PASSWORD"],
            "cleanup-check",
            say=lambda line: None,
        )
    assert "POST /orders" in calls and calls[-1].startswith("DELETE /products/")


def test_make_run_prints_one_readable_line_per_request_and_logs_to_its_file(local_run):
    probe = secrets.token_hex(6)
    requests.get(f"{local_run.url}/products?limit=1&probe={probe}", timeout=10)
    smoke.smoke(
        local_run.url,
        local_run.admin["SHOP_ADMIN_EMAIL"],
        local_run.admin["SHOP_ADMIN_PASSWORD"],
        f"console-{probe}",
        say=lambda line: None,
    )
    assert eventually(
        lambda: any("/orders/" in line and "/cancel" in line for line in local_run.console)
    )
    console = [line.rstrip("\n") for line in local_run.console]
    served = console[console.index(f"Serving on {local_run.url}") + 1 :]
    assert served and all(ACCESS_LINE.match(line) for line in served), [
        l for l in served if not ACCESS_LINE.match(l)
    ]
    assert len([line for line in served if f"probe={probe}" in line]) == 1
    assert not [line for line in console if line.lstrip().startswith("{")], (
        "JSON on make run's console"
    )

    logged = local_run.log_file.read_text().splitlines()
    assert any(line.startswith('{"_aws"') and '"OrderPlaced"' in line for line in logged)
    assert any('"message":"request"' in line and '"path":"/products"' in line for line in logged)
