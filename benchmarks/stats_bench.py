"""The timed calls: one adapter per (Python tool, task), each a prepared zero-argument closure.

``prepare(tool, task, data)`` does everything that is not the statistic itself (building the
pandas frame a tool wants, splitting by group) and returns a closure; only the closure is timed.
Each closure returns a small dict of results so that the tools can be checked against each
other:

* ``km``: Kaplan-Meier fit *and* its median with a 95 % CI on the log-log scale
  (R ``conf.type = "log-log"``; lifelines' default "exponential Greenwood" is the same
  interval; statsmodels ``quantile_ci(method="cloglog")``).
* ``logrank``: the two-group log-rank chi-square, group = ``x3``.
* ``cox``: Cox proportional hazards with Efron ties on ``x1``..``x5``; coefficients.
* ``cif``: cumulative incidence of 2 competing causes by group ``x3`` with cmprsk's variance,
  and Gray's test for cause 1 (R ``cmprsk::cuminc``); the Gray statistic and the cause-1
  incidence of group 0 at day 365.
* ``finegray``: Fine-Gray regression of cause 1 on ``x1``..``x5`` (R ``cmprsk::crr``);
  coefficients.
* ``aj``, ``rmst`` (oncocohort only, at 1e7 rows): the Aalen-Johansen estimate of both causes
  (one group, cmprsk's variance) and the RMST to day 1000 of the two ``x3`` groups with their
  difference and ratio.

Each tool is imported lazily so that a missing peer is reported, not fatal.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["TOOLS_PY", "TASKS", "prepare"]

TOOLS_PY = ["oncocohort", "lifelines", "statsmodels"]
TASKS = ["km", "logrank", "cox", "cif", "finegray", "aj", "rmst"]
# tasks a Python peer offers (lifelines' Aalen-Johansen breaks tied times by random jitter,
# so it does not estimate the same thing on day-granular data; neither has Fine-Gray)
PEER_TASKS = {"km", "logrank", "cox"}
COVARIATES = ["x1", "x2", "x3", "x4", "x5"]

Closure = Callable[[], dict]


def _frame(data: dict[str, np.ndarray], event_dtype=np.int64):
    import pandas as pd

    columns = {"time": data["time"], "event": data["event"].astype(event_dtype)}
    columns.update({name: data[name] for name in COVARIATES})
    return pd.DataFrame(columns)


# --- oncocohort ------------------------------------------------------------------------------


def _oncocohort(task: str, data: dict[str, np.ndarray]) -> Closure:
    time, event = data["time"], data["event"].astype(np.int64)
    if task == "km":
        from oncocohort.stats.kaplan_meier import kaplan_meier

        def run() -> dict:
            med = kaplan_meier(time, event, conf_type="log-log", conf_level=0.95).median
            return {"median": med.estimate, "lower": med.lower, "upper": med.upper}

        return run
    if task == "logrank":
        from oncocohort.stats.logrank import logrank

        group = data["x3"].astype(np.int64)

        def run() -> dict:
            res = logrank(time, event, group)
            return {"statistic": float(res.statistic), "p_value": float(res.p_value)}

        return run
    if task in ("cif", "finegray", "aj", "rmst"):
        return _oncocohort_competing(task, data)
    from oncocohort.stats.cox import cox

    frame = _frame(data)

    def run() -> dict:
        fit = cox(frame, time="time", event="event", covariates=COVARIATES, ties="efron")
        return {"coef": {term: float(fit.table.loc[term, "coef"]) for term in COVARIATES}}

    return run


def _oncocohort_competing(task: str, data: dict[str, np.ndarray]) -> Closure:
    time, cause = data["time"], data["cause"].astype(np.int64)
    if task == "cif":
        from oncocohort.stats.competing_risks import cumulative_incidence, gray_test

        group = data["x3"].astype(np.int64)

        def run() -> dict:
            ci = cumulative_incidence(time, cause, group=group)
            test = gray_test(time, cause, group)
            at = ci.at([365.0])
            cif = at[(at.group == 0) & (at.cause == 1)].cif.iloc[0]
            return {"statistic": test.statistic, "p_value": test.p_value, "cif": float(cif)}

        return run
    if task == "aj":
        from oncocohort.stats.competing_risks import cumulative_incidence

        def run() -> dict:
            ci = cumulative_incidence(time, cause)
            return {"cif": float(ci.at([365.0]).cif.iloc[0])}

        return run
    if task == "rmst":
        from oncocohort.stats.rmst import rmst

        event, group = data["event"].astype(np.int64), data["x3"].astype(np.int64)

        def run() -> dict:
            res = rmst(time, event, 1000.0, group=group)
            return {"statistic": res.difference.estimate, "p_value": res.difference.p_value}

        return run
    import pandas as pd

    from oncocohort.stats.fine_gray import fine_gray

    frame = pd.DataFrame({"time": time, "cause": cause, **{n: data[n] for n in COVARIATES}})

    def run() -> dict:
        fit = fine_gray(frame, time="time", cause="cause", covariates=COVARIATES)
        return {"coef": {term: float(fit.table.loc[term, "coef"]) for term in COVARIATES}}

    return run


# --- lifelines -------------------------------------------------------------------------------


def _lifelines(task: str, data: dict[str, np.ndarray]) -> Closure:
    time, event = data["time"], data["event"].astype(np.int64)
    if task == "km":
        from lifelines import KaplanMeierFitter
        from lifelines.utils import median_survival_times

        def run() -> dict:
            kmf = KaplanMeierFitter().fit(time, event, alpha=0.05)
            ci = median_survival_times(kmf.confidence_interval_)
            return {
                "median": float(kmf.median_survival_time_),
                "lower": float(ci.iloc[0, 0]),
                "upper": float(ci.iloc[0, 1]),
            }

        return run
    if task == "logrank":
        from lifelines.statistics import logrank_test

        g = data["x3"] == 1
        t1, t0, e1, e0 = time[g], time[~g], event[g], event[~g]

        def run() -> dict:
            res = logrank_test(t0, t1, event_observed_A=e0, event_observed_B=e1)
            return {"statistic": float(res.test_statistic), "p_value": float(res.p_value)}

        return run
    from lifelines import CoxPHFitter

    frame = _frame(data)

    def run() -> dict:
        fit = CoxPHFitter().fit(frame, duration_col="time", event_col="event")
        return {"coef": {term: float(fit.params_[term]) for term in COVARIATES}}

    return run


# --- statsmodels -----------------------------------------------------------------------------


def _statsmodels(task: str, data: dict[str, np.ndarray]) -> Closure:
    time, event = data["time"], data["event"].astype(np.int64)
    if task == "km":
        from statsmodels.duration.survfunc import SurvfuncRight

        def run() -> dict:
            sf = SurvfuncRight(time, event)
            lower, upper = sf.quantile_ci(0.5, alpha=0.05, method="cloglog")
            return {"median": float(sf.quantile(0.5)), "lower": float(lower), "upper": float(upper)}

        return run
    if task == "logrank":
        from statsmodels.duration.survfunc import survdiff

        group = data["x3"].astype(np.int64)

        def run() -> dict:
            stat, p_value = survdiff(time, event, group)
            return {"statistic": float(stat), "p_value": float(p_value)}

        return run
    from statsmodels.duration.hazard_regression import PHReg

    exog = np.column_stack([data[name] for name in COVARIATES])

    def run() -> dict:
        fit = PHReg(time, exog, status=event, ties="efron").fit()
        return {"coef": dict(zip(COVARIATES, map(float, fit.params), strict=True))}

    return run


_ADAPTERS = {"oncocohort": _oncocohort, "lifelines": _lifelines, "statsmodels": _statsmodels}


def prepare(tool: str, task: str, data: dict[str, np.ndarray]) -> Closure:
    """Return the closure to time for ``tool`` and ``task`` (raises ``ImportError`` if absent)."""
    if tool not in _ADAPTERS:
        raise ValueError(f"unknown Python tool {tool!r}; expected one of {TOOLS_PY}")
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; expected one of {TASKS}")
    if tool != "oncocohort" and task not in PEER_TASKS:
        raise ImportError(f"{tool} does not offer the task {task!r}")
    return _ADAPTERS[tool](task, data)
