"""Treatment exposure and disposition as ARD rows.

Exposure (``analysis="exposure"``, ``group_var="drug"``): per regimen drug the number of
patients (n and % of all patients), treatment duration (months), cycles and relative dose
intensity as median (range), and patients with at least one dose reduction n (%); ``group_level="regimen"`` summarises the
regimen as a whole, a patient's regimen duration being the longest of their drugs'.

Disposition (``analysis="disposition"``): patients on treatment at the data cut-off (no
``eot_date``) and, for the others, the end-of-treatment reason n (%) (missing reasons shown as
"not recorded"), and deaths. Percentages are of all selected patients.
"""

from __future__ import annotations

import pandas as pd

from oncocohort.analysis.ard import ArdRow
from oncocohort.analysis.baseline import compute_categorical_rows, compute_continuous_rows
from oncocohort.analysis.keys import Analysis, Category, Group, Level, Stat, Var

__all__ = ["compute_exposure_rows", "compute_disposition_rows"]

_CONTINUOUS = ((Var.TREATMENT_DURATION, "months"), (Var.CYCLES, ""),
               (Var.DOSE_INTENSITY, ""))
_E = Analysis.EXPOSURE


def _patients_rows(n: float, n_patients: int, **where: str) -> list[ArdRow]:
    """Patients treated, n and % of all patients."""
    d = float(n_patients)
    return [ArdRow(_E, Stat.N, n, variable=Var.PATIENTS, denominator=d, **where),
            ArdRow(_E, Stat.PCT, 100 * n / d if d else float("nan"), variable=Var.PATIENTS,
                   unit="%", denominator=d, **where)]


def _drug_rows(frame: pd.DataFrame, level: str, n_patients: int) -> list[ArdRow]:
    where = {"group_var": Group.DRUG, "group_level": level}
    rows = _patients_rows(float(frame["subject_id"].nunique()), n_patients, **where)
    for col, unit in _CONTINUOUS:
        if col in frame:
            rows += compute_continuous_rows(frame[col], analysis=_E, variable=col,
                                            unit=unit, **where)
    if "n_dose_reductions" in frame:
        reduced = (frame.groupby("subject_id")["n_dose_reductions"].max().fillna(0) > 0)
        n, d = float(reduced.sum()), float(len(reduced))
        rows.append(ArdRow(_E, Stat.N, n, variable=Var.DOSE_REDUCTION, denominator=d, **where))
        rows.append(ArdRow(_E, Stat.PCT, 100.0 * n / d if d else float("nan"),
                           variable=Var.DOSE_REDUCTION, unit="%", denominator=d, **where))
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
    where = {"group_var": Group.DRUG, "group_level": Level.REGIMEN}
    rows += _patients_rows(float(len(per_subject)), n_patients, **where)
    rows += compute_continuous_rows(per_subject["treatment_duration_months"],
                                    analysis=_E, variable=Var.TREATMENT_DURATION,
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
    on, unknown = str(Category.ON_TREATMENT), str(Category.NOT_RECORDED)
    status = reason.astype(object).where(reason.notna(), unknown)
    status = status.where(~ongoing, on).astype(str)
    levels = [on] + sorted(s for s in status.unique() if s not in (on, unknown))
    if (status == unknown).any():
        levels.append(unknown)
    rows = compute_categorical_rows(status, analysis=Analysis.DISPOSITION, variable=Var.STATUS,
                                    levels=levels)
    rows = [r for r in rows if r.statistic != Stat.N_MISSING]
    if "death_date" in patients:
        d = float(patients["death_date"].notna().sum())
        rows.append(ArdRow(Analysis.DISPOSITION, Stat.N, d, variable=Var.DEATHS,
                           denominator=float(n)))
        rows.append(ArdRow(Analysis.DISPOSITION, Stat.PCT, 100.0 * d / n if n else float("nan"),
                           variable=Var.DEATHS, unit="%", denominator=float(n)))
    return rows
