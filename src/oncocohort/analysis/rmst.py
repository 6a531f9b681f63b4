"""Restricted mean survival time (or time lost) of an endpoint as ARD rows.

For an endpoint with ``rmst: {tau: ...}`` (``analysis="rmst"``, ``category``: tau as
:func:`~oncocohort.analysis.survival.landmark_text` writes it, ``unit``: the time unit):

* ``variable="rmst"``: the restricted mean survival time up to tau, the area under the
  Kaplan-Meier curve (``estimate``, ``se``, ``lower``, ``upper``; Greenwood delta-method SE,
  Wald interval; R ``summary(survfit(...), rmean = tau)``), overall and per level of each
  subgroup variable;
* for an endpoint with competing events, ``variable="rmtl"`` instead: the restricted mean
  time lost to the event of interest, the area under its Aalen-Johansen cumulative incidence
  (infinitesimal-jackknife SE; R multi-state ``survfit`` ``rmean``);
* per subgroup variable, every level against the reference (``references``: the level the
  spec declares, as the Cox models take it; else the first level):
  ``rmst_difference`` (level minus reference; ``estimate``, ``lower``, ``upper``, ``p``) and
  ``rmst_ratio`` (level over reference, CI on the log scale by the delta method), as survRM2
  ``rmst2`` (``group_level``: the level).

tau must lie within the follow-up of the patients analysed: :func:`largest_usable_tau` is
the largest (the last observed time), and the study refuses a larger tau before the analyses
run. A subgroup variable with a level followed for less than tau gets no estimate rows; instead
each such level has a ``last_time`` row (``max``: its last observed time, ``category``: tau),
from which the report's data-quality section says why, with labels and the time unit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from oncocohort.analysis.ard import ArdRow
from oncocohort.analysis.keys import Analysis, Method, Stat, Var
from oncocohort.analysis.notes import AnalysisNote
from oncocohort.analysis.subgroups import subgroup_frame
from oncocohort.analysis.survival import landmark_text
from oncocohort.stats.rmst import rmst, rmtl

__all__ = ["RmstResult", "compute_rmst_rows", "largest_usable_tau"]


@dataclass(frozen=True)
class RmstResult:
    endpoint: str
    tau: float
    rows: tuple[ArdRow, ...]
    notes: tuple[AnalysisNote, ...] = ()


def largest_usable_tau(tte: pd.DataFrame, endpoint: str) -> float:
    """The last observed time (event or censoring) of the endpoint: the largest tau."""
    sub = tte.loc[tte["paramcd"] == endpoint, "aval"]
    return float(sub.max()) if len(sub) else float("nan")


def _fit(time, event_or_cause, tau, competing, conf_level, group=None, reference=None):
    if competing:
        return rmtl(time, event_or_cause, tau, cause_of_interest=1, group=group,
                    conf_level=conf_level, reference=reference)
    return rmst(time, event_or_cause, tau, group=group, conf_level=conf_level,
                reference=reference)


def compute_rmst_rows(
    patients: pd.DataFrame,
    tte: pd.DataFrame,
    endpoint: str,
    tau: float,
    variables: Sequence[str] = (),
    *,
    competing: bool = False,
    conf_level: float = 0.95,
    references: Mapping[str, str] | None = None,
) -> RmstResult:
    """The rows of one endpoint's RMST (see the module docstring)."""
    sub = tte.loc[tte["paramcd"] == endpoint]
    unit = str(sub["unit"].iloc[0]) if "unit" in sub and len(sub) else ""
    column = "cause" if competing else "event"
    variable, name = (Var.RMTL, "rmtl") if competing else (Var.RMST, "rmst")
    method = Method.RMTL_AJ if competing else Method.RMST_KM
    cat = landmark_text(tau)
    a = Analysis.RMST

    def est_rows(table: pd.Series, **where: str) -> list[ArdRow]:
        return [ArdRow(a, stat, float(table[col]), variable=variable, category=cat, unit=unit,
                       method=method, endpoint=endpoint, **where)
                for stat, col in ((Stat.ESTIMATE, name), (Stat.SE, "se"),
                                  (Stat.LOWER, "lower"), (Stat.UPPER, "upper"))]

    overall = _fit(sub["aval"].to_numpy(float), sub[column].to_numpy(int), tau, competing,
                   conf_level)
    rows = est_rows(overall.table.iloc[0])
    notes: list[AnalysisNote] = []
    if variables:
        data = subgroup_frame(patients, tte, endpoint, variables)
        data = data.merge(sub[["subject_id", "cause"]], on="subject_id", validate="one_to_one")
        for var in variables:
            v = data.loc[data[var].notna()]
            levels = [str(x) for x in v[var].cat.categories if (v[var] == x).any()]
            short = [lv for lv in levels
                     if float(v.loc[v[var] == lv, "aval"].max()) < tau]
            if short:
                rows += [ArdRow(a, Stat.MAX, float(v.loc[v[var] == lv, "aval"].max()),
                                variable=Var.LAST_TIME, category=cat, unit=unit,
                                method=Method.SHORT_FOLLOW_UP, endpoint=endpoint,
                                group_var=var, group_level=lv) for lv in short]
                continue
            if len(levels) < 2:
                continue
            ref = (references or {}).get(var)
            fit = _fit(v["aval"].to_numpy(float), v[column].to_numpy(int), tau, competing,
                       conf_level, group=pd.Categorical(v[var].astype(object),
                                                        categories=levels),
                       reference=ref if ref in levels else None)
            for _, r in fit.table.iterrows():
                rows += est_rows(r, group_var=var, group_level=str(r["group"]))
            rows += _contrast_rows(fit.contrasts, endpoint, var, cat, unit)
    return RmstResult(endpoint, float(tau), tuple(rows), tuple(notes))


def _contrast_rows(contrasts: pd.DataFrame, endpoint: str, var: str, cat: str,
                   unit: str) -> list[ArdRow]:
    rows = []
    for _, c in contrasts.iterrows():
        where = {"endpoint": endpoint, "group_var": var, "group_level": str(c["group"]),
                 "category": cat, "method": Method.RMST_CONTRAST}
        for variable, prefix, u in ((Var.RMST_DIFFERENCE, "difference", unit),
                                    (Var.RMST_RATIO, "ratio", "")):
            for stat, col in ((Stat.ESTIMATE, prefix), (Stat.LOWER, f"{prefix}_lower"),
                              (Stat.UPPER, f"{prefix}_upper"), (Stat.P, f"{prefix}_p")):
                v = float(c[col])
                rows.append(ArdRow(Analysis.RMST, stat, v if np.isfinite(v) else float("nan"),
                                   variable=variable, unit="" if stat == Stat.P else u,
                                   **where))
    return rows
