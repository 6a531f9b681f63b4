"""Worst CTCAE grade per subject and category.

Input is the record-level frame of :func:`oncocohort.derive.safety.derive_ae`.

Worst grade
-----------
Per subject and category the worst grade is the maximum of the *known* grades: a missing
grade never outranks a real one. A subject whose records of the category all lack a grade
has ``worst_grade`` missing and ``grade_missing`` true; the grade table
(:func:`oncocohort.analysis.safety.summarise_ae_grades`) counts them under "any grade" and
separately as "grade missing", never as grade 1-2 or >= 3.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

__all__ = ["derive_ae_worst"]


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
