"""Worst CTCAE grade per subject and category, and the any-grade / grade 1-2 / grade >= 3 table.

Input is the record-level frame of :func:`oncocohort.derive.safety.derive_ae`.

Worst grade
-----------
Per subject and category the worst grade is the maximum of the *known* grades: a missing
grade never outranks a real one. A subject whose records of the category all lack a grade
has ``worst_grade`` missing and ``grade_missing`` true; the summary counts them under "any
grade" and separately as "grade missing", never as grade 1-2 or >= 3.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

__all__ = ["derive_ae_worst", "summarise_ae_grades"]


_BY_COLUMN = {"term": "term", "group": "ae_group", "soc": "soc"}


def derive_ae_worst(
    ae: pd.DataFrame,
    *,
    by: Literal["term", "group", "soc", "any"] = "term",
    related_only: bool = True,
    drug: str | None = None,
    treatment_emergent_only: bool = True,
) -> pd.DataFrame:
    """Worst grade per subject and category (term, group, SOC, or any AE).

    Parameters
    ----------
    ae
        Output of :func:`derive_ae`.
    by
        Category: CTCAE term (recorded name when unmapped), spec group, SOC (``"Unmapped
        term"`` when unmapped), or ``"any"`` (one row per subject).
    related_only
        Keep records with ``related`` true (treatment-related AEs).
    drug
        Keep records attributed to this regimen drug (``related_<drug>``).
    treatment_emergent_only
        Keep records with ``trtemfl == "Y"``.

    Returns
    -------
    pandas.DataFrame
        ``subject_id``, ``by``, ``category``, ``worst_grade`` (``Int64``; missing only when all
        the subject's records of the category lack a grade), ``grade_missing``, ``n_records``,
        ``population`` (``"TRAE"`` if related only, else ``"AE"``).
    """
    if by not in ("term", "group", "soc", "any"):
        raise ValueError(f"by must be 'term', 'group', 'soc' or 'any', not {by!r}")
    keep = pd.Series(True, index=ae.index)
    if related_only:
        keep &= ae["related"].astype(bool)
    if drug is not None:
        col = f"related_{drug}"
        if col not in ae:
            raise ValueError(f"no attribution column {col!r}: is {drug!r} a regimen drug?")
        keep &= ae[col].astype(bool)
    if treatment_emergent_only:
        keep &= ae["trtemfl"].eq("Y")
    sub = ae.loc[keep]
    population = "TRAE" if related_only or drug else "AE"
    if by == "any":
        category = pd.Series(f"Any {population}", index=sub.index)
    else:
        category = sub[_BY_COLUMN[by]].fillna("Unmapped term")
    grouped = sub.assign(category=category).groupby(["subject_id", "category"], sort=True)
    out = grouped["grade"].agg(["max", "size"]).reset_index()
    out = out.rename(columns={"max": "worst_grade", "size": "n_records"})
    out["worst_grade"] = out["worst_grade"].astype("Int64")
    out.insert(1, "by", by)
    out["grade_missing"] = out["worst_grade"].isna()
    out["population"] = population
    return out[["subject_id", "by", "category", "worst_grade", "grade_missing", "n_records",
                "population"]]


def summarise_ae_grades(worst: pd.DataFrame, n_patients: int) -> pd.DataFrame:
    """Patients by worst grade per category, "Any <population>" first, then by frequency.

    Counts: ``n_any`` (patients with the category, whatever the grade, missing included),
    ``n_grade_1_2`` (worst grade 1 or 2), ``n_grade_3_plus`` (worst grade >= 3),
    ``n_grade_missing`` (no recorded grade); each ``pct_*`` is ``100 * n / n_patients``.
    Rows after the first are sorted by ``n_any`` then ``n_grade_3_plus`` (descending), then
    name. The "any" row takes each subject's worst grade over all categories.
    """
    if n_patients <= 0:
        raise ValueError("n_patients must be positive")
    population = worst["population"].iloc[0] if len(worst) else "AE"
    per_subject = worst.groupby("subject_id")["worst_grade"].max().reset_index()
    any_rows = per_subject.assign(category=f"Any {population}")
    parts = [_counts(any_rows, n_patients)]
    if not (worst["by"] == "any").all():
        rest = _counts(worst, n_patients).sort_values(
            ["n_any", "n_grade_3_plus", "category"], ascending=[False, False, True],
            kind="stable")
        parts.append(rest)
    return pd.concat(parts, ignore_index=True)


def _counts(frame: pd.DataFrame, n_patients: int) -> pd.DataFrame:
    g = frame["worst_grade"]
    flags = pd.DataFrame({
        "category": frame["category"],
        "n_any": 1,
        "n_grade_1_2": g.isin([1, 2]).fillna(False).astype(int),
        "n_grade_3_plus": (g >= 3).fillna(False).astype(int),
        "n_grade_missing": g.isna().astype(int),
    })
    out = flags.groupby("category", sort=True).sum().reset_index()
    for col in ("n_any", "n_grade_1_2", "n_grade_3_plus", "n_grade_missing"):
        out[col.replace("n_", "pct_", 1)] = 100.0 * out[col] / n_patients
    return out[["category", "n_any", "pct_any", "n_grade_1_2", "pct_grade_1_2",
                "n_grade_3_plus", "pct_grade_3_plus", "n_grade_missing", "pct_grade_missing"]]
