"""The named dates of each subject: what time-to-event endpoints are built from.

An endpoint of the study spec (``endpoints: {pfs: {start: index, events: [progression,
death], censor: [last_adequate_assessment, index]}}``) refers to dates by name. This module
gathers them into one frame, one row per subject, with one ``datetime64[ns]`` column per
name; :func:`oncocohort.derive.endpoints.derive_param_tte` then reads only this frame.

Named dates (:data:`oncocohort.canon.codes.NAMED_DATES`)
--------------------------------------------------------
``index``                     ``patients.index_date`` (day 1 of the studied regimen)
``death``                     ``patients.death_date``
``last_alive``                ``patients.last_alive_date``
``progression``               ``best_response.first_pd_date``; without a best-response
                              frame, ``patients.progression_date`` (the hospital's own date)
``first_response``            ``best_response.first_response_date`` (responders only)
``last_adequate_assessment``  ``best_response.last_adequate_assessment_date``
``last_assessment``           ``best_response.last_assessment_date``
``new_therapy``               earliest ``start_date`` of ``therapy_lines`` rows with
                              ``setting == "subsequent"`` (first new anticancer therapy)
``eot``                       ``patients.eot_date``
``data_cutoff``               ``patients.data_cutoff``, else the ``data_cutoff`` argument
``patients.<column>``         any date column of the patients table, on request

Two further dates are derived when visit-level assessments (``subject_id``,
``assessment_date``, ``response``) are given; the censoring options of an endpoint need them:

``last_adequate_before_progression``  last adequate assessment strictly before
                                      ``progression`` (all adequate ones if no progression)
``last_adequate_before_new_therapy``  last adequate assessment on or before ``new_therapy``

An *adequate* assessment is one with an evaluable overall response: CR, PR, SD,
NON-CR/NON-PD or PD (not NE, not missing; :data:`oncocohort.canon.codes.ADEQUATE_RESPONSES`)
(FDA 2018 guidance, "Clinical Trial Endpoints for the Approval of Cancer Drugs and Biologics",
appendix on PFS censoring).

The frame also carries ``responder`` (``"Y"``/``"N"``, from the best-response frame, else
``"N"``) so that endpoints restricted to responders can select their population.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from oncocohort.canon.codes import ADEQUATE_RESPONSES
from oncocohort.derive._common import DeriveDataError, check_known_subjects, require_columns

__all__ = ["derive_named_dates"]

_FROM_PATIENTS = {"index": "index_date", "death": "death_date",
                  "last_alive": "last_alive_date", "eot": "eot_date"}
_FROM_BEST = {"progression": "first_pd_date", "first_response": "first_response_date",
              "last_adequate_assessment": "last_adequate_assessment_date",
              "last_assessment": "last_assessment_date"}


def _as_dates(series: pd.Series) -> pd.Series:
    if series.dtype.kind != "M":  # (to_datetime on datetime64 is slow: it probes a cache)
        series = pd.to_datetime(series, errors="raise")
    return series.astype("datetime64[ns]")


def _per_subject(frame: pd.DataFrame, what: str, subjects: pd.Index) -> pd.DataFrame:
    dup = frame["subject_id"][frame["subject_id"].duplicated()]
    if len(dup):
        raise DeriveDataError(f"{what} has more than one row for subject(s): "
                              f"{', '.join(sorted(map(str, dup.unique())))}", code="duplicate")
    check_known_subjects(frame["subject_id"], subjects, what)
    return frame.set_index("subject_id").reindex(subjects)


def _new_therapy(therapy_lines: pd.DataFrame, subjects: pd.Index) -> pd.Series:
    require_columns(therapy_lines, ["subject_id", "setting", "start_date"], "therapy_lines")
    sub = therapy_lines[therapy_lines["setting"] == "subsequent"]
    first = _as_dates(sub["start_date"]).groupby(sub["subject_id"].astype(str)).min()
    return first.reindex(subjects)


def _last_adequate_before(assessments: pd.DataFrame, limit: pd.Series, *,
                          inclusive: bool) -> pd.Series:
    """Per subject, the latest adequate assessment before ``limit`` (no limit where NaT)."""
    a = assessments[assessments["response"].isin(ADEQUATE_RESPONSES)]
    dates = _as_dates(a["assessment_date"])
    lim = a["subject_id"].map(limit)
    keep = lim.isna() | ((dates <= lim) if inclusive else (dates < lim))
    return dates[keep.to_numpy(dtype=bool)].groupby(a["subject_id"][keep]).max()


def derive_named_dates(
    patients: pd.DataFrame,
    best_response: pd.DataFrame | None = None,
    therapy_lines: pd.DataFrame | None = None,
    *,
    data_cutoff: pd.Timestamp | str | None = None,
    assessments: pd.DataFrame | None = None,
    patient_dates: Sequence[str] = (),
    confirmed: bool = False,
) -> pd.DataFrame:
    """One row per subject with the named dates endpoints refer to.

    Parameters
    ----------
    patients
        Canonical ``patients`` table (``subject_id``, ``index_date``, ``last_alive_date``;
        optionally ``death_date``, ``eot_date``, ``data_cutoff``, ``progression_date``).
    best_response
        One row per subject with ``first_pd_date``, ``first_response_date``,
        ``last_adequate_assessment_date``, ``last_assessment_date`` and ``responder``
        (``Y``/``N``). Subjects absent from it have no assessment dates.
    therapy_lines
        Canonical ``therapy_lines`` table; gives ``new_therapy``.
    data_cutoff
        The study cut-off, used where ``patients.data_cutoff`` is empty.
    assessments
        Visit-level overall responses (``subject_id``, ``assessment_date``, ``response``),
        e.g. the canonical ``responses`` table; gives the two ``last_adequate_before_*`` dates.
    patient_dates
        Extra date columns of ``patients`` to carry, as ``"patients.<column>"`` (or the bare
        column name); they appear under the ``"patients.<column>"`` name.
    confirmed
        Take ``responder`` and ``first_response`` from the best-response frame's
        ``confirmed_responder`` and ``confirmed_first_response_date`` (spec
        ``conventions.response.confirmation: true``).

    Returns
    -------
    pandas.DataFrame
        ``subject_id``, ``responder`` and one ``datetime64[ns]`` column per named date, in
        the order of ``patients``.

    Examples
    --------
    >>> p = pd.DataFrame({"subject_id": ["1"], "index_date": pd.to_datetime(["2024-01-01"]),
    ...                   "last_alive_date": pd.to_datetime(["2024-06-30"])})
    >>> derive_named_dates(p, data_cutoff="2024-07-01").loc[0, "data_cutoff"]
    Timestamp('2024-07-01 00:00:00')
    """
    require_columns(patients, ["subject_id", "index_date", "last_alive_date"], "patients")
    subjects = pd.Index(patients["subject_id"].astype(str), name="subject_id")
    pat = _per_subject(patients.assign(subject_id=subjects), "patients", subjects)
    out = pd.DataFrame(index=subjects)
    for name, col in _FROM_PATIENTS.items():
        out[name] = _as_dates(pat[col]) if col in pat else pd.NaT
    if best_response is not None:
        source = dict(_FROM_BEST, responder="responder")
        if confirmed:
            source.update(first_response="confirmed_first_response_date",
                          responder="confirmed_responder")
        require_columns(best_response, ["subject_id", *source.values()], "best_response")
        best = _per_subject(best_response.assign(subject_id=best_response["subject_id"]
                                                 .astype(str)), "best_response", subjects)
        for name in _FROM_BEST:
            out[name] = _as_dates(best[source[name]])
        flag = best[source["responder"]]
        out["responder"] = flag.where(flag.eq("Y"), "N")
        out.loc[out["responder"] != "Y", "first_response"] = pd.NaT
    else:
        for name in _FROM_BEST:
            out[name] = pd.NaT
        if "progression_date" in pat:
            out["progression"] = _as_dates(pat["progression_date"])
        out["responder"] = "N"
    out["new_therapy"] = (_new_therapy(therapy_lines, subjects) if therapy_lines is not None
                          else pd.NaT)
    cutoff = _as_dates(pat["data_cutoff"]) if "data_cutoff" in pat else pd.Series(
        pd.NaT, index=subjects, dtype="datetime64[ns]")
    if data_cutoff is not None:
        cutoff = cutoff.fillna(pd.Timestamp(data_cutoff))
    out["data_cutoff"] = cutoff
    if assessments is not None:
        require_columns(assessments, ["subject_id", "assessment_date", "response"], "assessments")
        a = assessments.assign(subject_id=assessments["subject_id"].astype(str))
        out["last_adequate_before_progression"] = _last_adequate_before(
            a, out["progression"], inclusive=False).reindex(subjects)
        out["last_adequate_before_new_therapy"] = _last_adequate_before(
            a, out["new_therapy"], inclusive=True).reindex(subjects)
    for spec in patient_dates:
        col = spec.removeprefix("patients.")
        require_columns(pat.reset_index(), [col], "patients")
        out[f"patients.{col}"] = _as_dates(pat[col])
    for name in out.columns.drop("responder"):
        out[name] = out[name].astype("datetime64[ns]")
    return out.reset_index()
