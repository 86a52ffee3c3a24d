"""The burn-rate arithmetic of the availability SLO (Google's SRE Workbook, "Alerting on SLOs")."""

import pytest
from hypothesis import given, strategies as st

from ops import slo


def test_the_thresholds_are_the_factor_times_the_error_budget():
    assert slo.threshold(14.4) == pytest.approx(0.0144)
    assert slo.threshold(6) == pytest.approx(0.006)
    assert slo.threshold(1) == pytest.approx(0.001)  # burning exactly as fast as 99.9% allows
    assert slo.threshold(14.4, objective=0.99) == pytest.approx(0.144)


def test_a_page_fires_after_two_and_five_percent_of_the_monthly_budget_are_gone():
    fast, slow = slo.BURN_RATE_ALERTS
    assert (fast.long_seconds, fast.short_seconds, fast.factor) == (3600, 300, 14.4)
    assert (slow.long_seconds, slow.short_seconds, slow.factor) == (21600, 1800, 6.0)
    assert fast.budget_spent == pytest.approx(0.02) and slow.budget_spent == pytest.approx(0.05)
    assert fast.name == "1h5m" and slow.name == "6h30m"


def test_a_burn_at_the_fast_pages_factor_spends_the_whole_budget_in_two_days():
    assert slo.hours_to_exhaustion(14.4) == pytest.approx(50)
    assert slo.hours_to_exhaustion(6) == pytest.approx(120)
    assert slo.hours_to_exhaustion(1) == pytest.approx(720)  # the whole 30 days


def test_each_short_window_is_a_twelfth_of_its_long_one_as_the_workbook_advises():
    for pair in slo.BURN_RATE_ALERTS:
        assert pair.long_seconds == 12 * pair.short_seconds


@given(
    factor=st.floats(min_value=0.1, max_value=1000), hours=st.integers(min_value=1, max_value=720)
)
def test_a_window_at_its_threshold_spends_exactly_its_share_of_the_budget(factor, hours):
    """Errors at the threshold rate for the window, over the requests of the period, are the budget's share."""
    requests_per_hour = 1000.0
    errors = slo.threshold(factor) * requests_per_hour * hours
    budget = (1 - slo.AVAILABILITY) * requests_per_hour * slo.PERIOD_DAYS * 24
    assert errors / budget == pytest.approx(slo.budget_spent(factor, hours * 3600), rel=1e-6)
