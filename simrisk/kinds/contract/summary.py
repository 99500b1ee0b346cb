"""Summaries of a contract run: every figure with its Monte Carlo standard error.

The statistics and their standard errors are the core's
(:mod:`simrisk.core.summary`); this module picks the contract's figures.
"""

from __future__ import annotations

import json
import math

import numpy as np
import xarray as xr

from simrisk.core.errors import SimriskError
from simrisk.core.summary import (
    BLOCK,
    Source,
    Stream,
    describe_task,
    expected_shortfall_task,
    mean_sd_task,
    prob_task,
    quantile_se,
    ratio_of_means_task,
)

__all__ = [
    "REQUIRED_VARIABLES",
    "SAVING_BASES",
    "Prefeed",
    "format_summary",
    "received_source",
    "received_total",
    "summarize",
]

REQUIRED_VARIABLES = (
    "irr",
    "irr_status",
    "npv",
    "moic",
    "repayments_by_payer",
    "repayments_total",
    "authority_saving_note",
    "authority_net_saving_note",
    "authority_saving_modelled",
    "authority_repayments_pv",
    "authority_net_saving_modelled",
    "deadweight_share",
    "deadweight_share_by_goal",
    "deadweight_successes",
    "successes",
    "measured",
)


def summarize(ds: xr.Dataset, block_size: int = BLOCK) -> dict:
    """The run's key figures as a JSON-ready dict (amounts in DKK, rates as fractions).

    ``ds`` is read only ``block_size`` draws at a time (``ds[v].isel(draw=...)``),
    never a whole per-draw variable, so a lazily opened result file is summarised
    in bounded memory (issue 15): every figure is a task of
    :func:`simrisk.core.summary.stream`, and each pass over the draws reads each
    variable's block once for all of them (two or three passes in all).
    Quantiles and their SEs are exact, the same whatever the block size.
    """
    plan = _Plan(ds, int(ds.sizes["draw"]), block_size)
    return plan.finish(ds)


class _Plan:
    """A summary's tasks over ``n`` draws, laid out on ``ds``'s variables (a result or its
    template), run by a :class:`~simrisk.core.summary.Stream`; :meth:`finish` reads what
    is left from ``ds`` and assembles the figures."""

    def __init__(self, ds: xr.Dataset, n: int, block_size: int):
        # A run without a business case has no authority and so no authority_* variables.
        no_authority = ds.sizes.get("authority", 0) == 0
        missing = [
            v
            for v in REQUIRED_VARIABLES
            if v not in ds.variables and not (no_authority and v.startswith("authority_"))
        ]
        if missing:
            raise SimriskError(
                f"result lacks variables needed for a summary: {', '.join(missing)}"
            )
        self.n = n
        self.src = _Reader(ds, block_size, n)
        self.tasks = _tasks(ds, self.src, n, block_size)
        self.stream = Stream(self.tasks.values(), n, block_size)

    def finish(self, ds: xr.Dataset) -> dict:
        self.src.ds = ds
        try:
            got = dict(zip(self.tasks, self.stream.run(), strict=True))
            return _assemble(ds, got, self.src, self.n)
        finally:
            self.src.close()


class Prefeed:
    """A run's summary whose first pass is fed from the chunks as they are written.

    The run's sink hands each chunk's per-draw values (as stored in the file)
    to :meth:`add`; they are gathered into the summary's blocks, and each
    complete block goes through the first pass (moments, histograms, tallies,
    batch means) at once. :meth:`finish` then reads back only what the later
    passes need (the quantile windows). The figures are :func:`summarize`'s
    of the finished file, bit for bit: the same consumers see the same blocks.

    Parameters
    ----------
    template : xarray.Dataset
        The result's template (per-draw variables with zero draws).
    n : int
        The run's draw count; the chunks must cover draws ``0 .. n-1`` in order.
    """

    def __init__(self, template: xr.Dataset, n: int, block_size: int | None = None):
        block_size = BLOCK if block_size is None else block_size
        self.plan = _Plan(template, int(n), block_size)
        self.n, self.block_size = int(n), int(block_size)
        names = sorted(self.plan.src.used)
        self._spec = {k: (template[k].shape[1:], template[k].dtype) for k in names}
        self._a = 0  # the current block's first draw
        self._parts: dict[str, list[np.ndarray]] = {k: [] for k in names}
        self._have = 0  # draws of the current block gathered so far

    def add(self, draw0: int, values: dict[str, np.ndarray]) -> None:
        """Draws ``draw0 ..`` of the run (the next ones), as written to the file."""
        if draw0 != self._a + self._have:
            raise ValueError(f"summary: chunk at draw {draw0}, expected {self._a + self._have}")
        k = len(next(iter(values.values())))
        pos = 0
        while pos < k:
            b = min(self._a + self.block_size, self.n)
            take = min(k - pos, b - self._a - self._have)
            for name, (_, dtype) in self._spec.items():
                self._parts[name].append(
                    np.asarray(values[name][pos : pos + take], dtype=dtype).copy()
                )
            self._have += take
            pos += take
            if self._a + self._have == b:
                self._feed(b)

    def _feed(self, b: int) -> None:
        blocks = {}
        for name, parts in self._parts.items():
            blocks[name] = parts[0] if len(parts) == 1 else np.concatenate(parts)
            parts.clear()
        self.plan.src.put(self._a, b, blocks)
        self.plan.stream.feed(self._a, b)
        self._a, self._have = b, 0

    def finish(self, ds: xr.Dataset) -> dict:
        """The summary, reading from the finished result ``ds`` (lazily opened) what is left."""
        if self._a != self.n:
            raise ValueError(f"summary: fed {self._a + self._have:,} of {self.n:,} draws")
        self.plan.stream.end_pass()
        return self.plan.finish(ds)


def _tasks(ds: xr.Dataset, src: _Reader, n: int, block_size: int) -> dict:
    capital = float(ds.attrs["capital"])
    hurdle = float(ds.attrs["hurdle_rate"])
    irr = src.f64("irr")
    npv = src.f64("npv")
    received = received_source(ds, block_size, src)
    meas = src.sum("measured", np.float32)
    goals = list(ds["goal"].values)
    rep = ds["repayments_by_payer"]
    paid_var = "payments_by_payer" if "payments_by_payer" in ds else "repayments_by_payer"
    tasks = {
        "p_loss": prob_task(received.map(lambda x: x < capital)),
        "p_neg": prob_task(npv.map(lambda x: x < 0)),
        "p_hurdle": prob_task(irr.map(lambda x: np.isfinite(x) & (x < hurdle))),
        "p_defined": prob_task(irr.map(np.isfinite)),
        "total_loss": prob_task(irr.map(lambda x: x == -1.0)),
        "es5": expected_shortfall_task(npv, 0.05),
        "undefined": _undefined_task(src),
        "irr": describe_task(irr),
        "npv": describe_task(npv),
        "moic": describe_task(src.raw("moic")),
        "repaid total": describe_task(src.f64("repayments_total")),
        "deadweight_share": describe_task(src.raw("deadweight_share")),
        "paid total": describe_task(src.sum(paid_var, np.float64)),
    }
    for i, p in enumerate(rep["payer"].values):
        tasks[("repaid", str(p))] = describe_task(src.raw("repayments_by_payer", payer=i))
    for i, p in enumerate(ds[paid_var]["payer"].values):
        tasks[("paid", str(p))] = describe_task(src.raw(paid_var, payer=i))
    for name in ("retention_clause_payment", "floor_payment"):
        if name in ds:
            x = src.sum(name, np.float64)
            tasks[(name, "mean_sd")] = mean_sd_task(x)
            tasks[(name, "p")] = prob_task(x.map(lambda v: v > 0))
    if "gate_stopped" in ds:
        tasks.update(_gate_tasks(ds, src, npv))
    for j, g in enumerate(goals):
        tasks[("dw", str(g))] = describe_task(src.raw("deadweight_share_by_goal", goal=j))
        rate = src.pair(_divide, src.sum("successes", np.float32, goal=j), meas)
        tasks[("rate", str(g))] = describe_task(rate)
    for basis in SAVING_BASES:
        for i, a in enumerate(ds["authority"].values):
            tasks.update(_net_saving_tasks(ds, src, basis, i, str(a)))
    return tasks


def _assemble(ds: xr.Dataset, got: dict, src: _Reader, n: int) -> dict:
    capital = float(ds.attrs["capital"])
    hurdle = float(ds.attrs["hurdle_rate"])
    reasons = json.loads(ds.attrs["irr_reasons"])
    goals = list(ds["goal"].values)
    rep = ds["repayments_by_payer"]
    paid_var = "payments_by_payer" if "payments_by_payer" in ds else "repayments_by_payer"
    npv = src.f64("npv")
    npv_summary = got["npv"]
    var5, es5, es5_se = got["es5"]
    if npv_summary.get("n") == n:  # every NPV finite: describe's P5 window is the VaR's
        var5_se = npv_summary["p5_se"]
    else:  # as before: the SE over np.sort(npv), non-finite values included
        var5_se = quantile_se(np.sort(_whole(npv)), 0.05)
    payments = {
        "total": got["paid total"],
        **{str(p): got[("paid", str(p))] for p in ds[paid_var]["payer"].values},
    }
    for name in ("retention_clause_payment", "floor_payment"):
        if name in ds:
            mean, sd = got[(name, "mean_sd")]
            p, p_se = got[(name, "p")]
            payments[name.removesuffix("_payment")] = {
                "mean": mean,
                "mean_se": sd / math.sqrt(n) if n > 1 else 0.0,
                "p_paid": p,
                "p_paid_se": p_se,
            }
    out = {
        "scenario": ds.attrs.get("scenario", ""),
        "draws": int(n),
        "seed": int(ds.attrs["seed"]),
        "fixed_parameters": bool(ds.attrs.get("fixed_parameters", 0)),
        "config_sha256": ds.attrs.get("config_sha256", ""),
        "simrisk_version": ds.attrs.get("simrisk_version", ""),
        "capital": capital,
        "discount_rate": float(ds.attrs["discount_rate"]),
        "hurdle_rate": hurdle,
        "irr": got["irr"],
        "npv": npv_summary,
        "moic": got["moic"],
        "p_loss_nominal": got["p_loss"][0],
        "p_loss_nominal_se": got["p_loss"][1],
        "p_npv_negative": got["p_neg"][0],
        "p_npv_negative_se": got["p_neg"][1],
        "p_irr_below_hurdle": got["p_hurdle"][0],
        "p_irr_below_hurdle_se": got["p_hurdle"][1],
        "var5_npv": var5,
        "var5_npv_se": var5_se,
        "es5_npv": es5,
        "es5_npv_se": es5_se,
        "irr_undefined": {
            "share": float(1 - got["p_defined"][0]),
            "reasons": {reasons[str(c)]: k for c, k in got["undefined"].items()},
            "total_loss_share": got["total_loss"][0],
        },
        "repayments": {
            **{str(p): got[("repaid", str(p))] for p in rep["payer"].values},
            "total": got["repaid total"],
        },
        "payments": payments,
        "saving_bases": SAVING_BASES,
        "net_saving": {
            basis: {str(a): _net_saving(got, basis, str(a), n) for a in ds["authority"].values}
            for basis in SAVING_BASES
        },
        "deadweight_share": got["deadweight_share"],
        "deadweight_share_by_goal": {str(g): got[("dw", str(g))] for g in goals},
        "success_rate": {
            str(g): {
                **got[("rate", str(g))],
                "assumed": float(ds["assumed_success_rate"].values[j]),
                "implied_at_central": float(ds["implied_success_rate"].values[j]),
                "counterfactual_at_central": float(ds["implied_counterfactual_rate"].values[j]),
            }
            for j, g in enumerate(goals)
        },
    }
    if "gate_stopped" in ds:
        out["gate"] = _gate_summary(ds, got, n)
    out["goals"] = _goal_terms(ds)
    return out


def _goal_terms(ds: xr.Dataset) -> dict:
    """Each goal's outcome type, payer and prices (what a report page names)."""
    out = {}
    for j, g in enumerate(ds["goal"].values):
        d = {
            "payer": str(ds["goal_payer"].values[j]),
            "price_per_unit": float(ds["payment_per_success"].values[j]),
        }
        if "goal_outcome" in ds.coords:
            d["outcome"] = str(ds["goal_outcome"].values[j])
        if "maximum_price" in ds.coords and np.isfinite(ds["maximum_price"].values[j]):
            d["maximum_price"] = float(ds["maximum_price"].values[j])
        if "price_by_cohort" in ds.coords:
            prices = ds["price_by_cohort"].values[:, j]
            cohorts = ds["cohort"].values
            d["price_by_cohort"] = {str(c): float(prices[i]) for i, c in enumerate(cohorts)}
        if "goal_of" in ds.coords:
            # a stage of a staged goal: its goal, months after the start, payment dates
            d["goal"] = str(ds["goal_of"].values[j])
            d["months"] = int(ds["goal_months"].values[j])
            dates = ds["payment_date"].values[:, j]
            d["payment_date_by_cohort"] = {
                str(c): str(dates[i]) for i, c in enumerate(ds["cohort"].values)
            }
        out[str(g)] = d
    return out


def _gate_tasks(ds: xr.Dataset, src, npv: Source) -> dict:
    """The gate's figures: P(stop), its value (NPV with less without, paired), each payer."""
    without = src.f64("npv_without_gate")
    tasks = {
        ("gate", "stop"): prob_task(src.raw("gate_stopped").map(lambda x: x > 0)),
        ("gate", "value"): mean_sd_task(src.pair(np.subtract, npv, without)),
        ("gate", "without"): mean_sd_task(without),
        ("gate", "p_neg_without"): prob_task(without.map(lambda x: x < 0)),
        ("gate", "share"): describe_task(src.f64("gate_engaged_share")),
    }
    for i, p in enumerate(ds["payer"].values):
        tasks[("gate", "paid", str(p))] = mean_sd_task(src.f64("gate_payment_effect", payer=i))
    if "gate_saving_effect" in ds:
        for i, a in enumerate(ds["authority"].values):
            x = src.f64("gate_saving_effect", authority=i)
            tasks[("gate", "saving", str(a))] = mean_sd_task(x)
    return tasks


def _gate_summary(ds: xr.Dataset, got: dict, n: int) -> dict:
    def est(key) -> dict:
        mean, sd = got[key]
        return {"mean": mean, "mean_se": sd / math.sqrt(n) if n > 1 else 0.0}

    value = est(("gate", "value"))
    p, p_se = got[("gate", "stop")]
    pw, pw_se = got[("gate", "p_neg_without")]
    share = got[("gate", "share")]
    return {
        "threshold": float(ds["gate_stopped"].attrs.get("threshold", float("nan"))),
        "p_stop": p,
        "p_stop_se": p_se,
        "value": value["mean"],
        "value_se": value["mean_se"],
        "npv_without_gate": est(("gate", "without")),
        "p_npv_negative_without_gate": pw,
        "p_npv_negative_without_gate_se": pw_se,
        "engaged_share": share,
        "payments_effect": {str(p): est(("gate", "paid", str(p))) for p in ds["payer"].values},
        "saving_effect": {
            str(a): est(("gate", "saving", str(a)))
            for a in ds["authority"].values
            if ("gate", "saving", str(a)) in got
        },
    }


class _Reader:
    """Block reads of ``ds``'s per-draw variables as :class:`~simrisk.core.summary.Source`.

    A block is ``ds[name].isel(draw=slice(a, b)).values``: for a lazily opened
    file that reads only those draws from disk. The reader keeps the blocks of
    the current range ``(a, b)`` only, so the many series :func:`summarize`
    derives from one variable (its columns, sums, ratios) read it once per pass.
    """

    def __init__(self, ds: xr.Dataset, block_size: int, n: int | None = None):
        self.ds, self.block_size = ds, int(block_size)
        self.n = int(ds.sizes["draw"]) if n is None else int(n)
        self._range: tuple[int, int] | None = None
        self._cache: dict[str, np.ndarray] = {}
        self._h5 = None
        self._direct: dict[str, object] = {}
        self.used: set[str] = set()

    def _get(self, name: str, a: int, b: int) -> np.ndarray:
        if self._range != (a, b):
            self._cache.clear()
            self._range = (a, b)
        if name not in self._cache:
            if self._h5 is None:
                self._open_direct()
            direct = self._direct.get(name)
            if direct is not None:
                self._cache[name] = direct[a:b]
            else:
                self._cache[name] = self.ds[name].isel(draw=slice(a, b)).values
        return self._cache[name]

    def put(self, a: int, b: int, blocks: dict[str, np.ndarray]) -> None:
        """Serve draws ``a .. b-1`` from ``blocks`` (a run's chunk still in memory)."""
        self._cache = dict(blocks)
        self._range = (a, b)

    def _open_direct(self) -> None:
        """Read blocks of a result file with h5py where that gives xarray's values.

        A variable qualifies when xarray would decode it to the stored values
        unchanged: the same dtype, no scale or offset, no fill value but NaN
        (about 30% of a summary's time went to xarray's per-read overhead).
        """
        self._h5 = False
        path = self.ds.encoding.get("source")
        if not path or self.ds.sizes.get("draw", 0) != self.n:
            return
        try:
            import h5py

            f = h5py.File(path, "r")
        except Exception:  # not an HDF5 file on disk (an in-memory Dataset)
            return
        self._h5 = f
        for name, v in self.ds.data_vars.items():
            enc = v.encoding
            fill = enc.get("_FillValue")
            if (
                name in f
                and v.dims
                and v.dims[0] == "draw"
                and f[name].shape == v.shape
                and f[name].dtype == v.dtype
                and "scale_factor" not in enc
                and "add_offset" not in enc
                and (fill is None or (isinstance(fill, float) and np.isnan(fill)))
                and not v.attrs.get("_FillValue")
                and not getattr(v.variable, "_in_memory", True)
            ):
                self._direct[name] = f[name]

    def close(self) -> None:
        self._direct = {}
        if self._h5:
            self._h5.close()
        self._h5 = None

    def _block(self, name: str, sel: dict):
        self.used.add(name)
        dims = self.ds[name].dims
        if dims[0] != "draw":
            raise SimriskError(f"result variable {name} does not start with the draw dimension")
        index = (slice(None), *(sel.get(d, slice(None)) for d in dims[1:]))
        return lambda a, b: self._get(name, a, b)[index]

    def raw(self, name: str, **sel) -> Source:
        """The variable as stored (one column of it with ``dim=index``)."""
        return Source(self._block(name, sel), self.n, self.block_size)

    def f64(self, name: str, **sel) -> Source:
        block = self._block(name, sel)
        return Source(lambda a, b: block(a, b).astype(np.float64), self.n, self.block_size)

    def sum(self, name: str, dtype, **sel) -> Source:
        """The variable summed over its one non-draw dimension left, in ``dtype``."""
        block = self._block(name, sel)
        return Source(lambda a, b: block(a, b).sum(axis=1, dtype=dtype), self.n, self.block_size)

    def pair(self, f, x: Source, y: Source) -> Source:
        """``f(x, y)`` block by block."""
        return Source(lambda a, b: f(x.block(a, b), y.block(a, b)), self.n, self.block_size)


def _divide(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return x / y


def _whole(src: Source) -> np.ndarray:
    # the whole series (only for a result with non-finite NPVs, which the engine never writes)
    return np.concatenate(list(src.blocks())) if src.n else np.empty(0)


def _undefined_task(src: _Reader):
    """Task: draws per IRR status, for the statuses whose draws are not all finite."""
    status, irr = src.raw("irr_status"), src.raw("irr")
    counts: dict[int, int] = {}
    nonfinite: dict[int, bool] = {}

    def consume(a, b):
        s, x = status.block(a, b), irr.block(a, b)
        for code, k in zip(*np.unique(s, return_counts=True), strict=True):
            c = int(code)
            counts[c] = counts.get(c, 0) + int(k)
            nonfinite[c] = nonfinite.get(c, False) or not np.isfinite(x[s == code]).all()

    yield consume
    return {c: counts[c] for c in sorted(counts) if nonfinite[c]}


def received_total(ds: xr.Dataset) -> np.ndarray:
    """Per draw: everything the investor receives (repayments plus any clause payments)."""
    if "payments_by_payer" in ds:
        return ds["payments_by_payer"].values.sum(axis=1, dtype=np.float64)
    return ds["repayments_total"].values.astype(np.float64)


def received_source(ds: xr.Dataset, block_size: int = BLOCK, reader=None) -> Source:
    """:func:`received_total` read ``block_size`` draws at a time."""
    src = reader or _Reader(ds, block_size)
    if "payments_by_payer" in ds:
        return src.sum("payments_by_payer", np.float64)
    return src.f64("repayments_total")


#: The authorities' saving bases, in the order they are shown (the note's first).
SAVING_BASES = {
    "note_method": (
        "the note's method: threshold x stated BIS mean excess cost x successes, "
        "less repayments; undiscounted, every success counted (caused or not)"
    ),
    "modelled": (
        "modelled: the caused fall in each measured citizen's use (per-citizen model), "
        "horizon and persistence from business_case.modelled, less repayments; both "
        "discounted at the payer's own discount_rate"
    ),
}
_VARS = {
    "note_method": ("authority_saving_note", "authority_net_saving_note"),
    "modelled": ("authority_saving_modelled", "authority_net_saving_modelled"),
}


def _net_saving_tasks(ds: xr.Dataset, src: _Reader, basis: str, i: int, a: str) -> dict:
    """The tasks of one authority's net saving on one basis (see :func:`_net_saving`)."""
    saving_var, net_var = _VARS[basis]
    net = src.f64(net_var, authority=i)
    if basis == "note_method":
        by_payer = "payments_by_payer" if "payments_by_payer" in ds else "repayments_by_payer"
        paid = src.f64(by_payer, payer=list(ds[by_payer]["payer"].values).index(a))
    else:
        paid = src.f64("authority_repayments_pv", authority=i)
    # The authority's goal: the one its saving is measured on (its resource goal).
    j = list(ds["goal_payer"].values).index(a)
    succ = src.sum("successes", np.float64, goal=j)
    dw = src.sum("deadweight_successes", np.float64, goal=j)
    key = ("net", basis, a)
    return {
        (*key, "net"): describe_task(net),
        (*key, "p_negative"): prob_task(net.map(lambda x: x < 0)),
        (*key, "saving"): mean_sd_task(src.f64(saving_var, authority=i)),
        (*key, "paid"): mean_sd_task(paid),
        (*key, "cost"): ratio_of_means_task(paid, src.pair(np.subtract, succ, dw)),
    }


def _net_saving(got: dict, basis: str, a: str, n: int) -> dict:
    """One authority's net saving on one basis, with P(net < 0) and cost per caused success."""
    key = ("net", basis, a)
    p_neg, p_neg_se = got[(*key, "p_negative")]
    saving_mean, saving_sd = got[(*key, "saving")]
    cost, cost_se = got[(*key, "cost")]
    return {
        **got[(*key, "net")],
        "p_negative": p_neg,
        "p_negative_se": p_neg_se,
        "saving_mean": saving_mean,
        "saving_mean_se": saving_sd / math.sqrt(n),
        "repayments_mean": got[(*key, "paid")][0],
        "cost_per_caused_success": cost,
        "cost_per_caused_success_se": cost_se,
    }


def _dkk(x: float) -> str:
    return f"{x:,.0f}"


def _pct(x: float, digits: int = 1) -> str:
    return f"{100 * x:.{digits}f}%"


def _gate_lines(g: dict) -> list[str]:
    """The gate's block of the terminal summary."""

    def est(d):
        return f"{_dkk(d['mean'])} ({_dkk(d['mean_se'])})"

    lines = [
        "",
        "Gate (with the gate less without, the same simulated worlds)",
        f"  P(the gate stops the contract)   {_pct(g['p_stop'], 2)} ({_pct(g['p_stop_se'], 2)})"
        f"   threshold {_pct(g['threshold'])}, share engaged mean "
        f"{_pct(g['engaged_share']['mean'])}",
        f"  the gate's value: NPV change     {_dkk(g['value'])} ({_dkk(g['value_se'])})",
        f"  P(NPV < 0) without the gate      {_pct(g['p_npv_negative_without_gate'], 2)} "
        f"({_pct(g['p_npv_negative_without_gate_se'], 2)})",
    ]
    for p, d in g["payments_effect"].items():
        lines.append(f"  payments by {p:<20} {est(d)}")
    for a, d in g["saving_effect"].items():
        lines.append(f"  modelled saving of {a:<13} {est(d)}")
    return lines


def format_summary(s: dict) -> str:
    """The summary as a readable table: value, then (Monte Carlo SE)."""
    lines = [
        f"{s['scenario']}: {s['draws']:,} draws, seed {s['seed']}"
        + (", parameters fixed at central values" if s["fixed_parameters"] else ""),
        "Figures are estimates with their Monte Carlo standard error in brackets.",
        "",
        "Investor (DKK)                      mean                 P5                   P50"
        "                  P95",
    ]

    def row(name, d, fmt):
        if d.get("n", 0) == 0:
            return f"{name:<24} n/a"
        cells = [f"{fmt(d[k])} ({fmt(d[k + '_se'])})" for k in ("mean", "p5", "p50", "p95")]
        return f"{name:<24}" + "".join(f"{c:>21}" for c in cells)

    lines.append(row("IRR", s["irr"], lambda v: _pct(v, 2)))
    lines.append(row(f"NPV at {_pct(s['discount_rate'])}", s["npv"], _dkk))
    lines.append(row("money multiple", s["moic"], lambda v: f"{v:.3f}"))
    for k, d in s["repayments"].items():
        lines.append(row(f"repaid: {k}", d, _dkk))
    lines.append(row("deadweight share", s["deadweight_share"], lambda v: _pct(v, 2)))
    for g, d in s["deadweight_share_by_goal"].items():
        lines.append(row(f"  of which {g}", d, lambda v: _pct(v, 2)))
    if any(s["net_saving"].values()):
        lines += _authority_lines(s, row)
    risk = _risk_rows(s)
    width = max(len(k) for k, _ in risk) + 2
    lines += ["", "Risk"] + [f"  {k:<{width}}{v}" for k, v in risk]
    if "gate" in s:
        lines += _gate_lines(s["gate"])
    lines += [
        "",
        "Success among measured citizens     simulated mean   contract assumes"
        "   model at central values   without intervention",
    ]
    for g, d in s["success_rate"].items():
        lines.append(
            f"  {g:<32} {_pct(d['mean']):>10} ({_pct(d['mean_se'], 2)})"
            f"   {_pct(d['assumed']):>8}   {_pct(d['implied_at_central']):>20}"
            f"   {_pct(d['counterfactual_at_central']):>18}"
        )
    return "\n".join(lines)


def _authority_lines(s: dict, row) -> list[str]:
    lines = [
        "",
        "Authorities (DKK): net saving = saving - repayments, on two bases",
        "  note's method: threshold x stated BIS mean x successes; undiscounted, as the note",
        "  modelled: caused fall per measured citizen; both discounted at the payer's rate",
        "                                    mean                 P5                   P50"
        "                  P95",
    ]
    label = {"note_method": "note's method", "modelled": "modelled"}
    for basis, by_auth in s["net_saving"].items():
        for a, d in by_auth.items():
            lines.append(row(f"{label[basis]}: {a}", d, _dkk))
    lines.append("")
    lines.append(
        "                                    P(net < 0)        saving (mean)"
        "     cost per caused success"
    )
    for basis, by_auth in s["net_saving"].items():
        for a, d in by_auth.items():
            lines.append(
                f"  {label[basis] + ': ' + a:<30}"
                f"{_pct(d['p_negative'], 2):>8} ({_pct(d['p_negative_se'], 2)})"
                f"{_dkk(d['saving_mean']):>15} ({_dkk(d['saving_mean_se'])})"
                f"{_dkk(d['cost_per_caused_success']):>14} "
                f"({_dkk(d['cost_per_caused_success_se'])})"
            )
    return lines


def _risk_rows(s: dict) -> list[tuple[str, str]]:
    return [
        (
            f"P(repayments < capital {_dkk(s['capital'])})",
            f"{_pct(s['p_loss_nominal'], 2)} ({_pct(s['p_loss_nominal_se'], 2)})",
        ),
        ("P(NPV < 0)", f"{_pct(s['p_npv_negative'], 2)} ({_pct(s['p_npv_negative_se'], 2)})"),
        (
            f"P(IRR < {_pct(s['hurdle_rate'])} hurdle)",
            f"{_pct(s['p_irr_below_hurdle'], 2)} ({_pct(s['p_irr_below_hurdle_se'], 2)})",
        ),
        ("VaR 5% of NPV (P5)", f"{_dkk(s['var5_npv'])} ({_dkk(s['var5_npv_se'])})"),
        ("expected shortfall 5% of NPV", f"{_dkk(s['es5_npv'])} ({_dkk(s['es5_npv_se'])})"),
        (
            "draws with no defined IRR",
            _pct(s["irr_undefined"]["share"], 3)
            + "".join(f"; {n} x {r}" for r, n in s["irr_undefined"]["reasons"].items()),
        ),
        ("draws with a total loss (IRR -100%)", _pct(s["irr_undefined"]["total_loss_share"], 3)),
    ]
