"""Every analysis dataset of one study, from its typed data and selected patients.

:func:`derive_study` runs the derivations in order (RECIST visit responses, best overall
response, named dates, time-to-event endpoints, exposure, prior therapy, adverse events, the
subject-level and swimmer datasets) with the options of :class:`DeriveOptions`, and returns
them as one :class:`DerivedStudy`: what the analyses read and the ``datasets/`` folder holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial

import pandas as pd

from oncocohort.canon.sections import SECTIONS
from oncocohort.derive.dates import derive_named_dates
from oncocohort.derive.endpoints import (
    STATUS_COLUMNS,
    Endpoint,
    TimeOptions,
    derive_params_tte,
    derive_status_times,
)
from oncocohort.derive.exposure import DrugSchedule, derive_exposure, derive_prior_therapy
from oncocohort.derive.recist import (
    ResponseOptions,
    derive_overall_records,
    derive_visit_response,
)
from oncocohort.derive.response import (
    BEST_RESPONSE_COLUMNS,
    derive_best_response,
    derive_recorded_best_response,
)
from oncocohort.derive.safety import SafetyOptions, derive_ae, reason_ae_name
from oncocohort.derive.sections import ResponseSource, available_sections, response_source
from oncocohort.derive.subgroups import SubgroupCut
from oncocohort.derive.swimmer import derive_swimmer
from oncocohort.model import StudyData

__all__ = ["RegimenOptions", "DeriveOptions", "DerivedStudy", "derive_study",
           "derive_subject_level", "patient_date_columns"]


@dataclass(frozen=True)
class RegimenOptions:
    """The studied regimen (spec ``regimen:``): each drug's schedule, the cycle length (days,
    for drugs whose schedule gives none) and the days a dose may come late before it counts
    as delayed (:func:`oncocohort.derive.exposure.derive_exposure`)."""

    drugs: Mapping[str, DrugSchedule]
    cycle_days: int
    delay_days: float


@dataclass(frozen=True)
class DeriveOptions:
    """How a study's datasets are derived.

    Attributes
    ----------
    data_cutoff
        The study's data cut-off (a ``data_cutoff`` column of the patients table overrides
        it per patient).
    response
        RECIST 1.1 visit responses and best overall response.
    time
        Time unit, days per month and day count of every duration.
    endpoints
        The time-to-event endpoints, in the spec's order.
    regimen
        The studied regimen; ``None``: no exposure dataset.
    safety
        Adverse-event term mapping, groups, attribution and the treatment-emergent window.
    subgroups
        Subgroup variables cut from numeric columns (applied at cohort selection, so that
        the variables can be checked before anything is derived).
    statuses
        ``(endpoint, named date)`` pairs: statuses acquired during follow-up (e.g. response)
        for landmark and time-varying analyses (``DerivedStudy.status_times``).
    """

    data_cutoff: dt.date
    response: ResponseOptions = field(default_factory=ResponseOptions)
    time: TimeOptions = field(default_factory=TimeOptions)
    endpoints: tuple[Endpoint, ...] = ()
    regimen: RegimenOptions | None = None
    safety: SafetyOptions = field(default_factory=SafetyOptions)
    subgroups: tuple[SubgroupCut, ...] = ()
    statuses: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class DerivedStudy:
    """The study after cohort selection and derivations (:func:`derive_study`).

    Attributes
    ----------
    attrition
        Cohort selection's attrition table (step, kind, rule, label, n_before, n_excluded,
        n_remaining); a single "screened" row when the spec has no cohort rules.
    patients
        The selected patients (canonical columns, free covariates, and the subgroup variables
        the spec derives, e.g. ``ecog_group``).
    subjects
        ``patients`` with the prior-therapy summary columns they lack
        (:func:`derive_subject_level`): the one row per patient the analyses read.
    visits
        RECIST visit-level responses (``derive.recist.derive_visit_response``).
    best_response
        One row per selected patient (``derive.response.derive_best_response``).
    tte
        Every endpoint, stacked: one row per patient per ``paramcd``
        (``derive.endpoints.derive_params_tte``; ``aval`` in the spec's time unit).
    exposure, prior_therapy
        ``derive.exposure.derive_exposure`` / ``derive_prior_therapy`` outputs.
    ae
        Record-level adverse events with CTCAE term, SOC, group, related and
        treatment-emergent flags (``derive.safety.derive_ae``).
    swimmer
        One lane per treated patient (``derive.swimmer.derive_swimmer``).
    status_times
        When each patient acquired a status during an endpoint's follow-up
        (``derive.endpoints.derive_status_times``), for landmark and time-varying analyses.
    sections
        The report sections the data can fill (:mod:`oncocohort.canon.sections`): a study
        without tumour assessments has no ``response``, without therapy records or
        end-of-treatment data no ``exposure``, without adverse events no ``safety``.
    response_source
        Where ``best_response`` comes from (:func:`oncocohort.derive.sections.response_source`):
        ``"assessments"`` (derived per RECIST 1.1), ``"recorded"`` (the investigators'
        ``patients.best_response`` as recorded), ``None`` (no response data).
    """

    attrition: pd.DataFrame
    patients: pd.DataFrame
    subjects: pd.DataFrame
    visits: pd.DataFrame
    best_response: pd.DataFrame
    tte: pd.DataFrame
    exposure: pd.DataFrame
    prior_therapy: pd.DataFrame
    ae: pd.DataFrame
    swimmer: pd.DataFrame
    sections: frozenset[str] = frozenset(SECTIONS)
    status_times: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=list(STATUS_COLUMNS)))
    response_source: ResponseSource | None = None

    def datasets(self) -> dict[str, pd.DataFrame]:
        """The analysis datasets by the name they are written under (``datasets/``); those
        of data the study was not given (tumour assessments, therapy, adverse events) are
        left out rather than written empty."""
        optional = {
            "visit_response": self.visits,
            "best_response": self.best_response,
            "exposure": self.exposure,
            "prior_therapy": self.prior_therapy,
            "adverse_events": self.ae,
        }
        out = {"attrition": self.attrition, "patients": self.patients, "tte": self.tte}
        out.update({k: v for k, v in optional.items() if len(v)})
        return dict(sorted(out.items(), key=lambda kv: _DATASET_ORDER.index(kv[0])))


_DATASET_ORDER = ("attrition", "patients", "visit_response", "best_response", "tte",
                  "exposure", "prior_therapy", "adverse_events")


def derive_subject_level(patients: pd.DataFrame, prior_therapy: pd.DataFrame) -> pd.DataFrame:
    """``patients`` with the columns of ``prior_therapy`` it lacks (matched on
    ``subject_id``; ``patients`` unchanged when there is no prior therapy)."""
    if prior_therapy is None or not len(prior_therapy):
        return patients
    extra = [c for c in prior_therapy.columns
             if c != "subject_id" and c not in patients.columns]
    return patients.merge(prior_therapy[["subject_id", *extra]], on="subject_id", how="left")


def derive_study(data: StudyData, patients: pd.DataFrame, attrition: pd.DataFrame,
                 options: DeriveOptions) -> DerivedStudy:
    """Every derivation for the selected ``patients`` (rows of ``data.patients`` with the
    subgroup variables) -> :class:`DerivedStudy`. Records of other patients are left out."""
    ids = set(patients["subject_id"])

    def mine(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["subject_id"].isin(ids)].reset_index(drop=True)

    lesions, responses = mine(data.lesions), mine(data.responses)
    therapy_lines, therapy = mine(data.therapy_lines), mine(data.therapy)
    r_opts = options.response
    visits = derive_visit_response(lesions, patients, options=r_opts) if len(lesions) else None
    best, overall = None, None
    source = response_source(data)
    if visits is not None or len(responses):
        overall = derive_overall_records(visits, responses if len(responses) else None)
        best = derive_best_response(overall, patients, therapy_lines, visits=visits,
                                    options=r_opts)

    cutoff = pd.Timestamp(options.data_cutoff)
    # a recorded best response has no dates: progression stays patients.progression_date
    dates = derive_named_dates(patients, best, therapy_lines, data_cutoff=cutoff,
                               assessments=overall, patient_dates=patient_date_columns(
                                   options.endpoints, options.statuses))
    tte = derive_params_tte(dates, options.endpoints, options=options.time)
    status_times = derive_status_times(dates, tte, options.statuses, options=options.time)

    days_per_month = options.time.days_per_month
    regimen = options.regimen
    exposure = (derive_exposure(therapy, patients, regimen=regimen.drugs,
                                cycle_days=regimen.cycle_days, delay_days=regimen.delay_days,
                                days_per_month=days_per_month, data_cutoff=cutoff,
                                reason_ae=partial(reason_ae_name, options=options.safety))
                if regimen is not None and regimen.drugs and len(therapy) else pd.DataFrame())
    prior = (derive_prior_therapy(therapy_lines, patients, days_per_month=days_per_month)
             if len(therapy_lines) else pd.DataFrame())  # no lines given: nothing to say
    ae = derive_ae(mine(data.adverse_events), patients, options=options.safety, therapy=therapy)
    if best is None and source == "recorded":  # the investigators' best response, as recorded
        best = derive_recorded_best_response(patients, options=r_opts)
    if best is None:  # no tumour assessments: no response dataset
        best = pd.DataFrame({c: pd.Series(dtype=object) for c in BEST_RESPONSE_COLUMNS})
    return DerivedStudy(
        attrition=attrition,
        patients=patients,
        subjects=derive_subject_level(patients, prior),
        visits=visits if visits is not None else pd.DataFrame(),
        best_response=best,
        tte=tte,
        exposure=exposure,
        prior_therapy=prior,
        ae=ae,
        swimmer=derive_swimmer(best, exposure, patients=patients,
                               days_per_month=days_per_month),
        sections=available_sections(
            data, regimen=regimen is not None and bool(regimen.drugs),
            endpoints=bool(options.endpoints), subgroups=True),
        status_times=status_times,
        response_source=source,
    )


def patient_date_columns(endpoints: tuple[Endpoint, ...],
                         statuses: tuple[tuple[str, str], ...] = ()) -> tuple[str, ...]:
    """The ``patients.<column>`` dates the endpoints (and the statuses) name, in order of
    first use."""
    names = [n for e in endpoints for n in (e.start, *e.events, *e.censor, *e.competing)]
    names += [status for _, status in statuses]
    return tuple(dict.fromkeys(n for n in names if n.startswith("patients.")))
