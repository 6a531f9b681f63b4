"""Adverse events like the study's Table 3, as ARD rows.

Per category (CTCAE term, spec term group or SOC) the number and percentage of patients by
their **worst** grade: any grade, grade 1-2, grade >= 3, grade missing
(:func:`oncocohort.derive.safety_grades.derive_ae_worst`, then :func:`summarise_ae_grades`).
The first category is "Any TRAE" (or "Any AE"); the others follow by decreasing frequency (any
grade, then grade >= 3, then name). The denominator is every selected patient (the safety
population), including patients without any event. The ARD keeps that row order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from oncocohort.analysis.ard import ArdRow
from oncocohort.analysis.keys import Analysis, Category, Group, Level, Stat, Var
from oncocohort.derive.safety_grades import derive_ae_worst

__all__ = ["GRADE_BANDS", "DEATH_WINDOW_DAYS", "compute_safety_rows",
           "compute_safety_summary_rows", "compute_term_group_rows", "summarise_ae_grades"]

#: Deaths this many days or fewer after the last dose are counted (tern/chevron DST01).
DEATH_WINDOW_DAYS = 30

#: ARD category -> the ``summarise_ae_grades`` column suffix.
GRADE_BANDS: dict[str, str] = {
    Category.ANY_GRADE: "any",
    Category.GRADE_1_2: "grade_1_2",
    Category.GRADE_3_PLUS: "grade_3_plus",
    Category.GRADE_3: "grade_3",
    Category.GRADE_4: "grade_4",
    Category.GRADE_5: "grade_5",
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
        "n_grade_3": (g == 3).fillna(False).astype(int),
        "n_grade_4": (g == 4).fillna(False).astype(int),
        "n_grade_5": (g == 5).fillna(False).astype(int),
        "n_grade_missing": g.isna().astype(int),
    })
    out = flags.groupby("category", sort=True).sum().reset_index()
    counts = ["n_any", *(f"n_{suffix}" for suffix in GRADE_BANDS.values() if suffix != "any")]
    for col in counts:
        out[col.replace("n_", "pct_", 1)] = 100.0 * out[col] / n_patients
    return out[["category", *(c for col in counts for c in (col, col.replace("n_", "pct_", 1)))]]


def _pct_rows(n: float, d: float, variable: str, **where: str) -> list[ArdRow]:
    s = Analysis.SAFETY
    return [ArdRow(s, Stat.N, n, variable=variable, denominator=d, **where),
            ArdRow(s, Stat.PCT, 100.0 * n / d if d else float("nan"), variable=variable,
                   unit="%", denominator=d, **where)]


def _events(ae: pd.DataFrame, related_only: bool, treatment_emergent_only: bool) -> pd.DataFrame:
    keep = pd.Series(True, index=ae.index)
    if related_only:
        keep &= ae["related"].fillna(False).astype(bool)
    if treatment_emergent_only and "trtemfl" in ae:
        keep &= ae["trtemfl"].eq("Y")
    return ae.loc[keep]


def compute_safety_summary_rows(ae: pd.DataFrame, patients: pd.DataFrame,
                                exposure: pd.DataFrame | None, *,
                                treatment_emergent_only: bool = True) -> list[ArdRow]:
    """The overview of adverse events (tern/chevron AET01 and DST01), each row only when the
    data have what it needs; ``n`` and ``pct`` of all ``patients``.

    Per population (``group_level`` ``AE``: all causality, only when the records say which
    events are related, i.e. some are not; ``TRAE``): patients with a ``serious`` event (the
    AE column given), an ``immune_related`` one (some event flagged by the spec's list) and a
    ``fatal`` one (grade 5; for ``TRAE`` the treatment-related deaths). Without a population:
    ``discontinued_for_ae`` (end-of-treatment reason ``adverse event``), ``reduced_for_ae``
    (the first dose reduction's recorded reason is one of the patient's recorded adverse
    events, by ``ae_term``, CTCAE ``term`` or group, ignoring case, or maps to one: the
    exposure's ``first_reduction_ae``), ``interrupted_for_ae`` (likewise any reason of the
    patient's dose interruptions: ``interruption_reasons``, ``interruption_aes``) and
    ``death_30d_last_dose`` (death at most :data:`DEATH_WINDOW_DAYS` days after the last dose
    of any drug of the regimen).
    """
    d = float(len(patients))
    ids = set(patients["subject_id"])
    rows: list[ArdRow] = []
    has_ae = ae is not None and not ae.empty
    if has_ae:
        ae = ae.loc[ae["subject_id"].isin(ids)]
        pops = [(Level.TRAE, True)]
        if "related" in ae and not ae["related"].fillna(False).astype(bool).all():
            pops.insert(0, (Level.AE, False))
        for level, related in pops:
            ev = _events(ae, related, treatment_emergent_only)
            where = {"group_var": Group.POPULATION, "group_level": level}
            if "serious" in ae and ae["serious"].notna().any():
                n = ev.loc[ev["serious"].fillna(False).astype(bool), "subject_id"].nunique()
                rows += _pct_rows(float(n), d, Var.SERIOUS, **where)
            if "immune_related" in ae and ae["immune_related"].fillna(False).astype(bool).any():
                n = ev.loc[ev["immune_related"].fillna(False).astype(bool),
                           "subject_id"].nunique()
                rows += _pct_rows(float(n), d, Var.IMMUNE_RELATED, **where)
            n = ev.loc[pd.to_numeric(ev["grade"], errors="coerce") == 5, "subject_id"].nunique()
            rows += _pct_rows(float(n), d, Var.FATAL, **where)
    if "eot_reason" in patients and patients["eot_reason"].notna().any():
        n = float((patients["eot_reason"].astype(str) == "adverse event").sum())
        rows += _pct_rows(n, d, Var.AE_DISCONTINUATION)
    changes = [(var, reason, name) for var, reason, name in _DOSE_CHANGES
               if has_ae and exposure is not None and reason in exposure
               and exposure[reason].notna().any()]
    if changes:
        pairs = _AePairs.of(ae)
        for var, reason, name in changes:
            rows += _pct_rows(float(_for_ae(pairs, exposure, ids, reason, name)), d, var)
    if ("death_date" in patients and exposure is not None and "last_dose_date" in exposure
            and not exposure.empty):
        last = pd.to_datetime(exposure.groupby("subject_id")["last_dose_date"].max())
        death = pd.to_datetime(patients.set_index("subject_id")["death_date"])
        gap = (death - last.reindex(death.index)).dt.days
        rows += _pct_rows(float((gap <= DEATH_WINDOW_DAYS).sum()), d, Var.DEATH_30D)
    return rows


@dataclass(frozen=True)
class _AePairs:
    """The (subject, name) pairs of the adverse events, each record named as recorded, by
    its CTCAE term and by its group (ignoring case, :func:`_folded`): distinct subjects and
    names once, each pair as the integer ``subject code * (len(names) + 1) + name code``.
    A missing subject is code -1, as ``pd.factorize`` gives it."""

    subjects: pd.Index
    names: pd.Index
    keys: np.ndarray  # the key of every record's every name

    @classmethod
    def of(cls, ae: pd.DataFrame) -> _AePairs:
        columns = [c for c in ("ae_term", "term", "ae_group") if c in ae]
        subject_codes, subjects = pd.factorize(ae["subject_id"].to_numpy(dtype=object))
        name_codes, names = pd.factorize(np.concatenate(
            [_folded(ae[c]) for c in columns] or [np.array([], dtype=object)]))
        keys = (np.tile(subject_codes.astype(np.int64), len(columns)) * (len(names) + 1)
                + name_codes)
        return cls(pd.Index(subjects, dtype=object), pd.Index(names, dtype=object), keys)

    def count_subjects(self, subject: np.ndarray, name: np.ndarray) -> int:
        """Distinct subjects (a missing one counts once) among those of ``subject`` whose
        ``name`` at the same position (folded) is one of their pairs."""
        s = self.subjects.get_indexer(subject)
        n = self.names.get_indexer(name)
        known = ((s >= 0) | pd.isna(subject)) & (n >= 0)  # -1 of a missing subject: a code
        keys = s[known].astype(np.int64) * (len(self.names) + 1) + n[known]
        return len(np.unique(s[known][np.isin(keys, self.keys)]))


#: The dose changes counted when made for an adverse event: the row's variable, the
#: exposure's column of recorded reasons and that of the adverse events they map to.
_DOSE_CHANGES = ((Var.AE_DOSE_REDUCTION, "first_reduction_reason", "first_reduction_ae"),
                 (Var.AE_INTERRUPTION, "interruption_reasons", "interruption_aes"))


def _for_ae(pairs: _AePairs, exposure: pd.DataFrame, ids: set, reason: str,
            ae_name: str) -> int:
    """Patients (of ``ids``) with a dose change of any drug whose recorded reason (column
    ``reason``, several joined by ``"; "``) names one of their own adverse events, as recorded,
    as its CTCAE term or its group (ignoring case), or whose reason maps to one of them
    (column ``ae_name``, the adverse event the reason names as the safety tables do)."""
    changed = exposure.loc[exposure["subject_id"].isin(ids)]
    said = pd.concat([changed[["subject_id", c]].set_axis(["subject_id", "reason"], axis=1)
                      for c in (reason, ae_name) if c in changed])
    said = said.loc[said["reason"].notna()]
    said = said.assign(reason=said["reason"].astype(str).str.split("; ")).explode("reason")
    return pairs.count_subjects(said["subject_id"].to_numpy(dtype=object),
                                _folded(said["reason"]))


def _folded(s: pd.Series) -> np.ndarray:
    """``str(v).strip().casefold()`` of each value, once per distinct text."""
    values = s.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(values, skipna=False) != "string":
        return s.astype(str).str.strip().str.casefold().to_numpy(dtype=object)
    codes, distinct = pd.factorize(values)
    return np.array([v.strip().casefold() for v in distinct], dtype=object)[codes]


def compute_term_group_rows(ae: pd.DataFrame, *, related_only: bool = True,
                            treatment_emergent_only: bool = True) -> list[ArdRow]:
    """For each spec term group that gathers other terms (``ae_group`` differs from the CTCAE
    ``term``), the patients with each member term (``group_var="term_group"``, ``variable``:
    the group, ``category``: the member term, ``n``), so the report can say what a composite
    category holds."""
    if ae is None or ae.empty or "ae_group" not in ae or "term" not in ae:
        return []
    ev = _events(ae, related_only, treatment_emergent_only)
    composite = ev.loc[ev["ae_group"].astype(str) != ev["term"].astype(str)]
    level = Level.TRAE if related_only else Level.AE
    rows = []
    for (group, term), sub in composite.groupby(["ae_group", "term"], sort=True):
        rows.append(ArdRow(Analysis.SAFETY, Stat.N, float(sub["subject_id"].nunique()),
                           variable=str(group), category=str(term),
                           group_var=Group.TERM_GROUP, group_level=level))
    return rows
