"""Subgroup survival like the study's Table 2, as ARD rows.

For each endpoint and each subgroup variable (a categorical baseline column):

* per level: patients, events, median and its interval (analysis ``subgroup``);
* the log-rank test across levels (``variable="logrank"``: ``statistic``, ``df``, ``p``);
* the univariable Cox model of the variable (``analysis="cox_univariable"``): per non-reference
  level the hazard ratio against the reference level (the first level) with its Wald interval
  and p, and the variable's global test p (``variable="global"``) used by the screen;
* the multivariable Cox model (``analysis="cox_multivariable"``) of the variables whose
  univariable p is below ``screen.threshold``; the p used is ``screen.p_from``: the Cox Wald
  test of the whole variable (default), the likelihood-ratio test, or the log-rank test. The
  screen and both models are :func:`oncocohort.stats.screen.screen_and_fit`. With fewer than
  two variables passing the screen no multivariable model is fitted (its rows are absent: a
  model of one variable is its univariable model, not an adjusted one); the ``screen`` rows
  still say which variable passed, and the univariable model of a lone one gets the
  proportional-hazards test (``cox_univariable``, ``variable="ph_test"``) the multivariable
  model would have had.

A numeric variable declared continuous (``continuous``: variable -> ``per``) enters the Cox
models as one term, ``x / per``, so its hazard ratio is per ``per`` units (age per 10 years);
it has no levels, no Kaplan-Meier curves and no log-rank test: its rows are the patients with
a value, their events, ``per`` (``statistic="per"``, ``variable="hr"``) and the hazard ratio
rows with an empty ``group_level``. The reference level of a categorical variable is the
first level of its order unless ``references`` names another (the level without hazard-ratio
rows is the reference).

A hazard ratio that cannot be estimated has one ``not_estimable`` row (value 1, ``category``
the reason of :class:`~oncocohort.analysis.keys.NotEstimable`) instead of its ``hr``,
``lower``, ``upper`` and ``p`` rows: ``no events`` when nobody had an event (an early cut-off:
no Cox model is fitted, no variable is screened in), ``monotone likelihood`` when the
coefficient is infinite (a level in which nobody, or everybody, had an event: R's "Loglik
converged before variable"), ``no information`` for a term not estimated (NaN).

Patients with a missing value of the variable are left out of that variable's analyses (their
number is the ``n_missing`` row); the multivariable model uses complete cases.
Ties: the spec's ``cox_ties`` (Efron by default, as R ``coxph``).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from oncocohort.analysis.ard import ArdRow
from oncocohort.analysis.baseline import level_texts, observed_levels
from oncocohort.analysis.keys import Analysis, NotEstimable, Stat, Var, screen_variable
from oncocohort.analysis.notes import AnalysisNote, NoteKind
from oncocohort.analysis.survival import at_risk_grid, compute_survival_rows
from oncocohort.stats.cox import Cox, CoxWarning
from oncocohort.stats.kaplan_meier import KaplanMeier
from oncocohort.stats.logrank import LogRank, logrank
from oncocohort.stats.screen import P_FROM, screen_and_fit

__all__ = ["SubgroupResult", "compute_subgroup_rows", "subgroup_frame"]


@dataclass(frozen=True)
class SubgroupResult:
    """One endpoint's subgroup analyses: ARD rows, per-level Kaplan-Meier fits, screen result."""

    endpoint: str
    rows: tuple[ArdRow, ...]
    curves: dict[str, dict[str, KaplanMeier]]  # variable -> level -> fit
    selected: tuple[str, ...]  # variables passing the screen (the model: two or more)
    notes: tuple[AnalysisNote, ...] = ()  # Cox fitting warnings (e.g. monotone likelihood)



def subgroup_frame(patients: pd.DataFrame, tte: pd.DataFrame, endpoint: str,
                   variables: Sequence[str],
                   continuous: Mapping[str, float] | None = None) -> pd.DataFrame:
    """One row per subject of the endpoint: ``aval``, ``event`` and the subgroup columns as
    ordered categoricals of their text (levels as in
    :func:`~oncocohort.analysis.baseline.observed_levels`); a ``continuous`` variable as its
    numeric value divided by its ``per``."""
    continuous = continuous or {}
    sub = tte.loc[tte["paramcd"] == endpoint, ["subject_id", "aval", "event"]]
    missing = [v for v in variables if v not in patients.columns]
    if missing:
        raise ValueError(f"subgroup variables not among the patient columns: {', '.join(missing)}")
    cols = patients[["subject_id", *variables]].copy()
    for v in variables:
        if v in continuous:
            cols[v] = pd.to_numeric(cols[v], errors="coerce").astype(float) / continuous[v]
            continue
        levels = observed_levels(cols[v])
        text = level_texts(cols[v])
        cols[v] = pd.Categorical(text, categories=levels)
    out = sub.merge(cols, on="subject_id", how="left", validate="one_to_one")
    out["event"] = out["event"].astype(int)
    return out.sort_values("subject_id", kind="stable").reset_index(drop=True)


def _in_text_order(col: pd.Series) -> pd.Categorical:
    """A subgroup column with its levels in alphabetical order of their texts: the group
    order of the log-rank test (the statistic's last bits depend on which group its
    chi-square leaves out), from the codes rather than by sorting the texts of every row."""
    return col.array.reorder_categories(sorted(col.cat.categories))


def _cox_rows(fit: Cox, analysis: str, endpoint: str, variables: Sequence[str]) -> list[ArdRow]:
    """HR, CI and p of every term of ``variables``; a term whose coefficient is infinite
    (monotone likelihood) or not estimated gets one ``not_estimable`` row with the reason
    instead (a huge HR with a 0-inf interval is not a result)."""
    rows = []
    for var in variables:
        for term, r in fit.table.iterrows():
            prefix = f"{var}["
            if str(term) == var:
                level = ""  # a continuous term
            elif str(term).startswith(prefix):
                level = str(term)[len(prefix):-1]
            else:
                continue
            where = {"variable": Var.HR, "endpoint": endpoint, "group_var": var,
                     "group_level": level}
            reason = (NotEstimable.MONOTONE if term in fit.infinite else
                      NotEstimable.NO_INFORMATION if not np.isfinite(r["hr"]) else None)
            if reason is not None:
                rows.append(ArdRow(analysis, Stat.NOT_ESTIMABLE, 1.0, category=reason, **where))
                continue
            for stat, col in ((Stat.HR, "hr"), (Stat.LOWER, "hr_lower"),
                              (Stat.UPPER, "hr_upper"), (Stat.P, "p")):
                rows.append(ArdRow(analysis, stat, float(r[col]), **where))
    return rows


def _no_event_rows(data: pd.DataFrame, endpoint: str, candidates: Sequence[str],
                   continuous: Mapping[str, float], references: Mapping[str, str]
                   ) -> list[ArdRow]:
    """Nobody had an event (an early cut-off): every hazard ratio of the univariable models is
    not estimable: one row per level other than the reference (its ``references`` level, else
    the first observed), one row with an empty level for a continuous variable."""
    rows = []
    for var in candidates:
        if var in continuous:
            levels = [""]
        else:
            observed = [str(c) for c in data[var].cat.categories if (data[var] == c).any()]
            ref = references.get(var, observed[0])
            levels = [lv for lv in observed if lv != str(ref)]
        rows += [ArdRow(Analysis.COX_UNIVARIABLE, Stat.NOT_ESTIMABLE, 1.0,
                        category=NotEstimable.NO_EVENTS, variable=Var.HR, endpoint=endpoint,
                        group_var=var, group_level=level) for level in levels]
    return rows


def _test_rows(statistic: float, df: float, p: float, analysis: str, variable: str,
               endpoint: str, group_var: str) -> list[ArdRow]:
    return [ArdRow(analysis, stat, float(v), variable=variable, endpoint=endpoint,
                   group_var=group_var)
            for stat, v in ((Stat.STATISTIC, statistic), (Stat.DF, df), (Stat.P, p))]


def _multivariable_rows(fit: Cox, endpoint: str, selected: Sequence[str]) -> list[ArdRow]:
    """The multivariable model: patients (complete cases) and those left out, events, the
    hazard ratios, each variable's joint Wald test, and the proportional-hazards test (R
    ``cox.zph``, Kaplan-Meier time transform) per variable and global."""
    m = Analysis.COX_MULTIVARIABLE
    rows = [ArdRow(m, Stat.N, float(fit.n), variable=Var.PATIENTS, endpoint=endpoint),
            ArdRow(m, Stat.N_MISSING, float(fit.n_dropped), variable=Var.PATIENTS,
                   endpoint=endpoint),
            ArdRow(m, Stat.N, float(fit.n_events), variable=Var.EVENTS, endpoint=endpoint)]
    rows += _cox_rows(fit, m, endpoint, selected)
    tests = fit.variable_tests().set_index("variable")
    for var in selected:
        if var in tests.index:
            t = tests.loc[var]
            rows += _test_rows(t["chisq"], t["df"], t["p"], m, Var.GLOBAL_WALD, endpoint, var)
    try:
        zph = fit.ph_test().table
    except (ValueError, np.linalg.LinAlgError):  # e.g. a term without information
        return rows
    for term, r in zph.iterrows():
        group = "" if term == "GLOBAL" else str(term)
        rows += _test_rows(r["chisq"], r["df"], r["p"], m, Var.PH_TEST, endpoint, group)
    return rows


#: The fewest variables a multivariable model is fitted with: one alone is its univariable
#: model, which the table would print again as "adjusted".
MIN_MULTIVARIABLE = 2

#: A proportional-hazards test (cox.zph) below this p is stated as a note on the model.
PH_ALPHA = 0.05


def _lone_ph_rows(fit: Cox, endpoint: str, var: str) -> list[ArdRow]:
    """The proportional-hazards test (cox.zph) of the univariable model of the one variable
    through the screen (no multivariable model): ``cox_univariable`` ``ph_test`` rows of the
    variable (its term's test, which is the global one)."""
    try:
        zph = fit.ph_test().table
    except (ValueError, np.linalg.LinAlgError):
        return []
    if var not in zph.index:
        return []
    r = zph.loc[var]
    return _test_rows(r["chisq"], r["df"], r["p"], Analysis.COX_UNIVARIABLE, Var.PH_TEST,
                      endpoint, var)


def _ph_notes(rows: Sequence[ArdRow], endpoint: str,
              variable: str = "") -> list[AnalysisNote]:
    """A note when the multivariable model's proportional-hazards test (global or a term's)
    has p < :data:`PH_ALPHA`: the global p and those of the terms below it; with
    ``variable``, the univariable model of that variable (its one test)."""
    ps = [(r.group_var, r.value) for r in rows if r.variable == Var.PH_TEST
          and r.statistic == Stat.P]
    if variable:
        if not ps or ps[0][1] >= PH_ALPHA:
            return []
        return [AnalysisNote(NoteKind.PROPORTIONAL_HAZARDS, "proportional-hazards test failed",
                             endpoint=endpoint, variable=variable, values=tuple(ps))]
    failed = [(term, p) for term, p in ps if term and p < PH_ALPHA]
    glob = [(term, p) for term, p in ps if not term]
    if not failed and not any(p < PH_ALPHA for _, p in glob):
        return []
    return [AnalysisNote(NoteKind.PROPORTIONAL_HAZARDS, "proportional-hazards test failed",
                         endpoint=endpoint, values=tuple(glob + failed))]


def compute_subgroup_rows(
    patients: pd.DataFrame,
    tte: pd.DataFrame,
    endpoint: str,
    variables: Sequence[str],
    *,
    unit: str = "",
    conf_type: str = "log-log",
    conf_level: float = 0.95,
    median_ci: str = "brookmeyer-crowley",
    ties: str = "efron",
    threshold: float = 0.05,
    p_from: str = "wald",
    landmarks: Sequence[float] = (),
    continuous: Mapping[str, float] | None = None,
    references: Mapping[str, str] | None = None,
) -> SubgroupResult:
    """Table 2 rows for one endpoint (see the module docstring); the curves' numbers at risk
    at the times of :func:`~oncocohort.analysis.survival.at_risk_grid` (``landmarks``
    included)."""
    if p_from not in P_FROM:
        raise ValueError(f"p_from must be 'wald', 'lr' or 'logrank', not {p_from!r}")
    continuous = dict(continuous or {})
    data = subgroup_frame(patients, tte, endpoint, variables, continuous)
    time = data["aval"].to_numpy(float)
    event = data["event"].to_numpy(int)
    per_var: dict[str, list[ArdRow]] = {}
    curves: dict[str, dict[str, KaplanMeier]] = {}
    logranks: dict[str, LogRank] = {}
    for var in variables:
        present = data[var].notna().to_numpy()
        rows = per_var[var] = [ArdRow(Analysis.SUBGROUP, Stat.N_MISSING,
                                      float(len(data) - present.sum()), variable=Var.PATIENTS,
                                      endpoint=endpoint, group_var=var)]
        curves[var] = {}
        if var in continuous:
            rows += [ArdRow(Analysis.SUBGROUP, Stat.N, float(present.sum()),
                            variable=Var.PATIENTS, endpoint=endpoint, group_var=var),
                     ArdRow(Analysis.SUBGROUP, Stat.N, float(event[present].sum()),
                            variable=Var.EVENTS, endpoint=endpoint, group_var=var),
                     ArdRow(Analysis.SUBGROUP, Stat.PER, float(continuous[var]),
                            variable=Var.HR, endpoint=endpoint, group_var=var)]
            continue
        grid = at_risk_grid(float(time[present].max()) if present.any() else 0.0,
                            landmarks)  # one axis per variable
        codes = data[var].cat.codes.to_numpy()
        for code, level in enumerate(data[var].cat.categories):
            level_rows = codes == code
            if not level_rows.any():
                continue
            km, r = compute_survival_rows(
                time[level_rows], event[level_rows], endpoint=endpoint,
                unit=unit, conf_type=conf_type, conf_level=conf_level, median_ci=median_ci,
                group_var=var,
                group_level=str(level), analysis=Analysis.SUBGROUP, with_follow_up=False,
                at_risk_times=grid)
            curves[var][str(level)] = km
            rows += r
        if len(curves[var]) < 2:
            continue
        lr = logranks[var] = logrank(time[present], event[present],
                                     _in_text_order(data[var])[present])
        for stat, v in ((Stat.STATISTIC, lr.statistic), (Stat.DF, lr.df), (Stat.P, lr.p_value)):
            rows.append(ArdRow(Analysis.SUBGROUP, stat, float(v), variable=Var.LOGRANK,
                               endpoint=endpoint, group_var=var))
    candidates = [v for v in variables if data[v].nunique() >= 2]
    notes: list[AnalysisNote] = []
    selected: tuple[str, ...] = ()
    multi: list[ArdRow] = []
    if candidates and not data["event"].any():
        notes.append(AnalysisNote(NoteKind.NO_EVENTS, "no patient had an event; the Cox "
                                  "models cannot be fitted and their hazard ratios are not "
                                  "estimable", endpoint=endpoint))
        for r in _no_event_rows(data, endpoint, candidates, continuous, references or {}):
            per_var[r.group_var].append(r)
    elif candidates:
        with warnings.catch_warnings():  # kept as notes, stated in the report
            warnings.simplefilter("ignore", CoxWarning)
            res = screen_and_fit(data, time="aval", event="event", candidates=candidates,
                                 threshold=threshold, p_from=p_from, ties=ties,
                                 conf_level=conf_level, logrank_tests=logranks,
                                 reference={v: r for v, r in (references or {}).items()
                                            if v in candidates})
        selected = res.selected
        for var in candidates:
            fit = res.univariable_fits[var]
            notes += [AnalysisNote(NoteKind.COX_UNIVARIABLE, str(w), endpoint=endpoint,
                                   variable=var) for w in fit.warnings]
            per_var[var] += _cox_rows(fit, Analysis.COX_UNIVARIABLE, endpoint, [var])
            for name, test in ((Var.GLOBAL_WALD, fit.wald_test), (Var.GLOBAL_LR, fit.lr_test)):
                per_var[var] += _test_rows(test.statistic, test.df, test.p_value,
                                           Analysis.COX_UNIVARIABLE, name, endpoint, var)
            p = res.univariable.loc[res.univariable["variable"] == var, "p_screen"].iloc[0]
            per_var[var].append(ArdRow(Analysis.COX_UNIVARIABLE, Stat.P, float(p),
                                       variable=screen_variable(p_from), endpoint=endpoint,
                                       group_var=var))
        if res.multivariable is not None and len(selected) >= MIN_MULTIVARIABLE:
            fit = res.multivariable
            notes += [AnalysisNote(NoteKind.COX_MULTIVARIABLE, str(w), endpoint=endpoint)
                      for w in fit.warnings]
            multi += _multivariable_rows(fit, endpoint, selected)
            notes += _ph_notes(multi, endpoint)
        elif len(selected) == 1:  # its univariable model is the one the report rests on
            ph = _lone_ph_rows(res.univariable_fits[selected[0]], endpoint, selected[0])
            per_var[selected[0]] += ph
            notes += _ph_notes(ph, endpoint, variable=selected[0])
    rows = [r for var in variables for r in per_var[var]]
    rows += [ArdRow(Analysis.COX_MULTIVARIABLE, Stat.SELECTED, float(var in selected),
                    variable=Var.SCREEN, endpoint=endpoint, group_var=var) for var in variables]
    rows += multi
    return SubgroupResult(endpoint, tuple(rows), curves, selected, tuple(notes))
