"""Profile one oncocohort statistic on the benchmark data with cProfile (where the time goes).

Usage::

    python benchmarks/profile_stats.py cox --n 1000000 [--top 25] [--sort tottime]

Builds (or reuses) the data set of ``synth.py`` under ``benchmarks/.cache``, calls the
oncocohort function once to warm up, then once under ``cProfile``, and prints the ``--top``
entries (function, file:line) sorted by ``--sort`` (``tottime`` = own time, ``cumulative``).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import stats_bench  # noqa: E402
import synth  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("task", choices=stats_bench.TASKS)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="tottime", choices=["tottime", "cumulative"])
    parser.add_argument("--data-dir", type=Path, default=HERE / ".cache")
    args = parser.parse_args(argv)
    folder, _ = synth.ensure_data(args.data_dir, args.n)
    call = stats_bench.prepare("oncocohort", args.task, synth.read_data(folder))
    call()
    profiler = cProfile.Profile()
    profiler.runcall(call)
    pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
