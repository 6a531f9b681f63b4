"""Markdown report of a benchmark run: timings, memory, agreement with R, goals.

Agreement is always measured against R survival (the reference implementation):

* Cox: ``max_j |b_j - b_j^R| / |b_j^R|`` over the five coefficients (all true effects are far
  from 0, see ``synth.py``); oncocohort must be within 1e-6 (R's default convergence,
  ``eps = 1e-9`` on the relative log-likelihood change, leaves the Newton iterate far closer
  than that to the maximum, so a larger difference is a real disagreement).
* Kaplan-Meier: largest absolute difference (days) among median, lower and upper limits.
* Log-rank: relative difference of the chi-square statistic.
* Cumulative incidence: the larger relative difference of Gray's statistic (cause 1) and of
  the cause-1 incidence of group 0 at day 365, against R ``cmprsk::cuminc``.
* Fine-Gray: ``max_j |b_j - b_j^R| / |b_j^R|`` against cmprsk's estimating equations solved
  to full convergence in ``r_bench.R`` (crr's default stop is ~1e-6 short).

oncocohort's tolerances are in ``TOLERANCE``; the peers' differences are only reported.
"""

from __future__ import annotations

import math

__all__ = ["render", "time_cell", "agreement", "goals"]

TOOLS = ["oncocohort", "R", "lifelines", "statsmodels"]
TASK_LABEL = {"km": "Kaplan-Meier + median CI", "logrank": "log-rank, 2 groups",
              "cox": "Cox Efron, 5 covariates",
              "cif": "cumulative incidence + Gray, 2 causes",
              "finegray": "Fine-Gray, 5 covariates",
              "aj": "Aalen-Johansen, 2 causes", "rmst": "RMST, 2 groups + contrasts"}
COX_REL_TOL = 1e-6
# oncocohort's tolerance per task: Cox, see above; the median and its limits are event days,
# so the same day must be picked; the log-rank chi-square is a closed-form sum, so only the
# floating-point summation order may differ (observed differences between the peers: ~1e-14).
TOLERANCE = {"cox": COX_REL_TOL, "km": 0.0, "logrank": 1e-9, "cif": 1e-9,
             "finegray": COX_REL_TOL}


def _fmt_s(seconds: float) -> str:
    if seconds >= 100:
        return f"{seconds:.0f}"
    if seconds >= 10:
        return f"{seconds:.1f}"
    if seconds >= 0.01:
        return f"{seconds:.3f}"
    return f"{seconds:.4f}"


def time_cell(rec: dict | None) -> str:
    """Best time in seconds; '(1 run)' when repeated fewer than 3 times; status otherwise."""
    if rec is None:
        return "-"
    status = rec.get("status")
    if status == "timeout":
        return f"> {rec['timeout_s']:.0f} s"
    if status != "ok":
        return status or "error"
    cell = _fmt_s(rec["best"])
    if rec.get("lower_bound"):
        return f"> {cell} (estimation only)"
    runs = len(rec.get("times", []))
    return cell + (f" ({runs} run)" if runs == 1 else "")


def _mem_cell(rec: dict | None) -> str:
    if rec is None or rec.get("status") != "ok":
        return "-"
    task = rec.get("task_mb")
    task_txt = "?" if task is None else f"{max(task, 0.0):.0f}"
    return f"{task_txt} / {rec['process_peak_mb']:.0f}"


def _index(records: list[dict]) -> dict[tuple[str, int, str], dict]:
    return {(r["task"], r["n"], r["tool"]): r for r in records}


def _result(idx: dict, task: str, n: int, tool: str) -> dict | None:
    rec = idx.get((task, n, tool))
    return rec["result"] if rec and rec.get("status") == "ok" else None


def _order(key: tuple[str, int, str]) -> tuple[int, int, int]:
    return list(TASK_LABEL).index(key[0]), key[1], TOOLS.index(key[2])


def agreement(records: list[dict]) -> list[dict]:
    """One row per (task, n, tool != R) with the difference from R defined in the module doc."""
    idx = _index(records)
    rows = []
    for task, n, tool in sorted(idx, key=_order):
        ref, res = _result(idx, task, n, "R"), _result(idx, task, n, tool)
        if tool == "R" or ref is None or res is None:
            continue
        if task in ("cox", "finegray"):
            diff = max(abs(res["coef"][k] - v) / abs(v) for k, v in ref["coef"].items())
            kind = "max rel. coef diff"
        elif task == "cif":
            diff = max(abs(res[k] - ref[k]) / abs(ref[k]) for k in ("statistic", "cif"))
            kind = "max rel. diff, Gray chi-square & CIF(365)"
        elif task == "km":
            diff = max(abs(res[k] - ref[k]) if not (math.isnan(res[k]) and math.isnan(ref[k]))
                       else 0.0 for k in ("median", "lower", "upper"))
            kind = "max abs diff (days), median & CI"
        else:
            diff = abs(res["statistic"] - ref["statistic"]) / abs(ref["statistic"])
            kind = "rel. chi-square diff"
        row = {"task": task, "n": n, "tool": tool, "measure": kind, "difference": diff}
        if tool == "oncocohort":
            tol = TOLERANCE[task]
            row["check"] = f"{'PASS' if diff <= tol else 'FAIL'} (<= {tol:g})"
        rows.append(row)
    return rows


def _best(idx: dict, task: str, n: int, tool: str) -> float | None:
    rec = idx.get((task, n, tool))
    if rec is None:
        return None
    if rec.get("status") == "timeout":
        return math.inf
    return rec["best"] if rec.get("status") == "ok" else None


def goals(records: list[dict], km_big: int = 10_000_000, cox_n: int = 1_000_000) -> list[dict]:
    """The targets of issue 3, each with the measured value and PASS / FAIL / n.a."""
    idx = _index(records)
    onco = _best(idx, "cox", cox_n, "oncocohort")
    r_cox, ll_cox = _best(idx, "cox", cox_n, "R"), _best(idx, "cox", cox_n, "lifelines")
    km = _best(idx, "km", km_big, "oncocohort")
    fg_n = 100_000
    fg, crr = _best(idx, "finegray", fg_n, "oncocohort"), _best(idx, "finegray", fg_n, "R")
    crr_ratio = None if fg is None or crr is None or fg == 0 else crr / fg
    fg_agree = [a for a in agreement([r for r in records if r["task"] == "finegray"])
                if a["n"] == fg_n and a["tool"] == "oncocohort"]

    def ratio(peer: float | None) -> float | None:
        return None if peer is None or onco is None or onco == 0 else peer / onco

    items = [
        ("Cox Efron 1e6 x 5 in at most 1 s", onco, "s", lambda v: v <= 1.0),
        ("Cox Efron 1e6 x 5 >= 3x faster than R coxph", ratio(r_cox), "x", lambda v: v >= 3.0),
        ("Cox Efron 1e6 x 5 >= 10x faster than lifelines", ratio(ll_cox), "x", lambda v: v >= 10),
        ("Kaplan-Meier 1e7 rows under 1 s", km, "s", lambda v: v < 1.0),
        ("Fine-Gray 1e5 x 5 >= 5x faster than cmprsk::crr, equal coefficients", crr_ratio, "x",
         lambda v: v >= 5.0 and bool(fg_agree) and fg_agree[0]["check"].startswith("PASS")),
        ("Aalen-Johansen 1e7 rows under 1 s", _best(idx, "aj", km_big, "oncocohort"), "s",
         lambda v: v < 1.0),
        ("RMST 1e7 rows under 1 s", _best(idx, "rmst", km_big, "oncocohort"), "s",
         lambda v: v < 1.0),
    ]
    rows = []
    for label, value, unit, ok in items:
        if value is None:
            rows.append({"goal": label, "measured": "not measured", "verdict": "n.a."})
            continue
        if math.isinf(value):
            shown = "peer timed out" if unit == "x" else "timed out"
        else:
            shown = f"{_fmt_s(value)} s" if unit == "s" else f"{value:.1f}x"
        if unit == "x" and label.startswith("Fine-Gray"):
            rec = idx.get(("finegray", fg_n, "R"))
            if rec and rec.get("lower_bound"):
                shown = "> " + shown + " (crr not run: its estimation alone)"
        rows.append({"goal": label, "measured": shown, "verdict": "PASS" if ok(value) else "FAIL"})
    return rows


def _ratio_cell(onco: float | None, peer: dict | None) -> str:
    """How many times slower the peer is than oncocohort ('> Nx' when the peer timed out)."""
    if not onco or peer is None:
        return "-"
    if peer.get("status") == "timeout":
        return f"> {peer['timeout_s'] / onco:.0f}x"
    if peer.get("status") != "ok":
        return "-"
    return ("> " if peer.get("lower_bound") else "") + f"{peer['best'] / onco:.1f}x"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _n(n: int) -> str:
    exp = math.log10(n) if n > 0 else 0
    return f"1e{exp:.0f}" if n > 0 and exp.is_integer() else f"{n:,}"


def _load_line(load: dict | None, nproc: int) -> str:
    if not load:
        return ""
    start, end = (", ".join(f"{v:.2f}" for v in load[k]) for k in ("start", "end"))
    busy = max(load["start"][0], load["end"][0], load["end"][1]) > nproc - 0.5
    return (f"Load average (1, 5, 15 min) at start {start}, at end {end}"
            + (": other processes competed for the cores, times are inflated." if busy
               else "."))


def render(report: dict) -> str:
    """The Markdown report (machine, timings, memory, agreement, goals, skipped tools)."""
    records, m = report["records"], report["machine"]
    idx = _index(records)
    keys = sorted({(r["task"], r["n"]) for r in records},
                  key=lambda k: (list(TASK_LABEL).index(k[0]), k[1]))
    out = [f"# oncocohort statistics benchmark ({m['date_utc']})", ""]
    out += [
        f"Machine: {m['nproc']} cores, {m['cpu']}, {m['memory_gib']} GiB; {m['os']}.",
        f"Python {m['python']}, numpy {m['numpy']} (OpenBLAS kernel {m['openblas_core']}; "
        f"OPENBLAS_CORETYPE={m['OPENBLAS_CORETYPE']}), pandas {m['pandas']}, "
        f"scipy {m['scipy']}, lifelines {m['lifelines']}, statsmodels {m['statsmodels']}; "
        f"{m.get('r_version')}, survival {m.get('survival_version')}.",
        f"Command: `{report['command'].strip()}`; whole run {report['total_s']:.0f} s; "
        f"BLAS threads: {report.get('blas_threads', 'library default')}.",
        _load_line(report.get("load_average"), m["nproc"]),
        "",
        "## Time (seconds, best of 3; slow calls run once)",
        "",
    ]
    rows = []
    for task, n in keys:
        cells = [time_cell(idx.get((task, n, tool))) for tool in TOOLS]
        r_rec = idx.get((task, n, "R"))
        r_proc = _fmt_s(r_rec["process_s"]) if r_rec and r_rec.get("status") == "ok" else "-"
        onco = _best(idx, task, n, "oncocohort")
        peers = [_ratio_cell(onco, idx.get((task, n, tool))) for tool in ("R", "lifelines")]
        rows.append([TASK_LABEL[task], _n(n), *cells[:2], r_proc, *cells[2:], *peers])
    out += _table(["task", "n", "oncocohort", "R survival / cmprsk (call)", "R (whole process)",
                   "lifelines", "statsmodels", "R / onco", "lifelines / onco"], rows)
    out += ["", "## Peak memory (MiB): extra during the call / whole process", ""]
    out += _table(["task", "n", *TOOLS],
                  [[TASK_LABEL[t], _n(n), *[_mem_cell(idx.get((t, n, tool))) for tool in TOOLS]]
                   for t, n in keys])
    out += ["", "## Agreement with R survival / cmprsk", ""]
    out += _table(["task", "n", "tool", "measure", "difference", "check (oncocohort)"],
                  [[TASK_LABEL[a["task"]], _n(a["n"]), a["tool"], a["measure"],
                    f"{a['difference']:.2e}", a.get("check", "")] for a in agreement(records)])
    checks = [a["check"].split()[0] for a in agreement(records) if "check" in a]
    cox_sizes = sorted({a["n"] for a in agreement(records)
                        if a["task"] == "cox" and a["tool"] == "oncocohort"})
    out += ["", f"oncocohort agreement checks: {checks.count('PASS')} of {len(checks)} PASS; "
            f"Cox coefficients compared with R at n = "
            f"{', '.join(_n(n) for n in cox_sizes) or 'none'}."]
    out += ["", "## Goals", ""]
    out += _table(["goal", "measured", "verdict"],
                  [[g["goal"], g["measured"], g["verdict"]] for g in goals(records)])
    problems = [r for r in records if r.get("status") not in ("ok", None)]
    notes = [f"- {tool}: skipped ({why})" for tool, why in report.get("skipped", {}).items()]
    notes += [f"- {r['tool']} {r['task']} n={_n(r['n'])}: {r['status']}"
              + (f" ({r.get('error', '')[:200]})" if r.get("error") else "") for r in problems]
    if notes:
        out += ["", "## Skipped or failed", "", *notes]
    out += ["", "Time: `time.perf_counter` (Python) or `system.time` elapsed (R) around the call "
            "only; data reading and input frames are excluded, except in 'R (whole process)' "
            "(Rscript start, loading survival, reading the binary columns, the calls). Memory: "
            "'extra' is the peak RSS during the calls minus the RSS before them (peak mark reset "
            "via /proc/self/clear_refs); 'whole process' is the subprocess's ru_maxrss "
            "(os.wait4), which includes a floor of "
            f"{report.get('launcher_floor_mb', float('nan')):.0f} MiB inherited from the "
            "launcher at fork (the peak RSS of running `true`). A call slower than 10 s "
            "(peers at n >= 1e6: 1 s) is run once, "
            "marked '(1 run)'.", ""]
    return "\n".join(out)
