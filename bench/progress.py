"""Progress for the long commands (`make bench`, `make load`): each step says when it starts and when it is done,
with the time it took, and shows a bar (rich) while it runs where its length is known. Code deep in a step moves
the bar with `advance()` and says the length with `expect(n)`; outside a step both do nothing. On a terminal the
bar is live; elsewhere (CI, a pipe) only the start and done lines are printed."""

import contextlib
import sys
import time
from typing import Iterator, Optional

_bar = None  # the running step's rich Progress and task, while one runs
_task = None


def elapsed(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"


@contextlib.contextmanager
def step(number: int, count: int, title: str, total: Optional[int] = None) -> Iterator[None]:
    global _bar, _task
    began = time.monotonic()
    print(f"[{number}/{count}] {title} ...", flush=True)
    if sys.stdout.isatty():
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        _bar = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            transient=True,
        )
        _task = _bar.add_task(title, total=total)
        _bar.start()
    try:
        yield
    finally:
        if _bar is not None:
            _bar.stop()
        _bar = _task = None
    print(f"[{number}/{count}] {title}: done in {elapsed(time.monotonic() - began)}", flush=True)


def expect(total: int) -> None:
    """The running step's length, once it is known."""
    if _bar is not None:
        _bar.update(_task, total=total)


def advance(by: int = 1, note: str = "") -> None:
    if _bar is not None:
        _bar.update(_task, advance=by, **({"description": note} if note else {}))


def at(completed: int, note: str) -> None:
    """Where the running step stands, and what it is at; off a terminal, the note is printed."""
    if _bar is not None:
        _bar.update(_task, completed=completed, description=note)
    else:
        print(f"      {note}", flush=True)


def say(note: str) -> None:
    """What the running step is at (`make load`: requests so far, errors); a line of its own off a terminal."""
    if _bar is not None:
        _bar.update(_task, description=note)
    else:
        print(f"      {note}", flush=True)
