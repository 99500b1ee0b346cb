"""A fuzz corpus of bad input (issue 16): malformed configs, CLI lines and result files.

Every case is one row of a table and must end the same way: exit status 2,
the expected fragment in the message, no traceback, every stderr line a
``simrisk ...`` line, and no file left behind (the folder's listing is the
same before and after). Cases run in-process through :func:`simrisk.cli.main`
(fast); ``test_interruptions.py`` covers what needs a real process.

The expected fragments come from the rules (what each field allows), not
from running the code: a case whose fragment is wrong fails.
"""

from __future__ import annotations

import copy
import datetime as dt
import tomllib
from pathlib import Path

import numpy as np
import pytest
import tomli_w

from simrisk.cli import main

from .conftest import DSI_CONFIG, ROOT

WELLBY_CONFIG = ROOT / "configs" / "opi_aims_wellby.toml"
DSI = tomllib.loads(DSI_CONFIG.read_text(encoding="utf-8"))
WB = tomllib.loads(WELLBY_CONFIG.read_text(encoding="utf-8"))
DELETE = object()  # a mutation that removes the key

# ---------------------------------------------------------------------------
# Config mutations: (base, key path, new value, expected fragment)
# ---------------------------------------------------------------------------

# What each kind of field allows, as bad value -> fragment.
NUMBER = [("x", "must be a number"), ([1.0], "must be a number")]
WHOLE = [("x", "must be a whole number"), (1.5, "must be a whole number")]
DATE = [("2026-01-01", "TOML date"), (5, "TOML date")]
TEXT = [(5, "text string"), ([1], "text string")]
MONEY = [*NUMBER, (-1.0, "non-negative amount"), (1e13, "at most 1e+12 DKK")]
MONEY_POS = [*NUMBER, (-1.0, "positive amount"), (0.0, "positive amount"), (1e308, "at most")]
PROB = [*NUMBER, (1.5, "probability in [0, 1]"), (-0.1, "probability in [0, 1]")]
RATE = [*NUMBER, (1.5, "annual rate between -0.5 and 1"), (-0.9, "annual rate")]
POS_INT = [*WHOLE, (0, "greater than 0"), (-3, "greater than 0")]

DSI_FIELDS = {
    ("investor", "capital"): MONEY_POS,
    ("investor", "discount_rate"): RATE,
    ("investor", "hurdle_rate"): RATE,
    ("investor", "name"): TEXT,
    ("investor", "disbursements", 0, "date"): DATE,
    ("investor", "disbursements", 0, "amount"): MONEY_POS,
    ("payers", 0, "id"): [(5, "text string"), ("9lives", "must be an identifier")],
    ("payers", 0, "name"): TEXT,
    ("payers", 0, "kind"): [("bank", "must be one of")],
    ("payers", 0, "cap"): MONEY,
    ("goals", 0, "threshold"): [*NUMBER, (0.0, "fraction in (0, 1]"), (1.5, "fraction in")],
    ("goals", 0, "success_rate"): PROB,
    ("goals", 0, "payment_per_success"): MONEY,
    ("goals", 0, "payer"): [(5, "text string"), ("regoin", "did you mean 'region'")],
    ("goals", 0, "outcome"): [("fall", "must be one of")],
    ("population", "referred"): POS_INT,
    ("population", "retention"): PROB,
    ("population", "follow_up_months"): [*WHOLE, (601, "at most 600"), (0, "greater than 0")],
    ("cohorts", 0, "share"): PROB,
    ("cohorts", 0, "referral_start"): DATE,
    ("cohorts", 0, "measurement_date"): DATE,
    ("simulation", "draws"): POS_INT,
    ("simulation", "seed"): [*WHOLE, (-1, "at least 0")],
    ("simulation", "chunk_size"): POS_INT,
    ("business_case", "horizon_years"): [*WHOLE, (101, "at most 100")],
    ("business_case", "disease_groups", 0, "total"): MONEY,
    ("model", "correlations", 0, "spearman"): [*NUMBER, (1.0, "correlation in (-1, 1)")],
    ("model", "retention", "dist"): [("gamma", "must be one of")],
}
WB_FIELDS = {
    ("pilot", "recruited"): POS_INT,
    ("pilot", "completers"): [*POS_INT, (51, "must not exceed recruited")],
    ("pilot", "total_change"): [*NUMBER, (-1e6, "lies in [-10, 10]"), (300.0, "per completer")],
    ("pilot", "investment"): MONEY,
    ("valuation", "currency"): [("EUR", "must be one of")],
    ("valuation", "low"): MONEY_POS,
    ("valuation", "central"): [*NUMBER, (9_000.0, "low <= central <= high")],
    ("valuation", "dkk_per_unit"): MONEY_POS,
    ("uncertainty", "decay"): [*NUMBER, (1.0, "rate in [0, 1)")],
    ("uncertainty", "discount_rate"): [*NUMBER, (-0.1, "rate in [0, 1)")],
    ("uncertainty", "completion_prior"): [([1.0, 1.0, 1.0], "exactly 2 items"), ([0.0, 1.0], "")],
    ("goal3", "dsi_assumed"): PROB,
    ("goal3", "start_distribution"): [([0.5, 0.5], "must have 11 probabilities")],
    ("projections", 0, "completion"): [(1.5, "probability in [0, 1]"), ("pilots", "'pilot'")],
    ("projections", 0, "mean_change"): [(20.0, "lies in [-10, 10]"), ("x", "'pilot'")],
    ("projections", 0, "recruited"): [([0], "greater than 0"), ([], "must not be empty")],
    ("projections", 0, "investment_per_recruited"): MONEY,
    ("simulation", "draws"): POS_INT,
    ("simulation", "seed"): [(-1, "at least 0")],
}
# Whole-config cases: (name, base, [(path, value)], fragment)
# fmt: off
SPECIAL = [
    ("dsi-duplicate-correlation", DSI, [(("model", "correlations", 1), None)], "repeats the pair"),
    ("dsi-pay-above-capital", DSI, [(("goals", 0, "payment_per_success"), 6e6)], "capital"),
    ("dsi-shares", DSI, [(("cohorts", 0, "share"), 0.9)], "must sum to 1"),
    ("dsi-duplicate-goal", DSI, [(("goals", 1, "id"), "region_use")], "duplicate id"),
    ("dsi-unknown-goal-payer", DSI, [(("goals", 2, "payer"), "nobody")], "unknown payer"),
    ("dsi-disbursements", DSI, [(("investor", "disbursements", 1, "amount"), 1.0)], "add up"),
    ("dsi-date-order", DSI, [(("cohorts", 0, "repayment_date"), dt.date(2020, 1, 1))], "before"),
    ("dsi-corr-unknown", DSI, [(("model", "correlations", 0, "a"), "region_use.efct")], "did"),
    ("dsi-corr-self", DSI, [(("model", "correlations", 0, "b"), "region_use.effect")], "differ"),
    ("dsi-beta-sd", DSI, [(("model", "retention", "sd"), 0.6)], "too large for a beta"),
    ("dsi-prior-key", DSI, [(("model", "retention", "median"), 0.5)], "not a parameter"),
    ("dsi-prior-missing", DSI, [(("model", "retention", "sd"), DELETE)], "is required"),
    ("dsi-kind", DSI, [(("kind",), "portfolioo")], "must be one of"),
    ("dsi-schema", DSI, [(("schema_version",), 2)], "must be one of"),
    ("dsi-extends-int", DSI, [(("extends",), 5)], "file name in quotes"),
    ("dsi-extends-missing", DSI, [(("extends",), "nowhere.toml")], "file not found"),
    ("dsi-unknown-top", DSI, [(("investors",), {})], "did you mean 'investor'"),
    ("wb-both-changes", WB, [(("pilot", "mean_change"), 0.77)], "exactly one of"),
    ("wb-no-change", WB, [(("pilot", "total_change"), DELETE)], "exactly one of"),
    ("wb-mean-change", WB,
     [(("pilot", "total_change"), DELETE), (("pilot", "mean_change"), 11.0)], "lies in [-10, 10]"),
    ("wb-scores-missing", WB, [(("pilot", "scores"), "nowhere.csv")], "file not found"),
    ("wb-sd-prior", WB,
     [(("uncertainty", "sd_change"), {"dist": "normal", "mean": 1, "sd": -1})], "be positive"),
    ("wb-start-sum", WB, [(("goal3", "start_distribution"), [0.1] * 11)], "must sum to 1"),
]
# fmt: on


def _mutate(base: dict, changes) -> dict:
    d = copy.deepcopy(base)
    for path, value in changes:
        node = d
        for k in path[:-1]:
            node = node[k]
        last = path[-1]
        if value is DELETE:
            del node[last]
        elif value is None:  # duplicate: the same pair again, in the other order
            c = node[0]
            key = "spearman" if "spearman" in c else "rho"
            node.append({"a": c["b"], "b": c["a"], key: -c[key]})
        else:
            node[last] = value
    return d


def _config_cases():
    cases = []
    for base, name, fields in ((DSI, "dsi", DSI_FIELDS), (WB, "wb", WB_FIELDS)):
        for path, bad in fields.items():
            for value, fragment in bad:
                key = ".".join(map(str, path))
                cases.append(
                    pytest.param(base, [(path, value)], fragment, id=f"{name}:{key}={value!r}")
                )
        # an unknown key in each table, a missing required key
        for table in [k for k, v in base.items() if isinstance(v, dict)]:
            cases.append(
                pytest.param(
                    base, [((table, "colour"), 1)], "unknown key", id=f"{name}:{table}.colour"
                )
            )
    for req in (("investor",), ("goals",), ("population",), ("cohorts",), ("name",)):
        cases.append(pytest.param(DSI, [(req, DELETE)], "is required", id=f"dsi:missing-{req}"))
    for req in (("pilot",), ("valuation",), ("uncertainty",)):
        cases.append(pytest.param(WB, [(req, DELETE)], "is required", id=f"wb:missing-{req}"))
    for name, base, changes, fragment in SPECIAL:
        cases.append(pytest.param(base, changes, fragment, id=name))
    return cases


# ---------------------------------------------------------------------------
# Running a case
# ---------------------------------------------------------------------------


def _listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _call(argv, capsys) -> tuple[int, str, str]:
    try:
        status = main([str(a) for a in argv])
    except SystemExit as exc:  # argparse's own errors
        status = exc.code
    out, err = capsys.readouterr()
    return status, out, err


def _expect_refusal(argv, fragment, folder: Path, capsys) -> str:
    before = _listing(folder)
    status, out, err = _call(argv, capsys)
    assert status == 2, f"exit {status}\nstdout: {out[-500:]}\nstderr: {err}"
    assert "Traceback" not in err + out
    assert fragment in err, err
    lines = err.strip().splitlines()
    assert lines and all(line.startswith("simrisk") for line in lines), err
    assert not any(w in err for w in ("Input should", "function-after", "pydantic")), err
    assert _listing(folder) == before, "files were left behind"
    return err


@pytest.mark.parametrize(("base", "changes", "fragment"), _config_cases())
def test_malformed_config(base, changes, fragment, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    data = _mutate(base, changes)
    path = tmp_path / "bad.toml"
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    # `run` on every kind: the config must be refused before anything is simulated
    err = _expect_refusal(["run", path, "--quiet"], fragment, tmp_path, capsys)
    assert "bad.toml" in err  # names the file


# ---------------------------------------------------------------------------
# Files that are not configs, and extends chains
# ---------------------------------------------------------------------------

RAW_CONFIGS = [
    ("empty", b"", "is required"),
    ("binary", bytes(range(256)), "cannot be read"),
    ("not-toml", b"capital = = 5\n", "not valid TOML"),
    ("latin-1", "navn = 'Østifterne'\n".encode("latin-1"), "cannot be read"),
    ("array-top", b"[[x]]\ny = 1\n", "unknown key"),
]


@pytest.mark.parametrize(("name", "raw", "fragment"), RAW_CONFIGS, ids=[c[0] for c in RAW_CONFIGS])
def test_raw_config_files(name, raw, fragment, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "c.toml"
    path.write_bytes(raw)
    for cmd in ("run", "ledger"):
        _expect_refusal([cmd, path], fragment, tmp_path, capsys)


EXTENDS = [
    # files to write, the one to run, expected fragment
    ("cycle-2", {"a.toml": 'extends = "b.toml"\n', "b.toml": 'extends = "a.toml"\n'}, "a.toml",
     "makes a cycle: a.toml -> b.toml -> a.toml"),
    ("cycle-3", {"a.toml": 'extends = "b.toml"\n', "b.toml": 'extends = "c.toml"\n',
                 "c.toml": 'extends = "a.toml"\n'}, "a.toml", "makes a cycle"),
    ("self", {"a.toml": 'extends = "a.toml"\n'}, "a.toml", "must not name the file itself"),
    ("missing", {"a.toml": 'extends = "zz.toml"\n'}, "a.toml", "relative to the folder of a.toml"),
    ("folder", {"a.toml": 'extends = "."\n'}, "a.toml", "file not found"),
    ("empty-name", {"a.toml": 'extends = ""\n'}, "a.toml", "file name in quotes"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("files", "start", "fragment"), [c[1:] for c in EXTENDS], ids=[c[0] for c in EXTENDS]
)
def test_extends_chains(files, start, fragment, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    _expect_refusal(["run", tmp_path / start], fragment, tmp_path, capsys)


def test_a_bad_value_in_a_base_names_the_base(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    base = _mutate(DSI, [(("investor", "capital"), -5.0)])
    (tmp_path / "base.toml").write_text(tomli_w.dumps(base), encoding="utf-8")
    (tmp_path / "child.toml").write_text('extends = "base.toml"\nname = "c"\n', encoding="utf-8")
    err = _expect_refusal(["ledger", tmp_path / "child.toml"], "capital", tmp_path, capsys)
    assert "base.toml (extended by" in err and "child.toml" in err
    # and the child's own bad value names the child
    (tmp_path / "child.toml").write_text('extends = "base.toml"\nname = 5\n', encoding="utf-8")
    err = _expect_refusal(["ledger", tmp_path / "child.toml"], "name = 5", tmp_path, capsys)
    assert f"{tmp_path / 'child.toml'}: name = 5" in err


def test_extending_a_shipped_config_from_another_folder(tmp_path, monkeypatch, capsys):
    # The shipped pilot_goal3 config names its pilot config relative to configs/;
    # extended from elsewhere, that name still resolves next to the base.
    monkeypatch.chdir(tmp_path)
    child = tmp_path / "mine.toml"
    shipped = ROOT / "configs" / "dsi_norddjurs_pilot_goal3.toml"
    child.write_text(f'extends = "{shipped}"\nname = "mine"\n', encoding="utf-8")
    status, _, err = _call(["ledger", child, "--json"], capsys)
    assert status == 0, err


# ---------------------------------------------------------------------------
# CLI lines
# ---------------------------------------------------------------------------

CFG = str(DSI_CONFIG)
WCFG = str(WELLBY_CONFIG)
CLI = [
    # argv (with {tmp} for the test's folder), fragment
    (["run", CFG, "--draws", "0"], "positive whole number"),
    (["run", CFG, "--draws", "-5"], "positive whole number"),
    (["run", CFG, "--draws", "ten"], "positive whole number"),
    (["run", CFG, "--draws", "1.5"], "positive whole number"),
    (["run", CFG, "--draws", "1"], "must be at least 400"),
    (["run", CFG, "--draws", "19"], "must be at least 400"),
    (["run", CFG, "--draws", "399"], "must be at least 400"),
    (["run", CFG, "--draws", str(2**31)], "must be at most 2,147,483,647"),
    (["run", CFG, "--seed", "-1"], "non-negative"),
    (["run", CFG, "--seed", str(2**64)], "below 2**64"),
    (["run", CFG, "--seed", str(10**30)], "below 2**64"),
    (["run", CFG, "--seed", "0x10"], "non-negative whole number"),
    (["run", CFG, "--threads", "0"], "positive whole number"),
    (["run", CFG, "--draws", "1000", "--threads", "999", "--out", "-"], "threads = 999"),
    (["run", CFG, "--chunk-size", "0"], "positive whole number"),
    (["run", CFG, "--out", ""], "empty; give a file name"),
    (["run", CFG, "--out", "  "], "empty; give a file name"),
    (["run", CFG, "--out", "{tmp}"], "is a folder"),
    (["run", CFG, "--out", "{tmp}/no/such/x.nc"], "does not exist"),
    (["run", CFG, "--scores", "s.csv"], "only for a WELLBY config"),
    (["run", CFG, "--bogus"], "unrecognized arguments"),
    (["run"], "the following arguments are required: config"),
    (["run", "{tmp}/missing.toml"], "file not found"),
    (["run", "{tmp}"], "cannot be read"),
    (["run", WCFG, "--draws", "39"], "must be at least 40"),
    (["run", WCFG, "--fixed-parameters", "--out", "-"], "not available for a WELLBY config"),
    (["wellby", WCFG, "--draws", "1"], "must be at least 40"),
    (["wellby", WCFG, "--plot", "{tmp}/fan.xyz"], "format 'xyz'"),
    (["wellby", WCFG, "--plot", "{tmp}/fan"], "no suffix"),
    (["wellby", WCFG, "--plot", "{tmp}"], "is a folder"),
    (["wellby", WCFG, "--plot", "{tmp}/x/fan.png"], "does not exist"),
    (["wellby", WCFG, "--out", ""], "empty"),
    (["wellby", WCFG, "--out", "{tmp}/w.pdf", "--plot", "{tmp}/w.pdf"], "the same file as --out"),
    (["wellby", WCFG, "--seed", str(2**64)], "below 2**64"),
    (["wellby", CFG], "'simrisk wellby' takes a WELLBY config"),
    (["wellby", WCFG, "--scores", "{tmp}/none.csv"], "file not found"),
    (["ledger", WCFG], "has no ledger"),
    (["ledger", CFG, "--success-rate", "2"], "probability in [0, 1]"),
    (["ledger", CFG, "--success-rate", "nan"], "probability in [0, 1]"),
    (["ledger", CFG, "--goal-rate", "0.5"], "GOAL=RATE"),
    (["ledger", CFG, "--goal-rate", "x=2"], "probability"),
    (["report", "{tmp}/r.nc", "-o", "{tmp}/x.pdf", "--lang", "de"], "invalid choice"),
    (["report", "{tmp}/missing.nc", "-o", "{tmp}/x.pdf"], "file not found"),
    (["report", "{tmp}/r.nc", "-o", "{tmp}/x.txt"], "must end in .pdf"),
    (["report", "{tmp}/r.nc", "-o", "{tmp}/no/x.pdf"], "does not exist"),
    (["report", "{tmp}/r.nc", "-o", "{tmp}/x.pdf", "--figures", "{tmp}/afile"], "is a file"),
    (["report", "{tmp}/r.nc", "-o", "{tmp}/x.pdf", "--figures", "{tmp}/afile/s"], "not a folder"),
    (["report", "{tmp}/r.nc", "-o", "{tmp}/x.pdf", "--figures", ""], "empty"),
    (["report", "{tmp}/r.nc"], "required: -o/--output"),
    (["summary", "{tmp}/missing.nc"], "file not found"),
    (["example", "nosuch"], "nosuch"),
    (["example", "dsi_norddjurs", "-o", "{tmp}/nowhere"], "does not exist"),
    (["bench", "--draws", "0"], "positive whole number"),
    (["frobnicate"], "invalid choice"),
]


@pytest.fixture(scope="module")
def small_result(tmp_path_factory):
    """A real contract result (500 draws) and a WELLBY result, written once."""
    from simrisk.core.dataset import write_netcdf
    from simrisk.kinds import RunOptions, get

    folder = tmp_path_factory.mktemp("results")
    contract = get("contract")
    cfg, text = contract.load(DSI_CONFIG)
    ds = contract.simulate(cfg, RunOptions(draws=500, seed=2, config_text=text))
    write_netcdf(ds, folder / "r.nc")
    write_netcdf(ds.isel(draw=slice(0, 10)), folder / "tiny.nc")
    wellby = get("wellby")
    wcfg, wtext = wellby.load(WELLBY_CONFIG)
    write_netcdf(
        wellby.simulate(wcfg, RunOptions(draws=400, seed=1, config_text=wtext)), folder / "w.nc"
    )
    return folder


def _fill(argv, tmp: Path) -> list[str]:
    return [a.replace("{tmp}", str(tmp)) for a in argv]


@pytest.mark.parametrize(("argv", "fragment"), CLI, ids=[" ".join(c[0])[:60] for c in CLI])
def test_bad_cli_line(argv, fragment, tmp_path, monkeypatch, capsys, small_result):
    import shutil

    monkeypatch.chdir(tmp_path)
    shutil.copy(small_result / "r.nc", tmp_path / "r.nc")
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    _expect_refusal(_fill(argv, tmp_path), fragment, tmp_path, capsys)


# ---------------------------------------------------------------------------
# Result files and --scores files
# ---------------------------------------------------------------------------


def _truncated(src: Path, dst: Path) -> None:
    dst.write_bytes(src.read_bytes()[:2000])


def _other_netcdf(src: Path, dst: Path) -> None:
    import xarray as xr

    xr.Dataset({"x": ("t", np.arange(3))}).to_netcdf(dst, engine="h5netcdf")


def _lacking(src: Path, dst: Path) -> None:
    import xarray as xr

    ds = xr.load_dataset(src, engine="h5netcdf").drop_vars("npv")
    ds.to_netcdf(dst, engine="h5netcdf")


def _foreign_kind(src: Path, dst: Path) -> None:
    import xarray as xr

    ds = xr.load_dataset(src, engine="h5netcdf")
    ds.attrs["simrisk_kind"] = "simrisk.unknown"
    ds.to_netcdf(dst, engine="h5netcdf")


RESULTS = [
    # name, how to make it from the 500-draw result (or raw bytes), command, fragment
    ("empty", b"", "summary", "not a NetCDF file"),
    ("random", bytes(np.random.default_rng(1).integers(0, 256, 4096, dtype=np.uint8)), "summary",
     "not a NetCDF file"),
    ("text", b"draw,npv\n1,2\n", "summary", "not a NetCDF file"),
    ("toml", DSI_CONFIG.read_bytes(), "summary", "not a NetCDF file"),
    ("truncated", _truncated, "summary", "not a NetCDF file"),
    ("truncated-report", _truncated, "report", "not a NetCDF file"),
    ("other-netcdf", _other_netcdf, "summary", "not a simrisk result"),
    ("other-netcdf-report", _other_netcdf, "report", "not a simrisk result"),
    ("lacking-npv", _lacking, "summary", "lacks the variable 'npv'"),
    ("foreign-kind", _foreign_kind, "summary", "not a simrisk result"),
    ("tiny", "tiny.nc", "summary", "holds 10 draws; a summary needs at least 400"),
    ("tiny-report", "tiny.nc", "report", "holds 10 draws"),
    ("contract-as-wellby", "r.nc", "report-wellby", "not a simrisk result of kind"),
    ("folder", "DIR", "summary", "is a folder"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("make", "command", "fragment"), [c[1:] for c in RESULTS], ids=[c[0] for c in RESULTS]
)
def test_bad_result_file(make, command, fragment, tmp_path, monkeypatch, capsys, small_result):
    import shutil

    monkeypatch.chdir(tmp_path)
    path = tmp_path / "in.nc"
    if isinstance(make, bytes):
        path.write_bytes(make)
    elif make == "DIR":
        path.mkdir()
    elif isinstance(make, str):
        shutil.copy(small_result / make, path)
    else:
        make(small_result / "r.nc", path)
    if command == "summary":
        argv = ["summary", path]
    elif command == "report":
        argv = ["report", path, "-o", tmp_path / "x.pdf"]
    else:  # a contract result given where a WELLBY result belongs
        shutil.copy(small_result / "r.nc", tmp_path / "main.nc")
        argv = ["report", tmp_path / "main.nc", "-o", tmp_path / "x.pdf", "--wellby", path]
    _expect_refusal(argv, fragment, tmp_path, capsys)


SCORES = [
    ("binary", bytes(range(256)) * 4, "a binary file"),
    ("latin-1", "before,after,navn\n5,6,Søren\n6,7,Åse\n".encode("latin-1"), "not UTF-8"),
    ("no-header", b"5,6\n6,7\n", "header needs columns before,after"),
    ("empty", b"", "header needs columns"),
    ("one-row", b"before,after\n5,6\n", "at least 2 participants"),
    ("off-scale", b"before,after\n5,11\n6,7\n", "must be from 0 to 10"),
    ("not-whole", b"before,after\n5,6.5\n6,7\n", "must be a whole number"),
    ("blank", b"before,after\n5,\n6,7\n", "must be a whole number"),
    ("quote", b'before,after\n"5,6\n', "must be a whole number"),
]


@pytest.mark.parametrize(("raw", "fragment"), [c[1:] for c in SCORES], ids=[c[0] for c in SCORES])
@pytest.mark.parametrize("command", ["wellby", "run"])
def test_bad_scores_file(raw, fragment, command, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "s.csv"
    path.write_bytes(raw)
    argv = [command, WCFG, "--scores", path, "--out", tmp_path / "w.nc"]
    _expect_refusal(argv, fragment, tmp_path, capsys)


def test_the_corpus_is_large():
    # issue 16 asks for at least 150 cases
    n = (
        len(_config_cases())
        + 2 * len(RAW_CONFIGS)
        + len(EXTENDS)
        + len(CLI)
        + len(RESULTS)
        + 2 * len(SCORES)
    )
    assert n >= 150, n
