"""Speed of simrisk monitor and simrisk evsi, as CPU-time ratios to a run of the same draws.

Issue 22's targets: ``monitor`` by weights on a 1,000,000-draw result in under
30 s of CPU; regression ``evsi`` for five values of n on 300,000 draws in
under 60 s of CPU. Under a shared machine's load wall-clock times mean little,
so this measures CPU time (``time.process_time``, all threads) of the run and
of each command in one process, and prints the ratios beside the seconds.

    python benchmarks/check_learn.py [DRAWS_MONITOR] [DRAWS_EVSI]

Exits 1 when a ratio is above its limit. The limits are the issue's targets
against this kind of machine's run speed (a run of 1,000,000 DSI draws takes
about 29 s of CPU on the CI's cores, 300,000 about 9 s): monitor / run <= 1.2
(30 s at 1,000,000 draws) and evsi / run <= 5 (60 s at 300,000). CI runs the
quick form, ``check_learn.py 200000 100000``.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OBSERVED = (
    "cohort,outcome_metric_id,result_type,period_end,"
    "number_engaged_in_impact_bond,number_with_positive_social_outcomes\n"
    "c2,engaged_at_6m,Interim,2028-03-31,224,160\n"
)


#: the largest CPU-time ratio to a run of the same draws (see the module's docstring)
LIMITS = {"monitor": 1.2, "evsi": 5.0}


def main() -> int:
    from simrisk.decision.evsi import evsi
    from simrisk.decision.monitor import monitor
    from simrisk.kinds.contract.engine import simulate
    from simrisk.kinds.contract.loader import load_scenario

    n_mon = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    n_evsi = int(sys.argv[2]) if len(sys.argv) > 2 else 300_000
    sc, text = load_scenario(ROOT / "configs" / "dsi_norddjurs.toml")
    simulate(sc, draws=10_000, seed=1, config_text=text)  # compile / load the kernel first
    t = time.process_time()
    ds = simulate(sc, draws=n_mon, seed=1, config_text=text)
    run_cpu = time.process_time() - t
    with tempfile.TemporaryDirectory() as d:
        obs = Path(d) / "o.csv"
        obs.write_text(OBSERVED, encoding="utf-8")
        t = time.process_time()
        r = monitor(ds, obs)
        mon_cpu = time.process_time() - t
    sub = ds.isel(draw=slice(0, n_evsi))
    t = time.process_time()
    e = evsi(sub, "binomial:retention", n=[10, 50, 100, 200, 350])
    evsi_cpu = time.process_time() - t
    run_sub = run_cpu * n_evsi / n_mon
    out = {
        "monitor": {
            "draws": n_mon,
            "path": r.path,
            "cpu_s": mon_cpu,
            "run_cpu_s": run_cpu,
            "ratio_to_run": mon_cpu / run_cpu,
            "target_cpu_s": 30,
        },
        "evsi": {
            "draws": n_evsi,
            "n": [row["n"] for row in e["evsi"]],
            "cpu_s": evsi_cpu,
            "run_cpu_s_same_draws": run_sub,
            "ratio_to_run": evsi_cpu / run_sub,
            "target_cpu_s": 60,
        },
    }
    print(json.dumps(out, indent=2))
    bad = [
        f"{k}: CPU {v['ratio_to_run']:.2f}x its run's, above {LIMITS[k]}"
        for k, v in out.items()
        if v["ratio_to_run"] > LIMITS[k]
    ]
    for line in bad:
        print(f"check_learn: {line}", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
