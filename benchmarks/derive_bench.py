"""Time every derivation of ``oncocohort.derive.study.derive_study`` on the demo and at scale.

The demo study (87 selected patients) is loaded from the bundled files; the large inputs are
:func:`oncocohort.simulate.simulate_escc` cohorts (all simulated patients, no cohort
selection, so the sizes are exact). Each derivation is called as ``derive_study`` calls it,
with the demo study's options, and timed on its own with ``time.perf_counter`` (best of
``--repeat`` runs; generating the data is not timed).

    .venv/bin/python benchmarks/derive_bench.py                      # demo, 1k, 10k, 100k
    .venv/bin/python benchmarks/derive_bench.py --sizes 1000 --repeat 3

Prints a Markdown table: one row per derivation, one column per size (seconds).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import pandas as pd

from oncocohort.derive.dates import derive_named_dates
from oncocohort.derive.endpoints import derive_param_tte
from oncocohort.derive.exposure import derive_exposure, derive_prior_therapy
from oncocohort.derive.recist import derive_overall_records, derive_visit_response
from oncocohort.derive.response import derive_best_response
from oncocohort.derive.safety import derive_ae
from oncocohort.derive.study import DeriveOptions
from oncocohort.derive.subgroups import derive_subgroup_variables
from oncocohort.study.cohort import select_patients
from oncocohort.study.demo import demo_spec_path
from oncocohort.study.load import load_study

#: The derivations this benchmark targets (vectorised); the others are timed for reference.
MINE = ("visit_response", "overall_records", "best_response", "exposure")


def _steps(options: DeriveOptions,
           t: dict[str, pd.DataFrame]) -> list[tuple[str, Callable[[], object]]]:
    """(name, zero-argument call) in ``derive_study`` order; later steps use earlier results."""
    r_opts, t_opts, s_opts = options.response, options.time, options.safety
    cutoff = pd.Timestamp(options.data_cutoff)
    regimen = options.regimen
    days_per_month = t_opts.days_per_month
    out: dict[str, object] = {}

    def step(name, fn):
        def run():
            out[name] = fn()
        return name, run

    p = t["patients"]
    return [
        step("visit_response", lambda: derive_visit_response(t["lesions"], p, options=r_opts)),
        step("overall_records", lambda: derive_overall_records(out["visit_response"])),
        step("best_response", lambda: derive_best_response(
            out["overall_records"], p, t["therapy_lines"], visits=out["visit_response"],
            options=r_opts)),
        step("named_dates", lambda: derive_named_dates(
            p, out["best_response"], t["therapy_lines"], data_cutoff=cutoff,
            assessments=out["overall_records"])),
        step("tte", lambda: [derive_param_tte(out["named_dates"], ep, options=t_opts)
                             for ep in options.endpoints]),
        step("exposure", lambda: derive_exposure(
            t["therapy"], p, regimen=regimen.drugs, cycle_days=regimen.cycle_days,
            delay_days=regimen.delay_days, days_per_month=days_per_month, data_cutoff=cutoff)),
        step("prior_therapy", lambda: derive_prior_therapy(
            t["therapy_lines"], p, days_per_month=days_per_month)),
        step("adverse_events", lambda: derive_ae(t["adverse_events"], p, options=s_opts,
                                                 therapy=t["therapy"])),
    ]


def time_steps(options: DeriveOptions, tables: dict[str, pd.DataFrame],
               repeat: int = 1) -> dict[str, float]:
    """Best-of-``repeat`` seconds of each derivation."""
    best: dict[str, float] = {}
    for _ in range(repeat):
        for name, run in _steps(options, tables):
            start = time.perf_counter()
            run()
            best[name] = min(best.get(name, float("inf")), time.perf_counter() - start)
    return best


def demo_tables() -> tuple[DeriveOptions, dict[str, pd.DataFrame]]:
    """The demo's derivation options and its selected patients' tables (as ``derive_study``
    sees them)."""
    loaded = load_study(demo_spec_path())
    options, data = loaded.options.derive, loaded.data
    selection = select_patients(loaded.options, data.patients)
    patients = derive_subgroup_variables(selection.selected,
                                         options.subgroups).reset_index(drop=True)
    ids = set(patients["subject_id"])
    tables = {name: getattr(data, name) for name in
              ("lesions", "therapy", "therapy_lines", "adverse_events")}
    tables = {k: v[v["subject_id"].isin(ids)].reset_index(drop=True) for k, v in tables.items()}
    return options, {"patients": patients, **tables}


def simulated_tables(n: int) -> dict[str, pd.DataFrame]:
    from oncocohort.simulate import simulate_escc

    return simulate_escc(n_patients=n)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000",
                    help="comma-separated simulated cohort sizes (patients)")
    ap.add_argument("--repeat", type=int, default=1, help="best of this many runs")
    ap.add_argument("--no-demo", action="store_true", help="skip the demo cohort")
    args = ap.parse_args(argv)
    options, demo = demo_tables()
    columns: dict[str, dict[str, float]] = {}
    rows: dict[str, int] = {}
    if not args.no_demo:
        columns[f"demo ({len(demo['patients'])})"] = time_steps(options, demo, args.repeat)
    for n in (int(s) for s in args.sizes.split(",") if s):
        tables = simulated_tables(n)
        rows[f"{n:,}"] = len(tables["lesions"])
        columns[f"{n:,}"] = time_steps(options, tables, args.repeat)
    names = list(next(iter(columns.values())))
    print("| derivation | " + " | ".join(columns) + " |")
    print("|---|" + "---:|" * len(columns))
    for name in names:
        mark = " *" if name in MINE else ""
        print(f"| {name}{mark} | " + " | ".join(f"{c[name]:.3f}" for c in columns.values()) + " |")
    for label, subset in (("total *", MINE), ("total (all)", names)):
        print(f"| {label} | " + " | ".join(f"{sum(c[k] for k in subset):.3f}"
                                         for c in columns.values()) + " |")
    if rows:
        print("\nlesion rows: " + ", ".join(f"{k} patients: {v:,}" for k, v in rows.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
