"""XIRR, NPV and money multiple against closed forms and independent libraries."""

from __future__ import annotations

import datetime as dt

import numpy as np
import numpy_financial as npf
import pytest
import pyxirr

from simrisk.core.finance import (
    IRR_ALL_ZERO,
    IRR_MULTIPLE,
    IRR_NO_OUTFLOW,
    IRR_OK,
    IRR_TOTAL_LOSS,
    irr_core,
    moic,
    npv,
    npv_core,
    xirr,
)

D0 = dt.date(2026, 2, 1)


def _dates(days):
    return [D0 + dt.timedelta(days=int(d)) for d in days]


def test_one_period_closed_form():
    r = xirr(_dates([0, 365]), [-100.0, 110.0])
    assert r.status == IRR_OK
    assert r.rate == pytest.approx(0.10, abs=1e-12)


def test_two_periods_closed_form():
    # -100 now, 121 after exactly two 365-day years: (1 + r)^2 = 1.21.
    r = xirr(_dates([0, 730]), [-100.0, 121.0])
    assert r.rate == pytest.approx(0.10, abs=1e-12)


def test_npv_closed_form():
    cf = [-1000.0, 300.0, 400.0, 500.0]
    days = [0, 365, 730, 1095]
    expected = sum(c / 1.04**k for k, c in enumerate(cf))
    assert npv(0.04, _dates(days), cf) == pytest.approx(expected, rel=1e-14)


def test_npv_valuation_date_shifts_by_growth_factor():
    cf = [-1000.0, 1200.0]
    dates = _dates([0, 365])
    later = D0 + dt.timedelta(days=365)
    assert npv(0.04, dates, cf, valuation_date=later) == pytest.approx(
        npv(0.04, dates, cf) * 1.04, rel=1e-14
    )


def test_npv_at_irr_is_zero(rng):
    for _ in range(50):
        days = np.sort(rng.choice(np.arange(1, 3000), size=5, replace=False))
        cf = np.concatenate([[-rng.uniform(1e3, 1e6)], rng.uniform(0, 5e5, size=5)])
        t = np.concatenate([[0.0], days / 365.0])
        rate, status = irr_core(t, cf)
        assert status == IRR_OK
        assert abs(npv_core(rate, t, cf)) < 1e-6 * np.abs(cf).sum()


def test_total_loss_is_minus_100_percent():
    r = xirr(_dates([0, 100, 400]), [-5.0, -3.0, 0.0])
    assert r.status == IRR_TOTAL_LOSS
    assert r.rate == -1.0
    assert "total loss" in r.reason


def test_no_outflow_is_nan_with_reason():
    r = xirr(_dates([0, 365]), [0.0, 10.0])
    assert np.isnan(r.rate) and r.status == IRR_NO_OUTFLOW
    assert "no investment" in r.reason


def test_all_zero_is_nan():
    r = xirr(_dates([0, 365]), [0.0, 0.0])
    assert np.isnan(r.rate) and r.status == IRR_ALL_ZERO


def test_multiple_roots_picks_nearest_zero_and_flags():
    # -100, +230, -132 at 0, 1, 2 years: roots 10% and 20%.
    r = xirr(_dates([0, 365, 730]), [-100.0, 230.0, -132.0])
    assert r.status == IRR_MULTIPLE
    assert r.rate == pytest.approx(0.10, abs=1e-10)
    # Both are roots; the other one is found when it is nearer 0.
    r2 = xirr(_dates([0, 365, 730]), [100.0, -230.0, 132.0])
    assert r2.rate == pytest.approx(0.10, abs=1e-10)


def test_flows_on_the_same_date_are_merged():
    a = xirr(_dates([0, 0, 365]), [-60.0, -40.0, 110.0])
    b = xirr(_dates([0, 365]), [-100.0, 110.0])
    assert a.rate == pytest.approx(b.rate, abs=1e-14)


def test_order_of_flows_does_not_matter():
    a = xirr(_dates([0, 200, 800]), [-100.0, 20.0, 100.0])
    b = xirr(_dates([800, 0, 200]), [100.0, -100.0, 20.0])
    assert a.rate == b.rate


def test_extreme_rates():
    # +900% in one year and -99% in one year are both found.
    assert xirr(_dates([0, 365]), [-1.0, 10.0]).rate == pytest.approx(9.0, rel=1e-10)
    assert xirr(_dates([0, 365]), [-1.0, 0.01]).rate == pytest.approx(-0.99, rel=1e-10)


def test_bad_input_raises_value_error():
    with pytest.raises(ValueError, match="differ in length"):
        xirr(_dates([0]), [1.0, 2.0])
    with pytest.raises(ValueError, match="no cash flows"):
        xirr([], [])
    with pytest.raises(ValueError, match="finite"):
        xirr(_dates([0, 1]), [-1.0, float("nan")])
    with pytest.raises(ValueError, match="greater than -1"):
        npv(-1.0, _dates([0, 1]), [-1.0, 2.0])


def test_moic():
    assert moic([-100.0, 60.0, 70.0]) == pytest.approx(1.3)
    assert moic([-100.0, 0.0]) == 0.0
    assert np.isnan(moic([0.0, 10.0]))


def _is_root(rate, t, cf):
    """Relative residual of NPV(rate) = 0, independent of where NPV is valued."""
    terms = cf * (1.0 + rate) ** (-(t - t.max()))
    return abs(terms.sum()) <= 1e-8 * np.abs(terms).sum()


def _random_conventional(rng):
    """Outflows first, then inflows: exactly one sign change, one IRR."""
    n_out = rng.integers(1, 4)
    n_in = rng.integers(1, 8)
    days = np.sort(rng.choice(np.arange(1, 4000), size=n_out + n_in - 1, replace=False))
    days = np.concatenate([[0], days])
    out = -rng.lognormal(13, 1, size=n_out)
    inflow = rng.lognormal(13, 1, size=n_in) * rng.uniform(0.0, 2.5)
    return days, np.concatenate([out, inflow])


def test_against_pyxirr_on_1000_random_conventional_flows(rng):
    checked = 0
    for _ in range(1000):
        days, cf = _random_conventional(rng)
        dates = _dates(days)
        ours = xirr(dates, cf)
        theirs = pyxirr.xirr(dates, cf)
        if theirs is None or not np.isfinite(theirs):
            # pyxirr gives up on some extreme cases; ours must still be a root.
            t = days / 365.0
            assert ours.status == IRR_OK
            assert _is_root(ours.rate, t, cf)
            continue
        assert ours.status == IRR_OK
        assert ours.rate == pytest.approx(theirs, rel=1e-6, abs=1e-9)
        checked += 1
    assert checked >= 950


def test_against_pyxirr_non_conventional_is_a_root(rng):
    # Several sign changes: roots may differ, but both must be roots, and where
    # pyxirr's root is the one nearest 0 ours must equal it.
    agree = 0
    for _ in range(300):
        days = np.concatenate([[0], np.sort(rng.choice(np.arange(1, 3000), 5, replace=False))])
        cf = rng.normal(0, 1e5, size=6)
        cf[0] = -abs(cf[0])
        dates = _dates(days)
        ours = xirr(dates, cf)
        if ours.status not in (IRR_OK, IRR_MULTIPLE):
            continue
        t = days / 365.0
        assert _is_root(ours.rate, t, cf)
        theirs = pyxirr.xirr(dates, cf, silent=True)
        if theirs is not None and np.isfinite(theirs) and abs(theirs) <= abs(ours.rate) + 1e-9:
            assert ours.rate == pytest.approx(theirs, rel=1e-6, abs=1e-9)
            agree += 1
    assert agree > 100


def test_against_numpy_financial_on_periodic_flows(rng):
    # With flows exactly 365 days apart, XIRR equals the periodic IRR.
    for _ in range(200):
        n = rng.integers(2, 10)
        cf = np.concatenate([[-rng.uniform(1e3, 1e6)], rng.uniform(0, 3e5, size=n - 1)])
        ours = xirr(_dates(np.arange(n) * 365), cf)
        theirs = npf.irr(cf)
        if np.isfinite(theirs):
            assert ours.rate == pytest.approx(theirs, rel=1e-8, abs=1e-10)
        assert npv_core(0.04, np.arange(n, dtype=float), cf) == pytest.approx(
            npf.npv(0.04, cf), rel=1e-12
        )


def test_newton_stops_at_the_root_without_bisecting_a_wide_bracket(monkeypatch):
    """At a root Newton's step is rounding-sized and may land on the bracket's end.

    The flows are a 70,000-referred DSI draw's (IRR 252%). The solver
    used to take such a step as leaving the bracket and bisect a bracket still
    as wide as its first step some 40 times (48 NPV evaluations here); it
    stops once the step is below its tolerance. Run as plain Python (the
    functions are Numba-jitable) to count the evaluations.
    """
    from scipy.optimize import brentq

    import simrisk.core.finance as fin

    t = np.array([0.0, 120.0, 485.0, 851.0, 881.0, 1096.0, 1338.0]) / 365.0  # actual/365
    disbursed = [-980000.0, -2262000.0, -1942000.0, -266000.0]
    cf = np.array([*disbursed, 37310560.0, 31167168.0, 36159388.0])
    calls = [0]
    for name in ("_scaled_npv_x", "_scaled_npv_dx"):
        real = getattr(fin, name)

        def counted(*a, _real=real):
            calls[0] += 1
            return _real(*a)

        monkeypatch.setattr(fin, name, counted)
    rate, status = fin.irr_sorted_core(t, cf, np.empty(7), np.empty(7))
    assert status == IRR_OK
    root = brentq(lambda x: float(np.sum(cf * np.exp(-x * t))), 0.1, 3.0, xtol=1e-15, rtol=1e-15)
    assert np.log1p(rate) == pytest.approx(root, rel=1e-13)
    assert calls[0] <= 10  # f at both bracket ends and 0, then Newton: 8
