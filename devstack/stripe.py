"""localstripe, a stateful fake of Stripe's API, as the local stack's Stripe.

It is GPL-3.0 and a development tool: it runs as a process of its own, is never imported by the shop's code and
never ships to Lambda (requirements-local.txt, not requirements.txt). Its command line has no host option: it
listens on every interface of the port, IPv4 and IPv6.

Its store pickles itself whole to /tmp/localstripe.pickle on every write (one file for every localstripe on the
machine), so each request costs more than the last: 4,000 orders took `make bench`'s partition heat past half an
hour, localstripe using most of a core. The stack starts it with an empty store (`--from-scratch`) and never
reads the file, so its process starts with that write turned off: the store lives in memory only.
"""

import os
import pathlib
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Dict, Optional

DEFAULT_PORT = 8420
# `python -m localstripe`, its store kept in memory (its arguments follow: argparse reads sys.argv[1:])
IN_MEMORY = (
    "import localstripe.resources as r; r.Store.dump_to_disk = lambda store: None; "
    "from localstripe import server; server.start()"
)
WEBHOOK_ID = "shop"  # one endpoint per stack: registering again replaces it
WEBHOOK_PATH = "/payments/webhook"  # the app's route for Stripe's events


@dataclass
class LocalStripe:
    port: int
    process: subprocess.Popen
    log_file: pathlib.Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class StripeDidNotStart(RuntimeError):
    pass


def start(port: int, log_file: pathlib.Path, timeout: float = 30.0) -> LocalStripe:
    """Start localstripe on the port with an empty store (`--from-scratch`) and wait until it answers."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "wb") as log:  # its access log: one line per request, never on the console
        process = subprocess.Popen(
            [sys.executable, "-c", IN_MEMORY, "--port", str(port), "--from-scratch"],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_ended_with_parent(),
        )
    handle = LocalStripe(port, process, log_file)
    deadline = time.monotonic() + timeout
    while not _answers(port):
        if process.poll() is not None or time.monotonic() > deadline:
            stop(handle)
            raise StripeDidNotStart(
                f"localstripe did not start on port {port}: {_last_line(log_file)}"
            )
        time.sleep(0.05)
    return handle


def stop(handle: Optional[LocalStripe]) -> None:
    if handle is None or handle.process.poll() is not None:
        return
    handle.process.terminate()
    try:
        handle.process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        handle.process.kill()
        handle.process.wait()


def register_webhook(api_base: str, url: str, secret: str) -> None:
    """Have localstripe sign its events with `secret` and POST them to `url` (localstripe's own config API)."""
    form = urllib.parse.urlencode({"url": url, "secret": secret}).encode()
    request = urllib.request.Request(
        f"{api_base}/_config/webhooks/{WEBHOOK_ID}", data=form, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        answer.read()


def environment(api_base: str) -> Dict[str, str]:
    """What points the app's Stripe client at localstripe; a key or secret set by hand is kept (any `sk_` key
    works there). The defaults are not secrets: they open nothing but localstripe."""
    return {
        "SHOP_STRIPE_API_BASE": api_base,
        "STRIPE_SECRET_KEY": os.environ.get("STRIPE_SECRET_KEY", "sk_test_local"),
        "STRIPE_WEBHOOK_SECRET": os.environ.get("STRIPE_WEBHOOK_SECRET", "whsec_local"),
    }


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_config/health-probe", timeout=1):
            return True
    except urllib.error.HTTPError:
        return True  # any HTTP answer (a 404 here) means it is serving
    except OSError:
        return False


def _last_line(log_file: pathlib.Path) -> str:
    lines = [line for line in log_file.read_text(errors="replace").splitlines() if line.strip()]
    return lines[-1] if lines else "it wrote nothing"


def _ended_with_parent():
    """On Linux, the kernel ends localstripe when the stack's process dies, even by SIGKILL (PR_SET_PDEATHSIG);
    elsewhere the stack stops it on its way out."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes
    import signal

    prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up here: the child only calls it
    return lambda: prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
