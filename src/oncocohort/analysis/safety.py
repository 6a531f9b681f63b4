"""Adverse events like the study's Table 3, as ARD rows.

Per category (CTCAE term, spec term group or SOC) the number and percentage of patients by
their **worst** grade: any grade, grade 1-2, grade >= 3, grade missing
(:func:`oncocohort.derive.safety_grades.derive_ae_worst` /
:func:`~oncocohort.derive.safety_grades.summarise_ae_grades`). The first category is "Any TRAE"
(or "Any AE"); the others follow by decreasing frequency (any grade, then grade >= 3, then name).
The denominator is every selected patient (the safety population), including patients without
any event. The ARD keeps that row order.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

from oncocohort.analysis.ard import ArdRow
from oncocohort.derive.safety_grades import derive_ae_worst, summarise_ae_grades

__all__ = ["GRADE_BANDS", "compute_safety_rows"]

#: ARD category -> the ``summarise_ae_grades`` column suffix.
GRADE_BANDS: dict[str, str] = {
    "any grade": "any",
    "grade 1-2": "grade_1_2",
    "grade >=3": "grade_3_plus",
    "grade missing": "grade_missing",
}


def compute_safety_rows(
    ae: pd.DataFrame,
    n_patients: int,
    *,
    by: Literal["term", "group", "soc"] = "group",
    related_only: bool = True,
    treatment_emergent_only: bool = True,
) -> list[ArdRow]:
    """Rows ``analysis="safety"``, ``group_var="population"`` (``TRAE``/``AE``),
    ``group_level=by``, ``variable`` = category, ``category`` = grade band, ``n`` and ``pct``."""
    population = "TRAE" if related_only else "AE"
    if ae is None or ae.empty:
        worst = pd.DataFrame(columns=["subject_id", "by", "category", "worst_grade",
                                      "grade_missing", "n_records", "population"])
    else:
        worst = derive_ae_worst(ae, by=by, related_only=related_only,
                                treatment_emergent_only=treatment_emergent_only)
    if worst.empty:
        summary = pd.DataFrame([{"category": f"Any {population}", **{
            f"{p}_{s}": 0 for s in GRADE_BANDS.values() for p in ("n", "pct")}}])
    else:
        summary = summarise_ae_grades(worst, n_patients)
    rows = [ArdRow("safety", "n", float(n_patients), variable="patients",
                   group_var="population", group_level=population)]
    for r in summary.itertuples(index=False):
        rec = r._asdict()
        for band, suffix in GRADE_BANDS.items():
            where = {"variable": str(rec["category"]), "category": band,
                     "group_var": "population", "group_level": population,
                     "denominator": float(n_patients)}
            rows.append(ArdRow("safety", "n", float(rec[f"n_{suffix}"]), **where))
            rows.append(ArdRow("safety", "pct", float(rec[f"pct_{suffix}"]), unit="%", **where))
    return rows
