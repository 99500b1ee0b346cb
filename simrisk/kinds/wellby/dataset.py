"""WELLBY results as an xarray Dataset: bands along ``ci_bound`` with ``ci_prob``."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import numpy as np
import xarray as xr

from simrisk._version import __version__
from simrisk.kinds.wellby.simulate import CI_PROBS, WellbyResult

__all__ = ["WELLBY_KIND", "wellby_dataset"]

WELLBY_KIND = "simrisk.wellby"


def _bands(b: dict) -> np.ndarray:
    return np.array([[b[f"lower{round(p * 100)}"], b[f"upper{round(p * 100)}"]] for p in CI_PROBS])


def wellby_dataset(res: WellbyResult, config_text: str = "") -> xr.Dataset:
    """The evaluation as a Dataset (bands, central values, and the main draws)."""
    s = res.summary
    pilot = s["pilot"]
    projs = s["projections"]
    scenarios = list(dict.fromkeys(p["scenario"] for p in projs))
    sizes = sorted({p["recruited"] for p in projs})
    shape = (len(scenarios), len(sizes))
    central = np.full(shape, np.nan)
    median = np.full(shape, np.nan)
    bands = np.full((*shape, len(CI_PROBS), 2), np.nan)
    net_central = np.full(shape, np.nan)
    net_bands = np.full((*shape, len(CI_PROBS), 2), np.nan)
    for p in projs:
        i, j = scenarios.index(p["scenario"]), sizes.index(p["recruited"])
        central[i, j] = p["value_dkk"]["central"]
        median[i, j] = p["value_dkk"]["median"]
        bands[i, j] = _bands(p["value_dkk"])
        if "value_dkk_net" in p:
            net_central[i, j] = p["value_dkk_net"]["central"]
            net_bands[i, j] = _bands(p["value_dkk_net"])

    def scalar(key, b, units, long_name):
        return {
            f"{key}_central": xr.Variable(
                (), b["central"], {"units": units, "long_name": f"{long_name}, central"}
            ),
            f"{key}_band": xr.Variable(
                ("ci_prob", "ci_bound"),
                _bands(b),
                {"units": units, "long_name": f"{long_name}, band"},
            ),
        }

    data = {}
    data.update(
        scalar("pilot_total_wellby", pilot["total_wellby"], "WELLBY", "pilot's total WELLBY")
    )
    data.update(scalar("pilot_value", pilot["value_dkk"], "DKK", "pilot's WELLBY value"))
    data.update(
        scalar(
            "pilot_value_net",
            pilot["value_dkk_net"],
            "DKK",
            "pilot's WELLBY value net of the no-intervention change",
        )
    )
    data.update(
        scalar(
            "pilot_per_completer", pilot["per_completer_wellby"], "WELLBY", "WELLBY per completer"
        )
    )
    if "goal3_success_probability" in s:
        data.update(
            scalar(
                "goal3_success_probability",
                s["goal3_success_probability"],
                "1",
                "P(a citizen's 0-10 score strictly rises)",
            )
        )
    data["projection_value_central"] = xr.Variable(
        ("scenario", "recruited"),
        central,
        {"units": "DKK", "long_name": "projected WELLBY value, central"},
    )
    data["projection_value_median"] = xr.Variable(
        ("scenario", "recruited"),
        median,
        {"units": "DKK", "long_name": "projected WELLBY value, median"},
    )
    data["projection_value_band"] = xr.Variable(
        ("scenario", "recruited", "ci_prob", "ci_bound"),
        bands,
        {"units": "DKK", "long_name": "projected WELLBY value, band"},
    )
    net_name = "projected WELLBY value net of the no-intervention change and the investment"
    data["projection_value_net_central"] = xr.Variable(
        ("scenario", "recruited"),
        net_central,
        {"units": "DKK", "long_name": f"{net_name}, central"},
    )
    data["projection_value_net_band"] = xr.Variable(
        ("scenario", "recruited", "ci_prob", "ci_bound"),
        net_bands,
        {"units": "DKK", "long_name": f"{net_name}, band"},
    )
    units = {
        "mean_change": "WELLBY",
        "completion_rate": "1",
        "value_per_wellby": "DKK",
        "persistence_years": "year",
        "pilot_total_wellby": "WELLBY",
        "pilot_value_dkk": "DKK",
        "pilot_value_dkk_net": "DKK",
        "goal3_success_probability": "1",
    }
    for name, x in res.draws.items():
        if name in units:
            data[f"draws_{name}"] = xr.Variable(
                ("draw",),
                x.astype(np.float32),
                {"units": units[name], "long_name": name.replace("_", " ") + " (draws)"},
            )
    coords = {
        "ci_prob": list(CI_PROBS),
        "ci_bound": ["lower", "upper"],
        "scenario": scenarios,
        "recruited": np.array(sizes, dtype=np.int64),
        "draw": np.arange(s["draws"], dtype=np.int64),
    }
    attrs = {
        "simrisk_kind": WELLBY_KIND,
        "simrisk_version": __version__,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "config": config_text,
        "config_sha256": hashlib.sha256(config_text.encode()).hexdigest(),
        "seed": s["draws"] and s["seed"],
        "draws": s["draws"],
        "method": s["method"],
        "name": s["name"],
        # the summary as run_wellby printed it, so `simrisk summary` can show it again
        "summary_json": json.dumps(s),
    }
    return xr.Dataset(data, coords=coords, attrs=attrs)
