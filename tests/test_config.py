"""Scenario validation: the shipped config, and a table of malformed ones."""

from __future__ import annotations

import copy
import datetime as dt
import tomllib

import pytest
import tomli_w

from simrisk.core.errors import ConfigError
from simrisk.kinds.contract.loader import load_scenario

from .conftest import DSI_CONFIG
from .conftest import run_cli as _cli

BASE = tomllib.loads(DSI_CONFIG.read_text(encoding="utf-8"))


def test_shipped_config_loads(dsi_scenario):
    assert dsi_scenario.population.referred == 700
    assert [g.id for g in dsi_scenario.goals] == [
        "region_use",
        "municipal_use",
        "life_satisfaction",
    ]
    assert sum(d.amount for d in dsi_scenario.investor.disbursements) == 5_450_000


def test_shipped_config_disbursements_by_year_match_spec(dsi_scenario):
    by_year: dict[int, float] = {}
    for d in dsi_scenario.investor.disbursements:
        by_year[d.date.year] = by_year.get(d.date.year, 0) + d.amount
    assert by_year == {2026: 3_242_000, 2027: 1_942_000, 2028: 266_000}


def test_every_number_in_shipped_configs_has_a_comment():
    # A line with a number literal must carry a comment (source or "assumption"),
    # either on the line or on the line just above. Tables of the BIS data carry
    # the source on the `costs` line.
    import re

    number = re.compile(r"=\s*[-+]?\d[\d_]*(\.\d+)?\b(?!-)")
    for path in DSI_CONFIG.parent.glob("*.toml"):
        lines = path.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            code = line.split("#", 1)[0]
            if "schema_version" in code or not number.search(code):
                continue
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            commented = "#" in line or lines[i - 1].lstrip().startswith("#") or "#" in nxt
            assert commented, f"{path.name}:{i + 1}: number without a source comment: {line}"


def _set(path, value):
    def f(d):
        *head, last = path
        for k in head:
            d = d[k]
        d[last] = value

    return f


def _del(path):
    def f(d):
        *head, last = path
        for k in head:
            d = d[k]
        del d[last]

    return f


def _both(*fs):
    def f(d):
        for g in fs:
            g(d)

    return f


# (id, mutation, expected fragments of the first error line)
MALFORMED = [
    (
        "unknown-top-key",
        _set(["investr"], {}),
        ["investr", "unknown key", "did you mean 'investor'"],
    ),
    (
        "unknown-goal-key",
        _set(["goals", 0, "succes_rate"], 0.6),
        ["goals[0].succes_rate", "did you mean 'success_rate'"],
    ),
    (
        "unknown-cohort-key-no-suggestion",
        _set(["cohorts", 1, "colour"], "red"),
        ["cohorts[1].colour", "unknown key; allowed:"],
    ),
    (
        "probability-above-one",
        _set(["goals", 1, "success_rate"], 1.3),
        ["goals[1].success_rate = 1.3", "probability in [0, 1]"],
    ),
    (
        "probability-negative",
        _set(["population", "retention"], -0.1),
        ["population.retention = -0.1", "probability in [0, 1]"],
    ),
    (
        "probability-as-string",
        _set(["population", "retention"], "0.5"),
        ["population.retention = '0.5'", "must be a number"],
    ),
    (
        "shares-do-not-sum",
        _set(["cohorts", 2, "share"], 0.3),
        ["cohorts[*].share", "must sum to 1"],
    ),
    (
        "negative-payment",
        _set(["goals", 0, "payment_per_success"], -1.0),
        ["goals[0].payment_per_success = -1.0", "non-negative amount"],
    ),
    (
        "negative-cap",
        _set(["payers", 0, "cap"], -5.0),
        ["payers[0].cap = -5.0", "non-negative amount"],
    ),
    (
        "zero-disbursement",
        _set(["investor", "disbursements", 0, "amount"], 0),
        ["investor.disbursements[0].amount = 0", "positive amount"],
    ),
    (
        "capital-mismatch",
        _set(["investor", "capital"], 5_000_000),
        ["investor.capital = 5000000", "must equal the capital"],
    ),
    (
        "disbursements-out-of-order",
        _set(["investor", "disbursements", 1, "date"], dt.date(2026, 1, 1)),
        ["investor.disbursements[1].date = 2026-01-01", "after the previous disbursement"],
    ),
    (
        "repayment-before-measurement",
        _set(["cohorts", 0, "repayment_date"], dt.date(2028, 4, 1)),
        ["cohorts[0].repayment_date = 2028-04-01", "measurement_date"],
    ),
    (
        "measurement-too-early",
        _set(["cohorts", 1, "measurement_date"], dt.date(2028, 1, 1)),
        ["cohorts[1].measurement_date", "12 months after referral_end"],
    ),
    (
        "referral-window-reversed",
        _set(["cohorts", 0, "referral_end"], dt.date(2026, 7, 1)),
        ["cohorts[0].referral_end", "before referral_start"],
    ),
    (
        "date-as-string",
        _set(["cohorts", 0, "repayment_date"], "2028-07-01"),
        ["cohorts[0].repayment_date = '2028-07-01'", "TOML date"],
    ),
    (
        "unknown-payer-ref",
        _set(["goals", 0, "payer"], "regoin"),
        ["goals[0].payer = 'regoin'", "unknown payer", "did you mean 'region'"],
    ),
    (
        "duplicate-goal-id",
        _set(["goals", 1, "id"], "region_use"),
        ["goals[1].id = 'region_use'", "duplicate id"],
    ),
    (
        "bad-identifier",
        _set(["payers", 0, "id"], "1region"),
        ["payers[0].id = '1region'", "must be an identifier"],
    ),
    (
        "bad-outcome",
        _set(["goals", 0, "outcome"], "fall"),
        ["goals[0].outcome = 'fall'", "must be one of", "resource_use_fall"],
    ),
    (
        "missing-threshold",
        _del(["goals", 0, "threshold"]),
        ["goals[0].threshold", "is required for outcome 'resource_use_fall'"],
    ),
    (
        "threshold-above-one",
        _set(["goals", 0, "threshold"], 15.0),
        ["goals[0].threshold = 15.0", "fraction in (0, 1]"],
    ),
    (
        "scale-on-resource-goal",
        _set(["goals", 0, "scale_max"], 10),
        ["goals[0].scale_max = 10", "only applies to outcome 'score_increase'"],
    ),
    (
        "scale-reversed",
        _set(["goals", 2, "scale_max"], 0),
        ["goals[2].scale_max = 0", "greater than scale_min"],
    ),
    ("missing-section", _del(["population"]), ["population: is required"]),
    (
        "missing-field",
        _del(["investor", "discount_rate"]),
        ["investor.discount_rate: is required"],
    ),
    (
        "rate-absurd",
        _set(["investor", "discount_rate"], 4.0),
        ["investor.discount_rate = 4.0", "annual rate"],
    ),
    (
        "referred-zero",
        _set(["population", "referred"], 0),
        ["population.referred = 0", "greater than 0"],
    ),
    (
        "referred-float",
        _set(["population", "referred"], 700.5),
        ["population.referred = 700.5", "whole number"],
    ),
    ("empty-goals", _set(["goals"], []), ["goals = []", "must not be empty"]),
    ("schema-version", _set(["schema_version"], 2), ["schema_version = 2", "must be one of 1"]),
    (
        "ledger-unknown-goal",
        _set(["ledger", "success_rate_goals"], ["region_use", "goal9"]),
        ["ledger.success_rate_goals[1] = 'goal9'", "unknown goal"],
    ),
    (
        "bis-row-does-not-add-up",
        _set(["business_case", "disease_groups", 0, "total"], 200_000),
        ["business_case.disease_groups[0].total = 200000", "sum of costs"],
    ),
    (
        "bis-row-missing-column",
        _set(["business_case", "disease_groups", 1, "costs"], {"region": 155_997}),
        ["business_case.disease_groups[1].costs", "must have exactly the keys"],
    ),
    (
        "bis-stated-mean-wrong",
        _both(
            _set(["business_case", "stated_mean", "costs", "region"], 190_000),
            _set(["business_case", "stated_mean", "total"], 229_206),
        ),
        ["business_case.stated_mean.costs.region = 190000", "mean of the disease groups"],
    ),
    (
        "business-case-unknown-authority",
        _set(
            ["business_case", "authorities"],
            {"regon": "region_use", "municipality": "municipal_use"},
        ),
        ["business_case.authorities.regon", "unknown payer", "did you mean 'region'"],
    ),
    (
        "nan-amount",
        _set(["payers", 1, "cap"], float("nan")),
        ["payers[1].cap = nan", "non-negative amount"],
    ),
    (
        "prior-missing-sd",
        _set(["model", "goals", "region_use", "effect"], {"dist": "normal", "mean": 0.1}),
        ["model.goals.region_use.effect.sd: is required for dist 'normal'"],
    ),
    (
        "prior-wrong-key",
        _set(["model", "retention"], {"dist": "beta", "mean": 0.5, "sd": 0.1, "mode": 0.4}),
        ["model.retention.mode = 0.4", "not a parameter of dist 'beta'"],
    ),
    (
        "prior-beta-too-wide",
        _set(["model", "retention"], {"dist": "beta", "mean": 0.5, "sd": 0.6}),
        ["model.retention.sd = 0.6", "too large for a beta"],
    ),
    (
        "prior-support-outside",
        _set(["model", "retention"], {"dist": "normal", "mean": 0.5, "sd": 0.1}),
        ["model.retention.dist = 'normal'", "retention is a probability"],
    ),
    (
        "sigma-not-positive",
        _set(
            ["model", "goals", "region_use", "sigma"],
            {"dist": "uniform", "low": -1.0, "high": 1.0},
        ),
        ["model.goals.region_use.sigma.dist", "positive"],
    ),
    (
        "model-unknown-goal",
        _set(
            ["model", "goals", "regio_use"],
            {"effect": {"dist": "fixed", "value": 0.0}, "sigma": {"dist": "fixed", "value": 1.0}},
        ),
        ["model.goals.regio_use", "unknown goal", "did you mean 'region_use'"],
    ),
    (
        "start-distribution-sum",
        _set(["model", "goals", "life_satisfaction", "start_distribution"], [0.1] * 11),
        ["model.goals.life_satisfaction.start_distribution", "must sum to 1"],
    ),
    (
        "correlation-unknown-parameter",
        _set(["model", "correlations", 0, "a"], "region_use.efect"),
        ["model.correlations[0].a = 'region_use.efect'", "did you mean 'region_use.effect'"],
    ),
    (
        "correlation-not-positive-definite",
        _set(
            ["model", "correlations"],
            [
                {"a": "region_use.effect", "b": "municipal_use.effect", "rho": 0.95},
                {"a": "region_use.effect", "b": "life_satisfaction.effect", "rho": 0.95},
                {"a": "municipal_use.effect", "b": "life_satisfaction.effect", "rho": -0.95},
            ],
        ),
        ["model.correlations", "positive-definite"],
    ),
    (
        "pilot-prior-missing-config",
        _set(["model", "goals", "life_satisfaction", "effect"], {"dist": "pilot", "part": "net"}),
        ["model.goals.life_satisfaction.effect.config: is required for dist 'pilot'"],
    ),
    (
        "zero-share-without-rule",
        _del(["model", "goals", "municipal_use", "zero_baseline"]),
        ["model.goals.municipal_use.zero_baseline", "'success' or 'fail'"],
    ),
    (
        "payer-kind",
        _set(["payers", 2, "kind"], "charity"),
        ["payers[2].kind = 'charity'", "must be one of"],
    ),
    (
        "correlation-both-spearman-and-rho",
        _set(
            ["model", "correlations", 0],
            {"a": "region_use.effect", "b": "municipal_use.effect", "rho": 0.5, "spearman": 0.5},
        ),
        ["model.correlations[0]: give exactly one of spearman", "and rho"],
    ),
    (
        "correlation-neither",
        _set(
            ["model", "correlations", 0], {"a": "region_use.effect", "b": "municipal_use.effect"}
        ),
        ["model.correlations[0]: give exactly one of spearman"],
    ),
    # One source of truth: the ledger's inputs must equal the priors' central values.
    (
        "retention-disagrees-with-its-prior",
        _set(["population", "retention"], 0.3),
        ["population.retention = 0.3", "central value of its prior model.retention (0.5)"],
    ),
    (
        "recruitment-not-centred-on-referred",
        _set(["model", "recruitment", "central"], 0.9),
        ["model.recruitment", "central value 0.9", "(630)", "population.referred (700)"],
    ),
    (
        "success-rate-disagrees-with-the-model",
        _set(["goals", 0, "success_rate"], 0.65),
        ["goals[0].success_rate = 0.65", "implies at its priors' central values (0.6000"],
    ),
]


@pytest.mark.parametrize(
    ("mutate", "expected"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED]
)
def test_malformed_config_message(tmp_path, mutate, expected):
    data = copy.deepcopy(BASE)
    mutate(data)
    path = tmp_path / "bad.toml"
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_scenario(path)
    first = str(info.value).splitlines()[0]
    assert first.startswith(f"{path}: "), first
    for fragment in expected:
        assert fragment in first, f"{fragment!r} not in {first!r}"


def test_table_is_large_enough():
    assert len(MALFORMED) >= 25


def test_not_toml(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("investor = [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="is not valid TOML"):
        load_scenario(path)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        load_scenario(tmp_path / "nope.toml")


def test_several_issues_are_all_reported(tmp_path):
    data = copy.deepcopy(BASE)
    data["goals"][0]["success_rate"] = 2.0
    data["population"]["retention"] = 3.0
    path = tmp_path / "bad.toml"
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_scenario(path)
    assert len(info.value.issues) == 2


@pytest.mark.parametrize(
    ("mutate", "expected"), [m[1:] for m in MALFORMED[:4]], ids=[m[0] for m in MALFORMED[:4]]
)
def test_cli_bad_config_exits_2_without_traceback(tmp_path, mutate, expected):
    data = copy.deepcopy(BASE)
    mutate(data)
    path = tmp_path / "bad.toml"
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    proc = _cli("ledger", str(path))
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("simrisk ledger: error: ")
    assert expected[0] in proc.stderr


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["ledger", str(DSI_CONFIG), "--success-rate", "1.5"], "must be a probability"),
        (["ledger", str(DSI_CONFIG), "--retention", "half"], "must be a probability"),
        (["ledger", str(DSI_CONFIG), "--goal-rate", "nogoal=0.5"], "unknown goal"),
        (["ledger", str(DSI_CONFIG), "--goal-rate", "0.5"], "GOAL=RATE"),
        (["ledger", str(DSI_CONFIG), "--bogus"], "unrecognized arguments"),
        (["ledger"], "required: config"),
        (["frobnicate"], "invalid choice"),
        (["ledger", "missing.toml"], "missing.toml: file not found"),
    ],
)
def test_cli_bad_arguments_exit_2_one_line(args, fragment):
    proc = _cli(*args)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert fragment in lines[0]


def test_extends_inherits_and_overrides(tmp_path):
    import shutil

    for name in ("dsi_norddjurs.toml", "opi_aims_wellby.toml"):
        shutil.copy(DSI_CONFIG.parent / name, tmp_path / name)
    child = tmp_path / "child.toml"
    child.write_text(
        'extends = "dsi_norddjurs.toml"\nname = "variant"\n'
        "[population]\nretention = 0.44  # docs/sources.md#evidence-retention: pilot completion\n"
        "[model.retention]\nmean = 0.44  # the same value, as one source of truth asks\n"
        "[model.goals.life_satisfaction]\n"
        'effect = { dist = "pilot", config = "opi_aims_wellby.toml", part = "gross" }\n'
        "calibrated = false\n",
        encoding="utf-8",
    )
    s, text = load_scenario(child)
    assert s.name == "variant"
    assert s.population.retention == 0.44
    assert s.population.referred == 700  # inherited
    assert s.model.goals["life_satisfaction"].effect.dist == "pilot"
    assert s.model.goals["life_satisfaction"].drift_low.mean == 0.82  # inherited
    assert "dsi_norddjurs.toml" in text and "child.toml" in text


def test_pilot_prior_is_the_pilot_posterior(dsi_scenario):
    from simrisk.core.priors import prior_central

    s, _ = load_scenario(DSI_CONFIG.parent / "dsi_norddjurs_pilot_goal3.toml")
    effect = s.model.goals["life_satisfaction"].effect
    # The pilot's mean change (17/22) less the central no-intervention change (0.48).
    assert prior_central(effect) == pytest.approx(17 / 22 - 0.48)


def test_retention_that_disagrees_with_its_prior_is_refused_by_run(tmp_path):
    # population.retention = 0.3 with a retention prior centred on 0.5: the ledger
    # and the run would describe different projects, so both commands refuse it.
    data = copy.deepcopy(BASE)
    data["population"]["retention"] = 0.3
    path = tmp_path / "retention.toml"
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    for command in ("run", "ledger"):
        out = tmp_path / f"{command}.nc"
        args = (command, str(path)) + (
            ("--draws", "10", "--out", str(out)) if command == "run" else ()
        )
        proc = _cli(*args)
        assert proc.returncode == 2, proc.stderr
        assert "Traceback" not in proc.stderr
        line = proc.stderr.strip().splitlines()[0]
        assert "population.retention = 0.3" in line and "(0.5)" in line, line
        assert not out.exists()


def test_retention_prior_moved_with_population_is_accepted(tmp_path):
    data = copy.deepcopy(BASE)
    data["population"]["retention"] = 0.3
    data["model"]["retention"]["mean"] = 0.3
    path = tmp_path / "retention.toml"
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    s, _ = load_scenario(path)
    assert s.population.retention == 0.3


def test_fixed_parameters_use_exactly_the_ledgers_values(dsi_scenario):
    from simrisk.kinds.contract.inputs import build_inputs

    inp = build_inputs(dsi_scenario)
    fixed = dict(zip(inp.space.names, inp.fixed_values, strict=True))
    assert fixed["retention"] == dsi_scenario.population.retention
    assert fixed["recruitment"] == 1.0


def test_a_deliberate_departure_from_the_contract_rate_is_allowed():
    # The pilot variant takes goal 3's effect from OPI-AIMS and says so (calibrated = false).
    s, _ = load_scenario(DSI_CONFIG.parent / "dsi_norddjurs_pilot_goal3.toml")
    assert s.model.goals["life_satisfaction"].calibrated is False
