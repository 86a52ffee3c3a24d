"""The local stack's ports, checked before anything starts (before `.venv` is even made: standard library only,
`python -m devstack.ports run|aws|local`): one line for each port that cannot be opened, naming the variable that
moves it, what holds it where the system tells, and a port that is free."""

import errno
import os
import pathlib
import shutil
import socket
import subprocess
from typing import Dict, List, Optional

# the ports each command opens, with their defaults; `aws` also reads PORT, where `make local` will serve the API
# (localstripe sends the shop's webhook there)
DEFAULTS = {"PORT": 8000, "AWS_PORT": 4566, "STRIPE_PORT": 8420}
OPENS = {
    "run": ("PORT", "AWS_PORT", "STRIPE_PORT"),
    "aws": ("AWS_PORT", "STRIPE_PORT"),
    "local": ("PORT",),
}
# where each server listens: moto and Chalice's server on 127.0.0.1, localstripe on every interface (its command
# line has no host option), so a port taken on any address is taken for it; "::" is IPv4's 0.0.0.0 too, and
# can_open falls back to 0.0.0.0 alone where IPv6 is off
HOSTS = {"STRIPE_PORT": "::"}


class Taken(OSError):
    """A port taken after the check and before its server could listen on it."""

    def __init__(self, name: str, port: int):
        super().__init__(errno.EADDRINUSE, f"{name}={port} is in use")
        self.name, self.port = name, port


def from_environ(defaults: Dict[str, int]) -> Dict[str, int]:
    """The ports asked for (`PORT=8001`), each checked to be a port number: ValueError says which is not."""
    chosen = {}
    for name, default in defaults.items():
        text = os.environ.get(name, "").strip() or str(default)
        if not (text.isascii() and text.isdigit()) or not 0 < int(text) < 65536:
            raise ValueError(f"{name}={text} is not a port number (1-65535)")
        chosen[name] = int(text)
    return chosen


def refusals(command: str) -> List[str]:
    """Why `make <command>` cannot start: a port variable that is not a port, each port it opens that is taken,
    or (`local`) the stack it serves against missing. Empty when it can."""
    try:
        chosen = from_environ(DEFAULTS)
    except ValueError as exc:
        return [str(exc)]
    refused = problems({name: chosen[name] for name in OPENS[command]}, f"make {command}")
    if command == "local" and not refused and can_open(chosen["AWS_PORT"]):
        refused = [
            f"nothing serves the embedded AWS on AWS_PORT={chosen['AWS_PORT']}: start `make aws` first "
            "(in another terminal, with the same AWS_PORT and STRIPE_PORT)"
        ]
    return refused


def problems(ports: Dict[str, int], command: str) -> List[str]:
    """What stands in the way of opening every port, one line each, and how to run `command` instead."""
    lines, seen = [], {}
    for name, port in ports.items():
        if port in seen:
            lines.append(f"{name} and {seen[port]} are both {port}: give one of them another port")
            continue
        seen[port] = name
        if not can_open(port, HOSTS.get(name, "127.0.0.1")):
            lines.append(taken(name, port, command))
    return lines


def taken(name: str, port: int, command: str) -> str:
    """The line for a port that is in use: what holds it, if the system says, and how to move it."""
    holder = holder_of(port)
    held = f"in use by {holder}" if holder else "in use by another program"
    return (
        f"port {port} is {held}: set {name} to a free port, e.g. {name}={free_near(port)} {command}"
    )


def can_open(port: int, host: str = "127.0.0.1") -> bool:
    """Whether a server can listen on the port, as the stack's servers do (SO_REUSEADDR, so a connection
    closing in TIME_WAIT does not count as busy)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
            probe.listen()
        return True
    except OSError as exc:
        if host == "::" and exc.errno in (errno.EAFNOSUPPORT, errno.EADDRNOTAVAIL):
            return can_open(port, "0.0.0.0")  # IPv6 is off: localstripe listens on IPv4 alone
        return False


def free_near(port: int) -> int:
    for candidate in range(port + 1, min(port + 100, 65536)):
        if can_open(candidate) and can_open(candidate, "::"):
            return candidate
    return 0


def holder_of(port: int) -> Optional[str]:
    """`pid 1234 (python3 -m http.server)` for the process listening on the port, when this system says: Linux's
    /proc (processes of other users stay unnamed unless run as root), else lsof where it is installed."""
    return _from_proc(port) if pathlib.Path("/proc/net/tcp").exists() else _from_lsof(port)


def _from_proc(port: int) -> Optional[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = pathlib.Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                inodes.add(f"socket:[{fields[9]}]")
    for fd_dir in pathlib.Path("/proc").glob("[0-9]*/fd"):
        try:
            if any(os.readlink(fd) in inodes for fd in fd_dir.iterdir()):
                return _named(
                    fd_dir.parent.name,
                    (fd_dir.parent / "cmdline").read_bytes().replace(b"\0", b" "),
                )
        except OSError:
            continue
    return None


def _from_lsof(port: int) -> Optional[str]:
    if not shutil.which("lsof"):
        return None
    found = subprocess.run(
        ["lsof", "-nP", f"-iTCP:{port}", "-sTCP:LISTEN", "-Fpc"], capture_output=True, text=True
    )
    fields = {line[0]: line[1:] for line in found.stdout.splitlines() if line}
    return _named(fields["p"], fields.get("c", "").encode()) if "p" in fields else None


def _named(pid: str, command: bytes) -> str:
    text = command.decode(errors="replace").strip()
    return f"pid {pid} ({text[:77] + '...' if len(text) > 80 else text})"


if __name__ == "__main__":
    import sys

    said = refusals(sys.argv[1])
    print("\n".join(said), file=sys.stderr, end="\n" if said else "")
    sys.exit(1 if said else 0)
