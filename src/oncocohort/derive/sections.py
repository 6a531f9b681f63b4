"""Which report sections (:mod:`oncocohort.canon.sections`) and which named dates of endpoints
(:data:`oncocohort.canon.codes.DATE_NEEDS`) a study has the data for."""

from __future__ import annotations

from collections.abc import Collection
from typing import Literal

from oncocohort.canon.codes import DATE_NEEDS
from oncocohort.canon.sections import SECTIONS, Section
from oncocohort.model import StudyData

__all__ = ["available_sections", "response_source", "unavailable_dates"]

ResponseSource = Literal["assessments", "recorded"]


def _given(data: StudyData, table: str, *columns: str) -> bool:
    """Whether the study was given rows of ``table`` (with a value in one of ``columns``,
    when named)."""
    frame = data.table(table)
    if not columns:
        return len(frame) > 0
    return any(c in frame.columns and frame[c].notna().any() for c in columns)


def response_source(data: StudyData) -> ResponseSource | None:
    """Where the best overall response comes from: ``"assessments"`` when the study was given
    tumour measurements (``lesions``) or visit responses (``responses``), which are derived
    per RECIST 1.1 and the spec's conventions; else ``"recorded"`` when the patients table
    has a best response recorded by the investigators (``patients.best_response``, one
    column of a hospital's sheet), analysed as recorded; else ``None`` (no response section).

    A study given both analyses the derived response (the assessments carry the dates, the
    confirmation and the measurements the recorded code lacks); the recorded column is
    compared with it (``analysis.response``) and ``validate`` warns that it is not analysed.

    Examples
    --------
    >>> import pandas as pd
    >>> from oncocohort.model import build_study_data
    >>> data, _ = build_study_data({})
    >>> response_source(data) is None
    True
    """
    if _given(data, "lesions") or _given(data, "responses"):
        return "assessments"
    if _given(data, "patients", "best_response"):
        return "recorded"
    return None


def available_sections(data: StudyData, *, regimen: bool, endpoints: bool,
                       subgroups: bool) -> frozenset[Section]:
    """The sections the data can fill.

    Parameters
    ----------
    data
        The study's typed data.
    regimen
        The spec describes the studied regimen's drugs (exposure is derived from therapy
        records only then).
    endpoints
        The spec defines at least one time-to-event endpoint.
    subgroups
        The spec names subgroup variables and an endpoint of all patients.

    Examples
    --------
    >>> from oncocohort.model import build_study_data
    >>> data, _ = build_study_data({})
    >>> sorted(available_sections(data, regimen=False, endpoints=True, subgroups=False))
    ['baseline', 'flowchart', 'survival']
    """
    have = {
        "flowchart": True,
        "baseline": True,
        "exposure": (regimen and _given(data, "therapy"))
        or _given(data, "patients", "eot_date", "eot_reason"),
        "response": response_source(data) is not None,
        "survival": endpoints,
        "subgroups": endpoints and subgroups,
        "safety": _given(data, "adverse_events"),
    }
    return frozenset(s for s in SECTIONS if have[s])


def unavailable_dates(data: StudyData, patient_columns: Collection[str]) -> frozenset[str]:
    """The named dates of :data:`~oncocohort.canon.codes.DATE_NEEDS` the study has no data
    for: an endpoint naming one would never see it (``progression`` without tumour
    assessments or a progression date: PFS would silently be overall survival).

    Parameters
    ----------
    data
        The study's typed data.
    patient_columns
        The columns the sources of the patients table give (mapped or canonically named):
        ``progression_date`` and ``eot_date`` count as given when a source has the column,
        even if no patient has a value yet.

    Examples
    --------
    >>> from oncocohort.model import build_study_data
    >>> data, _ = build_study_data({})
    >>> sorted(unavailable_dates(data, ["progression_date"]))[:3]
    ['eot', 'first_response', 'last_adequate_assessment']
    """
    assessed = _given(data, "lesions") or _given(data, "responses")
    have = {
        "progression": assessed or "progression_date" in patient_columns,
        "new_therapy": _given(data, "therapy_lines"),
        "eot": "eot_date" in patient_columns,
    }
    return frozenset(d for d in DATE_NEEDS if not have.get(d, assessed))
