"""Benchmark: propensity weighting + weighted robust Cox, oncocohort side by side with R.

Usage (from the repository root)::

    python benchmarks/ipw_bench.py                         # n = 1e4, 1e5, 1e6
    python benchmarks/ipw_bench.py --sizes 10000 --no-write  # smoke run

The task, timed as one call in each tool (data reading outside the timer):

1. propensity score of ``x3`` on ``x1 x2 x4 x5`` by logistic regression
   (oncocohort ``propensity_scores``; R ``glm(family = binomial)``);
2. stabilised ATE weights (``propensity_weights``; R by formula);
3. Cox, Efron ties, on ``x3`` with those weights and the robust (sandwich) variance
   (``cox(..., weights=, robust=True)``; R ``coxph(..., weights = w, robust = TRUE)``).

Data: ``synth.py`` (the statistics benchmark's data; ``x3`` is randomised there, so the
weights stay near 1 -- the work is the same as with confounding). Each tool runs in its own
subprocess (``run.py``'s ``_run_process``: wall time, peak RSS), best of ``--repeats``;
memory "extra" is the peak RSS during the calls over the RSS before, as in ``worker.py``.
Agreement: relative difference of the coefficient and of the robust SE from R's (oncocohort
must be within 1e-6; R's glm stops at its default 1e-8 deviance tolerance).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import machine  # noqa: E402
import synth  # noqa: E402
from run import THREAD_VARS, _parse_r, _run_process  # noqa: E402
from worker import _reset_peak, _status_kb  # noqa: E402

TOL = 1e-6


def _oncocohort_call(data):
    import pandas as pd

    from oncocohort.stats import cox, propensity_scores, propensity_weights

    frame = pd.DataFrame({k: data[k] for k in ("time", "event", "x1", "x2", "x3", "x4", "x5")})
    frame["event"] = frame["event"].astype("int64")

    def run() -> dict:
        ps = propensity_scores(frame, treatment="x3", covariates=["x1", "x2", "x4", "x5"])
        w = propensity_weights(ps, frame["x3"].to_numpy(), estimand="ATE", stabilize=True)
        fit = cox(frame.assign(w=w), time="time", event="event", covariates=["x3"],
                  weights="w", robust=True)
        return {"coef": float(fit.table.at["x3", "coef"]), "se": float(fit.table.at["x3", "se"]),
                "se_model": float(fit.table.at["x3", "se_model"])}

    return run


def worker(folder: Path, repeats: int, slow: float) -> dict:
    data = synth.read_data(folder)
    call = _oncocohort_call(data)
    gc.collect()
    rss_before = _status_kb("VmRSS")
    reset = _reset_peak()
    times, result = [], {}
    for _ in range(repeats):
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
        if times[-1] > slow:
            break
    return {"status": "ok", "times": times, "best": min(times), "result": result,
            "task_mb": (_status_kb("VmHWM") - rss_before) / 1024.0 if reset else None}


def bench(tool: str, folder: Path, args) -> dict:
    if tool == "R":
        cmd = ["Rscript", str(HERE / "r_ipw_bench.R"), str(folder), str(args.repeats),
               str(args.slow)]
    else:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", str(folder),
               "--repeats", str(args.repeats), "--slow", str(args.slow)]
    env = os.environ | {var: "1" for var in THREAD_VARS}
    proc = _run_process(cmd, args.timeout, env)
    base = {"tool": tool, "process_s": proc["process_s"],
            "process_peak_mb": proc["process_peak_mb"]}
    if proc["timed_out"]:
        return base | {"status": "timeout"}
    if tool == "R":
        rec = _parse_r(proc["stdout"])
        if rec is not None:
            lines = [x for x in proc["stdout"].splitlines() if "\t" in x]
            values = dict(x.split("\t", 1) for x in lines)
            rec["result"] = {k: float(values[k]) for k in ("coef", "se", "se_model")}
    else:
        lines = [x for x in proc["stdout"].splitlines() if x.startswith("BENCH-RESULT ")]
        rec = json.loads(lines[0][13:]) if lines else None
    if rec is None:
        return base | {"status": "error", "error": proc["stderr"][-500:]}
    return base | rec


def render(report: dict) -> str:
    m = report["machine"]
    out = ["## Propensity weighting + weighted robust Cox", "",
           f"Run of {report['date']}; {m.get('cpu', '')}; command `{report['command']}`; "
           f"whole run {report['total_s']:.0f} s; BLAS threads 1; load average at start "
           f"{', '.join(f'{x:.2f}' for x in report['load_average']['start'])}, at end "
           f"{', '.join(f'{x:.2f}' for x in report['load_average']['end'])}.", "",
           "| n | oncocohort (s) | R glm + coxph (s) | R whole process (s) | R / onco | "
           "extra MiB onco / R | coef rel. diff | robust SE rel. diff | check |",
           "|---|---|---|---|---|---|---|---|---|"]
    for row in report["rows"]:
        o, r = row["oncocohort"], row["R"]
        if o.get("status") != "ok" or r.get("status") != "ok":
            def cell(x):
                if x.get("status") == "ok":
                    return f"{x['best']:.3f}"
                return f"> {report.get('timeout', 600):.0f} (killed)" if x.get(
                    "status") == "timeout" else str(x.get("status"))
            out.append(f"| {row['n']:.0e} | {cell(o)} | {cell(r)} | | | | | | not compared |")
            continue
        dc = abs(o["result"]["coef"] / r["result"]["coef"] - 1)
        ds = abs(o["result"]["se"] / r["result"]["se"] - 1)
        ok = "PASS" if max(dc, ds) <= TOL else "FAIL"
        out.append(
            f"| {row['n']:.0e} | {o['best']:.3f} | {r['best']:.3f} | {r['process_s']:.2f} | "
            f"{r['best'] / o['best']:.1f}x | {o['task_mb'] or 0:.0f} / {r['task_mb'] or 0:.0f} | "
            f"{dc:.1e} | {ds:.1e} | {ok} (<= 1e-06) |")
    return "\n".join(out) + "\n"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--worker", type=Path)
    p.add_argument("--sizes", default="10000,100000,1000000")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--slow", type=float, default=10.0)
    p.add_argument("--timeout", type=float, default=600.0)
    p.add_argument("--data-dir", type=Path, default=HERE / ".cache")
    p.add_argument("--out", type=Path, default=HERE / "results")
    p.add_argument("--no-write", action="store_true")
    p.add_argument("--render", type=Path, help="re-render a saved ipw_latest.json")
    args = p.parse_args(argv)
    if args.render:
        print(render(json.loads(args.render.read_text())))
        return 0
    if args.worker:
        print("BENCH-RESULT " + json.dumps(worker(args.worker, args.repeats, args.slow)))
        return 0
    started, load = time.perf_counter(), os.getloadavg()
    rows = []
    for n in [int(float(s)) for s in args.sizes.split(",") if s]:
        folder, _ = synth.ensure_data(args.data_dir, n)
        row = {"n": n}
        for tool in ("oncocohort", "R"):
            row[tool] = bench(tool, folder, args)
            print(f"n={n} {tool}: {row[tool].get('best', row[tool].get('status'))}",
                  file=sys.stderr, flush=True)
        rows.append(row)
    report = {"machine": machine.describe_machine(), "rows": rows, "timeout": args.timeout,
              "total_s": time.perf_counter() - started,
              "load_average": {"start": load, "end": os.getloadavg()},
              "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
              "command": "python benchmarks/ipw_bench.py " + " ".join(argv or sys.argv[1:])}
    text = render(report)
    print(text)
    if not args.no_write:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "ipw_latest.md").write_text(text)
        (args.out / "ipw_latest.json").write_text(json.dumps(report, indent=1, default=str))
    failed = [r for r in rows if "FAIL" in render({**report, "rows": [r]})]
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
