"""The local stack's commands as a newcomer meets them: a busy port fails in seconds with one line naming it and
the variable that moves it; Ctrl-C and SIGTERM stop the whole stack, starting included; `make aws` + `make local`
serve the shop on any port, notifications included."""

import errno
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

import pytest
import requests

from chalicelib import settings
from devstack import aws, ports
from devstack import stripe as local_stripe
from tests.conftest import PASSWORD, ROOT
from tests.support import eventually

VARIABLES = ("PORT", "AWS_PORT", "STRIPE_PORT")


def stack_env(**chosen) -> dict:
    kept_out = (
        "SHOP_",
        "AWS_",
        "POWERTOOLS_",
        "STRIPE_",
        "MAKE",
    )  # the test run's own, and an outer make's
    env = {k: v for k, v in os.environ.items() if not k.startswith(kept_out)}
    env.update(PYTHONUNBUFFERED="1", **{name: str(port) for name, port in chosen.items()})
    return env


def free_ports() -> dict:
    return {name: aws.free_port() for name in VARIABLES}


def listening(host: str = "127.0.0.1") -> socket.socket:
    held = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    held.bind((host, 0))
    held.listen()
    return held


def started(command: str, env: dict, log, in_background: bool = False) -> subprocess.Popen:
    """`python -m devstack command`; `in_background` as a shell's `&` starts it: with SIGINT ignored."""
    ignored = (lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if in_background else None
    return subprocess.Popen(
        [sys.executable, "-m", "devstack", command],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=ignored,
    )


def answers(url: str) -> bool:
    try:
        return requests.get(url + "/health", timeout=2).status_code == 200
    except requests.ConnectionError:
        return False


@pytest.mark.parametrize("variable", VARIABLES)
def test_make_run_on_a_busy_port_fails_in_seconds_naming_the_port_its_holder_and_the_variable(
    variable, tmp_path
):
    """Even on a fresh clone: the ports are checked before .venv is made."""
    with listening() as held:
        port = held.getsockname()[1]
        chosen = {**free_ports(), variable: port}
        began = time.monotonic()
        done = subprocess.run(
            ["make", "-s", "run", f"VENV={tmp_path / 'venv'}"],
            cwd=ROOT,
            env=stack_env(**chosen),
            capture_output=True,
            text=True,
            timeout=60,
        )
        took = time.monotonic() - began
    assert done.returncode != 0
    assert took < 10, f"took {took:.1f} s"
    said = [line for line in done.stderr.splitlines() if line.startswith("port ")]
    assert len(said) == 1 and re.fullmatch(
        rf"port {port} is in use by pid {os.getpid()} \(.*pytest.*\): set {variable} to a free port, "
        rf"e\.g\. {variable}=\d+ make run",
        said[0],
    ), done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert not (tmp_path / "venv").exists()


def test_two_variables_on_one_port_are_refused_before_anything_starts():
    port = aws.free_port()
    done = subprocess.run(
        [sys.executable, "-m", "devstack", "run"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=stack_env(**{**free_ports(), "PORT": port, "STRIPE_PORT": port}),
        timeout=60,
    )
    assert done.returncode == 1
    assert (
        done.stderr.strip()
        == f"STRIPE_PORT and PORT are both {port}: give one of them another port"
    )
    assert ports.can_open(port)


@pytest.mark.parametrize("value", ["45a6", "\u00b2", "70000", "-1"])
def test_a_port_that_is_not_a_port_number_is_named(value):
    done = subprocess.run(
        [sys.executable, "-m", "devstack", "run"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=stack_env(**{**free_ports(), "AWS_PORT": value}),
        timeout=60,
    )
    assert (done.returncode, done.stderr.strip()) == (
        1,
        f"AWS_PORT={value} is not a port number (1-65535)",
    )


@pytest.mark.parametrize("seen_first", [True, False], ids=["seen-first", "lost-the-bind"])
def test_the_embedded_aws_on_a_port_taken_after_the_check_fails_instead_of_waiting_for_ever(
    seen_first, monkeypatch
):
    if not seen_first:  # taken between its own look and werkzeug's bind, in moto's thread
        monkeypatch.setattr(ports, "can_open", lambda *args: True)
    with listening() as held:
        began = time.monotonic()
        with pytest.raises(aws.PortInUse, match=str(held.getsockname()[1])):
            aws.start(held.getsockname()[1])
        assert time.monotonic() - began < 5


# `python -m devstack <command>` whose port check passes, as it does when a port is taken just after it
CHECKED_TOO_EARLY = (
    "import sys; from devstack import __main__ as devstack, ports; ports.refusals = lambda command: []; "
    "devstack._exit(devstack.main(sys.argv[1:]))"
)


@pytest.mark.parametrize("variable, command", [("PORT", "local"), ("AWS_PORT", "aws")])
def test_a_port_taken_after_the_check_is_the_checks_own_line_not_a_traceback(
    variable, command, tmp_path
):
    # `make local` finds the embedded AWS by its port being held; `make aws` its own port taken
    with listening() as held, listening() as embedded_aws:
        port = held.getsockname()[1]
        chosen = {**free_ports(), "AWS_PORT": embedded_aws.getsockname()[1], variable: port}
        done = subprocess.run(
            [sys.executable, "-c", CHECKED_TOO_EARLY, command],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env=stack_env(**chosen, SHOP_LOG_FILE=tmp_path / "app.log"),
            timeout=60,
        )
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    assert re.fullmatch(
        rf"port {port} is in use by pid {os.getpid()} \(.*pytest.*\): set {variable} to a free port, "
        rf"e\.g\. {variable}=\d+ make {command}",
        done.stderr.strip(),
    ), done.stderr


def test_where_ipv6_is_off_stripes_port_is_checked_on_every_ipv4_interface(monkeypatch):
    ipv4_socket = socket.socket

    def without_ipv6(family=socket.AF_INET, *args, **kwargs):
        if family == socket.AF_INET6:
            raise OSError(errno.EAFNOSUPPORT, "Address family not supported by protocol")
        return ipv4_socket(family, *args, **kwargs)

    monkeypatch.setattr(socket, "socket", without_ipv6)
    with listening("0.0.0.0") as held:
        port = held.getsockname()[1]
        assert not ports.can_open(port, "::")
        assert ports.problems({"STRIPE_PORT": port}, "make run")[0].startswith(f"port {port} is")
    assert ports.can_open(port, "::")
    assert ports.free_near(port) > port


@pytest.mark.parametrize(
    "stop_signal, in_background",
    [(signal.SIGINT, False), (signal.SIGTERM, False), (signal.SIGINT, True)],
    ids=["SIGINT", "SIGTERM", "SIGINT-bg"],
)
def test_ctrl_c_or_sigterm_while_the_stack_starts_stops_all_of_it(
    stop_signal, in_background, tmp_path
):
    chosen = free_ports()
    with open(tmp_path / "console", "w") as log:
        process = started(
            "run", stack_env(**chosen, SHOP_LOG_FILE=tmp_path / "app.log"), log, in_background
        )
        # localstripe is up first; stop while moto, provisioning or seeding runs
        assert eventually(lambda: not ports.can_open(chosen["STRIPE_PORT"], "::"), seconds=30)
        time.sleep(1.0)
        process.send_signal(stop_signal)
        assert process.wait(timeout=15) == 0, (tmp_path / "console").read_text()
    assert "Traceback" not in (tmp_path / "console").read_text()
    for name, port in chosen.items():
        assert eventually(
            lambda: ports.can_open(port, ports.HOSTS.get(name, "127.0.0.1")), seconds=5
        ), f"{name} {port} still held"


def test_ctrl_c_stops_a_stack_started_in_the_background(tmp_path):
    """A shell's `make run &` starts it with SIGINT ignored; Ctrl-C (`kill -INT`) must stop it all the same."""
    chosen = free_ports()
    with open(tmp_path / "console", "w") as log:
        process = started(
            "run", stack_env(**chosen, SHOP_LOG_FILE=tmp_path / "app.log"), log, in_background=True
        )
        try:
            assert eventually(lambda: answers(f"http://127.0.0.1:{chosen['PORT']}"), seconds=90), (
                tmp_path / "console"
            ).read_text()
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=20) == 0
        finally:
            if process.poll() is None:
                process.kill()
    for name, port in chosen.items():
        assert eventually(
            lambda: ports.can_open(port, ports.HOSTS.get(name, "127.0.0.1")), seconds=5
        )


def test_make_aws_then_make_local_serve_the_shop_on_other_ports_with_notifications(tmp_path):
    chosen = free_ports()
    env = stack_env(**chosen, SHOP_LOG_FILE=tmp_path / "app.log")
    url = f"http://127.0.0.1:{chosen['PORT']}"
    with open(tmp_path / "aws", "w") as aws_log, open(tmp_path / "local", "w") as local_log:
        embedded = started("aws", env, aws_log)
        api = None
        try:
            next_step = (
                "now, in another terminal: "
                + " ".join(f"{k}={v}" for k, v in chosen.items())
                + " make local"
            )
            assert eventually(lambda: next_step in (tmp_path / "aws").read_text(), seconds=90), (
                tmp_path / "aws"
            ).read_text()
            api = started("local", env, local_log)
            assert eventually(lambda: answers(url), seconds=30), (tmp_path / "local").read_text()
            email = f"newcomer-{time.time_ns()}@example.com"
            assert (
                requests.post(
                    f"{url}/users",
                    json={"email": email, "password": PASSWORD, "name": "New Comer"},
                    timeout=30,
                ).status_code
                == 201
            )
            token = requests.post(
                f"{url}/auth/token", json={"email": email, "password": PASSWORD}, timeout=30
            ).json()["access_token"]
            auth = {"Authorization": f"Bearer {token}"}
            product = requests.get(f"{url}/products?limit=1", timeout=30).json()["items"][0]
            assert (
                requests.put(
                    f"{url}/cart/items/{product['id']}",
                    json={"quantity": 1},
                    headers=auth,
                    timeout=30,
                ).status_code
                == 200
            )
            order = requests.post(
                f"{url}/orders", json={"payment_method": "pm_card_visa"}, headers=auth, timeout=30
            ).json()
            inbox = lambda: requests.get(f"{url}/notifications", headers=auth, timeout=30).json()[
                "items"
            ]
            assert eventually(inbox, seconds=15), (
                "no notification: is the event pump running beside make local?"
            )
            assert inbox()[0]["order_id"] == order["id"]
        finally:
            for process in (api, embedded):
                if process is not None and process.poll() is None:
                    process.send_signal(signal.SIGINT)
                    assert process.wait(timeout=30) == 0


def test_make_local_without_make_aws_says_what_to_start():
    chosen = free_ports()
    done = subprocess.run(
        [sys.executable, "-m", "devstack", "local"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=stack_env(**chosen),
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"nothing serves the embedded AWS on AWS_PORT={chosen['AWS_PORT']}: start "
        "`make aws` first (in another terminal, with the same AWS_PORT and STRIPE_PORT)"
    )


def test_plain_chalice_local_on_the_local_stage_reaches_what_make_aws_serves_on_the_default_ports(
    monkeypatch,
):
    """`.venv/bin/chalice local --stage local` beside `make aws` (the README): the stage's settings point the app
    at the embedded AWS and at localstripe, never at Stripe's own API, with the secrets `make aws` gives it."""
    for name in ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_PUBLISHABLE_KEY"):
        monkeypatch.delenv(name, raising=False)
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    stage = {
        **config["environment_variables"],
        **config["stages"]["local"]["environment_variables"],
    }
    app = settings.from_environ(stage)
    make_aws = {
        **aws.environment(f"http://127.0.0.1:{ports.DEFAULTS['AWS_PORT']}"),
        **local_stripe.environment(f"http://127.0.0.1:{ports.DEFAULTS['STRIPE_PORT']}"),
    }
    assert app.aws_endpoint_url == make_aws["AWS_ENDPOINT_URL"]
    assert app.stripe_api_base == make_aws["SHOP_STRIPE_API_BASE"]
    assert app.stripe_secret_key == make_aws["STRIPE_SECRET_KEY"]
    assert app.stripe_webhook_secret == make_aws["STRIPE_WEBHOOK_SECRET"]
    assert app.stripe_publishable_key == "pk_test_local"
