"""Regression pins: the same config and seed give bit-identical results.

The digests below were computed before the model kinds were moved over one
shared core (issue 11), so they prove the refactor changed no number. A
change that is meant to move results (a new random stream, a fixed model
error) updates them in a commit that says why. Variables added later are
not pinned here; those listed must keep their bytes.
"""

# ruff: noqa: E501 (the digests are long literals)

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from tests.conftest import ROOT

DSI_PINS = {
    # variable -> sha256 of its C-ordered bytes (3,000 draws, seed 11, chunk 1,000)
    "assumed_success_rate": "5923009939c52cb92a9056fa31e21159c406283a43abfff1abf36e4b9da61726",
    "authority_net_saving": "09846ba6faaeb856fd47c64283fc88044e1e7b5dec17fbfe863e9748c8280154",
    "authority_saving": "7d5be75dea96ff43cbdf6fbc23fbab49f03a87bd8fd35d96d7b62fdacef21162",
    "cash_flow_by_year": "e5f7903d3112fc9e70eaaec6fa81208cd52ced4dd2675c46b94ca81e84d6e667",
    "deadweight_share": "d85e81d67191dd9dee5daeccb89357be879fef2165882dd23c43e2a62cac0b75",
    "deadweight_successes": "fb47ef5dcd597e4f27f5d49b0dfa87666720b50d714d106e4549e56c934ea68b",
    "implied_counterfactual_rate": "f9d027a36f64099af4edc78557d90dd9fdc4f151e8ecd7dcf71ceaaf4366fe96",
    "implied_success_rate": "07d6219683bfd307c8ea7bdda7461bf6f34ca44bdeca720e8067e790be1218b6",
    "irr": "20c6a905991d7c4aad20b8b6cc1c8201670cf10b05a0b3a069dc0050ac7d1e69",
    "irr_status": "c81ca5eda5947c7826ad046fdbdc2a25a846b835a6c34c237cc8b3afbe9ec6cc",
    "measured": "c48cc07411a5cba219235196eb73dad90c1c7788e7808fb251ed700ec89e102c",
    "moic": "f65ec79ffb8b4c53df92d20ba5c115e5801ec31a9738018feef52224cbf4a915",
    "npv": "2f87e30cbe8f3926a6ae22267ed1163c0ed0bed415aa2a987c657ada965db412",
    "parameters": "249cb47dca9993052c752b06328f2dbae2022b7a502e6f7f3dc7dcfa8cbc6d68",
    "referred": "ab798120129239d4ed226618b44400398094ec3323ce203379b8a72e5607d486",
    "repayments": "8b96bab7d7e8bfe2fa15c9bffa8a7bb86e445a0cbc7f465fdf3b2660d1428c14",
    "repayments_by_payer": "0e57a670360c72850ea3874fd9cdced8308ba6cd9d11b13dad592007d9603f7c",
    "repayments_total": "7b1b155c801227913ff7fd349f3062234c1cca94ef11638305b523c708224a53",
    "successes": "4e2977fc0aecf1c8d97bc08de8923b04db82b7a83f4bc0523833b42780e0e9fc",
}
WELLBY_PINS = {
    # key of WellbyResult.draws -> sha256 (5,000 draws, seed 5)
    "completion_rate": "f09719cd82bd3520e25aaf6e92225ee8cedcc2de432f773622b7bc535f1e46ca",
    "goal3_success_probability": "89a95a9ab1ee897ee7344657106b3350bf75eb17048d0e29be3be7594e7dc329",
    "mean_change": "d36cf01ad31691a654f4fb725e42c754af5b144270ae80602166802aa5b23296",
    "no_intervention_change": "2f3277e96e59cd6b21f54fd76796d2bcf1981c3668eb467bf41d139dc7f6d916",
    "persistence_years": "267e23d064d797a758431c2230dc8a7549ccb5c3bbd1109a9cba8cebaf02e26b",
    "pilot_total_wellby": "f9e9badcc0a2b8050c019876a3da123db58fdeab82dbc2dd187d6e0509d0e5f5",
    "pilot_value_dkk": "90689971024e7964d2f8375b016d7b7e9123cffa445084ca9ef504508bc74dc8",
    "pilot_value_dkk_net": "71fe3dd18e9a944243109ca24b9e3ba914780c09dd231ca65fdc7cb16c73e926",
    "projection_0_1000": "d4b57c7fd8f7da63f7949d22bd3a4100f547264b702326a7b8c830f4842fa1bf",
    "projection_0_2500": "31cd626f86a754c83f44a909b7dfe916662fabdcf9c10d59e87dc1466512aaab",
    "projection_0_500": "efdf7a8c60968caba5950d9b4880ed5ffaa3b4b14693b54fe2978b184ee19ddf",
    "projection_1_1000": "e23b529a2e5c9f10442f66d4a6b0ecd5dfed8f5ad3638acc54ef8edcb6e77283",
    "projection_1_2500": "a0639a3cfa05bd1aa410dd5e67a3325d0b4a6f07fd3a655d912e3c51546e909e",
    "projection_1_500": "f8b6efa15fd4ecfc58da39670ff7defa45a8e6fe8dc7b8b4df7fb34a34ceb81c",
    "value_per_wellby": "f0c4d334b2b6dc8e977734270049523de18d25a31eb727bc1f4e317cb43ff841",
}


def digest(a) -> str:
    return hashlib.sha256(np.ascontiguousarray(np.asarray(a)).tobytes()).hexdigest()


def dsi_digests() -> dict[str, str]:
    from simrisk import load_scenario, simulate

    scenario, text = load_scenario(ROOT / "configs" / "dsi_norddjurs.toml")
    ds = simulate(scenario, draws=3000, seed=11, chunk_size=1000, config_text=text)
    return {k: digest(ds[k].values) for k in sorted(ds.data_vars)}


def wellby_digests() -> dict[str, str]:
    from simrisk.kinds.wellby import load_wellby, run_wellby

    cfg, _ = load_wellby(ROOT / "configs" / "opi_aims_wellby.toml")
    res = run_wellby(cfg, draws=5000, seed=5)
    return {k: digest(v) for k, v in sorted(res.draws.items())}


@pytest.mark.parametrize(
    ("pins", "compute"), [(DSI_PINS, dsi_digests), (WELLBY_PINS, wellby_digests)]
)
def test_results_are_pinned(pins, compute):
    got = compute()
    changed = {k: got.get(k) for k, v in pins.items() if got.get(k) != v}
    assert pins, "no pins recorded"
    assert not changed, f"variables whose bytes changed: {sorted(changed)}"
