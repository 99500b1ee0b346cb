"""The counter-based generator, its normals, the binomial and the prior tables."""

from __future__ import annotations

import numba
import numpy as np
import pytest
from scipy import stats

from simrisk.core.rng import (
    GAMMA,
    LOW_CITIZENS,
    MAX_CITIZENS,
    citizen_word,
    key_from_seed,
    normal_from,
    u01_hi,
)
from simrisk.kinds.contract._kernel import binomial_inverse

MASK64 = (1 << 64) - 1


def _splitmix64_sequence(state: int, n: int) -> list[int]:
    """The reference C algorithm (Vigna's splitmix64.c), in plain Python."""
    out = []
    for _ in range(n):
        state = (state + int(GAMMA)) & MASK64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        out.append(z ^ (z >> 31))
    return out


@numba.njit
def _words(key, d, i, n_slots):
    out = np.empty(n_slots, np.uint64)
    for s in range(n_slots):
        out[s] = citizen_word(key, d, i, s)
    return out


@numba.njit
def _sequential_tail(state, n_skip, n_keep):
    # The sequential algorithm (state += GAMMA, then mix), run n_skip + n_keep steps.
    out = np.empty(n_keep, np.uint64)
    for k in range(n_skip + n_keep):
        state = state + GAMMA
        z = state
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        if k >= n_skip:
            out[k - n_skip] = z ^ (z >> np.uint64(31))
    return out


def test_random_access_equals_the_sequential_splitmix64():
    key, _ = key_from_seed(123)
    # Plain Python agrees with the compiled sequential loop ...
    assert [int(w) for w in _sequential_tail(key, 0, 50)] == _splitmix64_sequence(int(key), 50)
    # ... and draw 3, citizen 5, slots 0..9 sit at positions 3 * 2**24 + 5 * 256 + s.
    pos = 3 * 2**24 + 5 * 256
    np.testing.assert_array_equal(_words(key, 3, 5, 10), _sequential_tail(key, pos, 10))


def _mix64_at(key: int, pos: int) -> int:
    """SplitMix64's output at position ``pos`` (state ``key + (pos + 1) * GAMMA``), in Python."""
    z = (key + (pos + 1) * int(GAMMA)) & MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def test_citizens_beyond_the_original_layout_use_the_upper_half():
    # Issue 15: citizens from 2**15 on sit at 2**63 + draw * 2**32 + citizen * 256 + slot;
    # citizens below keep draw * 2**24 + citizen * 256 + slot (so old results stand).
    key, _ = key_from_seed(123)
    k = int(key)
    for d, i in [(0, LOW_CITIZENS - 1), (3, 5), (2**31 - 1, 0)]:
        want = [_mix64_at(k, d * 2**24 + i * 256 + s) for s in range(4)]
        assert [int(w) for w in _words(key, d, i, 4)] == want
    for d, i in [(0, LOW_CITIZENS), (3, 100_000), (2**31 - 1, MAX_CITIZENS - 1)]:
        want = [_mix64_at(k, 2**63 + d * 2**32 + i * 256 + s) for s in range(4)]
        assert [int(w) for w in _words(key, d, i, 4)] == want
    # The highest position of the layout is 2**64 - 1: still inside the 64-bit space.
    assert 2**63 + (2**31 - 1) * 2**32 + (MAX_CITIZENS - 1) * 256 + 255 == MASK64


@numba.njit
def _high_uniforms(key, n):
    out = np.empty(n)
    for k in range(n):
        out[k] = u01_hi(citizen_word(key, k // 1000, LOW_CITIZENS + k % 1000 * 97, 0))
    return out


def test_uniforms_of_high_citizens_are_uniform():
    key, _ = key_from_seed(7)
    u = _high_uniforms(key, 200_000)
    assert 0 < u.min() and u.max() < 1
    assert stats.kstest(u, "uniform").pvalue > 1e-3


def test_known_splitmix64_output():
    # splitmix64.c seeded with 1234567: first outputs (as in the xoshiro reference).
    assert _splitmix64_sequence(1234567, 3) == [
        6457827717110365317,
        3203168211198807973,
        9817491932198370423,
    ]


@numba.njit
def _uniforms(key, n):
    out = np.empty(n)
    for k in range(n):
        out[k] = u01_hi(citizen_word(key, k // 1000, k % 1000, 0))
    return out


@numba.njit
def _normals(key, n):
    out = np.empty(n)
    for k in range(n):
        out[k], _ = normal_from(key, k // 1000, k % 1000, 2)
    return out


def test_uniforms_are_uniform():
    key, _ = key_from_seed(7)
    u = _uniforms(key, 200_000)
    assert 0 < u.min() and u.max() < 1
    assert stats.kstest(u, "uniform").pvalue > 1e-3


def test_ziggurat_normals_are_normal():
    key, _ = key_from_seed(8)
    z = _normals(key, 400_000)
    assert stats.kstest(z, "norm").pvalue > 1e-3
    se = 1 / np.sqrt(z.size)
    assert abs(z.mean()) < 4 * se
    assert abs(z.var() - 1) < 4 * np.sqrt(2) * se
    # The tails beyond the ziggurat's base (r = 3.4426) are sampled too.
    tail = np.mean(np.abs(z) > 3.4426)
    p = 2 * stats.norm.sf(3.4426)
    assert abs(tail - p) < 4 * np.sqrt(p * (1 - p) / z.size)


@pytest.mark.parametrize(("n", "p"), [(700, 0.5), (350, 0.3), (10, 0.9), (2000, 0.01), (1, 0.5)])
def test_binomial_inverse_equals_scipy_ppf(rng, n, p):
    u = rng.random(500)
    ours = np.array([binomial_inverse(n, p, x) for x in u])
    np.testing.assert_array_equal(ours, stats.binom.ppf(u, n, p).astype(int))


def test_binomial_inverse_edges():
    assert binomial_inverse(0, 0.5, 0.3) == 0
    assert binomial_inverse(10, 0.0, 0.9) == 0
    assert binomial_inverse(10, 1.0, 0.1) == 10


def test_tabulated_prior_quantiles_match_scipy(dsi_scenario, rng):
    from simrisk.core.priors import frozen as _frozen
    from simrisk.kinds.contract.priors import build_parameter_space

    space = build_parameter_space(dsi_scenario)
    u = rng.random((20_000, len(space.names)))
    indep = type(space)(space.names, space.priors, np.eye(len(space.names)), False)
    values = indep.transform(u)
    for k, prior in enumerate(space.priors):
        if prior.dist == "fixed":
            continue
        exact = _frozen(prior).ppf(u[:, k])
        lo, hi = _frozen(prior).ppf([0.001, 0.999])
        np.testing.assert_allclose(values[:, k], exact, atol=1e-6 * (hi - lo), err_msg=prior)
