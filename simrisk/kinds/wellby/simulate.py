"""WELLBY bands for a small pilot and its scaling projections.

Uncertainty is propagated by simulation, one draw per simulated world:

- the mean change per completer:
  * from paired scores, a Bayesian bootstrap (Rubin 1981) of the changes,
    expanded around the sample mean by ``sqrt(n / (n - 1)) * t(0.95, n-1) /
    z(0.95)`` (Hesterberg 2015's expanded percentile idea): the plain
    Bayesian bootstrap covers a 90% interval only ~87% of the time at
    n = 22; the expanded one ~90% (tests/test_wellby.py measures it);
  * from summaries with an SD, Student-t: ``mean + sd / sqrt(n) * t(n-1)``;
  * from summaries without an SD, a normal with the SD drawn from its prior:
    ``mean + sigma / sqrt(n) * z`` with ``sigma ~ uncertainty.sd_change``;
- the completion rate: Beta posterior, ``Beta(a + completers, b + dropouts)``;
- the value of a WELLBY: PERT (or triangular, uniform) over low/central/high;
- persistence: the effect lasts ``D`` years (prior), decaying by ``decay`` a
  year, discounted at ``discount_rate``: factor ``sum_k min(1, D - k)
  (1 - decay)^k / (1 + r)^k``; the source's arithmetic is D = 1;
- optionally a no-intervention change (regression to the mean), to show how
  much survives without a control group.

Central values are the deterministic calculation at the central inputs (the
source's arithmetic), not medians of the simulation; both are reported.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import stats

from simrisk._version import __version__
from simrisk.core.driver import Checkpoint, RunSpec, check_spec, run_chunks
from simrisk.core.priors import frozen, prior_central
from simrisk.kinds.wellby.config import WellbyConfig

__all__ = [
    "CHUNK_SIZE",
    "CI_PROBS",
    "Lanes",
    "WellbyResult",
    "band",
    "bootstrap_mean_draws",
    "pilot_draws",
    "run_identity",
    "run_wellby",
]

CI_PROBS = (0.8, 0.9, 0.95)
#: draws per chunk at most, unless a run says otherwise (memory and checkpoints
#: only: the results do not depend on it)
CHUNK_SIZE = 65_536


def band(x: np.ndarray, central: float) -> dict:
    """Central value, median and the 80/90/95% equal-tailed bands of draws ``x``."""
    x = np.asarray(x, dtype=np.float64)
    out = {"central": float(central), "median": float(np.median(x)), "mean": float(x.mean())}
    for p in CI_PROBS:
        lo, hi = np.quantile(x, [(1 - p) / 2, (1 + p) / 2])
        k = round(p * 100)
        out[f"lower{k}"] = float(lo)
        out[f"upper{k}"] = float(hi)
    return out


def _sample_prior(prior, n: int, rng: np.random.Generator | None) -> np.ndarray:
    if prior.dist == "fixed" or rng is None:
        return np.full(n, float(prior.value))
    return frozen(prior).ppf(rng.random(n))


def _central(prior) -> float:
    return prior_central(prior)


def persistence_factor(years, decay: float, rate: float):
    """WELLBY-years per WELLBY of first-year effect (see module docstring)."""
    years = np.asarray(years, dtype=np.float64)
    top = int(math.ceil(float(np.max(years)))) if years.size else 0
    total = np.zeros_like(years)
    for k in range(top):
        overlap = np.clip(years - k, 0.0, 1.0)
        total += overlap * (1 - decay) ** k / (1 + rate) ** k
    return total


def expansion_factor(n: int, prob: float = 0.9) -> float:
    """``sqrt(n / (n - 1)) * t_{n-1} / z`` at the two-sided level ``prob``."""
    q = (1 + prob) / 2
    return math.sqrt(n / (n - 1)) * stats.t.ppf(q, n - 1) / stats.norm.ppf(q)


def value_per_wellby(cfg: WellbyConfig, n: int, rng: np.random.Generator) -> np.ndarray:
    """Draws of DKK per WELLBY."""
    v = cfg.valuation
    lo, mode, hi = v.low, v.central, v.high
    if v.distribution == "uniform":
        x = rng.uniform(lo, hi, n)
    elif v.distribution == "triangular":
        x = rng.triangular(lo, mode, hi, n)
    else:
        span = hi - lo
        a = 1 + 4 * (mode - lo) / span
        b = 1 + 4 * (hi - mode) / span
        x = lo + span * rng.beta(a, b, n)
    return x * v.dkk_per_unit


@dataclass(frozen=True)
class WellbyResult:
    """Draws and bands of a WELLBY evaluation."""

    cfg: WellbyConfig
    method: str
    draws: dict[str, np.ndarray]
    summary: dict


@dataclass(frozen=True)
class _Lane:
    """One quantity's stretch of the run's random stream (see :class:`Lanes`)."""

    name: str
    #: ``sample(rng, n, needed) -> n draws``; ``needed`` holds the same draws of ``needs``
    sample: Callable[[np.random.Generator, int, dict], np.ndarray]
    #: uses exactly one 64-bit word of the stream a draw (moved on with ``advance``)
    one_word: bool = False
    needs: tuple[str, ...] = ()


def _prior_lane(name: str, prior) -> _Lane | None:
    """A prior drawn by inversion (one uniform a draw); None for a fixed one (no stream)."""
    if prior.dist == "fixed":
        return None
    dist = frozen(prior)
    return _Lane(name, lambda g, n, _: dist.ppf(g.random(n)), one_word=True)


def _mean_change_lanes(cfg: WellbyConfig, d: np.ndarray | None) -> list[_Lane]:
    if d is not None:
        k = d.size
        return [_Lane("bootstrap", lambda g, n, _: g.dirichlet(np.ones(k), size=n))]
    k = cfg.pilot.completers
    if cfg.pilot.sd_change is not None:
        return [_Lane("t", lambda g, n, _: g.standard_t(k - 1, n))]
    sd = _prior_lane("sd", cfg.uncertainty.sd_change)
    return [*([sd] if sd else []), _Lane("z_mean", lambda g, n, _: g.standard_normal(n))]


def _projection_lanes(cfg: WellbyConfig) -> list[_Lane]:
    lanes = []
    for j, proj in enumerate(cfg.projections):
        pilot = proj.completion == "pilot"
        for size in proj.recruited:
            if pilot:

                def kk(g, n, got, size=size):
                    return g.binomial(size, got["completion"], n)

            else:

                def kk(g, n, got, size=size, c=proj.completion):
                    return g.binomial(size, np.full(n, c), n)

            lanes.append(_Lane(f"kk_{j}_{size}", kk, needs=("completion",) if pilot else ()))
            lanes.append(_Lane(f"z_{j}_{size}", lambda g, n, _: g.standard_normal(n)))
    return lanes


def _lanes(cfg: WellbyConfig, d: np.ndarray | None, completers: int, recruited: int):
    """The quantities in the order the stream gives them (that of the first version)."""
    u = cfg.uncertainty
    a, b = u.completion_prior
    lanes = _mean_change_lanes(cfg, d)
    lanes.append(
        _Lane("completion", lambda g, n, _: g.beta(a + completers, b + recruited - completers, n))
    )
    one_word = cfg.valuation.distribution != "pert"  # uniform and triangular: one word a draw
    lanes.append(_Lane("value", lambda g, n, _: value_per_wellby(cfg, n, g), one_word))
    lanes.append(_prior_lane("years", u.persistence_years))
    if u.no_intervention_change is not None:
        lanes.append(_prior_lane("mu0", u.no_intervention_change))
    lanes += _projection_lanes(cfg)
    return [lane for lane in lanes if lane is not None]


#: draws per piece when a lane is moved on through draws whose values are not kept
_PIECE = 65_536


class Lanes:
    """The run's random numbers: one sequential stream, addressable by draw.

    The model draws its quantities from one PCG64 generator seeded with
    ``SeedSequence(seed)``, one after another: all ``N`` draws of the first
    quantity (a *lane*), then all ``N`` of the second, and so on. So that a
    run can be cut into chunks (:mod:`simrisk.core.driver`) without changing
    a bit, :meth:`take` ``(draw0, n)`` gives draws ``draw0 .. draw0 + n - 1``
    of every lane from a generator per lane positioned at ``draw0``. NumPy's
    samplers draw element by element, so ``n`` draws and then ``m`` more are
    the ``n + m`` draws of one call (``tests/test_wellby_driver.py`` checks
    every sampler used). Positioning at a draw (the first chunk of a run, or
    of a resumed one) moves each lane on from its start: a lane that uses one
    64-bit word a draw (inversion of a uniform) by ``advance``, the others
    (normal, beta, binomial, Dirichlet: rejection samplers) by drawing and
    discarding. Later chunks continue where the last ended. The values are a
    function of (config, scores, seed, ``N``, draw), whatever the chunking.
    """

    def __init__(self, lanes: list[_Lane], draws: int, seed: int):
        self.lanes = lanes
        self.draws = int(draws)
        self.seed = int(seed)
        self._gens: dict[str, np.random.Generator] = {}
        self.pos: int | None = None

    def _position(self, p: int) -> None:
        N = self.draws
        needed = {k for lane in self.lanes for k in lane.needs}
        state = np.random.PCG64(np.random.SeedSequence(self.seed)).state
        kept: dict[str, np.ndarray] = {}
        for lane in self.lanes:
            g = _generator(state)
            if lane.one_word and lane.name not in needed:
                g.bit_generator.advance(p)
                at = g.bit_generator.state
                g.bit_generator.advance(N - p)
            else:
                at = g.bit_generator.state if p == 0 else None
                parts = []
                d = 0
                while d < N:
                    m = min(_PIECE, N - d, p - d if d < p else N)
                    x = lane.sample(g, m, {k: kept[k][d : d + m] for k in lane.needs})
                    if lane.name in needed:
                        parts.append(x)
                    d += m
                    if d == p:
                        at = g.bit_generator.state
                if lane.name in needed:
                    kept[lane.name] = np.concatenate(parts)
            self._gens[lane.name] = _generator(at)
            state = g.bit_generator.state
        self.pos = p

    def take(self, draw0: int, n: int) -> dict[str, np.ndarray]:
        """Draws ``draw0 .. draw0 + n - 1`` of every lane."""
        if self.pos != draw0:
            self._position(draw0)
        got: dict[str, np.ndarray] = {}
        for lane in self.lanes:
            got[lane.name] = lane.sample(self._gens[lane.name], n, {k: got[k] for k in lane.needs})
        self.pos = draw0 + n
        return got


def _generator(state: dict) -> np.random.Generator:
    bg = np.random.PCG64()
    bg.state = state
    return np.random.Generator(bg)


@dataclass(frozen=True)
class _Model:
    """What a run computes from its draws: the config's constants and the scores."""

    cfg: WellbyConfig
    scores: np.ndarray | None
    d: np.ndarray | None  # paired changes
    m_hat: float
    sd_central: float
    k: int
    method: str
    completers: int
    recruited: int
    persist_c: float
    mu0_c: float

    @property
    def sizes(self) -> list[tuple[int, int]]:
        return [
            (j, size) for j, proj in enumerate(self.cfg.projections) for size in proj.recruited
        ]


def _model(cfg: WellbyConfig, scores: np.ndarray | None) -> _Model:
    p, u = cfg.pilot, cfg.uncertainty
    d = None
    if scores is not None:
        d = (scores[:, 1] - scores[:, 0]).astype(np.float64)
        k = d.size
        m_hat, sd_c = float(d.mean()), float(d.std(ddof=1))
        method = (
            f"Bayesian bootstrap of {k} paired changes, expanded by {expansion_factor(k):.3f} "
            "(sqrt(n/(n-1)) t/z; Hesterberg 2015)"
        )
    elif p.sd_change is not None:
        k, m_hat, sd_c = p.completers, cfg.mean_change, p.sd_change
        method = f"Student-t on n = {k} with the reported SD"
    else:
        k, m_hat = p.completers, cfg.mean_change
        sd_c = _central(u.sd_change)
        method = f"normal on n = {k} with the unpublished SD drawn from its prior"
    completers = k if scores is not None else p.completers
    recruited = p.recruited if scores is None else max(p.recruited, completers)
    persist_c = float(
        persistence_factor([_central(u.persistence_years)], u.decay, u.discount_rate)[0]
    )
    mu0 = u.no_intervention_change
    return _Model(
        cfg, scores, d, m_hat, sd_c, k, method, completers, recruited, persist_c,
        _central(mu0) if mu0 is not None else 0.0,
    )  # fmt: skip


def _prior_or_fixed(got: dict, name: str, prior, n: int) -> np.ndarray:
    return got[name] if name in got else _sample_prior(prior, n, None)


def _mean_change(mdl: _Model, got: dict, n: int) -> tuple[np.ndarray, np.ndarray]:
    cfg, k = mdl.cfg, mdl.k
    if mdl.d is not None:
        return _bootstrap(mdl.d, got["bootstrap"])
    if cfg.pilot.sd_change is not None:
        mu = mdl.m_hat + cfg.pilot.sd_change / math.sqrt(k) * got["t"]
        return mu, np.full(n, cfg.pilot.sd_change)
    sd = _prior_or_fixed(got, "sd", cfg.uncertainty.sd_change, n)
    return mdl.m_hat + sd / math.sqrt(k) * got["z_mean"], sd


def series_of(mdl: _Model, got: dict, n: int) -> dict[str, np.ndarray]:
    """Every per-draw series of a chunk, from its lanes' draws (the first version's arithmetic)."""
    cfg, u = mdl.cfg, mdl.cfg.uncertainty
    mu, sd = _mean_change(mdl, got, n)
    value = got["value"]
    years = _prior_or_fixed(got, "years", u.persistence_years, n)
    persist = persistence_factor(years, u.decay, u.discount_rate)
    if u.no_intervention_change is not None:
        mu0 = _prior_or_fixed(got, "mu0", u.no_intervention_change, n)
    else:
        mu0 = np.zeros(n)
    per_completer = mu * persist
    total = per_completer * mdl.completers
    net_total = (mu - mu0) * persist * mdl.completers
    out = {
        "mean_change": mu,
        "sd_change": sd,
        "completion_rate": got["completion"],
        "value_per_wellby": value,
        "persistence_years": years,
        "no_intervention_change": mu0,
        "per_completer_wellby": per_completer,
        "pilot_total_wellby": total,
        "pilot_value_dkk": total * value,
        "pilot_total_wellby_net": net_total,
        "pilot_value_dkk_net": net_total * value,
    }
    for j, size in mdl.sizes:
        proj = cfg.projections[j]
        if proj.mean_change == "pilot":
            m_draw = mu
        else:
            # The asserted mean, as uncertain as the pilot's estimate of its own.
            m_draw = proj.mean_change + (mu - mdl.m_hat)
        # Chance among the recruited: completers ~ Binomial, and their mean
        # change scatters around the true mean by sd / sqrt(completers).
        kk = got[f"kk_{j}_{size}"]
        mean_k = m_draw + sd / np.sqrt(np.maximum(kk, 1)) * got[f"z_{j}_{size}"]
        wb = kk * mean_k * persist
        inv = size * proj.investment_per_recruited
        out[f"completers_{j}_{size}"] = kk
        out[f"wellby_{j}_{size}"] = wb
        out[f"projection_{j}_{size}"] = wb * value
        # Net of the no-intervention change (regression to the mean) and of
        # the investment: what the projection adds, as the pilot panel's net.
        out[f"projection_net_{j}_{size}"] = kk * (mean_k - mu0) * persist * value - inv
    if cfg.goal3 is not None:
        w_top = cfg.goal3.start_distribution[-1]
        # Latent change ~ N(mu, sd); a strict rise needs change >= 0.5 from below the top.
        out["goal3_success_probability"] = (1 - w_top) * stats.norm.cdf((mu - 0.5) / sd)
    return out


def _bootstrap(d: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The expanded Bayesian bootstrap's mean and SD draws from Dirichlet weights ``w``.

    The sums over the ``k`` changes run in a fixed order, one column at a
    time, so a draw's value does not depend on its row's place in ``w``
    (BLAS's ``w @ d`` and NumPy's row sums group a row's terms by where it
    falls in a block, and so would depend on the chunking and thread count).
    """
    k = d.size
    m = d.mean()
    bb = np.zeros(w.shape[0])
    for j in range(k):
        bb += w[:, j] * d[j]
    mu = m + (bb - m) * expansion_factor(k)
    ss = np.zeros(w.shape[0])
    for j in range(k):
        ss += w[:, j] * (d[j] - bb) ** 2
    return mu, np.sqrt(ss) * math.sqrt(k / (k - 1))


def bootstrap_mean_draws(d: np.ndarray, n: int, rng: np.random.Generator):
    """Expanded Bayesian-bootstrap draws of the mean of ``d`` and of its SD.

    Returns ``(mean draws, sd draws)``; the mean draws' 90% equal-tailed
    interval is the method whose coverage ``tests/test_wellby.py`` measures.
    """
    d = np.asarray(d, dtype=np.float64)
    return _bootstrap(d, rng.dirichlet(np.ones(d.size), size=n))


def outputs(mdl: _Model, n: int) -> dict[str, np.ndarray]:
    """Empty per-draw arrays of ``n`` draws, one per series of :func:`series_of`."""
    names = [
        "mean_change", "sd_change", "completion_rate", "value_per_wellby",
        "persistence_years", "no_intervention_change", "per_completer_wellby",
        "pilot_total_wellby", "pilot_value_dkk", "pilot_total_wellby_net", "pilot_value_dkk_net",
    ]  # fmt: skip
    out = {k: np.empty(n) for k in names}
    for j, size in mdl.sizes:
        out[f"completers_{j}_{size}"] = np.empty(n, np.int64)
        for k in ("wellby", "projection", "projection_net"):
            out[f"{k}_{j}_{size}"] = np.empty(n)
    if mdl.cfg.goal3 is not None:
        out["goal3_success_probability"] = np.empty(n)
    return out


def make_fill(mdl: _Model, draws: int, seed: int) -> Callable[[int, int, dict], None]:
    """The driver's ``fill(draw0, n, views)``: draws ``draw0 ..`` into views of :func:`outputs`.

    A pure function of its arguments (and the run's config, scores, seed and
    draw count): called in draw order it continues the stream, called at any
    other draw it positions the stream there first (:class:`Lanes`).
    """
    lanes = Lanes(_lanes(mdl.cfg, mdl.d, mdl.completers, mdl.recruited), draws, seed)

    def fill(draw0: int, n: int, views: dict[str, np.ndarray]) -> None:
        for k, v in series_of(mdl, lanes.take(draw0, n), n).items():
            views[k][...] = v

    return fill


def _summary(mdl: _Model, s: dict[str, np.ndarray], n: int, seed: int) -> tuple[dict, dict]:
    """The run's summary (bands over every draw) and its kept draws, from the series ``s``."""
    cfg, p = mdl.cfg, mdl.cfg.pilot
    m_hat, persist_c, mu0_c = mdl.m_hat, mdl.persist_c, mdl.mu0_c
    completers, recruited = mdl.completers, mdl.recruited
    value_c = cfg.valuation.central * cfg.valuation.dkk_per_unit
    net_c = (m_hat - mu0_c) * persist_c * completers
    summary: dict = {
        "name": cfg.name,
        "draws": int(n),
        "seed": int(seed),
        "method": mdl.method,
        "value_per_wellby_dkk": band(s["value_per_wellby"], value_c),
        "pilot": {
            "recruited": int(recruited),
            "completers": int(completers),
            "completion_rate": band(s["completion_rate"], completers / recruited),
            "mean_change": band(s["mean_change"], m_hat),
            "per_completer_wellby": band(s["per_completer_wellby"], m_hat * persist_c),
            "total_wellby": band(s["pilot_total_wellby"], m_hat * persist_c * completers),
            "value_dkk": band(s["pilot_value_dkk"], m_hat * persist_c * completers * value_c),
            "total_wellby_net": band(s["pilot_total_wellby_net"], net_c),
            "value_dkk_net": band(s["pilot_value_dkk_net"], net_c * value_c),
            "investment_dkk": float(p.investment),
            "p_value_net_positive": float((s["pilot_total_wellby_net"] > 0).mean()),
        },
    }
    kept = (
        "mean_change", "completion_rate", "value_per_wellby", "persistence_years",
        "pilot_total_wellby", "pilot_value_dkk", "pilot_value_dkk_net", "no_intervention_change",
    )  # fmt: skip
    draws_out = {k: s[k] for k in kept}
    projections = []
    for j, size in mdl.sizes:
        proj = cfg.projections[j]
        c_c = completers / recruited if proj.completion == "pilot" else proj.completion
        m_c = m_hat if proj.mean_change == "pilot" else proj.mean_change
        val, val_net = s[f"projection_{j}_{size}"], s[f"projection_net_{j}_{size}"]
        inv = size * proj.investment_per_recruited
        central_wb = size * c_c * m_c * persist_c
        central_net = size * c_c * (m_c - mu0_c) * persist_c * value_c - inv
        projections.append(
            {
                "scenario": proj.scenario,
                "index": j,
                "recruited": int(size),
                "investment_dkk": float(inv),
                "completers": band(s[f"completers_{j}_{size}"], size * c_c),
                "total_wellby": band(s[f"wellby_{j}_{size}"], central_wb),
                "value_dkk": band(val, central_wb * value_c),
                "value_per_dkk_invested": band(
                    val / inv if inv else val, central_wb * value_c / inv if inv else 0
                ),
                "value_dkk_net": band(val_net, central_net),
                "p_value_net_positive": float((val_net > 0).mean()),
            }
        )
        draws_out[f"projection_{j}_{size}"] = val
        draws_out[f"projection_net_{j}_{size}"] = val_net
    summary["projections"] = projections
    if cfg.goal3 is not None:
        g = cfg.goal3
        w_top = g.start_distribution[-1]
        p_rise = s["goal3_success_probability"]
        p_c = (1 - w_top) * stats.norm.cdf((m_hat - 0.5) / mdl.sd_central)
        summary["goal3_success_probability"] = {
            **band(p_rise, p_c),
            "dsi_assumed": g.dsi_assumed,
            "p_at_least_dsi_assumed": float((p_rise >= g.dsi_assumed).mean()),
            "mean_change_needed_for_dsi_assumed": float(
                0.5 + mdl.sd_central * stats.norm.ppf(min(g.dsi_assumed / (1 - w_top), 1 - 1e-12))
            ),
        }
        draws_out["goal3_success_probability"] = p_rise
    return summary, draws_out


def run_identity(cfg: WellbyConfig, scores, draws: int, seed: int, config_text: str = "") -> dict:
    """What makes two WELLBY runs the same run: a checkpoint is resumed only by the same run."""
    text = config_text or cfg.model_dump_json()
    ident = {
        "kind": "wellby",
        "config_sha256": hashlib.sha256(text.encode()).hexdigest(),
        "seed": int(seed),
        "draws": int(draws),
        "version": __version__,
    }
    if scores is not None:
        raw = np.ascontiguousarray(np.asarray(scores, dtype=np.int64)).tobytes()
        ident["scores_sha256"] = hashlib.sha256(raw).hexdigest()
    return ident


def run_wellby(
    cfg: WellbyConfig,
    scores: np.ndarray | None = None,
    draws: int | None = None,
    seed: int | None = None,
    *,
    chunk_size: int | None = None,
    progress: Callable[[int], None] | None = None,
    checkpoint: Checkpoint | None = None,
) -> WellbyResult:
    """Simulate the pilot's WELLBY value, its projections and goal 3's success chance.

    The draws run through :func:`simrisk.core.driver.run_chunks`, a chunk at
    a time; the result does not depend on the chunk size (:class:`Lanes`).

    Parameters
    ----------
    cfg : WellbyConfig
    scores : ndarray of int, shape (n, 2), optional
        Paired before/after scores; overrides the summary statistics.
    draws, seed : int, optional
        Defaults from ``cfg.simulation``.
    chunk_size : int, optional
        Draws per chunk at most (default :data:`CHUNK_SIZE`).
    progress : callable, optional
        Called with the draws of each completed chunk.
    checkpoint : simrisk.core.driver.Checkpoint, optional
        Save every completed chunk, and resume from a matching checkpoint
        (make it with :func:`run_identity`).
    """
    n = cfg.simulation.draws if draws is None else draws
    seed = cfg.simulation.seed if seed is None else seed
    spec = RunSpec(draws=n, seed=seed, chunk_size=chunk_size or CHUNK_SIZE)
    check_spec(spec)
    mdl = _model(cfg, scores)
    series = run_chunks(make_fill(mdl, n, seed), outputs(mdl, n), spec, progress, checkpoint)
    summary, draws_out = _summary(mdl, series, n, seed)
    return WellbyResult(cfg=cfg, method=mdl.method, draws=draws_out, summary=summary)


def pilot_draws(cfg: WellbyConfig, draws: int, seed: int) -> dict[str, np.ndarray]:
    """The pilot's per-draw quantities of a run of ``draws`` draws without scores.

    ``mean_change``, ``sd_change``, ``completion_rate``, ``value_per_wellby``,
    ``persistence_years``, ``no_intervention_change`` and the persistence
    factor ``persistence``: the same draws as :func:`run_wellby` gives.
    """
    mdl = _model(cfg, None)
    spec = RunSpec(draws=draws, seed=seed, chunk_size=CHUNK_SIZE)
    check_spec(spec)
    s = run_chunks(make_fill(mdl, draws, seed), outputs(mdl, draws), spec)
    u = cfg.uncertainty
    keep = (
        "mean_change", "sd_change", "completion_rate", "value_per_wellby",
        "persistence_years", "no_intervention_change",
    )  # fmt: skip
    out = {k: s[k] for k in keep}
    out["persistence"] = persistence_factor(out["persistence_years"], u.decay, u.discount_rate)
    return out
