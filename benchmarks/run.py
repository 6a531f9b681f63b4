"""Statistics benchmark: oncocohort side by side with R survival, lifelines and statsmodels.

Usage (from the repository root; ``make bench`` runs it with the bench extras installed)::

    python benchmarks/run.py                      # full run: n = 1e4, 1e5, 1e6 and KM at 1e7
    python benchmarks/run.py --sizes 1000 --km-big 0 --no-write   # a smoke run in seconds

For each size and task (Kaplan-Meier + median CI, 2-group log-rank, Cox Efron with 5
covariates, cumulative incidence + Gray's test and Fine-Gray with 2 competing causes; at the
big size Kaplan-Meier, Aalen-Johansen and RMST, oncocohort only) and each tool that is
installed, one subprocess reads the shared synthetic data
(``synth.py``), times the call (best of ``--repeats``; a call slower than ``--slow`` s, or for
the peers at n >= 1e6 slower than 1 s, is run once) and reports its
result and memory. Peers that are missing are listed as such; a call that exceeds ``--timeout``
is killed and shown as "> T s". The Markdown report goes to stdout and, unless ``--no-write``,
to ``benchmarks/results/latest.md`` with the raw records in ``latest.json``. The exit code is 1
when oncocohort disagrees with R beyond the tolerances of ``tables.py`` (a missed speed goal is
reported, not an error).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import machine  # noqa: E402
import synth  # noqa: E402
import tables  # noqa: E402

TOOLS = ["oncocohort", "R", "lifelines", "statsmodels"]
TASKS = ["km", "logrank", "cox", "cif", "finegray"]
PEERS = {"R", "lifelines", "statsmodels"}
# the competing-risk tasks run against R cmprsk only (see stats_bench.PEER_TASKS); at the big
# size (--km-big, time/event/cause only) oncocohort alone runs these tasks
TASK_TOOLS = {"cif": {"oncocohort", "R"}, "finegray": {"oncocohort", "R"}}
BIG_TASKS = {"km": ["km"], "cif": ["aj", "rmst"]}  # asked-for task -> its big-size tasks
STARTUP_ALLOWANCE = 60.0  # seconds for interpreter start, imports and reading the data
THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
PEER_SLOW_AT_1E6 = 1.0  # at n >= 1e6 a peer's call slower than this is run once
# cmprsk::crr takes ~100 s at n = 1e4 and cmprsk's estimation alone minutes at 1e6
TASK_TIMEOUT = {"finegray": 900.0}


def _run_process(cmd: list[str], timeout: float, env: dict[str, str] | None = None) -> dict:
    """Run ``cmd``; return stdout, return code, wall time, peak RSS (``os.wait4``) and timeout."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True, env=env)
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            proc.kill()

        timer = threading.Timer(timeout, kill)
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        return {
            "stdout": out.read(),
            "stderr": err.read()[-2000:],
            "returncode": proc.returncode,
            "process_s": wall,
            "process_peak_mb": usage.ru_maxrss / 1024.0,  # ru_maxrss is in KiB on Linux
            "timed_out": killed.is_set(),
        }


def _parse_python(stdout: str) -> dict | None:
    for line in stdout.splitlines():
        if line.startswith("BENCH-RESULT "):
            return json.loads(line[len("BENCH-RESULT ") :])
    return None


def _parse_r(stdout: str) -> dict | None:
    values: dict[str, str] = {}
    for line in stdout.splitlines():
        if "\t" in line:
            key, value = line.split("\t", 1)
            values[key] = value.strip()
    if values.get("status") != "ok":
        return None
    record: dict = {"status": "ok", "best": float(values["best"])}
    record["times"] = [float(v) for v in values["times"].split(",")]
    record["task_mb"] = None if values["task_mb"] == "NA" else float(values["task_mb"])
    result: dict = {}
    coef = {k[5:]: float(v) for k, v in values.items() if k.startswith("coef.")}
    if coef:
        result["coef"] = coef
    for key in ("median", "lower", "upper", "statistic", "p_value", "iterations", "cif",
                "estimate_s", "crr_default_max_rel_diff"):
        if key in values:
            result[key] = float(values[key]) if values[key] != "NA" else float("nan")
    record["result"] = result
    record["lower_bound"] = values.get("lower_bound") == "1"  # crr not run: estimation only
    return record


def _available(tool: str) -> str | None:
    """None if ``tool`` can run here, else the reason it is skipped."""
    if tool == "R":
        if shutil.which("Rscript") is None:
            return "Rscript not found"
        probe = subprocess.run(
            ["Rscript", "-e", "quit(status = !requireNamespace('survival', quietly = TRUE))"],
            capture_output=True,
        )
        return None if probe.returncode == 0 else "R package survival not installed"
    module = {"oncocohort": "oncocohort.stats"}.get(tool, tool)
    probe = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True)
    return None if probe.returncode == 0 else f"python package {tool} not importable"


def bench_one(tool: str, task: str, folder: Path, n: int, args: argparse.Namespace) -> dict:
    """Run one (tool, task, data set) in a subprocess and return its record."""
    repeats = args.repeats
    slow = min(args.slow, PEER_SLOW_AT_1E6) if (tool in PEERS and n >= 1_000_000) else args.slow
    if tool == "R":
        cmd = ["Rscript", str(HERE / "r_bench.R"), task, str(folder), str(repeats), str(slow)]
    else:
        cmd = [sys.executable, str(HERE / "worker.py"), "--tool", tool, "--task", task]
        cmd += ["--data", str(folder), "--repeats", str(repeats), "--slow", str(slow)]
    # every call but the last is faster than `slow`, the last is allowed `timeout`
    env = None
    if args.blas_threads:
        env = os.environ | {var: str(args.blas_threads) for var in THREAD_VARS}
    timeout = max(args.timeout, TASK_TIMEOUT.get(task, 0.0) if tool == "R" else 0.0)
    proc = _run_process(cmd, timeout + (repeats - 1) * slow + STARTUP_ALLOWANCE, env)
    base = {"tool": tool, "task": task, "n": n, "repeats_asked": repeats, "slow_s": slow}
    base.update({k: proc[k] for k in ("process_s", "process_peak_mb")})
    if proc["timed_out"]:
        return base | {"status": "timeout", "timeout_s": timeout}
    record = (_parse_r if tool == "R" else _parse_python)(proc["stdout"])
    if record is None:
        return base | {"status": "error", "error": proc["stderr"].strip()[-500:]}
    return base | record


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_all(args: argparse.Namespace) -> dict:
    """Run every (size, task, tool) asked for; return machine, records and skipped tools."""
    skipped = {tool: why for tool in args.tools if (why := _available(tool))}
    tools = [tool for tool in args.tools if tool not in skipped]
    for tool, why in skipped.items():
        _log(f"skipping {tool}: {why}")
    records = []
    for n in args.sizes:
        folder, meta = synth.ensure_data(args.data_dir, n)
        _log(f"n = {n}: {meta['event_fraction']:.1%} events, {meta['distinct_times']} days")
        for task in args.tasks:
            for tool in tools:
                if tool not in TASK_TOOLS.get(task, {tool}):
                    continue
                rec = bench_one(tool, task, folder, n, args)
                records.append(rec)
                _log(f"  {task:8s} {tool:12s} {tables.time_cell(rec):>14s}")
    if args.km_big and "oncocohort" in tools:
        folder, _ = synth.ensure_data(args.data_dir, args.km_big, covariates=False)
        for task in [t for asked, big in BIG_TASKS.items() if asked in args.tasks for t in big]:
            rec = bench_one("oncocohort", task, folder, args.km_big, args)
            records.append(rec)
            _log(f"  {task:8s} oncocohort   {tables.time_cell(rec):>14s}  (n = {args.km_big})")
    # ru_maxrss of a child counts the launcher's pages it had at fork: measure that floor
    floor = _run_process(["true"], 10.0)["process_peak_mb"]
    return {"machine": machine.describe_machine(), "records": records, "skipped": skipped,
            "launcher_floor_mb": floor}


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000",
                        help="comma-separated row counts (default %(default)s)")
    parser.add_argument("--km-big", type=int, default=10_000_000,
                        help="rows for the oncocohort-only Kaplan-Meier, Aalen-Johansen and "
                        "RMST (0 to skip)")
    parser.add_argument("--tools", default=",".join(TOOLS))
    parser.add_argument("--tasks", default=",".join(TASKS))
    parser.add_argument("--repeats", type=int, default=3, help="best of this many calls")
    parser.add_argument("--slow", type=float, default=10.0,
                        help="a call slower than this (s) is not repeated")
    parser.add_argument("--timeout", type=float, default=120.0, help="per-call time limit (s)")
    parser.add_argument("--blas-threads", type=int, default=1,
                        help="OPENBLAS/OMP/MKL_NUM_THREADS for every tool (default 1, as R's "
                        "reference BLAS; 0 leaves the libraries' defaults)")
    parser.add_argument("--data-dir", type=Path, default=HERE / ".cache")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    args.sizes = [int(float(s)) for s in args.sizes.split(",") if s]
    args.tools = [t for t in args.tools.split(",") if t]
    args.tasks = [t for t in args.tasks.split(",") if t]
    for name, values, allowed in (("tool", args.tools, TOOLS), ("task", args.tasks, TASKS)):
        unknown = sorted(set(values) - set(allowed))
        if unknown:
            parser.error(f"unknown {name}(s) {unknown}; expected some of {allowed}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    started = time.perf_counter()
    load_start = os.getloadavg()
    report = run_all(args)
    report["total_s"] = time.perf_counter() - started
    # other work on the machine inflates every time: record the 1/5/15-min load averages
    report["load_average"] = {"start": load_start, "end": os.getloadavg()}
    report["blas_threads"] = args.blas_threads or "library default"
    report["command"] = "python benchmarks/run.py " + " ".join(argv or sys.argv[1:])
    markdown = tables.render(report)
    print(markdown)
    if not args.no_write:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "latest.md").write_text(markdown)
        (args.out / "latest.json").write_text(json.dumps(report, indent=1, default=str) + "\n")
        _log(f"wrote {args.out / 'latest.md'} and {args.out / 'latest.json'}")
    rows = tables.agreement(report["records"])
    failed = [a for a in rows if a.get("check", "").startswith("FAIL")]
    for a in failed:
        _log(f"DISAGREEMENT with R: {a['task']} n={a['n']}: {a['measure']} = {a['difference']:.3g}")
    return 1 if failed else 0  # missed speed goals are reported, not an error


if __name__ == "__main__":
    raise SystemExit(main())
