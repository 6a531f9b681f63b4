"""Treatment exposure and disposition as ARD rows.

Exposure (``analysis="exposure"``, ``group_var="drug"``): per regimen drug the number of
patients, treatment duration (months), cycles and relative dose intensity as median (range),
and patients with at least one dose reduction n (%); ``group_level="regimen"`` summarises the
regimen as a whole, a patient's regimen duration being the longest of their drugs'.

Disposition (``analysis="disposition"``): patients on treatment at the data cut-off (no
``eot_date``) and, for the others, the end-of-treatment reason n (%) (missing reasons shown as
"not recorded"), and deaths. Percentages are of all selected patients.
"""

from __future__ import annotations

import pandas as pd

from oncocohort.analysis.ard import ArdRow
from oncocohort.analysis.baseline import compute_categorical_rows, compute_continuous_rows

__all__ = ["compute_exposure_rows", "compute_disposition_rows"]

_CONTINUOUS = (("treatment_duration_months", "months"), ("n_cycles", ""),
               ("relative_dose_intensity", ""))


def _drug_rows(frame: pd.DataFrame, level: str, n_patients: int) -> list[ArdRow]:
    where = {"group_var": "drug", "group_level": level}
    rows = [ArdRow("exposure", "n", float(frame["subject_id"].nunique()), variable="patients",
                   denominator=float(n_patients), **where)]
    for col, unit in _CONTINUOUS:
        if col in frame:
            rows += compute_continuous_rows(frame[col], analysis="exposure", variable=col,
                                            unit=unit, **where)
    if "n_dose_reductions" in frame:
        reduced = (frame.groupby("subject_id")["n_dose_reductions"].max().fillna(0) > 0)
        n, d = float(reduced.sum()), float(len(reduced))
        rows.append(ArdRow("exposure", "n", n, variable="dose_reduction", denominator=d, **where))
        rows.append(ArdRow("exposure", "pct", 100.0 * n / d if d else float("nan"),
                           variable="dose_reduction", unit="%", denominator=d, **where))
    return rows


def compute_exposure_rows(exposure: pd.DataFrame, n_patients: int) -> list[ArdRow]:
    """Per drug (sorted by name) then the regimen as a whole."""
    rows: list[ArdRow] = []
    if exposure is None or exposure.empty:
        return rows
    for drug in sorted(exposure["drug"].astype(str).unique()):
        rows += _drug_rows(exposure.loc[exposure["drug"].astype(str) == drug], drug, n_patients)
    per_subject = exposure.groupby("subject_id", sort=True).agg(
        treatment_duration_months=("treatment_duration_months", "max"))
    where = {"group_var": "drug", "group_level": "regimen"}
    rows.append(ArdRow("exposure", "n", float(len(per_subject)), variable="patients",
                       denominator=float(n_patients), **where))
    rows += compute_continuous_rows(per_subject["treatment_duration_months"],
                                    analysis="exposure", variable="treatment_duration_months",
                                    unit="months", **where)
    return rows


def compute_disposition_rows(patients: pd.DataFrame) -> list[ArdRow]:
    """On treatment at cut-off / end-of-treatment reasons, and deaths, of all patients."""
    n = len(patients)
    if "eot_date" in patients:
        ongoing = patients["eot_date"].isna()
    else:
        ongoing = pd.Series(False, index=patients.index)
    reason = patients["eot_reason"] if "eot_reason" in patients else pd.Series(None,
                                                                              index=patients.index)
    status = reason.astype(object).where(reason.notna(), "not recorded")
    status = status.where(~ongoing, "on treatment at data cut-off").astype(str)
    levels = ["on treatment at data cut-off"] + sorted(
        s for s in status.unique() if s not in ("on treatment at data cut-off", "not recorded"))
    if (status == "not recorded").any():
        levels.append("not recorded")
    rows = compute_categorical_rows(status, analysis="disposition", variable="status",
                                    levels=levels)
    rows = [r for r in rows if r.statistic != "n_missing"]
    if "death_date" in patients:
        d = float(patients["death_date"].notna().sum())
        rows.append(ArdRow("disposition", "n", d, variable="deaths", denominator=float(n)))
        rows.append(ArdRow("disposition", "pct", 100.0 * d / n if n else float("nan"),
                           variable="deaths", unit="%", denominator=float(n)))
    return rows
