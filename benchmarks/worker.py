"""Run one (Python tool, task, data set) in this process and print one JSON line.

Started by ``run.py`` as a subprocess, so that each task's memory is measured in a fresh
process and a hung peer can be killed. Output: a single line ``BENCH-RESULT {json}`` on stdout.

Timing: ``time.perf_counter`` around the call only (data are read and the tool's input frame is
built before); best of ``--repeats``; a call slower than ``--slow`` seconds is not repeated.

Memory (Linux): after the data are loaded and the inputs prepared, the process's peak-RSS mark
is reset (``echo 5 > /proc/self/clear_refs``), then ``VmHWM`` from ``/proc/self/status`` after
the calls gives the peak during the calls; ``task_mb`` is that peak minus the RSS at the reset,
i.e. the extra resident memory the call needed on top of its inputs. ``run.py`` also records the
whole process's ``ru_maxrss`` (``os.wait4``), which includes the interpreter, imports and data.
"""

from __future__ import annotations

import argparse
import gc
import json
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import stats_bench  # noqa: E402
import synth  # noqa: E402


def _status_kb(field: str) -> float:
    text = Path("/proc/self/status").read_text()
    match = re.search(rf"^{field}:\s+(\d+) kB", text, flags=re.MULTILINE)
    return float(match.group(1)) if match else float("nan")


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def run(tool: str, task: str, folder: Path, repeats: int, slow: float) -> dict:
    """Time ``repeats`` calls (fewer when one is slower than ``slow`` s); return the record."""
    record: dict = {"tool": tool, "task": task}
    data = synth.read_data(folder)
    try:
        call = stats_bench.prepare(tool, task, data)
    except ImportError as exc:
        record.update(status="missing", error=f"{type(exc).__name__}: {exc}")
        return record
    gc.collect()
    rss_before = _status_kb("VmRSS")
    record["peak_reset"] = _reset_peak()
    times: list[float] = []
    result: dict = {}
    try:
        for _ in range(repeats):
            start = time.perf_counter()
            result = call()
            times.append(time.perf_counter() - start)
            if times[-1] > slow:
                break
    except Exception as exc:  # a failing peer is reported, not fatal for the run
        record.update(status="error", error=f"{type(exc).__name__}: {exc}"[:500])
        return record
    record.update(
        status="ok",
        times=times,
        best=min(times),
        result=result,
        task_mb=(_status_kb("VmHWM") - rss_before) / 1024.0 if record["peak_reset"] else None,
    )
    return record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tool", required=True, choices=stats_bench.TOOLS_PY)
    parser.add_argument("--task", required=True, choices=stats_bench.TASKS)
    parser.add_argument("--data", required=True, type=Path)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--slow", type=float, default=10.0)
    args = parser.parse_args(argv)
    record = run(args.tool, args.task, args.data, args.repeats, args.slow)
    print("BENCH-RESULT " + json.dumps(record), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
