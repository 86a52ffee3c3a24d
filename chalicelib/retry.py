"""One way to try again: a bounded number of attempts, waiting a jittered, doubling and capped time where the
retry meets contention (others writing the same items), and not at all where it only reads again."""
import random
import time
from typing import Callable, Iterator


class Attempt:
    def __init__(self, number: int, count: int, wait: Callable[[int], None]) -> None:
        self.number = number
        self.last = number == count - 1
        self._wait = wait

    def back_off(self) -> None:
        """Wait before the next attempt (none after the last)."""
        if not self.last:
            self._wait(self.number)


def attempts(count: int, *, first_wait: float = 0.02, max_wait: float = 0.5,
             sleep: Callable[[float], None] = time.sleep) -> Iterator[Attempt]:
    """`for attempt in attempts(5): ...`: `attempt.back_off()` waits min(max_wait, first_wait * 2**n), less up
    to half at random so that retries that collided do not collide again."""
    def wait(number: int) -> None:
        sleep(min(max_wait, first_wait * 2 ** number) * random.uniform(0.5, 1.0))
    for number in range(count):
        yield Attempt(number, count, wait)
