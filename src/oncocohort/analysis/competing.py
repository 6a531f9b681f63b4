"""Competing-risk endpoints as ARD rows: cumulative incidence, Gray's test, Fine-Gray.

An endpoint with ``competing`` events (e.g. time to progression, death without progression
competing) is not summarised by Kaplan-Meier, which would treat the competing events as
censorings and overstate the probability of the event. Per such endpoint:

* ``analysis="competing_risks"``: patients, events of interest (``events``) and competing
  events (``competing_events``); the Aalen-Johansen cumulative incidence of the event
  (``cif_event``) and of the competing event (``cif_competing``) at each landmark time
  (``category``; ``pct``, ``lower``, ``upper`` in %; R ``cmprsk::cuminc`` estimate and
  variance, the spec's ``km_conf_type`` transform of R's multi-state ``survfit``); the
  numbers at risk under the figure (``at_risk``, as the Kaplan-Meier rows); per level of each
  subgroup variable the same counts, incidences and numbers at risk (``group_var``/
  ``group_level``; at the overall figure's times, so the figures by subgroup share them), and
  Gray's test across the levels (``variable="gray"``: ``statistic``, ``df``, ``p``);
* ``analysis="fine_gray"``: per subgroup variable, the univariable Fine-Gray model
  (``variable="shr"``; per level other than the reference, the spec's as in the Cox models,
  else the first: ``hr``, ``lower``, ``upper``, ``p``), R
  ``cmprsk::crr`` at full convergence with its robust sandwich SE.

Every row carries its ``method``. Beyond a group's last observed time the incidence is not
known: NaN (as the Kaplan-Meier landmark rows).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from oncocohort.analysis.ard import ArdRow
from oncocohort.analysis.baseline import level_texts
from oncocohort.analysis.keys import Analysis, Method, Stat, Var
from oncocohort.analysis.notes import AnalysisNote, NoteKind
from oncocohort.analysis.subgroups import subgroup_frame
from oncocohort.analysis.survival import at_risk_grid, landmark_text
from oncocohort.stats.competing_risks import (
    CumulativeIncidence,
    cumulative_incidence,
    gray_test,
)
from oncocohort.stats.fine_gray import fine_gray

__all__ = ["CompetingResult", "compute_competing_rows", "competing_frame"]

_CIF_VARS = {1: Var.CIF_EVENT, 2: Var.CIF_COMPETING}


@dataclass(frozen=True)
class CompetingResult:
    """One competing-risk endpoint: ARD rows and the fits the figures draw (``by_variable``:
    per subgroup variable, the fit by level; ``last_times``: per subgroup variable, each
    level's last observed time, event or censoring, where its curve ends)."""

    endpoint: str
    label: str
    unit: str
    cif: CumulativeIncidence
    rows: tuple[ArdRow, ...]
    by_variable: dict[str, CumulativeIncidence] = field(default_factory=dict)
    notes: tuple[AnalysisNote, ...] = ()
    last_times: dict[str, dict[str, float]] = field(default_factory=dict)


def competing_frame(tte: pd.DataFrame, endpoint: str) -> pd.DataFrame:
    """The endpoint's rows: ``subject_id``, ``aval``, ``cause`` (0, 1, 2)."""
    sub = tte.loc[tte["paramcd"] == endpoint, ["subject_id", "aval", "cause"]]
    if sub.empty:
        raise ValueError(f"endpoint {endpoint!r} has no rows in the time-to-event data")
    return sub.reset_index(drop=True)


def _cif_rows(ci: CumulativeIncidence, time: np.ndarray, landmarks: Sequence[float],
              where: dict[str, str], unit: str) -> list[ArdRow]:
    rows: list[ArdRow] = []
    a = Analysis.COMPETING_RISKS
    cause = ci.table
    n_ev = {c: float((cause["n_events"][cause["cause"] == c]).sum()) for c in ci.causes}
    count = {"method": Method.COUNT, **where}
    rows += [ArdRow(a, Stat.N, float(time.size), variable=Var.PATIENTS, **count),
             ArdRow(a, Stat.N, n_ev.get(1, 0.0), variable=Var.EVENTS, **count),
             ArdRow(a, Stat.N, n_ev.get(2, 0.0), variable=Var.COMPETING_EVENTS, **count)]
    if landmarks:
        at = ci.at(list(landmarks))
        last = float(time.max()) if time.size else float("nan")
        for c in (1, 2):
            part = at[at["cause"] == c] if c in ci.causes else None
            for i, t in enumerate(sorted(landmarks)):
                cat = landmark_text(t)
                if part is None:  # no competing event in these patients: incidence 0
                    vals = (0.0, 0.0, 0.0) if t <= last else (np.nan,) * 3
                else:
                    r = part.iloc[i]
                    vals = tuple(100.0 * float(r[k]) if t <= last else float("nan")
                                 for k in ("cif", "lower", "upper"))
                for stat, v in zip((Stat.PCT, Stat.LOWER, Stat.UPPER), vals, strict=True):
                    rows.append(ArdRow(a, stat, v, variable=_CIF_VARS[c], category=cat,
                                       unit="%", method=Method.AALEN_JOHANSEN, **where))
    return rows


def _at_risk_rows(time: np.ndarray, cause: np.ndarray, grid: Sequence[float],
                  where: dict[str, str]) -> list[ArdRow]:
    rows = []
    ev = np.sort(time[cause == 1])
    for t in grid:
        cat = landmark_text(t)
        rows.append(ArdRow(Analysis.COMPETING_RISKS, Stat.N_AT_RISK,
                           float((time >= t).sum()), variable=Var.AT_RISK, category=cat,
                           method=Method.AT_RISK, **where))
        rows.append(ArdRow(Analysis.COMPETING_RISKS, Stat.N_EVENTS,
                           float(np.searchsorted(ev, t, side="right")), variable=Var.AT_RISK,
                           category=cat, method=Method.CUMULATIVE_EVENTS_OF_INTEREST, **where))
    return rows


def compute_competing_rows(
    patients: pd.DataFrame,
    tte: pd.DataFrame,
    endpoint: str,
    variables: Sequence[str] = (),
    *,
    landmarks: Sequence[float] = (),
    conf_type: str = "log-log",
    conf_level: float = 0.95,
    references: Mapping[str, str] | None = None,
) -> CompetingResult:
    """The rows of one competing-risk endpoint (see the module docstring)."""
    d = competing_frame(tte, endpoint)
    sub = tte.loc[tte["paramcd"] == endpoint]
    unit = str(sub["unit"].iloc[0]) if "unit" in sub else ""
    label = str(sub["param"].iloc[0]) if "param" in sub else endpoint
    time = d["aval"].to_numpy(float)
    cause = d["cause"].to_numpy(int)
    opts = {"conf_type": conf_type, "conf_level": conf_level, "variance": "aalen"}
    ci = cumulative_incidence(time, cause, **opts)
    where = {"endpoint": endpoint}
    rows = _cif_rows(ci, time, landmarks, where, unit)
    grid = at_risk_grid(float(time.max()))  # each level's numbers at risk on the same times
    rows += _at_risk_rows(time, cause, grid, where)
    notes: list[AnalysisNote] = []
    by_variable: dict[str, CumulativeIncidence] = {}
    last_times: dict[str, dict[str, float]] = {}
    fg_rows: list[ArdRow] = []
    if variables:
        data = subgroup_frame(patients, tte, endpoint, variables).merge(
            d[["subject_id", "cause"]], on="subject_id", validate="one_to_one")
        for var in variables:
            v = data.loc[data[var].notna()]
            levels = [str(x) for x in v[var].cat.categories if (v[var] == x).any()]
            for level in levels:
                g = v.loc[v[var] == level]
                t, c = g["aval"].to_numpy(float), g["cause"].to_numpy(int)
                w = {**where, "group_var": var, "group_level": level}
                rows += _cif_rows(cumulative_incidence(t, c, **opts), t, landmarks, w, unit)
                rows += _at_risk_rows(t, c, grid, w)
            if len(levels) < 2 or not (v["cause"] == 1).any():
                continue
            groups = level_texts(v[var].astype(object))
            last_times[var] = {lv: float(v.loc[v[var] == lv, "aval"].max()) for lv in levels}
            by_variable[var] = cumulative_incidence(
                v["aval"].to_numpy(float), v["cause"].to_numpy(int),
                group=pd.Categorical(groups, categories=levels), **opts)
            test = gray_test(v["aval"].to_numpy(float), v["cause"].to_numpy(int),
                             pd.Categorical(groups, categories=levels))
            for stat, val in ((Stat.STATISTIC, test.statistic), (Stat.DF, test.df),
                              (Stat.P, test.p_value)):
                rows.append(ArdRow(Analysis.COMPETING_RISKS, stat, float(val),
                                   variable=Var.GRAY, group_var=var, method=Method.GRAY,
                                   **where))
            ref = (references or {}).get(var)
            fg_rows += _fine_gray_rows(v, var, levels, endpoint, conf_level, notes,
                                       ref if ref in levels else None)
    return CompetingResult(endpoint, label, unit, ci, tuple(rows + fg_rows), by_variable,
                           tuple(notes), last_times)


def _fine_gray_rows(v: pd.DataFrame, var: str, levels: list[str], endpoint: str,
                    conf_level: float, notes: list[AnalysisNote],
                    reference: str | None = None) -> list[ArdRow]:
    frame = pd.DataFrame({"aval": v["aval"].to_numpy(float), "cause": v["cause"].to_numpy(int),
                          var: pd.Categorical(level_texts(v[var].astype(object)),
                                              categories=levels)})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fit = fine_gray(frame, time="aval", cause="cause", covariates=[var],
                            conf_level=conf_level,
                            reference=None if reference is None else {var: reference})
        except ValueError as exc:  # e.g. no event of interest in a level's risk sets
            notes.append(AnalysisNote(NoteKind.FINE_GRAY, f"not fitted ({exc})",
                                      endpoint=endpoint, variable=var))
            return []
    notes += [AnalysisNote(NoteKind.FINE_GRAY, str(w.message), endpoint=endpoint,
                           variable=var) for w in caught]
    rows = []
    for term, r in fit.table.iterrows():
        level = str(term)[len(var) + 1:-1]
        for stat, col in ((Stat.HR, "hr"), (Stat.LOWER, "hr_lower"),
                          (Stat.UPPER, "hr_upper"), (Stat.P, "p")):
            rows.append(ArdRow(Analysis.FINE_GRAY, stat, float(r[col]), variable=Var.SHR,
                               endpoint=endpoint, group_var=var, group_level=level,
                               method=Method.FINE_GRAY))
    return rows
