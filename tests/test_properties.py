"""Property-based tests (hypothesis): the config schema and XIRR/NPV on random cash flows.

Derandomized (a fixed seed per test), so a failure reproduces; hypothesis
prints the smallest input that fails.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import tomllib

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from simrisk.core.config import MONEY_MAX
from simrisk.core.errors import ConfigError
from simrisk.core.finance import IRR_OK, npv, xirr
from simrisk.kinds.contract.loader import parse_scenario
from simrisk.kinds.contract.priors import parameter_names

from .conftest import DSI_CONFIG

SETTINGS = settings(
    derandomize=True,
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
DSI = tomllib.loads(DSI_CONFIG.read_text(encoding="utf-8"))
D0 = dt.date(2026, 2, 1)

# ---------------------------------------------------------------------------
# The config schema
# ---------------------------------------------------------------------------

# Anything TOML can hold.
toml_scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.dates(),
)
toml_values = st.recursive(
    toml_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def _leaves(d, path=()):
    if isinstance(d, dict):
        for k, v in d.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(d, list):
        for i, v in enumerate(d):
            yield from _leaves(v, (*path, i))
    else:
        yield path


LEAVES = list(_leaves(DSI))


def _set(data, path, value):
    d = copy.deepcopy(data)
    node = d
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value
    return d


@SETTINGS
@given(path=st.sampled_from(LEAVES), value=toml_values)
def test_any_value_anywhere_is_accepted_or_a_config_error(path, value):
    """No value a TOML file can hold, at any key, crashes the loader."""
    data = _set(DSI, path, value)
    try:
        parse_scenario(data, "fuzz.toml")
    except ConfigError as exc:
        text = str(exc)
        assert text.startswith("fuzz.toml: ")
        assert "Input should" not in text and "function-after" not in text


WB = tomllib.loads((DSI_CONFIG.parent / "opi_aims_wellby.toml").read_text(encoding="utf-8"))
WB_LEAVES = list(_leaves(WB))


@SETTINGS
@given(path=st.sampled_from(WB_LEAVES), value=toml_values)
def test_any_value_anywhere_in_a_wellby_config_is_accepted_or_a_config_error(path, value):
    from simrisk.core.config import validate_model
    from simrisk.kinds.wellby.config import WellbyConfig, _checks

    data = _set(WB, path, value)
    try:
        cfg = validate_model(WellbyConfig, data, "fuzz.toml")
        issues = _checks(cfg, DSI_CONFIG.parent)
    except ConfigError as exc:
        issues = exc.issues
        assert str(exc).startswith("fuzz.toml: ")
    for issue in issues:
        text = issue.format("fuzz.toml")
        assert "Input should" not in text and "function-after" not in text, text
        assert "literal[" not in text, text


money_paths = [
    ("payers", 0, "cap"),
    ("business_case", "disease_groups", 0, "total"),
    ("grants", 0, "amount"),
]


@SETTINGS
@given(path=st.sampled_from(money_paths), value=st.floats(allow_nan=True, allow_infinity=True))
def test_money_is_accepted_exactly_within_its_bounds(path, value):
    data = _set(DSI, path, value)
    ok = math.isfinite(value) and 0 <= value <= MONEY_MAX
    if path[0] == "business_case":
        # the row's parts must add up to its total (within 1 DKK of rounding)
        parts = sum(DSI["business_case"]["disease_groups"][0]["costs"].values())
        ok = ok and abs(value - parts) <= 1.0
    try:
        parse_scenario(data, "fuzz.toml")
        accepted = True
    except ConfigError as exc:
        accepted = False
        if not math.isfinite(value) or value < 0:
            assert "non-negative amount of money" in str(exc)
        elif value > MONEY_MAX:
            assert "at most 1e+12 DKK" in str(exc)
    assert accepted == ok, value


@pytest.fixture(scope="module")
def names():
    from simrisk.kinds.contract.loader import load_scenario

    scenario, _ = load_scenario(DSI_CONFIG)
    return parameter_names(scenario)


@SETTINGS
@given(data=st.data(), rho1=st.floats(-0.3, 0.3), rho2=st.floats(-0.3, 0.3), flip=st.booleans())
def test_a_correlation_pair_given_twice_is_an_error(names, data, rho1, rho2, flip):
    a, b = data.draw(st.lists(st.sampled_from(names), min_size=2, max_size=2, unique=True))
    second = {"a": b, "b": a, "rho": rho2} if flip else {"a": a, "b": b, "rho": rho2}
    d = copy.deepcopy(DSI)
    d["model"]["correlations"] = [{"a": a, "b": b, "rho": rho1}, second]
    with pytest.raises(ConfigError, match=r"model\.correlations\[1\].*repeats the pair"):
        parse_scenario(d, "fuzz.toml")


# ---------------------------------------------------------------------------
# XIRR and NPV on random cash flows
# ---------------------------------------------------------------------------

amounts = st.floats(min_value=1.0, max_value=1e9, allow_nan=False)
days = st.lists(st.integers(1, 20 * 365), min_size=1, max_size=12, unique=True)


@st.composite
def investments(draw):
    """One outflow first, then inflows later: a conventional investment (one sign change)."""
    later = sorted(draw(days))
    paid = draw(amounts)
    back = draw(st.lists(amounts, min_size=len(later), max_size=len(later)))
    dates = [D0] + [D0 + dt.timedelta(days=d) for d in later]
    flows = [-paid, *back]
    return dates, flows


@SETTINGS
@given(inv=investments())
def test_npv_at_the_xirr_is_zero(inv):
    dates, flows = inv
    r = xirr(dates, flows)
    # With one sign change the IRR exists and is unique (Descartes' rule of signs).
    t = np.array([(d - D0).days for d in dates]) / 365.0
    cf = np.array(flows)

    def f(one_plus_r):  # NPV on the first date, independent of simrisk
        return float((cf * np.exp(-np.log(one_plus_r) * t)).sum())

    # The root lies where 1 + r is between 1e-8 and 1e8 (inside the solver's
    # bracket, 1e-10 .. 1e10, with room): then it must be found.
    assume(f(1e-8) > 0 > f(1e8))
    assert r.status == IRR_OK, (r, flows)
    scale = sum(abs(f) for f in flows)
    assert abs(npv(r.rate, dates, flows)) <= 1e-6 * scale


@SETTINGS
@given(inv=investments(), k=st.floats(1e-3, 1e3), rate=st.floats(-0.5, 1.0))
def test_xirr_and_npv_under_scaling_and_reordering(inv, k, rate):
    dates, flows = inv
    r = xirr(dates, flows)
    scaled = xirr(dates, [k * f for f in flows])
    assert r.status == scaled.status
    if r.status == IRR_OK:
        assert scaled.rate == pytest.approx(r.rate, rel=1e-7, abs=1e-9)
    order = np.random.default_rng(len(flows)).permutation(len(flows))
    shuffled = xirr([dates[i] for i in order], [flows[i] for i in order])
    assert shuffled.status == r.status
    if r.status == IRR_OK:
        assert shuffled.rate == pytest.approx(r.rate, rel=1e-9, abs=1e-12)
    v = npv(rate, dates, flows)
    assert npv(rate, dates, [k * f for f in flows]) == pytest.approx(k * v, rel=1e-9, abs=1e-6)


@SETTINGS
@given(inv=investments(), r1=st.floats(-0.5, 2.0), r2=st.floats(-0.5, 2.0))
def test_npv_of_an_investment_falls_as_the_rate_rises(inv, r1, r2):
    dates, flows = inv
    assume(abs(r1 - r2) > 1e-9)
    lo, hi = sorted((r1, r2))
    assert npv(lo, dates, flows) >= npv(hi, dates, flows)


@SETTINGS
@given(inv=investments())
def test_npv_at_zero_is_the_sum_and_rate_minus_one_is_refused(inv):
    dates, flows = inv
    assert npv(0.0, dates, flows) == pytest.approx(sum(flows), rel=1e-12, abs=1e-6)
    with pytest.raises(ValueError, match="greater than -1"):
        npv(-1.0, dates, flows)
