"""The analyst's workbook (simrisk export): sheets, headers, figures, bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest
from openpyxl import load_workbook

from simrisk.core.dataset import write_netcdf
from simrisk.core.errors import SimriskError
from simrisk.kinds.contract.simulate import simulate
from simrisk.workbook import SHEETS, write_workbook

from .conftest import DSI_CONFIG, run_cli


@pytest.fixture(scope="module")
def run_nc(dsi_scenario, tmp_path_factory):
    ds = simulate(
        dsi_scenario, draws=3000, seed=7, config_text=DSI_CONFIG.read_text(encoding="utf-8")
    )
    return write_netcdf(ds, tmp_path_factory.mktemp("wb") / "run.nc"), ds


def _rows(ws):
    return list(ws.iter_rows(values_only=True))


def test_cli_export_has_the_sheets_and_matches_the_summary(run_nc, tmp_path):
    nc, ds = run_nc
    out = tmp_path / "book.xlsx"
    proc = run_cli("export", nc, "-o", out, "--max-draws", "2500")
    assert proc.returncode == 0, proc.stderr
    book = load_workbook(out, read_only=True)
    assert book.sheetnames == [
        "summary",
        "inputs",
        "ledger",
        "payers",
        "charts",
        "draws",
        "cash_flows",
        "assumptions",
        "provenance",
    ]
    for name in ("summary", "payers", "cash_flows", "assumptions", "provenance"):
        assert _rows(book[name])[0] == SHEETS[name]
    summary = {r[0]: r for r in _rows(book["summary"])[1:]}
    js = json.loads(run_cli("summary", nc, "--json").stdout)
    # the workbook's figures are the summary's own (xlsx keeps 15-16 digits)
    assert summary["p_npv_negative"][2] == js["p_npv_negative"]
    assert summary["p_npv_negative"][3] == pytest.approx(js["p_npv_negative_se"], rel=1e-14)
    assert summary["npv.mean"][2] == pytest.approx(js["npv"]["mean"], rel=1e-14)
    assert summary["repayments.total.p95"][2] == pytest.approx(
        js["repayments"]["total"]["p95"], rel=1e-14
    )
    assert summary["p_npv_negative"][4] == "%" and summary["npv.mean"][4] == "DKK"
    # a probability is never money, however deep its key (LibreOffice showed 31.9% as "0 kr.")
    shares = [k for k in summary if k.endswith(".p_negative") or ".p_negative." in k]
    assert shares and all(summary[k][4] == "%" for k in shares), shares
    # every draw, beyond the sheet's 2,500, in the Parquet file the summary names
    import pyarrow.parquet as pq

    assert summary["draws_file"][2] == "book.draws.parquet"
    table = pq.read_table(tmp_path / "book.draws.parquet")
    assert table.num_rows == ds.sizes["draw"]
    np.testing.assert_array_equal(table.column("npv").to_numpy(), ds["npv"].values.astype(float))
    assert (
        round(summary["decision.case_npv"][2]) == 937_935
    )  # the ledger's NPV with table 9's cohort split

    draws = _rows(book["draws"])
    head = draws[0]
    assert len(draws) == 1 + 2500
    assert head[0] == "draw" and "npv" in head and "parameters[retention]" in head
    assert "successes[c1,region_use]" in head
    col = head.index("npv")
    np.testing.assert_allclose(
        [r[col] for r in draws[1:]], ds["npv"].values[:2500].astype(float), atol=0.006
    )
    prov = dict(_rows(book["provenance"])[1:])
    assert prov["seed"] == 7 and prov["draws"] == 3000 and prov["draws_in_sheet"] == 2500
    assert prov["config"] == DSI_CONFIG.read_text(encoding="utf-8")
    assumptions = _rows(book["assumptions"])[1:]
    names = [r[0] for r in assumptions]
    assert "region_use.effect" in names and "region_use.effect ~ municipal_use.effect" in names
    cash = _rows(book["cash_flows"])[1:]
    last_date = [r for r in cash if r[0] == "date"][-1]
    # P(whole) after the last repayment is 1 - P(repayments < capital)
    assert last_date[12] == pytest.approx(1 - js["p_loss_nominal"], abs=1e-12)


def test_danish_workbook_labels_and_currency(run_nc, tmp_path):
    _, ds = run_nc
    out = tmp_path / "da.xlsx"
    write_workbook(ds, out, lang="da", draws_limit=10)
    book = load_workbook(out)
    ws = book["summary"]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    assert rows["p_loss_nominal"][1].value.startswith("P(DSI får mindre")
    assert '"kr."' in rows["npv.mean"][2].number_format
    assert rows["p_npv_negative"][2].number_format.endswith("%")


def test_optional_sheets_and_bad_input(run_nc, tmp_path):
    import xarray as xr

    nc, ds = run_nc
    sens = xr.Dataset(
        {"swing": ("parameter", [0.3, 0.1])}, coords={"parameter": ["retention", "recruitment"]}
    )
    out = tmp_path / "s.xlsx"
    names = write_workbook(ds, out, extra={"sensitivity": sens}, draws_limit=5)
    assert names[-2:] == ["sensitivity", "provenance"] and names[:3] == [
        "summary",
        "inputs",
        "ledger",
    ]
    rows = _rows(load_workbook(out, read_only=True)["sensitivity"])
    assert rows[0] == ("parameter", "swing") and rows[1] == ("retention", 0.3)
    with pytest.raises(SimriskError, match="allowed are sensitivity, voi"):
        write_workbook(ds, tmp_path / "x.xlsx", extra={"tornado": sens})
    assert not (tmp_path / "x.xlsx").exists()
    bad = run_cli("export", nc, "-o", tmp_path / "book.csv")
    assert bad.returncode == 2 and "must end in .xlsx" in bad.stderr
    assert bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr
    wrong = run_cli("export", DSI_CONFIG, "-o", tmp_path / "b.xlsx")
    assert wrong.returncode == 2 and "Traceback" not in wrong.stderr
    left = sorted(p.name for p in tmp_path.glob("*"))
    assert left in ([], ["s.draws.parquet", "s.xlsx"]), left


def test_export_takes_the_decision_layers_out_files(run_nc, tmp_path):
    """'simrisk sensitivity/voi --out' files become readable sheets that match their JSON."""
    nc, _ = run_nc
    sens, voi = tmp_path / "sens.nc", tmp_path / "voi.nc"
    r = run_cli("sensitivity", nc, "--out", sens, "--json", "--pawn-boot", "2")
    assert r.returncode == 0, r.stderr
    sj = json.loads(r.stdout)
    r = run_cli("voi", nc, "--parameter", "retention", "--parameter", "recruitment", "--out", voi)
    assert r.returncode == 0, r.stderr
    out = tmp_path / "book.xlsx"
    r = run_cli("export", nc, "-o", out, "--sensitivity", sens, "--voi", voi, "--max-draws", "10")
    assert r.returncode == 0, r.stderr
    book = load_workbook(out, read_only=True)
    assert book.sheetnames[-3:] == ["sensitivity", "voi", "provenance"]

    def blocks(rows):
        """Tables separated by empty rows, each as (header, rows)."""
        out, cur = [], []
        for row in rows:
            row = tuple(row)
            while row and row[-1] is None:  # read-only sheets pad rows to the widest
                row = row[:-1]
            if not row:
                out.append(cur)
                cur = []
            else:
                cur.append(row)
        return [(b[0], b[1:]) for b in [*out, cur] if b]

    sb = dict(blocks(_rows(book["sensitivity"])))
    # the tornado block: one row per (parameter, decile), its low/high ends as in the JSON
    head = next(h for h in sb if h[:2] == ("parameter", "decile"))
    k = head.index("p_npv_negative")
    top = sj["top_driver"]
    tor = {(r[0], r[1]): r[k] for r in sb[head]}
    assert len(tor) == 10 * len(sj["ranking"])
    assert tor[(top, 1)] == pytest.approx(sj["tornado"][top]["p_npv_negative_low"])
    assert tor[(top, 10)] == pytest.approx(sj["tornado"][top]["p_npv_negative_high"])
    # one row per parameter for the indices, not one per (parameter, decile, grid, bound)
    head = next(h for h in sb if h[0] == "parameter" and "eta2_npv" in h)
    assert len(sb[head]) == len(sj["ranking"])
    vb = blocks(_rows(book["voi"]))
    scalars = dict(vb[0][1])
    assert vb[0][0][:2] == ("variable", "value") and scalars["evpi"] > 0
    targets = next(rows for h, rows in vb if h[0] == "target")
    assert sorted(r[0] for r in targets) == ["recruitment", "retention"]
    # a file of the wrong analysis is named in one line
    bad = run_cli("export", nc, "-o", tmp_path / "x.xlsx", "--voi", sens)
    assert bad.returncode == 2 and "not a 'simrisk voi --out' result" in bad.stderr
    assert "Traceback" not in bad.stderr and not (tmp_path / "x.xlsx").exists()


def test_tables_formats_and_native_charts(run_nc, tmp_path):
    """Summary, payers, sensitivity and VOI are Excel tables; percent is percent, DKK is DKK;
    the charts sheet holds Excel's own histogram, tornado and payback fan."""
    import zipfile

    import xarray as xr

    _, ds = run_nc
    sens = xr.Dataset(
        {
            "p_npv_negative": (("parameter", "decile"), [[0.6, 0.2], [0.5, 0.3]], {"units": "1"}),
            "mean_npv": (("parameter", "decile"), [[-1e5, 2e5], [0.0, 1e5]], {"units": "DKK"}),
        },
        coords={"parameter": ["retention", "recruitment"], "decile": [1, 10]},
        attrs={"p_npv_negative": 0.4},
    )
    out = tmp_path / "t.xlsx"
    write_workbook(ds, out, extra={"sensitivity": sens}, draws_limit=5)
    book = load_workbook(out)
    assert set(book["summary"].tables) == {"t_summary"}
    assert set(book["payers"].tables) == {"t_payers"}
    assert set(book["charts"].tables) == {"t_npv_histogram", "t_tornado"}
    assert "t_sensitivity_1" in book["sensitivity"].tables
    payers = {r[0].value: r for r in book["payers"].iter_rows(min_row=2)}
    head = [c.value for c in next(book["payers"].iter_rows(max_row=1))]
    region = payers["region"]
    assert region[head.index("p_net_saving_modelled_negative")].number_format.endswith("%")
    assert "DKK" in region[head.index("paid_mean")].number_format
    sheet = book["sensitivity"]
    head = [c.value for c in next(sheet.iter_rows(max_row=1))]
    row = next(sheet.iter_rows(min_row=2, max_row=2))
    assert row[head.index("p_npv_negative")].number_format.endswith("%")
    assert "DKK" in row[head.index("mean_npv")].number_format
    # the draws sheet's cells carry their column's format (IRR as percent, NPV as DKK)
    draws = book["draws"]
    head = [c.value for c in next(draws.iter_rows(max_row=1))]
    row = next(draws.iter_rows(min_row=2, max_row=2))
    assert row[head.index("irr")].number_format.endswith("%")
    assert "DKK" in row[head.index("npv")].number_format
    with zipfile.ZipFile(out) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    kinds = sorted(k for c in charts for k in ("c:barChart", "c:lineChart") if f"<{k}>" in c)
    assert kinds == ["c:barChart", "c:barChart", "c:lineChart"]  # histogram, tornado, fan
    # the tornado is the sensitivity result's own lowest/highest deciles
    tornado = {
        r[0]: (r[1], r[2]) for r in book["charts"].iter_rows(min_row=44, values_only=True) if r[0]
    }
    assert tornado["retention"] == (0.6, 0.2)


def test_without_dask_hides_it_from_xarray_and_gives_it_back():
    # xarray imports dask.array (about 1 s of CPU) whenever dask is installed,
    # to ask whether an array is a dask one; commands that never use dask hide
    # it, and give it back for a later command in the same process (issue 24).
    import subprocess
    import sys

    code = (
        "import sys, numpy as np, xarray as xr\n"
        "from simrisk.cli._common import without_dask\n"
        "with without_dask() as guard:\n"
        "    assert guard.active\n"
        "    ds = xr.Dataset({'x': ('d', np.arange(3.0)), 's': ('d', ['a', 'b', 'c'])})\n"
        "    assert float((ds.x * 2).sum()) == 6.0\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'dask']\n"
        "import importlib.util\n"
        "from xarray.namedarray import pycompat\n"
        "assert importlib.util.find_spec('dask') is not None\n"
        "assert 'dask' not in pycompat._cached_duck_array_modules\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.slow(short=False)
def test_export_does_not_import_dask_and_gives_it_back(run_nc, tmp_path):
    # xarray imports dask.array (about 1 s of CPU) whenever dask is installed;
    # export never uses it, so the CLI hides it and afterwards gives it back,
    # for a later command in the same process (issue 24).
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from simrisk.cli import main\n"
        f"assert main(['export', {str(run_nc[0])!r}, '-o', {str(tmp_path / 'b.xlsx')!r},"
        " '--quiet']) == 0\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'dask')\n"
        "assert loaded == [], loaded\n"
        "from xarray.namedarray.pycompat import array_type\n"
        "import dask.array\n"
        "assert array_type('dask') == (dask.array.Array,)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "b.xlsx").is_file()
