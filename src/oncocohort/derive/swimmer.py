"""The swimmer-plot dataset: one lane per treated subject, with response and progression."""

from __future__ import annotations

import pandas as pd

from oncocohort.canon.conventions import Conventions

__all__ = ["SWIMMER_COLUMNS", "derive_swimmer"]

SWIMMER_COLUMNS: tuple[str, ...] = ("subject_id", "duration", "ongoing", "bor",
                                    "response_onset", "progression", "death", "eot_reason")


def derive_swimmer(best: pd.DataFrame, exposure: pd.DataFrame, *,
                   patients: pd.DataFrame | None = None,
                   days_per_month: float = Conventions().days_per_month) -> pd.DataFrame:
    """One row per subject with exposure, sorted by decreasing duration then subject.

    ``death``: months from the index date to death (``patients``' ``death_date`` and
    ``index_date``; NaN when alive or not given); ``eot_reason``: why treatment ended
    (``patients``' ``eot_reason``; empty when on treatment or not recorded).

    ``duration``: months on treatment (the longest drug's ``treatment_duration_months`` of
    :func:`oncocohort.derive.exposure.derive_exposure`); ``ongoing``: on treatment at the data
    cut-off; ``bor``: the analysed best overall response; ``response_onset`` and
    ``progression``: months (days / ``days_per_month``) from the reference date to the first
    response and the first progression of
    :func:`oncocohort.derive.response.derive_best_response` (NaN when none).
    """
    cols = list(SWIMMER_COLUMNS)
    if exposure is None or exposure.empty:
        return pd.DataFrame(columns=cols)
    e = exposure.groupby("subject_id", sort=True).agg(
        duration=("treatment_duration_months", "max"),
        ongoing=("on_treatment_at_cutoff", "max")).reset_index()
    b = best[["subject_id", "reference_date", "best_response", "first_response_date",
              "first_pd_date"]].copy()
    ref = pd.to_datetime(b["reference_date"])

    def months(col: str) -> pd.Series:
        return (pd.to_datetime(b[col]) - ref).dt.days / days_per_month

    b["response_onset"] = months("first_response_date")
    b["progression"] = months("first_pd_date")
    out = e.merge(b.rename(columns={"best_response": "bor"}), on="subject_id", how="left")
    out["ongoing"] = out["ongoing"].fillna(False).astype(bool)
    out["death"], out["eot_reason"] = float("nan"), ""
    if patients is not None and len(patients):
        p = patients.drop_duplicates("subject_id").set_index("subject_id")
        sid = out["subject_id"]
        if {"death_date", "index_date"} <= set(p.columns):
            days = (pd.to_datetime(sid.map(p["death_date"]))
                    - pd.to_datetime(sid.map(p["index_date"]))).dt.days
            out["death"] = days / days_per_month
        if "eot_reason" in p.columns:
            reason = sid.map(p["eot_reason"])
            out["eot_reason"] = reason.where(reason.notna() & ~out["ongoing"], "").astype(str)
    out = out.sort_values(["duration", "subject_id"], ascending=[False, True], kind="mergesort")
    return out[cols].reset_index(drop=True)
