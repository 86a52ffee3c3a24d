"""The whole local stack in one process: moto's server, the resources, seeds, the event pump and the API."""

import errno
import os
import pathlib
import sys
import threading
from dataclasses import dataclass, field
from typing import Optional

from devstack import aws, ports
from devstack import stripe as local_stripe

ROOT = pathlib.Path(__file__).resolve().parent.parent


@dataclass
class LocalStack:
    port: int
    aws_port: int
    stripe_port: int = 0  # 0: a free port
    stage: str = "local"
    quiet: bool = False
    admin_email: str = os.environ.get("SHOP_ADMIN_EMAIL", "admin@shop.local")
    admin_password: str = os.environ.get("SHOP_ADMIN_PASSWORD", "Admin-Passw0rd")
    stop_event: threading.Event = field(default_factory=threading.Event)
    stack: object = None
    server: object = None
    _moto: object = None
    _stripe: Optional[local_stripe.LocalStripe] = None
    _pump: object = None
    _thread: Optional[threading.Thread] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.aws_port}"

    @property
    def log_file(self) -> pathlib.Path:
        """The app's JSON log lines and metrics (a console gets one line per request from Chalice's server)."""
        return pathlib.Path(os.environ["SHOP_LOG_FILE"])

    def start(self, api: bool = True, serve_in_thread: bool = False) -> "LocalStack":
        """The embedded AWS and Stripe, provisioned and seeded, the event pump, and (with `api`) the API's server."""
        self._log_to_file(fresh=True)
        self._start_stripe()
        self._moto = aws.start(self.aws_port)
        app, config = self._load_app()
        from devstack import provision, pump, seed

        self.stack = provision.provision(self.stage)
        seed.everything(self.admin_email, self.admin_password)
        self._pump = pump.for_stack(sys.modules["app"], self.stack, self.stop_event).start()
        if api:
            self._serve(app, config, serve_in_thread)
        return self

    def attach(self) -> "LocalStack":
        """Only the API's server, against the embedded AWS and Stripe that `make aws` serves in another process
        (which runs the event pump too): what `chalice local --stage local` does, on any AWS_PORT."""
        self._log_to_file(fresh=False)
        self._serve(*self._load_app(), serve_in_thread=False)
        return self

    def _log_to_file(self, fresh: bool) -> None:
        if "SHOP_LOG_FILE" not in os.environ:  # tests choose their own
            path = ROOT / ".devstack" / f"{self.stage}.log"
            path.parent.mkdir(exist_ok=True)
            if fresh:
                path.write_text("")
            os.environ["SHOP_LOG_FILE"] = str(path)

    def _load_app(self):
        """The app as Chalice's local server loads it, then pointed at this stack's ports: the stage's settings
        in .chalice/config.json name the default AWS_PORT and STRIPE_PORT (for a plain `chalice local`), and
        must not win."""
        app, config = _load_app(self.stage)
        os.environ.update(aws.environment(self.endpoint))
        os.environ.update(local_stripe.environment(f"http://127.0.0.1:{self.stripe_port}"))
        for name in (
            "SHOP_USER_POOL_ID",
            "SHOP_USER_POOL_CLIENT_ID",
        ):  # a local stack finds its pool by name
            os.environ.pop(name, None)
        os.environ["SHOP_STAGE"] = self.stage
        os.environ.setdefault("SHOP_AUTO_CONFIRM", "true")
        from chalicelib import bootstrap

        bootstrap.reset()
        return app, config

    def _serve(self, app, config, serve_in_thread: bool) -> None:
        if self.quiet:
            from chalice.local import ChaliceRequestHandler

            ChaliceRequestHandler.log_message = lambda *args: None
        from chalice.cli.factory import CLIFactory

        try:
            self.server = CLIFactory(str(ROOT)).create_local_server(
                app, config, "127.0.0.1", self.port
            )
        except OSError as exc:  # taken since the ports were checked
            if exc.errno == errno.EADDRINUSE:
                raise ports.Taken("PORT", self.port) from exc
            raise
        if serve_in_thread:
            self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
            self._thread.start()

    @property
    def stripe_url(self) -> str:
        return self._stripe.url if self._stripe else ""

    def _start_stripe(self) -> None:
        """localstripe on its port, the app pointed at it, and the shop's webhook registered with it (the
        API's address is known before the API serves)."""
        self._stripe = local_stripe.start(
            self.stripe_port or aws.free_port(), self.log_file.with_name("stripe.log")
        )
        self.stripe_port = self._stripe.port
        os.environ.update(local_stripe.environment(self._stripe.url))
        local_stripe.register_webhook(
            self._stripe.url,
            self.url + local_stripe.WEBHOOK_PATH,
            os.environ["STRIPE_WEBHOOK_SECRET"],
        )

    def serve_forever(self) -> None:
        if not self.stop_event.is_set():
            self.server.serve_forever()

    def close(self) -> None:
        """Everything this stack started, localstripe first (a process of its own); safe after a failed start."""
        self.stop_event.set()
        local_stripe.stop(self._stripe)
        if self._thread is not None:
            self.server.shutdown()
            self._thread.join(timeout=5)
        if self._pump is not None:
            self._pump.join(timeout=5)
        if self._moto is not None:
            self._moto.stop()


def _load_app(stage: str):
    from chalice.cli.factory import CLIFactory
    from devstack import gateway

    gateway.match_production()
    factory = CLIFactory(str(ROOT), environ=os.environ)
    config = factory.create_config_obj(chalice_stage_name=stage)
    return config.chalice_app, config
