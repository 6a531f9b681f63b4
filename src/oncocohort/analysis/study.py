"""Every analysis of one study: :func:`analyse_study` -> :class:`StudyAnalysis`.

The ARD (:attr:`StudyAnalysis.ard`) holds every number; the Kaplan-Meier fits, the best-response
and swimmer frames are kept alongside for the figures, which draw curves and bars that a long
table cannot hold. Row order of the ARD is deterministic: population, baseline, exposure,
disposition, response, survival per endpoint (in order), subgroups, comparisons, safety.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from oncocohort.analysis.ard import ArdRow, ard_frame
from oncocohort.analysis.baseline import compute_baseline_rows
from oncocohort.analysis.baseline_by import compute_baseline_by_rows
from oncocohort.analysis.comparisons import ComparisonResult, compute_comparison
from oncocohort.analysis.comparison_options import PublishedArm
from oncocohort.analysis.competing import CompetingResult, compute_competing_rows
from oncocohort.analysis.external import ExternalResult, compute_external
from oncocohort.analysis.exposure import (
    compute_disposition_rows,
    compute_exposure_rows,
    compute_prior_therapy_rows,
)
from oncocohort.analysis.keys import Analysis, Stat, Var
from oncocohort.analysis.landmark import (
    LandmarkResult,
    TimeVaryingResult,
    compute_landmark_rows,
    compute_time_varying_rows,
)
from oncocohort.analysis.notes import AnalysisNote
from oncocohort.analysis.options import AnalysisOptions
from oncocohort.analysis.response import (
    compute_recorded_response_rows,
    compute_response_detail_rows,
    compute_response_rows,
)
from oncocohort.analysis.rmst import compute_rmst_rows
from oncocohort.analysis.safety import (
    compute_safety_rows,
    compute_safety_summary_rows,
    compute_term_group_rows,
)
from oncocohort.analysis.subgroups import SubgroupResult, compute_subgroup_rows
from oncocohort.analysis.survival import EndpointFit, compute_endpoint_fit
from oncocohort.analysis.variables import apply_levels, reference_label
from oncocohort.canon.sections import SECTIONS
from oncocohort.derive.endpoints import Endpoint, TimeOptions
from oncocohort.derive.study import DerivedStudy

__all__ = ["StudyAnalysis", "analyse_study"]


@dataclass(frozen=True)
class StudyAnalysis:
    """Results of :func:`analyse_study`.

    Attributes
    ----------
    ard
        The analysis-results dataset (``ARD_COLUMNS``; see ``docs/results.md``).
    endpoints
        Endpoint name -> :class:`~oncocohort.analysis.survival.EndpointFit` (in order).
    subgroups
        Endpoint name -> :class:`~oncocohort.analysis.subgroups.SubgroupResult` (endpoints
        analysed in every patient, i.e. not DoR).
    attrition, best_response, swimmer
        For the flowchart, the waterfall and the swimmer plot.
    options
        The options the analyses ran with (their conventions are what the report states).
    competing
        Endpoint name -> :class:`~oncocohort.analysis.competing.CompetingResult`: the
        endpoints with competing events (analysed by cumulative incidence, not in
        ``endpoints``).
    landmark_analyses, time_varying
        The analyses by a status acquired during follow-up, in the spec's order (their
        Kaplan-Meier and Simon-Makuch curves are drawn from these).
    comparisons
        Comparison name -> :class:`~oncocohort.analysis.comparisons.ComparisonResult` (the
        internal comparisons, in the spec's order).
    external
        Arm name -> :class:`~oncocohort.analysis.external.ExternalResult` (the comparisons
        with published arms, in the spec's order).
    notes
        Cox and Fine-Gray fitting warnings (e.g. monotone likelihood), and analyses not run
        (e.g. a landmark analysis with one group left), as records the report words with the
        study's labels (:class:`~oncocohort.analysis.notes.AnalysisNote`).
    sections
        The report sections analysed, in report order (:mod:`oncocohort.canon.sections`):
        those the data can fill and the spec does not switch off. The report shows these
        and no others.
    """

    ard: pd.DataFrame
    endpoints: Mapping[str, EndpointFit]
    subgroups: Mapping[str, SubgroupResult]
    attrition: pd.DataFrame
    best_response: pd.DataFrame
    swimmer: pd.DataFrame
    options: AnalysisOptions
    notes: tuple[AnalysisNote, ...] = field(default_factory=tuple)
    sections: tuple[str, ...] = SECTIONS
    competing: Mapping[str, CompetingResult] = field(default_factory=dict)
    landmark_analyses: tuple[LandmarkResult, ...] = ()
    time_varying: tuple[TimeVaryingResult, ...] = ()
    comparisons: Mapping[str, ComparisonResult] = field(default_factory=dict)
    external: Mapping[str, ExternalResult] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """The ARD (a copy)."""
        return self.ard.copy()


def analyse_study(derived: DerivedStudy, options: AnalysisOptions, *,
                  published: Mapping[str, PublishedArm] | None = None) -> StudyAnalysis:
    """Run every analysis on the derived study (pure: no I/O); ``published``: the digitised
    data of the arms of ``options.external``, by name.

    Only the sections the data can fill and the spec does not switch off are analysed
    (:attr:`StudyAnalysis.sections`): a study without tumour assessments has no response
    rows, not an objective response rate of 0%.
    """
    conv = options.conventions
    patients = apply_levels(derived.subjects, options.levels)
    references = _references(patients, options)
    n = len(patients)
    shown = [s for s in SECTIONS if options.shows(s, derived.sections)]

    rows: list[ArdRow] = [ArdRow(Analysis.POPULATION, Stat.N, float(n), variable=Var.PATIENTS)]
    if "baseline" in shown:
        rows += compute_baseline_rows(patients, [v for v in options.baseline
                                                 if v in patients.columns],
                                      units=options.units,
                                      continuous=options.baseline_continuous)
        if options.baseline_by is not None and options.baseline_by in patients.columns:
            rows += compute_baseline_by_rows(
                patients, [v for v in options.baseline if v in patients.columns],
                options.baseline_by, units=options.units,
                continuous=options.baseline_continuous)
    if "exposure" in shown:
        rows += compute_exposure_rows(derived.exposure, n)
        if _has_disposition(patients):
            rows += compute_disposition_rows(patients)
        rows += compute_prior_therapy_rows(derived.prior_therapy, patients["subject_id"])
    if "response" in shown:
        rows += compute_response_rows(
            derived.best_response, denominator=conv.response.denominator,
            method=conv.proportion_ci, conf_level=conv.conf_level)
        visits = derived.visits
        if visits is not None and "target_sum" in visits:  # response from lesion sizes
            measured = visits.loc[visits["target_sum"].notna(), "subject_id"].nunique()
            rows.append(ArdRow(Analysis.RESPONSE, Stat.N, float(measured),
                               variable=Var.LESION_MEASURED))
        rows += compute_recorded_response_rows(derived.best_response, derived.patients,
                                               source=derived.response_source)
        rows += compute_response_detail_rows(
            derived.best_response, days_per_unit=TimeOptions(
                conv.time_unit, conv.days_per_month, conv.day_count).days_per_unit,
            unit=conv.time_unit)

    tte = derived.tte
    endpoints: dict[str, EndpointFit] = {}
    competing: dict[str, CompetingResult] = {}
    notes: list[AnalysisNote] = []
    variables = [v for v in options.subgroups if v in patients.columns]
    cr_variables = ([v for v in variables if v not in options.continuous]  # groups only
                    if "subgroups" in shown else [])
    for ep in options.endpoints if "survival" in shown else ():
        if not (tte["paramcd"] == ep.name).any():
            continue
        if ep.competing:
            res = compute_competing_rows(
                patients, tte, ep.name, cr_variables if ep.population == "all" else [],
                landmarks=options.landmarks, conf_type=conv.km_conf_type,
                conf_level=conv.conf_level, references=references)
            competing[ep.name] = res
            rows += res.rows
            notes += res.notes
            continue
        fit = compute_endpoint_fit(tte, ep.name, landmarks=options.landmarks,
                                   conf_type=conv.km_conf_type, conf_level=conv.conf_level,
                                   median_ci=conv.median_ci,
                                   with_follow_up=is_overall_survival(ep))
        endpoints[ep.name] = fit
        rows += fit.rows

    for ep in options.endpoints if "survival" in shown else ():
        tau = options.rmst.get(ep.name)
        if tau is None or not (tte["paramcd"] == ep.name).any():
            continue
        res = compute_rmst_rows(patients, tte, ep.name, tau,
                                cr_variables if ep.population == "all" else [],
                                competing=bool(ep.competing), conf_level=conv.conf_level,
                                references=references)
        rows += res.rows
        notes += res.notes

    landmark_results: list[LandmarkResult] = []
    time_varying: list[TimeVaryingResult] = []
    names = {ep.name for ep in options.endpoints if (tte["paramcd"] == ep.name).any()}
    for spec in options.landmark_analyses if "survival" in shown else ():
        if spec.endpoint in names:
            res = compute_landmark_rows(
                tte, derived.status_times, spec, conf_type=conv.km_conf_type,
                conf_level=conv.conf_level, median_ci=conv.median_ci, ties=conv.cox_ties)
            landmark_results.append(res)
            rows += res.rows
            notes += res.notes
    for spec in options.time_varying if "survival" in shown else ():
        if spec.endpoint in names:
            res = compute_time_varying_rows(
                tte, derived.status_times, spec, landmarks=options.landmarks,
                conf_type=conv.km_conf_type, conf_level=conv.conf_level, ties=conv.cox_ties)
            time_varying.append(res)
            rows += res.rows
            notes += res.notes

    subgroups: dict[str, SubgroupResult] = {}
    if variables and "subgroups" in shown:
        for ep in options.endpoints:
            if ep.population != "all" or ep.name not in endpoints:
                continue
            res = compute_subgroup_rows(
                patients, tte, ep.name, variables, unit=endpoints[ep.name].unit,
                conf_type=conv.km_conf_type, conf_level=conv.conf_level,
                median_ci=conv.median_ci, ties=conv.cox_ties,
                threshold=options.screen.threshold, p_from=options.screen.p_from,
                landmarks=options.landmarks,
                continuous=options.continuous, references=references)
            subgroups[ep.name] = res
            rows += res.rows

    comparisons: dict[str, ComparisonResult] = {}
    for c in options.internal if "survival" in shown else ():
        eps = c.endpoints or tuple(ep.name for ep in options.endpoints
                                   if ep.population == "all" and ep.name in endpoints)
        res = compute_comparison(  # the spec's codes (treated, control), not the labels
            derived.subjects, tte, c, endpoints=[e for e in eps if e in endpoints],
            landmarks=options.landmarks, conf_type=conv.km_conf_type,
            conf_level=conv.conf_level, median_ci=conv.median_ci, ties=conv.cox_ties,
            levels=options.levels)
        comparisons[c.name] = res
        rows += res.rows
    external: dict[str, ExternalResult] = {}
    published = published or {}
    missing = [arm.name for arm in options.external if arm.name not in published]
    if missing and "survival" in shown:
        raise ValueError(f"no digitised data for the published arm(s) {', '.join(missing)}")
    for arm in options.external if "survival" in shown else ():
        if not (tte["paramcd"] == arm.endpoint).any():
            continue
        ext = compute_external(tte, arm, published[arm.name], landmarks=options.landmarks,
                               conf_type=conv.km_conf_type, conf_level=conv.conf_level,
                               median_ci=conv.median_ci, ties=conv.cox_ties)
        external[arm.name] = ext
        rows += ext.rows

    if "safety" in shown:
        rows += compute_safety_rows(derived.ae, n, by="group")
        if _has_unrelated(derived.ae):  # all causality too, when the records tell them apart
            rows += compute_safety_rows(derived.ae, n, by="group", related_only=False)
        rows += compute_term_group_rows(derived.ae)
        rows += compute_safety_summary_rows(derived.ae, patients, derived.exposure)
    if not subgroups and "subgroups" in shown:
        shown.remove("subgroups")
    return StudyAnalysis(
        ard=ard_frame(rows), endpoints=endpoints, subgroups=subgroups,
        attrition=derived.attrition, best_response=derived.best_response,
        swimmer=derived.swimmer, options=options,
        notes=tuple(note for res in subgroups.values() for note in res.notes) + tuple(notes)
        + tuple(note for res in comparisons.values() for note in res.notes)
        + tuple(note for res in external.values() for note in res.notes),
        sections=tuple(shown), competing=competing,
        landmark_analyses=tuple(landmark_results), time_varying=tuple(time_varying),
        comparisons=comparisons, external=external,
    )


def is_overall_survival(ep: Endpoint) -> bool:
    """An endpoint whose only events are deaths, in every patient, from the index date: its
    times are the observation times (death or last contact), the follow-up's source."""
    return ep.population == "all" and tuple(ep.events) == ("death",) and ep.start == "index"


def _has_unrelated(ae: pd.DataFrame | None) -> bool:
    return (ae is not None and "related" in ae and len(ae) > 0
            and not ae["related"].fillna(False).astype(bool).all())


def _references(patients: pd.DataFrame, options: AnalysisOptions) -> dict[str, str]:
    """The Cox reference level the spec declares, per variable (its label)."""
    out = {}
    for spec in options.levels:
        if spec.variable in patients.columns and spec.reference is not None:
            levels = list(patients[spec.variable].cat.categories)
            out[spec.variable] = reference_label(spec, levels)
    return out


def _has_disposition(patients: pd.DataFrame) -> bool:
    """End-of-treatment dates or reasons were given (else "on treatment at the cut-off"
    would only say that nothing was recorded)."""
    return any(c in patients and patients[c].notna().any() for c in ("eot_date", "eot_reason"))
