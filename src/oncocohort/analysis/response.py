"""Tumour response as ARD rows: best overall response n (%), ORR and DCR with a confidence
interval.

Conventions (stated in the table footnotes):

* The analysed best response is the ``best_response`` column of
  :func:`oncocohort.derive.response.derive_best_response` (the unconfirmed or confirmed BOR,
  per ``conventions.response.confirmation``), or, for a study given no tumour assessments,
  the investigators' code as recorded (:func:`~oncocohort.derive.response.
  derive_recorded_best_response`; :func:`compute_recorded_response_rows` says which).
* Objective response rate (ORR): BOR in {CR, PR}. Disease control rate (DCR): BOR in
  {CR, PR, SD, NON-CR/NON-PD} (RECIST 1.1 section 4.4; admiralonco ``derive_param_clinbenefit``
  at the default minimum SD duration).
* Denominator ``"all"``: every selected patient (intention to treat: a patient without an
  assessment counts as a non-responder, BOR NE). ``"evaluable"``: patients whose BOR is not NE.
* The interval is :func:`oncocohort.stats.proportions.proportion_ci` with the spec's method
  (default Clopper-Pearson exact, 1934) and level; ``pct``, ``lower``, ``upper`` are in %.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

from oncocohort.analysis.ard import ArdRow
from oncocohort.analysis.baseline import compute_continuous_rows, compute_mean_rows
from oncocohort.analysis.keys import Analysis, Stat, Var
from oncocohort.canon.codes import DISEASE_CONTROL, OBJECTIVE_RESPONSE, RESPONSE_CODES
from oncocohort.stats.proportions import proportion_ci

__all__ = ["RESPONSE_SETS", "compute_response_rows", "compute_response_detail_rows",
           "compute_recorded_response_rows"]

#: ARD variable -> the best overall responses it counts.
RESPONSE_SETS: dict[str, tuple[str, ...]] = {
    Var.ORR: OBJECTIVE_RESPONSE,
    Var.DCR: DISEASE_CONTROL,
}


def compute_response_rows(
    best: pd.DataFrame,
    *,
    response: str = "best_response",
    denominator: Literal["all", "evaluable"] = "all",
    method: str = "clopper-pearson",
    conf_level: float = 0.95,
) -> list[ArdRow]:
    """BOR distribution, ORR and DCR.

    Rows: ``bor`` per category ``n``/``pct`` (of the chosen denominator; with ``"evaluable"``
    the NE row is reported against all patients and flagged by its ``denominator``), then
    ``orr`` and ``dcr`` with ``n``, ``pct``, ``lower``, ``upper``, and ``n_evaluable``.

    Raises
    ------
    ValueError
        Unknown denominator option, or a BOR code outside RECIST's.
    """
    if denominator not in ("all", "evaluable"):
        raise ValueError(f"denominator must be 'all' or 'evaluable', not {denominator!r}")
    bor = best[response].fillna("NE").astype(str)
    unknown = sorted(set(bor) - set(RESPONSE_CODES))
    if unknown:
        raise ValueError(f"unknown best overall response codes: {', '.join(unknown)}")
    n_all = len(bor)
    evaluable = bor != "NE"
    n_eval = int(evaluable.sum())
    denom = n_all if denominator == "all" else n_eval
    a = Analysis.RESPONSE
    rows = [ArdRow(a, Stat.N, float(n_all), variable=Var.PATIENTS),
            ArdRow(a, Stat.N, float(n_eval), variable=Var.EVALUABLE, denominator=float(n_all))]
    for code in RESPONSE_CODES:
        n = int((bor == code).sum())
        d = n_all if code == "NE" else denom
        rows.append(ArdRow(a, Stat.N, float(n), variable=Var.BOR, category=code,
                           denominator=float(d)))
        rows.append(ArdRow(a, Stat.PCT, 100.0 * n / d if d else float("nan"), variable=Var.BOR,
                           category=code, unit="%", denominator=float(d)))
    for name, codes in RESPONSE_SETS.items():
        x = int(bor.isin(codes).sum())
        rows.append(ArdRow(a, Stat.N, float(x), variable=name, denominator=float(denom)))
        if denom == 0:
            continue
        est = proportion_ci(x, denom, method=method, conf_level=conf_level)
        for stat, value in ((Stat.PCT, est.estimate), (Stat.LOWER, est.lower),
                            (Stat.UPPER, est.upper)):
            rows.append(ArdRow(a, stat, 100.0 * value, variable=name, unit="%",
                               denominator=float(denom)))
    return rows


def compute_response_detail_rows(best: pd.DataFrame, *, days_per_unit: float,
                                 unit: str) -> list[ArdRow]:
    """What the response table's numbers rest on, each only when the data have the column.

    * ``ne_reason``: per reason why a best response is NE (``category``: the reason, e.g.
      ``no post-baseline assessment``, ``SD too early``; ``not recorded`` when empty), ``n``
      and ``pct`` of all patients;
    * ``time_to_response``: responders (``objective_response`` ``Y``, else BOR CR or PR) with
      a ``time_to_response_days``: ``n``, ``median``, quartiles, range and ``mean``/``sd``, in
      ``unit`` (days / ``days_per_unit``);
    * ``best_pct_change``: the best percentage change of the sum of target lesions of the
      patients with a post-baseline measurement: ``n``, ``mean``, ``sd``, ``median``,
      quartiles and range (%).
    """
    a = Analysis.RESPONSE
    rows: list[ArdRow] = []
    n_all = float(len(best))
    if "ne_reason" in best and "best_response" in best:
        ne = best.loc[best["best_response"].fillna("NE").astype(str) == "NE", "ne_reason"]
        reasons = ne.astype(object).where(ne.notna() & (ne.astype(str) != ""), "not recorded")
        counts = reasons.astype(str).value_counts()
        for reason in sorted(counts.index, key=lambda r: (-counts[r], r)):
            n = float(counts[reason])
            rows.append(ArdRow(a, Stat.N, n, variable=Var.NE_REASON, category=reason,
                               denominator=n_all))
            rows.append(ArdRow(a, Stat.PCT, 100.0 * n / n_all, variable=Var.NE_REASON,
                               category=reason, unit="%", denominator=n_all))
    if "time_to_response_days" in best:
        if "objective_response" in best:
            responder = best["objective_response"].astype(str) == "Y"
        else:
            responder = best["best_response"].isin(OBJECTIVE_RESPONSE)
        days = pd.to_numeric(best.loc[responder, "time_to_response_days"], errors="coerce")
        if days.notna().any():
            t = days.dropna() / days_per_unit
            rows += [r for r in compute_continuous_rows(t, analysis=a,
                                                        variable=Var.TIME_TO_RESPONSE,
                                                        unit=unit)
                     if r.statistic != Stat.N_MISSING]
            rows += compute_mean_rows(t, analysis=a, variable=Var.TIME_TO_RESPONSE, unit=unit)
    if "best_pct_change" in best:
        x = pd.to_numeric(best["best_pct_change"], errors="coerce").dropna()
        if len(x):
            rows += [r for r in compute_continuous_rows(x, analysis=a,
                                                        variable=Var.BEST_PCT_CHANGE, unit="%")
                     if r.statistic != Stat.N_MISSING]
            rows += compute_mean_rows(x, analysis=a, variable=Var.BEST_PCT_CHANGE, unit="%")
    return rows


def compute_recorded_response_rows(best: pd.DataFrame, patients: pd.DataFrame, *,
                                   source: str | None) -> list[ArdRow]:
    """What became of the best response the investigators recorded (``patients.
    best_response``), so that the report can say where the analysed one comes from.

    * ``source == "recorded"`` (no tumour assessments): ``recorded_bor`` ``n``, the patients
      with a recorded code, of all patients (``denominator``); the analysed best response is
      that code (an empty cell: NE).
    * ``source == "assessments"`` and some codes recorded: the derived response is analysed
      (it has the dates, confirmation and measurements a recorded code lacks);
      ``recorded_bor_unused`` ``n``, the patients with a recorded code, and
      ``recorded_bor_differs`` ``n``, those of them whose recorded code is not the analysed
      (derived) best response, ``denominator`` the former.
    * otherwise: no rows.
    """
    if "best_response" not in patients.columns or source is None:
        return []
    recorded = patients[["subject_id", "best_response"]].dropna(subset=["best_response"])
    a = Analysis.RESPONSE
    n_recorded = float(len(recorded))
    if source == "recorded":
        return [ArdRow(a, Stat.N, n_recorded, variable=Var.RECORDED_BOR,
                       denominator=float(len(patients)))]
    if not len(recorded):
        return []
    derived = best.set_index(best["subject_id"].astype(str))["best_response"]
    analysed = recorded["subject_id"].astype(str).map(derived).fillna("NE").astype(str)
    differs = int((analysed.to_numpy() != recorded["best_response"].astype(str).to_numpy())
                  .sum())
    return [ArdRow(a, Stat.N, n_recorded, variable=Var.RECORDED_BOR_UNUSED,
                   denominator=float(len(patients))),
            ArdRow(a, Stat.N, float(differs), variable=Var.RECORDED_BOR_DIFFERS,
                   denominator=n_recorded)]
