"""Nothing a command is asked to write may destroy the user's work (issue 25, items 1-5).

- an output that is an input (a config, a file the config reads through
  ``extends``, a score or observed-counts file, a result, an attached file;
  through a symbolic or a hard link too), or two outputs that are one file:
  one line naming both, exit 2, every file as it was;
- every writer holds its output's lock: a second writer is refused in one line;
- ``design`` whose chosen terms miss a target on the re-score writes no BEST.toml;
- one minimum-draw rule per kind for every flag and every result read;
- a decision file of another run attached to a report or workbook is refused
  unless ``--allow-other-run``, and then its page or sheet says so.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import xarray as xr

from simrisk.cli import main
from tests.conftest import DSI_CONFIG, ROOT

WELLBY = ROOT / "configs" / "opi_aims_wellby.toml"
PORTFOLIO = ROOT / "configs" / "regionh_ai_pool.toml"
OBSERVED = ROOT / "configs" / "dsi_norddjurs_observed.csv"


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    """A folder with a contract config (and a child that extends it), a 400-draw run of
    it, a run with another seed, and results too small for any command."""
    import simrisk
    from simrisk.core.dataset import write_netcdf

    d = tmp_path_factory.mktemp("guards")
    shutil.copy(DSI_CONFIG, d / "c.toml")
    (d / "child.toml").write_text('extends = "c.toml"\nname = "child"\n')
    simrisk.run(d / "c.toml", draws=400, seed=1, out=d / "r.nc")
    with xr.open_dataset(d / "r.nc", engine="h5netcdf") as ds:
        ds = ds.load()
    write_netcdf(ds.isel(draw=slice(0, 10)), d / "r10.nc")
    # another run's identity (the rule reads the config hash and the seed, not the draws)
    write_netcdf(ds.assign_attrs(seed=2), d / "other.nc")
    wb = simrisk.run(WELLBY, draws=40, seed=1)
    write_netcdf(wb.isel(draw=slice(0, 5)), d / "w5.nc")
    from simrisk.kinds.portfolio.config import load_portfolio
    from simrisk.kinds.portfolio.simulate import simulate

    cfg, text = load_portfolio(PORTFOLIO)
    write_netcdf(simulate(cfg, draws=3, seed=1, config_text=text), d / "p3.nc")
    return d


def _cli_out(capsys, folder: Path, *argv) -> tuple[int, str, str]:
    """``simrisk ARGV`` in ``folder``, in this process: exit status, stdout, stderr."""
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        code = main([str(a) for a in argv])
    finally:
        os.chdir(cwd)
    said = capsys.readouterr()
    return code, said.out, said.err


def _cli(capsys, folder: Path, *argv) -> tuple[int, str]:
    code, _, err = _cli_out(capsys, folder, *argv)
    return code, err


def _digests(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


# --- 1. outputs never overwrite inputs ------------------------------------------------------

OVERWRITES = [
    # (argv, output named, input named)
    (["run", "c.toml", "--out", "c.toml", "--draws", "400"], "--out c.toml", "the config c.toml"),
    (["run", "child.toml", "--out", "c.toml"], "--out c.toml", "c.toml, which child.toml"),
    (["run", "c.toml", "--out", "link.toml"], "--out link.toml", "the config c.toml"),
    (["run", "c.toml", "--out", "hard.toml"], "--out hard.toml", "the config c.toml"),
    (
        ["design", "c.toml", "--target", "p_npv_negative<=0.49", "-o", "c.toml"],
        "--output c.toml",
        "the config c.toml",
    ),
    (
        ["design", "child.toml", "--target", "p_npv_negative<=0.49", "-o", "c.toml"],
        "--output c.toml",
        "which child.toml extends",
    ),
    (
        [
            "design",
            "c.toml",
            "--target",
            "p_npv_negative<=0.49",
            "-o",
            "b.toml",
            "--plot",
            "b.toml",
        ],
        "--plot b.toml",
        "--output b.toml",
    ),
    (["sensitivity", "r.nc", "--out", "r.nc"], "--out r.nc", "the result r.nc"),
    (["sensitivity", "r.nc", "--out", "s.nc", "--plot", "s.nc"], "--plot s.nc", "--out s.nc"),
    (["voi", "r.nc", "--out", "hard.nc"], "--out hard.nc", "the result r.nc"),
    (["acceptability", "r.nc", "--out", "r.nc"], "--out r.nc", "the result r.nc"),
    (["variance", "child.toml", "--out", "c.toml"], "--out c.toml", "which child.toml extends"),
    (["compare", "c.toml", "child.toml", "--out", "link.toml"], "--out link.toml", "c.toml"),
    (["export", "r.nc", "-o", "hard.xlsx"], "--output hard.xlsx", "the result r.nc"),
    (
        ["export", "r.nc", "-o", "x.xlsx", "--sensitivity", "x.draws.parquet"],
        "--output's draws file x.draws.parquet",
        "--sensitivity x.draws.parquet",
    ),
    (["report", "r.nc", "-o", "w.pdf", "--wellby", "w.pdf"], "--output w.pdf", "--wellby w.pdf"),
    (["report", "r.nc", "-o", "r.pdf", "--design", "r.pdf"], "--output r.pdf", "--design r.pdf"),
    (
        ["monitor", "r.nc", "--observed", "obs.csv", "-o", "obs.csv"],
        "--out obs.csv",
        "--observed obs.csv",
    ),
    (
        ["evsi", "r.nc", "--study", "binomial:retention", "--out", "r.nc"],
        "--out r.nc",
        "the result r.nc",
    ),
    (
        ["wellby", str(WELLBY), "--scores", "s.csv", "--out", "s.csv"],
        "--out s.csv",
        "--scores s.csv",
    ),
    (["wellby", str(WELLBY), "--out", "f.png", "--plot", "f.png"], "--plot f.png", "--out f.png"),
]


@pytest.mark.parametrize("argv, out, inp", OVERWRITES, ids=lambda x: " ".join(x)[:40])
def test_an_output_that_is_an_input_is_refused_and_nothing_changes(
    work, tmp_path, capsys, argv, out, inp
):
    folder = tmp_path / "w"
    shutil.copytree(work, folder)
    (folder / "link.toml").symlink_to("c.toml")
    os.link(folder / "c.toml", folder / "hard.toml")
    os.link(folder / "r.nc", folder / "hard.nc")
    os.link(folder / "r.nc", folder / "hard.xlsx")
    for name in ("w.pdf", "r.pdf", "s.csv", "x.draws.parquet"):
        (folder / name).write_text("precious\n")
    shutil.copy(OBSERVED, folder / "obs.csv")
    before = _digests(folder)
    code, err = _cli(capsys, folder, *argv)
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert out in lines[0] and inp in lines[0], lines[0]
    assert _digests(folder) == before  # nothing written, nothing removed, no lock left
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) == []


# an output that is not an input but a config or result of the user's, of another type
REPLACES = [
    # (argv, the output named, what it is)
    (["voi", "r.nc", "--out", "mine.toml"], "--out mine.toml", "a simrisk config"),
    (["voi", "r.nc", "--out", "other.nc"], "--out other.nc", "a simrisk result"),
    (["sensitivity", "r.nc", "--out", "v.nc"], "--out v.nc", "a simrisk voi file"),
    (["acceptability", "r.nc", "--out", "mine.toml"], "--out mine.toml", "a simrisk config"),
    (["compare", "c.toml", "child.toml", "--out", "other.nc"], "--out other.nc", "result"),
    (["run", "c.toml", "--out", "mine.toml", "--draws", "400"], "--out mine.toml", "config"),
    (["run", "c.toml", "--out", "v.nc", "--draws", "400"], "--out v.nc", "a simrisk voi file"),
    (
        ["design", "c.toml", "--target", "p_npv_negative<=0.49", "-o", "b.toml", "--out", "r2.nc"],
        "--out r2.nc",
        "a simrisk result",
    ),
]


@pytest.mark.parametrize("argv, out, what", REPLACES, ids=[" ".join(r[0])[:40] for r in REPLACES])
def test_an_output_never_replaces_a_config_or_result_of_another_type(
    work, tmp_path, capsys, argv, out, what
):
    folder = tmp_path / "w"
    shutil.copytree(work, folder)
    shutil.copy(folder / "c.toml", folder / "mine.toml")
    shutil.copy(folder / "r.nc", folder / "r2.nc")
    assert _cli(capsys, folder, "voi", "r.nc", "--out", "v.nc")[0] == 0
    before = _digests(folder)
    code, err = _cli(capsys, folder, *argv)
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert out in lines[0] and what in lines[0] and "must not replace it" in lines[0], lines[0]
    assert _digests(folder) == before
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize(
    "result, figures, said",
    [
        ("figs/page_01_summary.png", "figs", "holds the result figs/page_01_summary.png"),
        ("figs/page_12_npv.svg", "figs/", "a name the report gives a figure"),
        ("r.nc", "r.nc", "is a file"),
    ],
)
def test_report_figures_never_write_over_an_input(work, tmp_path, capsys, result, figures, said):
    folder = tmp_path / "w"
    shutil.copytree(work, folder)
    (folder / "figs").mkdir()
    if result != "r.nc":
        shutil.copy(folder / "r.nc", folder / result)
    before = _digests(folder / "figs") | _digests(folder)
    code, err = _cli(capsys, folder, "report", result, "-o", "out.pdf", "--figures", figures)
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and said in lines[0] and "--figures" in lines[0], err
    assert _digests(folder / "figs") | _digests(folder) == before
    assert not (folder / "out.pdf").exists()
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) == []


def test_an_output_replaces_a_file_of_its_own_type(work, tmp_path, capsys):
    """Rerunning a command over its own earlier output stays allowed."""
    folder = tmp_path / "w"
    shutil.copytree(work, folder)
    argv = ["voi", "r.nc", "--out", "v.nc"]
    assert _cli(capsys, folder, *argv)[0] == 0
    code, err = _cli(capsys, folder, *argv)
    assert code == 0, err


def test_example_never_writes_over_the_shipped_files(capsys):
    from simrisk.examples import EXAMPLES_DIR

    code, err = _cli(capsys, Path.cwd(), "example", "dsi_norddjurs", "-o", EXAMPLES_DIR, "--force")
    assert code == 2 and "is the shipped example file" in err, err
    assert len(err.strip().splitlines()) == 1


def test_must_show_design_over_its_config_then_ledger(tmp_path, capsys):
    """cp dsi_norddjurs.toml c.toml; design c.toml ... -o c.toml: exit 2; ledger still works."""
    shutil.copy(DSI_CONFIG, tmp_path / "c.toml")
    code, err = _cli(
        capsys, tmp_path, "design", "c.toml", "--target", "p_npv_negative<=0.49", "-o", "c.toml",
        "--draws", "400", "--candidates", "2", "--rescore-draws", "400",
    )  # fmt: skip
    assert code == 2 and "--output c.toml: is the config c.toml" in err
    assert (tmp_path / "c.toml").read_bytes() == DSI_CONFIG.read_bytes()
    code = main(["ledger", str(tmp_path / "c.toml"), "--json"])
    assert code == 0
    repaid = json.loads(capsys.readouterr().out)["repayments"]
    assert round(repaid["total"]) == 7_030_994  # the note's repayments, to the krone


# --- 2. every writer holds its output's lock -----------------------------------------------

LOCKED = [
    (["design", "c.toml", "--target", "p_npv_negative<=0.49", "-o", "b.toml"], "b.toml"),
    (["export", "r.nc", "-o", "x.xlsx"], "x.xlsx"),
    (["report", "r.nc", "-o", "x.pdf"], "x.pdf"),
    (["sensitivity", "r.nc", "--out", "x.nc"], "x.nc"),
    (["voi", "r.nc", "--out", "x.nc"], "x.nc"),
    (["acceptability", "r.nc", "--out", "x.nc"], "x.nc"),
    (["variance", "c.toml", "--out", "x.nc"], "x.nc"),
    (["compare", "c.toml", "child.toml", "--out", "x.nc"], "x.nc"),
    (["monitor", "r.nc", "--observed", OBSERVED, "-o", "x.nc"], "x.nc"),
    (["evsi", "r.nc", "--study", "binomial:retention", "--out", "x.nc"], "x.nc"),
    (["evsi", "r.nc", "--study", "binomial:retention", "--plot", "x.png"], "x.png"),
    (["run", "c.toml", "--until", "p_npv_negative:se<0.01", "--out", "x.nc"], "x.nc"),
    (["example", "dsi_norddjurs", "-o", "."], "dsi_norddjurs.toml"),
]


@pytest.mark.parametrize("argv, target", LOCKED, ids=lambda x: " ".join(map(str, x))[:30])
def test_a_second_writer_of_one_path_is_refused(work, tmp_path, capsys, argv, target):
    folder = tmp_path / "w"
    shutil.copytree(work, folder)
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (folder / f".{target}.lock").write_text(f"{holder.pid}\n")
        code, err = _cli(capsys, folder, *argv)
    finally:
        holder.kill()
        holder.wait()
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert f"another simrisk process (pid {holder.pid}) is writing it" in err
    assert not (folder / target).exists()


@pytest.mark.slow(short=False)
def test_two_designs_of_one_output_at_once(work, tmp_path):
    """Two real processes: the second is refused while the first searches; the first wins."""
    argv = [
        sys.executable, "-m", "simrisk", "design", str(work / "c.toml"), "--target",
        "p_npv_negative<=0.49", "-o", "best.toml", "--draws", "400", "--candidates", "3",
        "--rescore-draws", "400", "--quiet",
    ]  # fmt: skip
    log = (tmp_path.parent / "first.err").open("w")
    first = subprocess.Popen(argv, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=log)
    try:
        lock = tmp_path / ".best.toml.lock"
        deadline = time.monotonic() + 120
        while not lock.exists() and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert lock.exists(), "the first design never took its lock"
        second = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True)
        assert first.wait(timeout=600) == 0, (tmp_path.parent / "first.err").read_text()
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
        log.close()
    assert second.returncode == 2, second.stderr
    assert f"--output best.toml: another simrisk process (pid {first.pid})" in second.stderr
    assert (tmp_path / "best.toml").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["best.toml"]


# --- 3. design that misses a target on the re-score writes nothing final --------------------


def test_design_missing_a_target_on_the_rescore_writes_no_best_toml(work, tmp_path, capsys):
    code, out, err = _cli_out(
        capsys, tmp_path, "design", work / "c.toml", "--target", "p_npv_negative<=0.30",
        "-o", "best.toml", "--draws", "400", "--candidates", "4", "--rescore-draws", "400",
        "--seed", "3", "--quiet", "--json",
    )  # fmt: skip
    assert code == 1, err
    # the search met the target by 2 SE; the fresh draws did not (else this tests nothing)
    rescored = json.loads(out)["chosen_rescored"]
    assert not all(t["met_by_2se"] for t in rescored["targets"])
    assert "on the re-score" in err and "best.toml was not written" in err
    assert not (tmp_path / "best.toml").exists()


# --- 4. one minimum-draw rule per kind ------------------------------------------------------

FEW = [
    (["design", "c.toml", "--target", "p_npv_negative<=0.4", "-o", "b.toml", "--draws", "1"],
     "--draws 1: must be at least 400"),
    (["design", "c.toml", "--target", "p_npv_negative<=0.4", "-o", "b.toml", "--draws", "399"],
     "--draws 399: must be at least 400"),
    (["design", "c.toml", "--target", "p_npv_negative<=0.4", "-o", "b.toml",
      "--rescore-draws", "1"], "--rescore-draws 1: must be at least 400"),
    (["run", "c.toml", "--until", "p_npv_negative:se<0.01", "--max-draws", "100", "--out", "-"],
     "--max-draws 100: must be at least 400"),
    (["voi", "r10.nc"], "r10.nc: holds 10 draws; a summary needs at least 400"),
    (["acceptability", "r10.nc"], "r10.nc: holds 10 draws; a summary needs at least 400"),
    (["export", "r10.nc", "-o", "x.xlsx"], "r10.nc: holds 10 draws"),
    (["report", "p3.nc", "-o", "x.pdf"],
     "p3.nc: holds 3 draws; a summary needs at least 400"),
    (["report", "r.nc", "-o", "x.pdf", "--wellby", "w5.nc"],
     "--wellby w5.nc: holds 5 draws; a summary needs at least 40"),
    (["run", str(PORTFOLIO), "--draws", "3", "--out", "-"], "--draws 3: must be at least 400"),
    (["compare", "c.toml", "child.toml", "--draws", "10"], "--draws 10: must be at least 400"),
]  # fmt: skip


@pytest.mark.parametrize("argv, said", FEW, ids=lambda x: " ".join(x)[:40])
def test_too_few_draws_are_refused_by_the_kinds_rule(work, tmp_path, capsys, argv, said):
    folder = tmp_path / "w"
    shutil.copytree(work, folder)
    before = _digests(folder)
    code, err = _cli(capsys, folder, *argv)
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and said in err, err
    assert _digests(folder) == before


# --- 5. a decision file of another run ------------------------------------------------------


def test_a_sensitivity_of_another_run_in_the_workbook(work, tmp_path, capsys):
    import pandas as pd

    for name in ("r", "other"):
        code, err = _cli(
            capsys, tmp_path, "sensitivity", work / f"{name}.nc", "--out", f"s_{name}.nc",
            "--boot", "0", "--pawn-boot", "0", "--quiet",
        )  # fmt: skip
        assert code == 0, err
    code, err = _cli(
        capsys, tmp_path, "export", work / "r.nc", "-o", "x.xlsx", "--sensitivity", "s_other.nc"
    )
    assert code == 2 and "--sensitivity s_other.nc: of another run" in err, err
    assert "seed 2; this run" in err and "--allow-other-run" in err
    assert not (tmp_path / "x.xlsx").exists()
    code, err = _cli(
        capsys, tmp_path, "export", work / "r.nc", "-o", "x.xlsx", "--sensitivity", "s_r.nc"
    )
    assert code == 0, err
    sheet = pd.read_excel(tmp_path / "x.xlsx", sheet_name="sensitivity", header=None)
    assert "other_run" not in set(sheet[0])
    # a VOI file has its own --seed; the run it was computed from is what counts
    code, err = _cli(
        capsys, tmp_path, "voi", work / "r.nc", "--parameter", "retention", "--seed", "5",
        "--out", "v.nc",
    )  # fmt: skip
    assert code == 0, err
    code, err = _cli(capsys, tmp_path, "export", work / "r.nc", "-o", "v.xlsx", "--voi", "v.nc")
    assert code == 0, err
    code, err = _cli(
        capsys, tmp_path, "export", work / "r.nc", "-o", "y.xlsx", "--sensitivity",
        "s_other.nc", "--allow-other-run",
    )  # fmt: skip
    assert code == 0, err
    sheet = pd.read_excel(tmp_path / "y.xlsx", sheet_name="sensitivity", header=None)
    row = sheet[sheet[0] == "other_run"]
    assert len(row) == 1 and "seed 2" in str(row.iloc[0, 1])


def test_a_design_of_another_run_on_the_report_page(work):
    from simrisk import api
    from simrisk.core.errors import SimriskError
    from simrisk.report._engine import footer_text

    with xr.open_dataset(work / "r.nc", engine="h5netcdf") as ds:
        run = ds.load()
    design = xr.Dataset(attrs={**run.attrs, "simrisk_kind": "simrisk.design", "draws": 400})
    assert api.attached(design, "--design d.nc", run) is design  # the same run: as it is
    other = design.assign_attrs(seed=run.attrs["seed"] + 1)
    with pytest.raises(SimriskError, match=r"--design d\.nc: of another run"):
        api.attached(other, "--design d.nc", run)
    few = design.assign_attrs(draws=10)
    with pytest.raises(SimriskError, match="holds 10 draws"):
        api.attached(few, "--design d.nc", run)
    marked = api.attached(other, "--design d.nc", run, allow_other_run=True)
    assert "OF ANOTHER RUN" in footer_text(marked, "en", 9)
    assert "FRA EN ANDEN KØRSEL" in footer_text(marked, "da", 9)
    assert "ANOTHER RUN" not in footer_text(design, "en", 9)


def test_replacing_renames_on_success_and_leaves_nothing_on_failure(tmp_path):
    """core.outputs.replacing: the one temp-then-rename writer (design's config, figures,
    the draws file, the HTML page)."""
    from simrisk.core.errors import SimriskError
    from simrisk.core.outputs import replacing

    target = tmp_path / "out.txt"
    target.write_text("old", encoding="utf-8")
    with replacing(target, "--output") as tmp:
        assert (
            tmp.parent == tmp_path and tmp.name.startswith(".out.txt.") and tmp.suffix == ".part"
        )
        tmp.write_text("new", encoding="utf-8")
        assert target.read_text(encoding="utf-8") == "old"  # not before the block ends
    assert target.read_text(encoding="utf-8") == "new"
    with pytest.raises(RuntimeError), replacing(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("interrupted")
    assert target.read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]
    with (
        pytest.raises(SimriskError, match=r"^--output .*out\.txt: cannot write"),
        replacing(target, "--output") as tmp,
    ):
        raise OSError(28, "No space left on device")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]
