"""Treatment exposure and disposition as ARD rows.

Exposure (``analysis="exposure"``, ``group_var="drug"``): per regimen drug the number of
patients (n and % of all patients), treatment duration (months) and cycles as median
(range), the relative dose intensity in % (mean, SD, median, range), and the patients with at
least one dose reduction, delay or interruption (n and % of the patients given the drug),
with the reason of each patient's first reduction (``reduction_reason``, ``category``: the
adverse event it names as the safety tables name it, else the reason as recorded,
``not recorded`` when empty); ``group_level="regimen"`` summarises the
regimen as a whole, a patient's regimen duration being the longest of their drugs', and
counts the patients with a delay of any drug of the regimen.

Prior therapy (``analysis="prior_therapy"``): the patients with an immune checkpoint
inhibitor before the index date (n and % of all patients) and, for those with the date of
its last dose, the interval from that dose to the index date (``ici_free_interval``: n,
median, quartiles, range, in months).

Disposition (``analysis="disposition"``): patients on treatment at the data cut-off (no
``eot_date``) and, for the others, the end-of-treatment reason n (%) (missing reasons shown as
"not recorded"), the patients whose treatment ended (``discontinued``: every status but on
treatment), and deaths. Percentages are of all selected patients.
"""

from __future__ import annotations

import pandas as pd

from oncocohort.analysis.ard import ArdRow
from oncocohort.analysis.baseline import (
    compute_categorical_rows,
    compute_continuous_rows,
    compute_mean_rows,
)
from oncocohort.analysis.keys import Analysis, Category, Group, Level, Stat, Var

__all__ = ["compute_exposure_rows", "compute_disposition_rows", "compute_prior_therapy_rows"]

_CONTINUOUS = ((Var.TREATMENT_DURATION, "months"), (Var.CYCLES, ""))
#: exposure column -> the ARD variable of the patients with at least one such modification
_MODIFIED = (("n_dose_reductions", Var.DOSE_REDUCTION), ("n_delays", Var.DOSE_DELAY),
             ("n_interruptions", Var.DOSE_INTERRUPTION))
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
    if "relative_dose_intensity" in frame:
        rdi = 100.0 * pd.to_numeric(frame["relative_dose_intensity"], errors="coerce")
        rows += compute_mean_rows(rdi, analysis=_E, variable=Var.DOSE_INTENSITY, unit="%",
                                  **where)
        rows += compute_continuous_rows(rdi, analysis=_E, variable=Var.DOSE_INTENSITY,
                                        unit="%", **where)
    for col, var in _MODIFIED:
        if col in frame:
            rows += _modified_rows(frame, col, var, **where)
    if "n_dose_reductions" in frame and "first_reduction_reason" in frame:
        reduced = frame.loc[pd.to_numeric(frame["n_dose_reductions"], errors="coerce") > 0]
        reason = reduced["first_reduction_reason"].astype(object)
        if "first_reduction_ae" in reduced:  # an adverse event as the safety tables name it
            named = reduced["first_reduction_ae"].astype(object)
            reason = named.where(named.notna(), reason)
        reason = reason.where(reason.notna() & (reason.astype(str).str.strip() != ""),
                              str(Category.NOT_RECORDED)).astype(str)
        counts = reason.value_counts()
        d = float(len(reduced))
        for text in sorted(counts.index, key=lambda r: (-counts[r], r)):
            rows.append(ArdRow(_E, Stat.N, float(counts[text]), variable=Var.REDUCTION_REASON,
                               category=text, denominator=d, **where))
    return rows


def _modified_rows(frame: pd.DataFrame, col: str, var: str, **where: str) -> list[ArdRow]:
    """Patients with ``col`` > 0 (n, and % of the patients in ``frame``)."""
    per = pd.to_numeric(frame[col], errors="coerce").groupby(frame["subject_id"]).max()
    n, d = float((per.fillna(0) > 0).sum()), float(len(per))
    return [ArdRow(_E, Stat.N, n, variable=var, denominator=d, **where),
            ArdRow(_E, Stat.PCT, 100.0 * n / d if d else float("nan"), variable=var,
                   unit="%", denominator=d, **where)]


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
    if "n_delays" in exposure:
        rows += _modified_rows(exposure, "n_delays", Var.DOSE_DELAY, **where)
    return rows


def compute_prior_therapy_rows(prior: pd.DataFrame, subjects: pd.Series) -> list[ArdRow]:
    """Patients with a prior immune checkpoint inhibitor and the interval since its last dose
    (months), among ``subjects`` (the selected patients); no rows when ``prior`` has no
    ``prior_ici`` column."""
    if prior is None or "prior_ici" not in prior:
        return []
    p = prior.loc[prior["subject_id"].isin(set(subjects))]
    flag = p["prior_ici"].astype(str).str.upper().isin(["Y", "TRUE", "YES", "1"])
    n, d = float(flag.sum()), float(len(subjects))
    a = Analysis.PRIOR_THERAPY
    rows = [ArdRow(a, Stat.N, n, variable=Var.PRIOR_ICI, denominator=d),
            ArdRow(a, Stat.PCT, 100.0 * n / d if d else float("nan"), variable=Var.PRIOR_ICI,
                   unit="%", denominator=d)]
    if "ici_free_interval_months" in p:
        t = pd.to_numeric(p.loc[flag, "ici_free_interval_months"], errors="coerce")
        if t.notna().any():
            rows += compute_continuous_rows(t, analysis=a, variable=Var.ICI_FREE_INTERVAL,
                                            unit="months")
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
    ended = float((status != on).sum())
    rows.append(ArdRow(Analysis.DISPOSITION, Stat.N, ended, variable=Var.DISCONTINUED,
                       denominator=float(n)))
    rows.append(ArdRow(Analysis.DISPOSITION, Stat.PCT, 100.0 * ended / n if n else float("nan"),
                       variable=Var.DISCONTINUED, unit="%", denominator=float(n)))
    if "death_date" in patients:
        d = float(patients["death_date"].notna().sum())
        rows.append(ArdRow(Analysis.DISPOSITION, Stat.N, d, variable=Var.DEATHS,
                           denominator=float(n)))
        rows.append(ArdRow(Analysis.DISPOSITION, Stat.PCT, 100.0 * d / n if n else float("nan"),
                           variable=Var.DEATHS, unit="%", denominator=float(n)))
    return rows
