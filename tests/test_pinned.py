"""Regression pins: the same config and seed give bit-identical results.

The WELLBY digests were computed before the model kinds were moved over one
shared core (issue 11), so they prove the refactor changed no number. The
DSI digests were last moved by issue 10 (cohort shares from the note's
table 9, Spearman correlations converted for the copula, the authorities'
two saving bases, deadweight by goal); see that commit for which change
moved which variable. A change that is meant to move results updates them
in a commit that says why. Variables added later are not pinned here; those
listed must keep their bytes.
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
    "authority_net_saving_modelled": "1290494662fb0b8126c05a735283636b6fec5401fc72d54fba24395bc576849c",
    "authority_net_saving_note": "ad1e5296b5a61c8bcbca2b6ba79531d281e07b98b3b7815103bb3d61513c1369",
    "authority_repayments_pv": "88126916d6ad8b50e2925ee8be870e2f3ae9dce075563cc654057c3c955d1968",
    "authority_saving_modelled": "5e5f0912aa3264701d0165f0840480c1330f94c2c65a78da7a70ea4e3db57b18",
    "authority_saving_note": "7ce62c934e8091e54a5920a0565ea536a0c7a02665056510954a0c075f5c7065",
    "cash_flow_by_year": "9a4e7146f9d3109bc334487773ffa1a45351dbe33d909b1b17e7cd09279ce192",
    "deadweight_share": "d3324752ae0ed67c8be65f95f089bb7ae965c4ca77c3387d3c925677d8e50cda",
    "deadweight_share_by_goal": "6cd00e473390f7f9741d915ffb94b15a7bab72b4e8524e6833dd942fdd95a0ba",
    "deadweight_successes": "a9d3cb1b9e0727cc0360bc9a547ff59d06eee00a08bab5f8d41a77d0bbb46f97",
    "implied_counterfactual_rate": "f9d027a36f64099af4edc78557d90dd9fdc4f151e8ecd7dcf71ceaaf4366fe96",
    "implied_success_rate": "07d6219683bfd307c8ea7bdda7461bf6f34ca44bdeca720e8067e790be1218b6",
    "irr": "72621e6ef6ea4e066aa23fdafa0e3464836e929d8d5c4525d06d637f2069b024",
    "irr_status": "c81ca5eda5947c7826ad046fdbdc2a25a846b835a6c34c237cc8b3afbe9ec6cc",
    "measured": "0487257d2b3466c6861101c4758dec137ace99f79cf15e88a0c116c820d64e61",
    "moic": "e7aae47a6c809a90d26bb14e52c7a74d2ebac377ba2e29eb64e4677089232863",
    "npv": "6b3498fb1979abccb2280b08df71a0069e7ea5a59ac8c484d37648d2f29ddaae",
    "parameters": "9efd5901756260ad7214c7a7b5e375b06f231ff60efeb362a2ea18fa758370ec",
    "referred": "ab798120129239d4ed226618b44400398094ec3323ce203379b8a72e5607d486",
    "repayments": "afa0a0c6d879f7908ab6c14cc58c230ce0d167feda482885b4e9b636abcaf143",
    "repayments_by_payer": "4732d5827960d94c725360c3568d586b95c836b10355c870d55d4a9ef2ff4f28",
    "repayments_total": "d581c6719f7550fd6f99bb8c21a4bcf4593f46c2abbcce3df0685ef26f881464",
    "successes": "c022e0dabd4c519b7d0c940cdf02bcadd8c1f3c1fcfedd7c14c3eada0cfa91d5",
}
WELLBY_PINS = {
    # key of WellbyResult.draws -> sha256 (5,000 draws, seed 5); scipy >= 1.17 (its beta
    # quantiles differ from 1.16's in the last bits: at most 2e-13 relative, in 18 keys)
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
    "projection_net_0_1000": "bb6febb7d875cb167f78522a0b8ec27ba03b500885591c5001317babe86d15b2",
    "projection_net_0_2500": "43a391ada16a4942ff619e74f74d7c2aa81f422f3cffe7b8dd911cf397f0fb3a",
    "projection_net_0_500": "8c61b95c1c552edc9d60ab3175a4dfeb2156c676ab03084d0ab44d3385006edf",
    "projection_net_1_1000": "f8465f4f439580f35bd337873414fe7e184614e930fe86b0a0dfdf11c156a333",
    "projection_net_1_2500": "ee1905c2f9ffd6b898ba289905f8f11181d6f11b92ae45f4d44f81a426c01ea2",
    "projection_net_1_500": "41d38c66767d8b428b6f9a0513b871be9c0068929789bbcb73df5a4d6a03f32d",
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
