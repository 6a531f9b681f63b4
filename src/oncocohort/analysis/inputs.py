"""What the analyses receive: the selected cohort and every derived dataset of one study."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from oncocohort.problems import Problems

__all__ = ["DerivedStudy"]


@dataclass(frozen=True)
class DerivedStudy:
    """The study after cohort selection and derivations (built by ``pipeline.derive_study``).

    Attributes
    ----------
    spec
        The frozen ``StudySpec``.
    data
        The typed canonical tables (``StudyData``) of every screened patient.
    attrition
        Cohort selection's attrition table (step, kind, rule, label, n_before, n_excluded,
        n_remaining); a single "screened" row when the spec has no cohort rules.
    patients
        The selected patients (canonical columns, free covariates, and the subgroup variables
        the spec derives, e.g. ``ecog_group``).
    visits
        RECIST visit-level responses (``derive.recist.derive_visit_response``).
    best_response
        One row per selected patient (``derive.response.derive_best_response``).
    tte
        Every endpoint of the spec, stacked: one row per patient per ``paramcd``
        (``derive.endpoints.derive_param_tte``; ``aval`` in the spec's time unit).
    exposure, prior_therapy
        ``derive.exposure.derive_exposure`` / ``derive_prior_therapy`` outputs.
    ae
        Record-level adverse events with CTCAE term, SOC, group, related and
        treatment-emergent flags (``derive.safety.derive_ae``).
    problems
        Validation warnings carried into the report's data-quality section.
    """

    spec: object
    data: object
    attrition: pd.DataFrame
    patients: pd.DataFrame
    visits: pd.DataFrame
    best_response: pd.DataFrame
    tte: pd.DataFrame
    exposure: pd.DataFrame
    prior_therapy: pd.DataFrame
    ae: pd.DataFrame
    problems: Problems = field(default_factory=Problems)
