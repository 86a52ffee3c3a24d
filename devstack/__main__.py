"""`python -m devstack run|aws|admin`: the local stack behind `make run` and `make aws`."""
import argparse
import os
import pathlib
import signal
import sys
import threading

from devstack import aws

ROOT = pathlib.Path(__file__).resolve().parent.parent
ADMIN_EMAIL = os.environ.get("SHOP_ADMIN_EMAIL", "admin@shop.local")
ADMIN_PASSWORD = os.environ.get("SHOP_ADMIN_PASSWORD", "Admin-Passw0rd")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="devstack")
    parser.add_argument("command", choices=["run", "aws", "admin"])
    parser.add_argument("--stage", default="local")
    parser.add_argument("--email", default="")
    args = parser.parse_args(argv)
    if args.command == "admin":
        return make_admin(args.stage, args.email)
    return serve(api=args.command == "run")


def make_admin(stage: str, email: str) -> int:
    if not email:
        print("usage: make admin EMAIL=someone@example.com STAGE=dev", file=sys.stderr)
        return 2
    os.environ["SHOP_STAGE"] = stage
    from devstack import seed
    seed.make_admin(email)
    print(f"{email} is now in the admin group of shop-{stage}")
    return 0


def serve(api: bool) -> int:
    aws_port = int(os.environ.get("AWS_PORT", "4566"))
    port = int(os.environ.get("PORT", "8000"))
    endpoint = f"http://127.0.0.1:{aws_port}"
    moto = aws.start(aws_port)
    stop = threading.Event()
    servers = []

    def shut_down(*_):
        stop.set()
        for server in servers:
            threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, shut_down)
    signal.signal(signal.SIGINT, shut_down)
    try:
        app, config = _load_app() if api else (None, None)
        os.environ.update(aws.environment(endpoint))  # the stage's config must not override the chosen port
        os.environ.setdefault("SHOP_STAGE", "local")
        os.environ.setdefault("SHOP_AUTO_CONFIRM", "true")
        from chalicelib import bootstrap
        bootstrap.reset()
        from devstack import provision, seed
        stack = provision.provision("local")
        seed.everything(ADMIN_EMAIL, ADMIN_PASSWORD)
        pump = _start_pump(app, stack, stop) if api else None
        print(f"embedded AWS  {endpoint}  (stack shop-local: pool {stack.pool_id})")
        print(f"admin login   {ADMIN_EMAIL} / {ADMIN_PASSWORD}")
        if not api:
            print("serve the API with: chalice local --stage local --no-autoreload   (Ctrl-C stops)")
            stop.wait()
            return 0
        from chalice.cli.factory import CLIFactory
        server = CLIFactory(str(ROOT)).create_local_server(app, config, "127.0.0.1", port)
        servers.append(server)
        print(f"shop API      http://127.0.0.1:{port}/   (Ctrl-C stops)", flush=True)
        if not stop.is_set():
            server.serve_forever()
        if pump:
            pump.join(timeout=5)
        return 0
    finally:
        stop.set()
        moto.stop()


def _load_app():
    from chalice.cli.factory import CLIFactory
    from devstack import gateway
    gateway.match_production()
    factory = CLIFactory(str(ROOT), environ=os.environ)
    config = factory.create_config_obj(chalice_stage_name="local")
    return config.chalice_app, config


def _start_pump(app, stack, stop):
    from devstack import pump
    return pump.start(app, stack, stop)


if __name__ == "__main__":
    sys.exit(main())
