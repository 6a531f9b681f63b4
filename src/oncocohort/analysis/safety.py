"""Adverse events like the study's Table 3, as ARD rows.

Per category (CTCAE term, spec term group or SOC) the number and percentage of patients by
their **worst** grade: any grade, grade 1-2, grade >= 3, grade missing
(:func:`oncocohort.derive.safety_grades.derive_ae_worst`, then :func:`summarise_ae_grades`).
The first category is "Any TRAE" (or "Any AE"); the others follow by decreasing frequency (any
grade, then grade >= 3, then name). The denominator is every selected patient (the safety
population), including patients without any event. The ARD keeps that row order.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

from oncocohort.analysis.ard import ArdRow
from oncocohort.analysis.keys import Analysis, Category, Group, Level, Stat, Var
from oncocohort.derive.safety_grades import derive_ae_worst

__all__ = ["GRADE_BANDS", "compute_safety_rows", "summarise_ae_grades"]

#: ARD category -> the ``summarise_ae_grades`` column suffix.
GRADE_BANDS: dict[str, str] = {
    Category.ANY_GRADE: "any",
    Category.GRADE_1_2: "grade_1_2",
    Category.GRADE_3_PLUS: "grade_3_plus",
    Category.GRADE_MISSING: "grade_missing",
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
    population = Level.TRAE if related_only else Level.AE
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
    s = Analysis.SAFETY
    rows = [ArdRow(s, Stat.N, float(n_patients), variable=Var.PATIENTS,
                   group_var=Group.POPULATION, group_level=population)]
    for r in summary.itertuples(index=False):
        rec = r._asdict()
        for band, suffix in GRADE_BANDS.items():
            where = {"variable": str(rec["category"]), "category": band,
                     "group_var": Group.POPULATION, "group_level": population,
                     "denominator": float(n_patients)}
            rows.append(ArdRow(s, Stat.N, float(rec[f"n_{suffix}"]), **where))
            rows.append(ArdRow(s, Stat.PCT, float(rec[f"pct_{suffix}"]), unit="%", **where))
    return rows


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
