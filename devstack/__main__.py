"""`python -m devstack run|aws|admin`: the local stack behind `make run` and `make aws`."""
import argparse
import logging
import os
import signal
import sys

from devstack.stack import LocalStack


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
    local = LocalStack(port=int(os.environ.get("PORT", "8000")), aws_port=int(os.environ.get("AWS_PORT", "4566")),
                       stripe_port=int(os.environ.get("STRIPE_PORT", "8420")))
    signal.signal(signal.SIGTERM, lambda *_: local.shutdown())
    signal.signal(signal.SIGINT, lambda *_: local.shutdown())
    try:
        local.start(api=api)
        _warnings_to_console()
        print(f"embedded AWS  {local.endpoint}  (stack shop-local: user pool {local.stack.pool_id})")
        print(f"Stripe (fake) {local.stripe_url}  (localstripe; events to {local.url}/payments/webhook)")
        print(f"admin login   {local.admin_email} / {local.admin_password}")
        print(f"app log       {_shown(local.log_file)}  (JSON lines and metrics; warnings also here)")
        if api:
            print(f"shop API      {local.url}/   (Ctrl-C stops everything)", flush=True)
            local.serve_forever()
        else:
            print("now serve the API by hand: chalice local --stage local --no-autoreload   (Ctrl-C stops)", flush=True)
            local.stop_event.wait()
        return 0
    finally:
        local.close()


def _shown(path) -> str:
    inside = path.resolve().is_relative_to(os.getcwd())
    return os.path.relpath(path) if inside else str(path)


def _warnings_to_console() -> None:
    """The app's log lines go to the stack's file; its warnings and errors are worth a line on the console too."""
    from chalicelib import observability
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.WARNING)
    console.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    observability.logger().addHandler(console)  # after Powertools' own handler, which must stay the first


if __name__ == "__main__":
    sys.exit(main())
