"""Investment yardsticks on actual dates: XIRR, NPV and money multiple.

The numerical core (``*_core``) works on *year fractions* (actual/365 from a
reference date, as spreadsheets' XIRR and XNPV define them) and plain arrays.
It is plain Python and NumPy, written once: the ledger calls it as Python
(so ``simrisk ledger`` never imports numba), and the Monte Carlo kernels
call the same functions compiled by Numba (:func:`simrisk.core._numba.jitable`).
The date-aware wrappers at the bottom are for people and the ledger.

IRR status codes (``IRR_*``) say why a cash flow has no ordinary IRR:

======================  ====  ==================================================
code                    rate  meaning
======================  ====  ==================================================
``IRR_OK``              r     unique root of NPV(r) = 0
``IRR_TOTAL_LOSS``      -1    money went out, nothing came back: -100 %
``IRR_NO_OUTFLOW``      nan   nothing was invested (no negative flow)
``IRR_ALL_ZERO``        nan   every flow is zero
``IRR_MULTIPLE``        r     several roots; the one nearest 0 % is returned
``IRR_NOT_FOUND``       nan   a sign change exists but no root lies in
                              (-99.99999999 %, +1e12 %)
======================  ====  ==================================================
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from simrisk.core._numba import jitable

__all__ = [
    "IRR_ALL_ZERO",
    "IRR_MULTIPLE",
    "IRR_NOT_FOUND",
    "IRR_NO_OUTFLOW",
    "IRR_OK",
    "IRR_REASONS",
    "IRR_TOTAL_LOSS",
    "IrrResult",
    "irr_core",
    "irr_sorted_core",
    "moic",
    "moic_core",
    "npv",
    "npv_core",
    "xirr",
    "year_fractions",
]

IRR_OK = 0
IRR_TOTAL_LOSS = 1
IRR_NO_OUTFLOW = 2
IRR_ALL_ZERO = 3
IRR_MULTIPLE = 4
IRR_NOT_FOUND = 5

IRR_REASONS = {
    IRR_OK: "ok",
    IRR_TOTAL_LOSS: "total loss: nothing returned, IRR is -100%",
    IRR_NO_OUTFLOW: "no investment: no negative cash flow, IRR undefined",
    IRR_ALL_ZERO: "all cash flows are zero, IRR undefined",
    IRR_MULTIPLE: "several IRRs (more than one sign change); the one nearest 0% is reported",
    IRR_NOT_FOUND: "no IRR between -99.99999999% and +1e12%",
}

DAYS_PER_YEAR = 365.0
# Search interval in x = log(1 + r): r from -(1 - 1e-10) to +1e10 (1e12 %).
_X_LO = np.log(1e-10)
_X_HI = np.log(1e10 + 1.0)
_GRID = 600  # grid points used to bracket roots when there are several


@jitable
def npv_core(rate, t, cf):
    """Net present value of flows ``cf`` at year fractions ``t`` (t = 0: valuation date).

    Parameters
    ----------
    rate : float
        Annual discount rate, ``rate > -1``.
    t : ndarray of float
        Years from the valuation date (negative for flows before it).
    cf : ndarray of float
        Cash flows, same length as ``t``.

    Returns
    -------
    float
        ``sum(cf / (1 + rate) ** t)``.
    """
    total = 0.0
    for i in range(cf.shape[0]):
        total += cf[i] * (1.0 + rate) ** (-t[i])
    return total


@jitable
def moic_core(cf):
    """Money multiple: sum of inflows over sum of outflows (nan if nothing went out)."""
    inflow = 0.0
    outflow = 0.0
    for i in range(cf.shape[0]):
        if cf[i] > 0.0:
            inflow += cf[i]
        else:
            outflow -= cf[i]
    if outflow == 0.0:
        return np.nan
    return inflow / outflow


@jitable
def _scaled_npv_x(x, t, cf, t_min, t_max):
    # NPV at r = exp(x) - 1 multiplied by the positive factor exp(x * t_ref):
    # same sign and roots, and every exponent is <= 0, so nothing overflows.
    t_ref = t_max if x < 0.0 else t_min
    total = 0.0
    for i in range(cf.shape[0]):
        total += cf[i] * np.exp(-x * (t[i] - t_ref))
    return total


@jitable
def _brent(a, b, fa, fb, t, cf, t_min, t_max):
    # Brent's method on [a, b] with f(a) * f(b) < 0 (Brent 1973, as in scipy's brentq).
    xtol = 1e-13
    rtol = 4.0 * 2.220446049250313e-16
    c, fc = a, fa
    d = e = b - a
    for _ in range(200):
        if fb * fc > 0.0:
            c, fc = a, fa
            d = e = b - a
        if abs(fc) < abs(fb):
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol = 2.0 * rtol * abs(b) + 0.5 * xtol
        m = 0.5 * (c - b)
        if abs(m) <= tol or fb == 0.0:
            return b
        if abs(e) >= tol and abs(fa) > abs(fb):
            s = fb / fa
            if a == c:
                p = 2.0 * m * s
                q = 1.0 - s
            else:
                q = fa / fc
                r = fb / fc
                p = s * (2.0 * m * q * (q - r) - (b - a) * (r - 1.0))
                q = (q - 1.0) * (r - 1.0) * (s - 1.0)
            if p > 0.0:
                q = -q
            else:
                p = -p
            if 2.0 * p < min(3.0 * m * q - abs(tol * q), abs(e * q)):
                e = d
                d = p / q
            else:
                d = m
                e = m
        else:
            d = m
            e = m
        a, fa = b, fb
        if abs(d) > tol:
            b += d
        else:
            b += tol if m > 0 else -tol
        fb = _scaled_npv_x(b, t, cf, t_min, t_max)
    return b


@jitable
def _scaled_npv_dx(x, t, cf, t_min, t_max):
    # The scaled NPV of _scaled_npv_x and its derivative in x.
    t_ref = t_max if x < 0.0 else t_min
    f = 0.0
    df = 0.0
    for i in range(cf.shape[0]):
        e = cf[i] * np.exp(-x * (t[i] - t_ref))
        f += e
        df -= (t[i] - t_ref) * e
    return f, df


@jitable
def _newton_bracketed(a, b, fa, t, cf, t_min, t_max):
    # Newton's method in x kept inside the bracket [a, b] (f changes sign in it);
    # bisects whenever a step would leave it. The scaling of the NPV changes
    # at x = 0, so 0 is kept as a bracket point: Newton runs on one side.
    if a < 0.0 < b:
        f0 = _scaled_npv_x(0.0, t, cf, t_min, t_max)
        if f0 == 0.0:
            return 0.0
        if fa * f0 < 0.0:
            b = 0.0
        else:
            a, fa = 0.0, f0
    # Start from the rate that grows the outflows into the inflows between
    # their mean times (exact for one outflow and one inflow).
    pos = 0.0
    neg = 0.0
    t_pos = 0.0
    t_neg = 0.0
    for i in range(cf.shape[0]):
        if cf[i] > 0.0:
            pos += cf[i]
            t_pos += cf[i] * t[i]
        else:
            neg -= cf[i]
            t_neg -= cf[i] * t[i]
    x = 0.5 * (a + b)
    if pos > 0.0 and neg > 0.0:
        span = t_pos / pos - t_neg / neg
        if span != 0.0:
            guess = np.log(pos / neg) / span
            if a < guess < b:
                x = guess
    for _ in range(100):
        f, df = _scaled_npv_dx(x, t, cf, t_min, t_max)
        if f == 0.0:
            return x
        if f * fa < 0.0:
            b = x
        else:
            a, fa = x, f
        step = f / df if df != 0.0 else np.inf
        x_new = x - step
        if abs(step) <= 1e-14 * (1.0 + abs(x)):
            # converged: a step this small can leave the bracket only by
            # rounding (x is then a bracket end), and bisecting would halve a
            # bracket that may still be wide some 40 times for nothing
            return x_new if a <= x_new <= b else x
        if not (a < x_new < b):
            x_new = 0.5 * (a + b)
        if abs(x_new - x) <= 1e-14 * (1.0 + abs(x)) or b - a <= 1e-14 * (1.0 + abs(x)):
            return x_new
        x = x_new
    return x


@jitable
def irr_core(t, cf):
    """Internal rate of return of flows ``cf`` at year fractions ``t``.

    Solves ``sum(cf / (1 + r) ** t) = 0`` in ``x = log(1 + r)``: with one
    sign change by Newton's method kept inside a bracket (bisection when a
    step leaves it); with several, by Brent's method on each bracket of a
    grid. Flows at equal times are merged; the number of sign changes of
    the time-ordered flows bounds the number of roots (Descartes' rule for
    exponential sums), so one sign change means a unique IRR.

    Parameters
    ----------
    t : ndarray of float
        Year fractions (any origin; actual/365 for XIRR).
    cf : ndarray of float
        Cash flows (negative = paid out by the investor).

    Returns
    -------
    rate : float
        The IRR, -1.0 for a total loss, nan when undefined.
    status : int
        One of the ``IRR_*`` codes.
    """
    n = cf.shape[0]
    order = np.argsort(t, kind="mergesort")
    return irr_sorted_core(t[order], cf[order], np.empty(n), np.empty(n))


@jitable
def irr_sorted_core(t, cf, work_t, work_c):
    """:func:`irr_core` for ``t`` in ascending order, with work arrays of len(t).

    Allocates nothing, for use inside kernels.
    """
    n = cf.shape[0]
    m = 0
    for i in range(n):
        if m > 0 and t[i] == work_t[m - 1]:
            work_c[m - 1] += cf[i]
        else:
            work_t[m] = t[i]
            work_c[m] = cf[i]
            m += 1
    ts = work_t[:m]
    cs = work_c[:m]
    has_neg = False
    has_pos = False
    changes = 0
    last = 0.0
    for k in range(m):
        v = cs[k]
        if v < 0.0:
            has_neg = True
        elif v > 0.0:
            has_pos = True
        if v != 0.0:
            if last != 0.0 and (v > 0.0) != (last > 0.0):
                changes += 1
            last = v
    if not has_neg and not has_pos:
        return np.nan, IRR_ALL_ZERO
    if not has_pos:
        return -1.0, IRR_TOTAL_LOSS
    if not has_neg:
        return np.nan, IRR_NO_OUTFLOW
    t_min = ts[0]
    t_max = ts[m - 1]
    if changes == 1:
        f_lo = _scaled_npv_x(_X_LO, ts, cs, t_min, t_max)
        f_hi = _scaled_npv_x(_X_HI, ts, cs, t_min, t_max)
        if f_lo == 0.0:
            return np.expm1(_X_LO), IRR_OK
        if f_hi == 0.0:
            return np.expm1(_X_HI), IRR_OK
        if f_lo * f_hi > 0.0:
            return np.nan, IRR_NOT_FOUND
        x = _newton_bracketed(_X_LO, _X_HI, f_lo, ts, cs, t_min, t_max)
        return np.expm1(x), IRR_OK
    # Several sign changes: bracket every root on a grid, keep the one nearest 0 %.
    best = np.nan
    found = 0
    step = (_X_HI - _X_LO) / _GRID
    xa = _X_LO
    fa = _scaled_npv_x(xa, ts, cs, t_min, t_max)
    for k in range(1, _GRID + 1):
        xb = _X_LO + k * step
        fb = _scaled_npv_x(xb, ts, cs, t_min, t_max)
        root = np.nan
        if fa == 0.0:
            root = xa
        elif fa * fb < 0.0:
            root = _brent(xa, xb, fa, fb, ts, cs, t_min, t_max)
        if root == root:
            found += 1
            if best != best or abs(root) < abs(best):
                best = root
        xa, fa = xb, fb
    if fa == 0.0:
        found += 1
        if best != best or abs(xa) < abs(best):
            best = xa
    if found == 0:
        return np.nan, IRR_NOT_FOUND
    if found == 1:
        return np.expm1(best), IRR_OK
    return np.expm1(best), IRR_MULTIPLE


# --------------------------------------------------------------------------
# Date-aware wrappers
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class IrrResult:
    """An IRR with the reason when it is not an ordinary one.

    Attributes
    ----------
    rate : float
        Annual rate (0.05 = 5 %), -1.0 for a total loss, nan when undefined.
    status : int
        One of the ``IRR_*`` codes.
    """

    rate: float
    status: int

    @property
    def reason(self) -> str:
        """Human-readable reason for :attr:`status`."""
        return IRR_REASONS[self.status]


def year_fractions(dates: Sequence[_dt.date], origin: _dt.date) -> np.ndarray:
    """Actual/365 year fractions of ``dates`` from ``origin``.

    Examples
    --------
    >>> import datetime as dt
    >>> year_fractions([dt.date(2025, 1, 1), dt.date(2026, 1, 1)], dt.date(2025, 1, 1))
    array([0., 1.])
    """
    return np.array([(d - origin).days for d in dates], dtype=np.float64) / DAYS_PER_YEAR


def _as_arrays(dates, amounts):
    if len(dates) != len(amounts):
        raise ValueError(f"dates and amounts differ in length: {len(dates)} != {len(amounts)}")
    if len(dates) == 0:
        raise ValueError("no cash flows given")
    cf = np.asarray(amounts, dtype=np.float64)
    if not np.all(np.isfinite(cf)):
        raise ValueError("cash flows must be finite numbers")
    return cf


def xirr(dates: Sequence[_dt.date], amounts: Sequence[float]) -> IrrResult:
    """IRR of dated cash flows, actual/365 as in spreadsheets' XIRR.

    Parameters
    ----------
    dates : sequence of datetime.date
        Dates of the flows, in any order.
    amounts : sequence of float
        Flows; negative is money paid out by the investor.

    Returns
    -------
    IrrResult
        The rate and a status code with its reason.

    Examples
    --------
    >>> import datetime as dt
    >>> r = xirr([dt.date(2025, 1, 1), dt.date(2026, 1, 1)], [-100.0, 110.0])
    >>> round(r.rate, 10), r.reason
    (0.1, 'ok')
    """
    cf = _as_arrays(dates, amounts)
    t = year_fractions(dates, min(dates))
    rate, status = irr_core(t, cf)
    return IrrResult(float(rate), int(status))


def npv(
    rate: float,
    dates: Sequence[_dt.date],
    amounts: Sequence[float],
    valuation_date: _dt.date | None = None,
) -> float:
    """Net present value at ``rate`` on ``valuation_date`` (default: the earliest date).

    Examples
    --------
    >>> import datetime as dt
    >>> round(npv(0.1, [dt.date(2025, 1, 1), dt.date(2026, 1, 1)], [-100.0, 110.0]), 10)
    0.0
    """
    if not rate > -1.0:
        raise ValueError(f"rate must be greater than -1, got {rate!r}")
    cf = _as_arrays(dates, amounts)
    origin = valuation_date if valuation_date is not None else min(dates)
    return float(npv_core(float(rate), year_fractions(dates, origin), cf))


def moic(amounts: Sequence[float]) -> float:
    """Money multiple: total received over total paid out (nan if nothing was paid out).

    Examples
    --------
    >>> moic([-100.0, 60.0, 70.0])
    1.3
    """
    return float(moic_core(np.asarray(amounts, dtype=np.float64)))
