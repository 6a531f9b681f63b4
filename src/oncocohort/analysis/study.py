"""Every analysis of one study from its spec: :func:`analyse_study` -> :class:`StudyAnalysis`.

The ARD (:attr:`StudyAnalysis.ard`) holds every number; the Kaplan-Meier fits, the best-response
and swimmer frames are kept alongside for the figures, which draw curves and bars that a long
table cannot hold. Row order of the ARD is deterministic: population, baseline, exposure,
disposition, response, survival per endpoint (spec order), subgroups, safety.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from oncocohort.analysis.ard import ArdRow, ard_frame
from oncocohort.analysis.baseline import compute_baseline_rows
from oncocohort.analysis.exposure import compute_disposition_rows, compute_exposure_rows
from oncocohort.analysis.inputs import DerivedStudy
from oncocohort.analysis.response import compute_response_rows
from oncocohort.analysis.safety import compute_safety_rows
from oncocohort.analysis.subgroups import SubgroupResult, compute_subgroup_rows
from oncocohort.analysis.survival import EndpointFit, compute_endpoint_fit

__all__ = ["StudyAnalysis", "analyse_study", "compute_swimmer_frame", "baseline_variables"]

_BASE_LABELS = {"age": "Age (years)", "sex": "Sex", "ecog": "ECOG performance status",
                "n_prior_lines": "Number of prior lines", "prior_ici": "Prior ICI",
                "prior_taxane": "Prior taxane", "prior_platinum": "Prior platinum",
                "prior_targeted": "Prior targeted therapy"}


@dataclass(frozen=True)
class StudyAnalysis:
    """Results of :func:`analyse_study`.

    Attributes
    ----------
    ard
        The analysis-results dataset (``ARD_COLUMNS``; see ``docs/results.md``).
    labels
        Display label per variable name (baseline and subgroup variables, endpoints).
    endpoints
        Endpoint name -> :class:`~oncocohort.analysis.survival.EndpointFit` (spec order).
    subgroups
        Endpoint name -> :class:`~oncocohort.analysis.subgroups.SubgroupResult` (endpoints
        analysed in every patient, i.e. not DoR).
    attrition, best_response, swimmer
        For the flowchart, the waterfall and the swimmer plot.
    conventions
        The conventions used, for footnotes and the methods text (name -> value).
    """

    ard: pd.DataFrame
    labels: Mapping[str, str]
    endpoints: Mapping[str, EndpointFit]
    subgroups: Mapping[str, SubgroupResult]
    attrition: pd.DataFrame
    best_response: pd.DataFrame
    swimmer: pd.DataFrame
    conventions: Mapping[str, object]
    study_name: str = ""
    landmarks: tuple[float, ...] = ()
    small_cell_k: int | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_frame(self) -> pd.DataFrame:
        """The ARD (a copy)."""
        return self.ard.copy()


def baseline_variables(spec, patients: pd.DataFrame) -> list[str]:
    """Table 1 variables: ``spec.baseline`` when the spec has it, else age, sex, ECOG and the
    subgroup variables (a derived subgroup replaces the column it is cut from)."""
    given = getattr(spec, "baseline", None)
    if given:
        return [v for v in given if v in patients.columns]
    subgroups = [s.variable for s in spec.subgroups]
    sources = {s.derive.from_ for s in spec.subgroups if s.derive is not None}
    base = [v for v in ("age", "sex", "ecog") if v not in sources or v == "age"]
    out = [v for v in base + subgroups if v in patients.columns]
    return list(dict.fromkeys(out))


def compute_swimmer_frame(best: pd.DataFrame, exposure: pd.DataFrame, *,
                          days_per_month: float = 30.4375) -> pd.DataFrame:
    """One row per subject with exposure: ``subject_id``, ``duration`` (months, longest drug),
    ``ongoing``, ``bor``, ``response_onset`` and ``progression`` (months from the reference
    date; NaN when none), sorted by decreasing duration then subject."""
    cols = ["subject_id", "duration", "ongoing", "bor", "response_onset", "progression"]
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
    out = out.sort_values(["duration", "subject_id"], ascending=[False, True], kind="mergesort")
    return out[cols].reset_index(drop=True)


def analyse_study(derived: DerivedStudy) -> StudyAnalysis:
    """Run every analysis the spec asks for on the derived study (pure: no I/O)."""
    spec = derived.spec
    conv = spec.conventions
    patients = derived.patients
    if derived.prior_therapy is not None and len(derived.prior_therapy):
        extra = [c for c in derived.prior_therapy.columns
                 if c != "subject_id" and c not in patients.columns]
        patients = patients.merge(derived.prior_therapy[["subject_id", *extra]],
                                  on="subject_id", how="left")
    n = len(patients)
    labels = dict(_BASE_LABELS)
    labels.update(getattr(spec, "labels", {}) or {})
    labels.update({s.variable: s.label or labels.get(s.variable, s.variable)
                   for s in spec.subgroups})
    labels.update({k: e.label for k, e in spec.endpoints.items()})

    rows: list[ArdRow] = [ArdRow("population", "n", float(n), variable="patients")]
    rows += compute_baseline_rows(patients, baseline_variables(spec, patients),
                                  units={"age": "years"})
    rows += compute_exposure_rows(derived.exposure, n)
    rows += compute_disposition_rows(patients)
    rows += compute_response_rows(
        derived.best_response, denominator=conv.response.denominator,
        method=conv.proportion_ci, conf_level=conv.conf_level)

    tte = derived.tte
    if tte is None or "paramcd" not in tte:
        tte = pd.DataFrame(columns=["subject_id", "paramcd", "aval", "event", "unit", "param"])
    endpoints: dict[str, EndpointFit] = {}
    for name in spec.endpoints:
        if not (tte["paramcd"] == name).any():
            continue
        fit = compute_endpoint_fit(tte, name, landmarks=spec.landmarks,
                                   conf_type=conv.km_conf_type, conf_level=conv.conf_level)
        endpoints[name] = fit
        rows += fit.rows

    subgroups: dict[str, SubgroupResult] = {}
    variables = [s.variable for s in spec.subgroups if s.variable in patients.columns]
    if variables:
        for name, ep in spec.endpoints.items():
            if ep.population != "all" or name not in endpoints:
                continue
            res = compute_subgroup_rows(
                patients, tte, name, variables, unit=endpoints[name].unit,
                conf_type=conv.km_conf_type, conf_level=conv.conf_level, ties=conv.cox_ties,
                threshold=spec.screen.threshold, p_from=spec.screen.p_from)
            subgroups[name] = res
            rows += res.rows

    rows += compute_safety_rows(derived.ae, n, by="group")

    conventions = {
        "proportion_ci": conv.proportion_ci, "km_conf_type": conv.km_conf_type,
        "cox_ties": conv.cox_ties, "conf_level": conv.conf_level,
        "time_unit": conv.time_unit, "days_per_month": conv.days_per_month,
        "response_denominator": conv.response.denominator,
        "confirmation": conv.response.confirmation,
        "screen_threshold": spec.screen.threshold, "screen_p_from": spec.screen.p_from,
        "treatment_emergent_days": conv.treatment_emergent_days,
        "data_cutoff": str(spec.study.data_cutoff),
        "index_date_label": spec.study.index_date_label,
        "cohort_source": "omop" if getattr(spec, "omop", None) is not None else "files",
    }
    best = derived.best_response
    return StudyAnalysis(
        ard=ard_frame(rows), labels=labels, endpoints=endpoints, subgroups=subgroups,
        attrition=derived.attrition, best_response=best,
        swimmer=compute_swimmer_frame(best, derived.exposure, days_per_month=conv.days_per_month),
        conventions=conventions, study_name=spec.study.name,
        landmarks=tuple(float(t) for t in spec.landmarks),
        small_cell_k=spec.outputs.small_cell_k,
        notes=tuple(note for res in subgroups.values() for note in res.notes),
    )
