"""The shop's service level objectives as numbers (docs/operations.md says what each means, its source and its
budget) and the burn-rate arithmetic of Google's SRE Workbook ("Alerting on SLOs", multiwindow, multi-burn-rate):
a page needs the error rate above `factor x (1 - objective)` over a long window and over a short one, so that it
fires fast for a fast burn and stops soon after the burn stops."""

from dataclasses import dataclass
from typing import Dict, Tuple

AVAILABILITY = 0.999  # share of API requests not answered 5xx
PERIOD_DAYS = 30  # the window the objective and its budget are counted over


@dataclass(frozen=True)
class BurnRateAlert:
    """One pair of windows: the long one says the budget is really burning, the short one that it still is."""

    long_seconds: int
    short_seconds: int
    factor: float  # how many times faster than the objective allows

    @property
    def threshold(self) -> float:
        return threshold(self.factor)

    @property
    def budget_spent(self) -> float:
        """The share of the period's error budget burnt by the time the long window fires."""
        return budget_spent(self.factor, self.long_seconds)

    @property
    def name(self) -> str:
        return f"{_duration(self.long_seconds)}{_duration(self.short_seconds).capitalize()}"


# the Workbook's two paging pairs: 2% of a 30-day budget in an hour, 5% in six hours
BURN_RATE_ALERTS: Tuple[BurnRateAlert, ...] = (
    BurnRateAlert(3600, 300, 14.4),
    BurnRateAlert(21600, 1800, 6.0),
)

# p99 latency objectives (ms) of the operations a shopper waits on, each over 5-minute windows. Placing an order
# includes Stripe's authorization (a PaymentIntent confirmed at checkout, about half a second at its p99); the
# catalog's reads are mostly answered by API Gateway's cache or a warm container's.
LATENCY_P99_MS: Dict[str, int] = {
    "POST /orders": 2000,
    "GET /products": 500,
    "GET /products/{product_id}": 500,
    "GET /categories": 500,
}
LATENCY_WINDOW_SECONDS = 300
NOTIFICATION_FRESHNESS_SECONDS = 60  # an order's event reaches the shopper's inbox within this


def threshold(factor: float, objective: float = AVAILABILITY) -> float:
    """The error rate that burns the budget `factor` times too fast: factor x (1 - objective)."""
    return round(factor * (1 - objective), 10)


def budget_spent(factor: float, window_seconds: int, period_days: int = PERIOD_DAYS) -> float:
    """The share of the period's error budget that `window_seconds` at `factor` times the allowed rate spends."""
    return round(factor * window_seconds / (period_days * 86400), 10)


def hours_to_exhaustion(factor: float, period_days: int = PERIOD_DAYS) -> float:
    """How long a burn at `factor` takes to spend the whole period's budget."""
    return period_days * 24 / factor


def _duration(seconds: int) -> str:
    return f"{seconds // 3600}h" if seconds % 3600 == 0 else f"{seconds // 60}m"
