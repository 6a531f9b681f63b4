"""Exposure to the studied regimen (per subject and drug) and prior therapy (per subject).

Records
-------
The canonical ``therapy`` table has one row per drug per administration (infusions: ``end_date``
empty or equal to ``start_date``) or per period of daily dosing (oral drugs: ``start_date`` to
``end_date``, ``dose`` per day). A :class:`DrugSchedule` says which: ``kind="infusion"`` counts
``dose`` once per row, ``kind="daily"`` counts it on each day of the period
(``end - start + 1`` days; one day when ``end_date`` is empty).

Definitions (per subject and drug)
----------------------------------
n_cycles
    Distinct non-missing ``cycle`` numbers; where the drug has none, the number of rows.
first_dose_date, last_dose_date
    Earliest ``start_date``; latest ``end_date`` (``start_date`` where empty).
treatment_duration_days
    ``last_dose_date - first_dose_date + 1`` (the day of the first dose counts, as admiral
    ``TRTDURD``); ``treatment_duration_months`` divides by ``days_per_month``. It does not add
    the rest of the last cycle (some protocols add ``cycle_days - 1`` for infusions).
cumulative_dose
    Sum of the doses given (mg).
starting_dose
    ``dose`` of the first record.
planned unit dose
    The first non-missing ``planned_dose`` of the drug's records; else the schedule's ``dose``;
    else the starting dose.
planned_cumulative_dose, relative_dose_intensity
    Dose intensity is dose per cycle-length of time. The intensity period runs from the first
    dose to the end of the last cycle started: ``P = (last cycle start - first dose) +
    cycle_days`` days (a cycle starts at its first record, or at each record when ``cycle`` is
    empty). Planned dose per cycle = planned unit dose x ``doses_per_cycle`` (``days_on`` for
    daily drugs, e.g. 14 for anlotinib 12 mg days 1-14 of 21: 168 mg; 1 for an infusion).
    ``planned_cumulative_dose = planned per cycle x P / cycle_days``;
    ``relative_dose_intensity = cumulative_dose / planned_cumulative_dose`` =
    actual dose intensity / planned dose intensity (Hryniuk & Bush 1984; delays lower it
    because P grows, reductions and interruptions because the dose falls).
n_dose_reductions, first_reduction_date, first_reduction_reason
    Records with ``dose_change == "reduction"`` or a ``dose`` lower than the previous dosed
    record's (each record counted once; interruptions, flagged or dose 0, are skipped); the
    first such record's date and ``dose_change_reason``.
n_delays
    Records with ``dose_change == "delay"``, or cycle starts more than ``delay_days`` later
    than scheduled, i.e. ``start - previous cycle start > cycle_days + delay_days`` (default 7
    days late on a 21-day cycle: a gap over 28 days); each cycle start counted once.
n_interruptions
    Records with ``dose_change == "interruption"`` or a dose of 0.
eot_reason, on_treatment_at_cutoff
    From ``patients``: on treatment at the cut-off when ``eot_date`` is empty or after the
    cut-off, and the patient was not dead by it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

__all__ = ["DrugSchedule", "derive_exposure", "derive_prior_therapy", "EXPOSURE_COLUMNS",
           "PRIOR_COLUMNS"]

EXPOSURE_COLUMNS: tuple[str, ...] = (
    "subject_id", "drug", "n_cycles", "first_dose_date", "last_dose_date",
    "treatment_duration_days", "treatment_duration_months", "cumulative_dose",
    "planned_cumulative_dose", "relative_dose_intensity", "starting_dose", "planned_dose",
    "n_dose_reductions", "first_reduction_date", "first_reduction_reason", "n_delays",
    "n_interruptions", "eot_reason", "on_treatment_at_cutoff",
)
PRIOR_COLUMNS: tuple[str, ...] = (
    "subject_id", "n_prior_lines", "prior_ici", "prior_taxane", "prior_platinum",
    "prior_targeted", "last_prior_ici_date", "ici_free_interval_days",
    "ici_free_interval_months",
)


@dataclass(frozen=True)
class DrugSchedule:
    """How one drug of the regimen is planned.

    Attributes
    ----------
    kind
        ``"daily"`` (oral, ``dose`` per day over a period) or ``"infusion"`` (one dose a row).
    dose
        Planned dose per day (daily) or per administration (infusion), mg; ``None`` to use the
        ``planned_dose`` column or the starting dose.
    days_on
        Dosing days per cycle for daily drugs (14 for days 1-14); ``None`` = every day.
    cycle_days
        Cycle length in days; ``None`` = the ``cycle_days`` argument of :func:`derive_exposure`.
    """

    kind: Literal["daily", "infusion"] = "infusion"
    dose: float | None = None
    days_on: int | None = None
    cycle_days: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in ("daily", "infusion"):
            raise ValueError(f"kind must be 'daily' or 'infusion', not {self.kind!r}")
        if self.days_on is not None and self.days_on < 1:
            raise ValueError("days_on must be 1 or more")

    def doses_per_cycle(self, cycle_days: int) -> int:
        if self.kind == "infusion":
            return 1
        return self.days_on if self.days_on is not None else cycle_days


def _require(frame: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} lacks column(s): {', '.join(missing)}")


def _col(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[name] if name in frame else pd.Series(pd.NA, index=frame.index, dtype=object)


def _reductions(rec: pd.DataFrame) -> pd.Series:
    """Records flagged ``reduction`` or dosed below the previous dosed record.

    Interruptions (flagged ``interruption`` or recorded with dose 0) are neither reductions
    nor the reference for the next record.
    """
    dose = rec["dose"].astype("float64")
    change = _col(rec, "dose_change")
    dosed = (dose > 0) & ~change.eq("interruption").fillna(False).astype(bool)
    previous = dose.where(dosed).ffill().shift(1)
    lower = (dosed & (dose < previous)).fillna(False).astype(bool)
    flagged = change.eq("reduction").fillna(False).astype(bool)
    return lower | flagged


def _cycle_starts(rec: pd.DataFrame) -> pd.Series:
    cyc = _col(rec, "cycle")
    if cyc.notna().any():
        return rec.loc[cyc.notna()].groupby(cyc[cyc.notna()])["start_date"].min().sort_values()
    return rec["start_date"]


def _one_drug(rec: pd.DataFrame, sched: DrugSchedule, cycle_days: int, delay_days: float,
              days_per_month: float) -> dict:
    rec = rec.sort_values("start_date", kind="stable")
    start, end = rec["start_date"], rec["end_date"].fillna(rec["start_date"])
    ndays = (end - start).dt.days + 1 if sched.kind == "daily" else pd.Series(1, index=rec.index)
    dose = rec["dose"].astype("float64")
    cyc = _col(rec, "cycle")
    first, last = start.min(), end.max()
    starts = _cycle_starts(rec)
    red = _reductions(rec)
    planned = rec["planned_dose"].dropna() if "planned_dose" in rec else pd.Series([])
    starting = float(dose.iloc[0]) if dose.notna().iloc[0] else np.nan
    unit = (float(planned.iloc[0]) if len(planned) else
            sched.dose if sched.dose is not None else starting)
    period = (starts.max() - first).days + cycle_days
    planned_cum = unit * sched.doses_per_cycle(cycle_days) * period / cycle_days
    cum = float((dose * ndays).sum(min_count=1))
    duration = (last - first).days + 1
    return {
        "n_cycles": int(cyc.nunique()) if cyc.notna().any() else len(rec),
        "first_dose_date": first, "last_dose_date": last,
        "treatment_duration_days": duration,
        "treatment_duration_months": duration / days_per_month,
        "cumulative_dose": cum, "planned_cumulative_dose": planned_cum,
        "relative_dose_intensity": cum / planned_cum if planned_cum > 0 else np.nan,
        "starting_dose": starting, "planned_dose": unit,
        "n_dose_reductions": int(red.sum()),
        "first_reduction_date": start[red].min() if red.any() else pd.NaT,
        "first_reduction_reason": (_col(rec, "dose_change_reason")[red].iloc[0]
                                   if red.any() else None),
        "n_delays": _count_delays(rec, starts, cycle_days, delay_days),
        "n_interruptions": int((_col(rec, "dose_change").eq("interruption").fillna(False)
                                .astype(bool) | dose.eq(0)).sum()),
    }


def _count_delays(rec: pd.DataFrame, starts: pd.Series, cycle_days: int,
                  delay_days: float) -> int:
    """Cycle starts that are late by the gap rule or flagged ``delay``, each counted once."""
    late_dates = set(starts[starts.diff().dt.days > cycle_days + delay_days])
    flagged = set(rec.loc[_col(rec, "dose_change").eq("delay").fillna(False).astype(bool),
                          "start_date"])
    return len(late_dates | flagged)


def _on_treatment(patients: pd.DataFrame, cutoff: pd.Series) -> pd.Series:
    eot = pd.to_datetime(_col(patients, "eot_date"))
    death = pd.to_datetime(_col(patients, "death_date"))
    open_ = eot.isna() | (cutoff.notna() & (eot > cutoff))
    alive = death.isna() | (cutoff.notna() & (death > cutoff))
    return (open_ & alive).astype(bool)


def derive_exposure(
    therapy: pd.DataFrame,
    patients: pd.DataFrame,
    *,
    regimen: Mapping[str, DrugSchedule],
    cycle_days: int = 21,
    delay_days: float = 7,
    days_per_month: float = 30.4375,
    data_cutoff: pd.Timestamp | str | None = None,
) -> pd.DataFrame:
    """Exposure per subject and drug of ``regimen`` (definitions in the module docstring).

    Parameters
    ----------
    therapy
        Canonical ``therapy`` table (``subject_id``, ``drug``, ``start_date``, ``dose``; optional
        ``end_date``, ``cycle``, ``planned_dose``, ``dose_change``, ``dose_change_reason``).
        Drug names are matched to ``regimen`` ignoring case; other drugs are ignored.
    patients
        Canonical ``patients`` table (``subject_id``; ``eot_date``, ``eot_reason``,
        ``death_date``, ``data_cutoff`` used when present).
    regimen
        Drug name -> :class:`DrugSchedule`, e.g. ``{"anlotinib": DrugSchedule("daily", 12,
        days_on=14), "tislelizumab": DrugSchedule("infusion", 200)}``.
    cycle_days
        Default cycle length (days), for drugs whose schedule gives none.
    delay_days
        Days late over the cycle length that make a cycle start a delay.
    days_per_month
        For ``treatment_duration_months``.
    data_cutoff
        Study cut-off, where ``patients.data_cutoff`` is empty.

    Returns
    -------
    pandas.DataFrame
        :data:`EXPOSURE_COLUMNS`, one row per subject and regimen drug received, sorted by
        subject and drug.

    Examples
    --------
    >>> t = pd.DataFrame({"subject_id": ["1"] * 2, "drug": ["anlotinib"] * 2,
    ...     "start_date": pd.to_datetime(["2024-01-01", "2024-01-22"]),
    ...     "end_date": pd.to_datetime(["2024-01-14", "2024-02-04"]), "dose": [12.0, 12.0]})
    >>> p = pd.DataFrame({"subject_id": ["1"], "eot_date": [pd.NaT]})
    >>> e = derive_exposure(t, p, regimen={"anlotinib": DrugSchedule("daily", 12, days_on=14)})
    >>> float(e.relative_dose_intensity[0]), float(e.cumulative_dose[0])
    (1.0, 336.0)
    """
    _require(therapy, ["subject_id", "drug", "start_date", "dose"], "therapy")
    _require(patients, ["subject_id"], "patients")
    sched = {k.casefold(): v for k, v in regimen.items()}
    t = therapy.assign(subject_id=therapy["subject_id"].astype(str),
                       _drug=therapy["drug"].astype(str).str.casefold(),
                       start_date=pd.to_datetime(therapy["start_date"]),
                       end_date=pd.to_datetime(_col(therapy, "end_date")))
    t = t[t["_drug"].isin(sched)]
    if t["start_date"].isna().any():
        bad = sorted(t.loc[t["start_date"].isna(), "subject_id"].unique())
        raise ValueError(f"therapy records without start_date for subject(s) {', '.join(bad)}")
    pat = patients.assign(subject_id=patients["subject_id"].astype(str)).set_index("subject_id")
    if pat.index.duplicated().any():
        dup = sorted(pat.index[pat.index.duplicated()].unique())
        raise ValueError(f"patients has more than one row for subject(s): {', '.join(dup)}")
    unknown = sorted(set(t["subject_id"]) - set(pat.index))
    if unknown:
        raise ValueError(f"therapy has subject(s) not in patients: {', '.join(unknown)}")
    cutoff = pd.to_datetime(_col(pat, "data_cutoff"))
    if data_cutoff is not None:
        cutoff = cutoff.fillna(pd.Timestamp(data_cutoff))
    on_tx = _on_treatment(pat, cutoff)
    rows = []
    for (sid, drug), rec in t.groupby(["subject_id", "_drug"], sort=True):
        s = sched[drug]
        row = _one_drug(rec, s, s.cycle_days or cycle_days, delay_days, days_per_month)
        rows.append({"subject_id": sid, "drug": rec["drug"].iloc[0], **row,
                     "eot_reason": _col(pat, "eot_reason").get(sid),
                     "on_treatment_at_cutoff": bool(on_tx[sid])})
    return pd.DataFrame(rows, columns=list(EXPOSURE_COLUMNS))


def derive_prior_therapy(
    therapy_lines: pd.DataFrame,
    patients: pd.DataFrame,
    *,
    days_per_month: float = 30.4375,
) -> pd.DataFrame:
    """Prior anticancer therapy per subject, from ``therapy_lines`` rows with ``setting ==
    "prior"``.

    ``n_prior_lines`` counts distinct ``line`` numbers; ``prior_ici``/``prior_taxane``/
    ``prior_platinum``/``prior_targeted`` are ``"Y"``/``"N"`` from ``drug_class`` (``ICI``,
    ``taxane``, ``platinum``, ``targeted`` or ``anti-angiogenic``); ``last_prior_ici_date``
    is the latest ``end_date`` (``start_date`` where empty) of a prior ICI;
    ``ici_free_interval_days = index_date - last_prior_ici_date`` (a plain difference: a
    re-challenge the day after the last dose is 1 day), ``_months`` divides by
    ``days_per_month``. Every patient gets a row (0 lines, ``"N"`` when none).
    """
    _require(therapy_lines, ["subject_id", "setting", "line", "drug_class"], "therapy_lines")
    _require(patients, ["subject_id", "index_date"], "patients")
    pat = patients.assign(subject_id=patients["subject_id"].astype(str))
    subjects = pd.Index(pat["subject_id"])
    prior = therapy_lines[therapy_lines["setting"] == "prior"].assign(
        subject_id=lambda f: f["subject_id"].astype(str))
    by = prior.groupby("subject_id")
    out = pd.DataFrame({"subject_id": subjects})
    out["n_prior_lines"] = by["line"].nunique().reindex(subjects).fillna(0).astype(int).to_numpy()
    classes = {"prior_ici": ("ICI",), "prior_taxane": ("taxane",),
               "prior_platinum": ("platinum",), "prior_targeted": ("targeted", "anti-angiogenic")}
    for col, names in classes.items():
        has = prior.loc[prior["drug_class"].isin(names), "subject_id"].unique()
        out[col] = np.where(subjects.isin(has), "Y", "N")
    ici = prior[prior["drug_class"] == "ICI"]
    last = pd.to_datetime(_col(ici, "end_date")).fillna(pd.to_datetime(_col(ici, "start_date")))
    last_ici = last.groupby(ici["subject_id"]).max().reindex(subjects)
    out["last_prior_ici_date"] = last_ici.to_numpy().astype("datetime64[ns]")
    gap = (pd.to_datetime(pat["index_date"]).to_numpy() - out["last_prior_ici_date"]).dt.days
    out["ici_free_interval_days"] = gap.astype("float64")
    out["ici_free_interval_months"] = gap / days_per_month
    return out[list(PRIOR_COLUMNS)]
