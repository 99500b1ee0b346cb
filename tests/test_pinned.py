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
    # key of WellbyResult.draws -> sha256 (5,000 draws, seed 5); scipy 1.16 (pygam
    # holds scipy below 1.17, whose beta quantiles differ in the last bits)
    "completion_rate": "f09719cd82bd3520e25aaf6e92225ee8cedcc2de432f773622b7bc535f1e46ca",
    "goal3_success_probability": "941a768c3d247a0d1f83248eae4dd17278d4be29381984e477584bbf9854ac4d",
    "mean_change": "89cc89ee073766759b6cab44a3f1d0cb38c98c59f77455732c904daff884777d",
    "no_intervention_change": "2f3277e96e59cd6b21f54fd76796d2bcf1981c3668eb467bf41d139dc7f6d916",
    "persistence_years": "073878e01e0a25633808e0a1ade9e63446678cbbf78c51b22bdc39c8a6b5afaf",
    "pilot_total_wellby": "3ab4719aa1fef0a7086f03f270988fe6f8493fa125a487e5a86bbceeec7b13fe",
    "pilot_value_dkk": "1ba56e640a1f804a019f08775df15cd606db3baded8b98c1ff1c150d39d3e8a7",
    "pilot_value_dkk_net": "b4d98ade4839cb5d36b054833b00459b4ffd4f86be190329a8e4a949e17493b7",
    "projection_0_1000": "367f14e6e3e8c11d90c3dcfaff52adc37eb5a8268a55361bdb6f2e35aeae0934",
    "projection_0_2500": "109cdd5c3214abd835512accc2d5d35031284299ffa808dbb3d54a23effa1df9",
    "projection_0_500": "16b61d82ac2dda52c876c26264aa266c3b1684a4a55f6724b6c64d10f674b56f",
    "projection_1_1000": "34ee7743b8e563f33cba72cd93f78e376b0ffb5e4fc6d5c284a0ca2919a97df0",
    "projection_1_2500": "c691e82b5b93bbec32d07b2f15ccc5a0ddf9231316abb242f0c22348708879a4",
    "projection_1_500": "1002b903a927647b95b2ca4f05442b99075b01fefd96d9a5afd6905c516ce675",
    "projection_net_0_1000": "5a77b0b947738b77c904383fea58072b4ccceb60bc73d14ad5e58517ebd03ab8",
    "projection_net_0_2500": "18796243c121ec8d24976cb088ca1ee1b67cd2b4ae81950282bd56057849e50f",
    "projection_net_0_500": "bdebb37443793b9035938210150d168c86d387702095c3a925b4e688803ae97d",
    "projection_net_1_1000": "ea40655d7b7e2bbd54253f0bab2f4bb04ed0981478004948613e452dc44bfaea",
    "projection_net_1_2500": "91ce618e07c4521535aac03681921be384572e361a08d3a91e2deb7bedf7c449",
    "projection_net_1_500": "531911bfed6fe59f83432f916e63a2a1582ca3c2afcd3bb3f8a8ac99bcb2e7e3",
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
