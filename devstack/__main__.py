"""`python -m devstack run|aws|local|admin`: the local stack behind `make run`, `make aws` and `make local`."""

import argparse
import logging
import os
import signal
import sys

from devstack import ports
from devstack import stripe as local_stripe
from devstack.stack import LocalStack


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="devstack")
    parser.add_argument("command", choices=["run", "aws", "local", "admin"])
    parser.add_argument("--stage", default="local")
    parser.add_argument("--email", default="")
    args = parser.parse_args(argv)
    if args.command == "admin":
        return make_admin(args.stage, args.email)
    # checked by make already; again for `python -m devstack` by hand
    refused = ports.refusals(args.command)
    if refused:
        print("\n".join(refused), file=sys.stderr)
        return 1
    return _serve(args.command, ports.from_environ(ports.DEFAULTS))


def _serve(command: str, chosen: dict) -> int:
    # Ctrl-C and SIGTERM stop the stack: a KeyboardInterrupt wherever the main thread is, starting included (set
    # for SIGINT too: a process started in the background by a shell inherits SIGINT ignored)
    for stop in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop, signal.default_int_handler)
    local = LocalStack(
        port=chosen["PORT"], aws_port=chosen["AWS_PORT"], stripe_port=chosen["STRIPE_PORT"]
    )
    try:
        return {"run": serve, "aws": serve_aws, "local": serve_api}[command](local)
    except KeyboardInterrupt:
        return 0
    except ports.Taken as exc:  # PORT or AWS_PORT taken since the check: the check's own line
        print(ports.taken(exc.name, exc.port, f"make {command}"), file=sys.stderr)
        return 1
    except local_stripe.StripeDidNotStart as exc:  # e.g. its port taken since the check
        print(exc, file=sys.stderr)
        return 1
    finally:
        local.close()


def make_admin(stage: str, email: str) -> int:
    if not email:
        print("usage: make admin EMAIL=someone@example.com STAGE=dev", file=sys.stderr)
        return 2
    os.environ["SHOP_STAGE"] = stage
    from devstack import seed

    seed.make_admin(email)
    print(f"{email} is now in the admin group of shop-{stage}")
    return 0


def serve(local: LocalStack) -> int:
    """`make run`: the whole stack in this process."""
    local.start(api=True)
    _warnings_to_console()
    _print_stack(local)
    print(f"shop API      {local.url}/   (Ctrl-C stops everything)", flush=True)
    local.serve_forever()
    return 0


def serve_aws(local: LocalStack) -> int:
    """`make aws`: the embedded AWS and Stripe and the event pump; the API is served by `make local`."""
    local.start(api=False)
    _warnings_to_console()
    _print_stack(local)
    moved = " ".join(
        f"{name}={getattr(local, attr)}"
        for name, attr in (
            ("PORT", "port"),
            ("AWS_PORT", "aws_port"),
            ("STRIPE_PORT", "stripe_port"),
        )
        if getattr(local, attr) != ports.DEFAULTS[name]
    )
    print(
        f"event pump    running (notifications arrive within seconds)\n"
        f"now, in another terminal: {moved + ' ' if moved else ''}make local   (Ctrl-C stops this one)",
        flush=True,
    )
    while not local.stop_event.wait(0.5):  # a timed wait: Ctrl-C is seen at once
        pass
    return 0


def serve_api(local: LocalStack) -> int:
    """`make local`: the API alone (Chalice's local server, as `chalice local --stage local`) against `make aws`."""
    local.attach()
    _warnings_to_console()
    print(f"embedded AWS  {local.endpoint}  (served by make aws, with the event pump)")
    print(
        f"shop API      {local.url}/   (Ctrl-C stops the API; make aws keeps running)", flush=True
    )
    local.serve_forever()
    return 0


def _print_stack(local: LocalStack) -> None:
    print(f"embedded AWS  {local.endpoint}  (stack shop-local: user pool {local.stack.pool_id})")
    print(
        f"Stripe (fake) {local.stripe_url}  (localstripe; events to {local.url}/payments/webhook)"
    )
    print(f"admin login   {local.admin_email} / {local.admin_password}")
    print(f"app log       {_shown(local.log_file)}  (JSON lines and metrics; warnings also here)")


def _shown(path) -> str:
    inside = path.resolve().is_relative_to(os.getcwd())
    return os.path.relpath(path) if inside else str(path)


def _warnings_to_console() -> None:
    """The app's log lines go to the stack's file; its warnings and errors are worth a line on the console too."""
    from chalicelib import observability

    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.WARNING)
    console.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    # after Powertools' own handler, which must stay the first
    observability.logger().addHandler(console)


def _exit(code: int) -> None:
    """Leave without the interpreter's finalization, once the stack is closed. A stack stopped while starting can
    leave a daemon thread (moto's, serving the request the main thread gave up on) inside Rust code (PyO3:
    `cryptography` signing a Cognito token); finalization ends such threads with a forced unwind that PyO3 catches,
    and glibc aborts the process ("FATAL: exception not rethrown", exit -6) instead of exiting 0."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    _exit(main())
