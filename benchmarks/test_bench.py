"""Checks of the benchmark harness itself (not collected by ``make test``, whose testpaths is
``tests/``): ``python -m pytest benchmarks -q``. Pure and fast: no subprocess, no timing, no R.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # noqa: E402
import synth  # noqa: E402
import tables  # noqa: E402


def _rec(tool, task, n, best=None, status="ok", result=None, **extra):
    rec = {"tool": tool, "task": task, "n": n, "status": status, "process_s": 1.0,
           "process_peak_mb": 100.0, "task_mb": 1.0}
    if best is not None:
        rec.update(best=best, times=[best, best * 1.1, best * 1.2])
    rec["result"] = result or {}
    rec.update(extra)
    return rec


@pytest.mark.by_hand
def test_synth_design_ties_events_and_determinism():
    a = synth.make_data(20_000)
    b = synth.make_data(20_000)
    assert set(a) == {"time", "event", "cause", *synth.COVARIATES}
    assert set(np.unique(a["cause"])) == {0.0, 1.0, 2.0}
    np.testing.assert_array_equal(a["cause"] > 0, a["event"] == 1)
    np.testing.assert_array_equal(a["time"], b["time"])  # same seed, same data
    assert a["time"].min() >= 1 and a["time"].max() <= synth.MAX_DAY
    np.testing.assert_array_equal(a["time"], np.round(a["time"]))  # integer days
    assert 0.65 < a["event"].mean() < 0.75  # "about 70 % events"
    assert np.unique(a["time"]).size < 1500  # heavy ties: far fewer days than rows
    assert set(np.unique(a["x3"])) == {0.0, 1.0}
    # administrative censoring: subjects still at risk after day 1500 are censored on it
    assert np.any((a["time"] == synth.MAX_DAY) & (a["event"] == 0))


@pytest.mark.by_hand
def test_write_and_read_round_trip(tmp_path):
    data = synth.make_data(1_000, covariates=False)
    synth.write_data(data, tmp_path / "d")
    back = synth.read_data(tmp_path / "d")
    assert list(back) == ["time", "event", "cause", "x3"]
    for name in data:
        np.testing.assert_array_equal(back[name], data[name])


@pytest.mark.by_hand
def test_parse_r_output():
    out = ("status\tok\ntimes\t0.5,0.25,0.3\nbest\t0.25\ntask_mb\tNA\n"
           "coef.x1\t0.30000000000000004\ncoef.x2\t-0.2\niterations\t4\n")
    rec = run._parse_r(out)
    assert rec["best"] == 0.25 and rec["times"] == [0.5, 0.25, 0.3]
    assert rec["task_mb"] is None
    assert rec["result"]["coef"] == {"x1": 0.30000000000000004, "x2": -0.2}
    assert run._parse_r("Error in library(survival)\n") is None


@pytest.mark.by_hand
def test_agreement_cox_relative_difference_and_check():
    ref = {"x1": 0.5, "x2": -0.25}
    recs = [
        _rec("R", "cox", 10, 1.0, result={"coef": ref}),
        # x2 off by 1e-7 relative (2.5e-8 absolute): within 1e-6
        _rec("oncocohort", "cox", 10, 0.1, result={"coef": {"x1": 0.5, "x2": -0.250000025}}),
        # x1 off by 2e-6 relative: fails the check
        _rec("oncocohort", "cox", 20, 0.1, result={"coef": {"x1": 0.500001, "x2": -0.25}}),
        _rec("R", "cox", 20, 1.0, result={"coef": ref}),
    ]
    rows = {(a["n"], a["tool"]): a for a in tables.agreement(recs)}
    assert rows[(10, "oncocohort")]["difference"] == pytest.approx(1e-7, rel=1e-6)
    assert rows[(10, "oncocohort")]["check"].startswith("PASS")
    assert rows[(20, "oncocohort")]["difference"] == pytest.approx(2e-6, rel=1e-6)
    assert rows[(20, "oncocohort")]["check"].startswith("FAIL")


@pytest.mark.by_hand
def test_agreement_km_in_days_and_nan_limits_match():
    r = {"median": 400.0, "lower": 390.0, "upper": math.nan}
    recs = [_rec("R", "km", 5, 1.0, result=r),
            _rec("oncocohort", "km", 5, 0.1, result={**r, "lower": 391.0}),
            _rec("lifelines", "km", 5, 0.1, result=dict(r))]
    rows = {a["tool"]: a for a in tables.agreement(recs)}
    assert rows["oncocohort"]["difference"] == 1.0  # one day off
    assert rows["oncocohort"]["check"].startswith("FAIL")
    assert rows["lifelines"]["difference"] == 0.0  # NaN upper limits on both sides agree
    assert "check" not in rows["lifelines"]  # peers are reported, not checked


@pytest.mark.by_hand
def test_goals_ratios_and_timeouts():
    n = 1_000_000
    recs = [
        _rec("oncocohort", "cox", n, 0.5),
        _rec("R", "cox", n, 2.0),  # 4x slower than oncocohort: >= 3x passes
        _rec("lifelines", "cox", n, status="timeout", timeout_s=120.0),
        _rec("oncocohort", "km", 10_000_000, 1.2),
    ]
    got = {g["goal"]: (g["measured"], g["verdict"]) for g in tables.goals(recs)}
    assert got["Cox Efron 1e6 x 5 in at most 1 s"] == ("0.500 s", "PASS")
    assert got["Cox Efron 1e6 x 5 >= 3x faster than R coxph"] == ("4.0x", "PASS")
    assert got["Cox Efron 1e6 x 5 >= 10x faster than lifelines"] == ("peer timed out", "PASS")
    assert got["Kaplan-Meier 1e7 rows under 1 s"] == ("1.200 s", "FAIL")
    assert tables.goals([])[0]["verdict"] == "n.a."


@pytest.mark.by_hand
def test_cells():
    assert tables.time_cell(_rec("R", "cox", 1, status="timeout", timeout_s=120.0)) == "> 120 s"
    one = _rec("R", "cox", 1, 12.34)
    one["times"] = [12.34]
    assert tables.time_cell(one) == "12.3 (1 run)"
    assert tables.time_cell(_rec("R", "cox", 1, 0.01234)) == "0.012"
    assert tables._ratio_cell(0.5, _rec("R", "cox", 1, 2.0)) == "4.0x"
    assert tables._ratio_cell(0.5, _rec("R", "cox", 1, status="timeout", timeout_s=120.0)) \
        == "> 240x"


@pytest.mark.by_hand
def test_render_has_every_section():
    recs = [_rec("oncocohort", "km", 10, 0.1, result={"median": 1.0, "lower": 1.0,
                                                      "upper": 2.0}),
            _rec("R", "km", 10, 0.2, result={"median": 1.0, "lower": 1.0, "upper": 2.0})]
    machine = {k: "x" for k in ("date_utc", "cpu", "memory_gib", "os", "python", "numpy",
                                 "openblas_core", "OPENBLAS_CORETYPE", "pandas", "scipy",
                                 "lifelines", "statsmodels")}
    machine["nproc"] = 2
    report = {"records": recs, "machine": machine, "command": "python benchmarks/run.py",
              "total_s": 1.0, "skipped": {"lifelines": "python package lifelines not importable"},
              "load_average": {"start": (0.1, 0.1, 0.1), "end": (3.0, 1.0, 1.0)}}
    md = tables.render(report)
    for heading in ("## Time", "## Peak memory", "## Agreement", "## Goals", "## Skipped"):
        assert heading in md
    assert "lifelines: skipped" in md
    assert "times are inflated" in md  # the load went above the core count
    assert "| Kaplan-Meier + median CI | 1e1 | 0.100 | 0.200 |" in md


def test_ipw_report_checks_agreement():
    import ipw_bench

    def rec(coef, se):
        return {"status": "ok", "best": 1.0, "process_s": 2.0, "task_mb": 1.0,
                "result": {"coef": coef, "se": se, "se_model": se}}

    report = {"machine": {"cpu": "x"}, "total_s": 1.0, "date": "d", "command": "c",
              "load_average": {"start": (0, 0, 0), "end": (0, 0, 0)},
              "rows": [{"n": 10, "oncocohort": rec(-0.5, 0.1), "R": rec(-0.5, 0.1)},
                       {"n": 20, "oncocohort": rec(-0.5, 0.1), "R": rec(-0.5001, 0.1)}]}
    lines = ipw_bench.render(report).splitlines()
    assert "PASS" in lines[-2] and "FAIL" in lines[-1]


@pytest.mark.by_hand
def test_competing_risk_tasks_agreement_goals_and_cells():
    n = 100_000
    coef = {"x1": 0.1, "x2": -0.2}
    r_fg = _rec("R", "finegray", n, 40.0, result={"coef": coef}, lower_bound=True)
    recs = [
        _rec("oncocohort", "finegray", n, 0.5, result={"coef": {"x1": 0.1, "x2": -0.2000001}}),
        r_fg,
        _rec("R", "cif", 10, 0.2, result={"statistic": 20.0, "cif": 0.3}),
        _rec("oncocohort", "cif", 10, 0.1, result={"statistic": 20.0, "cif": 0.30000003}),
        _rec("oncocohort", "aj", 10_000_000, 0.8),
        _rec("oncocohort", "rmst", 10_000_000, 1.5),
    ]
    rows = {(a["task"], a["tool"]): a for a in tables.agreement(recs)}
    assert rows[("finegray", "oncocohort")]["difference"] == pytest.approx(5e-7, rel=1e-6)
    assert rows[("finegray", "oncocohort")]["check"].startswith("PASS")
    assert rows[("cif", "oncocohort")]["difference"] == pytest.approx(1e-7, rel=1e-6)
    assert rows[("cif", "oncocohort")]["check"].startswith("FAIL")  # closed form: 1e-9
    got = {g["goal"]: (g["measured"], g["verdict"]) for g in tables.goals(recs)}
    fg = got["Fine-Gray 1e5 x 5 >= 5x faster than cmprsk::crr, equal coefficients"]
    assert fg == ("> 80.0x (crr not run: its estimation alone)", "PASS")
    assert got["Aalen-Johansen 1e7 rows under 1 s"] == ("0.800 s", "PASS")
    assert got["RMST 1e7 rows under 1 s"] == ("1.500 s", "FAIL")
    assert tables.time_cell(r_fg) == "> 40.0 (estimation only)"
    assert tables._ratio_cell(0.5, r_fg) == "> 80.0x"
    out = ("status\tok\ntimes\t40\nbest\t40\ntask_mb\t3\ncoef.x1\t0.1\nestimate_s\t40\n"
           "lower_bound\t1\n")
    parsed = run._parse_r(out)
    assert parsed["lower_bound"] and parsed["result"]["estimate_s"] == 40.0
